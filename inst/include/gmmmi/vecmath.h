// exp() and log() over arrays, the innermost costs of every E-step and Monte
// Carlo integral (N x K exponentials and N logarithms per EM iteration).
//
// On x86-64 processors with AVX2 and FMA (checked at run time), a 4-wide
// kernel is used: Cody-Waite reduction x = k log 2 + r, |r| <= log(2)/2, and
// the degree-13 Taylor polynomial of exp(r), whose truncation error (< 1e-17)
// is below double rounding; log(x) = e log 2 + 2 atanh((m - 1) / (m + 1))
// with x = m 2^e, m in [sqrt(1/2), sqrt(2)), by the odd series to the 21st
// power (error < 1e-18). The density pass also has an 8-wide float exp for
// the terms of its log-sum-exp (see exp8f_nonpositive). Elsewhere the
// standard library or Eigen is used. The
// choice depends on the processor only, never on threads, so results are
// reproducible on a given machine.
#ifndef GMMMI_VECMATH_H
#define GMMMI_VECMATH_H

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(_WIN32) && \
    !defined(GMMMI_NO_AVX2)
// (Windows is left out: GCC there may spill 32-byte registers to a stack that
// is only 16-byte aligned.)
#define GMMMI_AVX2_DISPATCH 1
#include <immintrin.h>
#endif

namespace gmmmi {

#ifdef GMMMI_AVX2_DISPATCH
#define GMMMI_TARGET_AVX2 __attribute__((target("avx2,fma")))
// For small kernels called in hot loops with vector arguments.
#define GMMMI_ALWAYS_INLINE __attribute__((always_inline))

// exp of 4 doubles; values below -708 give 0, above 709 are clamped.
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline __m256d exp4(__m256d v) {
  const __m256d log2e = _mm256_set1_pd(1.4426950408889634074);
  const __m256d ln2_hi = _mm256_set1_pd(6.93145751953125e-1);
  const __m256d ln2_lo = _mm256_set1_pd(1.42860682030941723212e-6);
  const __m256d lo = _mm256_set1_pd(-708.0), hi = _mm256_set1_pd(709.0);
  const __m256d under = _mm256_cmp_pd(v, lo, _CMP_LT_OQ);  // exp underflows to 0
  v = _mm256_min_pd(_mm256_max_pd(v, lo), hi);
  const __m256d k = _mm256_round_pd(_mm256_mul_pd(v, log2e),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(k, ln2_hi, v);
  r = _mm256_fnmadd_pd(k, ln2_lo, r);
  // Horner on 1/j!, j = 13 down to 0.
  __m256d p = _mm256_set1_pd(1.0 / 6227020800.0);
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 479001600.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 39916800.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 3628800.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 362880.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 40320.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 5040.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 720.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 120.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 24.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 6.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  const __m256i k64 = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(k));
  const __m256d scale = _mm256_castsi256_pd(
      _mm256_slli_epi64(_mm256_add_epi64(k64, _mm256_set1_epi64x(1023)), 52));
  return _mm256_andnot_pd(under, _mm256_mul_pd(p, scale));
}

// exp of 8 floats for arguments <= 0 (the shifted log-densities of a
// log-sum-exp); arguments below -87 give 0. Same reduction as exp4, with the
// degree-7 Taylor polynomial (truncation error < 6e-9, below float rounding).
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline __m256 exp8f_nonpositive(__m256 v) {
  const __m256 lo = _mm256_set1_ps(-87.0f);
  const __m256 under = _mm256_cmp_ps(v, lo, _CMP_LT_OQ);
  v = _mm256_min_ps(_mm256_max_ps(v, lo), _mm256_setzero_ps());
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(v, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), v);
  r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256 scale = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23));
  return _mm256_andnot_ps(under, _mm256_mul_ps(p, scale));
}

GMMMI_TARGET_AVX2 inline void exp_avx2(double* x, std::ptrdiff_t n) {
  std::ptrdiff_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(x + i, exp4(_mm256_loadu_pd(x + i)));
  for (; i < n; ++i) x[i] = std::exp(x[i]);
}

// Natural logarithm of 4 positive normal numbers (the caller checks).
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline __m256d log4(__m256d v) {
  const __m256i mantissa = _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL);
  const __m256i one_bits = _mm256_set1_epi64x(0x3FF0000000000000LL);
  const __m256i magic_bits = _mm256_set1_epi64x(0x4330000000000000LL);
  const __m256d magic = _mm256_set1_pd(4503599627370496.0);  // 2^52
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256i bits = _mm256_castpd_si256(v);
  // Biased exponent as a double, through the 2^52 trick.
  __m256d e = _mm256_sub_pd(
      _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52), magic_bits)), magic);
  e = _mm256_sub_pd(e, _mm256_set1_pd(1023.0));
  __m256d m = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, mantissa), one_bits));
  const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730950488), _CMP_GE_OQ);
  m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
  e = _mm256_add_pd(e, _mm256_and_pd(big, one));
  const __m256d f = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
  const __m256d f2 = _mm256_mul_pd(f, f);
  __m256d p = _mm256_set1_pd(1.0 / 21.0);
  for (int k = 19; k >= 1; k -= 2) p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / k));
  const __m256d logm = _mm256_mul_pd(_mm256_add_pd(f, f), p);
  return _mm256_fmadd_pd(e, _mm256_set1_pd(6.93147180369123816490e-01),
                         _mm256_fmadd_pd(e, _mm256_set1_pd(1.90821492927058770002e-10), logm));
}

// Natural logarithm of 8 positive normal floats (the caller checks with
// log8f_domain): the reduction of log4 with the odd series to the 9th power
// (|f| <= 0.172, truncation error < 4e-10, below float rounding).
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline __m256 log8f(__m256 v) {
  const __m256i bits = _mm256_castps_si256(v);
  __m256 e = _mm256_cvtepi32_ps(
      _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_castps_si256(one)));
  const __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GE_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
  e = _mm256_add_ps(e, _mm256_and_ps(big, one));
  const __m256 f = _mm256_div_ps(_mm256_sub_ps(m, one), _mm256_add_ps(m, one));
  const __m256 f2 = _mm256_mul_ps(f, f);
  __m256 p = _mm256_set1_ps(1.0f / 9.0f);
  p = _mm256_fmadd_ps(p, f2, _mm256_set1_ps(1.0f / 7.0f));
  p = _mm256_fmadd_ps(p, f2, _mm256_set1_ps(1.0f / 5.0f));
  p = _mm256_fmadd_ps(p, f2, _mm256_set1_ps(1.0f / 3.0f));
  p = _mm256_fmadd_ps(p, f2, one);
  return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693147180559945f), _mm256_mul_ps(_mm256_add_ps(f, f), p));
}

// True when all 8 values are positive normal finite floats (log8f's domain).
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline bool log8f_domain(__m256 v) {
  const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(v, _mm256_set1_ps(1.17549435e-38f), _CMP_GE_OQ),
                                  _mm256_cmp_ps(v, _mm256_set1_ps(3.40282347e38f), _CMP_LE_OQ));
  return _mm256_movemask_ps(ok) == 0xFF;
}

// True when all 4 values are positive normal numbers (log4's domain).
GMMMI_TARGET_AVX2 GMMMI_ALWAYS_INLINE inline bool log4_domain(__m256d v) {
  const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(v, _mm256_set1_pd(2.2250738585072014e-308), _CMP_GE_OQ),
                                   _mm256_cmp_pd(v, _mm256_set1_pd(1.7976931348623157e308), _CMP_LE_OQ));
  return _mm256_movemask_pd(ok) == 0xF;
}

GMMMI_TARGET_AVX2 inline void log_avx2(double* x, std::ptrdiff_t n) {
  std::ptrdiff_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_loadu_pd(x + i);
    if (log4_domain(v)) {
      _mm256_storeu_pd(x + i, log4(v));
    } else {
      for (int j = 0; j < 4; ++j) x[i + j] = std::log(x[i + j]);
    }
  }
  for (; i < n; ++i) x[i] = std::log(x[i]);
}

inline bool cpu_has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

// x[i] <- exp(x[i]) for i in [0, n).
inline void exp_inplace(double* x, std::ptrdiff_t n) {
#ifdef GMMMI_AVX2_DISPATCH
  if (cpu_has_avx2()) {
    exp_avx2(x, n);
    return;
  }
#endif
  Eigen::Map<Eigen::ArrayXd> a(x, n);
  a = a.exp();
}

// x[i] <- log(x[i]) for i in [0, n).
inline void log_inplace(double* x, std::ptrdiff_t n) {
#ifdef GMMMI_AVX2_DISPATCH
  if (cpu_has_avx2()) {
    log_avx2(x, n);
    return;
  }
#endif
  for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = std::log(x[i]);
}

}  // namespace gmmmi

#endif
