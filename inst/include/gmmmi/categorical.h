// Mutual information between a category c and a continuous vector y
// (method.md section 6): one mixture per category for p(y | c), each with its
// own choice of K, and
//   I = sum_c p(c) E_{y ~ p(y|c)} [log p(y|c) - log sum_c' p(c') p(y|c')],
// each expectation by Monte Carlo. With a fixed prior (uniform, the
// reference's) the bootstrap resamples within each category, so the counts
// stay fixed; with the empirical prior it resamples all rows, so that the
// counts, and p(c) with them, vary as they would in a new sample and the
// spread includes the uncertainty of the class frequencies.
#ifndef GMMMI_CATEGORICAL_H
#define GMMMI_CATEGORICAL_H

#include <stdexcept>

#include "bootstrap.h"

namespace gmmmi {

struct CategoricalSettings {
  SelectSettings select;
  int n_bootstrap = 50;
  Index mc_samples = 100000;  // draws per category
  std::vector<double> prior;  // p(c), summing to one
  bool empirical_prior = false;  // p(c) = class frequencies, re-estimated per replicate
};

struct CategoricalResult {
  std::vector<SelectResult> selections;  // one per category
  std::vector<EmResult> full_fits;       // standardised units
  Scaling scaling;                       // shared by every category
  McEstimate full_mi;
  std::vector<double> bootstrap, bootstrap_mc_se;
  int n_retried = 0, n_failed = 0;
  bool aborted = false;
};

// MI of the category with y under the fitted class-conditional mixtures.
inline McEstimate categorical_mi(const std::vector<Gmm>& models, const std::vector<double>& prior,
                                 Index M, Rng& rng, const std::atomic<bool>* abort = nullptr,
                                 Index block = 4096) {
  McEstimate est;
  const std::size_t C = models.size();
  std::vector<Factorised> fac(C);
  for (std::size_t c = 0; c < C; ++c)
    if (!factorise(models[c], fac[c])) {
      est.ok = false;
      return est;
    }
  std::vector<double> log_prior(C);
  for (std::size_t c = 0; c < C; ++c) log_prior[c] = std::log(prior[c]);
  MatrixXd draws, logs;  // logs: block x C, log p(c') + log p(y | c')
  DensityWork work;
  VectorXd point, mx;
  double total = 0.0, total_var = 0.0;
  for (std::size_t c = 0; c < C; ++c) {
    if (prior[c] <= 0.0) continue;
    double sum = 0.0, sum_sq = 0.0;
    for (Index start = 0; start < M; start += block) {
      if (abort != nullptr && abort->load(std::memory_order_relaxed)) {
        est.ok = false;
        return est;
      }
      const Index b = std::min(block, M - start);
      sample_gmm(models[c], fac[c], b, rng, draws);
      logs.resize(b, static_cast<Index>(C));
      for (std::size_t k = 0; k < C; ++k) {
        density_pass(draws, fac[k], work, false, Precision::fast);
        logs.col(static_cast<Index>(k)) = work.log_dens.array() + log_prior[k];
      }
      // log sum_c' p(c') p(y | c') by log-sum-exp over the columns.
      mx = logs.rowwise().maxCoeff();
      point = (logs.colwise() - mx).array().exp().rowwise().sum().log().matrix() + mx;
      point = (logs.col(static_cast<Index>(c)).array() - log_prior[c]).matrix() - point;
      sum += point.sum();
      sum_sq += point.squaredNorm();
    }
    const double n = static_cast<double>(M);
    const double mean = sum / n;
    const double var = n > 1 ? std::max(0.0, (sum_sq - sum * sum / n) / (n - 1.0)) : 0.0;
    total += prior[c] * mean;
    total_var += prior[c] * prior[c] * var / n;
  }
  est.value = total;
  est.mc_se = std::sqrt(total_var);
  est.ok = std::isfinite(total);
  return est;
}

// `groups[c]` holds the rows of y in category c (original units).
inline CategoricalResult estimate_categorical_mi(std::vector<MatrixXd> groups,
                                                 const CategoricalSettings& s, std::uint64_t seed,
                                                 int n_threads, Monitor& monitor) {
  CategoricalResult out;
  const std::size_t C = groups.size();
  std::atomic<bool> abort{false};

  // One standardisation for all categories: the densities must share units.
  Index n_total = 0;
  for (const MatrixXd& g : groups) n_total += g.rows();
  MatrixXd all(n_total, groups[0].cols());
  for (std::size_t c = 0, at = 0; c < C; at += static_cast<std::size_t>(groups[c].rows()), ++c)
    all.middleRows(static_cast<Index>(at), groups[c].rows()) = groups[c];
  if (!standardise(all, out.scaling)) throw std::invalid_argument("a coordinate has no spread");
  for (MatrixXd& g : groups) {
    g.rowwise() -= out.scaling.center.transpose();
    g = g.array().rowwise() / out.scaling.scale.transpose().array();
  }

  out.selections.resize(C);
  for (std::size_t c = 0; c < C; ++c) {
    // Each category gets its own family of streams.
    const std::uint64_t cseed = seed ^ (0x9e3779b97f4a7c15ULL * (c + 1));
    out.selections[c] = select_components(groups[c], s.select, cseed, n_threads, monitor, abort);
    if (out.selections[c].aborted) {
      out.aborted = true;
      return out;
    }
    if (out.selections[c].chosen_k == 0)
      throw std::runtime_error("no mixture could be fitted to category " + std::to_string(c + 1));
  }

  const std::size_t B = static_cast<std::size_t>(s.n_bootstrap);
  out.bootstrap.assign(B, std::numeric_limits<double>::quiet_NaN());
  out.bootstrap_mc_se.assign(B, std::numeric_limits<double>::quiet_NaN());
  out.full_fits.resize(C);
  std::vector<int> restarts(B + 1, 0);
  std::vector<char> failed(B + 1, 0);
  const bool finished = parallel_for(B + 1, n_threads, monitor, abort, [&](std::size_t t) {
    std::vector<Gmm> models(C);
    std::vector<double> prior = s.prior;
    VectorXd all_counts;  // with the empirical prior: one resample of all rows
    if (t > 0 && s.empirical_prior) all_counts = bootstrap_counts(n_total, seed, t);
    for (std::size_t c = 0, offset = 0; c < C; offset += static_cast<std::size_t>(groups[c].rows()), ++c) {
      const Index n = groups[c].rows();
      const std::uint64_t cseed = seed ^ (0x9e3779b97f4a7c15ULL * (c + 1));
      VectorXd counts;
      if (t == 0) {
        counts = VectorXd::Ones(n);
      } else if (s.empirical_prior) {
        counts = all_counts.segment(static_cast<Index>(offset), n);
        prior[c] = counts.sum() / static_cast<double>(n_total);
        if (prior[c] <= 0.0) {  // a class left out of this resample: p(c) = 0
          models[c] = out.selections[c].warm_start;
          continue;
        }
      } else {
        counts = bootstrap_counts(n, cseed, t);
      }
      const EmResult fit = fit_weighted(groups[c], counts, out.selections[c].warm_start,
                                        s.select.fit, cseed, t, restarts[t], &abort);
      if (!fit.ok()) {
        failed[t] = 1;
        return;
      }
      if (t == 0) out.full_fits[c] = fit;
      models[c] = fit.model;
    }
    Rng mc(seed, Stream::monte_carlo, t);
    const McEstimate mi = categorical_mi(models, prior, s.mc_samples, mc, &abort);
    if (!mi.ok) {
      failed[t] = 1;
      return;
    }
    if (t == 0) {
      out.full_mi = mi;
    } else {
      out.bootstrap[t - 1] = mi.value;
      out.bootstrap_mc_se[t - 1] = mi.mc_se;
    }
  });
  out.aborted = !finished;
  if (finished) tally_replicates(restarts, failed, out.n_retried, out.n_failed);
  return out;
}

}  // namespace gmmmi

#endif
