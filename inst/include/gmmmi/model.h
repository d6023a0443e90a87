// The Gaussian mixture model, its factorised form and the portable steps of
// its density pass (density.h puts them together with the AVX2 kernel of
// simd_density.h).
//
// Data are stored one point per row (N x d, as R stores a matrix), so that
// every per-point operation runs down contiguous columns and vectorises.
#ifndef GMMMI_MODEL_H
#define GMMMI_MODEL_H

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <vector>

#include "vecmath.h"

namespace gmmmi {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using MatrixRef = Eigen::Ref<const MatrixXd>;
using VectorRef = Eigen::Ref<const VectorXd>;

constexpr double kLog2Pi = 1.8378770664093454836;

struct Gmm {
  VectorXd weights;                  // K
  MatrixXd means;                    // d x K, one component per column
  std::vector<MatrixXd> covariances; // K matrices of d x d

  Index k() const { return weights.size(); }
  Index dim() const { return means.rows(); }
  void swap(Gmm& other) {
    weights.swap(other.weights);
    means.swap(other.means);
    covariances.swap(other.covariances);
  }
};

// Cholesky factors and normalising constants of every component; built once
// per parameter set and used for every density evaluation.
struct Factorised {
  std::vector<MatrixXd> chol;       // L_k with Sigma_k = L_k L_k'
  std::vector<MatrixXd> prec_chol;  // L_k^{-1}, so |L_k^{-1}(x - mu)|^2 is the Mahalanobis term
  MatrixXd prec_means;              // column k is L_k^{-1} mu_k
  VectorXd log_norm;                // log w_k - d/2 log(2 pi) - log det L_k
  bool ok = false;
};

inline bool factorise(const Gmm& g, Factorised& f) {
  const Index K = g.k(), d = g.dim();
  f.chol.resize(K);
  f.prec_chol.resize(K);
  f.prec_means.resize(d, K);
  f.log_norm.resize(K);
  f.ok = false;
  for (Index k = 0; k < K; ++k) {
    if (!g.covariances[k].allFinite()) return false;
    Eigen::LLT<MatrixXd> llt(g.covariances[k]);
    if (llt.info() != Eigen::Success) return false;
    f.chol[k] = llt.matrixL();
    const VectorXd diag = f.chol[k].diagonal();
    if (!(diag.array() > 0.0).all() || !diag.allFinite()) return false;
    f.prec_chol[k] = f.chol[k].triangularView<Eigen::Lower>().solve(
        MatrixXd::Identity(d, d));
    if (!f.prec_chol[k].allFinite()) return false;
    f.prec_means.col(k).noalias() = f.prec_chol[k] * g.means.col(k);
    f.log_norm[k] = std::log(g.weights[k]) - 0.5 * static_cast<double>(d) * kLog2Pi -
                    diag.array().log().sum();
  }
  f.ok = true;
  return true;
}

// Workspace for density evaluations, so that the EM loop does not allocate.
struct DensityWork {
  Eigen::ArrayXd term;  // N: one coordinate of L^{-1}(x - mu)
  Eigen::ArrayXd maha;  // N: squared Mahalanobis distance
  MatrixXd logp;        // N x K: log w_k + log N(x_i; mu_k, Sigma_k), later responsibilities
  VectorXd row_max;     // N
  VectorXd log_dens;    // N: log p(x_i)
};

// Fills w.logp with the weighted log component densities of the rows of X.
// The Mahalanobis term |L^{-1}(x - mu)|^2 is accumulated one coordinate at a
// time down the columns of X: for the small d of MI problems this beats a
// general matrix product, whose packing overhead dominates at d = 2.
inline void log_components(const MatrixRef& X, const Factorised& f, DensityWork& w) {
  const Index N = X.rows(), d = X.cols(), K = f.log_norm.size();
  w.logp.resize(N, K);
  w.term.resize(N);
  w.maha.resize(N);
  for (Index k = 0; k < K; ++k) {
    const MatrixXd& P = f.prec_chol[k];
    w.maha.setZero();
    for (Index j = 0; j < d; ++j) {
      w.term = X.col(j).array() * P(j, j) - f.prec_means(j, k);
      for (Index l = 0; l < j; ++l) w.term += X.col(l).array() * P(j, l);
      w.maha += w.term.square();
    }
    w.logp.col(k) = (f.log_norm[k] - 0.5 * w.maha).matrix();
  }
}

// Turns w.logp into the log-density of each point (w.log_dens) and, when
// `responsibilities` is true, overwrites w.logp with the responsibilities.
// Reductions run column by column: rowwise reductions of a column-major
// matrix would stride through memory.
inline void log_sum_exp_rows(DensityWork& w, bool responsibilities) {
  const Index N = w.logp.rows(), K = w.logp.cols();
  if (K == 1) {  // one component: log p is its log-density, responsibilities are 1
    w.log_dens = w.logp.col(0);
    if (responsibilities) w.logp.setOnes();
    return;
  }
  w.row_max = w.logp.col(0);
  for (Index k = 1; k < K; ++k) w.row_max = w.row_max.cwiseMax(w.logp.col(k));
  // A point far from every component would give -inf - (-inf); pin the max.
  for (Index i = 0; i < N; ++i)
    if (!std::isfinite(w.row_max[i])) w.row_max[i] = 0.0;
  w.log_dens.setZero(N);
  for (Index k = 0; k < K; ++k) {
    w.logp.col(k) -= w.row_max;
    exp_inplace(w.logp.col(k).data(), N);
    w.log_dens += w.logp.col(k);
  }
  if (responsibilities) {
    w.term = w.log_dens.array().inverse();
    for (Index k = 0; k < K; ++k) w.logp.col(k).array() *= w.term;
  }
  log_inplace(w.log_dens.data(), N);
  w.log_dens += w.row_max;
}

// The mixture of the chosen coordinates: same weights, sliced means and
// covariances.
inline Gmm marginal(const Gmm& g, const std::vector<int>& dims) {
  Gmm m;
  const Index K = g.k(), q = static_cast<Index>(dims.size());
  m.weights = g.weights;
  m.means.resize(q, K);
  m.covariances.assign(K, MatrixXd(q, q));
  for (Index k = 0; k < K; ++k) {
    for (Index a = 0; a < q; ++a) {
      m.means(a, k) = g.means(dims[a], k);
      for (Index b = 0; b < q; ++b)
        m.covariances[k](a, b) = g.covariances[k](dims[a], dims[b]);
    }
  }
  return m;
}

// Number of free parameters of a full-covariance mixture.
inline double n_parameters(Index K, Index d) {
  return static_cast<double>(K * d + K * d * (d + 1) / 2 + K - 1);
}

}  // namespace gmmmi

#endif
