# Data generators with known mutual information (derivations in
# vignette("method"), section "10 Distributions with known MI"; the
# gamma-exponential and ordered Weinman families are those of the GMM-MI
# paper, Piras et al. 2023), their closed-form MI in nats, and small helpers
# shared by the tests.

# ---- warnings -----------------------------------------------------------

# Muffles only the "every fit stopped within two EM iterations" warning, which
# the reference defaults can raise on Gaussian data; every other warning still
# surfaces (suppressWarnings(classes = ) needs R >= 4.3).
quiet_short_fits <- function(expr) {
  withCallingHandlers(expr, gmmmi_warning_short_fits = function(w) invokeRestart("muffleWarning"))
}

# ---- closed-form MI (nats) ----------------------------------------------

# Bivariate Gaussian with correlation rho; joint Gaussian with covariance S
# and blocks ix, iy (column indices): defined once, in
# helper-accuracy-truth.R (which testthat sources first, and bench/common.R
# too).
mi_gaussian <- acc_mi_gaussian
mi_gaussian_blocks <- acc_mi_gaussian_blocks

# Conditional MI of a joint Gaussian:
# I(X; Y | Z) = 0.5 log(det Sxz det Syz / (det Sz det Sxyz)).
# For scalar x, y, z this is -0.5 log(1 - r_xy.z^2) with the partial correlation.
cmi_gaussian <- function(S, ix, iy, iz) {
  ld <- function(i) as.numeric(determinant(S[i, i, drop = FALSE], logarithm = TRUE)$modulus)
  0.5 * (ld(c(ix, iz)) + ld(c(iy, iz)) - ld(iz) - ld(c(ix, iy, iz)))
}

partial_cor <- function(r_xy, r_xz, r_yz) {
  (r_xy - r_xz * r_yz) / sqrt((1 - r_xz^2) * (1 - r_yz^2))
}

# Gamma-exponential and ordered Weinman exponential (see the head of this file).
mi_gamma_exp <- acc_mi_gamma_exp
mi_weinman <- acc_mi_weinman

# Dataset "D3" of the paper (MI from a 1e8-draw Monte Carlo).
mi_d3 <- 0.13238

d3_params <- list(
  weights = c(0.3, 0.45, 0.25),
  means = rbind(c(-1, 1), c(0, 2), c(-1.5, 2)),
  covariances = list(matrix(c(1, 0, 0, 0.1), 2),
                     matrix(c(0.5, 0.2, 0.2, 0.5), 2),
                     matrix(c(0.1, 0.05, 0.05, 0.1), 2))
)

# Differential entropy of N(mu, S): 0.5 log det(2 pi e S).
entropy_gaussian <- function(S) {
  S <- as.matrix(S)
  0.5 * as.numeric(determinant(2 * pi * exp(1) * S, logarithm = TRUE)$modulus)
}

# KL(N(m1, s1^2) || N(m2, s2^2)).
kl_gaussian_1d <- function(m1, s1, m2, s2) {
  log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 * s2^2) - 0.5
}

# ---- generators ---------------------------------------------------------

r_mvn <- function(n, S, mu = rep(0, ncol(S))) {
  z <- matrix(rnorm(n * ncol(S)), n, ncol(S))
  sweep(z %*% chol(S), 2, mu, "+")
}

r_gaussian_pair <- function(n, rho) {
  x <- rnorm(n)
  y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
  cbind(x = x, y = y)
}

# Returned on the log scale, as the estimators of the paper see them.
r_gamma_exp <- function(n, a) {
  x <- rgamma(n, shape = a, scale = 1)
  y <- rexp(n, rate = x)
  cbind(x = log(x), y = log(y))
}

r_weinman <- function(n, a) {
  x <- rexp(n, rate = 2)
  y <- x + rexp(n, rate = 1 / a)
  cbind(x = log(x), y = log(y))
}

r_gmm <- function(n, weights, means, covariances) {
  comp <- sample.int(length(weights), n, replace = TRUE, prob = weights)
  out <- matrix(0, n, ncol(means))
  for (k in seq_along(weights)) {
    i <- which(comp == k)
    if (length(i)) out[i, ] <- r_mvn(length(i), covariances[[k]], means[k, ])
  }
  colnames(out) <- c("x", "y")[seq_len(ncol(out))]
  out
}

r_d3 <- function(n) do.call(r_gmm, c(list(n = n), d3_params))

# ---- expectations -------------------------------------------------------

# |estimate - truth| < 3 se + slack, the slack covering Monte Carlo error and
# the estimator's small bias; also checks that se is finite, positive and not
# so large that the first check would be empty.
expect_mi_near <- function(res, truth, slack = 0.01, max_se = 0.05) {
  lab <- sprintf("|estimate - truth| = |%.5f - %.5f|", res$estimate, truth)
  expect_true(is.finite(res$se) && res$se > 0, label = sprintf("se = %s finite and positive", format(res$se)))
  expect_lt(res$se, max_se, label = sprintf("se (%.5f)", res$se))
  expect_lt(abs(res$estimate - truth), 3 * res$se + 3 * res$mc_se + slack, label = lab,
            expected.label = sprintf("3 se + 3 mc_se + %g = %.5f", slack, 3 * res$se + 3 * res$mc_se + slack))
}

# An error of class "gmmmi_error_input" whose message names `arg` (cli
# renders {.arg arg} as `arg` in plain text).
expect_input_error <- function(expr, arg) {
  cnd <- expect_error(expr, class = "gmmmi_error_input")
  if (inherits(cnd, "gmmmi_error_input")) {
    msg <- conditionMessage(cnd)
    expect_true(grepl(paste0("`", arg, "`"), msg, fixed = TRUE),
                label = sprintf("the message names `%s` (message: %s)", arg, msg))
  }
  invisible(cnd)
}
