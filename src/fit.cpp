// Glue for gmm_fit() and the methods of a fitted "gmm".
#include "glue.h"

// The fit is made on standardised columns, so that reg_covar (and init_scale)
// mean the same at every scale of the data and values near 1e+-300 neither
// overflow nor underflow; the model and log-likelihood come back in the
// data's units (see glue::gmm_to_r). `weights`, if given, are relative: the
// R side divides them by their largest value first, so their sum cannot
// overflow, and multiplies the log-likelihood back.
// [[Rcpp::export]]
Rcpp::List gmm_fit_cpp(Rcpp::NumericMatrix x, int k, std::string init, double init_scale,
                       int n_inits, double tol, double reg_covar, int max_iter,
                       Rcpp::Nullable<Rcpp::NumericVector> weights, int n_threads) {
  Eigen::MatrixXd X = glue::points(x);  // a copy: it is standardised in place
  gmmmi::Scaling scaling;
  if (!gmmmi::standardise(X, scaling)) Rcpp::stop("a column of the data has no spread");
  Eigen::VectorXd w;
  if (weights.isNotNull()) w = Rcpp::as<Eigen::VectorXd>(weights.get());
  gmmmi::FitSettings s;
  s.init = glue::init_from_r(init);
  s.init_scale = init_scale;
  s.n_inits = n_inits;
  s.em.tol = tol;
  s.em.reg_covar = reg_covar;
  s.em.max_iter = max_iter;
  const std::uint64_t seed = glue::seed_from_r();
  glue::RMonitor monitor;
  std::atomic<bool> abort{false};
  const gmmmi::FitOutcome out = gmmmi::fit_gmm(X, w, k, s, seed, n_threads, monitor, abort);
  if (out.best.status == gmmmi::FitStatus::aborted) glue::interrupted();
  const double total_weight = w.size() > 0 ? w.sum() : static_cast<double>(X.rows());
  return Rcpp::List::create(
      Rcpp::Named("model") = glue::gmm_to_r(out.best.model, scaling),
      Rcpp::Named("loglik") = (out.best.loglik + gmmmi::log_jacobian(scaling)) * total_weight,
      Rcpp::Named("n_iter") = out.best.n_iter, Rcpp::Named("converged") = out.best.converged,
      Rcpp::Named("status") = std::string(gmmmi::status_name(out.best.status)),
      Rcpp::Named("n_failed") = out.n_failed);
}

// Log-density of each row of newdata and the responsibilities (N x K).
// [[Rcpp::export]]
Rcpp::List gmm_density_cpp(Rcpp::List model, Rcpp::NumericMatrix newdata) {
  const gmmmi::Gmm g = glue::gmm_from_r(model);
  gmmmi::Factorised f;
  if (!gmmmi::factorise(g, f)) Rcpp::stop("the mixture has a covariance that is not positive definite");
  const Eigen::MatrixXd X = glue::points(newdata);
  gmmmi::DensityWork w;
  gmmmi::density_pass(X, f, w, true);
  return Rcpp::List::create(Rcpp::Named("log_density") = Rcpp::wrap(w.log_dens),
                            Rcpp::Named("responsibilities") = Rcpp::wrap(w.logp));
}

// [[Rcpp::export]]
Rcpp::List gmm_simulate_cpp(Rcpp::List model, int n) {
  const gmmmi::Gmm g = glue::gmm_from_r(model);
  gmmmi::Factorised f;
  if (!gmmmi::factorise(g, f)) Rcpp::stop("the mixture has a covariance that is not positive definite");
  gmmmi::Rng rng(glue::seed_from_r(), gmmmi::Stream::simulate, 0);
  Eigen::MatrixXd draws;
  std::vector<int> labels;
  gmmmi::sample_gmm(g, f, n, rng, draws, &labels);
  for (int& l : labels) ++l;
  return Rcpp::List::create(Rcpp::Named("x") = Rcpp::wrap(draws),
                            Rcpp::Named("component") = Rcpp::wrap(labels));
}
