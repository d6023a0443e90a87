// Mutual information with its bootstrap uncertainty (method.md section 5):
// select K once, then refit every bootstrap resample at that K by EM
// warm-started from the kept parameters, and integrate each fit by Monte
// Carlo. With `reselect`, each replicate instead runs the whole selection on
// its resample, so that the spread includes the choice of K. A resample is
// fitted as weighted EM on its counts, so no copy of the
// data is made beyond the distinct rows drawn. Given an alternative coding
// of the rows (margins.h), both are selected on the same folds and the
// bootstrap runs on the one chosen.
#ifndef GMMMI_BOOTSTRAP_H
#define GMMMI_BOOTSTRAP_H

#include <stdexcept>

#include "integrals.h"
#include "margins.h"
#include "scaling.h"
#include "select.h"

namespace gmmmi {

struct MiSettings {
  SelectSettings select;
  int n_bootstrap = 50;
  Index mc_samples = 100000;
  bool reselect = false;     // choose K afresh in every replicate (else the full data's K)
  std::vector<int> x, y, z;  // coordinate blocks of the joint data
  double coding_z = 2.0;     // margin of the alternative coding's win (margins.h)
};

struct MiResult {
  SelectResult selection;
  EmResult full_fit;              // on all the data, in standardised units
  Scaling scaling;
  McEstimate full_mi;             // MI of the full-data fit
  std::vector<double> bootstrap;  // one MI value per replicate
  std::vector<double> bootstrap_mc_se;
  std::vector<int> bootstrap_iter;
  std::vector<int> bootstrap_k;   // K of each replicate's fit
  int n_retried = 0;              // replicates whose warm-started fit failed and were restarted
  int n_failed = 0;               // replicates with no usable fit even after restarts
  bool aborted = false;
  bool coding_compared = false;   // an alternative coding was given
  CodingChoice coding;            // the comparison, when it was
};

// Resample counts for replicate b: N draws with replacement.
inline VectorXd bootstrap_counts(Index N, std::uint64_t seed, std::uint64_t b) {
  Rng rng(seed, Stream::bootstrap, b);
  VectorXd counts = VectorXd::Zero(N);
  for (Index i = 0; i < N; ++i) counts[static_cast<Index>(rng.below(static_cast<std::uint64_t>(N)))] += 1.0;
  return counts;
}

// Fits the rows of X with positive count, weighted by their counts, from the
// warm start; restarts from fresh starts when that fails.
inline EmResult fit_weighted(const MatrixRef& X, const VectorXd& counts, const Gmm& warm,
                             const FitSettings& fs, std::uint64_t seed, std::uint64_t index,
                             int& n_restarts, const std::atomic<bool>* abort) {
  std::vector<Index> keep;
  for (Index i = 0; i < counts.size(); ++i)
    if (counts[i] > 0) keep.push_back(i);
  MatrixXd Xb(static_cast<Index>(keep.size()), X.cols());
  VectorXd wb(static_cast<Index>(keep.size()));
  for (std::size_t i = 0; i < keep.size(); ++i) {
    Xb.row(static_cast<Index>(i)) = X.row(keep[i]);
    wb[static_cast<Index>(i)] = counts[keep[i]];
  }
  EmResult res = em(Xb, wb, warm, fs.em, abort);
  if (res.ok() || res.status == FitStatus::aborted) return res;
  ++n_restarts;
  FitSettings retry = fs;
  retry.init = InitType::random_responsibilities;
  int ignored = 0;
  return fit_one_start(Xb, wb, warm.k(), retry, seed, Stream::bootstrap, index + (1ULL << 32),
                       ignored, abort);
}

// Counts replicates that were restarted or failed; task 0, the full-data
// fit, must not fail.
inline void tally_replicates(const std::vector<int>& restarts, const std::vector<char>& failed,
                             int& n_retried, int& n_failed) {
  for (std::size_t t = 0; t < failed.size(); ++t) {
    n_retried += restarts[t] > 0 ? 1 : 0;
    n_failed += failed[t];
  }
  if (failed[0]) throw std::runtime_error("the full-data fit failed");
}

// X is the joint data, one point per row, in original units; `alternative`,
// if not empty, another coding of the same rows to choose from.
inline MiResult estimate_mi(MatrixXd X, const MiSettings& s, std::uint64_t seed, int n_threads,
                            Monitor& monitor, MatrixXd alternative = MatrixXd()) {
  MiResult out;
  std::atomic<bool> abort{false};
  if (!standardise(X, out.scaling)) throw std::invalid_argument("a coordinate has no spread");
  out.coding_compared = alternative.size() > 0;
  SelectSettings scored = s.select;
  if (out.coding_compared) {
    scored.score_x = s.x;
    scored.score_y = s.y;
    scored.score_z = s.z;
  }
  out.selection = select_components(X, scored, seed, n_threads, monitor, abort);
  if (out.selection.aborted) {
    out.aborted = true;
    return out;
  }
  if (out.coding_compared) {
    Scaling alt_scaling;
    if (!standardise(alternative, alt_scaling))
      throw std::invalid_argument("a coordinate has no spread");
    SelectResult alt = select_components(alternative, scored, seed, n_threads, monitor, abort);
    if (alt.aborted) {
      out.aborted = true;
      return out;
    }
    out.coding = choose_coding(out.selection.heldout_pmi, alt.heldout_pmi, s.coding_z);
    // (If only the alternative could be fitted at all, it is used.)
    if ((out.coding.alternative || out.selection.chosen_k == 0) && alt.chosen_k > 0) {
      out.coding.alternative = true;
      X = std::move(alternative);
      out.scaling = alt_scaling;
      out.selection = std::move(alt);
    } else {
      out.coding.alternative = false;
    }
  }
  if (out.selection.chosen_k == 0) throw std::runtime_error("no mixture could be fitted to the data");

  const Index N = X.rows();
  const std::size_t B = static_cast<std::size_t>(s.n_bootstrap);
  out.bootstrap.assign(B, std::numeric_limits<double>::quiet_NaN());
  out.bootstrap_mc_se.assign(B, std::numeric_limits<double>::quiet_NaN());
  out.bootstrap_iter.assign(B, 0);
  out.bootstrap_k.assign(B, 0);
  std::vector<int> restarts(B + 1, 0);
  std::vector<char> failed(B + 1, 0);
  const Gmm& warm = out.selection.warm_start;

  // Task 0 is the full-data fit; task b (1..B) is bootstrap replicate b.
  const bool finished = parallel_for(B + 1, n_threads, monitor, abort, [&](std::size_t t) {
    Rng mc(seed, Stream::monte_carlo, t);
    if (t == 0) {
      out.full_fit = em(X, VectorXd(), warm, s.select.fit.em, &abort);
      if (!out.full_fit.ok() && out.full_fit.status != FitStatus::aborted) {
        out.full_fit = fit_weighted(X, VectorXd::Ones(N), warm, s.select.fit, seed, t, restarts[t], &abort);
      }
      if (out.full_fit.ok())
        out.full_mi = mutual_information(out.full_fit.model, s.x, s.y, s.z, s.mc_samples, mc, &abort);
      else
        failed[t] = 1;
      return;
    }
    const VectorXd counts = bootstrap_counts(N, seed, t);
    EmResult fit;
    if (s.reselect) {
      // The whole selection on the resample (its rows repeated by their
      // counts), on this thread, with its own seed; then the weighted fit
      // from the replicate's own warm start.
      MatrixXd Xb(N, X.cols());
      for (Index i = 0, row = 0; i < N; ++i)
        for (int c = 0; c < static_cast<int>(counts[i]); ++c) Xb.row(row++) = X.row(i);
      Monitor none;  // interrupts still arrive through `abort`
      const std::uint64_t sub_seed = seed ^ (0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(t) + 1));
      const SelectResult sel = select_components(Xb, s.select, sub_seed, 1, none, abort);
      if (sel.aborted) return;
      if (sel.chosen_k == 0) {
        failed[t] = 1;
        return;
      }
      fit = fit_weighted(X, counts, sel.warm_start, s.select.fit, seed, t, restarts[t], &abort);
    } else {
      fit = fit_weighted(X, counts, warm, s.select.fit, seed, t, restarts[t], &abort);
    }
    if (!fit.ok()) {
      failed[t] = 1;
      return;
    }
    const McEstimate mi = mutual_information(fit.model, s.x, s.y, s.z, s.mc_samples, mc, &abort);
    if (!mi.ok) {
      failed[t] = 1;
      return;
    }
    out.bootstrap[t - 1] = mi.value;
    out.bootstrap_mc_se[t - 1] = mi.mc_se;
    out.bootstrap_iter[t - 1] = fit.n_iter;
    out.bootstrap_k[t - 1] = static_cast<int>(fit.model.k());
  });
  out.aborted = !finished;
  if (finished) tally_replicates(restarts, failed, out.n_retried, out.n_failed);
  return out;
}

}  // namespace gmmmi

#endif
