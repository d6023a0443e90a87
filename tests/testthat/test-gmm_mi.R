# gmm_mi(): accuracy against closed-form MI (the distributions of the GMM-MI
# paper, Piras et al. 2023; derivations in vignette("method"), section "10
# Distributions with known MI"), reproducibility and input checks (its
# methods: test-gmm_mi_methods.R).

# ---- the truths themselves ------------------------------------------------

test_that("the closed-form truths agree with each other and with direct Monte Carlo", {
  # Gaussian: block formula in one dimension, conditional formula via the
  # partial correlation, known values (see the head of this file).
  expect_equal(mi_gaussian(0.6), 0.22314, tolerance = 1e-4)
  S2 <- matrix(c(1, -0.9, -0.9, 1), 2)
  expect_equal(mi_gaussian_blocks(S2, 1, 2), mi_gaussian(-0.9))
  R <- matrix(c(1, 0.6, 0.5, 0.6, 1, 0.4, 0.5, 0.4, 1), 3)
  expect_equal(cmi_gaussian(R, 1, 2, 3), mi_gaussian(partial_cor(0.6, 0.5, 0.4)))
  expect_equal(mi_gamma_exp(0.1), 1.8788, tolerance = 1e-4)
  expect_equal(mi_weinman(0.25), 1)
  # The three branches of the Weinman formula join continuously.
  expect_equal(mi_weinman(0.5 - 1e-7), mi_weinman(0.5), tolerance = 1e-5)
  expect_equal(mi_weinman(0.5 + 1e-7), mi_weinman(0.5), tolerance = 1e-5)

  # E[log p(y | x) - log p(y)] with the analytic densities.
  set.seed(101)
  n <- 2e5
  a <- 0.7
  x <- rgamma(n, shape = a)
  y <- rexp(n, rate = x)
  v <- log(x) - x * y - log(a) + (a + 1) * log1p(y)      # p(y) = a (1 + y)^-(a + 1)
  expect_lt(abs(mean(v) - mi_gamma_exp(a)), 4 * sd(v) / sqrt(n))
  for (a in c(0.25, 1)) {
    x <- rexp(n, rate = 2)
    e <- rexp(n, rate = 1 / a)
    y <- x + e
    # p(y) = 2 / (2a - 1) (exp(-y / a) - exp(-2y))
    v <- -log(a) - e / a - log(2 / abs(2 * a - 1)) - log(abs(exp(-y / a) - exp(-2 * y)))
    expect_lt(abs(mean(v) - mi_weinman(a)), 4 * sd(v) / sqrt(n))
  }
})

# ---- accuracy ---------------------------------------------------------------

test_that("MI of a correlated Gaussian pair is close to the closed form", {
  set.seed(11)
  d <- r_gaussian_pair(2000, 0.6)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 2e4, n_threads = 2))
  expect_s3_class(res, "gmm_mi")
  expect_mi_near(res, mi_gaussian(0.6))
  # The estimate is the bootstrap bias-corrected value, 2 * full-data value
  # minus the mean of the bootstrap values (not below 0), the se their sd; the
  # uncorrected mean is kept.
  expect_length(res$bootstrap, 20)
  # (A single Gaussian is corrected when the bias is material; see
  # test-calibration.R for the rule.)
  expect_identical(res$bias_correction, res$n_components == 1 &&
                     abs(mean(res$bootstrap) - res$full_data) >= 0.25 * res$se)
  expect_equal(res$estimate, if (res$bias_correction) max(0, 2 * res$full_data - mean(res$bootstrap))
                             else mean(res$bootstrap))
  expect_equal(res$estimate_uncorrected, mean(res$bootstrap))
  expect_equal(res$se, sd(res$bootstrap))
  # One component: the integral is exact; more: Monte Carlo error below the se.
  if (res$n_components == 1) expect_identical(res$mc_se, 0) else
    expect_true(is.finite(res$mc_se) && res$mc_se > 0 && res$mc_se < res$se)
  expect_identical(res$units, "nat")
  expect_identical(res$n, 2000L)
  expect_false(res$conditional)
  expect_s3_class(res$selection, "gmm_selection")
  expect_s3_class(res$fit, "gmm")
  expect_identical(length(res$fit$weights), as.integer(res$n_components))
})

test_that("bivariate Gaussian MI matches -0.5 log(1 - rho^2) over a grid of rho", {
  skip_on_cran()
  n <- 1e4
  for (rho in c(0, 0.3, -0.3, 0.6, -0.6, 0.9, -0.9)) {
    set.seed(round(1000 * rho) + 2000)
    d <- r_gaussian_pair(n, rho)
    res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 3e4, n_threads = 2))
    expect_mi_near(res, mi_gaussian(rho), max_se = 0.02)
  }
})

test_that("the bootstrap se matches the spread of estimates across datasets", {
  skip_on_cran()
  # 30 datasets of N = 2000 at rho = 0.6; the paper reports spread 0.0144 and
  # mean se 0.0134 here. With 30 datasets the sd of the spread is about 13 %.
  est <- se <- numeric(30)
  for (i in 1:30) {
    set.seed(7000 + i)
    d <- r_gaussian_pair(2000, 0.6)
    res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 30, mc_samples = 2e4, n_threads = 2))
    est[i] <- res$estimate
    se[i] <- res$se
  }
  ratio <- mean(se) / sd(est)
  expect_gt(ratio, 0.65)
  expect_lt(ratio, 1.6)
  expect_lt(abs(mean(est) - mi_gaussian(0.6)), 3 * sd(est) / sqrt(30) + 0.003)
})

test_that("MI is unchanged by shifting and rescaling each column", {
  set.seed(12)
  d <- r_gaussian_pair(1000, 0.5)
  set.seed(5)
  a <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 5, mc_samples = 5000, n_threads = 2))
  set.seed(5)
  b <- quiet_short_fits(gmm_mi(1e6 * d[, 1] - 3e7, 1e-6 * d[, 2] + 5, n_bootstrap = 5,
                               mc_samples = 5000, n_threads = 2))
  expect_equal(b$estimate, a$estimate, tolerance = 1e-6)
  expect_equal(b$bootstrap, a$bootstrap, tolerance = 1e-6)
})

test_that("gamma-exponential MI matches digamma(a + 1) - log(a)", {
  skip_on_cran()
  # a = 0.1 is the paper's headline case (12 components); a = 1 is smoother.
  cases <- list(list(a = 0.1, n = 1e4), list(a = 1, n = 1e4))
  for (cs in cases) {
    set.seed(round(100 * cs$a) + 300)
    d <- r_gamma_exp(cs$n, cs$a)
    res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 3e4, n_threads = 2))
    expect_gt(res$n_components, 1)
    expect_mi_near(res, mi_gamma_exp(cs$a))
  }
})

test_that("ordered Weinman exponential MI matches the closed form on both sides of a = 1/2", {
  skip_on_cran()
  for (a in c(0.25, 1)) {
    set.seed(round(100 * a) + 400)
    d <- r_weinman(1e4, a)
    res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 3e4, n_threads = 2))
    expect_gt(res$n_components, 1)
    expect_mi_near(res, mi_weinman(a))
  }
})

test_that("MI of the paper's Gaussian-mixture dataset D3 is 0.13238 nat", {
  skip_on_cran()
  set.seed(503)
  d <- r_d3(1e4)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 20, mc_samples = 3e4, n_threads = 2))
  expect_gte(res$n_components, 3)
  expect_mi_near(res, mi_d3, max_se = 0.02)
})

test_that("MI between two 3-dimensional Gaussian blocks matches the determinant formula", {
  skip_on_cran()
  S <- diag(6)
  S[1, 2] <- S[2, 1] <- 0.3
  S[4, 5] <- S[5, 4] <- -0.2
  S[1, 4] <- S[4, 1] <- 0.5
  S[2, 6] <- S[6, 2] <- 0.4
  S[3, 5] <- S[5, 3] <- -0.3
  S[3, 6] <- S[6, 3] <- 0.2
  truth <- mi_gaussian_blocks(S, 1:3, 4:6)
  set.seed(505)
  d <- r_mvn(1e4, S)
  colnames(d) <- c("x1", "x2", "x3", "y1", "y2", "y3")
  res <- quiet_short_fits(gmm_mi(d[, 1:3], d[, 4:6], n_bootstrap = 20, mc_samples = 3e4, n_threads = 2))
  expect_identical(res$variables$x, c("x1", "x2", "x3"))
  expect_identical(res$variables$y, c("y1", "y2", "y3"))
  expect_mi_near(res, truth, max_se = 0.02)
})

test_that("conditional MI of a trivariate Gaussian matches -0.5 log(1 - partial correlation^2)", {
  skip_on_cran()
  R <- matrix(c(1, 0.6, 0.5, 0.6, 1, 0.4, 0.5, 0.4, 1), 3)
  truth <- mi_gaussian(partial_cor(0.6, 0.5, 0.4))
  set.seed(506)
  d <- r_mvn(1e4, R)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], z = d[, 3], n_bootstrap = 20, mc_samples = 3e4,
                                 n_threads = 2))
  expect_true(res$conditional)
  expect_identical(res$variables$z, "d[, 3]")
  expect_mi_near(res, truth, max_se = 0.02)
  # The unconditional MI of the same data is clearly different (0.223 nat).
  expect_gt(abs(mi_gaussian(0.6) - truth), 0.07)
})

test_that("conditional MI given a 2-dimensional z, and conditional independence, are recovered", {
  skip_on_cran()
  # x, y, z1, z2 with x and y dependent only through z: I(X; Y | Z) = 0.
  # cov(x, y) = cov(x, z) Szz^-1 cov(z, y) = 0.6 * 0.5 + 0.3 * 0.24 = 0.372.
  S <- matrix(c(1, 0.372, 0.6, 0.3,
                0.372, 1, 0.5, 0.24,
                0.6, 0.5, 1, 0,
                0.3, 0.24, 0, 1), 4)
  expect_equal(cmi_gaussian(S, 1, 2, 3:4), 0)
  S2 <- S
  S2[1, 2] <- S2[2, 1] <- 0.6
  truth2 <- cmi_gaussian(S2, 1, 2, 3:4)
  for (case in list(list(S = S, truth = 0), list(S = S2, truth = truth2))) {
    set.seed(507)
    d <- r_mvn(1e4, case$S)
    res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], z = d[, 3:4], n_bootstrap = 20, mc_samples = 3e4,
                                   n_threads = 2))
    expect_mi_near(res, case$truth, max_se = 0.02)
  }
})

# ---- reproducibility and units ------------------------------------------

test_that("results do not depend on the number of threads, and set.seed reproduces them", {
  set.seed(21)
  d <- r_d3(1500)
  run <- function(threads, units = "nat") {
    set.seed(99)
    quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 10, mc_samples = 1e4, units = units,
                            n_threads = threads))
  }
  one <- run(1)
  two <- run(2)
  again <- run(2)
  expect_gt(one$n_components, 1)
  expect_identical(two$bootstrap, one$bootstrap)
  expect_identical(two$estimate, one$estimate)
  expect_identical(two$full_data, one$full_data)
  expect_identical(two$selection$table, one$selection$table)
  expect_identical(two$fit$means, one$fit$means)
  expect_identical(again$bootstrap, two$bootstrap)
  # A thread count that does not divide the tasks evenly.
  expect_identical(run(3)$bootstrap, one$bootstrap)

  # A different seed gives different bootstrap values.
  set.seed(100)
  other <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 10, mc_samples = 1e4, n_threads = 2))
  expect_false(identical(other$bootstrap, one$bootstrap))

  bits <- run(2, "bit")
  expect_identical(bits$units, "bit")
  expect_equal(bits$bootstrap, two$bootstrap / log(2))
  expect_equal(bits$estimate, two$estimate / log(2))
  expect_equal(bits$se, two$se / log(2))
  expect_equal(bits$mc_se, two$mc_se / log(2))
  expect_equal(bits$full_data, two$full_data / log(2))
})

# ---- no bootstrap, methods ------------------------------------------------

test_that("n_bootstrap = 0 gives one full-data estimate and no se", {
  set.seed(31)
  d <- r_gaussian_pair(1000, 0.6)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 0, mc_samples = 2e4, n_threads = 2))
  expect_true(is.na(res$se))
  expect_length(res$bootstrap, 0)
  expect_true(is.finite(res$estimate))
  expect_identical(res$estimate, res$full_data)
  expect_true(is.finite(res$mc_se) && res$mc_se >= 0)
  expect_lt(abs(res$estimate - mi_gaussian(0.6)), 0.08)
  expect_error(confint(res), class = "gmmmi_error_input")
  df <- as.data.frame(res)
  expect_identical(nrow(df), 1L)
  expect_true(is.na(df$std.error) && is.na(df$conf.low) && is.na(df$conf.high))
  expect_output(print(res), "single fit")
  expect_output(print(summary(res)), "estimate")
})

# ---- input forms ------------------------------------------------------------

test_that("a two-column x without y is the same as giving the columns separately", {
  set.seed(41)
  m <- r_gaussian_pair(600, 0.5)
  set.seed(7)
  a <- quiet_short_fits(gmm_mi(m, n_bootstrap = 8, mc_samples = 5000, n_threads = 2))
  set.seed(7)
  b <- quiet_short_fits(gmm_mi(m[, 1], m[, 2], n_bootstrap = 8, mc_samples = 5000, n_threads = 2))
  expect_identical(a$bootstrap, b$bootstrap)
  expect_identical(a$estimate, b$estimate)
  set.seed(7)
  c2 <- quiet_short_fits(gmm_mi(as.data.frame(m), n_bootstrap = 8, mc_samples = 5000, n_threads = 2))
  expect_identical(c2$bootstrap, a$bootstrap)
  set.seed(7)
  unnamed <- unname(m)
  d2 <- quiet_short_fits(gmm_mi(unnamed, n_bootstrap = 8, mc_samples = 5000, n_threads = 2))
  expect_identical(d2$bootstrap, a$bootstrap)
  expect_identical(d2$variables$x, "x")
  expect_identical(d2$variables$y, "y")

  expect_error(gmm_mi(m[, 1]), class = "gmmmi_error_input")
  expect_error(gmm_mi(cbind(m, m[, 1] + rnorm(600))), class = "gmmmi_error_input")
  expect_error(gmm_mi(m, z = m[, 1]), class = "gmmmi_error_input")
  expect_snapshot(gmm_mi(cbind(m, m[, 1] + 1)), error = TRUE)
})

# ---- bad inputs -------------------------------------------------------------

test_that("bad data give input errors that name the argument", {
  set.seed(51)
  x <- rnorm(50)
  y <- rnorm(50)
  z <- rnorm(50)
  expect_input_error(gmm_mi(x, y[-1]), "y")
  expect_input_error(gmm_mi(x[-1], y), "x")
  cnd <- expect_input_error(gmm_mi(x, y, z[-(1:2)]), "z")
  # Every cli markup in the message is rendered (none is left as raw "{.arg").
  expect_false(grepl("{", conditionMessage(cnd), fixed = TRUE),
               label = "raw cli markup in the message")
  y_na <- y
  y_na[3] <- NA
  expect_input_error(gmm_mi(x, y_na, na.action = na.fail), "y")
  y_inf <- y
  y_inf[4] <- Inf
  expect_input_error(gmm_mi(x, y_inf), "y")
  expect_input_error(gmm_mi(x, rep(1, 50)), "y")
  expect_input_error(gmm_mi(cbind(x, 2), y), "x")
  expect_input_error(gmm_mi(x, y, z = rep(3, 50)), "z")
  expect_input_error(gmm_mi(x, letters[1:50]), "y")
  expect_input_error(gmm_mi(x, data.frame(a = y, b = letters[1:50])), "y")
  expect_input_error(gmm_mi(x, numeric(0)), "y")
  expect_input_error(gmm_mi(x, list(y)), "y")
  expect_snapshot(gmm_mi(x, y, z[-(1:2)]), error = TRUE)
  expect_snapshot(gmm_mi(x, y_na, na.action = na.fail), error = TRUE)
  expect_snapshot(gmm_mi(x, rep(1, 50)), error = TRUE)
})

test_that("bad settings of gmm_mi() give input errors that name the argument", {
  set.seed(52)
  x <- rnorm(50)
  y <- rnorm(50)
  expect_input_error(gmm_mi(x, y, n_bootstrap = -1), "n_bootstrap")
  expect_input_error(gmm_mi(x, y, n_bootstrap = 2.5), "n_bootstrap")
  expect_input_error(gmm_mi(x, y, n_bootstrap = NA), "n_bootstrap")
  expect_input_error(gmm_mi(x, y, mc_samples = 0), "mc_samples")
  expect_input_error(gmm_mi(x, y, mc_samples = c(10, 20)), "mc_samples")
  expect_input_error(gmm_mi(x, y, units = "foo"), "units")
  expect_input_error(gmm_mi(x, y, units = "nats"), "units")
  expect_input_error(gmm_mi(x, y, n_threads = 0), "n_threads")
  expect_input_error(gmm_mi(x, y, control = list()), "control")
  expect_input_error(gmm_mi(x, y, control = list(tol = 1e-3)), "control")
  # Too few rows for cross-validation.
  expect_input_error(gmm_mi(x[1:3], y[1:3]), "x")
  expect_snapshot(gmm_mi(x, y, n_bootstrap = -1), error = TRUE)
  expect_snapshot(gmm_mi(x, y, units = "foo"), error = TRUE)
  expect_snapshot(gmm_mi(x, y, control = list()), error = TRUE)
})

test_that("accelerated EM reaches the plain EM fits in fewer E-steps", {
  set.seed(81)
  x <- stats::rgamma(3000, shape = 1.274)
  d <- cbind(log(x), log(stats::rexp(3000, rate = x)))
  fits <- lapply(82:87, function(seed) {
    lapply(c(plain = FALSE, fast = TRUE), function(acc) {
      set.seed(seed)
      gmm_mi(d, n_bootstrap = 0, mc_samples = 1e4, marginal = "none",
             control = gmm_mi_control(fixed_components = 5, accelerate = acc))
    })
  })
  total <- function(what, f) sum(vapply(fits, function(p) f(p[[what]]), numeric(1)))
  n_iter <- function(r) r$fit$n_iter
  ll <- function(r) as.numeric(logLik(r$fit))
  # Single fits may go either way; over six they take far fewer E-steps.
  expect_lt(total("fast", n_iter), 0.8 * total("plain", n_iter))
  # Both stop when an EM step gains less than tol per point; the accelerated
  # fits are on average at least as far up the likelihood (up to a small
  # allowance for other local optima), and give the same MI.
  expect_gt(total("fast", ll), total("plain", ll) - 6 * 1e-4 * nrow(d))
  for (p in fits) expect_lt(abs(p$fast$estimate - p$plain$estimate), 0.02)
  expect_input_error(gmm_mi_control(accelerate = NA), "accelerate")
})

test_that("with one component the MI integral is exact: 1/2 log(det Sx det Sy / det S)", {
  set.seed(91)
  d <- cbind(r_gaussian_pair(1500, 0.5), stats::rnorm(1500))
  d[, 3] <- d[, 3] + 0.4 * d[, 1]
  res <- gmm_mi(d[, 1], d[, 2:3], n_bootstrap = 0, mc_samples = 10,
                control = gmm_mi_control(fixed_components = 1))
  S <- res$fit$covariances[, , 1]
  expect_equal(res$estimate, 0.5 * log(S[1, 1] * det(S[2:3, 2:3]) / det(S)), tolerance = 1e-10)
  expect_identical(res$mc_se, 0)
  cond <- gmm_mi(d[, 1], d[, 2], z = d[, 3], n_bootstrap = 0, mc_samples = 10,
                 control = gmm_mi_control(fixed_components = 1))
  S <- cond$fit$covariances[, , 1]
  expect_equal(cond$estimate, 0.5 * log(det(S[c(1, 3), c(1, 3)]) * det(S[2:3, 2:3]) /
                                          (det(S) * S[3, 3])), tolerance = 1e-10)
})

test_that("below select_rows and bootstrap_rows nothing changes", {
  set.seed(95)
  d <- r_gamma_exp(600, 1.274)
  run <- function(ctl) {
    set.seed(4)
    gmm_mi(d[, 1], d[, 2], n_bootstrap = 6, mc_samples = 3000, control = ctl)
  }
  fields <- c("estimate", "se", "bootstrap", "mc_se", "full_data", "n_components", "fit")
  expect_identical(run(gmm_mi_control())[fields],
                   run(gmm_mi_control(select_rows = Inf, bootstrap_rows = Inf))[fields])
  expect_identical(run(gmm_mi_control(select_rows = 600, bootstrap_rows = 600))[fields],
                   run(gmm_mi_control(select_rows = Inf, bootstrap_rows = Inf))[fields])
})

test_that("above select_rows, K is chosen on a subsample; above bootstrap_rows, the m-out-of-n bootstrap has the n-row spread", {
  skip_on_cran()
  # A Gaussian pair: with one component the MI is exact (no Monte Carlo),
  # and the sd of its plug-in value is about rho / sqrt(n) (delta method).
  set.seed(96)
  n <- 20000
  d <- r_gaussian_pair(n, 0.6)
  set.seed(5)
  res <- withCallingHandlers(
    gmm_mi(d[, 1], d[, 2], n_bootstrap = 30, mc_samples = 5000, marginal = "none",
           control = gmm_mi_control(select_rows = 2000, max_components = 3)),
    gmmmi_warning_max_components = function(w) invokeRestart("muffleWarning"))
  # The selection's table is of the 2000 rows it was made on.
  expect_identical(res$selection$n, 2000L)
  expect_equal(res$selection$table$loglik[1] / 2000, as.numeric(logLik(res$fit)) / n,
               tolerance = 0.05)
  expect_lt(abs(res$estimate - mi_gaussian(0.6)), 0.02)
  one <- function(rows) {
    set.seed(5)
    gmm_mi(d[, 1], d[, 2], n_bootstrap = 40, mc_samples = 10,
           control = gmm_mi_control(fixed_components = 1, bootstrap_rows = rows))
  }
  m_of_n <- one(2000)
  n_of_n <- one(Inf)
  for (r in list(m_of_n, n_of_n)) {
    expect_lt(abs(r$estimate - mi_gaussian(0.6)), 4 * 0.6 / sqrt(n))
    expect_gt(r$se, 0.6 * 0.6 / sqrt(n))
    expect_lt(r$se, 1.5 * 0.6 / sqrt(n))
  }
  expect_identical(m_of_n$full_data, n_of_n$full_data)
})

test_that("the m-out-of-n bootstrap of a mixture finds the MI, its draws shared, the value refined", {
  skip_on_cran()
  set.seed(97)
  n <- 30000
  d <- r_gamma_exp(n, 1.274)
  truth <- mi_gamma_exp(1.274)
  ctl <- gmm_mi_control(select_rows = 3000, bootstrap_rows = 3000)
  run <- function(threads) {
    set.seed(6)
    gmm_mi(d[, 1], d[, 2], n_bootstrap = 12, mc_samples = 4000, marginal = "none",
           control = ctl, n_threads = threads)
  }
  res <- run(2)
  expect_gt(res$n_components, 2L)
  expect_lt(abs(res$estimate - truth), 0.03)
  expect_lt(abs(res$estimate - truth), 4 * sqrt(res$se^2 + res$mc_se^2) + 0.01)
  # The full-data value is integrated with enough draws for a small
  # Monte Carlo error (up to 1000 times mc_samples).
  expect_lt(res$mc_se, 0.1 * res$se * 1.05)
  # Threads change nothing, the long integral included.
  expect_identical(run(1)[c("estimate", "se", "bootstrap", "mc_se")],
                   res[c("estimate", "se", "bootstrap", "mc_se")])
})

test_that("k_margin stops a search whose next K only overfits, and leaves the estimate alone", {
  set.seed(98)
  p <- 10
  n <- 1000
  S <- diag(2 * p)
  for (i in 1:p) S[i, p + i] <- S[p + i, i] <- 0.3
  z <- matrix(stats::rnorm(n * 2 * p), n) %*% chol(S)
  run <- function(ctl) {
    set.seed(7)
    gmm_mi(z[, 1:p], z[, p + 1:p], n_bootstrap = 6, marginal = "none", control = ctl)
  }
  fast <- run(gmm_mi_control())
  slow <- run(gmm_mi_control(k_margin = Inf))
  expect_identical(fast$n_components, 1L)
  expect_identical(slow$n_components, 1L)
  # K = 2 loses by more than 0.25 nat per row: abandoned after its first start.
  expect_identical(fast$selection$table$k, 1:2)
  expect_gt(fast$selection$table$validation[1] - fast$selection$table$validation[2], 0.25)
  expect_identical(nrow(slow$selection$table), 4L)
  expect_identical(fast[c("estimate", "se", "bootstrap")], slow[c("estimate", "se", "bootstrap")])
  expect_lt(abs(fast$estimate - mi_gaussian_blocks(S, 1:p, p + 1:p)), 4 * fast$se)
})
