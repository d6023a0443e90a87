# gmm_select(): choice of the number of components, the score table, the kept
# parameters, warnings and input checks.

# Three well-separated unit-variance clusters at known centres, 500 points each.
three_centres <- rbind(c(-5, 0), c(5, 0), c(0, 8))
r_three <- function(n = 1500) {
  k <- rep(1:3, length.out = n)
  x <- matrix(rnorm(2 * n), ncol = 2) + three_centres[k, ]
  colnames(x) <- c("a", "b")
  x
}

gmm_df <- function(k, d) k * d + k * d * (d + 1) / 2 + k - 1

test_that("three clear clusters give three components with every criterion", {
  set.seed(61)
  x <- r_three()
  # The default threshold (1e-5 per sample) lets an over-fitting fourth
  # component win by chance, AIC's known weakness; a threshold of 0.005 nat
  # per sample and k-means starts make the right answer certain.
  for (cr in c("validation", "aic", "bic")) {
    set.seed(62)
    sel <- gmm_select(x, max_components = 8, criterion = cr, init = "kmeans", threshold = 5e-3,
                      n_threads = 2)
    expect_identical(sel$n_components, 3L, label = paste("n_components with", cr))
    expect_identical(sel$criterion, cr)
  }
  # The default random starts, with more of them.
  for (cr in c("validation", "bic")) {
    set.seed(63)
    sel <- gmm_select(x, max_components = 8, criterion = cr, n_inits = 10, threshold = 5e-3,
                      n_threads = 2)
    expect_identical(sel$n_components, 3L, label = paste("n_components with", cr, "(random starts)"))
  }
})

test_that("with default settings the score jumps up to about three components", {
  # With the default random starts about one start in three lands in a local
  # optimum at K = 3 (one component across two clusters), and when every start
  # does so on some fold the search goes on to 4 or 5; hence the range.
  set.seed(64)
  x <- r_three()
  set.seed(65)
  sel <- gmm_select(x, max_components = 8, n_threads = 2)
  tab <- sel$table
  expect_true(sel$n_components %in% 3:5, label = sprintf("n_components = %d", sel$n_components))
  expect_gt(tab$validation[2] - tab$validation[1], 0.2)
  expect_gt(tab$validation[sel$n_components] - tab$validation[2], 0.2)
  # No later number of components beat the chosen one by more than the threshold.
  expect_lte(max(tab$validation) - tab$validation[sel$n_components], 1e-5)
})

test_that("the table has the documented columns and consistent information criteria", {
  set.seed(66)
  x <- r_three()
  set.seed(67)
  sel <- gmm_select(x, max_components = 8, init = "kmeans", n_threads = 2)
  expect_s3_class(sel, "gmm_selection")
  tab <- sel$table
  expect_s3_class(tab, "data.frame")
  expect_identical(names(tab), c("k", "validation", "loglik", "aic", "bic", "best_init",
                                 "converged", "max_iter"))
  expect_identical(tab$k, seq_len(nrow(tab)))
  expect_true(all(tab$best_init %in% 1:3))
  expect_true(all(tab$converged))
  expect_true(all(tab$max_iter >= 1))
  n <- nrow(x)
  df <- gmm_df(tab$k, 2)
  expect_equal(tab$aic, -2 * tab$loglik + 2 * df)
  expect_equal(tab$bic, -2 * tab$loglik + log(n) * df)
  # Stopping rule: exactly `patience` numbers of components (3 under the
  # default rule) are tried past the chosen one.
  expect_identical(sel$control$patience, 3L)
  expect_identical(nrow(tab), sel$n_components + 3L)
  expect_identical(sel$n, n)
  expect_s3_class(sel$control, "gmm_mi_control")
})

test_that("the full-data log-likelihood is in the data's units", {
  # For one component the fit is the sample mean and covariance (divisor n),
  # whose log-likelihood is known in closed form; AIC and BIC must agree with
  # those of gmm_fit() on the same data.
  set.seed(68)
  S <- matrix(c(4, 1.5, 1.5, 1), 2)
  x <- r_mvn(2000, S, mu = c(10, -3)) %*% diag(c(100, 0.01))
  n <- nrow(x)
  Sn <- cov(x) * (n - 1) / n
  ll1 <- -n / 2 * (2 * log(2 * pi) + as.numeric(determinant(Sn)$modulus) + 2)
  set.seed(69)
  sel <- quiet_short_fits(gmm_select(x, max_components = 3, patience = 1, n_threads = 2))
  expect_equal(sel$table$loglik[1], ll1, tolerance = 1e-6)
  fit1 <- gmm_fit(x, k = 1)
  expect_equal(sel$table$aic[1], AIC(fit1), tolerance = 1e-6)
  expect_equal(sel$table$bic[1], BIC(fit1), tolerance = 1e-6)
})

test_that("the kept parameters recover the clusters, in the data's units", {
  set.seed(70)
  scale <- c(1000, 0.001)
  x <- sweep(r_three(), 2, scale, "*")
  set.seed(71)
  sel <- gmm_select(x, max_components = 8, init = "kmeans", threshold = 5e-3, n_threads = 2)
  ws <- sel$warm_start
  expect_s3_class(ws, "gmm")
  expect_length(ws$weights, 3)
  expect_identical(colnames(ws$means), c("a", "b"))
  ord <- order(ws$means[, 2] / scale[2] * 10 + ws$means[, 1] / scale[1])
  truth <- sweep(three_centres, 2, scale, "*")[order(three_centres[, 2] * 10 + three_centres[, 1]), ]
  # Fitted on one training fold (750 points, 250 per cluster): se of a mean 0.06.
  expect_equal(unname(ws$means[ord, ]), truth, tolerance = 0.05)
  expect_true(all(abs(sweep(ws$means[ord, ] - truth, 2, scale, "/")) < 0.3))
  expect_true(all(abs(ws$weights - 1 / 3) < 0.06))
  for (k in 1:3) {
    S <- ws$covariances[, , k] / outer(scale, scale)
    expect_true(all(abs(S - diag(2)) < 0.25))
  }
})

test_that("selection does not depend on the scale of the columns", {
  set.seed(72)
  x <- r_three()
  set.seed(73)
  a <- gmm_select(x, max_components = 8, n_threads = 2)
  set.seed(73)
  b <- gmm_select(sweep(x, 2, c(1e5, 1e-5), "*") + 7, max_components = 8, n_threads = 2)
  expect_identical(b$n_components, a$n_components)
  expect_equal(b$table$validation, a$table$validation, tolerance = 1e-6)
})

test_that("fixed_components skips the selection", {
  set.seed(74)
  x <- r_three(600)
  set.seed(75)
  sel <- gmm_select(x, fixed_components = 4, n_threads = 2)
  expect_identical(sel$n_components, 4L)
  expect_identical(sel$table$k, 4L)
  expect_length(sel$warm_start$weights, 4)
  # Also through gmm_mi().
  set.seed(76)
  res <- gmm_mi(x[, 1], x[, 2], n_bootstrap = 3, mc_samples = 2000,
                control = gmm_mi_control(fixed_components = 2), n_threads = 2)
  expect_identical(res$n_components, 2L)
  expect_length(res$fit$weights, 2)
  expect_length(res$bootstrap, 3)
})

test_that("patience sets how many numbers of components are tried past the last improvement", {
  set.seed(77)
  x <- r_three()
  for (p in 1:3) {
    set.seed(78)
    sel <- gmm_select(x, max_components = 12, patience = p, init = "kmeans", threshold = 5e-3,
                      n_threads = 2)
    expect_identical(sel$n_components, 3L)
    expect_identical(nrow(sel$table), 3L + p)
  }
})

test_that("reaching max_components warns", {
  set.seed(79)
  x <- r_three(900)
  set.seed(80)
  expect_warning(sel <- gmm_select(x, max_components = 2, n_threads = 2),
                 class = "gmmmi_warning_max_components")
  expect_identical(sel$table$k, 1:2)
  expect_identical(sel$n_components, 2L)
  # Through gmm_mi() as well.
  set.seed(81)
  expect_warning(gmm_mi(x[, 1], x[, 2], n_bootstrap = 2, mc_samples = 1000,
                        control = gmm_mi_control(max_components = 2), n_threads = 2),
                 class = "gmmmi_warning_max_components")
  # No warning when the search stops by itself, or with fixed_components.
  set.seed(82)
  expect_no_warning(gmm_select(x, max_components = 8, init = "kmeans", threshold = 5e-3, n_threads = 2))
  set.seed(83)
  expect_no_warning(gmm_select(x, fixed_components = 2, max_components = 2, n_threads = 2))
})

test_that("a tolerance so loose that every fit stops at once warns", {
  set.seed(84)
  x <- r_three(900)
  set.seed(85)
  expect_warning(
    withCallingHandlers(gmm_select(x, max_components = 3, tol = 100, n_threads = 2),
                        gmmmi_warning_max_components = function(w) invokeRestart("muffleWarning")),
    class = "gmmmi_warning_short_fits")
})

test_that("selection is reproducible and independent of the number of threads", {
  set.seed(86)
  x <- r_three(900)
  run <- function(threads) {
    set.seed(87)
    gmm_select(x, max_components = 8, n_threads = threads)
  }
  one <- run(1)
  two <- run(2)
  expect_identical(two$table, one$table)
  expect_identical(two$n_components, one$n_components)
  expect_identical(two$warm_start$means, one$warm_start$means)
  expect_identical(two$warm_start$covariances, one$warm_start$covariances)
  expect_identical(run(2)$table, two$table)
})

test_that("print() and plot() work", {
  set.seed(88)
  x <- r_three(900)
  set.seed(89)
  sel <- gmm_select(x, max_components = 8, init = "kmeans", threshold = 5e-3, n_threads = 2)
  out <- capture.output(print(sel))
  expect_match(out[1], "chosen by validation: 3 (tried 1 to 6)", fixed = TRUE)
  expect_true(any(grepl("*", out, fixed = TRUE)))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_invisible(plot(sel))
  expect_invisible(plot(sel, "all"))
})

test_that("bad inputs to gmm_select() give input errors that name the argument", {
  set.seed(90)
  x <- r_three(60)
  x_na <- x
  x_na[5, 2] <- NA
  expect_input_error(gmm_select(x_na), "x")
  expect_input_error(gmm_select(cbind(x, 1)), "x")
  expect_input_error(gmm_select(x[1:3, ]), "x")
  expect_input_error(gmm_select(x, fixed_components = 40), "x")
  expect_input_error(gmm_select(x, max_components = 0), "max_components")
  expect_input_error(gmm_select(x, criterion = "foo"), "criterion")
  expect_input_error(gmm_select(x, n_folds = 1), "n_folds")
  expect_input_error(gmm_select(x, patience = 0), "patience")
  expect_input_error(gmm_select(x, fixed_components = 0), "fixed_components")
  expect_input_error(gmm_select(x, tol = -1), "tol")
  expect_input_error(gmm_select(x, init = "foo"), "init")
  expect_input_error(gmm_select(x, n_threads = 0), "n_threads")
  # Errors about the settings name gmm_select(), the function the user called.
  cnd <- expect_error(gmm_select(x, tol = -1), class = "gmmmi_error_input")
  expect_identical(deparse(conditionCall(cnd)[[1]]), "gmm_select")
})
