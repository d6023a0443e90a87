// The AVX2 kernels of EM: the weighted moments of one component in one pass
// over the data (for the M-step), and the E-step fused with the M-step's
// moments, so that the N x K responsibilities are never stored.
#ifndef GMMMI_SIMD_EM_H
#define GMMMI_SIMD_EM_H

#include <vector>

#include "em_work.h"
#include "simd_density.h"

namespace gmmmi {

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

constexpr Index kEmPassMaxDim = 4, kEmPassMaxK = 64;

// The E-step and the M-step's moments in one pass, eight points at a time:
// each block's responsibilities go straight into per-component accumulators
// (moments about the current means, which the M-step takes as its previous
// means), so the N x K responsibilities are never stored nor read again.
// Fills work.moments and returns the weighted mean log-likelihood. Rows past
// the last multiple of 8 are done by the generic (exact) code.
GMMMI_TARGET_AVX2 inline double em_pass_avx2(const MatrixRef& X, const VectorXd& w,
                                            const Gmm& g, EmWork& work) {
  const Factorised& f = work.fac;
  const Index N = X.rows(), d = X.cols(), K = g.k();
  const Index Q = 1 + d + d * (d + 1) / 2;  // n, s_j, S_ab per component
  const Index n8 = N - N % 8;
  const bool weighted = w.size() == N;
  work.acc.assign(static_cast<std::size_t>(K * Q * 8), 0.0);
  double* acc = work.acc.data();
  alignas(32) double lk[kEmPassMaxK * 8];
  alignas(32) float ek[kEmPassMaxK * 8];
  __m256d xa[kEmPassMaxDim], xb[kEmPassMaxDim], ya[kEmPassMaxDim], yb[kEmPassMaxDim];
  __m256d ll = _mm256_setzero_pd();
  for (Index i = 0; i < n8; i += 8) {
    __m256d lda, ldb;
    const __m256 sum = density_rows8(X, i, f, lk, ek, xa, xb, lda, ldb);
    __m256d wa = _mm256_set1_pd(1.0), wb = wa;
    if (weighted) {
      wa = _mm256_loadu_pd(w.data() + i);
      wb = _mm256_loadu_pd(w.data() + i + 4);
    }
    ll = _mm256_fmadd_pd(wa, lda, _mm256_fmadd_pd(wb, ldb, ll));
    const __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), sum);
    for (Index k = 0; k < K; ++k) {
      const __m256 r = _mm256_mul_ps(_mm256_load_ps(ek + 8 * k), inv);
      const __m256d ra = _mm256_mul_pd(wa, _mm256_cvtps_pd(_mm256_castps256_ps128(r)));
      const __m256d rb = _mm256_mul_pd(wb, _mm256_cvtps_pd(_mm256_extractf128_ps(r, 1)));
      double* a = acc + k * Q * 8;
      _mm256_storeu_pd(a, _mm256_add_pd(_mm256_loadu_pd(a), ra));
      _mm256_storeu_pd(a + 4, _mm256_add_pd(_mm256_loadu_pd(a + 4), rb));
      for (Index j = 0; j < d; ++j) {
        const __m256d c = _mm256_set1_pd(g.means(j, k));
        const __m256d ta = _mm256_sub_pd(xa[j], c), tb = _mm256_sub_pd(xb[j], c);
        ya[j] = _mm256_mul_pd(ra, ta);  // r (x - c), then multiplied by (x - c)
        yb[j] = _mm256_mul_pd(rb, tb);
        double* q = a + (1 + j) * 8;
        _mm256_storeu_pd(q, _mm256_add_pd(_mm256_loadu_pd(q), ya[j]));
        _mm256_storeu_pd(q + 4, _mm256_add_pd(_mm256_loadu_pd(q + 4), yb[j]));
        for (Index l = 0; l <= j; ++l) {  // S(j, l) += r (x_j - c_j)(x_l - c_l)
          const __m256d cl = _mm256_set1_pd(g.means(l, k));
          double* qs = a + (1 + d + j * (j + 1) / 2 + l) * 8;
          _mm256_storeu_pd(qs, _mm256_fmadd_pd(ya[j], _mm256_sub_pd(xa[l], cl), _mm256_loadu_pd(qs)));
          _mm256_storeu_pd(qs + 4, _mm256_fmadd_pd(yb[j], _mm256_sub_pd(xb[l], cl), _mm256_loadu_pd(qs + 4)));
        }
      }
    }
  }
  Moments& m = work.moments;
  m.reset(K, d);
  for (Index k = 0; k < K; ++k) {
    const double* a = acc + k * Q * 8;
    auto lanes = [&](Index q) {
      const double* v = a + q * 8;
      return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
    };
    m.n[k] = lanes(0);
    for (Index j = 0; j < d; ++j) m.s(j, k) = lanes(1 + j);
    for (Index q = 0; q < d * (d + 1) / 2; ++q) m.S(q, k) = lanes(1 + d + q);
  }
  double total_ll = hsum4(ll);
  if (n8 < N) {
    DensityWork& tail = work.dens;
    log_components(X.bottomRows(N - n8), f, tail);
    log_sum_exp_rows(tail, true);
    for (Index t = 0; t < N - n8; ++t) {
      const Index i = n8 + t;
      const double wi = weighted ? w[i] : 1.0;
      total_ll += wi * tail.log_dens[t];
      for (Index k = 0; k < K; ++k) {
        const double r = wi * tail.logp(t, k);
        m.n[k] += r;
        for (Index j = 0, q = 0; j < d; ++j) {
          const double yj = X(i, j) - g.means(j, k);
          m.s(j, k) += r * yj;
          for (Index l = 0; l <= j; ++l, ++q) m.S(q, k) += r * yj * (X(i, l) - g.means(l, k));
        }
      }
    }
  }
  const double total_w = weighted ? w.sum() : static_cast<double>(N);
  return total_ll / total_w;
}
#endif

}  // namespace gmmmi

#endif
