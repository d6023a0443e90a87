// The AVX2 kernel of the fused mutual-information pass: log p(x, y) - log
// p(x) - log p(y) for eight draws at a time, in float, from one whitening of
// the joint that also gives the marginal of x (see mutual_information in
// integrals.h for when it is used).
#ifndef GMMMI_SIMD_INTEGRALS_H
#define GMMMI_SIMD_INTEGRALS_H

#include <cmath>
#include <limits>
#include <vector>

#include "simd_density.h"

namespace gmmmi {

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

}  // namespace gmmmi

#endif
