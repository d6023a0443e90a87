# The limits of issue 17: every repro of the red-team pass gives a correct
# value or a clear classed error, within bounded time and memory. Extreme
# values (log-normal of sd 20, Cauchy cubed) must not capture the choice of
# margins; a joint model with as many columns as a fifth of the rows is
# refused; resources are checked before they are allocated; every long path
# can be interrupted; errors name the caller's own settings.

# Under valgrind (tools/valgrind.sh) the heavy tests run smaller.
under_valgrind <- nzchar(Sys.getenv("GMMMI_VALGRIND_LIB"))

# Runs `expr` with the package's warnings muffled (their classes are kept in
# attribute "warnings"), or returns its error.
muffled <- function(expr) {
  seen <- character(0)
  res <- withCallingHandlers(
    tryCatch(expr, error = function(e) e),
    warning = function(w) {
      seen <<- c(seen, class(w)[1])
      invokeRestart("muffleWarning")
    })
  attr(res, "warnings") <- seen
  res
}

test_that("independent log-normal and Cauchy-cubed pairs come out within 2 se of 0", {
  set.seed(1)
  x <- exp(20 * rnorm(1000))
  y <- exp(20 * rnorm(1000))
  r <- gmm_mi(x, y, n_bootstrap = 10, mc_samples = 1e4, n_threads = 2)
  expect_identical(r$marginal, "gaussian_copula")
  expect_true(all(is.finite(r$bootstrap)) && is.finite(r$full_data))
  expect_lte(abs(r$estimate), 2 * r$se)

  set.seed(3)
  a <- rcauchy(1000)^3
  b <- rcauchy(1000)^3
  r <- gmm_mi(a, b, n_bootstrap = 10, mc_samples = 1e4, n_threads = 2)
  expect_identical(r$marginal, "gaussian_copula")
  expect_lte(abs(r$estimate), 2 * r$se)
})

test_that("a dependent log-normal pair comes out within 3 se of its MI", {
  set.seed(1)
  z <- rnorm(1000)
  r <- gmm_mi(exp(20 * z), z + rnorm(1000), n_bootstrap = 20, mc_samples = 1e4, n_threads = 2)
  expect_lte(abs(r$estimate - 0.5 * log(2)), 3 * r$se)
})

test_that("one absurd held-out row does not capture the choice of margins", {
  # In this dataset one row, scored near -5e19 nat as the data are, held the
  # mean comparison at 1 se; the trimmed comparison decides.
  set.seed(1)
  x <- exp(20 * rnorm(1000))
  y <- exp(20 * rnorm(1000))
  r <- gmm_mi(x, y, n_bootstrap = 2, mc_samples = 1e3, n_threads = 2)
  ch <- r$marginal_choice
  expect_true(ch$trimmed)
  expect_identical(ch$chosen, "gaussian_copula")
  expect_gt(ch$gain, ch$z * ch$gain_se)
  expect_output(print(summary(r)), "20%-trimmed")
  # An ordinary dataset keeps the mean comparison.
  set.seed(2)
  u <- rnorm(500)
  r <- gmm_mi(u, u + rnorm(500), n_bootstrap = 2, mc_samples = 1e3, n_threads = 2)
  expect_false(r$marginal_choice$trimmed)
})

test_that("the data as they are give a possible MI even at extreme scales, or an error", {
  # Centred on their mean, log-normal data of sd 20 sat 1e19 spreads from 0,
  # where the fit's densities lost every digit (an MI of -0.28 for a fit
  # whose MI is 0.14); they are now centred on the median.
  set.seed(1)
  x <- exp(20 * rnorm(1000))
  y <- exp(20 * rnorm(1000))
  r <- muffled(gmm_mi(x, y, n_bootstrap = 5, mc_samples = 1e4, marginal = "none", n_threads = 2))
  if (inherits(r, "error")) {
    expect_s3_class(r, "gmmmi_error")
  } else {
    expect_true(is.finite(r$full_data))
    expect_gte(r$full_data, -4 * r$mc_se)
    expect_true(all(is.na(r$bootstrap) | r$bootstrap > -1))
    # The fit's MI, by an independent Monte Carlo in R, agrees with full_data.
    set.seed(2)
    u <- simulate(r$fit, 2e4)
    v <- predict(r$fit, u, type = "logdensity") -
      predict(gmm_marginal(r$fit, 1), u[, 1], type = "logdensity") -
      predict(gmm_marginal(r$fit, 2), u[, 2], type = "logdensity")
    expect_lt(abs(mean(v) - r$full_data), 5 * (sd(v) / sqrt(length(v)) + r$mc_se))
  }
})

test_that("a joint model with d >= n / 5 columns is refused, saying what n would do", {
  set.seed(1)
  err <- expect_error(gmm_mi(matrix(rnorm(40 * 250), 40), matrix(rnorm(40 * 250), 40)),
                      class = "gmmmi_error_identifiability")
  expect_match(conditionMessage(err), "500 joint columns from only 40 rows")
  expect_match(conditionMessage(err), "needs at least 312500 rows")
  err <- expect_error(gmm_mi(matrix(rnorm(200 * 60), 200), matrix(rnorm(200 * 60), 200)),
                      class = "gmmmi_error_identifiability")
  expect_match(conditionMessage(err), "18000 rows")
  expect_s3_class(err, "gmmmi_error_input")
  # Conditioning columns count too; fewer columns are fine.
  expect_error(gmm_mi(rnorm(20), rnorm(20), z = matrix(rnorm(40), 20)),
               class = "gmmmi_error_identifiability")
  expect_s3_class(gmm_mi(matrix(rnorm(200 * 3), 200), matrix(rnorm(200 * 3), 200),
                         n_bootstrap = 2, mc_samples = 500, n_threads = 2), "gmm_mi")
})

test_that("cross-validation folds are held as indices: many folds of many rows fit in memory", {
  skip_on_cran()
  # 1000 folds of 3e5 rows once took 4.8 GB (one copy of the data per fold).
  set.seed(1)
  n <- if (under_valgrind) 2000 else 2e4
  x <- cbind(rnorm(n), rnorm(n))
  sel <- gmm_select(x, fixed_components = 1, n_folds = if (under_valgrind) 50 else 500, n_inits = 1,
                    n_threads = 2)
  expect_equal(sel$n_components, 1L)
  expect_true(is.finite(sel$table$validation))
})

test_that("two categories with many levels give the plug-in MI from a sparse table", {
  set.seed(1)
  a <- sample(3e4, 6e4, TRUE)
  b <- (a + sample(0:1, 6e4, TRUE)) %% 3e4
  t0 <- proc.time()[["elapsed"]]
  r <- gmm_mi(factor(a), factor(b), n_bootstrap = 0)
  if (!under_valgrind) expect_lt(proc.time()[["elapsed"]] - t0, 10)
  expect_true(is.finite(r$estimate) && r$estimate > 9)
  # Against the dense table on a small case.
  a <- sample(6, 300, TRUE)
  b <- (a + sample(0:2, 300, TRUE)) %% 6
  p <- table(a, b) / 300
  dense <- sum(p[p > 0] * log(p[p > 0] / outer(rowSums(p), colSums(p))[p > 0]))
  expect_equal(gmm_mi(factor(a), factor(b), n_bootstrap = 0)$full_data, dense)
})

test_that("many categories are scored in O(categories x draws) and right", {
  skip_on_cran()
  # 2000 categories of 4 rows; each category's Monte Carlo loop scored every
  # category (O(C^2 M)); the draws are now shared.
  set.seed(1)
  C <- if (under_valgrind) 100 else 2000
  lab <- factor(rep(seq_len(C), each = 4))
  y <- rnorm(4 * C, rnorm(C, 0, 0.3)[as.integer(lab)])
  t0 <- proc.time()[["elapsed"]]
  r <- muffled(gmm_mi(lab, y, n_bootstrap = 0, mc_samples = 2000, n_threads = 2))
  if (!under_valgrind) expect_lt(proc.time()[["elapsed"]] - t0, 60)
  expect_s3_class(r, "gmm_mi")
  expect_true(is.finite(r$estimate) && r$estimate >= 0 && r$estimate <= log(C))
  # 20 well separated categories: the MI is their entropy; 20 alike: 0.
  set.seed(2)
  lab <- factor(rep(1:20, each = 60))
  r <- muffled(gmm_mi(lab, rnorm(1200, 10 * as.integer(lab)), n_bootstrap = 4, mc_samples = 5000,
                      n_threads = 2))
  expect_equal(r$full_data, log(20), tolerance = 0.01)
  r <- muffled(gmm_mi(lab, rnorm(1200), n_bootstrap = 4, mc_samples = 5000, n_threads = 2))
  expect_lt(r$full_data, 0.1)
})

test_that("calls that cannot fit in memory are refused up front, with a classed error", {
  old <- options(gmmmi.max_memory = 2e9)
  on.exit(options(old))
  t0 <- proc.time()[["elapsed"]]
  err <- expect_error(gmm_fit(matrix(rnorm(2e5), ncol = 2), k = 6000), class = "gmmmi_error_resources")
  expect_match(conditionMessage(err), "6000 components")
  f <- gmm_fit(matrix(rnorm(200), ncol = 2), k = 1)
  expect_error(simulate(f, 2e9), class = "gmmmi_error_resources")
  options(gmmmi.max_memory = 3e8)
  f40 <- suppressWarnings(gmm_fit(matrix(rnorm(4000), ncol = 2), k = 40, init = "kmeans", max_iter = 2))
  expect_error(predict(f40, matrix(0, 1e6, 2), type = "responsibilities"),
               class = "gmmmi_error_resources")
  expect_length(predict(f40, matrix(0, 1e4, 2), type = "logdensity"), 1e4)
  if (!under_valgrind) expect_lt(proc.time()[["elapsed"]] - t0, 10)
  # Below the budget nothing is refused.
  expect_identical(dim(simulate(f, 10)), c(10L, 2L))
})

test_that("more threads than cores are capped, with a message", {
  set.seed(1)
  x <- rnorm(200)
  expect_message(r <- gmm_mi(x, x + rnorm(200), n_bootstrap = 2, mc_samples = 500, n_threads = 1000),
                 class = "gmmmi_message_threads")
  expect_s3_class(r, "gmm_mi")
})

test_that("errors of the core name the caller's own settings, and memory failures their own class", {
  call_core <- getFromNamespace("call_core", "gmmmi")
  err <- expect_error(call_core(stop("singular"), quote(gmm_fit(x, 3)), settings = NULL),
                      class = "gmmmi_error_fit")
  expect_match(conditionMessage(err), "reg_covar")
  expect_no_match(conditionMessage(err), "gmm_mi_control")
  err <- expect_error(call_core(stop("singular"), quote(gmm_mi(x, y))), class = "gmmmi_error_fit")
  expect_match(conditionMessage(err), "gmm_mi_control")
  expect_error(call_core(stop("std::bad_alloc"), quote(gmm_fit(x, 3)), settings = NULL),
               class = "gmmmi_error_resources")
  expect_error(call_core(stop("Resource temporarily unavailable"), quote(gmm_mi(x, y))),
               class = "gmmmi_error_resources")
})

test_that("integer64 and other classed numerics are read by value", {
  skip_if_not_installed("bit64")
  d <- data.frame(a = bit64::as.integer64(c(10, 20, 30, 40, 50, 60)), b = c(1, 3, 2, 5, 4, 7))
  f <- gmm_fit(d, k = 1)
  expect_equal(unname(f$means[1, ]), c(35, 22 / 6))
  d$a <- -d$a
  f <- gmm_fit(d, k = 1)
  expect_equal(unname(f$means[1, "a"]), -35)
  f <- gmm_fit(bit64::as.integer64(c(3, 1, 4, 1, 5, 9, 2, 6)), k = 1)
  expect_equal(unname(f$means[1, 1]), 31 / 8)
  # A numeric class of one's own is read by its as.double(); a class that
  # says it is not numeric (difftime, Date) is refused.
  v <- structure(c(1, 2, 4, 8, 3, 5), class = "my_units")
  f <- gmm_fit(data.frame(t = I(v), u = c(2, 1, 3, 5, 4, 6)), k = 1)
  expect_equal(unname(f$means[1, "t"]), mean(c(1, 2, 4, 8, 3, 5)))
  expect_error(gmm_fit(data.frame(t = as.difftime(c(1, 2, 4, 8), units = "mins"), u = 1:4), k = 1),
               class = "gmmmi_error_input")
  expect_error(gmm_fit(data.frame(a = bit64::as.integer64(c(1, NA, 3, 4)), b = 1:4), k = 1),
               class = "gmmmi_error_input")
})

test_that("gmm_select's table marks failed numbers of components NA, never the best", {
  set.seed(1)
  sel <- muffled(gmm_select(cbind(rnorm(20), rnorm(20)), max_components = 300, threshold = 0,
                            patience = 300))
  tab <- sel$table
  # The search stops at the rows of a training part (10), and no failed row
  # carries the score of a perfect fit.
  expect_lte(max(tab$k), 10)
  ok <- !is.na(tab$aic)
  expect_true(all(is.finite(tab$aic[ok])))
  expect_false(any(tab$loglik == 0 & !is.na(tab$loglik)))
})

test_that("the smaller items of issue 17", {
  set.seed(1)
  x <- rnorm(500)
  y <- x + rnorm(500)
  # One draw has no Monte Carlo error to give.
  r <- gmm_mi(x, y, n_bootstrap = 2, mc_samples = 1, n_threads = 2,
              control = gmm_mi_control(fixed_components = 2))
  expect_true(is.na(r$mc_se))
  f <- gmm_fit(cbind(x, y), k = 2, init = "kmeans")
  expect_true(is.na(attr(gmm_entropy(f, mc_samples = 1), "mc_se")))
  expect_gt(attr(gmm_entropy(f, mc_samples = 100), "mc_se"), 0)
  # A covariance floor that swamps the data is named, not tol.
  w <- attr(muffled(gmm_mi(x, y, n_bootstrap = 2, mc_samples = 500, n_threads = 2,
                           control = gmm_mi_control(reg_covar = 1e10))), "warnings")
  expect_true("gmmmi_warning_reg_covar" %in% w)
  expect_false("gmmmi_warning_short_fits" %in% w)
  # PMI far out in the tails: the limit, with a warning, not NaN.
  r <- gmm_mi(x, y, n_bootstrap = 2, mc_samples = 500, marginal = "none", n_threads = 2)
  expect_warning(v <- pmi(r, x = c(1e300, 1e300, 0), y = c(-1e300, 1e300, 0)), class = "gmmmi_warning_far")
  expect_identical(v[1:2], c(-Inf, Inf))
  expect_true(is.finite(v[3]))
  # `$` matches names exactly: a removed field is not read from another.
  r2 <- r
  r2$bootstrap <- NULL
  expect_null(r2$bootstrap)
  expect_error(confint(r2), class = "gmmmi_error_input")
  expect_null(r$boot)
  expect_null(f$n_it)
  # Weights must sum to 1.
  f$weights <- f$weights * 3
  expect_error(gmm_entropy(f), class = "gmmmi_error_input")
  expect_error(gmm_kl(f), class = "gmmmi_error_input")
})

# Interrupts: a forked child sends SIGINT to this process while a long call
# runs (helper-interrupt.R, as in test-interrupt.R).
test_that("entropy, KL, simulate and predict stop promptly on an interrupt", {
  skip_on_cran()
  skip_on_os("windows")
  skip_if_not(is.function(parallel::mcparallel) && nzchar(Sys.getenv("NOT_CRAN")))
  skip_if(nzchar(Sys.getenv("GMMMI_VALGRIND_LIB")), "valgrind build")
  limit <- if (nzchar(Sys.getenv("GMMMI_SANITIZE_LIB"))) 10 else 2
  set.seed(1)
  f <- gmm_fit(matrix(rnorm(2000), ncol = 2), k = 3, init = "kmeans")
  f60 <- suppressWarnings(gmm_fit(matrix(rnorm(12000), ncol = 2), k = 60, init = "kmeans", max_iter = 5))
  newdata <- matrix(rnorm(4e7), ncol = 2)
  # (simulate() of 5e7 draws needs about 3.4 GB if it ran to the end)
  skip_if(getFromNamespace("memory_budget", "gmmmi")() < 4e9, "less than 4 GB of memory")
  calls <- list(entropy = quote(gmm_entropy(f, mc_samples = 1e9)),
                kl = quote(gmm_kl(f, mc_samples = 1e9)),
                simulate = quote(simulate(f, 5e7)),
                predict = quote(predict(f60, newdata, type = "logdensity")))
  for (what in names(calls)) {
    res <- interrupt_latency(eval(calls[[what]]))
    expect_identical(res$outcome, "interrupted", label = what)
    expect_lt(res$latency, limit, label = what)
  }
  # The next call works.
  expect_true(is.finite(gmm_entropy(f, mc_samples = 1000)))
})
