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
  g.means.resize(d, K);
  g.covariances.resize(K);
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
inline double e_step(const MatrixRef& X, const VectorXd& w, const Gmm& g, EmWork& work) {
  if (!factorise(g, work.fac)) return std::numeric_limits<double>::quiet_NaN();
  density_pass(X, work.fac, work.dens, true);
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
    if (iter > 0 && iter >= ctl.min_iter && std::abs(ll - previous) < ctl.tol) {
      res.converged = true;
      return res;
    }
    if (iter >= ctl.max_iter) return res;
    previous = ll;
    if (!m_step(X, w, ctl.reg_covar, work, res.model)) {
      res.status = FitStatus::empty_component;
      return res;
    }
  }
}

}  // namespace gmmmi

#endif
