// Mutual information with its bootstrap uncertainty (vignette "method",
// section 6 "The bootstrap"): select K once, then refit every bootstrap
// resample at that K by EM warm-started from the kept parameters, and
// integrate each fit by Monte Carlo. With `reselect`, each replicate instead
// runs the whole selection on its resample, so that the spread includes the
// choice of K. A resample is fitted as weighted EM on its counts, so no copy
// of the data is made beyond the distinct rows drawn. Given an alternative coding
// of the rows (margins.h), both are selected on the same folds and the
// bootstrap runs on the one chosen.
#ifndef GMMMI_BOOTSTRAP_H
#define GMMMI_BOOTSTRAP_H

#include <cstdio>
#include <stdexcept>

#include "integrals.h"
#include "margins.h"
#include "scaling.h"
#include "select.h"
#include "subsample.h"

namespace gmmmi {

struct MiSettings {
  SelectSettings select;
  int n_bootstrap = 50;
  Index mc_samples = 100000;
  bool reselect = false;     // choose K afresh in every replicate (else the full data's K)
  std::vector<int> x, y, z;  // coordinate blocks of the joint data
  double coding_z = 2.0;     // margin of the alternative coding's win (margins.h)
  bool tie_floor = false;    // floor tied columns' variances (resolution_floor())
  Index select_rows = 0;     // > 0: choose K on this many rows when there are more (subsample.h)
  Index bootstrap_rows = 0;  // > 0: resample this many rows when there are more (subsample.h)
  double mc_error_ratio = 0.1;  // then the full-data value's Monte Carlo error / the se
  Index mc_max_factor = 1000;   // at most this many times mc_samples draws for it
};

// What both bootstraps report: this one and the categorical one
// (categorical.h).
struct BootstrapValues {
  McEstimate full_mi;             // MI of the full-data fit
  std::vector<double> bootstrap;  // one MI value per replicate (NaN where it failed)
  std::vector<double> bootstrap_mc_se;
  int n_retried = 0;              // replicates whose warm-started fit failed and were restarted
  int n_failed = 0;               // replicates with no usable fit even after restarts
  bool aborted = false;
  // Below 1 (an m-out-of-n bootstrap, subsample.h): the factor sqrt(m / N)
  // by which the replicates' deviations from the full-data value were shrunk.
  double shrink = 1.0;
};

struct MiResult : BootstrapValues {
  SelectResult selection;
  EmResult full_fit;              // on all the data, in standardised units
  Scaling scaling;
  std::vector<int> bootstrap_k;   // K of each replicate's fit
  bool coding_compared = false;   // an alternative coding was given
  CodingChoice coding;            // the comparison, when it was
  Index selection_rows = 0;       // the rows the selection was made on
};

// Resample counts for replicate b: N draws with replacement.
inline VectorXd bootstrap_counts(Index N, std::uint64_t seed, std::uint64_t b) {
  return resample_counts(N, N, seed, b);
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
  return fit_one_start(Xb, wb, warm.k(), retry, seed, Stream::bootstrap, restart_stream(index),
                       ignored, abort);
}

// Counts replicates that were restarted or failed; task 0, the full-data
// fit, must not fail, nor give an MI that is not possible (plausible_mi).
inline void tally_replicates(const std::vector<int>& restarts, const std::vector<char>& failed,
                             const McEstimate& full_mi, double mi_max, int& n_retried,
                             int& n_failed) {
  for (std::size_t t = 0; t < failed.size(); ++t) {
    n_retried += restarts[t] > 0 ? 1 : 0;
    n_failed += failed[t];
  }
  if (failed[0]) throw std::runtime_error("the full-data fit failed");
  if (!plausible_mi(full_mi, mi_max)) {
    char msg[320];
    std::snprintf(msg, sizeof msg,
                  "the mixture fitted to all the data gives an MI of %.4g nat (Monte Carlo se "
                  "%.2g), which is not possible: the fit or its integral broke down numerically",
                  full_mi.value, full_mi.mc_se);
    throw std::runtime_error(msg);
  }
}

// The bootstrap's skeleton, shared by the continuous and the categorical MI:
// task 0 is the full-data fit, task t (1..B) replicate t, each with its own
// Monte Carlo stream, so that no result depends on the threads.
// `task(t, mc, n_restarts, mi)` fits task t (counting its restarts from fresh
// starts) and sets its MI; it returns false when the task has no usable fit.
// A replicate whose MI fails or is not possible (plausible_mi, at most
// `mi_max`) counts as failed too, and is left out rather than averaged in; a
// failed full-data fit, or an impossible MI of it, is an error
// (tally_replicates). With `common_draws`, every task draws the same Monte
// Carlo stream instead (subsample.h).
template <class Task>
void run_bootstrap(int n_bootstrap, std::uint64_t seed, int n_threads, Monitor& monitor,
                   std::atomic<bool>& abort, BootstrapValues& out, double mi_max, Task task,
                   bool common_draws = false) {
  const std::size_t B = static_cast<std::size_t>(n_bootstrap);
  out.bootstrap.assign(B, std::numeric_limits<double>::quiet_NaN());
  out.bootstrap_mc_se.assign(B, std::numeric_limits<double>::quiet_NaN());
  std::vector<int> restarts(B + 1, 0);
  std::vector<char> failed(B + 1, 0);
  const bool finished = parallel_for(B + 1, n_threads, monitor, abort, [&](std::size_t t) {
    Rng mc(seed, Stream::monte_carlo, common_draws ? 0 : t);
    McEstimate mi;
    if (!task(t, mc, restarts[t], mi) || (t > 0 && !plausible_mi(mi, mi_max))) {
      failed[t] = 1;
    } else if (t == 0) {
      out.full_mi = mi;
    } else {
      out.bootstrap[t - 1] = mi.value;
      out.bootstrap_mc_se[t - 1] = mi.mc_se;
    }
  });
  out.aborted = !finished;
  if (finished)
    tally_replicates(restarts, failed, out.full_mi, mi_max, out.n_retried, out.n_failed);
}

// The selection on X, or, when X has more than s.select_rows rows, on the
// rows `rows` of it (the same for either coding).
inline SelectResult select_on(const MatrixXd& X, const std::vector<Index>& rows,
                              const SelectSettings& scored, std::uint64_t seed, int n_threads,
                              Monitor& monitor, std::atomic<bool>& abort) {
  if (rows.empty()) return select_components(X, scored, seed, n_threads, monitor, abort);
  return select_components(fold_rows(X, rows), scored, seed, n_threads, monitor, abort);
}

// Selects K on X and, given an alternative coding of the same rows, on that
// too, on the same folds (and the same subsample of rows, if any); keeps the
// coding that choose_coding prefers (X, out.scaling and the tie floor of s
// become the alternative's when it wins). False when interrupted.
inline bool select_coding(MatrixXd& X, MatrixXd alternative, MiSettings& s,
                          std::uint64_t seed, int n_threads, Monitor& monitor,
                          std::atomic<bool>& abort, MiResult& out) {
  out.coding_compared = alternative.size() > 0;
  SelectSettings scored = s.select;
  if (out.coding_compared) {
    scored.score_x = s.x;
    scored.score_y = s.y;
    scored.score_z = s.z;
  }
  const std::vector<Index> rows = above(X.rows(), s.select_rows)
      ? subsample_rows(X.rows(), s.select_rows, seed) : std::vector<Index>();
  out.selection_rows = rows.empty() ? X.rows() : static_cast<Index>(rows.size());
  out.selection = select_on(X, rows, scored, seed, n_threads, monitor, abort);
  if (out.selection.aborted) return false;
  if (!out.coding_compared) return true;
  Scaling alt_scaling;
  if (!standardise(alternative, alt_scaling))
    throw std::invalid_argument("a coordinate has no spread");
  if (s.tie_floor) scored.fit.em.tie_floor = resolution_floor(alternative);
  SelectResult alt = select_on(alternative, rows, scored, seed, n_threads, monitor, abort);
  if (alt.aborted) return false;
  out.coding = choose_coding(out.selection.heldout_pmi, alt.heldout_pmi, s.coding_z);
  // (If only the alternative could be fitted at all, it is used.)
  out.coding.alternative =
      (out.coding.alternative || out.selection.chosen_k == 0) && alt.chosen_k > 0;
  if (out.coding.alternative) {
    X = std::move(alternative);
    out.scaling = alt_scaling;
    out.selection = std::move(alt);
    s.select.fit.em.tie_floor = scored.fit.em.tie_floor;
  }
  return true;
}

// The full-data fit from the selection's warm start (from fresh starts if
// that fails); false when no fit is usable.
inline bool fit_full_data(const MatrixXd& X, const MiSettings& s, std::uint64_t seed,
                          int& n_restarts, std::atomic<bool>& abort, MiResult& out) {
  const Gmm& warm = out.selection.warm_start;
  out.full_fit = em(X, VectorXd(), warm, s.select.fit.em, &abort);
  if (!out.full_fit.ok() && out.full_fit.status != FitStatus::aborted)
    out.full_fit = fit_weighted(X, VectorXd::Ones(X.rows()), warm, s.select.fit, seed, 0,
                                n_restarts, &abort);
  return out.full_fit.ok();
}

// The full-data fit made before the bootstrap (monitored, on one thread), for
// replicates that start from it. False when interrupted.
inline bool prefit_full_data(const MatrixXd& X, const MiSettings& s, std::uint64_t seed,
                             Monitor& monitor, std::atomic<bool>& abort, int& n_restarts,
                             MiResult& out) {
  return parallel_for(1, 1, monitor, abort, [&](std::size_t) {
    fit_full_data(X, s, seed, n_restarts, abort, out);
  });
}

// The rows of X repeated by their counts.
inline MatrixXd repeat_rows(const MatrixXd& X, const VectorXd& counts) {
  MatrixXd Xb(X.rows(), X.cols());
  for (Index i = 0, row = 0; i < X.rows(); ++i)
    for (int c = 0; c < static_cast<int>(counts[i]); ++c) Xb.row(row++) = X.row(i);
  return Xb;
}

// After an m-out-of-n bootstrap (subsample.h): the full-data value
// integrated again with enough draws, and the replicates placed around it
// with their deviations shrunk to the scale of N rows. False when interrupted.
inline bool place_replicates(const MiSettings& s, std::uint64_t seed, int n_threads,
                             Monitor& monitor, std::atomic<bool>& abort, Index m, Index N,
                             MiResult& out) {
  out.shrink = std::sqrt(static_cast<double>(m) / static_cast<double>(N));
  const McEstimate anchor = out.full_mi;
  const Index M = refined_draws(s.mc_samples, anchor.mc_se, out.shrink * finite_sd(out.bootstrap),
                                s.mc_error_ratio, s.mc_max_factor * s.mc_samples);
  if (M > s.mc_samples) {
    McEstimate refined;
    if (!refined_mi(out.full_fit.model, s.x, s.y, s.z, M, seed, n_threads, monitor, abort, refined))
      return false;
    if (refined.ok && plausible_mi(refined, std::numeric_limits<double>::infinity()))
      out.full_mi = refined;
  }
  rescale_replicates(out.bootstrap, anchor.value, out.full_mi.value, out.shrink);
  return true;
}

// Replicate t's fit of its resample of m rows, weighted by the counts: from
// the warm start at its K or, with `reselect`, from the warm start of a
// whole selection on the resample (on this thread, with its own seed).
// False when no fit is usable.
inline bool fit_replicate(const MatrixXd& X, const MiSettings& s, std::uint64_t seed,
                          std::size_t t, const Gmm& warm, Index m, int& n_restarts,
                          std::atomic<bool>& abort, EmResult& fit) {
  const VectorXd counts = resample_counts(X.rows(), m, seed, t);
  if (!s.reselect) {
    fit = fit_weighted(X, counts, warm, s.select.fit, seed, t, n_restarts, &abort);
    return fit.ok();
  }
  Monitor none;  // interrupts still arrive through `abort`
  const SelectResult sel =
      select_components(repeat_rows(X, counts), s.select, sub_seed(seed, t), 1, none, abort);
  if (sel.aborted || sel.chosen_k == 0) return false;
  fit = fit_weighted(X, counts, sel.warm_start, s.select.fit, seed, t, n_restarts, &abort);
  return fit.ok();
}

// X is the joint data, one point per row, in original units; `alternative`,
// if not empty, another coding of the same rows to choose from. Above
// s.bootstrap_rows rows, the full-data fit is made first and the replicates,
// m-out-of-n, start from it (subsample.h); otherwise it is one more task of
// the bootstrap and the replicates start from the selection's warm start.
inline MiResult estimate_mi(MatrixXd X, MiSettings s, std::uint64_t seed, int n_threads,
                            Monitor& monitor, MatrixXd alternative = MatrixXd()) {
  MiResult out;
  std::atomic<bool> abort{false};
  if (!standardise(X, out.scaling)) throw std::invalid_argument("a coordinate has no spread");
  if (s.tie_floor) s.select.fit.em.tie_floor = resolution_floor(X);
  if (!select_coding(X, std::move(alternative), s, seed, n_threads, monitor, abort, out)) {
    out.aborted = true;
    return out;
  }
  if (out.selection.chosen_k == 0)
    throw std::runtime_error("no mixture could be fitted to the data");
  const bool m_of_n = above(X.rows(), s.bootstrap_rows);
  const Index m = m_of_n ? s.bootstrap_rows : X.rows();
  int full_restarts = 0;
  if (m_of_n && !prefit_full_data(X, s, seed, monitor, abort, full_restarts, out)) {
    out.aborted = true;
    return out;
  }
  if (m_of_n && !out.full_fit.ok()) throw std::runtime_error("the full-data fit failed");
  const Gmm& warm = m_of_n ? out.full_fit.model : out.selection.warm_start;
  out.bootstrap_k.assign(static_cast<std::size_t>(s.n_bootstrap), 0);
  run_bootstrap(s.n_bootstrap, seed, n_threads, monitor, abort, out,
                std::numeric_limits<double>::infinity(),
                [&](std::size_t t, Rng& mc, int& n_restarts, McEstimate& mi) {
    EmResult replicate;
    if (t == 0) n_restarts = full_restarts;
    const bool ok = t > 0 ? fit_replicate(X, s, seed, t, warm, m, n_restarts, abort, replicate)
                          : m_of_n ? out.full_fit.ok()
                                   : fit_full_data(X, s, seed, n_restarts, abort, out);
    if (!ok) return false;
    const EmResult& fit = t > 0 ? replicate : out.full_fit;
    mi = mutual_information(fit.model, s.x, s.y, s.z, s.mc_samples, mc, &abort);
    if (t > 0 && mi.ok) out.bootstrap_k[t - 1] = static_cast<int>(fit.model.k());
    return true;
  }, m_of_n);
  if (m_of_n && !out.aborted && !place_replicates(s, seed, n_threads, monitor, abort, m, X.rows(), out))
    out.aborted = true;
  return out;
}

}  // namespace gmmmi

#endif
