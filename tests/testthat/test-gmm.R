# Tests of the methods of a "gmm" object (R/gmm.R). Numbers are checked
# against known truth: closed forms, the generating parameters, or an R
# re-computation (helper-data.R).

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

# --- print() and summary() ----------------------------------------------------

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
