# pmi(): pointwise mutual information under the fitted mixture, against the
# closed form of a Gaussian and against the MI it averages to.

# log N(v; mu, S) for the rows of v.
log_dmvn <- function(v, mu, S) {
  v <- as.matrix(v)
  S <- as.matrix(S)
  -0.5 * (ncol(v) * log(2 * pi) + as.numeric(determinant(S, logarithm = TRUE)$modulus) +
            stats::mahalanobis(v, mu, S))
}

test_that("for a one-component fit, pmi is the closed-form Gaussian PMI of the fitted covariance", {
  set.seed(501)
  R <- matrix(c(1, 0.5, 0.3, 0.5, 1, 0.6, 0.3, 0.6, 1), 3)
  d <- r_mvn(1500, R, mu = c(1, -2, 3))
  colnames(d) <- c("a", "b", "c")
  ctrl <- gmm_mi_control(fixed_components = 1)
  res <- gmm_mi(d[, "a", drop = FALSE], d[, c("b", "c")], n_bootstrap = 2, mc_samples = 1000,
                marginal = "none", control = ctrl, n_threads = 1)
  expect_identical(res$n_components, 1L)
  mu <- res$fit$means[1, ]
  S <- res$fit$covariances[, , 1]
  closed <- function(x, y) {
    log_dmvn(cbind(x, y), mu, S) - log_dmvn(x, mu["a"], S["a", "a", drop = FALSE]) -
      log_dmvn(y, mu[c("b", "c")], S[c("b", "c"), c("b", "c")])
  }
  v <- pmi(res)
  expect_length(v, 1500)
  expect_equal(as.numeric(v), closed(d[, "a", drop = FALSE], d[, c("b", "c")]), tolerance = 1e-8)
  expect_identical(attr(v, "units"), "nat")
  # New points; y columns matched by name when they are named.
  xn <- c(0, 1, 2.5)
  yn <- cbind(c = c(3, 2, 4), b = c(-2, -1, 0))
  expect_equal(as.numeric(pmi(res, xn, yn)), closed(cbind(xn), yn[, c("b", "c")]), tolerance = 1e-8)
  # In bits.
  res_bit <- res
  res_bit$units <- "bit"
  expect_equal(as.numeric(pmi(res_bit)), as.numeric(v) / log(2))
  # The fitted covariance is the sample covariance, so the mean PMI over the
  # data is the Gaussian MI of the sample covariance exactly.
  Sn <- cov(d) * (1499 / 1500)
  expect_equal(mean(v), mi_gaussian_blocks(Sn, 1, 2:3), tolerance = 1e-6)
})

test_that("the mean of pmi over the data approximates the MI", {
  set.seed(502)
  d <- r_gaussian_pair(3000, 0.6)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 2e4,
                                marginal = "none", n_threads = 2))
  v <- pmi(res)
  expect_lt(abs(mean(v) - res$estimate), 3 * res$se)
  expect_lt(abs(mean(v) - mi_gaussian(0.6)), 3 * res$se + 0.01)
  # PMI is positive where x and y agree in sign and large, negative where they
  # disagree.
  pts <- pmi(res, c(2, 2, 0), c(2, -2, 0))
  expect_gt(pts[1], 0.5)
  expect_lt(pts[2], -1)
})

test_that("pmi of a non-Gaussian pair averages to its known MI", {
  skip_on_cran()
  set.seed(503)
  d <- r_gamma_exp(5000, 0.5)
  res <- gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 2e4, n_threads = 2)
  v <- pmi(res)
  expect_gt(res$n_components, 1)
  expect_lt(abs(mean(v) - mi_gamma_exp(0.5)), 3 * res$se + 0.03)
})

test_that("plot_pmi draws the distribution and the map", {
  set.seed(504)
  d <- r_gaussian_pair(500, 0.7)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 2, mc_samples = 2000, n_threads = 1))
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  v <- plot_pmi(res)
  expect_equal(v, pmi(res))
  expect_equal(plot_pmi(res, what = "map"), v)
  expect_input_error(plot_pmi(res, what = "pie"), "what")
})

test_that("pmi refuses what has no joint mixture, and bad values", {
  set.seed(505)
  n <- 300
  y <- rnorm(n)
  lab <- sample(c("a", "b"), n, replace = TRUE)
  cat_res <- gmm_mi(lab, y + (lab == "a"), n_bootstrap = 2, mc_samples = 500, n_threads = 1)
  cnd <- expect_input_error(pmi(cat_res), "object")
  expect_match(conditionMessage(cnd), "category")
  disc <- gmm_mi(lab, sample(lab), n_bootstrap = 2)
  expect_input_error(pmi(disc), "object")
  expect_input_error(plot_pmi(disc), "object")
  z <- rnorm(n)
  cond <- quiet_short_fits(gmm_mi(y, y + z, z, n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_input_error(pmi(cond), "object")
  expect_input_error(pmi(list()), "object")
  ok <- quiet_short_fits(gmm_mi(cbind(y, z), y + rnorm(n), n_bootstrap = 2, mc_samples = 500,
                                marginal = "none", n_threads = 1))
  expect_input_error(pmi(ok, x = cbind(y, z)), "y")
  expect_input_error(pmi(ok, x = y, y = y), "x")
  expect_input_error(pmi(ok, x = cbind(y, z), y = y[-1]), "x")
  expect_input_error(plot_pmi(ok, what = "map"), "what")
  expect_snapshot(pmi(cat_res), error = TRUE)
  # On copula margins the fitted rows have a PMI, new raw values do not.
  cop <- quiet_short_fits(gmm_mi(y, y + rnorm(n), n_bootstrap = 2, mc_samples = 500,
                                 marginal = "gaussian_copula", n_threads = 1))
  expect_length(pmi(cop), n)
  expect_input_error(pmi(cop, x = y, y = y), "x")
})

test_that("the PMI plots are labelled, keep every bar on the axis, and draw without warnings", {
  res <- named_pair_fit(506, n = 400, n_bootstrap = 2, marginal = "none")
  plot_device()
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_no_warning(v <- plot_pmi(res))
  expect_true("PMI distribution: Ozone vs Temp" %in% plot_titles())
  # The x axis reaches past the outer bars.
  breaks <- graphics::hist(v, breaks = 50, plot = FALSE)$breaks
  at <- plot_calls("C_axis")[[1]][[2]]
  expect_lte(min(at), min(breaks))
  expect_gte(max(at), max(breaks))
  expect_no_warning(plot_pmi(res, main = "mine", breaks = 10, xlab = "PMI"))
  expect_no_warning(plot_pmi(res, what = "map"))
  expect_true(all(c("PMI map: Ozone vs Temp", "Ozone", "Temp") %in% plot_titles()))
  # The colour key: its bar and its title.
  expect_gte(length(plot_calls("C_rect")), 2)
  key <- unlist(lapply(plot_calls("C_text"), function(a) Filter(is.character, a)))
  expect_true("PMI (nat)" %in% key)
  cop <- named_pair_fit(506, n = 400, n_bootstrap = 2, marginal = "gaussian_copula")
  expect_no_warning(plot_pmi(cop, what = "map"))
  expect_true("Ozone (normal score)" %in% plot_titles())
})
