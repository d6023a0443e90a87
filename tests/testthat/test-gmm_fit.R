# Tests of gmm_fit() (the methods of its "gmm" object: test-gmm.R). Numbers
# are checked against known truth: the generating parameters, closed forms,
# mclust's maximised log-likelihood, or an R re-computation (helper-data.R).

# --- Recovery and optimality ---------------------------------------------

test_that("a known 3-component 2-D mixture is recovered at N = 20000", {
  tr <- truth_three_2d()
  set.seed(20000)
  x <- rmix_gauss(20000, tr$w, tr$mu, tr$S)
  fit <- gmm_fit(x, k = 3, n_inits = 3, n_threads = 2)
  expect_s3_class(fit, "gmm")
  expect_true(fit$converged)
  idx <- match_components(fit$means, tr$mu)
  expect_setequal(idx, 1:3)  # a one-to-one matching
  for (j in 1:3) {
    expect_lt(max(abs(fit$means[idx[j], ] - tr$mu[j, ])), 0.05)
    expect_lt(abs(fit$weights[[idx[j]]] - tr$w[j]), 0.02)
    expect_lt(max(abs(fit$covariances[, , idx[j]] - tr$S[[j]])), 0.1)
  }
  expect_equal(sum(fit$weights), 1, tolerance = 1e-12)
  expect_equal(fit$n, 20000)
})

test_that("the final log-likelihood is not below mclust's on 5 datasets", {
  skip_on_cran()
  skip_if_not_installed("mclust")
  # Moderately separated mixtures of random full covariances, d = 2 or 3,
  # K = 2 to 4.
  rand_cov <- function(d) {
    a <- matrix(rnorm(d * d), d)
    crossprod(a) / d + diag(0.2, d)
  }
  settings <- list(c(d = 2, k = 2), c(d = 3, k = 2), c(d = 2, k = 3), c(d = 3, k = 3),
                   c(d = 2, k = 4))
  for (s in seq_along(settings)) {
    d <- settings[[s]][["d"]]
    k <- settings[[s]][["k"]]
    set.seed(100 + s)
    mu <- matrix(rnorm(k * d, sd = 2.5), k)
    S <- replicate(k, rand_cov(d), simplify = FALSE)
    w <- runif(k, 0.5, 1)
    x <- rmix_gauss(600, w / sum(w), mu, S)
    ref <- mclust_loglik(x, k)
    fit <- gmm_fit(x, k, n_inits = 5)
    expect_true(is.finite(fit$loglik))
    expect_gte(fit$loglik, ref - 1e-6 * abs(ref), label = sprintf("dataset %d: gmm_fit loglik", s))
    # The reported loglik is the total log-likelihood of the returned
    # parameters.
    expect_equal(fit$loglik, sum(gmm_logdensity_ref(fit, x)), tolerance = 1e-9)
  }
})

test_that("the default start reaches mclust's VVV log-likelihood, where random responsibilities stall", {
  skip_if_not_installed("mclust")
  # Mixtures of random full covariances, d = 2 or 3, K = 3 to 5; the first is
  # the trap of issue 15: N = 20000, where one start from random
  # responsibilities stops at a saddle far below the maximum.
  rand_cov <- function(d) {
    a <- matrix(rnorm(d * d), d)
    crossprod(a) / d + diag(0.2, d)
  }
  settings <- list(c(seed = 502, d = 2, k = 3, n = 20000), c(seed = 504, d = 2, k = 4, n = 3000),
                   c(seed = 507, d = 2, k = 5, n = 2000), c(seed = 508, d = 3, k = 4, n = 1500))
  for (s in settings) {
    set.seed(s[["seed"]])
    d <- s[["d"]]
    k <- s[["k"]]
    mu <- matrix(rnorm(k * d, sd = 2), k)
    S <- replicate(k, rand_cov(d), simplify = FALSE)
    w <- runif(k, 0.5, 1)
    x <- rmix_gauss(s[["n"]], w / sum(w), mu, S)
    ref <- mclust_loglik(x, k)
    fit <- gmm_fit(x, k, n_threads = 1)
    expect_identical(fit$init, "mixed")
    expect_gte(fit$loglik, ref - 1e-6 * abs(ref),
               label = sprintf("seed %d: gmm_fit()'s loglik", s[["seed"]]))
    if (s[["seed"]] == 502) {
      stalled <- suppressWarnings(gmm_fit(x, k, init = "random_responsibilities", n_inits = 1,
                                          n_threads = 1))
      expect_lt(stalled$loglik, ref - 1000)
    }
  }
})

test_that("K = 1 gives the sample mean and the 1/N covariance", {
  set.seed(3)
  x <- matrix(rnorm(600), ncol = 3) %*% matrix(c(2, 0.5, 0, 0, 1, 0.3, 0, 0, 0.5), 3) + 1
  n <- nrow(x)
  for (init in c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                 "randomized_kmeans", "random", "minmax")) {
    fit <- gmm_fit(x, k = 1, init = init)
    expect_equal(unname(fit$weights), 1, tolerance = 1e-12)
    expect_equal(unname(fit$means[1, ]), colMeans(x), tolerance = 1e-8)
    expect_equal(unname(fit$covariances[, , 1]), cov(x) * (n - 1) / n, tolerance = 1e-8)
    # Closed-form maximum of the Gaussian log-likelihood.
    S <- cov(x) * (n - 1) / n
    ll <- -0.5 * n * (3 * log(2 * pi) + as.numeric(determinant(S)$modulus) + 3)
    expect_equal(fit$loglik, ll, tolerance = 1e-8)
  }
  # A vector is one column.
  y <- rnorm(50, 3, 2)
  fit <- gmm_fit(y, k = 1)
  expect_equal(unname(fit$means[1, 1]), mean(y), tolerance = 1e-8)
  expect_equal(unname(fit$covariances[1, 1, 1]), mean((y - mean(y))^2), tolerance = 1e-8)
})

# --- Weights ---------------------------------------------------------------

test_that("integer weights give the same fit as replicated rows", {
  tr <- truth_two_2d()
  set.seed(5)
  x <- rmix_gauss(150, tr$w, tr$mu, tr$S)
  w <- rep_len(1:4, nrow(x))
  xr <- x[rep(seq_len(nrow(x)), w), ]
  # "minmax" draws its start from the bounding box and K only, which both
  # data sets share, so the two starts (and hence the EM paths) coincide.
  set.seed(55)
  fw <- gmm_fit(x, k = 2, init = "minmax", weights = w, tol = 1e-10)
  set.seed(55)
  fr <- gmm_fit(xr, k = 2, init = "minmax", tol = 1e-10)
  expect_equal(fw$n, sum(w))
  expect_equal(fr$n, nrow(xr))
  expect_equal(fw$loglik, fr$loglik, tolerance = 1e-6)
  expect_equal(fw$weights, fr$weights, tolerance = 1e-6)
  expect_equal(fw$means, fr$means, tolerance = 1e-6)
  expect_equal(fw$covariances, fr$covariances, tolerance = 1e-6)
  # And from any start, both reach the same (global) optimum of this well
  # separated mixture.
  set.seed(56)
  gw <- gmm_fit(x, k = 2, weights = w, n_inits = 3, tol = 1e-10)
  set.seed(57)
  gr <- gmm_fit(xr, k = 2, n_inits = 3, tol = 1e-10)
  ow <- order(gw$means[, 1])
  or <- order(gr$means[, 1])
  expect_equal(gw$loglik, gr$loglik, tolerance = 1e-6)
  expect_equal(unname(gw$means[ow, ]), unname(gr$means[or, ]), tolerance = 1e-5)
  expect_equal(unname(gw$weights[ow]), unname(gr$weights[or]), tolerance = 1e-5)
})

test_that("rows of weight zero are as good as absent", {
  tr <- truth_two_2d()
  set.seed(61)
  x <- rmix_gauss(300, tr$w, tr$mu, tr$S)
  w <- rep_len(c(1, 0, 2), nrow(x))
  # k-means++ draws rows in proportion to their weight, so a row of weight
  # zero is never drawn and both fits start from the same centres.
  set.seed(62)
  a <- gmm_fit(x, k = 2, init = "kmeans", weights = w, tol = 1e-10)
  set.seed(62)
  b <- gmm_fit(x[w > 0, ], k = 2, init = "kmeans", weights = w[w > 0], tol = 1e-10)
  expect_equal(a$n, b$n)
  expect_equal(a$loglik, b$loglik, tolerance = 1e-6)
  expect_equal(a$means, b$means, tolerance = 1e-6)
  expect_equal(a$covariances, b$covariances, tolerance = 1e-6)
})

test_that("scaling every weight by a constant scales only the total log-likelihood", {
  tr <- truth_two_2d()
  set.seed(6)
  x <- rmix_gauss(200, tr$w, tr$mu, tr$S)
  set.seed(66)
  a <- gmm_fit(x, k = 2)
  set.seed(66)
  b <- gmm_fit(x, k = 2, weights = rep(2.5, nrow(x)))
  expect_equal(b$loglik, 2.5 * a$loglik, tolerance = 1e-10)
  expect_equal(b$means, a$means, tolerance = 1e-10)
  expect_equal(b$covariances, a$covariances, tolerance = 1e-10)
  expect_equal(nobs(b), 2.5 * nrow(x))
})

# --- Reproducibility ---------------------------------------------------------

test_that("set.seed() reproduces a fit exactly, whatever the number of threads", {
  tr <- truth_three_2d()
  set.seed(7)
  x <- rmix_gauss(1000, tr$w, tr$mu, tr$S)
  set.seed(77)
  a <- gmm_fit(x, k = 3, n_inits = 4, n_threads = 1)
  set.seed(77)
  b <- gmm_fit(x, k = 3, n_inits = 4, n_threads = 1)
  expect_identical(a, b)
  set.seed(77)
  c2 <- gmm_fit(x, k = 3, n_inits = 4, n_threads = 2)
  expect_identical(fit_without_call(c2), fit_without_call(a))
  for (init in c("kmeans", "random", "randomized_kmeans")) {
    set.seed(78)
    p <- gmm_fit(x, k = 4, init = init, n_inits = 4, n_threads = 1)
    set.seed(78)
    q <- gmm_fit(x, k = 4, init = init, n_inits = 4, n_threads = 2)
    expect_identical(fit_without_call(p), fit_without_call(q))
  }
  # A different seed gives different starts (the fit is really random).
  set.seed(79)
  d <- suppressWarnings(gmm_fit(x, k = 3, init = "random_responsibilities", n_threads = 1, tol = 1))
  set.seed(80)
  e <- suppressWarnings(gmm_fit(x, k = 3, init = "random_responsibilities", n_threads = 1, tol = 1))
  expect_false(identical(d$means, e$means))
})

# --- Bad input ---------------------------------------------------------------

test_that("every bad input is a gmmmi_error_input naming the argument", {
  set.seed(13)
  x <- matrix(rnorm(40), 20)
  bad_x <- function(v) {
    y <- x
    y[3, 2] <- v
    y
  }
  expect_x_error <- function(expr) {
    expect_error(expr, class = "gmmmi_error_input", regexp = "`x`")
  }
  expect_x_error(gmm_fit(bad_x(NA), 2))
  expect_x_error(gmm_fit(bad_x(NaN), 2))
  expect_x_error(gmm_fit(bad_x(Inf), 2))
  expect_x_error(gmm_fit(bad_x(-Inf), 2))
  expect_x_error(gmm_fit(c(1, 2, NA, 4), 1))
  expect_x_error(gmm_fit(matrix(letters[1:10], 5), 1))
  expect_x_error(gmm_fit(letters, 1))
  expect_x_error(gmm_fit(data.frame(a = rnorm(10), b = factor(1:10)), 1))
  expect_x_error(gmm_fit(data.frame(a = rnorm(10), b = letters[1:10]), 1))
  expect_x_error(gmm_fit(list(1:5, 1:5), 1))
  expect_x_error(gmm_fit(NULL, 1))
  expect_x_error(gmm_fit(TRUE, 1))
  expect_x_error(gmm_fit(1:10 + 0i, 1))
  expect_x_error(gmm_fit(array(rnorm(8), c(2, 2, 2)), 1))
  expect_x_error(gmm_fit(matrix(numeric(0), 0, 2), 1))
  expect_x_error(gmm_fit(numeric(0), 1))
  expect_x_error(gmm_fit(data.frame(a = numeric(0)), 1))

  # k
  expect_error(gmm_fit(x[1:3, ], 4), class = "gmmmi_error_input", regexp = "`k`")
  for (k in list(0, -1, 2.5, "a", NA, NA_real_, c(1, 2), Inf, NULL, TRUE)) {
    expect_error(gmm_fit(x, k), class = "gmmmi_error_input", regexp = "`k`",
                 label = paste("k =", deparse(k)))
  }

  # Numeric settings.
  expect_error(gmm_fit(x, 2, reg_covar = -1), class = "gmmmi_error_input", regexp = "`reg_covar`")
  expect_error(gmm_fit(x, 2, reg_covar = NA), class = "gmmmi_error_input", regexp = "`reg_covar`")
  expect_error(gmm_fit(x, 2, reg_covar = "a"), class = "gmmmi_error_input", regexp = "`reg_covar`")
  expect_error(gmm_fit(x, 2, tol = -1e-3), class = "gmmmi_error_input", regexp = "`tol`")
  expect_error(gmm_fit(x, 2, tol = NaN), class = "gmmmi_error_input", regexp = "`tol`")
  expect_error(gmm_fit(x, 2, tol = c(1e-5, 1e-6)), class = "gmmmi_error_input", regexp = "`tol`")
  expect_error(gmm_fit(x, 2, n_inits = 0), class = "gmmmi_error_input", regexp = "`n_inits`")
  expect_error(gmm_fit(x, 2, max_iter = 0), class = "gmmmi_error_input", regexp = "`max_iter`")
  expect_error(gmm_fit(x, 2, n_threads = 0), class = "gmmmi_error_input", regexp = "`n_threads`")
  expect_error(gmm_fit(x, 2, init_scale = -1), class = "gmmmi_error_input",
               regexp = "`init_scale`")

  # Weights.
  expect_error(gmm_fit(x, 2, weights = rep(1, 19)), class = "gmmmi_error_input",
               regexp = "`weights`")
  expect_error(gmm_fit(x, 2, weights = rep(1, 21)), class = "gmmmi_error_input",
               regexp = "`weights`")
  expect_error(gmm_fit(x, 2, weights = c(-1, rep(1, 19))), class = "gmmmi_error_input",
               regexp = "`weights`")
  expect_error(gmm_fit(x, 2, weights = c(NA, rep(1, 19))), class = "gmmmi_error_input",
               regexp = "`weights`")
  expect_error(gmm_fit(x, 2, weights = c(Inf, rep(1, 19))), class = "gmmmi_error_input",
               regexp = "`weights`")
  expect_error(gmm_fit(x, 2, weights = rep(0, 20)), class = "gmmmi_error_input",
               regexp = "`weights`")
  expect_error(gmm_fit(x, 2, weights = as.character(rep(1, 20))), class = "gmmmi_error_input",
               regexp = "`weights`")

  # init
  expect_error(gmm_fit(x, 2, init = "foo"), class = "gmmmi_error_input", regexp = "`init`")
  expect_error(gmm_fit(x, 2, init = NA), class = "gmmmi_error_input", regexp = "`init`")
  expect_error(gmm_fit(x, 2, init = 1), class = "gmmmi_error_input", regexp = "`init`")
  expect_error(gmm_fit(x, 2, init = c("kmeans", "random")), class = "gmmmi_error_input",
               regexp = "`init`")
})

test_that("a data frame without columns is a gmmmi_error_input", {
  expect_error(gmm_fit(data.frame(), 1), class = "gmmmi_error_input", regexp = "`x`")
  expect_error(gmm_fit(data.frame(row.names = 1:5), 1), class = "gmmmi_error_input",
               regexp = "`x`")
})

test_that("error messages are informative", {
  set.seed(14)
  x <- matrix(rnorm(40), 20)
  x[c(3, 7), 1] <- NA
  expect_snapshot(error = TRUE, gmm_fit(x, k = 2))
  expect_snapshot(error = TRUE, gmm_fit(matrix(rnorm(40), 20), k = 2.5))
  expect_snapshot(error = TRUE, gmm_fit(data.frame(a = 1:3, b = c("u", "v", "w")), k = 1))
  expect_snapshot(error = TRUE, gmm_fit(matrix(rnorm(40), 20), k = 2, init = "kmeans++"))
})

# --- Initialisations -----------------------------------------------------------

test_that("every init type converges on a 2-component dataset without NaN", {
  tr <- truth_two_2d()
  set.seed(16)
  x <- rmix_gauss(800, tr$w, tr$mu, tr$S)
  lls <- numeric(0)
  # A tight `tol`: with the default, a random-responsibilities start, whose
  # components all begin near the overall mean, can stop after two EM steps
  # on some seeds (see the report on early stopping).
  for (init in c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                 "randomized_kmeans", "random", "minmax")) {
    fit <- gmm_fit(x, k = 2, init = init, tol = 1e-8)
    expect_identical(fit$init, init)
    expect_true(fit$converged, label = init)
    expect_false(anyNA(c(fit$weights, fit$means, fit$covariances, fit$loglik)), label = init)
    idx <- match_components(fit$means, tr$mu)
    expect_setequal(idx, 1:2)
    expect_lt(max(abs(fit$means[idx, ] - tr$mu)), 0.2, label = init)
    lls[init] <- fit$loglik
  }
  # All reach the same optimum.
  expect_lt(diff(range(lls)) / abs(lls[[1]]), 1e-5)
})

test_that("k-means starts on duplicated points give no NaN", {
  pts <- rbind(c(0, 0), c(1, 5), c(4, 2))
  x <- pts[rep(1:3, 50), ]
  for (init in c("kmeans", "kmeans_responsibilities", "randomized_kmeans")) {
    for (seed in 1:3) {
      set.seed(seed)
      fit <- gmm_fit(x, k = 3, init = init)
      expect_false(anyNA(c(fit$weights, fit$means, fit$covariances)), label = init)
      expect_true(is.finite(fit$loglik))
      idx <- match_components(fit$means, pts)
      expect_setequal(idx, 1:3)
      expect_equal(unname(fit$means[idx, ]), pts, tolerance = 1e-6)
      expect_equal(unname(fit$weights), rep(1 / 3, 3), tolerance = 1e-6)
    }
  }
})
