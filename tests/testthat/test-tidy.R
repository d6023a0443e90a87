skip_if_not_installed("generics")

gaussian_pair <- function(n = 400, rho = 0.6) {
  x <- rnorm(n)
  list(x = x, y = rho * x + sqrt(1 - rho^2) * rnorm(n))
}

test_that("tidy.gmm_mi gives one row matching the object's fields", {
  set.seed(11)
  d <- gaussian_pair()
  res <- quiet_short_fits(gmm_mi(d$x, d$y, n_bootstrap = 10, mc_samples = 2000, n_threads = 1))
  td <- generics::tidy(res)
  expect_s3_class(td, "data.frame")
  expect_equal(nrow(td), 1)
  expect_named(td, c("term", "x", "y", "z", "estimate", "std.error", "conf.low", "conf.high", "mc.se",
                     "units", "n", "n_components", "n_bootstrap"))
  expect_identical(td$term, "MI")
  # The variables are named after the arguments.
  expect_identical(c(td$x, td$y, td$z), c("d$x", "d$y", NA))
  expect_equal(td$estimate, res$estimate)
  expect_equal(td$std.error, res$se)
  expect_equal(td$mc.se, res$mc_se)
  expect_equal(c(td$conf.low, td$conf.high), as.numeric(confint(res)))
  expect_identical(td$units, res$units)
  expect_identical(td$n, res$n)
  expect_identical(td$n_components, as.integer(res$n_components))
  expect_identical(td$n_bootstrap, res$n_bootstrap)

  td90 <- generics::tidy(res, conf.level = 0.9)
  expect_equal(c(td90$conf.low, td90$conf.high), as.numeric(confint(res, level = 0.9)))
  expect_false(any(c("conf.low", "conf.high") %in% names(generics::tidy(res, conf.int = FALSE))))
  expect_error(generics::tidy(res, conf.level = 2), class = "gmmmi_error")
})

test_that("tidy.gmm_mi marks conditional MI and copes without a bootstrap", {
  set.seed(12)
  n <- 300
  z <- rnorm(n)
  x <- rnorm(n)
  res <- quiet_short_fits(gmm_mi(x, x + z + rnorm(n), z = z, n_bootstrap = 0, mc_samples = 2000,
                                 units = "bit", n_threads = 1))
  td <- generics::tidy(res)
  expect_identical(td$term, "CMI")
  expect_equal(td$estimate, res$estimate)
  expect_true(is.na(td$std.error) && is.na(td$conf.low) && is.na(td$conf.high))
  expect_identical(td$units, "bit")
})

test_that("tidy and glance of a categorical gmm_mi sum the components over categories", {
  set.seed(13)
  n <- 300
  g <- factor(sample(c("a", "b"), n, replace = TRUE))
  y <- ifelse(g == "a", -1, 1) + rnorm(n)
  res <- quiet_short_fits(gmm_mi(g, y, n_bootstrap = 5, mc_samples = 2000, n_threads = 1))
  expect_identical(generics::tidy(res)$n_components, as.integer(sum(res$n_components)))
  gl <- generics::glance(res)
  expect_identical(gl$type, "categorical")
  expect_true(is.na(gl$logLik))

  both <- gmm_mi(g, factor(ifelse(y > 0, "hi", "lo")), n_bootstrap = 5)
  expect_true(is.na(generics::tidy(both)$n_components))
  expect_equal(generics::tidy(both)$estimate, both$estimate)
})

test_that("glance.gmm_mi summarises the fit in one row", {
  set.seed(14)
  d <- gaussian_pair()
  res <- quiet_short_fits(gmm_mi(d$x, d$y, n_bootstrap = 5, mc_samples = 2000, n_threads = 1))
  gl <- generics::glance(res)
  expect_equal(nrow(gl), 1)
  expect_equal(gl$estimate, res$estimate)
  expect_equal(gl$std.error, res$se)
  expect_identical(gl$nobs, res$n)
  expect_identical(gl$n_failed, res$n_failed)
  expect_equal(gl$full_data, res$full_data)
  expect_equal(gl$logLik, as.numeric(logLik(res$fit)))
  expect_equal(gl$AIC, AIC(res$fit))
  expect_equal(gl$BIC, BIC(res$fit))
  expect_false(gl$conditional)
  expect_identical(gl$marginal, res$marginal)
  expect_true(gl$marginal %in% c("none", "gaussian_copula"))
})

test_that("tidy.mi_matrix gives one row per pair matching the matrices", {
  set.seed(15)
  n <- 300
  f <- data.frame(a = rnorm(n), b = rnorm(n), c = factor(sample(c("u", "v"), n, replace = TRUE)))
  z <- data.frame(z1 = f$a + rnorm(n, sd = 0.5), z2 = f$b + rnorm(n))
  m <- quiet_short_fits(mi_matrix(z, f, n_bootstrap = 4, mc_samples = 1000, n_threads = 1))
  td <- generics::tidy(m)
  expect_equal(nrow(td), length(m$estimate))
  expect_named(td, c("x", "y", "estimate", "std.error", "conf.low", "conf.high", "mc.se",
                     "type", "units"))
  for (i in seq_len(nrow(td))) {
    expect_equal(td$estimate[i], m$estimate[td$x[i], td$y[i]])
    expect_equal(td$std.error[i], m$se[td$x[i], td$y[i]])
    expect_identical(td$type[i], m$type[td$x[i], td$y[i]])
    q <- quantile(m$bootstrap[td$x[i], td$y[i], ], c(0.025, 0.975), names = FALSE)
    expect_equal(c(td$conf.low[i], td$conf.high[i]),
                 pmax(0, m$estimate[td$x[i], td$y[i]] + c(-1, 1) * qnorm(0.975) * m$se[td$x[i], td$y[i]]))
  }

  gl <- generics::glance(m)
  expect_equal(nrow(gl), 1)
  expect_identical(gl$n_pairs, length(m$estimate))
  expect_equal(gl$max_estimate, max(m$estimate))
  expect_equal(gl$mig, attr(mi_gap(m), "mean_gap"))
  expect_identical(gl$nobs, m$n)
})

test_that("tidy.mi_matrix lists each pair of a symmetric matrix once", {
  set.seed(16)
  n <- 300
  x <- matrix(rnorm(3 * n), n, dimnames = list(NULL, c("p", "q", "r")))
  x[, "q"] <- x[, "p"] + rnorm(n)
  m <- quiet_short_fits(mi_matrix(x, n_bootstrap = 3, mc_samples = 1000, n_threads = 1))
  td <- generics::tidy(m, conf.int = FALSE)
  expect_equal(td[, c("x", "y")], data.frame(x = c("p", "p", "q"), y = c("q", "r", "r")))
  expect_equal(td$estimate, c(m$estimate["p", "q"], m$estimate["p", "r"], m$estimate["q", "r"]))
  expect_identical(generics::glance(m)$n_pairs, 3L)
})
