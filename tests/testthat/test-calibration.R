# Calibration beyond the paper's regime (issue #14): the bias-corrected
# estimate, independence with many categories, vector MI, ties and counts,
# rare categories, the entropy bound, unresolved dependence and the
# permutation test. Truths: helper-calibration-truth.R (checked in
# test-truths.R without gmmmi).

fit_family <- function(id, n, seed, ...) {
  fam <- cal_distributions()[[id]]
  set.seed(seed)
  d <- fam$generate(n)
  set.seed(seed + 1)
  list(res = quiet_short_fits(gmm_mi(d$x, d$y, n_threads = 2, ...)), truth = fam$truth, data = d)
}

test_that("independence with ten categories: the corrected estimate is within 2 se of 0", {
  skip_on_cran()
  f <- fit_family("indep_cat10_trimodal", 2000, 1401, n_bootstrap = 20, mc_samples = 5000)
  res <- f$res
  # Each category's own mixture fits its noise: the uncorrected mean of the
  # bootstrap values carries that bias twice and is many se from 0.
  expect_gt(res$estimate_uncorrected, 4 * res$se)
  expect_lte(res$estimate, 2 * res$se)
  expect_equal(res$estimate, max(0, 2 * res$full_data - mean(res$bootstrap)))
  expect_lte(confint(res)[1], 1e-12)
})

test_that("vector Gaussian 5x5: the corrected estimate covers the truth", {
  skip_on_cran()
  f <- fit_family("vector_gauss_5x5", 1000, 1402, n_bootstrap = 30, mc_samples = 2000)
  expect_mi_near(f$res, f$truth, slack = 0)
  ci <- confint(f$res)
  expect_true(ci[1] <= f$truth && f$truth <= ci[2], label = sprintf("[%.4f, %.4f] holds %.4f", ci[1], ci[2], f$truth))
})

test_that("the reference rule keeps the mean of the bootstrap values and its percentiles", {
  set.seed(1403)
  x <- rnorm(400)
  y <- x + rnorm(400)
  set.seed(1)
  ref <- quiet_short_fits(gmm_mi(x, y, n_bootstrap = 10, mc_samples = 2000, n_threads = 1,
                                 control = gmm_mi_control(selection = "reference")))
  expect_false(ref$bias_correction)
  expect_identical(ref$estimate, mean(ref$bootstrap))
  expect_equal(as.numeric(confint(ref)), unname(quantile(ref$bootstrap, c(0.025, 0.975))))
})

test_that("a count works as a number and as a factor (rare counts pooled with a warning)", {
  skip_on_cran()
  truth <- cal_mi_poisson(cal_poisson_a, cal_poisson_b)
  f <- fit_family("poisson_count", 2000, 1404, n_bootstrap = 20, mc_samples = 5000)
  expect_mi_near(f$res, truth, slack = 0.01)
  fam <- cal_distributions()$poisson_factor
  set.seed(1405)
  d <- fam$generate(2000)
  expect_warning(res <- quiet_short_fits(gmm_mi(d$x, d$y, n_bootstrap = 20, mc_samples = 5000, n_threads = 2)),
                 class = "gmmmi_warning_rare")
  expect_true("(rare)" %in% levels(res$labels))
  expect_mi_near(res, truth, slack = 0.01)
})

test_that("rare categories are pooled, or refused when no two categories are large enough", {
  set.seed(1406)
  y <- rnorm(120)
  labels <- c(rep("a", 60), rep("b", 55), rep("c", 3), rep("d", 2))
  expect_warning(res <- quiet_short_fits(gmm_mi(labels, y, n_bootstrap = 2, mc_samples = 500, n_threads = 1)),
                 class = "gmmmi_warning_rare")
  expect_identical(levels(res$labels), c("a", "b", "(rare)"))
  expect_identical(as.character(res$labels[116:120]), rep("(rare)", 5))
  # A pool still too small joins the smallest large category.
  labels <- c(rep("a", 60), rep("b", 57), rep("c", 3))
  expect_warning(res <- quiet_short_fits(gmm_mi(labels, y, n_bootstrap = 2, mc_samples = 500, n_threads = 1)),
                 class = "gmmmi_warning_rare")
  expect_identical(levels(res$labels), c("a", "b"))
  expect_identical(sum(res$labels == "b"), 60L)
})

test_that("rounded data: a floor per tied column, the MI of the rounded variables", {
  skip_on_cran()
  f <- fit_family("rounded_gauss_0.5", 2000, 1407, n_bootstrap = 20, mc_samples = 5000)
  expect_mi_near(f$res, f$truth, slack = 0.01)
})

test_that("the rounding floor bounds a tied column's variance from below, and does not add to it", {
  # One Gaussian (fixed K = 1) fitted to data rounded to steps of 0.5: its
  # covariance is the sample covariance, which holds the rounding noise
  # already, so its MI is -log(1 - r^2) / 2 with r the sample correlation of
  # the rounded data. Adding delta^2 / 12 to every variance instead (the
  # floor as a shift) would lower it by about 0.011 nat here.
  set.seed(1411)
  x <- stats::rnorm(4000)
  y <- 0.6 * x + 0.8 * stats::rnorm(4000)
  xr <- round(2 * x) / 2
  yr <- round(2 * y) / 2
  res <- suppressWarnings(quiet_short_fits(gmm_mi(xr, yr, n_bootstrap = 0, mc_samples = 2e5, n_threads = 1,
                                                  control = gmm_mi_control(fixed_components = 1))),
                          classes = "gmmmi_warning_ties")
  closed <- -0.5 * log(1 - stats::cor(xr, yr)^2)
  expect_lt(abs(res$full_data - closed), 4 * res$mc_se + 1e-4)
  # Whole-number rounding: mixtures put a component on the values, and the
  # floor keeps each at the rounding variance at least, so the MI stays
  # finite and near that of the rounded variables.
  f <- suppressWarnings(fit_family("rounded_gauss_1", 2000, 1412, n_bootstrap = 10, mc_samples = 5000),
                        classes = "gmmmi_warning_ties")
  expect_lt(f$res$estimate, 0.5)
  expect_lt(abs(f$res$estimate - f$truth), 0.06)
})

test_that("small samples: reselect = 'auto' puts the choice of K in the se, estimate the full-data value", {
  gen <- cal_distributions()[["small_gamma_exp_a1"]]
  set.seed(1413)
  d <- gen$generate(300)
  set.seed(1414)
  auto <- quiet_short_fits(gmm_mi(d$x, d$y, n_bootstrap = 12, mc_samples = 5000, n_threads = 1))
  set.seed(1414)
  fixed <- quiet_short_fits(gmm_mi(d$x, d$y, n_bootstrap = 12, mc_samples = 5000, n_threads = 1,
                                   control = gmm_mi_control(reselect = FALSE)))
  set.seed(1414)
  forced <- quiet_short_fits(gmm_mi(d$x, d$y, n_bootstrap = 12, mc_samples = 5000, n_threads = 1,
                                    control = gmm_mi_control(reselect = TRUE)))
  expect_true(auto$reselect)
  expect_false(fixed$reselect)
  expect_identical(auto$bootstrap, forced$bootstrap)
  expect_identical(auto$estimate, max(0, auto$full_data))
  expect_false(auto$bias_correction)
  expect_identical(auto$full_data, fixed$full_data)
  expect_true(any(auto$bootstrap_k != auto$n_components))
  expect_mi_near(auto, gen$truth, slack = 0.02, max_se = 0.3)
  # Above reselect_max_rows (500) rows, "auto" keeps K fixed; categories
  # never reselect, and the reference rule never does.
  set.seed(1415)
  big <- quiet_short_fits(gmm_mi(stats::rnorm(600), stats::rnorm(600), n_bootstrap = 3,
                                 mc_samples = 1000, n_threads = 1))
  expect_false(big$reselect)
  expect_true(all(big$bootstrap_k == big$n_components))
  # Vectors and conditional MI keep K fixed (and the bias correction).
  set.seed(1416)
  w <- matrix(stats::rnorm(900), 300)
  vec <- quiet_short_fits(gmm_mi(w[, 1:2], w[, 3], n_bootstrap = 3, mc_samples = 1000, n_threads = 1))
  expect_false(vec$reselect)
  cond <- quiet_short_fits(gmm_mi(w[, 1], w[, 2], w[, 3], n_bootstrap = 3, mc_samples = 1000, n_threads = 1))
  expect_false(cond$reselect)
  lab <- factor(rep(c("a", "b"), 100))
  cat_res <- quiet_short_fits(gmm_mi(lab, stats::rnorm(200), n_bootstrap = 3, mc_samples = 1000,
                                     n_threads = 1))
  expect_false(cat_res$reselect)
  expect_false(gmm_mi_control(selection = "reference")$reselect)
  expect_identical(gmm_mi_control()$reselect, "auto")
  expect_input_error(gmm_mi_control(reselect = "sometimes"), "reselect")
})

test_that("few distinct values: a warning that suggests factor(), and never more than the entropy", {
  expect_warning(res <- quiet_short_fits(gmm_mi(mtcars$cyl, mtcars$gear, n_bootstrap = 10, mc_samples = 2000,
                                                n_threads = 1)),
                 class = "gmmmi_warning_ties")
  p <- table(mtcars$cyl) / 32
  h_cyl <- -sum(p * log(p))
  expect_equal(res$entropy_bound, min(h_cyl, -sum(table(mtcars$gear) / 32 * log(table(mtcars$gear) / 32))))
  expect_lte(res$estimate, h_cyl)
  expect_lte(confint(res)[2], h_cyl)
  # Two binary copies of one variable: MI = log 2, the entropy of each.
  x <- rep(0:1, 50)
  res <- suppressWarnings(quiet_short_fits(gmm_mi(x, x, n_bootstrap = 10, mc_samples = 2000, n_threads = 1)))
  expect_lte(res$estimate, log(2) + 1e-12)
  expect_gt(res$estimate, 0.3)  # (bumps of variance 1/12 one unit apart overlap a little)
  # Without the tie floor (the reference's way) the bound still holds.
  res <- suppressWarnings(quiet_short_fits(gmm_mi(mtcars$cyl, mtcars$gear, n_bootstrap = 10, mc_samples = 2000,
                                                  n_threads = 1, control = gmm_mi_control(selection = "reference"))))
  expect_lte(res$estimate, h_cyl)
})

test_that("one side a function of the other: a warning that the MI is not resolved", {
  set.seed(1408)
  x <- rnorm(500)
  expect_warning(quiet_short_fits(gmm_mi(x, x, n_bootstrap = 5, mc_samples = 2000, n_threads = 1)),
                 class = "gmmmi_warning_unresolved")
  expect_warning(quiet_short_fits(gmm_mi(x, 2 * x + 1, n_bootstrap = 5, mc_samples = 2000, n_threads = 1)),
                 class = "gmmmi_warning_unresolved")
  # Strong but resolved dependence does not warn.
  y <- x + 0.1 * rnorm(500)
  expect_no_warning(res <- quiet_short_fits(gmm_mi(x, y, n_bootstrap = 5, mc_samples = 2000, n_threads = 1)))
  expect_mi_near(res, -0.5 * log(1 - cor(x, y)^2), slack = 0.05, max_se = 0.2)
})

test_that("mi_test() tells dependence from independence", {
  skip_on_cran()
  set.seed(1409)
  x <- rnorm(300)
  dep <- quiet_short_fits(gmm_mi(x, 0.5 * x + rnorm(300), n_bootstrap = 5, mc_samples = 2000, n_threads = 1))
  t_dep <- quiet_short_fits(mi_test(dep, n_permutations = 19, mc_samples = 2000, n_threads = 1))
  expect_s3_class(t_dep, "htest")
  expect_equal(t_dep$p.value, 1 / 20)
  expect_length(t_dep$null, 19)
  ind <- quiet_short_fits(gmm_mi(x, rnorm(300), n_bootstrap = 5, mc_samples = 2000, n_threads = 1))
  p <- vapply(1:3, function(i) {
    set.seed(i)
    quiet_short_fits(mi_test(ind, n_permutations = 19, mc_samples = 2000, n_threads = 1))$p.value
  }, numeric(1))
  expect_gt(max(p), 0.1)
  # Categories and two categories.
  f <- factor(sample(c("a", "b"), 300, replace = TRUE))
  cat_res <- quiet_short_fits(gmm_mi(f, x + (f == "a"), n_bootstrap = 5, mc_samples = 2000, n_threads = 1))
  expect_equal(quiet_short_fits(mi_test(cat_res, 9, 2000, n_threads = 1))$p.value, 0.1)
  g <- factor(ifelse(runif(300) < 0.9, as.character(f), "c"))
  disc <- gmm_mi(f, g, n_bootstrap = 5)
  expect_equal(mi_test(disc, 9)$p.value, 0.1)
  # Conditional MI cannot be tested by permutation.
  cond <- quiet_short_fits(gmm_mi(x, x + rnorm(300), z = rnorm(300), n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_input_error(mi_test(cond), "z")
  expect_input_error(mi_test(list()), "object")
  expect_input_error(mi_test(dep, n_permutations = 0), "n_permutations")
})

test_that("mi_matrix() tests each pair by permutation on request", {
  set.seed(1410)
  n <- 200
  f <- data.frame(a = rnorm(n), b = factor(sample(c("u", "v"), n, replace = TRUE)))
  z <- data.frame(z1 = f$a + rnorm(n, sd = 0.5), z2 = rnorm(n))
  m <- quiet_short_fits(mi_matrix(z, f, n_bootstrap = 4, mc_samples = 1000, n_permutations = 9,
                                  n_threads = 1))
  expect_identical(dim(m$p_value), c(2L, 2L))
  expect_equal(m$p_value["z1", "a"], 0.1)
  expect_true(all(m$p_value >= 0.1 & m$p_value <= 1))
  plain <- quiet_short_fits(mi_matrix(z, f, n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_true(all(is.na(plain$p_value)))
  expect_input_error(mi_matrix(z, f, n_permutations = -1), "n_permutations")
})

test_that("bias_correction = 'auto' corrects where measured to help, not two scalars with several components", {
  set.seed(1411)
  x <- rgamma(1500, shape = 1)
  y <- log(rexp(1500, rate = x))
  x <- log(x)
  fit <- function(setting) {
    set.seed(2)
    quiet_short_fits(gmm_mi(x, y, n_bootstrap = 10, mc_samples = 2000, n_threads = 1, marginal = "none",
                            control = gmm_mi_control(bias_correction = setting)))
  }
  auto <- fit("auto")
  expect_gt(auto$n_components, 1)
  expect_false(auto$bias_correction)
  expect_identical(auto$estimate, mean(auto$bootstrap))
  always <- fit("always")
  expect_true(always$bias_correction)
  expect_equal(always$estimate, max(0, 2 * always$full_data - mean(always$bootstrap)))
  expect_identical(always$bootstrap, auto$bootstrap)
  expect_identical(fit("never")$estimate, auto$estimate)
  expect_input_error(gmm_mi_control(bias_correction = TRUE), "bias_correction")
  # Vector-valued and conditional MI, a category, two categories and a single
  # Gaussian: corrected where the bias is material.
  expect_identical(use_correction("auto", "continuous", 3, 4), "if_material")
  expect_identical(use_correction("auto", "continuous", 2, 1), "if_material")
  expect_identical(use_correction("auto", "continuous", 2, 2), "never")
  expect_identical(use_correction("auto", "categorical"), "if_material")
  expect_identical(use_correction("auto", "discrete"), "if_material")
  expect_identical(use_correction("never", "discrete"), "never")
})

test_that("'auto' corrects only a bias of at least a quarter of the se", {
  set.seed(1412)
  x <- rnorm(2000)
  y <- 0.6 * x + 0.8 * rnorm(2000)
  set.seed(4)
  res <- quiet_short_fits(gmm_mi(x, y, n_bootstrap = 20, mc_samples = 2000, n_threads = 1))
  expect_equal(res$n_components, 1L)
  material <- abs(res$estimate_uncorrected - res$full_data) >= 0.25 * res$se
  expect_identical(res$bias_correction, material)
  expect_equal(res$estimate, if (material) max(0, 2 * res$full_data - res$estimate_uncorrected)
                             else res$estimate_uncorrected)
})
