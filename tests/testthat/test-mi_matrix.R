# mi_matrix(): recovery of a known dependence structure, the symmetric case,
# reproducibility under any future plan, the disentanglement summary, methods
# and input checks.

# Three factors (one categorical) and three latents, each latent driven by
# exactly one factor:
#   z1 = mu[shape] + N(0, 0.7^2), shape uniform on three labels;
#   z2 = size + N(0, 0.5^2), size ~ N(0, 1): I = 0.5 log(1 + 1 / 0.25);
#   z3 = hue + N(0, 1), hue ~ N(0, 1):       I = 0.5 log 2.
# The latents are listed in a shuffled order, so that the right answer is not
# the diagonal.
r_latents <- function(n) {
  shape <- sample(c("cube", "ball", "cylinder"), n, replace = TRUE)
  size <- rnorm(n)
  hue <- rnorm(n)
  mu <- c(cube = -2, ball = 0, cylinder = 2)
  factors <- data.frame(shape = shape, size = size, hue = hue, stringsAsFactors = FALSE)
  latents <- data.frame(z3 = hue + rnorm(n), z1 = mu[shape] + rnorm(n, sd = 0.7),
                        z2 = size + rnorm(n, sd = 0.5))
  list(latents = latents, factors = factors)
}

# I(shape; z1) for r_latents(): H(z1) - H(z1 | shape), H(z1) by integration.
mi_shape <- function() {
  dens <- function(v) (dnorm(v, -2, 0.7) + dnorm(v, 0, 0.7) + dnorm(v, 2, 0.7)) / 3
  h <- integrate(function(v) {
    d <- dens(v)
    ifelse(d > 0, -d * log(d), 0)
  }, -10, 10, subdivisions = 1000L, rel.tol = 1e-10)$value
  h - 0.5 * log(2 * pi * exp(1) * 0.7^2)
}

cell <- function(m, i, j) {
  list(estimate = m$estimate[i, j], se = m$se[i, j], mc_se = m$mc_se[i, j])
}

test_that("mi_matrix recovers which latent carries which factor", {
  set.seed(401)
  d <- r_latents(3000)
  m <- quiet_short_fits(mi_matrix(d$latents, d$factors, n_bootstrap = 10, mc_samples = 5000, n_threads = 2))
  expect_s3_class(m, "mi_matrix")
  expect_identical(dimnames(m$estimate), list(c("z3", "z1", "z2"), c("shape", "size", "hue")))
  expect_identical(dim(m$bootstrap), c(3L, 3L, 10L))
  expect_identical(m$type[, "shape"], c(z3 = "categorical", z1 = "categorical", z2 = "categorical"))
  expect_identical(m$type[, "size"], c(z3 = "continuous", z1 = "continuous", z2 = "continuous"))
  # Categories are fitted as they are; each continuous pair chose a coding.
  expect_identical(m$marginal[, "shape"], c(z3 = "none", z1 = "none", z2 = "none"))
  expect_true(all(m$marginal[, "size"] %in% c("none", "gaussian_copula")))
  # The argmax of each column is the right latent...
  truth <- c(shape = "z1", size = "z2", hue = "z3")
  expect_identical(rownames(m$estimate)[apply(m$estimate, 2, which.max)], unname(truth))
  # ... its MI is the true one ...
  expect_mi_near(cell(m, "z1", "shape"), mi_shape(), max_se = 0.03)
  expect_mi_near(cell(m, "z2", "size"), 0.5 * log(5), max_se = 0.03)
  expect_mi_near(cell(m, "z3", "hue"), 0.5 * log(2), max_se = 0.03)
  # ... and every other entry is near zero.
  off <- m$estimate
  off[cbind(truth, names(truth))] <- NA
  expect_true(all(abs(off[!is.na(off)]) < 0.02), label = paste(format(off, digits = 2), collapse = " "))
  # The estimates are bias-corrected from the full-data values and the
  # bootstrap values; the se are the bootstrap sd.
  boot_mean <- apply(m$bootstrap, c(1, 2), mean)
  expect_equal(m$estimate, ifelse(m$bias_correction, pmax(2 * m$full_data - boot_mean, 0), boot_mean))
  expect_equal(m$se, apply(m$bootstrap, c(1, 2), sd))

  # The disentanglement summary: the right latents, the gaps, the entropy.
  g <- mi_gap(m)
  expect_s3_class(g, "mi_gap")
  expect_identical(g$factor, names(truth))
  expect_identical(g$top, unname(truth))
  h <- -sum(prop.table(table(d$factors$shape)) * log(prop.table(table(d$factors$shape))))
  expect_equal(m$entropy$cols, c(shape = h, size = NA, hue = NA))
  expect_equal(g$entropy, c(h, NA, NA))
  expect_equal(g$gap[1], m$estimate["z1", "shape"] - max(m$estimate[c("z2", "z3"), "shape"]))
  expect_equal(g$mig, c(g$gap[1] / h, g$gap[2:3]))
  expect_equal(attr(g, "mean_gap"), mean(g$mig))
  expect_gt(g$mig[1], 0.5)
  s <- summary(m)
  expect_s3_class(s, "summary.mi_matrix")
  expect_identical(s$largest$estimate, max(m$estimate))
  expect_true(s$largest$x %in% c("z1", "z2"))
  expect_identical(s$mean_gap, attr(g, "mean_gap"))
})

test_that("with y = NULL the matrix is symmetric, with an empty diagonal, and right", {
  set.seed(402)
  R <- matrix(c(1, 0.8, 0.3, 0.8, 1, 0, 0.3, 0, 1), 3)
  x <- r_mvn(2000, R)
  colnames(x) <- c("a", "b", "c")
  m <- quiet_short_fits(mi_matrix(x, n_bootstrap = 10, mc_samples = 5000, n_threads = 2))
  expect_true(m$symmetric)
  expect_true(all(is.na(diag(m$estimate))))
  expect_identical(m$estimate, t(m$estimate))
  expect_identical(m$se, t(m$se))
  for (p in list(c(1, 2), c(1, 3), c(2, 3))) {
    expect_mi_near(cell(m, p[1], p[2]), mi_gaussian(R[p[1], p[2]]), max_se = 0.03)
  }
  # Each unordered pair once, as tidy() gives it.
  df <- as.data.frame(m)
  expect_identical(nrow(df), 3L)
  expect_identical(df[, c("x", "y")], data.frame(x = c("a", "a", "b"), y = c("b", "c", "c")))
  expect_false(anyNA(df$estimate))
  # Gaps with the rows as factors: b's best partner is a.
  g <- mi_gap(m, factors = "rows")
  expect_identical(g$top, c("b", "a", "a"))
})

test_that("the same seed gives the same matrix, whatever the threads, and bits are nats / log 2", {
  set.seed(403)
  d <- r_latents(800)
  run <- function(...) {
    set.seed(42)
    quiet_short_fits(mi_matrix(d$latents[, 1:2], d$factors[, 1:2], n_bootstrap = 4, mc_samples = 2000, ...))
  }
  a <- run(n_threads = 1)
  b <- run(n_threads = 2)
  expect_identical(a$estimate, b$estimate)
  expect_identical(a$bootstrap, b$bootstrap)
  bits <- run(n_threads = 2, units = "bit")
  expect_identical(bits$units, "bit")
  expect_equal(bits$estimate, a$estimate / log(2))
  expect_equal(bits$entropy$cols, a$entropy$cols / log(2))
  # A different seed gives different values.
  set.seed(43)
  c <- quiet_short_fits(mi_matrix(d$latents[, 1:2], d$factors[, 1:2], n_bootstrap = 4, mc_samples = 2000))
  expect_false(identical(c$bootstrap, a$bootstrap))
})

test_that("sequential and multisession plans give identical estimates", {
  skip_on_cran()
  skip_if_not_installed("future")
  set.seed(404)
  d <- r_latents(1000)
  set.seed(7)
  seq_m <- quiet_short_fits(mi_matrix(d$latents, d$factors, n_bootstrap = 5, mc_samples = 3000))
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  set.seed(7)
  par_m <- quiet_short_fits(mi_matrix(d$latents, d$factors, n_bootstrap = 5, mc_samples = 3000))
  expect_identical(par_m$estimate, seq_m$estimate)
  expect_identical(par_m$se, seq_m$se)
  expect_identical(par_m$bootstrap, seq_m$bootstrap)
})

test_that("progress is reported once per pair through progressr", {
  skip_if_not_installed("progressr")
  withr_opts <- options(progressr.enable = TRUE)
  on.exit(options(withr_opts), add = TRUE)
  set.seed(405)
  x <- data.frame(a = rnorm(200), b = rnorm(200))
  y <- data.frame(c = rnorm(200), d = sample(c("p", "q"), 200, replace = TRUE), e = rnorm(200))
  types <- character(0)
  withCallingHandlers(
    mi_matrix(x, y, n_bootstrap = 2, mc_samples = 500, n_threads = 1),
    progression = function(cnd) types <<- c(types, cnd$type),
    warning = function(w) invokeRestart("muffleWarning"))
  expect_identical(sum(types == "update"), 6L)
})

test_that("warnings from the pairs are relayed once each, naming the pairs", {
  w <- list(message = "Something odd {here}.\ni a hint", class = "gmmmi_warning_test")
  out <- list(list(warnings = list(w)), list(warnings = list()), list(warnings = list(w, w)))
  name <- function(k) c("a ~ b", "a ~ c", "b ~ c")[k]
  cnd <- expect_warning(gmmmi:::relay_pair_warnings(out, name, 3), class = "gmmmi_warning_test")
  msg <- conditionMessage(cnd)
  expect_match(msg, "Something odd {here}.", fixed = TRUE)
  expect_match(msg, "In 2 of 3 pairs: a ~ b and b ~ c.", fixed = TRUE)
  expect_silent(gmmmi:::relay_pair_warnings(out[2], name, 1))
})

test_that("print, as.data.frame and plot work, and print is stable", {
  set.seed(406)
  d <- r_latents(400)
  m <- quiet_short_fits(mi_matrix(d$latents[, 2:3], d$factors[, 1:2], n_bootstrap = 3, mc_samples = 1000, n_threads = 1))
  # as.data.frame() is tidy(), with broom's names.
  df <- as.data.frame(m)
  expect_named(df, c("x", "y", "estimate", "std.error", "conf.low", "conf.high", "mc.se", "type",
                     "units"))
  expect_identical(df, tidy(m))
  expect_identical(nrow(df), 4L)
  expect_identical(df$x, c("z1", "z1", "z2", "z2"))
  expect_equal(df$estimate, as.vector(t(m$estimate)))

  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_identical(plot(m), m)
  expect_identical(plot(m, type = "lines", at = c(1, 3), rows = "z2"), m)
  expect_input_error(plot(m, type = "lines", at = 1:3), "at")
  expect_input_error(plot(m, type = "pie"), "type")

  # Fix the numbers that depend on the fits, so that the snapshot records the
  # layout and survives changes to the numerical core.
  m$estimate[] <- c(0.9213, 0.0042, 0.0031, 0.8047)
  m$se[] <- c(0.0123, 0.0021, 0.0018, 0.0154)
  m$entropy$cols[["shape"]] <- 1.0986
  m$n <- 400L
  expect_snapshot(print(m))
  expect_snapshot(print(mi_gap(m)))
  expect_snapshot(print(summary(m)))
  m$se[] <- NA
  m$n_bootstrap <- 0L
  expect_snapshot(print(m))
})

test_that("the heatmap shows small standard errors with significant digits, without warnings", {
  cells <- format_cells(matrix(c(0.5, 0.01), 1), matrix(c(0.0432, 0.00213), 1), digits = 2)
  expect_identical(as.vector(cells), paste(c("0.50", "0.01"), pm_symbol(), c("0.043", "0.0021")))
  set.seed(408)
  d <- r_latents(300)
  m <- quiet_short_fits(mi_matrix(d$latents[, 2:3], d$factors[, 1:2], n_bootstrap = 3, mc_samples = 1000,
                                  n_threads = 1))
  plot_device()
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_no_warning(plot(m))
  labels <- unlist(lapply(plot_calls("C_text"), function(a) Filter(is.character, a)))
  expect_false(any(grepl(paste(pm_symbol(), "0.00\n"), paste0(labels, "\n"), fixed = TRUE)))
  expect_no_warning(plot(m, type = "lines"))
})

test_that("bad inputs give input errors that name the argument", {
  set.seed(407)
  x <- data.frame(a = rnorm(50), b = rnorm(50))
  y <- data.frame(c = rnorm(50), d = sample(c("p", "q"), 50, replace = TRUE))
  expect_input_error(mi_matrix(x["a"]), "y")
  expect_input_error(mi_matrix(x, y[1:40, ]), "x")
  expect_input_error(mi_matrix(x, transform(y, c = 1)), "y")
  expect_input_error(mi_matrix(transform(x, b = replace(b, 3, NA)), y, na.action = na.fail), "x")
  expect_input_error(mi_matrix(x, transform(y, d = replace(d, 1, NA)), na.action = na.fail), "y")
  expect_input_error(mi_matrix(x, transform(y, d = "p")), "y")
  expect_input_error(mi_matrix(list(1, 2), y), "x")
  expect_input_error(mi_matrix(x, y, n_bootstrap = -1), "n_bootstrap")
  expect_input_error(mi_matrix(x, y, units = "dB"), "units")
  expect_input_error(mi_matrix(x, y, prior = "flat"), "prior")
  expect_input_error(mi_matrix(x, y, z = 1), "...")
  expect_input_error(mi_matrix(x, y, 3), "...")
  expect_snapshot(mi_matrix(x, y, z = 1), error = TRUE)
  # A pair that gmm_mi() refuses: the error names both columns.
  y$d <- c("p", "p", rep("q", 48))
  cnd <- expect_error(mi_matrix(x, y, n_bootstrap = 2, mc_samples = 500, n_threads = 1),
                      class = "gmmmi_error_input")
  expect_match(conditionMessage(cnd), "column a of `x` and column d of `y`")
  expect_match(conditionMessage(cnd$parent), "Too few rows")
  expect_input_error(mi_gap(list()), "m")
})

test_that("a matrix, a vector and unnamed columns are accepted", {
  set.seed(408)
  x <- matrix(rnorm(600), ncol = 2)
  y <- x[, 1] + rnorm(300)
  m <- quiet_short_fits(mi_matrix(x, y, n_bootstrap = 2, mc_samples = 1000, n_threads = 1))
  expect_identical(dimnames(m$estimate), list(c("x1", "x2"), "y"))
  expect_gt(m$estimate[1, 1], 0.2)
  lg <- quiet_short_fits(mi_matrix(x, x[, 2] > 0, n_bootstrap = 2, mc_samples = 1000, n_threads = 1))
  expect_identical(lg$type[, 1], c(x1 = "categorical", x2 = "categorical"))
  expect_gt(lg$estimate[2, 1], 0.3)
  expect_equal(unname(lg$entropy$cols), -sum(prop.table(table(x[, 2] > 0)) * log(prop.table(table(x[, 2] > 0)))))
  expect_input_error(mi_gap(unclass(lg)), "m")
  one_row <- m
  one_row$estimate <- m$estimate[1, , drop = FALSE]
  expect_input_error(mi_gap(one_row), "m")
})

test_that("the heatmap marks the cells that cannot be told from zero, and says by which rule", {
  set.seed(409)
  d <- r_latents(300)
  m <- quiet_short_fits(mi_matrix(d$latents[, 2:3], d$factors[, 1:2], n_bootstrap = 3, mc_samples = 1000,
                                  n_threads = 1))
  # Without p-values, the normal interval: estimate - 1.96 se <= 0.
  m$estimate[] <- c(0.9, 0.01, 0.02, 0.5)
  m$se[] <- c(0.05, 0.02, 0.005, 0.3)
  zero <- zero_cells(m)
  expect_identical(zero$rule, "estimate - 1.96 se <= 0")
  expect_identical(zero$marked, matrix(c(FALSE, TRUE, FALSE, TRUE), 2, dimnames = dimnames(m$estimate)))
  plot_device()
  on.exit(grDevices::dev.off(), add = TRUE)
  plot(m)
  drawn <- plot_calls("C_text")[[1]]
  labels <- Filter(is.character, drawn)
  cells <- labels[[which(lengths(labels) == 4)[1]]]
  # The cells are drawn bottom row first: z2 (row 2), then z1 (row 1).
  fonts <- Filter(function(a) is.numeric(a) && length(a) == 4 && all(a %in% c(1, 3)), drawn)[[1]]
  expect_identical(as.numeric(fonts), c(3, 1, 3, 1))
  expect_match(cells[c(1, 3)], "^0\\.(01|50)")
  caption <- unlist(lapply(plot_calls("C_mtext"), function(a) a[[1]]))
  expect_identical(caption, "Grey italic: not distinguishable from 0 (estimate - 1.96 se <= 0)")
  # With p-values, those decide.
  m$p_value[] <- c(0.01, 0.3, 0.04, 0.01)
  zero <- zero_cells(m)
  expect_identical(zero$rule, "permutation p-value > 0.05")
  expect_identical(zero$marked, matrix(c(FALSE, TRUE, FALSE, FALSE), 2, dimnames = dimnames(m$estimate)))
  # Another kind of interval is named; without intervals nothing is marked.
  m$p_value[] <- NA
  m$interval <- "percentile"
  expect_match(zero_cells(m)$rule, "percentile interval")
  m$bootstrap[] <- NA
  expect_null(zero_cells(m)$rule)
  expect_false(any(zero_cells(m)$marked))
  plot(m)
  expect_length(plot_calls("C_mtext"), 0)
})
