// Glue for gmm_select(), gmm_mi(), gmm_entropy() and gmm_kl().
#include "glue.h"

namespace {

// The selection was made on data standardised by `scaling`: its
// log-likelihoods and its warm start come back in the data's units.
Rcpp::List selection_to_r(const gmmmi::SelectResult& s, const gmmmi::Scaling& scaling,
                          double n_obs) {
  const double log_jacobian = gmmmi::log_jacobian(scaling);
  const std::size_t n = s.table.size();
  Rcpp::IntegerVector k(n), init(n), max_iter(n);
  Rcpp::NumericVector valid(n), aic(n), bic(n), loglik(n);
  Rcpp::LogicalVector conv(n);
  // A K without a usable fit, or whose refit failed, has NA scores.
  auto na_unless_finite = [](double v) { return std::isfinite(v) ? v : NA_REAL; };
  for (std::size_t i = 0; i < n; ++i) {
    const gmmmi::KScore& r = s.table[i];
    k[i] = r.k;
    const double shift = n_obs * log_jacobian;
    valid[i] = na_unless_finite(r.validation + log_jacobian);
    aic[i] = na_unless_finite(r.aic - 2.0 * shift);
    bic[i] = na_unless_finite(r.bic - 2.0 * shift);
    loglik[i] = na_unless_finite(r.loglik + shift);
    init[i] = r.best_init + 1;
    conv[i] = r.converged;
    max_iter[i] = r.max_iter;
  }
  Rcpp::DataFrame table = Rcpp::DataFrame::create(
      Rcpp::Named("k") = k, Rcpp::Named("validation") = valid, Rcpp::Named("loglik") = loglik,
      Rcpp::Named("aic") = aic, Rcpp::Named("bic") = bic, Rcpp::Named("best_init") = init,
      Rcpp::Named("converged") = conv, Rcpp::Named("max_iter") = max_iter);
  return Rcpp::List::create(
      Rcpp::Named("table") = table, Rcpp::Named("n_components") = s.chosen_k,
      Rcpp::Named("warm_start") = s.chosen_k > 0
          ? static_cast<SEXP>(glue::gmm_to_r(s.warm_start, scaling)) : R_NilValue,
      Rcpp::Named("reached_max") = s.reached_max, Rcpp::Named("all_short") = s.all_short,
      Rcpp::Named("n_failed") = s.n_failed);
}

std::vector<int> dims_from_r(const Rcpp::IntegerVector& v) {
  std::vector<int> out(v.begin(), v.end());
  for (int& d : out) --d;
  return out;
}

}  // namespace

// [[Rcpp::export]]
Rcpp::List gmm_select_cpp(Rcpp::NumericMatrix x, Rcpp::List control, int n_threads,
                          SEXP progress) {
  Eigen::MatrixXd X = glue::points(x);  // a copy: it is standardised in place
  gmmmi::Scaling scaling;
  if (!gmmmi::standardise(X, scaling)) Rcpp::stop("a column of the data has no spread");
  const gmmmi::SelectSettings s = glue::settings_from_r(control);
  const std::uint64_t seed = glue::seed_from_r();
  glue::RMonitor monitor(progress);
  std::atomic<bool> abort{false};
  const gmmmi::SelectResult res = gmmmi::select_components(X, s, seed, n_threads, monitor, abort);
  if (res.aborted) glue::interrupted();
  return selection_to_r(res, scaling, X.rows());
}

// [[Rcpp::export]]
Rcpp::List gmm_mi_cpp(Rcpp::NumericMatrix x, Rcpp::IntegerVector x_dims,
                      Rcpp::IntegerVector y_dims, Rcpp::IntegerVector z_dims,
                      Rcpp::List control, int n_bootstrap, double mc_samples, int n_threads,
                      SEXP progress, Rcpp::Nullable<Rcpp::NumericMatrix> alternative) {
  gmmmi::MiSettings s;
  s.select = glue::settings_from_r(control);
  s.n_bootstrap = n_bootstrap;
  s.mc_samples = static_cast<Eigen::Index>(mc_samples);
  s.reselect = Rcpp::as<bool>(control["reselect"]);
  s.tie_floor = Rcpp::as<bool>(control["tie_floor"]);
  s.select_rows = glue::rows_from_r(control["select_rows"]);
  s.bootstrap_rows = glue::rows_from_r(control["bootstrap_rows"]);
  s.mc_error_ratio = Rcpp::as<double>(control["mc_error_ratio"]);
  s.x = dims_from_r(x_dims);
  s.y = dims_from_r(y_dims);
  s.z = dims_from_r(z_dims);
  const std::uint64_t seed = glue::seed_from_r();
  glue::RMonitor monitor(progress);
  gmmmi::MiResult r;
  try {
    Eigen::MatrixXd alt;
    if (alternative.isNotNull()) alt = glue::points(Rcpp::NumericMatrix(alternative.get()));
    r = gmmmi::estimate_mi(Eigen::MatrixXd(glue::points(x)), s, seed, n_threads, monitor,
                           std::move(alt));
  } catch (const std::invalid_argument& e) {
    Rcpp::stop(e.what());
  }
  if (r.aborted) glue::interrupted();
  const double log_jacobian = gmmmi::log_jacobian(r.scaling);
  return Rcpp::List::create(
      Rcpp::Named("bootstrap") = Rcpp::wrap(r.bootstrap),
      Rcpp::Named("bootstrap_mc_se") = glue::na_for_nan(r.bootstrap_mc_se),
      Rcpp::Named("bootstrap_k") = Rcpp::wrap(r.bootstrap_k),
      Rcpp::Named("full_mi") = r.full_mi.value,
      Rcpp::Named("full_mc_se") = glue::na_for_nan(r.full_mi.mc_se),
      Rcpp::Named("fit") = glue::gmm_to_r(r.full_fit.model, r.scaling),
      Rcpp::Named("fit_loglik") = r.full_fit.loglik + log_jacobian,
      Rcpp::Named("fit_n_iter") = r.full_fit.n_iter,
      Rcpp::Named("fit_converged") = r.full_fit.converged,
      Rcpp::Named("selection") = selection_to_r(r.selection, r.scaling,
                                                static_cast<double>(r.selection_rows)),
      Rcpp::Named("selection_rows") = static_cast<double>(r.selection_rows),
      Rcpp::Named("n_retried") = r.n_retried,
      Rcpp::Named("n_failed") = r.n_failed,
      Rcpp::Named("shrink") = r.shrink,
      Rcpp::Named("coding") = r.coding_compared
          ? static_cast<SEXP>(Rcpp::List::create(
                Rcpp::Named("alternative") = r.coding.alternative,
                Rcpp::Named("score") = r.coding.score, Rcpp::Named("score_alt") = r.coding.score_alt,
                Rcpp::Named("gain") = r.coding.gain, Rcpp::Named("gain_se") = r.coding.gain_se,
                Rcpp::Named("z") = s.coding_z, Rcpp::Named("trimmed") = r.coding.trimmed))
          : R_NilValue);
}

// Monte Carlo integrals on fitted mixtures: "entropy" of p, or "kl" of p from q.
// [[Rcpp::export]]
Rcpp::List gmm_integral_cpp(Rcpp::List p, Rcpp::Nullable<Rcpp::List> q, std::string type,
                            double mc_samples) {
  const gmmmi::Gmm gp = glue::gmm_from_r(p);
  gmmmi::Rng rng(glue::seed_from_r(), gmmmi::Stream::monte_carlo, 0);
  const Eigen::Index M = static_cast<Eigen::Index>(mc_samples);
  const gmmmi::Gmm gq = type == "entropy" ? gmmmi::Gmm() : glue::gmm_from_r(Rcpp::List(q.get()));
  gmmmi::McEstimate e;
  glue::run_interruptible([&](std::atomic<bool>& abort) {
    e = type == "entropy" ? gmmmi::entropy(gp, M, rng, &abort)
                          : gmmmi::kl_divergence(gp, gq, M, rng, &abort);
  });
  if (!e.ok) Rcpp::stop("the integral could not be computed: a covariance is not positive definite");
  return Rcpp::List::create(Rcpp::Named("value") = e.value, Rcpp::Named("mc_se") = e.mc_se);
}

// Category-continuous MI: `labels` codes each row of y as 1..n_levels.
// [[Rcpp::export]]
Rcpp::List gmm_mi_categorical_cpp(Rcpp::NumericMatrix y, Rcpp::IntegerVector labels, int n_levels,
                                  Rcpp::NumericVector prior, bool empirical_prior,
                                  Rcpp::List control, int n_bootstrap, double mc_samples,
                                  int n_threads, SEXP progress) {
  const auto Y = glue::points(y);
  std::vector<std::vector<Eigen::Index>> rows(static_cast<std::size_t>(n_levels));
  for (R_xlen_t i = 0; i < labels.size(); ++i) rows[static_cast<std::size_t>(labels[i] - 1)].push_back(i);
  std::vector<Eigen::MatrixXd> groups;
  for (const auto& r : rows) {
    Eigen::MatrixXd g(static_cast<Eigen::Index>(r.size()), Y.cols());
    for (std::size_t i = 0; i < r.size(); ++i) g.row(static_cast<Eigen::Index>(i)) = Y.row(r[i]);
    groups.push_back(std::move(g));
  }
  gmmmi::CategoricalSettings s;
  s.select = glue::settings_from_r(control);
  s.n_bootstrap = n_bootstrap;
  s.mc_samples = static_cast<Eigen::Index>(mc_samples);
  s.prior.assign(prior.begin(), prior.end());
  s.empirical_prior = empirical_prior;
  s.tie_floor = Rcpp::as<bool>(control["tie_floor"]);
  s.quadrature = Rcpp::as<bool>(control["quadrature"]);
  const std::uint64_t seed = glue::seed_from_r();
  glue::RMonitor monitor(progress);
  gmmmi::CategoricalResult r;
  try {
    r = gmmmi::estimate_categorical_mi(std::move(groups), s, seed, n_threads, monitor);
  } catch (const std::invalid_argument& e) {
    Rcpp::stop(e.what());
  }
  if (r.aborted) glue::interrupted();
  const double log_jacobian = gmmmi::log_jacobian(r.scaling);
  Rcpp::List selections(n_levels), fits(n_levels);
  for (int c = 0; c < n_levels; ++c) {
    selections[c] = selection_to_r(r.selections[c], r.scaling,
                                   static_cast<double>(rows[static_cast<std::size_t>(c)].size()));
    Rcpp::List fit = glue::gmm_to_r(r.full_fits[c].model, r.scaling);
    fit["loglik"] = r.full_fits[c].loglik + log_jacobian;
    fit["n_iter"] = r.full_fits[c].n_iter;
    fit["converged"] = r.full_fits[c].converged;
    fits[c] = fit;
  }
  return Rcpp::List::create(
      Rcpp::Named("bootstrap") = Rcpp::wrap(r.bootstrap),
      Rcpp::Named("bootstrap_mc_se") = glue::na_for_nan(r.bootstrap_mc_se),
      Rcpp::Named("full_mi") = r.full_mi.value,
      Rcpp::Named("full_mc_se") = glue::na_for_nan(r.full_mi.mc_se),
      Rcpp::Named("fits") = fits, Rcpp::Named("selections") = selections,
      Rcpp::Named("n_retried") = r.n_retried, Rcpp::Named("n_failed") = r.n_failed);
}
