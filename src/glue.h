// Shared pieces of the Rcpp glue: conversions between R lists and gmmmi::Gmm,
// the R-side monitor (interrupts, progress) and the seed drawn from R's RNG.
#ifndef GMMMI_GLUE_H
#define GMMMI_GLUE_H

#include <RcppEigen.h>
#include <gmmmi/gmmmi.h>

namespace glue {

// A mixture as R sees it: list(weights, means = K x d, covariances = d x d x K).
inline Rcpp::List gmm_to_r(const gmmmi::Gmm& g) {
  const int K = static_cast<int>(g.k()), d = static_cast<int>(g.dim());
  Rcpp::NumericVector cov(Rcpp::Dimension(d, d, K));
  for (int k = 0; k < K; ++k)
    std::copy(g.covariances[k].data(), g.covariances[k].data() + d * d, cov.begin() + k * d * d);
  return Rcpp::List::create(Rcpp::Named("weights") = Rcpp::wrap(Eigen::VectorXd(g.weights)),
                            Rcpp::Named("means") = Rcpp::wrap(Eigen::MatrixXd(g.means.transpose())),
                            Rcpp::Named("covariances") = cov);
}

// A mixture fitted on standardised data: in the data's units when they can
// represent it, else in standardised units with fields `center` and `scale`
// (data = center + scale * standardised), which every R method of "gmm" honours.
inline Rcpp::List gmm_to_r(const gmmmi::Gmm& g, const gmmmi::Scaling& s) {
  gmmmi::Gmm u;
  if (gmmmi::unstandardise_if_representable(g, s, u)) return gmm_to_r(u);
  Rcpp::List out = gmm_to_r(g);
  out["center"] = Rcpp::wrap(s.center);
  out["scale"] = Rcpp::wrap(s.scale);
  return out;
}

inline gmmmi::Gmm gmm_from_r(const Rcpp::List& x) {
  gmmmi::Gmm g;
  g.weights = Rcpp::as<Eigen::VectorXd>(x["weights"]);
  const Eigen::MatrixXd means = Rcpp::as<Eigen::MatrixXd>(x["means"]);
  g.means = means.transpose();
  const int K = static_cast<int>(g.weights.size()), d = static_cast<int>(means.cols());
  Rcpp::NumericVector cov = x["covariances"];
  g.covariances.resize(K);
  for (int k = 0; k < K; ++k)
    g.covariances[k] = Eigen::Map<const Eigen::MatrixXd>(cov.begin() + k * d * d, d, d);
  return g;
}

// An R matrix (one point per row, the core's layout too), viewed without a copy.
inline Eigen::Map<const Eigen::MatrixXd> points(const Rcpp::NumericMatrix& x) {
  return Eigen::Map<const Eigen::MatrixXd>(x.begin(), x.nrow(), x.ncol());
}

// A 64-bit master seed from R's RNG, so that set.seed() reproduces results.
inline std::uint64_t seed_from_r() {
  Rcpp::RNGScope scope;
  const std::uint64_t hi = static_cast<std::uint64_t>(R::unif_rand() * 4294967296.0);
  const std::uint64_t lo = static_cast<std::uint64_t>(R::unif_rand() * 4294967296.0);
  return (hi << 32) ^ lo;
}

// A Monte Carlo error as R reports it: NA where it is unknown (NaN, from one
// draw).
inline double na_for_nan(double v) { return std::isnan(v) ? NA_REAL : v; }
inline Rcpp::NumericVector na_for_nan(const std::vector<double>& v) {
  Rcpp::NumericVector out(v.begin(), v.end());
  for (double& x : out)
    if (std::isnan(x)) x = NA_REAL;
  return out;
}

inline void check_interrupt_fn(void*) { R_CheckUserInterrupt(); }

// Runs on R's main thread only (parallel_for calls it from the calling thread).
class RMonitor : public gmmmi::Monitor {
 public:
  explicit RMonitor(SEXP progress = R_NilValue) : progress_(progress) {}
  bool interrupted() override { return R_ToplevelExec(check_interrupt_fn, nullptr) == FALSE; }
  void progress(std::size_t done, std::size_t total) override {
    if (Rf_isNull(progress_) || done == last_) return;
    last_ = done;
    Rcpp::Function f(progress_);
    f(static_cast<double>(done), static_cast<double>(total));
  }

 private:
  SEXP progress_;
  std::size_t last_ = static_cast<std::size_t>(-1);
};

[[noreturn]] inline void interrupted() { throw Rcpp::internal::InterruptedException(); }

// Runs work(abort) on a worker thread while R's main thread polls for
// interrupts (and rethrows the work's exceptions): for a long computation
// outside the parallel searches, such as a Monte Carlo integral, a
// simulation or a density pass over many rows. The work polls `abort`; an
// interrupt reaches R as an interrupt.
template <class Work>
void run_interruptible(Work work) {
  RMonitor monitor;
  std::atomic<bool> abort{false};
  if (!gmmmi::parallel_for(1, 1, monitor, abort, [&](std::size_t) { work(abort); }))
    interrupted();
}

inline gmmmi::InitType init_from_r(const std::string& s) {
  gmmmi::InitType t;
  if (!gmmmi::parse_init(s, t)) Rcpp::stop("unknown initialisation '%s'", s);
  return t;
}

// A number of rows above which a shortcut applies; Inf (never) is 0.
inline Eigen::Index rows_from_r(SEXP v) {
  const double r = Rcpp::as<double>(v);
  return std::isfinite(r) ? static_cast<Eigen::Index>(r) : 0;
}

// Fit and selection settings from a validated gmm_mi_control() list: the
// preset of its rule (rules.h), every setting then taken from the list.

inline gmmmi::SelectSettings settings_from_r(const Rcpp::List& c) {
  const std::string rule = Rcpp::as<std::string>(c["selection"]);
  gmmmi::SelectSettings s;
  if (!gmmmi::rule_by_name(rule, s)) Rcpp::stop("unknown selection rule '%s'", rule);
  s.fit.init = init_from_r(Rcpp::as<std::string>(c["init"]));
  s.fit.init_scale = Rcpp::as<double>(c["init_scale"]);
  s.fit.n_inits = Rcpp::as<int>(c["n_inits"]);
  s.fit.em.tol = Rcpp::as<double>(c["tol"]);
  s.fit.em.reg_covar = Rcpp::as<double>(c["reg_covar"]);
  s.fit.em.max_iter = Rcpp::as<int>(c["max_iter"]);
  s.fit.em.min_iter = Rcpp::as<int>(c["min_iter"]);
  s.fit.em.accelerate = Rcpp::as<bool>(c["accelerate"]);
  s.fit.raise_floor = Rcpp::as<bool>(c["raise_floor"]);
  s.n_folds = Rcpp::as<int>(c["n_folds"]);
  s.max_components = Rcpp::as<int>(c["max_components"]);
  s.threshold = Rcpp::as<double>(c["threshold"]);
  s.patience = Rcpp::as<int>(c["patience"]);
  s.k_margin = Rcpp::as<double>(c["k_margin"]);
  const std::string crit = Rcpp::as<std::string>(c["criterion"]);
  s.criterion = crit == "aic" ? gmmmi::Criterion::aic
                : crit == "bic" ? gmmmi::Criterion::bic
                                : gmmmi::Criterion::validation;
  SEXP fixed = c["fixed_components"];
  s.fixed_components = Rf_isNull(fixed) ? 0 : Rcpp::as<int>(fixed);
  return s;
}

}  // namespace glue

#endif
