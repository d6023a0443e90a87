# Methods of a "gmm_mi" object (R/gmm_mi_methods.R): confint(),
# as.data.frame(), summary(), print() and plot().

test_that("confint(), as.data.frame(), summary() and print() describe the estimate", {
  set.seed(32)
  d <- r_gaussian_pair(1000, 0.6)
  set.seed(33)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 25, mc_samples = 1e4, n_threads = 2))

  ci <- confint(res)
  expect_identical(dim(ci), c(1L, 2L))
  expect_lt(ci[1], ci[2])
  # By default the normal interval about the (bias-corrected) estimate; the
  # basic one is 2 * full-data value - (upper, lower) percentile.
  q <- unname(quantile(res$bootstrap, c(0.025, 0.975)))
  expect_identical(res$interval, "normal")
  expect_equal(as.numeric(ci), pmax(0, res$estimate + c(-1, 1) * qnorm(0.975) * res$se))
  expect_equal(as.numeric(confint(res, type = "basic")), pmax(0, 2 * res$full_data - rev(q)))
  expect_equal(as.numeric(confint(res, type = "percentile")), q)
  expect_input_error(confint(res, type = "bca"), "type")
  expect_lte(ci[1], res$estimate)
  expect_gte(ci[2], res$estimate)
  # Without the correction (the reference's way): the percentiles.
  set.seed(33)
  ref <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 25, mc_samples = 1e4, n_threads = 2,
                                 control = gmm_mi_control(bias_correction = "never", interval = "percentile")))
  expect_equal(as.numeric(confint(ref)), q)
  expect_equal(ref$estimate, mean(ref$bootstrap))
  expect_equal(ref$bootstrap, res$bootstrap)
  ci50 <- confint(res, level = 0.5)
  expect_gte(ci50[1], ci[1])
  expect_lte(ci50[2], ci[2])
  expect_lte(ci50[1], ci50[2])
  expect_error(confint(res, level = 1.5), class = "gmmmi_error_input")
  expect_error(confint(res, level = 0), class = "gmmmi_error_input")

  # as.data.frame() is tidy(), with broom's names.
  df <- as.data.frame(res)
  expect_s3_class(df, "data.frame")
  expect_identical(nrow(df), 1L)
  expect_identical(df, tidy(res))
  expect_equal(df$estimate, res$estimate)
  expect_equal(df$std.error, res$se)
  expect_equal(c(df$conf.low, df$conf.high), as.numeric(ci))
  expect_identical(df$units, "nat")
  expect_equal(as.data.frame(res, conf.level = 0.5)$conf.low, ci50[1])

  s <- summary(res)
  expect_s3_class(s, "summary.gmm_mi")
  out <- capture.output(print(s))
  expect_true(any(grepl("estimate", out)))
  expect_true(any(grepl("nat", out)))
  expect_true(any(grepl("95% interval", out, fixed = TRUE)))
  # The selection table, one row per K tried.
  expect_true(any(grepl("validation", out, fixed = TRUE)))
  expect_identical(sum(grepl("^ *[0-9]+ +-?[0-9]", out)), nrow(res$selection$table))
  expect_output(print(res), "nat")

  bits <- res
  bits$units <- "bit"
  expect_output(print(bits), "bit")
})

test_that("print() output is stable", {
  set.seed(33)
  d <- r_gaussian_pair(300, 0.6)
  set.seed(1)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 10, mc_samples = 2000, n_threads = 1))
  # Fix the numbers that depend on the fits, so that the snapshot records the
  # layout and survives changes to the numerical core.
  res$estimate <- 0.2231436
  res$se <- 0.0134
  res$n_components <- 1L
  res$n_retried <- 0L
  res$n_failed <- 0L
  expect_snapshot(print(res))
  res$units <- "bit"
  expect_snapshot(print(res))
  res$se <- NA_real_
  res$n_bootstrap <- 0L
  expect_snapshot(print(res))
  res$conditional <- TRUE
  res$variables$z <- c("z1", "z2")
  res$se <- 0.0134
  res$n_bootstrap <- 10L
  expect_snapshot(print(res))
})

test_that("plot() draws the bootstrap values and the fit, and refuses what it cannot draw", {
  set.seed(34)
  d <- r_gaussian_pair(400, 0.6)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 5, mc_samples = 2000, n_threads = 2))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_invisible(plot(res))
  expect_invisible(plot(res, "fit"))
  none <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 0, mc_samples = 2000, n_threads = 2))
  cnd <- expect_error(plot(none, "bootstrap"), class = "gmmmi_error_input")
  # The error names the plot method, not some internal function.
  expect_true(deparse(conditionCall(cnd)[[1]]) %in% c("plot", "plot.gmm_mi"),
              label = sprintf("the call of the error (%s)", deparse(conditionCall(cnd))))
  wide <- quiet_short_fits(gmm_mi(d, d[, 2] + rnorm(400), n_bootstrap = 2, mc_samples = 1000,
                                  n_threads = 2))
  cnd <- expect_error(plot(wide, "fit"), class = "gmmmi_error_input")
  expect_true(deparse(conditionCall(cnd)[[1]]) %in% c("plot", "plot.gmm_mi"),
              label = sprintf("the call of the error (%s)", deparse(conditionCall(cnd))))
})

test_that("the plots are titled, name their axes, hold their ellipses and draw without warnings", {
  res <- named_pair_fit(35, n_bootstrap = 3, marginal = "none")
  Ozone <- res$data[, "Ozone"]
  Temp <- res$data[, "Temp"]
  plot_device()
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_no_warning(plot(res, "fit"))
  expect_true(all(c("Ozone vs Temp: 1-component mixture", "Ozone", "Temp") %in% plot_titles()))
  # Every ellipse lies inside the plotting region.
  usr <- graphics::par("usr")
  ell <- do.call(rbind, fit_ellipses(res$fit, c("Ozone", "Temp")))
  expect_true(all(ell[, 1] >= usr[1] & ell[, 1] <= usr[2] & ell[, 2] >= usr[3] & ell[, 2] <= usr[4]))
  # Arguments override the defaults, without a clash.
  expect_no_warning(plot(res, "fit", main = "mine", xlab = "a", xlim = c(-6, 6)))
  expect_true(all(c("mine", "a") %in% plot_titles()))
  expect_no_warning(plot(res))
  expect_true("Bootstrap MI: Ozone vs Temp" %in% plot_titles())
  expect_no_warning(plot(res, "bootstrap", main = "mine", breaks = 3))
  # A copula fit is drawn in normal scores, and says so.
  cop <- quiet_short_fits(gmm_mi(Ozone, exp(Temp), n_bootstrap = 2, mc_samples = 1000, n_threads = 1,
                                 marginal = "gaussian_copula"))
  expect_no_warning(plot(cop, "fit"))
  expect_true(all(c("Ozone (normal score)", "exp(Temp) (normal score)") %in% plot_titles()))
})

test_that("plot() refuses what it cannot draw, naming the argument and the reason", {
  set.seed(36)
  n <- 200
  g <- factor(sample(c("a", "b"), n, replace = TRUE))
  y <- as.numeric(g) + rnorm(n)
  cat_res <- quiet_short_fits(gmm_mi(g, y, n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_input_error(plot(cat_res, "fits"), "what")
  cnd <- expect_error(plot(cat_res, "fit"), class = "gmmmi_error_input")
  expect_match(conditionMessage(cnd), "It is the MI of a category (g)", fixed = TRUE)
  expect_snapshot(error = TRUE, {
    plot(cat_res, "fits")
    plot(cat_res, "fit")
  })
})

test_that("summary() says whether the copula was kept", {
  set.seed(37)
  d <- r_gaussian_pair(300, 0.6)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 2, mc_samples = 1000, n_threads = 1,
                                 marginal = "auto"))
  res$marginal_choice$chosen <- "none"
  res$marginal_choice$gain <- -0.18
  res$marginal_choice$gain_se <- 0.034
  out <- capture.output(print(summary(res)))
  expect_true(any(grepl("not above 2 se: the data are used as they are", out, fixed = TRUE)))
  expect_false(any(grepl("taken above", out, fixed = TRUE)))
  res$marginal_choice$chosen <- "gaussian_copula"
  res$marginal_choice$gain <- 0.18
  out <- capture.output(print(summary(res)))
  expect_true(any(grepl("above 2 se: the copula is used", out, fixed = TRUE)))
})

test_that("format(), coef() and nobs() describe the estimate briefly", {
  set.seed(38)
  d <- r_gaussian_pair(300, 0.6)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 3, mc_samples = 1000, n_threads = 1))
  expect_identical(coef(res), c(MI = res$estimate))
  expect_identical(nobs(res), 300L)
  expect_length(format(res), 1)
  expect_identical(capture.output(print(res))[1], format(res))
  res$conditional <- TRUE
  expect_named(coef(res), "CMI")
})
