// Expectation-maximisation for a full-covariance Gaussian mixture, with
// optional non-negative observation weights (bootstrap counts).
#ifndef GMMMI_EM_H
#define GMMMI_EM_H

#include <atomic>
#include <cmath>

#include "model.h"

namespace gmmmi {

struct EmControl {
  double tol = 1e-5;        // on the change of the mean per-sample log-likelihood
  double reg_covar = 1e-15; // added to every covariance diagonal
  int max_iter = 10000;
  int min_iter = 0;         // EM steps taken before the tolerance may stop the fit
};

enum class FitStatus { ok = 0, singular = 1, empty_component = 2, nonfinite = 3, aborted = 4 };

inline const char* status_name(FitStatus s) {
  switch (s) {
    case FitStatus::ok: return "ok";
    case FitStatus::singular: return "singular covariance";
    case FitStatus::empty_component: return "empty component";
    case FitStatus::nonfinite: return "non-finite log-likelihood";
    case FitStatus::aborted: return "interrupted";
  }
  return "unknown";
}

struct EmResult {
  Gmm model;
  double loglik = -std::numeric_limits<double>::infinity();  // mean per unit weight
  int n_iter = 0;
  bool converged = false;
  FitStatus status = FitStatus::ok;
  bool ok() const { return status == FitStatus::ok; }
};

// Reusable buffers for EM, kept across iterations.
struct EmWork {
  DensityWork dens;
  Factorised fac;
  MatrixXd centred;        // N x d
  Eigen::ArrayXd scaled;   // N
};

#ifdef GMMMI_AVX2_DISPATCH
GMMMI_TARGET_AVX2 inline double hsum4(__m256d v) {
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, v);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

// Weighted moments of the rows of X about the point c, in one pass, four rows
// at a time: total weight, first moments s_j = sum r (x_j - c_j) and the
// lower triangle of S = sum r (x - c)(x - c)' (packed by rows: (0,0), (1,0),
// (1,1), ...). Taking moments about the component's previous mean keeps the
// subtraction S / n - m m' free of cancellation.
GMMMI_TARGET_AVX2 inline void weighted_moments_avx2(const MatrixRef& X, const double* r,
                                                    const double* c, double& n_out,
                                                    double* s_out, double* S_out) {
  const Index N = X.rows(), d = X.cols();
  const Index n4 = N - N % 4;
  __m256d an = _mm256_setzero_pd();
  __m256d as[kFusedMaxDim], aS[kFusedMaxDim * (kFusedMaxDim + 1) / 2];
  __m256d y[kFusedMaxDim], ry[kFusedMaxDim];
  const Index packed = d * (d + 1) / 2;
  for (Index j = 0; j < d; ++j) as[j] = _mm256_setzero_pd();
  for (Index q = 0; q < packed; ++q) aS[q] = _mm256_setzero_pd();
  for (Index i = 0; i < n4; i += 4) {
    const __m256d rv = _mm256_loadu_pd(r + i);
    an = _mm256_add_pd(an, rv);
    for (Index j = 0; j < d; ++j) {
      y[j] = _mm256_sub_pd(_mm256_loadu_pd(X.data() + j * X.outerStride() + i), _mm256_set1_pd(c[j]));
      ry[j] = _mm256_mul_pd(rv, y[j]);
      as[j] = _mm256_add_pd(as[j], ry[j]);
    }
    for (Index a = 0, q = 0; a < d; ++a)
      for (Index b = 0; b <= a; ++b, ++q) aS[q] = _mm256_fmadd_pd(ry[a], y[b], aS[q]);
  }
  n_out = hsum4(an);
  for (Index j = 0; j < d; ++j) s_out[j] = hsum4(as[j]);
  for (Index q = 0; q < packed; ++q) S_out[q] = hsum4(aS[q]);
  for (Index i = n4; i < N; ++i) {
    n_out += r[i];
    for (Index a = 0, q = 0; a < d; ++a) {
      const double ya = X(i, a) - c[a];
      s_out[a] += r[i] * ya;
      for (Index b = 0; b <= a; ++b, ++q) S_out[q] += r[i] * ya * (X(i, b) - c[b]);
    }
  }
}
#endif

// M-step: maximises the expected complete-data log-likelihood given the
// responsibilities in work.dens.logp. Returns false on an empty component.
// Every sum runs down contiguous columns (no general matrix product: at the
// small d of MI problems its packing costs more than the arithmetic).
inline bool m_step(const MatrixRef& X, const VectorXd& w, double reg_covar,
                   EmWork& work, Gmm& g) {
  const Index N = X.rows(), d = X.cols();
  const Index K = work.dens.logp.cols();
  if (w.size() == N) work.dens.logp.array().colwise() *= w.array();
  const MatrixXd& wr = work.dens.logp;  // weighted responsibilities
  const VectorXd nk = wr.colwise().sum().transpose();
  const double total = nk.sum();
  // A component left with (almost) no weight has no defined mean: report it
  // so that the caller restarts, rather than divide by zero.
  const double floor = 10.0 * std::numeric_limits<double>::epsilon() * total;
  for (Index k = 0; k < K; ++k)
    if (!(nk[k] > floor)) return false;
  g.weights = nk / total;
  g.covariances.resize(K);
#ifdef GMMMI_AVX2_DISPATCH
  if (cpu_has_avx2() && d <= kFusedMaxDim && g.means.rows() == d && g.means.cols() == K &&
      g.means.allFinite()) {
    double n_k, s[kFusedMaxDim], S[kFusedMaxDim * (kFusedMaxDim + 1) / 2];
    for (Index k = 0; k < K; ++k) {
      const VectorXd c = g.means.col(k);  // the previous mean
      weighted_moments_avx2(X, wr.col(k).data(), c.data(), n_k, s, S);
      MatrixXd& C = g.covariances[k];
      C.resize(d, d);
      for (Index a = 0; a < d; ++a) s[a] /= n_k;
      for (Index a = 0, q = 0; a < d; ++a)
        for (Index b = 0; b <= a; ++b, ++q) {
          const double v = S[q] / n_k - s[a] * s[b];
          C(a, b) = v;
          C(b, a) = v;
        }
      C.diagonal().array() += reg_covar;
      for (Index a = 0; a < d; ++a) g.means(a, k) = c[a] + s[a];
    }
    return true;
  }
#endif
  g.means.resize(d, K);
  work.centred.resize(N, d);
  for (Index k = 0; k < K; ++k) {
    const auto r = wr.col(k).array();
    for (Index j = 0; j < d; ++j) g.means(j, k) = (X.col(j).array() * r).sum() / nk[k];
    // Centred scatter: centring first keeps it exact for data far from 0.
    for (Index j = 0; j < d; ++j) work.centred.col(j) = X.col(j).array() - g.means(j, k);
    MatrixXd& S = g.covariances[k];
    S.resize(d, d);
    for (Index a = 0; a < d; ++a) {
      work.scaled = work.centred.col(a).array() * r;
      for (Index b = 0; b <= a; ++b) {
        const double v = (work.scaled * work.centred.col(b).array()).sum() / nk[k];
        S(a, b) = v;
        S(b, a) = v;
      }
    }
    S.diagonal().array() += reg_covar;
  }
  return true;
}

// E-step on the current parameters: fills responsibilities and returns the
// weighted mean log-likelihood, or NaN when the parameters cannot be
// factorised.
inline double e_step(const MatrixRef& X, const VectorXd& w, const Gmm& g, EmWork& work,
                     Precision precision = Precision::fast) {
  if (!factorise(g, work.fac)) return std::numeric_limits<double>::quiet_NaN();
  density_pass(X, work.fac, work.dens, true, precision);
  if (w.size() == X.rows()) return w.dot(work.dens.log_dens) / w.sum();
  return work.dens.log_dens.mean();
}

// Runs EM from `start`. `w` is empty (unit weights) or one weight per point.
// The returned log-likelihood belongs to the returned parameters.
inline EmResult em(const MatrixRef& X, const VectorXd& w, const Gmm& start,
                   const EmControl& ctl, const std::atomic<bool>* abort = nullptr) {
  EmResult res;
  res.model = start;
  EmWork work;
  double previous = -std::numeric_limits<double>::infinity();
  for (int iter = 0;; ++iter) {
    if (abort != nullptr && abort->load(std::memory_order_relaxed)) {
      res.status = FitStatus::aborted;
      return res;
    }
    const double ll = e_step(X, w, res.model, work);
    if (std::isnan(ll)) {
      res.status = work.fac.ok ? FitStatus::nonfinite : FitStatus::singular;
      return res;
    }
    if (!std::isfinite(ll)) {
      res.status = FitStatus::nonfinite;
      return res;
    }
    res.loglik = ll;
    res.n_iter = iter;
    const bool converged = iter > 0 && iter >= ctl.min_iter && std::abs(ll - previous) < ctl.tol;
    if (converged || iter >= ctl.max_iter) {
      // The iterations ran on the fast pass; report the exact value.
      res.loglik = e_step(X, w, res.model, work, Precision::exact);
      res.converged = converged;
      return res;
    }
    previous = ll;
    if (!m_step(X, w, ctl.reg_covar, work, res.model)) {
      res.status = FitStatus::empty_component;
      return res;
    }
  }
}

}  // namespace gmmmi

#endif
