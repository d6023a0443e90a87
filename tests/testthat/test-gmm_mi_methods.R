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
  expect_true(res$bias_correction)  # one Gaussian component
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

  df <- as.data.frame(res)
  expect_s3_class(df, "data.frame")
  expect_identical(nrow(df), 1L)
  expect_true(all(c("estimate", "se", "conf_low", "conf_high", "mc_se", "units", "n_components",
                    "n_bootstrap", "n") %in% names(df)))
  expect_equal(df$estimate, res$estimate)
  expect_equal(df$se, res$se)
  expect_equal(c(df$conf_low, df$conf_high), as.numeric(ci))
  expect_identical(df$units, "nat")

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
