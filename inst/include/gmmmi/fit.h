// A fit from several starts: each start on its own random stream, the best
// log-likelihood kept. A start that fails (singular or empty component) is
// retried on a fresh stream a bounded number of times, with a larger
// covariance floor when the floor is tiny.
#ifndef GMMMI_FIT_H
#define GMMMI_FIT_H

#include <algorithm>
#include <cstdint>
#include <vector>

#include "init.h"
#include "parallel.h"

namespace gmmmi {

// The member defaults serve a plain fit (gmm_fit()); a selection's settings
// start from a preset of rules.h.
struct FitSettings {
  InitType init = InitType::random_responsibilities;
  double init_scale = 0.0;  // <= 0: the default of the init type
  int n_inits = 1;
  int max_retries = 10;     // fresh starts allowed after failed ones, per init
  bool raise_floor = false; // retries raise a tiny covariance floor (retry_floor)
  EmControl em;
};

struct FitOutcome {
  EmResult best;
  int n_failed = 0;  // failed starts (each one retried)
};

// The covariance floor of retry `attempt` (0: the first try): a positive
// floor below kRetryFloor is raised a thousandfold on each retry, up to
// kRetryFloor, so that a component collapsing onto a few points (outliers,
// heavy tails) under a tiny floor is fitted again with one that it cannot
// collapse under. A zero floor stays zero: it asks for no floor at all.
constexpr double kRetryFloor = 1e-6;
inline double retry_floor(double reg_covar, int attempt) {
  double r = reg_covar;
  for (int a = 0; a < attempt && r < kRetryFloor; ++a) r = std::min(kRetryFloor, r * 1e3);
  return r;
}

// One start and its EM, retried on failure. `stream_index` names the stream;
// a retry moves to a stream further along the same family.
inline EmResult fit_one_start(const MatrixRef& X, const VectorXd& w, Index K,
                              const FitSettings& s, std::uint64_t seed, Stream kind,
                              std::uint64_t stream_index, int& n_failed,
                              const std::atomic<bool>* abort) {
  EmResult res;
  res.status = FitStatus::singular;
  for (int attempt = 0; attempt <= s.max_retries; ++attempt) {
    Rng rng(seed, kind, retry_stream(stream_index, attempt));
    // After a failure, fall back to the most robust start.
    const InitType type = attempt == 0 ? s.init : InitType::random_responsibilities;
    EmControl em_ctl = s.em;
    if (s.raise_floor) em_ctl.reg_covar = retry_floor(s.em.reg_covar, attempt);
    Gmm start;
    if (initialise(X, w, K, type, s.init_scale, em_ctl.floor(), rng, start)) {
      res = em(X, w, start, em_ctl, abort);
      if (res.ok() || res.status == FitStatus::aborted) return res;
    }
    ++n_failed;
  }
  return res;
}

// The restarts run in parallel; the first best log-likelihood wins, so the
// result does not depend on the number of threads.
inline FitOutcome fit_gmm(const MatrixRef& X, const VectorXd& w, Index K, const FitSettings& s,
                          std::uint64_t seed, int n_threads, Monitor& monitor,
                          std::atomic<bool>& abort) {
  FitOutcome out;
  const std::size_t n = static_cast<std::size_t>(s.n_inits);
  std::vector<EmResult> fits(n);
  std::vector<int> failed(n, 0);
  const bool finished = parallel_for(n, n_threads, monitor, abort, [&](std::size_t r) {
    FitSettings sr = s;
    sr.init = start_type(s.init, static_cast<int>(r));
    fits[r] = fit_one_start(X, w, K, sr, seed, Stream::fit, r, failed[r], &abort);
  });
  if (!finished) {
    out.best.status = FitStatus::aborted;
    return out;
  }
  for (std::size_t r = 0; r < n; ++r) {
    out.n_failed += failed[r];
    if (r == 0 || (fits[r].ok() && (!out.best.ok() || fits[r].loglik > out.best.loglik)))
      out.best = fits[r];
  }
  return out;
}

}  // namespace gmmmi

#endif
