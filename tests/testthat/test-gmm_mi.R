test_that("MI of a correlated Gaussian pair is close to the closed form", {
  set.seed(11)
  n <- 4000
  rho <- 0.6
  x <- rnorm(n)
  y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
  res <- gmm_mi(x, y, n_bootstrap = 20, mc_samples = 2e4, n_threads = 2)
  truth <- -0.5 * log(1 - rho^2)
  expect_s3_class(res, "gmm_mi")
  expect_lt(abs(res$estimate - truth), 3 * res$se + 0.01)
})
