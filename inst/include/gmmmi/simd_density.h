// The AVX2 kernel of the density pass: log w_k + log N(x; mu_k, Sigma_k) of
// every component and their log-sum-exp, eight points at a time, in
// registers. The EM pass (simd_em.h) and the fused MI pass
// (simd_integrals.h) reuse its pieces. Rows past the last multiple of eight
// go to the portable steps of model.h.
#ifndef GMMMI_SIMD_DENSITY_H
#define GMMMI_SIMD_DENSITY_H

#include <limits>

#include "model.h"

namespace gmmmi {

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

}  // namespace gmmmi

#endif
