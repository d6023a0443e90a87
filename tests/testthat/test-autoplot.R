# autoplot() methods for ggplot2 users (R/autoplot.R).
skip_if_not_installed("ggplot2")

test_that("autoplot() draws a gmm_mi's bootstrap values and fit as ggplots, without warnings", {
  res <- named_pair_fit(801, n_bootstrap = 5, marginal = "none")
  p <- ggplot2::autoplot(res)
  expect_s3_class(p, "ggplot")
  expect_identical(p$labels$title, "Bootstrap MI: Ozone vs Temp")
  expect_no_warning(ggplot2::ggplot_build(p))
  f <- ggplot2::autoplot(res, "fit")
  expect_identical(c(f$labels$x, f$labels$y), c("Ozone", "Temp"))
  expect_no_warning(built <- ggplot2::ggplot_build(f))
  # The ellipses are within the panel's range.
  rng <- built$layout$panel_params[[1]]
  ell <- do.call(rbind, fit_ellipses(res$fit, c("Ozone", "Temp")))
  expect_true(all(ell[, 1] >= rng$x.range[1] & ell[, 1] <= rng$x.range[2]))
  expect_true(all(ell[, 2] >= rng$y.range[1] & ell[, 2] <= rng$y.range[2]))
  expect_input_error(ggplot2::autoplot(res, "fits"), "what")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_no_warning(print(f))
})

test_that("autoplot() draws a mi_matrix as an annotated heatmap", {
  set.seed(802)
  n <- 300
  f <- data.frame(shape = factor(sample(c("a", "b"), n, replace = TRUE)), size = rnorm(n))
  z <- data.frame(z1 = (f$shape == "a") + rnorm(n, sd = 0.3), z2 = f$size + rnorm(n, sd = 0.3))
  m <- quiet_short_fits(mi_matrix(z, f, n_bootstrap = 3, mc_samples = 1000, n_threads = 1))
  p <- ggplot2::autoplot(m)
  expect_s3_class(p, "ggplot")
  expect_identical(nrow(p$data), length(m$estimate))
  expect_true(all(grepl(pm_symbol(), p$data$label, fixed = TRUE)))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_no_warning(print(p))
  # The cells that cannot be told from zero are those of plot(), captioned.
  m$estimate[] <- c(0.9, 0.01, 0.02, 0.5)
  m$se[] <- c(0.05, 0.02, 0.005, 0.3)
  p <- ggplot2::autoplot(m)
  expect_identical(p$data$zero, as.vector(zero_cells(m)$marked))
  expect_identical(p$data$zero, c(FALSE, TRUE, FALSE, TRUE))
  expect_match(p$labels$caption, "estimate - 1.96 se <= 0", fixed = TRUE)
  expect_no_warning(print(p))
})
