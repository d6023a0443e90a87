// exp() over arrays, the innermost cost of every E-step and Monte Carlo
// integral (N x K of them per EM iteration).
//
// On x86-64 processors with AVX2 and FMA (checked at run time), a 4-wide
// kernel is used: Cody-Waite reduction x = k log 2 + r, |r| <= log(2)/2, and
// the degree-13 Taylor polynomial of exp(r), whose truncation error (< 1e-17)
// is below double rounding. Elsewhere Eigen's portable kernel is used. The
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
__attribute__((target("avx2,fma"))) inline void exp_avx2(double* x, std::ptrdiff_t n) {
  const __m256d log2e = _mm256_set1_pd(1.4426950408889634074);
  const __m256d ln2_hi = _mm256_set1_pd(6.93145751953125e-1);
  const __m256d ln2_lo = _mm256_set1_pd(1.42860682030941723212e-6);
  const __m256d lo = _mm256_set1_pd(-708.0), hi = _mm256_set1_pd(709.0);
  const __m256i bias = _mm256_set1_epi64x(1023);
  // 1/j! for j = 13 down to 0.
  static const double c[14] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                               1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                               1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                               1.0 / 24.0,         1.0 / 6.0,         0.5,
                               1.0,                1.0};
  std::ptrdiff_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d v = _mm256_loadu_pd(x + i);
    const __m256d under = _mm256_cmp_pd(v, lo, _CMP_LT_OQ);  // exp underflows to 0
    v = _mm256_min_pd(_mm256_max_pd(v, lo), hi);
    const __m256d k = _mm256_round_pd(_mm256_mul_pd(v, log2e),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, ln2_hi, v);
    r = _mm256_fnmadd_pd(k, ln2_lo, r);
    __m256d p = _mm256_set1_pd(c[0]);
    for (int j = 1; j < 14; ++j) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[j]));
    const __m256i k64 = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(k));
    const __m256d scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(k64, bias), 52));
    _mm256_storeu_pd(x + i, _mm256_andnot_pd(under, _mm256_mul_pd(p, scale)));
  }
  for (; i < n; ++i) x[i] = std::exp(x[i]);
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

}  // namespace gmmmi

#endif
