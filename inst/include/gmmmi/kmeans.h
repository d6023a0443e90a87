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

// Squared distance of every row of X to `center`, down contiguous columns.
inline void squared_distances(const MatrixRef& X, const VectorXd& center, Eigen::ArrayXd& out) {
  out.setZero(X.rows());
  for (Index j = 0; j < X.cols(); ++j) out += (X.col(j).array() - center[j]).square();
}

inline KmeansResult kmeans(const MatrixRef& X, const VectorXd& w, Index K, Rng& rng,
                           int max_iter = 300, double tol = 1e-4) {
  const Index N = X.rows(), d = X.cols();
  KmeansResult res;
  res.centers.resize(d, K);
  res.labels.assign(static_cast<std::size_t>(N), 0);
  const VectorXd pw = w.size() == N ? w : VectorXd::Ones(N);

  // k-means++ seeding, weighted by the observation weights.
  Eigen::ArrayXd closest, dk;
  res.centers.col(0) = X.row(detail::draw_proportional(pw, rng)).transpose();
  squared_distances(X, res.centers.col(0), closest);
  for (Index k = 1; k < K; ++k) {
    const VectorXd p = (closest * pw.array()).matrix();
    res.centers.col(k) = X.row(detail::draw_proportional(p, rng)).transpose();
    squared_distances(X, res.centers.col(k), dk);
    closest = closest.min(dk);
  }

  // Stop when the centres move by less than tol times the data's (weighted)
  // variance.
  const double total_w = pw.sum();
  const Eigen::RowVectorXd centre = (pw.transpose() * X) / total_w;
  const double spread = (pw.array() * (X.rowwise() - centre).rowwise().squaredNorm().array()).sum() / total_w;
  const double shift_tol = tol * spread;
  MatrixXd sums(d, K);
  VectorXd counts(K);
  Eigen::ArrayXd best(N);
  for (int iter = 0; iter < max_iter; ++iter) {
    res.n_iter = iter + 1;
    squared_distances(X, res.centers.col(0), best);
    std::fill(res.labels.begin(), res.labels.end(), 0);
    for (Index k = 1; k < K; ++k) {
      squared_distances(X, res.centers.col(k), dk);
      for (Index i = 0; i < N; ++i)
        if (dk[i] < best[i]) {
          best[i] = dk[i];
          res.labels[static_cast<std::size_t>(i)] = static_cast<int>(k);
        }
    }
    sums.setZero();
    counts.setZero();
    for (Index i = 0; i < N; ++i) {
      const int l = res.labels[static_cast<std::size_t>(i)];
      sums.col(l) += pw[i] * X.row(i).transpose();
      counts[l] += pw[i];
    }
    // Reseed an empty cluster at the point currently worst served.
    for (Index k = 0; k < K; ++k) {
      if (counts[k] > 0.0) continue;
      Index far = -1;
      for (Index i = 0; i < N; ++i)
        if (pw[i] > 0.0 && (far < 0 || best[i] > best[far])) far = i;
      if (far < 0) break;
      const int old = res.labels[static_cast<std::size_t>(far)];
      sums.col(old) -= pw[far] * X.row(far).transpose();
      counts[old] -= pw[far];
      sums.col(k) = pw[far] * X.row(far).transpose();
      counts[k] = pw[far];
      res.labels[static_cast<std::size_t>(far)] = static_cast<int>(k);
      best[far] = 0.0;
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
