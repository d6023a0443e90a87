// Monte Carlo integrals over a fitted mixture: mutual information,
// conditional mutual information, entropy and KL divergence.
//
// Each is the mean over draws u ~ p of a sum of signed log-densities of
// marginals of p (or of another mixture); one routine serves them all.
#ifndef GMMMI_INTEGRALS_H
#define GMMMI_INTEGRALS_H

#include <atomic>
#include <cmath>
#include <vector>

#include "sample.h"

namespace gmmmi {

// A term coef * log q(u[dims]), with q the named mixture.
struct LogTerm {
  const Gmm* model;
  std::vector<int> dims;  // empty: all coordinates
  double coef;
};

struct McEstimate {
  double value = 0.0;
  double mc_se = 0.0;  // Monte Carlo standard error of the mean
  bool ok = true;
};

// Mean over M draws from `source` of sum_t coef_t log q_t(u[dims_t]).
// Draws are made in blocks so that memory stays bounded for any M.
// An interrupt (`abort` raised) ends the loop early with ok = false.
inline McEstimate mc_expectation(const Gmm& source, const std::vector<LogTerm>& terms, Index M,
                                 Rng& rng, const std::atomic<bool>* abort = nullptr,
                                 Index block = 4096) {
  McEstimate est;
  Factorised fsrc;
  if (!factorise(source, fsrc) || M <= 0) {
    est.ok = false;
    return est;
  }
  struct Prepared {
    Factorised fac;
    std::vector<int> dims;
    double coef;
  };
  std::vector<Prepared> prep;
  for (const LogTerm& t : terms) {
    Prepared p;
    const Gmm m = t.dims.empty() ? *t.model : marginal(*t.model, t.dims);
    if (!factorise(m, p.fac)) {
      est.ok = false;
      return est;
    }
    p.dims = t.dims;
    p.coef = t.coef;
    prep.push_back(std::move(p));
  }
  double sum = 0.0, sum_sq = 0.0;
  MatrixXd draws, sub;
  VectorXd point(block);
  DensityWork work;
  for (Index start = 0; start < M; start += block) {
    if (abort != nullptr && abort->load(std::memory_order_relaxed)) {
      est.ok = false;
      return est;
    }
    const Index b = std::min(block, M - start);
    sample_gmm(source, fsrc, b, rng, draws);
    point.setZero(b);
    for (const Prepared& p : prep) {
      if (p.dims.empty()) {
        density_pass(draws, p.fac, work, false);
      } else {
        sub.resize(b, static_cast<Index>(p.dims.size()));
        for (std::size_t a = 0; a < p.dims.size(); ++a)
          sub.col(static_cast<Index>(a)) = draws.col(p.dims[a]);
        density_pass(sub, p.fac, work, false);
      }
      point.head(b) += p.coef * work.log_dens;
    }
    sum += point.head(b).sum();
    sum_sq += point.head(b).squaredNorm();
  }
  const double n = static_cast<double>(M);
  est.value = sum / n;
  const double var = n > 1 ? std::max(0.0, (sum_sq - sum * sum / n) / (n - 1.0)) : 0.0;
  est.mc_se = std::sqrt(var / n);
  est.ok = std::isfinite(est.value);
  return est;
}

// I(X; Y) = E[log p(x, y) - log p(x) - log p(y)] over draws from the model
// of (x, y), or, with z non-empty, I(X; Y | Z) =
// E[log p(z) + log p(x, y, z) - log p(x, z) - log p(y, z)].
inline McEstimate mutual_information(const Gmm& joint, const std::vector<int>& x,
                                     const std::vector<int>& y, const std::vector<int>& z,
                                     Index M, Rng& rng,
                                     const std::atomic<bool>* abort = nullptr) {
  auto cat = [](std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::vector<LogTerm> terms;
  if (z.empty()) {
    terms = {{&joint, {}, 1.0}, {&joint, x, -1.0}, {&joint, y, -1.0}};
  } else {
    terms = {{&joint, {}, 1.0}, {&joint, z, 1.0}, {&joint, cat(x, z), -1.0},
             {&joint, cat(y, z), -1.0}};
  }
  return mc_expectation(joint, terms, M, rng, abort);
}

// Differential entropy -E[log p(u)].
inline McEstimate entropy(const Gmm& g, Index M, Rng& rng) {
  McEstimate e = mc_expectation(g, {{&g, {}, -1.0}}, M, rng);
  return e;
}

// KL(p || q) = E_p[log p(u) - log q(u)] for mixtures of the same dimension.
inline McEstimate kl_divergence(const Gmm& p, const Gmm& q, Index M, Rng& rng) {
  return mc_expectation(p, {{&p, {}, 1.0}, {&q, {}, -1.0}}, M, rng);
}

}  // namespace gmmmi

#endif
