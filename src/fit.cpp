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

// Log-density of each row of newdata and, when asked, the responsibilities
// (N x K; else NULL), written into R's vectors block by block (each row on
// its own, so the blocks do not change the values), on a worker thread so
// that an interrupt is seen.
// [[Rcpp::export]]
Rcpp::List gmm_density_cpp(Rcpp::List model, Rcpp::NumericMatrix newdata,
                           bool responsibilities = true) {
  const gmmmi::Gmm g = glue::gmm_from_r(model);
  gmmmi::Factorised f;
  if (!gmmmi::factorise(g, f)) Rcpp::stop("the mixture has a covariance that is not positive definite");
  const auto X = glue::points(newdata);
  const Eigen::Index N = X.rows(), K = g.k();
  // Not filled here: the worker writes every value (and the first touch of
  // the pages, slow for large N, happens where an interrupt is seen).
  Rcpp::NumericVector log_density(Rcpp::no_init(N));
  Rcpp::NumericMatrix resp(Rcpp::no_init(responsibilities ? static_cast<int>(N) : 0,
                                         static_cast<int>(K)));
  double* ld = log_density.begin();
  double* rp = resp.begin();
  glue::run_interruptible([&](std::atomic<bool>& abort) {
    gmmmi::DensityWork w;
    const Eigen::Index block = 65536;
    for (Eigen::Index i = 0; i < N && !abort.load(); i += block) {
      const Eigen::Index n = std::min(block, N - i);
      gmmmi::density_pass(X.middleRows(i, n), f, w, responsibilities);
      Eigen::Map<Eigen::VectorXd>(ld + i, n) = w.log_dens;
      if (responsibilities)
        Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>>(rp + i, n, K, Eigen::OuterStride<>(N)) =
            w.logp;
    }
  });
  return Rcpp::List::create(
      Rcpp::Named("log_density") = log_density,
      Rcpp::Named("responsibilities") = responsibilities ? static_cast<SEXP>(resp) : R_NilValue);
}

// [[Rcpp::export]]
Rcpp::List gmm_simulate_cpp(Rcpp::List model, int n) {
  const gmmmi::Gmm g = glue::gmm_from_r(model);
  gmmmi::Factorised f;
  if (!gmmmi::factorise(g, f)) Rcpp::stop("the mixture has a covariance that is not positive definite");
  gmmmi::Rng rng(glue::seed_from_r(), gmmmi::Stream::simulate, 0);
  Eigen::MatrixXd draws;
  std::vector<int> labels;
  glue::run_interruptible([&](std::atomic<bool>& abort) {
    gmmmi::sample_gmm(g, f, n, rng, draws, &labels, &abort);
  });
  for (int& l : labels) ++l;
  return Rcpp::List::create(Rcpp::Named("x") = Rcpp::wrap(draws),
                            Rcpp::Named("component") = Rcpp::wrap(labels));
}
