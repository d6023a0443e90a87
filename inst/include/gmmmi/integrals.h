// Monte Carlo integrals over a fitted mixture: mutual information,
// conditional mutual information, entropy and KL divergence (vignette
// "method", sections 5 "Mutual information by Monte Carlo" and 7
// "Conditional MI").
//
// Each is the mean over draws u ~ p of a sum of signed log-densities of
// marginals of p (or of another mixture); one routine serves them all. The
// common case of MI has a fused AVX2 pass of its own (simd_integrals.h).
#ifndef GMMMI_INTEGRALS_H
#define GMMMI_INTEGRALS_H

#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "density.h"
#include "sample.h"
#include "simd_integrals.h"

namespace gmmmi {

// A term coef * log q(u[dims]), with q the named mixture.
struct LogTerm {
  const Gmm* model;
  std::vector<int> dims;  // empty: all coordinates
  double coef;
};

struct McEstimate {
  double value = 0.0;
  double mc_se = 0.0;  // Monte Carlo standard error of the mean (NaN from one draw)
  bool ok = true;
  Index draws = 0;     // Monte Carlo draws (0: a closed form)
};

// Whether an MI value is possible: finite, not below 0 by more than
// kImplausibleSe Monte Carlo standard errors (plus kImplausibleAbs, for
// rounding: the density pass sums single-precision exponentials, so the MI
// of a fit with no dependence can come out at -5e-8 with a Monte Carlo se
// of 6e-9), and not above `upper` (the entropy of a
// discrete side) by more. The MI of a fitted mixture is not negative, so a
// value beyond that is the mark of a fit or an integral that broke down
// numerically (a component collapsed in the far tails, say), not of Monte
// Carlo noise. From fewer than kGuardDraws draws the standard error is too
// rough a yardstick (from one, unknown), and only finiteness counts.
constexpr double kImplausibleSe = 4.0, kImplausibleAbs = 1e-6;
constexpr Index kGuardDraws = 32;
inline bool plausible_mi(const McEstimate& e,
                         double upper = std::numeric_limits<double>::infinity()) {
  if (!e.ok || !std::isfinite(e.value)) return false;
  if (std::isnan(e.mc_se) || (e.draws > 0 && e.draws < kGuardDraws)) return true;
  const double slack = kImplausibleSe * e.mc_se + kImplausibleAbs;
  return e.value >= -slack && e.value <= upper + slack;
}

// The Monte Carlo loop shared by every integral: draws M points from
// `source` in blocks, so that memory stays bounded for any M, and lets
// add_block(draws, sum, sum_sq) add the block's integrand values and their
// squares. Returns false when an interrupt (`abort` raised) ended it early.
template <class AddBlock>
bool mc_sums(const Gmm& source, const Factorised& fsrc, Index M, Rng& rng,
             const std::atomic<bool>* abort, Index block, double& sum, double& sum_sq,
             AddBlock add_block) {
  MatrixXd draws;
  for (Index start = 0; start < M; start += block) {
    if (abort != nullptr && abort->load(std::memory_order_relaxed)) return false;
    sample_gmm(source, fsrc, std::min(block, M - start), rng, draws);
    add_block(draws, sum, sum_sq);
  }
  return true;
}

// The sample variance of n values from their sum and sum of squares; NaN
// from one value, whose spread cannot be estimated.
inline double mc_variance(double sum, double sum_sq, double n) {
  return n > 1 ? std::max(0.0, (sum_sq - sum * sum / n) / (n - 1.0))
               : std::numeric_limits<double>::quiet_NaN();
}

// The mean of the integrand over M draws (see mc_sums) and its Monte Carlo
// standard error; ok = false when interrupted.
template <class AddBlock>
McEstimate mc_blocks(const Gmm& source, const Factorised& fsrc, Index M, Rng& rng,
                     const std::atomic<bool>* abort, Index block, AddBlock add_block) {
  McEstimate est;
  double sum = 0.0, sum_sq = 0.0;
  if (!mc_sums(source, fsrc, M, rng, abort, block, sum, sum_sq, add_block)) {
    est.ok = false;
    return est;
  }
  const double n = static_cast<double>(M);
  est.value = sum / n;
  est.mc_se = std::sqrt(mc_variance(sum, sum_sq, n) / n);
  est.draws = M;
  est.ok = std::isfinite(est.value);
  return est;
}

inline std::vector<int> concat(std::vector<int> a, const std::vector<int>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
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
  if (z.empty()) return {{&joint, {}, 1.0}, {&joint, x, -1.0}, {&joint, y, -1.0}};
  return {{&joint, {}, 1.0}, {&joint, z, 1.0}, {&joint, concat(x, z), -1.0},
          {&joint, concat(y, z), -1.0}};
}

// One Gaussian: the (conditional) MI in closed form, 1/2 log(det S_x det
// S_y / det S_xy), with every block taken jointly with z when z is given
// (and det S_z in the denominator). No Monte Carlo error.
inline McEstimate gaussian_mi(const Gmm& joint, const std::vector<int>& x,
                              const std::vector<int>& y, const std::vector<int>& z) {
  auto log_det = [&](const std::vector<int>& dims) {
    if (dims.empty()) return 0.0;
    Eigen::LLT<MatrixXd> llt(marginal(joint, dims).covariances[0]);
    if (llt.info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
    return 2.0 * MatrixXd(llt.matrixL()).diagonal().array().log().sum();
  };
  McEstimate est;
  est.value = 0.5 * (log_det(concat(x, z)) + log_det(concat(y, z)) -
                     log_det(concat(concat(x, y), z)) - log_det(z));
  est.ok = std::isfinite(est.value);
  return est;
}

#ifdef GMMMI_AVX2_DISPATCH
// Whether the fused pass can take I(X; Y): no z, x then y covering every
// coordinate in order, within the kernel's sizes, and every factor within
// what float carries. Factorises the joint and both marginals on the way.
inline bool fused_mi_applies(const Gmm& joint, const std::vector<int>& x,
                             const std::vector<int>& y, const std::vector<int>& z, Index M,
                             Factorised& fj, Factorised& fx, Factorised& fy) {
  const Index d = joint.dim(), p = static_cast<Index>(x.size());
  bool blocks = z.empty() && cpu_has_avx2() && d <= kFusedMaxDim && joint.k() <= kFusedMaxK &&
                p + static_cast<Index>(y.size()) == d && M > 0;
  for (std::size_t a = 0; blocks && a < x.size(); ++a) blocks = x[a] == static_cast<int>(a);
  for (std::size_t a = 0; blocks && a < y.size(); ++a) blocks = y[a] == static_cast<int>(p + a);
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
  return blocks;
}

// I(X; Y) with x the first p coordinates and y the rest: eight draws at a
// time by the fused kernel, the draws left over by the double passes.
inline McEstimate fused_mutual_information(const Gmm& joint, const Factorised& fj,
                                           const Factorised& fx, const Factorised& fy, Index p,
                                           Index M, Rng& rng, const std::atomic<bool>* abort) {
  const Index d = joint.dim();
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

// I(X; Y) = E[log p(x, y) - log p(x) - log p(y)] over draws from the model
// of (x, y), or, with z non-empty, I(X; Y | Z) =
// E[log p(z) + log p(x, y, z) - log p(x, z) - log p(y, z)].
inline McEstimate mutual_information(const Gmm& joint, const std::vector<int>& x,
                                     const std::vector<int>& y, const std::vector<int>& z,
                                     Index M, Rng& rng,
                                     const std::atomic<bool>* abort = nullptr) {
  if (joint.k() == 1) return gaussian_mi(joint, x, y, z);
#ifdef GMMMI_AVX2_DISPATCH
  // The common case, x then y covering every coordinate, in one fused pass.
  Factorised fj, fx, fy;
  if (fused_mi_applies(joint, x, y, z, M, fj, fx, fy))
    return fused_mutual_information(joint, fj, fx, fy, static_cast<Index>(x.size()), M, rng,
                                    abort);
#endif
  return mc_expectation(joint, mi_terms(joint, x, y, z), M, rng, abort);
}

// Differential entropy -E[log p(u)]; ok = false when `abort` ended it.
inline McEstimate entropy(const Gmm& g, Index M, Rng& rng,
                          const std::atomic<bool>* abort = nullptr) {
  return mc_expectation(g, {{&g, {}, -1.0}}, M, rng, abort);
}

// KL(p || q) = E_p[log p(u) - log q(u)] for mixtures of the same dimension.
inline McEstimate kl_divergence(const Gmm& p, const Gmm& q, Index M, Rng& rng,
                                const std::atomic<bool>* abort = nullptr) {
  return mc_expectation(p, {{&p, {}, 1.0}, {&q, {}, -1.0}}, M, rng, abort);
}

}  // namespace gmmmi

#endif
