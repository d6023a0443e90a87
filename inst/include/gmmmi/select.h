// Choosing the number of components (vignette "method", section 3 "Choosing
// the number of components"): one shuffled split into folds shared by every
// K; for each K, every (init, fold) fit is scored by its held-out mean
// log-likelihood; the best init's fold average is the score of K, and the
// best fold's parameters are kept as a warm start. Optionally each fit is
// also scored by its pointwise mutual information on its held-out rows (see
// margins.h), kept for the chosen K. The named rules that set the defaults
// of a search are in rules.h.
#ifndef GMMMI_SELECT_H
#define GMMMI_SELECT_H

#include <numeric>
#include <stdexcept>

#include "fit.h"
#include "integrals.h"
#include "margins.h"
#include "parallel.h"

namespace gmmmi {

enum class Criterion { validation = 0, aic = 1, bic = 2 };

// The member defaults serve callers of the core that set what they need;
// the settings R runs are the presets of rules.h (gmmmi_rule(),
// reference_rule()).
struct SelectSettings {
  FitSettings fit;
  Criterion criterion = Criterion::validation;
  int max_components = 50;
  int n_folds = 2;
  double threshold = 1e-5;
  int patience = 1;
  int fixed_components = 0;  // > 0: fit this K only, no search
  // Stop as soon as a K scores below the best by more than this (see StoppingRule).
  double k_margin = std::numeric_limits<double>::infinity();
  // Coordinate blocks of the held-out pointwise MI; empty score_x: not scored.
  std::vector<int> score_x, score_y, score_z;
};

// A row of the selection table. Its full-data values stay NaN when the K had
// no usable fit (the search stops there) or its refit failed: a failed row
// must never look like the best.
struct KScore {
  int k = 0;
  double validation = 0.0;  // best init's held-out mean log-likelihood per sample
  double aic = std::numeric_limits<double>::quiet_NaN();  // of the full-data refit
  double bic = std::numeric_limits<double>::quiet_NaN();
  double loglik = std::numeric_limits<double>::quiet_NaN();  // full-data refit, total
  int best_init = 0;
  bool converged = true;    // every fit of this K converged
  int max_iter = 0;         // the longest EM run among this K's fits
};

struct SelectResult {
  std::vector<KScore> table;
  int chosen_k = 0;
  Gmm warm_start;        // best fold of the best init, at the chosen K
  bool reached_max = false;
  bool all_short = false;  // every fit with K > 1 stopped within two EM iterations
  int n_failed = 0;
  bool aborted = false;
  // With score_x set: the pointwise MI of every row under the chosen K's
  // best-init fit of the fold that held the row out (NaN where that fit failed).
  VectorXd heldout_pmi;
};

// The split into folds, by row index: one shuffle of the rows, `order`, of
// which fold f holds out the positions i with i % n_folds == f and trains on
// the others, each in that order. Nothing is copied per fold: a fit copies
// its fold's rows when it runs (fold_rows), so that memory grows with the
// number of threads, not of folds.
struct Folds {
  std::vector<Index> order;
  int n_folds = 0;
  std::size_t size() const { return static_cast<std::size_t>(n_folds); }
  // The rows of fold f: held out (`valid`) or for training, in order.
  std::vector<Index> rows(int f, bool valid) const {
    std::vector<Index> out;
    const Index N = static_cast<Index>(order.size());
    out.reserve(static_cast<std::size_t>(valid ? N / n_folds + 1 : N - N / n_folds));
    for (Index i = 0; i < N; ++i)
      if ((i % n_folds == f) == valid) out.push_back(order[static_cast<std::size_t>(i)]);
    return out;
  }
};

// The rows of X named by `rows`, in that order.
inline MatrixXd fold_rows(const MatrixRef& X, const std::vector<Index>& rows) {
  MatrixXd out(static_cast<Index>(rows.size()), X.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Index>(i)) = X.row(rows[i]);
  return out;
}

// The pointwise MI of every row of X (NaN where the fit failed) under the fit
// of the fold that held it out: fold f's fit is fits[first + f].
inline VectorXd score_heldout_pmi(const MatrixRef& X, const std::vector<EmResult>& fits,
                                  std::size_t first, const Folds& folds,
                                  const SelectSettings& s) {
  VectorXd out = VectorXd::Constant(X.rows(), std::numeric_limits<double>::quiet_NaN());
  PreparedTerms terms;
  VectorXd v;
  for (int f = 0; f < folds.n_folds; ++f) {
    const EmResult& fit = fits[first + static_cast<std::size_t>(f)];
    if (!fit.ok() || !prepare_terms(mi_terms(fit.model, s.score_x, s.score_y, s.score_z), terms))
      continue;
    const std::vector<Index> rows = folds.rows(f, true);
    evaluate_terms(fold_rows(X, rows), terms, v, Precision::exact);
    for (std::size_t i = 0; i < rows.size(); ++i) out[rows[i]] = v[static_cast<Index>(i)];
  }
  return out;
}

inline Folds make_folds(Index N, int n_folds, Rng& rng) {
  Folds f;
  f.order.resize(static_cast<std::size_t>(N));
  std::iota(f.order.begin(), f.order.end(), Index(0));
  rng.shuffle(f.order);
  f.n_folds = n_folds;
  return f;
}

// Score used by the stopping rule: higher is better, per sample, so that one
// threshold serves every criterion; a failed refit (NaN) scores -inf.
inline double selection_score(const KScore& s, Criterion c, double n) {
  double v = s.validation;
  if (c == Criterion::aic) v = -s.aic / (2.0 * n);
  if (c == Criterion::bic) v = -s.bic / (2.0 * n);
  return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
}

// Every (K, init, fold) fit has a random stream of its own only within the
// bit fields of select_stream (rng.h); the R layer's caps are far inside.
inline void check_select_limits(const SelectSettings& s) {
  const int k_max = std::max(s.max_components, s.fixed_components);
  if (s.fit.n_inits >= static_cast<int>(kMaxStreamField) ||
      s.n_folds >= static_cast<int>(kMaxStreamField) || k_max >= static_cast<int>(kMaxSelectK))
    throw std::invalid_argument(
        "n_inits and n_folds must be below 4096 and the number of components below 65536");
}

// What every step of one search shares.
struct SearchContext {
  const MatrixRef& X;
  const SelectSettings& s;
  const Folds& folds;
  std::uint64_t seed;
  int n_threads;
  Monitor& monitor;
  std::atomic<bool>& abort;
};

// The fits of one K: task t is start t / n_folds fitted on fold t % n_folds.
struct KBatch {
  std::vector<EmResult> fits;
  std::vector<double> valid;  // held-out mean log-likelihood; -inf where unusable
  std::vector<int> failed;    // failed starts of each task (each retried)
  std::vector<VectorXd> heldout;  // with may_abandon: each held-out row's log-likelihood
  bool abandoned = false;     // only the first start was fitted (fit_batch)
};

// Whether a search may abandon a K after its first start (fit_batch).
inline bool may_abandon(const SelectSettings& s) {
  return std::isfinite(s.k_margin) && s.criterion == Criterion::validation;
}

// The full-data refit of a K, for its AIC and BIC (and the log-likelihood of
// the table). Under the validation criterion it does not decide the search,
// so it runs as one more task of the next K's batch (`pending`) rather than
// alone between batches.
struct Refit {
  bool pending = false;
  std::size_t row = 0;  // the K's row of the table
  Gmm start;            // the K's kept parameters
  EmResult result;
};

// Task t of K's batch: its start fitted on its fold's training rows, scored
// by its mean log-likelihood on the fold's held-out rows.
inline void fit_and_validate(const SearchContext& c, int K, std::size_t t, KBatch& b) {
  const int r = static_cast<int>(t) / c.s.n_folds, f = static_cast<int>(t) % c.s.n_folds;
  FitSettings sr = c.s.fit;
  sr.init = start_type(c.s.fit.init, r);
  b.fits[t] = fit_one_start(fold_rows(c.X, c.folds.rows(f, false)), VectorXd(), K, sr, c.seed,
                            Stream::select, select_stream(K, r, f), b.failed[t], &c.abort);
  Factorised fac;
  if (b.fits[t].ok() && factorise(b.fits[t].model, fac)) {
    VectorXd ll = log_density(fold_rows(c.X, c.folds.rows(f, true)), fac);
    const double v = ll.mean();
    if (std::isfinite(v)) b.valid[t] = v;
    if (may_abandon(c.s)) b.heldout[t] = std::move(ll);
  }
}

// The held-out log-likelihood of every row of X under start r's fit of the
// fold that held it out (NaN where that fit failed).
inline VectorXd heldout_rows(const SearchContext& c, const KBatch& b, int r) {
  VectorXd out = VectorXd::Constant(c.X.rows(), std::numeric_limits<double>::quiet_NaN());
  for (int f = 0; f < c.s.n_folds; ++f) {
    const VectorXd& v = b.heldout[static_cast<std::size_t>(r * c.s.n_folds + f)];
    if (v.size() == 0) continue;
    const std::vector<Index> rows = c.folds.rows(f, true);
    for (std::size_t i = 0; i < rows.size(); ++i) out[rows[i]] = v[static_cast<Index>(i)];
  }
  return out;
}

// What a K is held against to be abandoned (may_abandon): the best K's
// held-out rows (heldout_rows) and its kept start's training log-likelihood
// (mean per row) on each fold.
struct BestRows {
  VectorXd heldout;
  std::vector<double> train;
};

inline BestRows best_rows(const SearchContext& c, const KBatch& b, int r) {
  BestRows out{heldout_rows(c, b, r), std::vector<double>()};
  for (int f = 0; f < c.s.n_folds; ++f)
    out.train.push_back(b.fits[static_cast<std::size_t>(r * c.s.n_folds + f)].loglik);
  return out;
}

// Whether the first start of K overfits clearly beside `best`: on every
// fold it fits the training rows at least as well, yet on the same held-out
// rows the 20%-trimmed mean of the paired differences is below -k_margin.
// (A start that fits its training rows worse is a poor local optimum, which
// another start may escape; and trimmed, so that a few far-out held-out rows,
// scored at -1e13 under heavy tails, say, decide nothing.)
inline bool falls_behind(const SearchContext& c, const KBatch& b, const BestRows& best) {
  for (int f = 0; f < c.s.n_folds; ++f) {
    const EmResult& fit = b.fits[static_cast<std::size_t>(f)];
    if (!fit.ok() || !(fit.loglik >= best.train[static_cast<std::size_t>(f)])) return false;
  }
  const VectorXd first = heldout_rows(c, b, 0);
  std::vector<double> d;
  for (Index i = 0; i < first.size(); ++i)
    if (std::isfinite(first[i]) && std::isfinite(best.heldout[i]))
      d.push_back(first[i] - best.heldout[i]);
  return d.size() >= 2 && trimmed_gain(std::move(d)).mean < -c.s.k_margin;
}

// Tasks [begin, end) of K's batch in parallel, with the pending refit of the
// previous K, if any, as one more task. False when interrupted.
inline bool run_tasks(const SearchContext& c, int K, std::size_t begin, std::size_t end,
                      Refit& refit, KBatch& b) {
  const std::size_t n = end - begin, n_run = n + (refit.pending ? 1 : 0);
  return parallel_for(n_run, c.n_threads, c.monitor, c.abort, [&](std::size_t t) {
    if (t == n)
      refit.result = em(c.X, VectorXd(), refit.start, c.s.fit.em, &c.abort);
    else
      fit_and_validate(c, K, begin + t, b);
  });
}

// Every (init, fold) fit of K, with the pending refit of the previous K.
// Given `best`, the rows of the best K so far (may_abandon), the first
// start's folds run first, and the other starts only if that start does
// not overfit clearly (falls_behind); a K abandoned there keeps
// only the first start's fits (and the search stops). Neither changes any
// fit. False when interrupted.
inline bool fit_batch(const SearchContext& c, int K, const BestRows& best, Refit& refit,
                      KBatch& b) {
  const std::size_t n_tasks = static_cast<std::size_t>(c.s.fit.n_inits * c.s.n_folds);
  b.fits.assign(n_tasks, EmResult());
  b.valid.assign(n_tasks, -std::numeric_limits<double>::infinity());
  b.failed.assign(n_tasks, 0);
  b.heldout.assign(n_tasks, VectorXd());
  if (best.heldout.size() == 0) return run_tasks(c, K, 0, n_tasks, refit, b);
  // The refit runs with the second stage, which it balances better.
  const std::size_t n_first = static_cast<std::size_t>(c.s.n_folds);
  Refit none;
  if (!run_tasks(c, K, 0, n_first, none, b)) return false;
  b.abandoned = falls_behind(c, b, best);
  if (b.abandoned) {
    b.fits.resize(n_first);
    b.valid.resize(n_first);
    b.failed.resize(n_first);
  }
  return run_tasks(c, K, n_first, b.abandoned ? n_first : n_tasks, refit, b);
}

// K's row of the table: its best init, the one with the highest mean over
// the folds of the held-out log-likelihood (the first on ties), and, in
// `best_task`, that init's best fold, whose fit is kept as a warm start.
inline KScore score_k(int K, const KBatch& b, int n_inits, int n_folds, std::size_t& best_task) {
  KScore row;
  row.k = K;
  row.validation = -std::numeric_limits<double>::infinity();
  for (int r = 0; r < n_inits; ++r) {
    double mean = 0.0;
    for (int f = 0; f < n_folds; ++f) mean += b.valid[static_cast<std::size_t>(r * n_folds + f)];
    mean /= n_folds;
    if (r == 0 || mean > row.validation) {
      row.validation = mean;
      row.best_init = r;
    }
  }
  best_task = static_cast<std::size_t>(row.best_init * n_folds);
  for (int f = 1; f < n_folds; ++f) {
    const std::size_t t = static_cast<std::size_t>(row.best_init * n_folds + f);
    if (b.valid[t] > b.valid[best_task]) best_task = t;
  }
  return row;
}

// Fits with K > 1, and those among them that stopped within two EM
// iterations: when every one did, the search saw no structure (all_short).
struct ShortFits {
  int n_multi = 0, n_short = 0;
};

// The convergence record of K's fits: failed starts (into the result), whether
// every fit converged and the longest EM run (into K's row), short fits.
inline void tally_fits(int K, const KBatch& b, KScore& row, SelectResult& out, ShortFits& sh) {
  for (std::size_t t = 0; t < b.fits.size(); ++t) {
    out.n_failed += b.failed[t];
    row.converged = row.converged && b.fits[t].ok() && b.fits[t].converged;
    row.max_iter = std::max(row.max_iter, b.fits[t].n_iter);
    if (K > 1 && b.fits[t].ok()) {
      ++sh.n_multi;
      if (b.fits[t].n_iter <= 2) ++sh.n_short;
    }
  }
}

// A row's log-likelihood, AIC and BIC from its full-data refit (N rows of
// dimension d); a failed refit leaves them NaN.
inline void record_refit(KScore& row, const EmResult& res, Index N, Index d) {
  const double ll_total = res.ok() ? res.loglik * static_cast<double>(N)
                                   : std::numeric_limits<double>::quiet_NaN();
  const double p = n_parameters(row.k, d);
  row.loglik = ll_total;
  row.aic = -2.0 * ll_total + 2.0 * p;
  row.bic = -2.0 * ll_total + p * std::log(static_cast<double>(N));
}

// The refit from `start` alone (monitored, on one thread). False when
// interrupted.
inline bool run_refit(const SearchContext& c, const Gmm& start, EmResult& result) {
  parallel_for(1, 1, c.monitor, c.abort, [&](std::size_t) {
    result = em(c.X, VectorXd(), start, c.s.fit.em, &c.abort);
  });
  return !c.abort.load();
}

// Records the pending refit, which ran in the last batch, into its row.
inline void settle_refit(const SearchContext& c, Refit& refit, SelectResult& out) {
  if (!refit.pending) return;
  record_refit(out.table[refit.row], refit.result, c.X.rows(), c.X.cols());
  refit.pending = false;
}

// The refit of the table's last row from `start`: deferred under the
// validation criterion, else run and recorded now. False when interrupted.
inline bool refit_last_row(const SearchContext& c, const Gmm& start, SelectResult& out,
                           Refit& refit) {
  refit.row = out.table.size() - 1;
  refit.start = start;
  refit.pending = true;
  if (c.s.criterion == Criterion::validation) return true;
  if (!run_refit(c, start, refit.result)) return false;
  settle_refit(c, refit, out);
  return true;
}

// The stopping rule: a K is the new best when it is the first, or its score
// beats the best by more than `threshold`; the search stops after
// `patience` Ks in a row that are not, or at once when a K was abandoned
// (fit_batch: its first start fitted the training rows better than the best
// K but fell more than `k_margin` per row behind it on the same held-out
// rows; vignette "method", section 13). That is extra components
// overfitting, as in many dimensions, at a cost that grows with each: more
// components only overfit more, and each costs more to fit than all the
// smaller ones.
struct StoppingRule {
  double best_score = -std::numeric_limits<double>::infinity();
  int best_k = 0;
  int since_best = 0;
  bool improves(int K, double score, double threshold) {
    if (best_k != 0 && !(score - best_score > threshold)) {
      ++since_best;
      return false;
    }
    best_score = score;
    best_k = K;
    since_best = 0;
    return true;
  }
};

// K is the new best: its kept fit becomes the warm start and, when asked,
// the fits of its best init score the held-out rows. (Only the best K's
// scores are kept, so they are computed here rather than for every fit.)
inline void keep_best(const SearchContext& c, const KBatch& b, const KScore& row,
                      std::size_t best_task, SelectResult& out) {
  out.warm_start = b.fits[best_task].model;
  if (c.s.score_x.empty()) return;
  const std::size_t first = static_cast<std::size_t>(row.best_init * c.s.n_folds);
  out.heldout_pmi = score_heldout_pmi(c.X, b.fits, first, c.folds, c.s);
}

inline SelectResult aborted_selection(SelectResult& out) {
  out.aborted = true;
  return out;
}

// The search: K = 1, 2, ... (or the fixed K alone), each K's fits in one
// parallel batch, scored, refitted on the full data, and judged by the
// stopping rule, until a K has no usable fit, the rule stops the search, or
// max_components is reached.
inline SelectResult select_components(const MatrixRef& X, const SelectSettings& s,
                                      std::uint64_t seed, int n_threads, Monitor& outer,
                                      std::atomic<bool>& abort) {
  check_select_limits(s);
  SelectResult out;
  QuietMonitor monitor(outer);
  Rng split_rng(seed, Stream::split, 0);
  const Folds folds = make_folds(X.rows(), s.n_folds, split_rng);
  const SearchContext c{X, s, folds, seed, n_threads, monitor, abort};
  const int k_first = s.fixed_components > 0 ? s.fixed_components : 1;
  // A search never tries more components than the smallest training part
  // has rows: beyond that, components are empty or sit on single rows.
  const Index smallest_train = X.rows() - (X.rows() + s.n_folds - 1) / s.n_folds;
  const int k_last = s.fixed_components > 0
      ? s.fixed_components
      : static_cast<int>(std::min<Index>(s.max_components, std::max<Index>(1, smallest_train)));
  const double n = static_cast<double>(X.rows());
  Refit refit;
  StoppingRule rule;
  ShortFits short_fits;
  BestRows best;  // with may_abandon: what a K is held against (falls_behind)
  bool stopped = false;
  for (int K = k_first; K <= k_last && !stopped; ++K) {
    KBatch batch;
    if (!fit_batch(c, K, best, refit, batch)) return aborted_selection(out);
    settle_refit(c, refit, out);
    std::size_t best_task = 0;
    const int n_run = static_cast<int>(batch.valid.size()) / s.n_folds;  // starts fitted
    KScore row = score_k(K, batch, n_run, s.n_folds, best_task);
    tally_fits(K, batch, row, out, short_fits);
    out.table.push_back(row);
    // No usable fit at this K (more components than the data support): stop.
    stopped = !std::isfinite(row.validation) || !batch.fits[best_task].ok();
    if (stopped) break;
    if (!refit_last_row(c, batch.fits[best_task].model, out, refit)) return aborted_selection(out);
    if (rule.improves(K, selection_score(out.table.back(), s.criterion, n), s.threshold)) {
      keep_best(c, batch, row, best_task, out);
      if (may_abandon(s)) best = best_rows(c, batch, row.best_init);
    } else {
      stopped = rule.since_best >= s.patience || batch.abandoned;
    }
  }
  if (refit.pending && !run_refit(c, refit.start, refit.result)) return aborted_selection(out);
  settle_refit(c, refit, out);
  out.reached_max = !stopped && s.fixed_components <= 0 && k_last == s.max_components;
  out.all_short = short_fits.n_multi > 0 && short_fits.n_short == short_fits.n_multi;
  out.chosen_k = rule.best_k;
  return out;
}

}  // namespace gmmmi

#endif
