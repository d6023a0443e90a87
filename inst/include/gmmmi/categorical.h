// Mutual information between a category c and a continuous vector y
// (vignette "method", section 8 "A category and a continuous variable"): one
// mixture per category for p(y | c), each with its own choice of K, and
//   I = sum_c p(c) E_{y ~ p(y|c)} [log p(y|c) - log sum_c' p(c') p(y|c')],
// each expectation by Monte Carlo. With a fixed prior (uniform, the
// reference's) the bootstrap resamples within each category, so the counts
// stay fixed; with the empirical prior it resamples all rows, so that the
// counts, and p(c) with them, vary as they would in a new sample and the
// spread includes the uncertainty of the class frequencies. The bootstrap
// runs on the skeleton of the continuous one (run_bootstrap, bootstrap.h).
#ifndef GMMMI_CATEGORICAL_H
#define GMMMI_CATEGORICAL_H

#include <stdexcept>

#include "bootstrap.h"
#include "quadrature.h"

namespace gmmmi {

struct CategoricalSettings {
  SelectSettings select;
  int n_bootstrap = 50;
  Index mc_samples = 100000;  // draws per category
  std::vector<double> prior;  // p(c), summing to one
  bool empirical_prior = false;  // p(c) = class frequencies, re-estimated per replicate
  bool tie_floor = false;        // floor tied columns' variances (resolution_floor())
  bool quadrature = false;       // a single continuous column: integrate by quadrature
};

// Quadrature of the categorical MI (quadrature_categorical_mi): the absolute
// error aimed at, in nats, and the most panels one integral adds to its
// starting ones (its error estimate, reported as mc_se, says if it fell short).
constexpr double kQuadratureAbsTol = 1e-9;
constexpr std::size_t kQuadratureMaxPanels = 4000;

struct CategoricalResult : BootstrapValues {
  std::vector<SelectResult> selections;  // one per category
  std::vector<EmResult> full_fits;       // standardised units
  Scaling scaling;                       // shared by every category
};

// log p(c) of every category (-inf where p(c) = 0).
inline std::vector<double> log_priors(const std::vector<double>& prior) {
  std::vector<double> out(prior.size());
  for (std::size_t c = 0; c < prior.size(); ++c) out[c] = std::log(prior[c]);
  return out;
}

// Scratch of add_category_block.
struct CategoryWork {
  MatrixXd logs;  // block x C: log p(c') + log p(y | c')
  DensityWork dens;
  VectorXd point, mx;
};

// The integrand of category c, log p(y | c) - log sum_c' p(c') p(y | c'), at
// every row y of `draws` (drawn from p(y | c)): its values added to sum, their
// squares to sum_sq.
inline void add_category_block(const MatrixXd& draws, const std::vector<Factorised>& fac,
                               const std::vector<double>& log_prior, std::size_t c,
                               CategoryWork& w, double& sum, double& sum_sq) {
  w.logs.resize(draws.rows(), static_cast<Index>(fac.size()));
  for (std::size_t k = 0; k < fac.size(); ++k) {
    density_pass(draws, fac[k], w.dens, false, Precision::fast);
    w.logs.col(static_cast<Index>(k)) = w.dens.log_dens.array() + log_prior[k];
  }
  // log sum_c' p(c') p(y | c') by log-sum-exp over the columns.
  w.mx = w.logs.rowwise().maxCoeff();
  w.point = (w.logs.colwise() - w.mx).array().exp().rowwise().sum().log().matrix() + w.mx;
  w.point = (w.logs.col(static_cast<Index>(c)).array() - log_prior[c]).matrix() - w.point;
  sum += w.point.sum();
  sum_sq += w.point.squaredNorm();
}

// Up to this many categories, each has its own Monte Carlo loop (M draws
// from p(y | c), each scored against every category: C^2 M density terms);
// beyond it, M draws in all are shared by every category (shared_categorical_mi:
// C M terms).
constexpr std::size_t kSharedDrawCategories = 16;

// Scratch of add_shared_block.
struct SharedWork {
  DensityWork dens;  // dens.logp: block x (components of one chunk of categories)
  MatrixXd logs;     // block x (categories of the chunk): log p(y | c)
  Eigen::ArrayXd mx, s, t, e, chunk_max;
};

// Every category's mixture in one, for the shared draw: the components of
// the categories of p(c) > 0 (`used`), weighted by p(c), to draw from p(y) =
// sum_c p(c) p(y | c); and the same components, free of p(c), in chunks of
// kSharedChunk categories, to score every draw against every category a
// chunk at a time (so that each chunk's terms stay in cache).
constexpr std::size_t kSharedChunk = 64;

struct PooledCategories {
  Gmm all;
  Factorised draw;                // of `all`
  std::vector<std::size_t> used;  // the categories of p(c) > 0
  std::vector<Factorised> chunk;  // log w_k N(y; mu_k, S_k) of each chunk's components
  // Per chunk: the first component of each of its categories, and the end.
  std::vector<std::vector<Index>> first;
};

inline bool pool_categories(const std::vector<Gmm>& models, const std::vector<double>& prior,
                            PooledCategories& p) {
  const std::size_t C = models.size();
  const Index d = models[0].dim();
  p.used.clear();
  Index K = 0;
  for (std::size_t c = 0; c < C; ++c)
    if (prior[c] > 0.0) {
      p.used.push_back(c);
      K += models[c].k();
    }
  p.all.weights.resize(K);
  p.all.means.resize(d, K);
  p.all.covariances.clear();
  const std::size_t n_chunks = (p.used.size() + kSharedChunk - 1) / kSharedChunk;
  p.chunk.assign(n_chunks, Factorised());
  p.first.assign(n_chunks, std::vector<Index>());
  Index j = 0;
  for (std::size_t q = 0; q < n_chunks; ++q) {
    const Index j0 = j;
    const std::size_t i1 = std::min(p.used.size(), (q + 1) * kSharedChunk);
    for (std::size_t i = q * kSharedChunk; i < i1; ++i) {
      const std::size_t c = p.used[i];
      p.first[q].push_back(j - j0);
      for (Index k = 0; k < models[c].k(); ++k, ++j) {
        p.all.weights[j] = prior[c] * models[c].weights[k];
        p.all.means.col(j) = models[c].means.col(k);
        p.all.covariances.push_back(models[c].covariances[k]);
      }
    }
    p.first[q].push_back(j - j0);
  }
  if (!factorise(p.all, p.draw)) return false;
  // Each chunk's components, with log_norm = log w_k - ... (without p(c)).
  j = 0;
  for (std::size_t q = 0; q < n_chunks; ++q) {
    Factorised& f = p.chunk[q];
    const Index nq = p.first[q].back();
    f.chol.assign(p.draw.chol.begin() + j, p.draw.chol.begin() + j + nq);
    f.prec_chol.assign(p.draw.prec_chol.begin() + j, p.draw.prec_chol.begin() + j + nq);
    f.prec_means = p.draw.prec_means.middleCols(j, nq);
    f.log_norm = p.draw.log_norm.segment(j, nq);
    for (std::size_t i = 0; i + 1 < p.first[q].size(); ++i) {
      const double lp = std::log(prior[p.used[q * kSharedChunk + i]]);
      f.log_norm.segment(p.first[q][i], p.first[q][i + 1] - p.first[q][i]).array() -= lp;
    }
    f.ok = true;
    j += nq;
  }
  return true;
}

// The integrand of the shared draw at every row y of `draws` (drawn from
// p(y)): sum_c p(c | y) log p(y | c) - log p(y), which is sum_c p(c | y)
// log(p(c | y) / p(c)). Its mean over y ~ p(y) is the MI (the expectation
// over c given y is taken exactly, so it varies less than log p(y | c) -
// log p(y) at a drawn pair). Over the chunks of categories it keeps, per
// row, the largest log p(c) p(y | c) so far (mx) and, relative to it, s =
// sum_c p(c) p(y | c) and t = sum_c p(c) p(y | c) log p(y | c): then
// log p(y) = mx + log s and sum_c p(c | y) log p(y | c) = t / s.
// On return w.e holds the integrand and w.mx + log(w.s) holds log p(y).
inline void shared_integrand(const MatrixXd& draws, const PooledCategories& p,
                             const std::vector<double>& log_prior, SharedWork& w) {
  const Index B = draws.rows();
  w.mx.setConstant(B, -std::numeric_limits<double>::infinity());
  w.s.setZero(B);
  w.t.setZero(B);
  for (std::size_t q = 0; q < p.chunk.size(); ++q) {
    const std::vector<Index>& first = p.first[q];
    const Index nc = static_cast<Index>(first.size()) - 1;
    log_components(draws, p.chunk[q], w.dens);
    w.logs.resize(B, nc);
    w.chunk_max.setConstant(B, -std::numeric_limits<double>::infinity());
    for (Index i = 0; i < nc; ++i) {
      const Index k0 = first[static_cast<std::size_t>(i)];
      const Index nk = first[static_cast<std::size_t>(i) + 1] - k0;
      auto lc = w.logs.col(i).array();
      if (nk == 1) {
        lc = w.dens.logp.col(k0).array();
      } else {  // log p(y | c) by log-sum-exp over the category's components
        w.e = w.dens.logp.middleCols(k0, nk).rowwise().maxCoeff().array();
        w.e = (w.e.isFinite()).select(w.e, 0.0);
        lc.setZero();
        for (Index k = k0; k < k0 + nk; ++k) lc += (w.dens.logp.col(k).array() - w.e).exp();
        lc = lc.log() + w.e;
      }
      const std::size_t c = p.used[q * kSharedChunk + static_cast<std::size_t>(i)];
      w.chunk_max = w.chunk_max.max(lc + log_prior[c]);
    }
    // A new maximum rescales what was summed so far.
    w.e = w.mx.max(w.chunk_max);
    w.e = (w.e.isFinite()).select(w.e, 0.0);
    w.mx = (w.mx.isFinite()).select((w.mx - w.e).exp(), 0.0);
    w.s *= w.mx;
    w.t *= w.mx;
    w.mx = w.e;
    for (Index i = 0; i < nc; ++i) {
      const std::size_t c = p.used[q * kSharedChunk + static_cast<std::size_t>(i)];
      const auto lc = w.logs.col(i).array();
      w.e = lc + log_prior[c] - w.mx;
      exp_inplace(w.e.data(), B);
      w.s += w.e;
      w.t += (w.e > 0.0).select(w.e * lc, 0.0);
    }
  }
  w.e = w.t / w.s - (w.mx + w.s.log());
}

// The sums of the shared integrand over the rows of `draws`.
inline void add_shared_block(const MatrixXd& draws, const PooledCategories& p,
                             const std::vector<double>& log_prior, SharedWork& w, double& sum,
                             double& sum_sq) {
  shared_integrand(draws, p, log_prior, w);
  sum += w.e.sum();
  sum_sq += w.e.square().sum();
}

// The MI by the shared draw: M draws in all from p(y), each scored against
// every category (see add_shared_block), in blocks of 1024 draws.
inline McEstimate shared_categorical_mi(const std::vector<Gmm>& models,
                                        const std::vector<double>& prior, Index M, Rng& rng,
                                        const std::atomic<bool>* abort) {
  PooledCategories p;
  if (!pool_categories(models, prior, p)) return McEstimate{0.0, 0.0, false};
  const std::vector<double> log_prior = log_priors(prior);
  SharedWork work;
  return mc_blocks(p.all, p.draw, M, rng, abort, 1024,
                   [&](const MatrixXd& draws, double& sum, double& sum_sq) {
    add_shared_block(draws, p, log_prior, work, sum, sum_sq);
  });
}

// The MI of a category with a single continuous column by quadrature
// (quadrature.h): the integral over y of p(y) times the shared integrand,
// sum_c p(c | y) log(p(c | y) / p(c)), to an absolute error of about 1e-9
// nat. Its error estimate is reported as mc_se, with no draws.
inline McEstimate quadrature_categorical_mi(const std::vector<Gmm>& models,
                                            const std::vector<double>& prior,
                                            const std::atomic<bool>* abort) {
  McEstimate est;
  est.draws = 0;
  PooledCategories p;
  if (!pool_categories(models, prior, p)) {
    est.ok = false;
    return est;
  }
  const std::vector<double> log_prior = log_priors(prior);
  const Index K = p.all.k();
  VectorXd m(K), sd(K);
  for (Index k = 0; k < K; ++k) {
    m[k] = p.all.means(0, k);
    sd[k] = std::sqrt(p.all.covariances[static_cast<std::size_t>(k)](0, 0));
  }
  SharedWork work;
  const QuadratureResult q = integrate_panels(
      component_edges(m, sd, 12.0),
      [&](const VectorXd& y, VectorXd& f) {
        shared_integrand(MatrixXd(y), p, log_prior, work);
        f = ((work.mx + work.s.log()).exp() * work.e).matrix();
      },
      kQuadratureAbsTol, 0.0, kQuadratureMaxPanels, abort);
  est.value = q.value;
  est.mc_se = q.error;
  est.ok = q.ok && std::isfinite(q.value);
  return est;
}

// The MI with each category's expectation by its own Monte Carlo loop, M
// draws from p(y | c) each, weighted by p(c).
inline McEstimate per_category_mi(const std::vector<Gmm>& models,
                                  const std::vector<double>& prior, Index M, Rng& rng,
                                  const std::atomic<bool>* abort = nullptr, Index block = 4096) {
  McEstimate est;
  const std::size_t C = models.size();
  std::vector<Factorised> fac(C);
  for (std::size_t c = 0; c < C; ++c)
    if (!factorise(models[c], fac[c])) {
      est.ok = false;
      return est;
    }
  const std::vector<double> log_prior = log_priors(prior);
  CategoryWork work;
  double total = 0.0, total_var = 0.0;
  for (std::size_t c = 0; c < C; ++c) {
    if (prior[c] <= 0.0) continue;
    double sum = 0.0, sum_sq = 0.0;
    const bool done = mc_sums(models[c], fac[c], M, rng, abort, block, sum, sum_sq,
                              [&](const MatrixXd& draws, double& s, double& s2) {
                                add_category_block(draws, fac, log_prior, c, work, s, s2);
                              });
    if (!done) {
      est.ok = false;
      return est;
    }
    const double n = static_cast<double>(M);
    total += prior[c] * (sum / n);
    total_var += prior[c] * prior[c] * mc_variance(sum, sum_sq, n) / n;
  }
  est.value = total;
  est.mc_se = std::sqrt(total_var);
  est.draws = M;
  est.ok = std::isfinite(total);
  return est;
}

// MI of the category with y under the fitted class-conditional mixtures: by
// quadrature when asked and y is a single column; otherwise by a Monte
// Carlo loop per category or, beyond kSharedDrawCategories categories, by
// the shared draw.
inline McEstimate categorical_mi(const std::vector<Gmm>& models, const std::vector<double>& prior,
                                 Index M, Rng& rng, const std::atomic<bool>* abort = nullptr,
                                 bool quadrature = false) {
  if (quadrature && models[0].dim() == 1) return quadrature_categorical_mi(models, prior, abort);
  if (models.size() > kSharedDrawCategories)
    return shared_categorical_mi(models, prior, M, rng, abort);
  return per_category_mi(models, prior, M, rng, abort);
}

// The rows of every group, one group after another.
inline MatrixXd stack_rows(const std::vector<MatrixXd>& groups) {
  Index n_total = 0;
  for (const MatrixXd& g : groups) n_total += g.rows();
  MatrixXd all(n_total, groups[0].cols());
  Index at = 0;
  for (const MatrixXd& g : groups) {
    all.middleRows(at, g.rows()) = g;
    at += g.rows();
  }
  return all;
}

// Standardises every group with one scaling, that of all their rows: the
// densities must share units. Returns the number of rows.
inline Index standardise_groups(std::vector<MatrixXd>& groups, Scaling& scaling) {
  MatrixXd all = stack_rows(groups);
  const Index n_total = all.rows();
  if (!standardise(all, scaling)) throw std::invalid_argument("a coordinate has no spread");
  for (MatrixXd& g : groups) {
    g.rowwise() -= scaling.center.transpose();
    g = g.array().rowwise() / scaling.scale.transpose().array();
  }
  return n_total;
}

// Task t's counts of the n rows of category c, which start at row `offset`
// of all rows: ones for the full data (t = 0); else, with the empirical
// prior, its part of the resample of all rows, `all_counts`, or, with a
// fixed prior, a resample within the category.
inline VectorXd category_counts(const CategoricalSettings& s, std::uint64_t seed, std::size_t t,
                                std::size_t c, Index offset, Index n, const VectorXd& all_counts) {
  if (t == 0) return VectorXd::Ones(n);
  if (s.empirical_prior) return all_counts.segment(offset, n);
  return bootstrap_counts(n, sub_seed(seed, c), t);
}

// Fits every category's mixture for task t (0: the full data, else
// replicate t) from its selection's warm start, into `models`; with the
// empirical prior, p(c) becomes the replicate's class frequency, and a class
// the replicate left out keeps its warm start with p(c) = 0. False when a
// category has no usable fit.
inline bool fit_categories(const std::vector<MatrixXd>& groups, Index n_total,
                           const CategoricalSettings& s, std::uint64_t seed, std::size_t t,
                           int& n_restarts, const std::atomic<bool>* abort,
                           CategoricalResult& out, std::vector<Gmm>& models,
                           std::vector<double>& prior) {
  VectorXd all_counts;  // with the empirical prior: one resample of all rows
  if (t > 0 && s.empirical_prior) all_counts = bootstrap_counts(n_total, seed, t);
  Index offset = 0;
  for (std::size_t c = 0; c < groups.size(); offset += groups[c].rows(), ++c) {
    const Index n = groups[c].rows();
    const VectorXd counts = category_counts(s, seed, t, c, offset, n, all_counts);
    if (t > 0 && s.empirical_prior) {
      prior[c] = counts.sum() / static_cast<double>(n_total);
      if (prior[c] <= 0.0) {
        models[c] = out.selections[c].warm_start;
        continue;
      }
    }
    const EmResult fit = fit_weighted(groups[c], counts, out.selections[c].warm_start,
                                      s.select.fit, sub_seed(seed, c), t, n_restarts, abort);
    if (!fit.ok()) return false;
    if (t == 0) out.full_fits[c] = fit;
    models[c] = fit.model;
  }
  return true;
}

// `groups[c]` holds the rows of y in category c (original units).
inline CategoricalResult estimate_categorical_mi(std::vector<MatrixXd> groups,
                                                 CategoricalSettings s, std::uint64_t seed,
                                                 int n_threads, Monitor& monitor) {
  CategoricalResult out;
  const std::size_t C = groups.size();
  std::atomic<bool> abort{false};
  const Index n_total = standardise_groups(groups, out.scaling);
  // One floor for every category: their densities share the data's resolution.
  if (s.tie_floor) s.select.fit.em.tie_floor = resolution_floor(stack_rows(groups));
  out.selections.resize(C);
  for (std::size_t c = 0; c < C; ++c) {
    // Each category gets its own family of streams.
    out.selections[c] =
        select_components(groups[c], s.select, sub_seed(seed, c), n_threads, monitor, abort);
    if (out.selections[c].aborted) {
      out.aborted = true;
      return out;
    }
    if (out.selections[c].chosen_k == 0)
      throw std::runtime_error("no mixture could be fitted to category " + std::to_string(c + 1));
  }
  out.full_fits.resize(C);
  // MI(C; Y) is at most the entropy of C, itself at most log C.
  run_bootstrap(s.n_bootstrap, seed, n_threads, monitor, abort, out,
                std::log(static_cast<double>(C)),
                [&](std::size_t t, Rng& mc, int& n_restarts, McEstimate& mi) {
    std::vector<Gmm> models(C);
    std::vector<double> prior = s.prior;
    if (!fit_categories(groups, n_total, s, seed, t, n_restarts, &abort, out, models, prior))
      return false;
    mi = categorical_mi(models, prior, s.mc_samples, mc, &abort, s.quadrature);
    return mi.ok;  // (of the full data too: there a failed MI is an error, as a failed fit)
  });
  return out;
}

}  // namespace gmmmi

#endif
