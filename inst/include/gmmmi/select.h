// Choosing the number of components (method.md section 4): one shuffled
// split into folds shared by every K; for each K, every (init, fold) fit is
// scored by its held-out mean log-likelihood; the best init's fold average is
// the score of K, and the best fold's parameters are kept as a warm start.
// Optionally each fit is also scored by its pointwise mutual information on
// its held-out rows (see margins.h), kept for the chosen K.
#ifndef GMMMI_SELECT_H
#define GMMMI_SELECT_H

#include <numeric>

#include "fit.h"
#include "integrals.h"
#include "parallel.h"

namespace gmmmi {

enum class Criterion { validation = 0, aic = 1, bic = 2 };

struct SelectSettings {
  FitSettings fit;
  Criterion criterion = Criterion::validation;
  int max_components = 50;
  int n_folds = 2;
  double threshold = 1e-5;
  int patience = 1;
  int fixed_components = 0;  // > 0: fit this K only, no search
  // Coordinate blocks of the held-out pointwise MI; empty score_x: not scored.
  std::vector<int> score_x, score_y, score_z;
};

struct KScore {
  int k = 0;
  double validation = 0.0;  // best init's held-out mean log-likelihood per sample
  double aic = 0.0;         // of the full-data refit
  double bic = 0.0;
  double loglik = 0.0;      // full-data refit, total
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

struct Folds {
  std::vector<MatrixXd> train, valid;
  std::vector<std::vector<Index>> valid_rows;  // row of X of each held-out row
};

// The pointwise MI of every row of X (NaN where the fit failed) under the fit
// of the fold that held it out: fold f's fit is fits[first + f].
inline VectorXd score_heldout_pmi(const std::vector<EmResult>& fits, std::size_t first,
                                  const Folds& folds, const SelectSettings& s, Index N) {
  VectorXd out = VectorXd::Constant(N, std::numeric_limits<double>::quiet_NaN());
  PreparedTerms terms;
  VectorXd v;
  for (std::size_t f = 0; f < folds.valid.size(); ++f) {
    const EmResult& fit = fits[first + f];
    if (!fit.ok() || !prepare_terms(mi_terms(fit.model, s.score_x, s.score_y, s.score_z), terms))
      continue;
    evaluate_terms(folds.valid[f], terms, v, Precision::exact);
    for (std::size_t i = 0; i < folds.valid_rows[f].size(); ++i)
      out[folds.valid_rows[f][i]] = v[static_cast<Index>(i)];
  }
  return out;
}

inline Folds make_folds(const MatrixRef& X, int n_folds, Rng& rng) {
  const Index N = X.rows();
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Index(0));
  rng.shuffle(order);
  Folds f;
  for (int fold = 0; fold < n_folds; ++fold) {
    std::vector<Index> tr, va;
    for (Index i = 0; i < N; ++i)
      (i % n_folds == fold ? va : tr).push_back(order[static_cast<std::size_t>(i)]);
    MatrixXd T(static_cast<Index>(tr.size()), X.cols()), V(static_cast<Index>(va.size()), X.cols());
    for (std::size_t i = 0; i < tr.size(); ++i) T.row(static_cast<Index>(i)) = X.row(tr[i]);
    for (std::size_t i = 0; i < va.size(); ++i) V.row(static_cast<Index>(i)) = X.row(va[i]);
    f.train.push_back(std::move(T));
    f.valid.push_back(std::move(V));
    f.valid_rows.push_back(std::move(va));
  }
  return f;
}

// Score used by the stopping rule: higher is better, per sample, so that one
// threshold serves every criterion.
inline double selection_score(const KScore& s, Criterion c, double n) {
  switch (c) {
    case Criterion::validation: return s.validation;
    case Criterion::aic: return -s.aic / (2.0 * n);
    case Criterion::bic: return -s.bic / (2.0 * n);
  }
  return s.validation;
}

inline SelectResult select_components(const MatrixRef& X, const SelectSettings& s,
                                      std::uint64_t seed, int n_threads, Monitor& outer,
                                      std::atomic<bool>& abort) {
  SelectResult out;
  QuietMonitor monitor(outer);
  const Index N = X.rows(), d = X.cols();
  Rng split_rng(seed, Stream::split, 0);
  const Folds folds = make_folds(X, s.n_folds, split_rng);
  const int n_inits = s.fit.n_inits, n_folds = s.n_folds;
  const VectorXd no_weights;

  const int k_first = s.fixed_components > 0 ? s.fixed_components : 1;
  const int k_last = s.fixed_components > 0 ? s.fixed_components : s.max_components;
  double best_score = -std::numeric_limits<double>::infinity();
  int best_k = 0, counter = 0;
  Gmm best_start;
  const bool score_pmi = !s.score_x.empty();
  bool stopped = false;
  int n_multi = 0, n_multi_short = 0;  // fits with K > 1, and those that stopped early

  // The full-data refit of a K (for its AIC and BIC) does not decide the
  // search under the validation criterion, so it runs as one more task in
  // the next K's batch instead of alone between batches.
  const bool defer_refit = s.criterion == Criterion::validation;
  bool pending = false;
  std::size_t pending_row = 0;
  Gmm pending_start;
  EmResult refit;
  auto record_refit = [&](std::size_t row_index, const EmResult& res) {
    KScore& row = out.table[row_index];
    const double ll_total = res.ok() ? res.loglik * static_cast<double>(N)
                                     : -std::numeric_limits<double>::infinity();
    const double p = n_parameters(row.k, d);
    row.loglik = ll_total;
    row.aic = -2.0 * ll_total + 2.0 * p;
    row.bic = -2.0 * ll_total + p * std::log(static_cast<double>(N));
  };

  for (int K = k_first; K <= k_last; ++K) {
    const std::size_t n_tasks = static_cast<std::size_t>(n_inits * n_folds);
    std::vector<EmResult> fits(n_tasks);
    std::vector<double> valid(n_tasks, -std::numeric_limits<double>::infinity());
    std::vector<int> failed(n_tasks, 0);
    const std::size_t n_run = n_tasks + (pending ? 1 : 0);
    const bool finished = parallel_for(n_run, n_threads, monitor, abort, [&](std::size_t t) {
      if (t == n_tasks) {
        refit = em(X, no_weights, pending_start, s.fit.em, &abort);
        return;
      }
      const int r = static_cast<int>(t) / n_folds, f = static_cast<int>(t) % n_folds;
      const std::uint64_t stream = (static_cast<std::uint64_t>(K) << 24) |
                                   (static_cast<std::uint64_t>(r) << 12) |
                                   static_cast<std::uint64_t>(f);
      FitSettings sr = s.fit;
      sr.init = start_type(s.fit.init, r);
      fits[t] = fit_one_start(folds.train[static_cast<std::size_t>(f)], no_weights, K, sr,
                              seed, Stream::select, stream, failed[t], &abort);
      if (fits[t].ok()) {
        Factorised fac;
        if (factorise(fits[t].model, fac)) {
          const double v = log_density(folds.valid[static_cast<std::size_t>(f)], fac).mean();
          if (std::isfinite(v)) valid[t] = v;
        }
      }
    });
    if (!finished) {
      out.aborted = true;
      return out;
    }
    if (pending) {
      record_refit(pending_row, refit);
      pending = false;
    }

    KScore row;
    row.k = K;
    row.validation = -std::numeric_limits<double>::infinity();
    for (int r = 0; r < n_inits; ++r) {
      double mean = 0.0;
      for (int f = 0; f < n_folds; ++f) mean += valid[static_cast<std::size_t>(r * n_folds + f)];
      mean /= n_folds;
      if (r == 0 || mean > row.validation) {
        row.validation = mean;
        row.best_init = r;
      }
    }
    std::size_t best_task = static_cast<std::size_t>(row.best_init * n_folds);
    for (int f = 1; f < n_folds; ++f) {
      const std::size_t t = static_cast<std::size_t>(row.best_init * n_folds + f);
      if (valid[t] > valid[best_task]) best_task = t;
    }
    for (std::size_t t = 0; t < n_tasks; ++t) {
      out.n_failed += failed[t];
      row.converged = row.converged && fits[t].ok() && fits[t].converged;
      row.max_iter = std::max(row.max_iter, fits[t].n_iter);
      if (K > 1 && fits[t].ok()) {
        ++n_multi;
        if (fits[t].n_iter <= 2) ++n_multi_short;
      }
    }
    if (!std::isfinite(row.validation) || !fits[best_task].ok()) {
      // No usable fit at this K (more components than the data support):
      // record it and stop the search.
      out.table.push_back(row);
      stopped = true;
      break;
    }

    // Full-data refit from the kept parameters, for the information criteria.
    out.table.push_back(row);
    if (defer_refit) {
      pending = true;
      pending_row = out.table.size() - 1;
      pending_start = fits[best_task].model;
    } else {
      parallel_for(1, 1, monitor, abort, [&](std::size_t) {
        refit = em(X, no_weights, fits[best_task].model, s.fit.em, &abort);
      });
      if (abort.load()) {
        out.aborted = true;
        return out;
      }
      record_refit(out.table.size() - 1, refit);
    }
    row = out.table.back();

    const double score = selection_score(row, s.criterion, static_cast<double>(N));
    if (best_k == 0 || score - best_score > s.threshold) {
      best_score = score;
      best_k = K;
      best_start = fits[best_task].model;
      counter = 0;
      // Only the best K's scores are kept, so they are computed here, for
      // its best init, rather than for every fit.
      if (score_pmi)
        out.heldout_pmi =
            score_heldout_pmi(fits, static_cast<std::size_t>(row.best_init * n_folds), folds, s, N);
    } else if (++counter >= s.patience) {
      stopped = true;
      break;
    }
  }
  if (pending) {
    parallel_for(1, 1, monitor, abort, [&](std::size_t) {
      refit = em(X, no_weights, pending_start, s.fit.em, &abort);
    });
    if (abort.load()) {
      out.aborted = true;
      return out;
    }
    record_refit(pending_row, refit);
  }
  out.reached_max = !stopped && s.fixed_components <= 0;
  out.all_short = n_multi > 0 && n_multi_short == n_multi;
  out.chosen_k = best_k;
  out.warm_start = best_start;
  return out;
}

}  // namespace gmmmi

#endif
