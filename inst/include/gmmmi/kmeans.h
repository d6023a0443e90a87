// Weighted k-means: k-means++ seeding, then Lloyd iterations. A cluster that
// loses all its points is reseeded at the point farthest from its centre.
#ifndef GMMMI_KMEANS_H
#define GMMMI_KMEANS_H

#include <vector>

#include "model.h"
#include "rng.h"

namespace gmmmi {

struct KmeansResult {
  MatrixXd centers;         // d x K
  std::vector<int> labels;  // N
  int n_iter = 0;
};

namespace detail {

inline double weight_of(const VectorXd& w, Index i) { return w.size() > 0 ? w[i] : 1.0; }

// Draws an index with probability proportional to p (non-negative); falls back
// to a uniform draw when p sums to zero (all points on the chosen centres).
inline Index draw_proportional(const VectorXd& p, Rng& rng) {
  const double total = p.sum();
  if (!(total > 0.0)) return static_cast<Index>(rng.below(static_cast<std::uint64_t>(p.size())));
  const double u = rng.uniform() * total;
  double acc = 0.0;
  for (Index i = 0; i < p.size(); ++i) {
    acc += p[i];
    if (u < acc) return i;
  }
  for (Index i = p.size() - 1; i >= 0; --i)
    if (p[i] > 0.0) return i;
  return p.size() - 1;
}

}  // namespace detail

inline KmeansResult kmeans(const MatrixRef& X, const VectorXd& w, Index K, Rng& rng,
                           int max_iter = 300, double tol = 1e-4) {
  const Index N = X.cols(), d = X.rows();
  KmeansResult res;
  res.centers.resize(d, K);
  res.labels.assign(static_cast<std::size_t>(N), 0);

  // k-means++ seeding, weighted by the observation weights.
  VectorXd closest(N), p(N);
  VectorXd pw = w.size() == N ? w : VectorXd::Ones(N);
  Index first = detail::draw_proportional(pw, rng);
  res.centers.col(0) = X.col(first);
  closest = (X.colwise() - res.centers.col(0)).colwise().squaredNorm().transpose();
  for (Index k = 1; k < K; ++k) {
    p = closest.cwiseProduct(pw);
    const Index next = detail::draw_proportional(p, rng);
    res.centers.col(k) = X.col(next);
    closest = closest.cwiseMin(
        (X.colwise() - res.centers.col(k)).colwise().squaredNorm().transpose());
  }

  // Tolerance relative to the data's spread, as the shift of the centres.
  const double spread = (X.colwise() - X.rowwise().mean()).squaredNorm() / std::max<Index>(N, 1);
  const double shift_tol = tol * spread;
  MatrixXd sums(d, K);
  VectorXd counts(K), dist(N);
  for (int iter = 0; iter < max_iter; ++iter) {
    res.n_iter = iter + 1;
    for (Index i = 0; i < N; ++i) {
      Index best = 0;
      double best_d = (X.col(i) - res.centers.col(0)).squaredNorm();
      for (Index k = 1; k < K; ++k) {
        const double dk = (X.col(i) - res.centers.col(k)).squaredNorm();
        if (dk < best_d) {
          best_d = dk;
          best = k;
        }
      }
      res.labels[static_cast<std::size_t>(i)] = static_cast<int>(best);
      dist[i] = best_d;
    }
    sums.setZero();
    counts.setZero();
    for (Index i = 0; i < N; ++i) {
      const int l = res.labels[static_cast<std::size_t>(i)];
      const double wi = detail::weight_of(w, i);
      sums.col(l) += wi * X.col(i);
      counts[l] += wi;
    }
    // Reseed empty clusters at the points currently worst served.
    for (Index k = 0; k < K; ++k) {
      if (counts[k] > 0.0) continue;
      Index far = 0;
      for (Index i = 1; i < N; ++i)
        if (detail::weight_of(w, i) > 0.0 && dist[i] > dist[far]) far = i;
      const int old = res.labels[static_cast<std::size_t>(far)];
      const double wf = detail::weight_of(w, far);
      sums.col(old) -= wf * X.col(far);
      counts[old] -= wf;
      sums.col(k) = wf * X.col(far);
      counts[k] = wf;
      res.labels[static_cast<std::size_t>(far)] = static_cast<int>(k);
      dist[far] = 0.0;
    }
    double moved = 0.0;
    for (Index k = 0; k < K; ++k) {
      // A cluster emptied by a reseed keeps its centre.
      if (!(counts[k] > 0.0)) continue;
      const VectorXd c = sums.col(k) / counts[k];
      moved += (c - res.centers.col(k)).squaredNorm();
      res.centers.col(k) = c;
    }
    if (moved <= shift_tol) break;
  }
  return res;
}

}  // namespace gmmmi

#endif
