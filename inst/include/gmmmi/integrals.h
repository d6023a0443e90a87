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

// The Monte Carlo loop shared by every integral: draws M points from
// `source` in blocks, so that memory stays bounded for any M, and lets
// add_block(draws, sum, sum_sq) add the block's integrand values and their
// squares. An interrupt (`abort` raised) ends the loop early with ok = false.
template <class AddBlock>
McEstimate mc_blocks(const Gmm& source, const Factorised& fsrc, Index M, Rng& rng,
                     const std::atomic<bool>* abort, Index block, AddBlock add_block) {
  McEstimate est;
  double sum = 0.0, sum_sq = 0.0;
  MatrixXd draws;
  for (Index start = 0; start < M; start += block) {
    if (abort != nullptr && abort->load(std::memory_order_relaxed)) {
      est.ok = false;
      return est;
    }
    sample_gmm(source, fsrc, std::min(block, M - start), rng, draws);
    add_block(draws, sum, sum_sq);
  }
  const double n = static_cast<double>(M);
  est.value = sum / n;
  const double var = n > 1 ? std::max(0.0, (sum_sq - sum * sum / n) / (n - 1.0)) : 0.0;
  est.mc_se = std::sqrt(var / n);
  est.ok = std::isfinite(est.value);
  return est;
}

// Terms made ready for evaluation: each marginal taken and factorised once.
struct PreparedTerms {
  struct Term {
    Factorised fac;
    std::vector<int> dims;
    double coef;
  };
  std::vector<Term> terms;
  MatrixXd sub;  // scratch
  DensityWork work;
};

// False when a marginal's covariance is not positive definite.
inline bool prepare_terms(const std::vector<LogTerm>& terms, PreparedTerms& out) {
  out.terms.clear();
  for (const LogTerm& t : terms) {
    PreparedTerms::Term p;
    const Gmm m = t.dims.empty() ? *t.model : marginal(*t.model, t.dims);
    if (!factorise(m, p.fac)) return false;
    p.dims = t.dims;
    p.coef = t.coef;
    out.terms.push_back(std::move(p));
  }
  return true;
}

// sum_t coef_t log q_t(u[dims_t]) at every row u of U.
inline void evaluate_terms(const MatrixXd& U, PreparedTerms& p, VectorXd& value,
                           Precision precision = Precision::fast) {
  const Index b = U.rows();
  value.setZero(b);
  for (const PreparedTerms::Term& t : p.terms) {
    if (t.dims.empty()) {
      density_pass(U, t.fac, p.work, false, precision);
    } else {
      p.sub.resize(b, static_cast<Index>(t.dims.size()));
      for (std::size_t a = 0; a < t.dims.size(); ++a)
        p.sub.col(static_cast<Index>(a)) = U.col(t.dims[a]);
      density_pass(p.sub, t.fac, p.work, false, precision);
    }
    value += t.coef * p.work.log_dens;
  }
}

// Mean over M draws from `source` of sum_t coef_t log q_t(u[dims_t]).
inline McEstimate mc_expectation(const Gmm& source, const std::vector<LogTerm>& terms, Index M,
                                 Rng& rng, const std::atomic<bool>* abort = nullptr,
                                 Index block = 4096) {
  Factorised fsrc;
  PreparedTerms prep;
  if (!factorise(source, fsrc) || M <= 0 || !prepare_terms(terms, prep))
    return McEstimate{0.0, 0.0, false};
  VectorXd point;
  return mc_blocks(source, fsrc, M, rng, abort, block,
                   [&](const MatrixXd& draws, double& sum, double& sum_sq) {
    evaluate_terms(draws, prep, point);
    sum += point.sum();
    sum_sq += point.squaredNorm();
  });
}

// The pointwise mutual information of `joint` as signed log-density terms:
// log p(x, y) - log p(x) - log p(y), or, with z non-empty, the conditional
// log p(z) + log p(x, y, z) - log p(x, z) - log p(y, z). Its mean under the
// model is the (conditional) MI.
inline std::vector<LogTerm> mi_terms(const Gmm& joint, const std::vector<int>& x,
                                     const std::vector<int>& y, const std::vector<int>& z) {
  auto cat = [](std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  if (z.empty()) return {{&joint, {}, 1.0}, {&joint, x, -1.0}, {&joint, y, -1.0}};
  return {{&joint, {}, 1.0}, {&joint, z, 1.0}, {&joint, cat(x, z), -1.0},
          {&joint, cat(y, z), -1.0}};
}

#ifdef GMMMI_AVX2_DISPATCH
// The factors of the fused MI pass, in float, component after component: the
// joint's whitening L^{-1} (lower triangle, row by row) and offsets
// L^{-1} mu, the same for the marginal of y, and the log-normalisers of the
// joint and of both marginals. The joint's whitened coordinates begin with
// those of the marginal of x (the leading block of a lower-triangular inverse
// is the inverse of the leading block), so one pass gives both.
struct MiFactorsF {
  Index d = 0, p = 0, K = 0;
  std::vector<float> pj, oj, py, oy, lnj, lnx, lny;
};

inline MiFactorsF mi_factors_float(const Factorised& fj, const Factorised& fy, const Gmm& joint,
                                   Index p) {
  MiFactorsF F;
  F.d = joint.dim();
  F.p = p;
  F.K = joint.k();
  const Index q = F.d - p;
  for (Index k = 0; k < F.K; ++k) {
    for (Index j = 0; j < F.d; ++j) {
      for (Index l = 0; l <= j; ++l) F.pj.push_back(static_cast<float>(fj.prec_chol[k](j, l)));
      F.oj.push_back(static_cast<float>(fj.prec_means(j, k)));
    }
    for (Index j = 0; j < q; ++j) {
      for (Index l = 0; l <= j; ++l) F.py.push_back(static_cast<float>(fy.prec_chol[k](j, l)));
      F.oy.push_back(static_cast<float>(fy.prec_means(j, k)));
    }
    F.lnj.push_back(static_cast<float>(fj.log_norm[k]));
    F.lny.push_back(static_cast<float>(fy.log_norm[k]));
    F.lnx.push_back(static_cast<float>(
        std::log(joint.weights[k]) - 0.5 * static_cast<double>(p) * kLog2Pi -
        fj.chol[k].diagonal().head(p).array().log().sum()));
  }
  return F;
}

// log sum_k exp(lk[k]) for 8 points in float (lk: K groups of 8, maxima mx),
// returned in double as two halves.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline void log_sum_exp8f(const float* lk, Index K,
                                                               __m256 mx, __m256d& la,
                                                               __m256d& lb) {
  const __m256 neg_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  mx = _mm256_blendv_ps(mx, _mm256_setzero_ps(), _mm256_cmp_ps(mx, neg_inf, _CMP_EQ_OQ));
  __m256 sum = _mm256_setzero_ps();
  for (Index k = 0; k < K; ++k)
    sum = _mm256_add_ps(sum, exp8f_nonpositive(_mm256_sub_ps(_mm256_load_ps(lk + 8 * k), mx)));
  log8_halves(sum, la, lb);
  la = _mm256_add_pd(la, _mm256_cvtps_pd(_mm256_castps256_ps128(mx)));
  lb = _mm256_add_pd(lb, _mm256_cvtps_pd(_mm256_extractf128_ps(mx, 1)));
}

// log p(x, y) - log p(x) - log p(y) for the rows of U whose first p
// coordinates are x and the rest y, eight rows at a time in float (each
// log-density to about 1e-6, far below the Monte Carlo error), added to sum
// and sum_sq in double; returns the number of rows done (the rest are left
// to the caller).
GMMMI_TARGET_AVX2 inline Index mi_rows_avx2(const MatrixXd& U, const MiFactorsF& F, double& sum,
                                            double& sum_sq) {
  const Index N = U.rows(), d = F.d, p = F.p, q = d - p, K = F.K;
  const Index tj = d * (d + 1) / 2, ty = q * (q + 1) / 2;
  const Index n8 = N - N % 8;
  alignas(32) float lj[kFusedMaxK * 8], lx[kFusedMaxK * 8], ly[kFusedMaxK * 8];
  __m256 x[kFusedMaxDim];
  const __m256 neg_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const __m256 minus_half = _mm256_set1_ps(-0.5f);
  __m256d acc = _mm256_setzero_pd(), acc_sq = _mm256_setzero_pd();
  for (Index i = 0; i < n8; i += 8) {
    for (Index j = 0; j < d; ++j) {
      const double* col = U.data() + j * N + i;
      x[j] = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd(col + 4)),
                             _mm256_cvtpd_ps(_mm256_loadu_pd(col)));
    }
    __m256 mj = neg_inf, mx = neg_inf, my = neg_inf;
    for (Index k = 0; k < K; ++k) {
      const float* P = F.pj.data() + k * tj;
      const float* o = F.oj.data() + k * d;
      __m256 ss = _mm256_setzero_ps();
      for (Index j = 0, e = 0; j < d; ++j) {
        if (j == p) {  // the marginal of x is complete
          const __m256 v = _mm256_fmadd_ps(minus_half, ss, _mm256_set1_ps(F.lnx[k]));
          _mm256_store_ps(lx + 8 * k, v);
          mx = _mm256_max_ps(mx, v);
        }
        __m256 t = _mm256_set1_ps(-o[j]);
        for (Index l = 0; l <= j; ++l, ++e) t = _mm256_fmadd_ps(_mm256_set1_ps(P[e]), x[l], t);
        ss = _mm256_fmadd_ps(t, t, ss);
      }
      __m256 v = _mm256_fmadd_ps(minus_half, ss, _mm256_set1_ps(F.lnj[k]));
      _mm256_store_ps(lj + 8 * k, v);
      mj = _mm256_max_ps(mj, v);
      // The marginal of y, from its own factors.
      const float* Q = F.py.data() + k * ty;
      const float* oy = F.oy.data() + k * q;
      ss = _mm256_setzero_ps();
      for (Index j = 0, e = 0; j < q; ++j) {
        __m256 t = _mm256_set1_ps(-oy[j]);
        for (Index l = 0; l <= j; ++l, ++e) t = _mm256_fmadd_ps(_mm256_set1_ps(Q[e]), x[p + l], t);
        ss = _mm256_fmadd_ps(t, t, ss);
      }
      v = _mm256_fmadd_ps(minus_half, ss, _mm256_set1_ps(F.lny[k]));
      _mm256_store_ps(ly + 8 * k, v);
      my = _mm256_max_ps(my, v);
    }
    __m256d ja, jb, xa, xb, ya, yb;
    log_sum_exp8f(lj, K, mj, ja, jb);
    log_sum_exp8f(lx, K, mx, xa, xb);
    log_sum_exp8f(ly, K, my, ya, yb);
    const __m256d va = _mm256_sub_pd(_mm256_sub_pd(ja, xa), ya);
    const __m256d vb = _mm256_sub_pd(_mm256_sub_pd(jb, xb), yb);
    acc = _mm256_add_pd(acc, _mm256_add_pd(va, vb));
    acc_sq = _mm256_fmadd_pd(va, va, _mm256_fmadd_pd(vb, vb, acc_sq));
  }
  alignas(32) double l1[4], l2[4];
  _mm256_store_pd(l1, acc);
  _mm256_store_pd(l2, acc_sq);
  sum += (l1[0] + l1[1]) + (l1[2] + l1[3]);
  sum_sq += (l2[0] + l2[1]) + (l2[2] + l2[3]);
  return n8;
}
#endif

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
  if (joint.k() == 1) {
    // One Gaussian: the integral in closed form, 1/2 log(det S_x det S_y /
    // det S_xy), with every block taken jointly with z when z is given (and
    // det S_z in the denominator). No Monte Carlo error.
    auto log_det = [&](const std::vector<int>& dims) {
      if (dims.empty()) return 0.0;
      Eigen::LLT<MatrixXd> llt(marginal(joint, dims).covariances[0]);
      if (llt.info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
      return 2.0 * MatrixXd(llt.matrixL()).diagonal().array().log().sum();
    };
    McEstimate est;
    est.value = 0.5 * (log_det(cat(x, z)) + log_det(cat(y, z)) - log_det(cat(cat(x, y), z)) -
                       log_det(z));
    est.ok = std::isfinite(est.value);
    return est;
  }
#ifdef GMMMI_AVX2_DISPATCH
  // The common case, x then y covering every coordinate, in one fused pass.
  const Index d = joint.dim(), p = static_cast<Index>(x.size());
  bool blocks = z.empty() && cpu_has_avx2() && d <= kFusedMaxDim && joint.k() <= kFusedMaxK &&
                p + static_cast<Index>(y.size()) == d && M > 0;
  for (std::size_t a = 0; blocks && a < x.size(); ++a) blocks = x[a] == static_cast<int>(a);
  for (std::size_t a = 0; blocks && a < y.size(); ++a) blocks = y[a] == static_cast<int>(p + a);
  Factorised fj, fx, fy;
  blocks = blocks && factorise(joint, fj) && factorise(marginal(joint, x), fx) &&
           factorise(marginal(joint, y), fy);
  // Float keeps the whitened coordinates L^{-1} u - L^{-1} mu accurate only
  // while L^{-1} mu is moderate: near a component, where its terms matter,
  // both parts are about |L^{-1} mu|, and float leaves an error of 6e-8 times
  // that. A component collapsed onto a few points (tiny covariance) or far
  // out in the tails (heavy-tailed data) goes to the double passes instead.
  for (Index k = 0; blocks && k < joint.k(); ++k)
    blocks = fj.prec_means.col(k).cwiseAbs().maxCoeff() < 1e3 &&
             fy.prec_means.col(k).cwiseAbs().maxCoeff() < 1e3 &&
             joint.means.col(k).cwiseAbs().maxCoeff() < 1e15 &&
             joint.covariances[k].diagonal().maxCoeff() < 1e20;
  if (blocks) {
    const MiFactorsF F = mi_factors_float(fj, fy, joint, p);
    DensityWork work;
    MatrixXd tail;
    return mc_blocks(joint, fj, M, rng, abort, 4096,
                     [&](const MatrixXd& draws, double& sum, double& sum_sq) {
      const Index done = mi_rows_avx2(draws, F, sum, sum_sq);
      const Index rest = draws.rows() - done;
      if (rest == 0) return;
      tail = draws.bottomRows(rest);
      density_pass(tail, fj, work, false, Precision::fast);
      VectorXd v = work.log_dens;
      density_pass(tail.leftCols(p), fx, work, false, Precision::fast);
      v -= work.log_dens;
      density_pass(tail.rightCols(d - p), fy, work, false, Precision::fast);
      v -= work.log_dens;
      sum += v.sum();
      sum_sq += v.squaredNorm();
    });
  }
#endif
  return mc_expectation(joint, mi_terms(joint, x, y, z), M, rng, abort);
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
