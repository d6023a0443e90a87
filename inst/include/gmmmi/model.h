// The Gaussian mixture model, its factorised form and its densities.
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

#ifdef GMMMI_AVX2_DISPATCH
constexpr Index kFusedMaxDim = 16, kFusedMaxK = 128;

// The logs, in double, of 8 float sums of exponentials (each at least 1
// when finite), as two halves; taken in float, as the sums are.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline void log8_halves(__m256 sum, __m256d& la,
                                                             __m256d& lb) {
  if (log8f_domain(sum)) {
    const __m256 l = log8f(sum);
    la = _mm256_cvtps_pd(_mm256_castps256_ps128(l));
    lb = _mm256_cvtps_pd(_mm256_extractf128_ps(l, 1));
    return;
  }
  alignas(32) float tmp[8];
  _mm256_store_ps(tmp, sum);
  alignas(32) double out[8];
  for (int i = 0; i < 8; ++i) out[i] = std::log(static_cast<double>(tmp[i]));
  la = _mm256_load_pd(out);
  lb = _mm256_load_pd(out + 4);
}

// log sum_k exp(lk[k]) for 8 points at once: lk holds K groups of 8 values
// (4 in each half), whose maxima over k are mxa (first half) and mxb. The
// maxima and the final log are in double; the K exponentials, of arguments
// in [-87, 0], are 8-wide float, whose relative error (about 1e-7) is far
// below any tolerance or Monte Carlo error downstream. Writes the results to
// la and lb, the K groups of exponentials (relative to the maxima) to ek,
// and returns their sums.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline __m256 log_sum_exp8(const double* lk, Index K, __m256d mxa, __m256d mxb,
                                            float* ek, __m256d& la, __m256d& lb) {
  // A point far from every component would give -inf - (-inf); pin the max.
  const __m256d neg_inf = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
  mxa = _mm256_blendv_pd(mxa, _mm256_setzero_pd(), _mm256_cmp_pd(mxa, neg_inf, _CMP_EQ_OQ));
  mxb = _mm256_blendv_pd(mxb, _mm256_setzero_pd(), _mm256_cmp_pd(mxb, neg_inf, _CMP_EQ_OQ));
  __m256 sum = _mm256_setzero_ps();
  for (Index k = 0; k < K; ++k) {
    const __m128 da = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_load_pd(lk + 8 * k), mxa));
    const __m128 db = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_load_pd(lk + 8 * k + 4), mxb));
    const __m256 e = exp8f_nonpositive(_mm256_set_m128(db, da));
    _mm256_store_ps(ek + 8 * k, e);
    sum = _mm256_add_ps(sum, e);
  }
  log8_halves(sum, la, lb);
  la = _mm256_add_pd(la, mxa);
  lb = _mm256_add_pd(lb, mxb);
  return sum;
}

// Loads rows i..i+7 of X (N x d, column-major with column stride `stride`)
// as two halves of 4: xa[j] and xb[j] hold coordinate j.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline void load_rows8(const double* X0, Index stride,
                                                            Index i, Index d, __m256d* xa,
                                                            __m256d* xb) {
  for (Index j = 0; j < d; ++j) {
    xa[j] = _mm256_loadu_pd(X0 + j * stride + i);
    xb[j] = _mm256_loadu_pd(X0 + j * stride + i + 4);
  }
}

// log w_k + log N(x; mu_k, Sigma_k) of 8 points for every component, into lk
// (K groups of 8), with their maxima over k in mxa and mxb.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline void component_logs8(const __m256d* xa,
                                                                 const __m256d* xb, Index d,
                                                                 const Factorised& f, double* lk,
                                                                 __m256d& mxa, __m256d& mxb) {
  const Index K = f.log_norm.size();
  const __m256d minus_half = _mm256_set1_pd(-0.5);
  mxa = mxb = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
  for (Index k = 0; k < K; ++k) {
    const double* P = f.prec_chol[k].data();  // column-major d x d
    __m256d acca = _mm256_setzero_pd(), accb = _mm256_setzero_pd();
    for (Index j = 0; j < d; ++j) {
      const __m256d pm = _mm256_set1_pd(-f.prec_means(j, k));
      __m256d ta = pm, tb = pm;
      for (Index l = 0; l <= j; ++l) {
        const __m256d c = _mm256_set1_pd(P[l * d + j]);
        ta = _mm256_fmadd_pd(c, xa[l], ta);
        tb = _mm256_fmadd_pd(c, xb[l], tb);
      }
      acca = _mm256_fmadd_pd(ta, ta, acca);
      accb = _mm256_fmadd_pd(tb, tb, accb);
    }
    const __m256d ln = _mm256_set1_pd(f.log_norm[k]);
    const __m256d va = _mm256_fmadd_pd(minus_half, acca, ln);
    const __m256d vb = _mm256_fmadd_pd(minus_half, accb, ln);
    _mm256_store_pd(lk + 8 * k, va);
    _mm256_store_pd(lk + 8 * k + 4, vb);
    mxa = _mm256_max_pd(mxa, va);
    mxb = _mm256_max_pd(mxb, vb);
  }
}

// Rows i..i+7 of X through component_logs8 and log_sum_exp8: their
// coordinates (xa, xb), log-densities (la, lb), the K groups of exponentials
// relative to the maxima (ek) and their sums (returned). The first steps of
// every 8-row density pass.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline __m256 density_rows8(const MatrixRef& X, Index i,
                                                                 const Factorised& f, double* lk,
                                                                 float* ek, __m256d* xa,
                                                                 __m256d* xb, __m256d& la,
                                                                 __m256d& lb) {
  const Index d = X.cols();
  load_rows8(X.data(), X.outerStride(), i, d, xa, xb);
  __m256d mxa, mxb;
  component_logs8(xa, xb, d, f, lk, mxa, mxb);
  return log_sum_exp8(lk, f.log_norm.size(), mxa, mxb, ek, la, lb);
}

// The same pass as log_components + log_sum_exp_rows, eight points at a time
// with every component's value kept on the stack: no pass over memory per
// component. Rows past the last multiple of 8 are done by the generic code.
GMMMI_TARGET_AVX2 inline void fused_density_avx2(const MatrixRef& X, const Factorised& f,
                                                 DensityWork& w, bool responsibilities) {
  const Index N = X.rows(), K = f.log_norm.size();
  const Index n8 = N - N % 8;
  alignas(32) double lk[kFusedMaxK * 8];
  alignas(32) float ek[kFusedMaxK * 8];
  __m256d xa[kFusedMaxDim], xb[kFusedMaxDim];
  for (Index i = 0; i < n8; i += 8) {
    __m256d lda, ldb;
    const __m256 sum = density_rows8(X, i, f, lk, ek, xa, xb, lda, ldb);
    _mm256_storeu_pd(w.log_dens.data() + i, lda);
    _mm256_storeu_pd(w.log_dens.data() + i + 4, ldb);
    if (responsibilities) {
      const __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), sum);
      for (Index k = 0; k < K; ++k) {
        const __m256 r = _mm256_mul_ps(_mm256_load_ps(ek + 8 * k), inv);
        double* out = &w.logp(i, k);
        _mm256_storeu_pd(out, _mm256_cvtps_pd(_mm256_castps256_ps128(r)));
        _mm256_storeu_pd(out + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(r, 1)));
      }
    }
  }
  if (n8 < N) {
    DensityWork tail;
    log_components(X.bottomRows(N - n8), f, tail);
    log_sum_exp_rows(tail, responsibilities);
    w.log_dens.tail(N - n8) = tail.log_dens;
    if (responsibilities) w.logp.bottomRows(N - n8) = tail.logp;
  }
}
#endif

// How a density pass may trade accuracy for speed: `exact` keeps every step
// in double; `fast` takes the exponentials of the log-sum-exp in float
// (relative error about 1e-7), for the inner loops of EM and Monte Carlo.
enum class Precision { exact, fast };

// The density pass of the E-step and of every Monte Carlo integral: fills
// w.log_dens with log p(x) for each row of X and, when `responsibilities` is
// true, w.logp with the responsibilities (otherwise w.logp is scratch).
inline void density_pass(const MatrixRef& X, const Factorised& f, DensityWork& w,
                         bool responsibilities, Precision precision = Precision::exact) {
#ifdef GMMMI_AVX2_DISPATCH
  const Index K = f.log_norm.size();
  if (precision == Precision::fast && cpu_has_avx2() && X.cols() <= kFusedMaxDim &&
      K <= kFusedMaxK) {
    w.log_dens.resize(X.rows());
    if (responsibilities) w.logp.resize(X.rows(), K);
    fused_density_avx2(X, f, w, responsibilities);
    return;
  }
#endif
  log_components(X, f, w);
  log_sum_exp_rows(w, responsibilities);
}

// log p(x) for each row of X.
inline VectorXd log_density(const MatrixRef& X, const Factorised& f) {
  DensityWork w;
  density_pass(X, f, w, false);
  return w.log_dens;
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
