# Tests of gmm_fit() and the methods of a "gmm" object. Numbers are checked
# against known truth: the generating parameters, closed forms, mclust's
# maximised log-likelihood, or an R re-computation (helper-data.R).

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

# --- gmm_marginal ----------------------------------------------------------

test_that("gmm_marginal() equals the sliced parameters, by index and by name", {
  set.seed(4)
  x <- rmix_gauss(600, c(0.5, 0.5), rbind(c(0, 0, 0), c(3, 3, -3)),
                  list(diag(3), matrix(c(1, 0.4, 0.2, 0.4, 1, 0.1, 0.2, 0.1, 1), 3)))
  colnames(x) <- c("a", "b", "c")
  fit <- gmm_fit(x, k = 2)
  for (dims in list(c(1, 3), c(3, 1), 2)) {
    nm <- colnames(x)[dims]
    for (m in list(gmm_marginal(fit, dims), gmm_marginal(fit, nm))) {
      expect_s3_class(m, "gmm")
      expect_equal(m$weights, fit$weights)
      expect_equal(m$means, fit$means[, dims, drop = FALSE])
      expect_equal(m$covariances, fit$covariances[dims, dims, , drop = FALSE])
      expect_equal(colnames(m$means), nm)
    }
  }
  # The marginal density is the joint density integrated over the dropped
  # coordinate.
  m2 <- gmm_marginal(gmm_marginal(fit, c("a", "b")), "a")
  joint <- gmm_marginal(fit, c("a", "b"))
  for (a in c(-1, 0.5, 3)) {
    num <- integrate(function(b) predict(joint, cbind(a, b), type = "density"), -Inf, Inf,
                     rel.tol = 1e-10)$value
    expect_equal(predict(m2, a, type = "density"), num, tolerance = 1e-6)
  }
  expect_error(gmm_marginal(fit, 4), class = "gmmmi_error_input", regexp = "`dims`")
  expect_error(gmm_marginal(fit, "z"), class = "gmmmi_error_input", regexp = "`dims`")
  expect_error(gmm_marginal(fit, c(1, 1)), class = "gmmmi_error_input", regexp = "`dims`")
  expect_error(gmm_marginal(list(), 1), class = "gmmmi_error_input", regexp = "`object`")
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
  d <- suppressWarnings(gmm_fit(x, k = 3, n_threads = 1, tol = 1))
  set.seed(80)
  e <- suppressWarnings(gmm_fit(x, k = 3, n_threads = 1, tol = 1))
  expect_false(identical(d$means, e$means))
})

# --- logLik, AIC, BIC --------------------------------------------------------

test_that("logLik(), AIC(), BIC() and nobs() use the right df and n", {
  set.seed(8)
  for (d in 1:3) {
    for (k in 1:3) {
      x <- matrix(rnorm(120 * d), ncol = d) + rep(c(0, 4, 8), each = 40)
      fit <- gmm_fit(x, k = k)
      df <- k * d + k * d * (d + 1) / 2 + k - 1
      ll <- logLik(fit)
      expect_s3_class(ll, "logLik")
      expect_equal(as.numeric(ll), fit$loglik)
      expect_equal(attr(ll, "df"), df)
      expect_equal(attr(ll, "nobs"), 120)
      expect_equal(nobs(fit), 120)
      expect_equal(fit$loglik, sum(gmm_logdensity_ref(fit, x)), tolerance = 1e-9)
      expect_equal(AIC(fit), -2 * fit$loglik + 2 * df)
      expect_equal(BIC(fit), -2 * fit$loglik + log(120) * df)
    }
  }
  w <- rep(c(1, 3), 60)
  fit <- gmm_fit(x, k = 2, weights = w)
  expect_equal(nobs(fit), sum(w))
  expect_equal(BIC(fit), -2 * fit$loglik + log(sum(w)) * gmm_df_ref(2, 3))
  expect_equal(fit$loglik, sum(w * gmm_logdensity_ref(fit, x)), tolerance = 1e-9)
})

# --- predict() and simulate() ------------------------------------------------

test_that("predict() matches a direct computation of the mixture density", {
  tr <- truth_three_2d()
  set.seed(9)
  x <- rmix_gauss(900, tr$w, tr$mu, tr$S)
  colnames(x) <- c("u", "v")
  fit <- gmm_fit(x, k = 3)
  newx <- rbind(rmix_gauss(50, tr$w, tr$mu, tr$S), c(3, 3), c(-20, 40))
  ref <- gmm_logdensity_ref(fit, newx)

  ld <- predict(fit, newx, type = "logdensity")
  dens <- predict(fit, newx, type = "density")
  expect_length(ld, nrow(newx))
  expect_equal(ld, as.numeric(ref), tolerance = 1e-9)
  # The last point is so far out that its density underflows to 0, but its
  # log-density stays finite.
  expect_true(all(is.finite(ld)))
  expect_lt(ld[nrow(newx)], -1000)
  expect_equal(dens, exp(ld))
  expect_equal(log(dens[-nrow(newx)]), ld[-nrow(newx)], tolerance = 1e-12)

  r <- predict(fit, newx, type = "responsibilities")
  expect_equal(dim(r), c(nrow(newx), 3))
  expect_equal(colnames(r), names(fit$weights))
  expect_equal(rowSums(r), rep(1, nrow(newx)), tolerance = 1e-12)
  expect_true(all(r >= 0 & r <= 1))
  expect_equal(unname(r), attr(ref, "resp"), tolerance = 1e-8)

  cls <- predict(fit, newx, type = "class")
  expect_equal(cls, max.col(attr(ref, "resp"), ties.method = "first"))
  expect_equal(predict(fit, newx), cls)  # "class" is the default
  # Classes recover the generating components on the training data.
  truth_cls <- match_components(fit$means, tr$mu)[attr(x, "component")]
  expect_gt(mean(predict(fit, x) == truth_cls), 0.99)

  # A data frame and a one-column vector are accepted.
  expect_equal(predict(fit, as.data.frame(newx), type = "logdensity"), ld)
  fit1 <- gmm_fit(x[, 1], k = 2)
  expect_equal(predict(fit1, c(-1, 0, 6), type = "logdensity"),
               as.numeric(gmm_logdensity_ref(fit1, matrix(c(-1, 0, 6)))), tolerance = 1e-9)

  expect_error(predict(fit, newx[, 1], type = "density"), class = "gmmmi_error_input",
               regexp = "`newdata`")
  expect_error(predict(fit, newx, type = "probability"), class = "gmmmi_error_input",
               regexp = "`type`")
  expect_error(predict(fit), class = "gmmmi_error_input", regexp = "`newdata`")
})

test_that("simulate() draws from the mixture and handles its seed", {
  fit <- structure(list(weights = c(comp1 = 0.2, comp2 = 0.5, comp3 = 0.3),
                        means = matrix(c(-4, 0, 5, 1, -2, 3), 3,
                                       dimnames = list(paste0("comp", 1:3), c("p", "q"))),
                        covariances = array(c(1, 0.3, 0.3, 0.5, 2, 0, 0, 1, 0.4, -0.1, -0.1, 0.2),
                                            c(2, 2, 3)),
                        loglik = NA_real_, n = NA_real_),
                   class = "gmm")
  set.seed(10)
  s <- simulate(fit, 1e5)
  expect_true(is.matrix(s))
  expect_equal(dim(s), c(1e5, 2))
  expect_equal(colnames(s), c("p", "q"))
  comp <- attr(s, "component")
  expect_length(comp, 1e5)
  expect_true(all(comp %in% 1:3))
  # Component frequencies, within-component moments and the mixture mean and
  # covariance approach the truth.
  expect_equal(as.numeric(table(factor(comp, 1:3))) / 1e5, unname(fit$weights), tolerance = 0.01)
  for (j in 1:3) {
    sj <- s[comp == j, , drop = FALSE]
    expect_lt(max(abs(colMeans(sj) - fit$means[j, ])), 0.03)
    expect_lt(max(abs(cov(sj) - fit$covariances[, , j])), 0.05)
  }
  mix_mean <- colSums(fit$weights * fit$means)
  expect_lt(max(abs(colMeans(s) - mix_mean)), 0.05)
  mix_cov <- Reduce(`+`, lapply(1:3, function(j) {
    fit$weights[[j]] * (fit$covariances[, , j] + tcrossprod(fit$means[j, ]))
  })) - tcrossprod(mix_mean)
  expect_equal(unname(cov(s)), unname(mix_cov), tolerance = 0.03)

  # Without `seed`, the global stream drives the draws.
  set.seed(11)
  a <- simulate(fit, 20)
  set.seed(11)
  expect_identical(simulate(fit, 20), a)

  # `seed` reproduces draws and leaves the global state untouched.
  set.seed(12)
  before <- .Random.seed
  s1 <- simulate(fit, 50, seed = 123)
  expect_identical(.Random.seed, before)
  s2 <- simulate(fit, 50, seed = 123)
  expect_identical(s1, s2)
  expect_false(identical(simulate(fit, 50, seed = 124), s1))
  expect_identical(.Random.seed, before)
  # ... also when no global seed exists yet.
  saved <- .Random.seed
  rm(".Random.seed", envir = globalenv())
  s3 <- simulate(fit, 50, seed = 123)
  no_seed_after <- !exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  assign(".Random.seed", saved, envir = globalenv())
  expect_true(no_seed_after)
  expect_identical(s3, s1)

  # One dimension gives a one-column matrix.
  f1 <- gmm_fit(c(rnorm(100, -3), rnorm(100, 3)), k = 2)
  s1d <- simulate(f1, 7, seed = 1)
  expect_equal(dim(s1d), c(7, 1))
  expect_error(simulate(fit, 0), class = "gmmmi_error_input", regexp = "`nsim`")
  expect_error(simulate(fit, 2.5), class = "gmmmi_error_input", regexp = "`nsim`")
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

test_that("print() and summary() of a fixed fit", {
  expect_snapshot({
    set.seed(15)
    x <- rbind(matrix(rnorm(200, -3), ncol = 2), matrix(rnorm(100, 3), ncol = 2))
    colnames(x) <- c("height", "width")
    fit <- gmm_fit(x, k = 2, init = "kmeans")
    print(fit)
    print(summary(fit))
  })
  s <- summary(gmm_fit(matrix(rnorm(100), ncol = 2), k = 1))
  expect_s3_class(s, "summary.gmm")
  expect_equal(s$aic, -2 * s$loglik + 2 * gmm_df_ref(1, 2))
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
