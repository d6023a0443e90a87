// Expectation-maximisation for a full-covariance Gaussian mixture (vignette
// "method", section 1 "The mixture and EM"), with optional non-negative
// observation weights (bootstrap counts). Its AVX2 kernels are in simd_em.h.
#ifndef GMMMI_EM_H
#define GMMMI_EM_H

#include <atomic>
#include <cmath>
#include <vector>

#include "density.h"
#include "em_work.h"
#include "simd_em.h"

namespace gmmmi {

// The floor of every covariance: reg_covar added to each diagonal entry and,
// where given, a rounding variance per coordinate (a tied column's
// delta^2 / 12, resolution_floor() in scaling.h) that the covariance must
// hold at least: C is replaced by D + (C - D)+, D the diagonal of those
// variances and (.)+ the positive part of a symmetric matrix (negative
// eigenvalues set to 0). A component broad enough to contain the rounding
// noise keeps its covariance (adding D to it would blur the fit and lower the
// MI); one that collapses onto repeated values, or onto a line of them,
// keeps at least D, so its density stays bounded.
struct CovFloor {
  double reg = 0.0;
  const VectorXd* coordinate = nullptr;  // null or empty: none
  void apply(MatrixXd& C) const {
    if (coordinate != nullptr && coordinate->size() == C.rows()) lift(C);
    C.diagonal().array() += reg;
  }

 private:
  void lift(MatrixXd& C) const {
    C.diagonal() -= *coordinate;
    Eigen::SelfAdjointEigenSolver<MatrixXd> eig(C);
    if (eig.info() == Eigen::Success && eig.eigenvalues().minCoeff() < 0.0) {
      const VectorXd lambda = eig.eigenvalues().cwiseMax(0.0);
      C = eig.eigenvectors() * lambda.asDiagonal() * eig.eigenvectors().transpose();
      C = 0.5 * (C + C.transpose()).eval();
    }
    C.diagonal() += *coordinate;
  }
};

struct EmControl {
  double tol = 1e-5;        // on the change of the mean per-sample log-likelihood
  double reg_covar = 1e-15; // added to every covariance diagonal
  VectorXd tie_floor;       // rounding variance of each coordinate (empty: none)
  int max_iter = 10000;
  int min_iter = 0;         // EM steps taken before the tolerance may stop the fit
  bool accelerate = true;   // SQUAREM extrapolation between EM steps (see em())
  CovFloor floor() const { return CovFloor{reg_covar, &tie_floor}; }
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

// The M-step from moments about the previous means g.means: weights n_k /
// sum n, means c_k + s_k / n_k, covariances S_k / n_k - (s_k / n_k)(s_k /
// n_k)' + the floor. Returns false when a component is left with (almost)
// no weight: it has no defined mean, and the caller restarts rather than
// divide by zero.
inline bool params_from_moments(const Moments& m, const CovFloor& cov_floor, Gmm& g) {
  const Index K = m.n.size(), d = m.s.rows();
  const double total = m.n.sum();
  const double floor = 10.0 * std::numeric_limits<double>::epsilon() * total;
  for (Index k = 0; k < K; ++k)
    if (!(m.n[k] > floor)) return false;
  g.weights = m.n / total;
  g.covariances.resize(K);
  for (Index k = 0; k < K; ++k) {
    const VectorXd shift = m.s.col(k) / m.n[k];
    MatrixXd& C = g.covariances[k];
    C.resize(d, d);
    for (Index a = 0, q = 0; a < d; ++a)
      for (Index b = 0; b <= a; ++b, ++q) {
        const double v = m.S(q, k) / m.n[k] - shift[a] * shift[b];
        C(a, b) = v;
        C(b, a) = v;
      }
    cov_floor.apply(C);
    g.means.col(k) += shift;
  }
  return true;
}

// M-step: maximises the expected complete-data log-likelihood given the
// responsibilities in work.dens.logp. Returns false on an empty component.
// Every sum runs down contiguous columns (no general matrix product: at the
// small d of MI problems its packing costs more than the arithmetic).
inline bool m_step(const MatrixRef& X, const VectorXd& w, const CovFloor& cov_floor,
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
#ifdef GMMMI_AVX2_DISPATCH
  if (cpu_has_avx2() && d <= kFusedMaxDim && g.means.rows() == d && g.means.cols() == K &&
      g.means.allFinite()) {
    Moments& m = work.moments;
    m.reset(K, d);
    for (Index k = 0; k < K; ++k) {
      const VectorXd c = g.means.col(k);  // the previous mean
      weighted_moments_avx2(X, wr.col(k).data(), c.data(), m.n[k], m.s.col(k).data(),
                            m.S.col(k).data());
    }
    return params_from_moments(m, cov_floor, g);
  }
#endif
  g.weights = nk / total;
  g.covariances.resize(K);
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
    cov_floor.apply(S);
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

// theta0 - 2 a r + a^2 v with r = theta1 - theta0, v = theta2 - 2 theta1 +
// theta0, for every parameter (the SQUAREM extrapolation, Varadhan and
// Roland 2008). The step length a = -|r| / |v| is at most -1 (a = -1 gives
// theta2). Returns false when the extrapolated weights are not all positive.
inline bool squarem_point(const Gmm& t0, const Gmm& t1, const Gmm& t2, Gmm& out) {
  const Index K = t0.k();
  double rr = (t1.weights - t0.weights).squaredNorm() + (t1.means - t0.means).squaredNorm();
  double vv = (t2.weights - 2.0 * t1.weights + t0.weights).squaredNorm() +
              (t2.means - 2.0 * t1.means + t0.means).squaredNorm();
  for (Index k = 0; k < K; ++k) {
    rr += (t1.covariances[k] - t0.covariances[k]).squaredNorm();
    vv += (t2.covariances[k] - 2.0 * t1.covariances[k] + t0.covariances[k]).squaredNorm();
  }
  if (!(vv > 0.0) || !(rr > 0.0)) return false;
  const double a = std::min(-1.0, -std::sqrt(rr / vv));
  const double c0 = 1.0 + 2.0 * a + a * a, c1 = -2.0 * a - 2.0 * a * a, c2 = a * a;
  out.weights = c0 * t0.weights + c1 * t1.weights + c2 * t2.weights;
  if (!(out.weights.array() > 0.0).all()) return false;
  out.weights /= out.weights.sum();
  out.means = c0 * t0.means + c1 * t1.means + c2 * t2.means;
  out.covariances.resize(K);
  for (Index k = 0; k < K; ++k)
    out.covariances[k] = c0 * t0.covariances[k] + c1 * t1.covariances[k] + c2 * t2.covariances[k];
  return out.means.allFinite();
}

// One run of EM (em() below): the data, the settings, the scratch, and the
// E- and M-steps on whichever pass the machine has, counting E-steps.
class EmRun {
 public:
  EmRun(const MatrixRef& X, const VectorXd& w, const Gmm& start, const EmControl& ctl,
        const std::atomic<bool>* abort)
      : X_(X), w_(w), ctl_(ctl), abort_(abort) {
#ifdef GMMMI_AVX2_DISPATCH
    fused_ = cpu_has_avx2() && X.cols() <= kEmPassMaxDim && start.k() <= kEmPassMaxK &&
             start.means.allFinite();
#else
    (void)start;
#endif
  }

  // E-step at g: the mean log-likelihood (NaN when g cannot be factorised),
  // leaving what the M-step needs in the scratch.
  double e_at(const Gmm& g) {
    ++n_e_;
    if (fused_) {
#ifdef GMMMI_AVX2_DISPATCH
      return factorise(g, work_.fac) ? em_pass_avx2(X_, w_, g, work_)
                                     : std::numeric_limits<double>::quiet_NaN();
#endif
    }
    return e_step(X_, w_, g, work_);
  }
  // M-step after e_at(g): F(g) into next.
  bool m_after(const Gmm& g, Gmm& next) {
    next = g;
    return fused_ ? params_from_moments(work_.moments, ctl_.floor(), next)
                  : m_step(X_, w_, ctl_.floor(), work_, next);
  }
  // E-steps taken before the one in progress.
  int iterations() const { return n_e_ - 1; }
  EmResult finish(const Gmm& g, bool converged) {
    EmResult res;
    res.model = g;
    res.n_iter = n_e_ - 1;
    res.converged = converged;
    // The iterations ran on the fast pass; report the exact value.
    res.loglik = e_step(X_, w_, res.model, work_, Precision::exact);
    return res;
  }
  EmResult fail(const Gmm& g, FitStatus status) const {
    EmResult res;
    res.model = g;
    res.n_iter = std::max(0, n_e_ - 1);
    res.status = status;
    return res;
  }
  // Why a log-likelihood is not finite.
  EmResult fail_at(const Gmm& g, double ll) const {
    return fail(g, std::isnan(ll) ? (work_.fac.ok ? FitStatus::nonfinite : FitStatus::singular)
                                  : FitStatus::nonfinite);
  }
  bool aborted() const { return abort_ != nullptr && abort_->load(std::memory_order_relaxed); }
  // Whether the fit stops at the point of E-step log-likelihood ll, the
  // previous one having been prev (never at the first step).
  bool converged(double ll, double prev, bool first) const {
    return !first && iterations() >= ctl_.min_iter && std::abs(ll - prev) < ctl_.tol;
  }
  bool out_of_steps() const { return iterations() >= ctl_.max_iter; }
  bool accelerate() const { return ctl_.accelerate; }
  bool may_jump() const { return n_e_ < ctl_.max_iter; }

 private:
  const MatrixRef& X_;
  const VectorXd& w_;
  const EmControl& ctl_;
  const std::atomic<bool>* abort_;
  EmWork work_;
  bool fused_ = false;  // E-step and M-step moments in one pass
  int n_e_ = 0;
};

// Runs EM from `start`. `w` is empty (unit weights) or one weight per point.
// The returned log-likelihood belongs to the returned parameters.
//
// With ctl.accelerate, EM steps are combined by SQUAREM: from theta0 two EM
// steps give theta1 and theta2, and the fit jumps to the extrapolated point
// (see squarem_point), which is kept only when its log-likelihood is at least
// that of theta1 (else theta2 is taken). EM on mixtures often creeps along a
// ridge for hundreds of steps; the jumps cut the number of E-steps several
// times. Convergence is judged exactly as in plain EM: a fit stops at F(p)
// when the EM step p -> F(p) changed the mean log-likelihood by less than
// tol, and n_iter counts E-steps.
inline EmResult em(const MatrixRef& X, const VectorXd& w, const Gmm& start,
                   const EmControl& ctl, const std::atomic<bool>* abort = nullptr) {
  EmRun run(X, w, start, ctl, abort);
  Gmm theta0 = start, theta1, theta2, jump, next;
  // `prev` is the log-likelihood of the point whose EM step gave theta0, or
  // -inf at the start.
  double prev = -std::numeric_limits<double>::infinity();
  bool first = true;
  for (;;) {
    // Plain EM step theta0 -> theta1, with the convergence test of theta0.
    if (run.aborted()) return run.fail(theta0, FitStatus::aborted);
    const double ll0 = run.e_at(theta0);
    if (!std::isfinite(ll0)) return run.fail_at(theta0, ll0);
    if (run.converged(ll0, prev, first)) return run.finish(theta0, true);
    if (run.out_of_steps()) return run.finish(theta0, false);
    first = false;
    if (!run.m_after(theta0, theta1)) return run.fail(theta0, FitStatus::empty_component);
    if (!run.accelerate()) {
      prev = ll0;
      theta0.swap(theta1);
      continue;
    }
    // Second step theta1 -> theta2.
    if (run.aborted()) return run.fail(theta1, FitStatus::aborted);
    const double ll1 = run.e_at(theta1);
    if (!std::isfinite(ll1)) return run.fail_at(theta1, ll1);
    if (run.converged(ll1, ll0, false)) return run.finish(theta1, true);
    if (run.out_of_steps()) return run.finish(theta1, false);
    if (!run.m_after(theta1, theta2)) return run.fail(theta1, FitStatus::empty_component);
    // The jump, kept when it does not lose to theta1; its EM step starts the
    // next cycle.
    if (squarem_point(theta0, theta1, theta2, jump) && run.may_jump()) {
      if (run.aborted()) return run.fail(theta2, FitStatus::aborted);
      const double llj = run.e_at(jump);
      if (std::isfinite(llj) && llj >= ll1 && run.m_after(jump, next)) {
        prev = llj;
        theta0.swap(next);
        continue;
      }
    }
    prev = ll1;
    theta0.swap(theta2);
  }
}

}  // namespace gmmmi

#endif
