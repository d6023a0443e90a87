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

// Mean over M draws from `source` of sum_t coef_t log q_t(u[dims_t]).
inline McEstimate mc_expectation(const Gmm& source, const std::vector<LogTerm>& terms, Index M,
                                 Rng& rng, const std::atomic<bool>* abort = nullptr,
                                 Index block = 4096) {
  Factorised fsrc;
  if (!factorise(source, fsrc) || M <= 0) return McEstimate{0.0, 0.0, false};
  struct Prepared {
    Factorised fac;
    std::vector<int> dims;
    double coef;
  };
  std::vector<Prepared> prep;
  for (const LogTerm& t : terms) {
    Prepared p;
    const Gmm m = t.dims.empty() ? *t.model : marginal(*t.model, t.dims);
    if (!factorise(m, p.fac)) return McEstimate{0.0, 0.0, false};
    p.dims = t.dims;
    p.coef = t.coef;
    prep.push_back(std::move(p));
  }
  MatrixXd sub;
  VectorXd point;
  DensityWork work;
  return mc_blocks(source, fsrc, M, rng, abort, block,
                   [&](const MatrixXd& draws, double& sum, double& sum_sq) {
    const Index b = draws.rows();
    point.setZero(b);
    for (const Prepared& p : prep) {
      if (p.dims.empty()) {
        density_pass(draws, p.fac, work, false, Precision::fast);
      } else {
        sub.resize(b, static_cast<Index>(p.dims.size()));
        for (std::size_t a = 0; a < p.dims.size(); ++a)
          sub.col(static_cast<Index>(a)) = draws.col(p.dims[a]);
        density_pass(sub, p.fac, work, false, Precision::fast);
      }
      point += p.coef * work.log_dens;
    }
    sum += point.sum();
    sum_sq += point.squaredNorm();
  });
}

#ifdef GMMMI_AVX2_DISPATCH
// log p(x, y) - log p(x) - log p(y) for the rows of U whose first p
// coordinates are x and the rest y, eight rows at a time, added to sum and
// sum_sq; returns the number of rows done (the rest are left to the caller).
// The joint's whitened coordinates L^{-1}(u - mu) begin with those of the
// marginal of x (the leading block of a lower-triangular inverse is the
// inverse of the leading block), so one pass gives both; the marginal of y
// has its own factors fy. lnx holds the marginal of x's log-normalisers.
GMMMI_TARGET_AVX2 inline Index mi_rows_avx2(const MatrixXd& U, Index p, const Factorised& fj,
                                            const VectorXd& lnx, const Factorised& fy,
                                            double& sum, double& sum_sq) {
  const Index N = U.rows(), d = U.cols(), K = fj.log_norm.size(), q = d - p;
  const Index n8 = N - N % 8;
  alignas(32) double lj[kFusedMaxK * 8], lx[kFusedMaxK * 8], ly[kFusedMaxK * 8];
  alignas(32) float ek[kFusedMaxK * 8];
  __m256d xa[kFusedMaxDim], xb[kFusedMaxDim];
  const __m256d neg_inf = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
  const __m256d minus_half = _mm256_set1_pd(-0.5);
  __m256d acc = _mm256_setzero_pd(), acc_sq = _mm256_setzero_pd();
  for (Index i = 0; i < n8; i += 8) {
    for (Index j = 0; j < d; ++j) {
      xa[j] = _mm256_loadu_pd(U.data() + j * N + i);
      xb[j] = _mm256_loadu_pd(U.data() + j * N + i + 4);
    }
    __m256d mja = neg_inf, mjb = neg_inf, mxa = neg_inf, mxb = neg_inf, mya = neg_inf, myb = neg_inf;
    for (Index k = 0; k < K; ++k) {
      const double* P = fj.prec_chol[k].data();
      __m256d sa = _mm256_setzero_pd(), sb = _mm256_setzero_pd();
      __m256d va, vb;
      for (Index j = 0; j < d; ++j) {
        if (j == p) {  // the marginal of x is complete
          const __m256d ln = _mm256_set1_pd(lnx[k]);
          va = _mm256_fmadd_pd(minus_half, sa, ln);
          vb = _mm256_fmadd_pd(minus_half, sb, ln);
          _mm256_store_pd(lx + 8 * k, va);
          _mm256_store_pd(lx + 8 * k + 4, vb);
          mxa = _mm256_max_pd(mxa, va);
          mxb = _mm256_max_pd(mxb, vb);
        }
        const __m256d pm = _mm256_set1_pd(-fj.prec_means(j, k));
        __m256d ta = pm, tb = pm;
        for (Index l = 0; l <= j; ++l) {
          const __m256d c = _mm256_set1_pd(P[l * d + j]);
          ta = _mm256_fmadd_pd(c, xa[l], ta);
          tb = _mm256_fmadd_pd(c, xb[l], tb);
        }
        sa = _mm256_fmadd_pd(ta, ta, sa);
        sb = _mm256_fmadd_pd(tb, tb, sb);
      }
      __m256d ln = _mm256_set1_pd(fj.log_norm[k]);
      va = _mm256_fmadd_pd(minus_half, sa, ln);
      vb = _mm256_fmadd_pd(minus_half, sb, ln);
      _mm256_store_pd(lj + 8 * k, va);
      _mm256_store_pd(lj + 8 * k + 4, vb);
      mja = _mm256_max_pd(mja, va);
      mjb = _mm256_max_pd(mjb, vb);
      // The marginal of y, from its own factors.
      const double* Q = fy.prec_chol[k].data();
      sa = _mm256_setzero_pd();
      sb = _mm256_setzero_pd();
      for (Index j = 0; j < q; ++j) {
        const __m256d pm = _mm256_set1_pd(-fy.prec_means(j, k));
        __m256d ta = pm, tb = pm;
        for (Index l = 0; l <= j; ++l) {
          const __m256d c = _mm256_set1_pd(Q[l * q + j]);
          ta = _mm256_fmadd_pd(c, xa[p + l], ta);
          tb = _mm256_fmadd_pd(c, xb[p + l], tb);
        }
        sa = _mm256_fmadd_pd(ta, ta, sa);
        sb = _mm256_fmadd_pd(tb, tb, sb);
      }
      ln = _mm256_set1_pd(fy.log_norm[k]);
      va = _mm256_fmadd_pd(minus_half, sa, ln);
      vb = _mm256_fmadd_pd(minus_half, sb, ln);
      _mm256_store_pd(ly + 8 * k, va);
      _mm256_store_pd(ly + 8 * k + 4, vb);
      mya = _mm256_max_pd(mya, va);
      myb = _mm256_max_pd(myb, vb);
    }
    __m256d ja, jb, xa_, xb_, ya, yb;
    log_sum_exp8(lj, K, mja, mjb, ek, ja, jb);
    log_sum_exp8(lx, K, mxa, mxb, ek, xa_, xb_);
    log_sum_exp8(ly, K, mya, myb, ek, ya, yb);
    const __m256d va = _mm256_sub_pd(_mm256_sub_pd(ja, xa_), ya);
    const __m256d vb = _mm256_sub_pd(_mm256_sub_pd(jb, xb_), yb);
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
#ifdef GMMMI_AVX2_DISPATCH
  // The common case, x then y covering every coordinate, in one fused pass.
  const Index d = joint.dim(), p = static_cast<Index>(x.size());
  bool blocks = z.empty() && cpu_has_avx2() && d <= kFusedMaxDim && joint.k() <= kFusedMaxK &&
                p + static_cast<Index>(y.size()) == d && M > 0;
  for (std::size_t a = 0; blocks && a < x.size(); ++a) blocks = x[a] == static_cast<int>(a);
  for (std::size_t a = 0; blocks && a < y.size(); ++a) blocks = y[a] == static_cast<int>(p + a);
  Factorised fj, fx, fy;
  if (blocks && factorise(joint, fj) && factorise(marginal(joint, x), fx) &&
      factorise(marginal(joint, y), fy)) {
    // log-normalisers of the marginal of x from the joint's factors, so
    // that they match the whitened coordinates the joint pass computes
    VectorXd lnx(joint.k());
    for (Index k = 0; k < joint.k(); ++k)
      lnx[k] = std::log(joint.weights[k]) - 0.5 * static_cast<double>(p) * kLog2Pi -
               fj.chol[k].diagonal().head(p).array().log().sum();
    DensityWork work;
    MatrixXd tail;
    return mc_blocks(joint, fj, M, rng, abort, 4096,
                     [&](const MatrixXd& draws, double& sum, double& sum_sq) {
      const Index done = mi_rows_avx2(draws, p, fj, lnx, fy, sum, sum_sq);
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
  std::vector<LogTerm> terms;
  if (z.empty()) {
    terms = {{&joint, {}, 1.0}, {&joint, x, -1.0}, {&joint, y, -1.0}};
  } else {
    terms = {{&joint, {}, 1.0}, {&joint, z, 1.0}, {&joint, cat(x, z), -1.0},
             {&joint, cat(y, z), -1.0}};
  }
  return mc_expectation(joint, terms, M, rng, abort);
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
