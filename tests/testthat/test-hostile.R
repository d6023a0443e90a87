# Hostile inputs. Each one ends in a cli error of class "gmmmi_error_input"
# that names the offending argument and the user-facing function; inputs at
# extreme scales give the same MI as at unit scale; duplicated and
# discrete-valued data never give NaN; and no call modifies its inputs.

# Expects `expr` to fail with a "gmmmi_error_input" that names `arg` (as cli
# prints {.arg arg}) and blames `fn`.
expect_input_error <- function(expr, arg, fn) {
  err <- expect_error(expr, class = "gmmmi_error_input")
  if (is.null(err)) return(invisible(NULL))
  expect_match(conditionMessage(err), paste0("`", arg, "`"), fixed = TRUE)
  expect_identical(as.character(conditionCall(err)[[1]]), fn)
  invisible(err)
}

# The value of `expr` or the error it ends in, with the package's own
# warnings (short fits, convergence, ...) muffled.
value_or_error <- function(expr) {
  withCallingHandlers(
    tryCatch(expr, error = function(e) e),
    warning = function(w) {
      if (any(startsWith(class(w), "gmmmi_warning"))) invokeRestart("muffleWarning")
    })
}

# An estimate, or a clear error: never NaN, never an unclassed failure.
expect_estimate_or_classed_error <- function(res) {
  if (inherits(res, "error")) {
    expect_s3_class(res, "gmmmi_error")
  } else {
    expect_s3_class(res, "gmm_mi")
    expect_true(is.finite(res$estimate))
    expect_true(is.na(res$se) || is.finite(res$se))
    expect_false(any(is.nan(res$bootstrap)))
  }
}

# Evaluates `expr` with the option gmmmi.threads set to `value`.
with_threads_option <- function(value, expr) {
  old <- options(gmmmi.threads = value)
  on.exit(options(old))
  expr
}

hostile_data <- function(n = 60, seed = 1) {
  set.seed(seed)
  x <- rnorm(n)
  list(x = x, y = 0.6 * x + 0.8 * rnorm(n), z = rnorm(n), xy = cbind(a = x, b = 0.6 * x + 0.8 * rnorm(n)))
}

# The three entry points, each with everything but the hostile argument
# valid and cheap.
call_fit <- function(x, ...) gmm_fit(x, k = 1, ...)
call_select <- function(x, ...) gmm_select(x, max_components = 2, ...)
call_mi <- function(x, y = hostile_data(length_of(x))$y, ...) {
  gmm_mi(x, y, n_bootstrap = 2, mc_samples = 200, ...)
}
length_of <- function(x) if (is.null(dim(x))) max(1, length(x)) else max(1, nrow(x))
entry_points <- list(gmm_fit = call_fit, gmm_select = call_select, gmm_mi = call_mi)

test_that("missing and infinite values are rejected, naming the argument", {
  d <- hostile_data()
  for (fn in names(entry_points)) {
    f <- entry_points[[fn]]
    # (gmm_mi() leaves out rows with missing values unless na.action says no)
    if (fn == "gmm_mi") f <- function(x) call_mi(x, na.action = na.fail)
    for (bad in list(NA, NA_real_, NaN, Inf, -Inf)) {
      x <- d$x
      x[7] <- bad
      err <- expect_input_error(f(x), "x", fn)
      expect_match(conditionMessage(err), "row 7", fixed = TRUE)
      m <- d$xy
      m[3, 2] <- bad
      expect_input_error(f(m), "x", fn)
      expect_input_error(f(as.data.frame(m)), "x", fn)
    }
  }
  y <- d$y
  y[2] <- NA
  expect_input_error(gmm_mi(d$x, y, na.action = na.fail), "y", "gmm_mi")
  z <- d$z
  z[60] <- -Inf
  expect_input_error(gmm_mi(d$x, d$y, z), "z", "gmm_mi")
  w <- rep(1, 60)
  w[5] <- NaN
  expect_input_error(gmm_fit(d$x, k = 1, weights = w), "weights", "gmm_fit")
  w[5] <- Inf
  expect_input_error(gmm_fit(d$x, k = 1, weights = w), "weights", "gmm_fit")
})

test_that("non-numeric data, lists, NULL and empty data are rejected", {
  d <- hostile_data()
  bad <- list(
    complex = complex(real = d$x, imaginary = 1),
    raw = as.raw(seq_len(60)),
    date = Sys.Date() + seq_len(60),
    character_matrix = matrix(as.character(d$xy), 60),
    character_column = data.frame(a = d$x, b = "b"),
    list = as.list(d$x),
    nested_list = list(d$x, d$y),
    list_column = data.frame(a = d$x, b = I(as.list(d$y))),
    array = array(d$x, c(20, 3, 1)),
    null = NULL,
    empty_vector = numeric(0),
    empty_rows = matrix(numeric(0), 0, 2),
    empty_columns = matrix(numeric(0), 60, 0),
    empty_frame = data.frame()
  )
  for (fn in names(entry_points)) {
    f <- entry_points[[fn]]
    for (nm in names(bad)) {
      # A character, factor or logical vector is a category for gmm_mi(), not
      # an error; matrices and frames of two columns are not.
      expect_input_error(f(bad[[nm]]), "x", fn)
    }
  }
  expect_input_error(gmm_fit(d$x), "k", "gmm_fit")
  expect_input_error(gmm_mi(d$x, as.list(d$y)), "y", "gmm_mi")
  expect_input_error(gmm_mi(d$x, d$y, complex(real = d$z)), "z", "gmm_mi")
  expect_input_error(gmm_mi(d$x, d$y, factor(d$z > 0)), "z", "gmm_mi")
  expect_input_error(gmm_mi(d$x, numeric(0)), "y", "gmm_mi")
  expect_input_error(gmm_fit(d$x, k = 1, weights = as.character(runif(60))), "weights", "gmm_fit")
  expect_input_error(gmm_fit(d$x, k = 1, weights = list(1)), "weights", "gmm_fit")
})

test_that("variables with different numbers of rows are rejected", {
  d <- hostile_data()
  err <- expect_input_error(gmm_mi(d$x, d$y[-1]), "y", "gmm_mi")
  expect_match(conditionMessage(err), "59 rows", fixed = TRUE)
  expect_input_error(gmm_mi(d$x[-1], d$y), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x, d$y, d$z[1:30]), "z", "gmm_mi")
  expect_input_error(gmm_mi(d$xy[1:59, ], d$y, d$z), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x > 0, d$y[1:30]), "y", "gmm_mi")
  expect_input_error(gmm_mi(d$x, (d$y > 0)[1:30]), "y", "gmm_mi")
  expect_input_error(gmm_mi(d$x > 0, (d$y > 0)[1:30]), "y", "gmm_mi")
  expect_input_error(gmm_fit(d$x, k = 1, weights = rep(1, 59)), "weights", "gmm_fit")
})

test_that("constant columns and identical points are rejected by gmm_select() and gmm_mi()", {
  d <- hostile_data()
  for (fn in c("gmm_select", "gmm_mi")) {
    f <- entry_points[[fn]]
    expect_input_error(f(rep(2.5, 60)), "x", fn)
    expect_input_error(f(cbind(a = d$x, b = 0)), "x", fn)
    expect_input_error(f(matrix(1, 60, 2)), "x", fn)
    expect_input_error(f(data.frame(a = rep(-1, 60), b = rep(3, 60))), "x", fn)
  }
  expect_input_error(gmm_mi(d$x, rep(0, 60)), "y", "gmm_mi")
  expect_input_error(gmm_mi(d$x, d$y, rep(1e10, 60)), "z", "gmm_mi")
  expect_input_error(gmm_mi(rep(1, 60), rep(2, 60)), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x > 0, rep(1, 60)), "y", "gmm_mi")
  expect_input_error(gmm_mi(rep(c(1, 2), 30), matrix(7, 60, 2)), "y", "gmm_mi")
})

test_that("too few rows for the folds, and more components than rows, are rejected", {
  d <- hostile_data()
  expect_input_error(gmm_select(d$x[1:3]), "x", "gmm_select")
  expect_input_error(gmm_select(d$xy[1:5, ], n_folds = 3), "x", "gmm_select")
  expect_input_error(gmm_select(d$x[1:10], fixed_components = 6), "x", "gmm_select")
  expect_input_error(gmm_mi(d$x[1:3], d$y[1:3]), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x[1:9], d$y[1:9], control = gmm_mi_control(n_folds = 5)), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x[1:20], d$y[1:20], control = gmm_mi_control(fixed_components = 11)),
                     "x", "gmm_mi")
  # Every category needs its own folds.
  labels <- rep(c("a", "b"), c(55, 5))
  expect_input_error(gmm_mi(labels, d$y, control = gmm_mi_control(n_folds = 3)), "x", "gmm_mi")
  expect_input_error(gmm_fit(d$x[1:5], k = 6), "k", "gmm_fit")
  for (k in list(61, 1e6, Inf, 0, -1, NA, 1.5, "2", c(1, 2), NULL)) {
    expect_input_error(gmm_fit(d$x, k = k), "k", "gmm_fit")
  }
})

test_that("a single category, or a category with one row, is rejected", {
  d <- hostile_data()
  expect_input_error(gmm_mi(factor(rep("a", 60)), d$y), "x", "gmm_mi")
  expect_input_error(gmm_mi(factor(rep("a", 60), levels = c("a", "b")), d$y), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x, rep("b", 60)), "y", "gmm_mi")
  expect_input_error(gmm_mi(rep(TRUE, 60), d$y > 0), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x > 0, rep("u", 60)), "y", "gmm_mi")
  err <- expect_input_error(gmm_mi(c("b", rep("a", 59)), d$y), "x", "gmm_mi")
  expect_match(conditionMessage(err), "\"b\" (1)", fixed = TRUE)
  expect_input_error(gmm_mi(d$y, factor(c(rep("a", 59), "c"))), "y", "gmm_mi")
  expect_input_error(gmm_mi(c(NA, rep(c("a", "b"), length.out = 59)), d$y, na.action = na.fail), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x > 0, d$y, d$z), "x", "gmm_mi")
  expect_input_error(gmm_mi(d$x > 0), "y", "gmm_mi")
})

test_that("invalid settings are rejected, naming the setting", {
  d <- hostile_data()
  bad_settings <- list(
    init = list("km", NA_character_, 1, c("kmeans", "random")),
    n_inits = list(0, -1, NA, 1.5, "2", 1e5, Inf, c(1, 2), NULL),
    n_folds = list(1, 0, NA, 2.5, 1001, "2", NULL),
    tol = list(-1, NA, Inf, NaN, "a", c(1, 2), NULL),
    reg_covar = list(-1e-15, NA, Inf, "0"),
    max_iter = list(0, -1, 1.5, NA, Inf, NULL),
    max_components = list(0, 10001, NA, 2.5, NULL),
    criterion = list("AIC", NA_character_, 3, character(0)),
    threshold = list(-1, NA, Inf),
    patience = list(0, -1, NA, 1.5),
    fixed_components = list(0, -2, NA, 1.5, "2", 1e5),
    init_scale = list(0, -1, NA, Inf),
    min_iter = list(-1, NA, 1.5, Inf),
    selection = list("ref", NA_character_, 1, NULL),
    reselect = list(NA, 1, "yes", c(TRUE, FALSE), c("auto", "auto")),
    accelerate = list(NA, 0, "no", NULL)
  )
  for (setting in names(bad_settings)) {
    for (value in bad_settings[[setting]]) {
      args <- stats::setNames(list(value), setting)
      expect_input_error(do.call("gmm_mi_control", args), setting, "gmm_mi_control")
      expect_input_error(do.call("gmm_select", c(list(d$xy), args)), setting, "gmm_select")
    }
  }
  fit_settings <- bad_settings[c("init", "n_inits", "tol", "reg_covar", "max_iter", "init_scale")]
  for (setting in names(fit_settings)) {
    for (value in fit_settings[[setting]]) {
      if (is.null(value) && setting == "init_scale") next  # NULL is the default there
      args <- stats::setNames(list(value), setting)
      expect_input_error(do.call("gmm_fit", c(list(d$x, k = 1), args)), setting, "gmm_fit")
    }
  }
  for (control in list(list(n_folds = 2), NULL, "default", 1, unclass(gmm_mi_control()))) {
    expect_input_error(gmm_mi(d$x, d$y, control = control), "control", "gmm_mi")
  }
  expect_input_error(gmm_select(d$xy, foo = 1), "...", "gmm_select")
  expect_input_error(gmm_select(d$xy, 2, "bic", 2, 1, 1e-5, 1, NULL, 1e-3), "...", "gmm_select")
  for (value in list(-1, 0.5, NA, Inf, "2", 2e6, c(1, 2))) {
    expect_input_error(gmm_mi(d$x, d$y, n_bootstrap = value), "n_bootstrap", "gmm_mi")
  }
  for (value in list(0, -5, 1.5, NA, Inf, "10", 1e10)) {
    expect_input_error(gmm_mi(d$x, d$y, mc_samples = value), "mc_samples", "gmm_mi")
  }
  for (value in list(-1, 0, NA, NaN, Inf)) {
    expect_input_error(gmm_fit(d$x, k = 1, weights = rep(value, 60)), "weights", "gmm_fit")
  }
})

test_that("unknown units and priors are rejected", {
  d <- hostile_data()
  for (units in list("bits", "nats", NA_character_, 2, character(0), c("nat", "bits"), NULL)) {
    expect_input_error(gmm_mi(d$x, d$y, units = units), "units", "gmm_mi")
    expect_input_error(gmm_mi(d$x > 0, d$y, units = units), "units", "gmm_mi")
    expect_input_error(gmm_mi(d$x > 0, d$y > 0, units = units), "units", "gmm_mi")
  }
  for (prior in list("flat", NA_character_, 1)) {
    expect_input_error(gmm_mi(d$x > 0, d$y, prior = prior), "prior", "gmm_mi")
  }
})

test_that("a number of threads below one, or not a whole number, is rejected", {
  d <- hostile_data()
  for (fn in names(entry_points)) {
    for (n_threads in list(0, -1, NA, 1.5, "2", 2000, c(1, 2))) {
      expect_input_error(entry_points[[fn]](d$x, n_threads = n_threads), "n_threads", fn)
    }
    expect_input_error(with_threads_option(0, entry_points[[fn]](d$x)), "n_threads", fn)
  }
})

test_that("MI is the same at huge and tiny scales and far from the origin", {
  d <- hostile_data(400, seed = 2)
  mi_at <- function(x, y, z = NULL) {
    set.seed(11)
    gmm_mi(x, y, z, n_bootstrap = 4, mc_samples = 2000, n_threads = 1)
  }
  base <- mi_at(d$x, d$y)
  expect_lt(abs(base$estimate - (-0.5 * log(1 - 0.6^2))), 0.1)
  for (s in list(c(1e300, 1e300), c(1e-300, 1e-300), c(1e300, 1e-300), c(1e-310, 1), c(1e307, 1e150))) {
    r <- mi_at(d$x * s[1], d$y * s[2])
    expect_true(is.finite(r$estimate))
    expect_true(is.finite(r$se))
    expect_equal(r$estimate, base$estimate, tolerance = 1e-8)
    expect_equal(r$se, base$se, tolerance = 1e-6)
    expect_identical(r$n_components, base$n_components)
  }
  # A shift of 1e10 costs about 6 of the 16 digits of each value.
  shifted <- mi_at(d$x + 1e10, d$y - 1e10)
  expect_equal(shifted$estimate, base$estimate, tolerance = 1e-4)
  # Conditional and categorical MI standardise the same way.
  cond <- mi_at(d$x, d$y, d$z)
  expect_equal(mi_at(d$x * 1e-300, d$y * 1e300, d$z * 1e300)$estimate, cond$estimate, tolerance = 1e-8)
  cat_base <- mi_at(d$x > 0, d$y)
  expect_equal(mi_at(d$x > 0, d$y * 1e300)$estimate, cat_base$estimate, tolerance = 1e-8)
  expect_equal(mi_at(d$x > 0, d$y * 1e-300)$estimate, cat_base$estimate, tolerance = 1e-8)
})

test_that("gmm_select() scores data at any scale the same way, up to the Jacobian", {
  d <- hostile_data(200, seed = 3)
  sel_at <- function(s) {
    set.seed(5)
    gmm_select(d$xy * s, max_components = 3, n_threads = 1)
  }
  base <- sel_at(1)
  for (s in c(1e300, 1e-300, 1e-150)) {
    r <- suppressWarnings(sel_at(s))
    expect_identical(r$n_components, base$n_components)
    expect_equal(r$table$validation, base$table$validation - 2 * log(s), tolerance = 1e-8)
  }
})

test_that("gmm_fit() at huge and tiny scales gives the same finite fit, up to the Jacobian", {
  d <- hostile_data(200, seed = 4)
  fit_at <- function(m) {
    set.seed(5)
    value_or_error(gmm_fit(m, k = 2, init = "kmeans", n_threads = 1))
  }
  base <- fit_at(d$xy)
  scales <- list(c(1e300, 1e300), c(1e-300, 1e-300), c(1, 1), c(1e300, 1e-300))
  for (i in seq_along(scales)) {
    s <- scales[[i]]
    m <- sweep(d$xy, 2, s, "*") + if (i == 3) 1e10 else 0
    r <- fit_at(m)
    expect_s3_class(r, "gmm")
    expect_true(all(is.finite(r$weights)) && all(is.finite(r$means)) && all(is.finite(r$covariances)))
    expect_equal(unname(r$weights), unname(base$weights), tolerance = 1e-6)
    expect_equal(r$loglik + 200 * sum(log(s)), base$loglik, tolerance = 1e-6)
    # Kept in standardised units exactly when the data's covariances would
    # overflow or underflow.
    expect_identical(is.null(r$scale), i == 3)
  }
  # Large scales, where no covariance overflows, change only the Jacobian.
  big <- fit_at(d$xy * 1e100)
  expect_equal(big$loglik + 2 * 200 * log(1e100), base$loglik, tolerance = 1e-8)
  expect_equal(unname(big$weights), unname(base$weights), tolerance = 1e-8)
  shifted <- fit_at(d$xy + 1e10)
  expect_equal(unname(shifted$weights), unname(base$weights), tolerance = 1e-4)
})

test_that("duplicated points and discrete-valued columns never give NaN", {
  for (seed in 1:3) {
    d <- hostile_data(200, seed = seed)
    five <- function(v) pmin(pmax(round(v), -2), 2)
    mi <- function(...) value_or_error(gmm_mi(..., n_bootstrap = 3, mc_samples = 500, n_threads = 1))
    expect_estimate_or_classed_error(mi(rep(d$x, 2), rep(d$y, 2)))
    expect_estimate_or_classed_error(mi(rep(d$x[1:20], 10), rep(d$y[1:20], 10)))
    expect_estimate_or_classed_error(mi(five(d$x), d$y))
    expect_estimate_or_classed_error(mi(five(d$x), five(d$y)))
    expect_estimate_or_classed_error(mi(as.numeric(d$x > 0), as.numeric(d$y > 0)))
    expect_estimate_or_classed_error(mi(rep(c(1, 2, 3), 30), rep(c(1, 3, 2), 30)))
    expect_estimate_or_classed_error(mi(c(rep(0, 199), 1), d$y))
    expect_estimate_or_classed_error(mi(d$x, d$y, five(d$z)))
    expect_estimate_or_classed_error(mi(d$x, d$y, d$x))
    expect_estimate_or_classed_error(mi(d$x, 2 * d$x + 1))
    expect_estimate_or_classed_error(mi(d$x > 0, five(d$y)))
    expect_estimate_or_classed_error(mi(rep(c("a", "b"), each = 100), rep(d$y[1:10], 20)))
    expect_estimate_or_classed_error(mi(d$x > 0, d$y > 0))

    fit <- value_or_error(gmm_fit(cbind(five(d$x), five(d$y)), k = 3, n_threads = 1))
    expect_s3_class(fit, "gmm")
    expect_true(all(is.finite(unlist(fit[c("weights", "means", "covariances", "loglik")]))))
    sel <- value_or_error(gmm_select(cbind(five(d$x), as.numeric(d$y > 0)), max_components = 4, n_threads = 1))
    expect_s3_class(sel, "gmm_selection")
    expect_true(all(is.finite(unlist(sel$warm_start[c("weights", "means", "covariances")]))))
  }
})

test_that("no call modifies its inputs", {
  deep_copy <- function(x) unserialize(serialize(x, NULL))
  d <- hostile_data(80)
  inputs <- list(m = d$xy, df = as.data.frame(d$xy), x = d$x, y = d$y, z = d$z,
                 w = runif(80), int = sample(1:5, 80, replace = TRUE), labels = d$x > 0,
                 f = factor(ifelse(d$y > 0, "up", "down")))
  before <- deep_copy(inputs)
  with(inputs, {
    suppressWarnings({
      gmm_fit(m, k = 2, weights = w, n_threads = 1)
      gmm_fit(df, k = 1, n_threads = 1)
      gmm_fit(x, k = 1, n_threads = 1)
      gmm_select(m, max_components = 2, n_threads = 1)
      gmm_select(df, max_components = 2, n_threads = 1)
      gmm_mi(m, n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      gmm_mi(x, y, z, n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      gmm_mi(df, n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      gmm_mi(int, y, n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      gmm_mi(labels, m, n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      gmm_mi(f, labels, n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      if (exists("mi_matrix", asNamespace("gmmmi"))) {
        gmmmi::mi_matrix(df, data.frame(f, z), n_bootstrap = 2, mc_samples = 100, n_threads = 1)
      }
    })
  })
  expect_identical(inputs, before)
})

test_that("hostile-input messages", {
  d <- hostile_data()
  x_na <- replace(d$x, 3, NA)
  expect_snapshot(error = TRUE, {
    gmm_mi(x_na, d$y, na.action = na.fail)
    gmm_fit(as.list(d$x), k = 1)
    gmm_mi(d$x, d$y[-1])
    gmm_select(cbind(a = d$x, b = 0))
    gmm_mi(c("b", rep("a", 59)), d$y)
    gmm_mi(d$x, d$y, units = "bits")
    gmm_fit(d$x, k = 1, n_threads = 0)
  })
})

# Known bugs: each test asserts the correct behaviour and is skipped until the
# bug is fixed.

test_that("gmm_fit() rejects constant columns and identical points", {
  d <- hostile_data()
  expect_input_error(gmm_fit(rep(2.5, 60), k = 1), "x", "gmm_fit")
  expect_input_error(gmm_fit(cbind(a = d$x, b = 0), k = 1), "x", "gmm_fit")
  expect_input_error(gmm_fit(matrix(1, 60, 2), k = 1), "x", "gmm_fit")
  expect_input_error(gmm_fit(5, k = 1), "x", "gmm_fit")
})

test_that("gmm_fit() rejects more components than rows of positive weight", {
  d <- hostile_data()
  expect_input_error(gmm_fit(d$x, k = 2, weights = c(1, rep(0, 59))), "k", "gmm_fit")
})

test_that("gmm_fit() does not depend on the scale of the weights", {
  d <- hostile_data()
  set.seed(1)
  a <- gmm_fit(d$xy, k = 1, weights = rep(1, 60))
  set.seed(1)
  b <- gmm_fit(d$xy, k = 1, weights = rep(1e308, 60))
  expect_equal(b$means, a$means)
  expect_equal(b$covariances, a$covariances)
  # Their sum, 6e309, cannot be represented: n says so, the loglik is NA.
  expect_identical(b$n, Inf)
  expect_identical(b$loglik, NA_real_)
  set.seed(1)
  h <- gmm_fit(d$xy, k = 1, weights = rep(1e300, 60))
  expect_equal(h$means, a$means)
  expect_equal(h$n, 6e301)
  expect_equal(h$loglik, a$loglik * 1e300)
  set.seed(1)
  tiny <- gmm_fit(d$xy, k = 2, init = "kmeans", weights = rep(c(1e-310, 2e-310), 30))
  set.seed(1)
  plain <- gmm_fit(d$xy, k = 2, init = "kmeans", weights = rep(1:2, 30))
  expect_equal(tiny$means, plain$means, tolerance = 1e-6)
  # Weights negligible beside the largest count as zero, and the error says so.
  err <- expect_input_error(gmm_fit(d$x, k = 2, weights = c(1e308, rep(1e-300, 59))), "k", "gmm_fit")
  expect_match(conditionMessage(err), "count as zero")
})

test_that("gmm_fit() is equivariant at small scales", {
  d <- hostile_data(200, seed = 4)
  set.seed(5)
  base <- gmm_fit(d$xy, k = 2, init = "kmeans", n_threads = 1)
  set.seed(5)
  small <- gmm_fit(d$xy * 1e-100, k = 2, init = "kmeans", n_threads = 1)
  expect_equal(unname(small$weights), unname(base$weights), tolerance = 1e-6)
})

test_that("a degenerate fold with reg_covar = 0 gives a classed error", {
  set.seed(1)
  # (No floor at all: tied columns get none either.)
  ctl <- gmm_mi_control(reg_covar = 0, tie_floor = FALSE)
  expect_error(gmm_mi(c(rep(0, 99), 1), rnorm(100), n_bootstrap = 2, mc_samples = 100, control = ctl),
               class = "gmmmi_error")
  expect_error(gmm_mi(rep(0:1, 50), rep(0:1, 50) + 0, n_bootstrap = 2, mc_samples = 100, control = ctl),
               class = "gmmmi_error")
  expect_error(gmm_mi(rep(c("a", "b"), 50), c(rep(0, 99), 1), n_bootstrap = 2, mc_samples = 100,
                      control = ctl), class = "gmmmi_error")
})

test_that("selections and fits at huge scales have finite covariances and the same MI", {
  d <- hostile_data(200, seed = 3)
  sel <- gmm_select(d$xy * 1e300, max_components = 2, n_threads = 1)
  expect_true(all(is.finite(unlist(sel$warm_start[c("weights", "means", "covariances")]))))
  set.seed(2)
  base <- gmm_mi(d$xy, n_bootstrap = 2, mc_samples = 500, n_threads = 1)
  for (s in c(1e300, 1e-300)) {
    set.seed(2)
    res <- gmm_mi(d$xy * s, n_bootstrap = 2, mc_samples = 500, n_threads = 1)
    expect_true(all(is.finite(res$fit$covariances)) && all(is.finite(res$fit$means)))
    expect_true(is.finite(res$fit$loglik))
    expect_equal(res$estimate, base$estimate, tolerance = 1e-8)
    expect_equal(res$fit$loglik + 2 * 200 * log(s), base$fit$loglik, tolerance = 1e-8)
    expect_equal(pmi(res), pmi(base), tolerance = 1e-6)
  }
})

test_that("a gmm kept in standardised units answers every method in the data's units", {
  d <- hostile_data(200, seed = 6)
  set.seed(3)
  base <- gmm_fit(d$xy, k = 2, init = "kmeans", n_threads = 1)
  for (s in c(1e300, 1e-300)) {
    set.seed(3)
    f <- gmm_fit(d$xy * s, k = 2, init = "kmeans", n_threads = 1)
    expect_false(is.null(f$scale))
    # The spread: the smaller of the (population) sd and IQR / 1.349, with
    # the quartiles as the order statistics n / 4 and 3 n / 4 (0-based).
    spread <- function(v) {
      n <- length(v)
      o <- sort(v)
      r <- (o[floor(3 * n / 4) + 1] - o[floor(n / 4) + 1]) / 1.349
      p <- sd(v) * sqrt((n - 1) / n)
      if (r > 0 && r < p) r else p
    }
    expect_equal(unname(f$scale), unname(apply(d$xy, 2, spread) * s), tolerance = 1e-8)
    newdata <- d$xy[1:5, ] * s
    expect_equal(predict(f, newdata, type = "logdensity") + 2 * log(s),
                 predict(base, d$xy[1:5, ], type = "logdensity"), tolerance = 1e-6)
    expect_equal(predict(f, newdata, type = "responsibilities"),
                 predict(base, d$xy[1:5, ], type = "responsibilities"), tolerance = 1e-6)
    expect_identical(predict(f, newdata), predict(base, d$xy[1:5, ]))
    expect_equal(simulate(f, 20, seed = 1) / s, simulate(base, 20, seed = 1), tolerance = 1e-6,
                 ignore_attr = TRUE)
    set.seed(4)
    h <- gmm_entropy(f, mc_samples = 2000)
    set.seed(4)
    expect_equal(h - 2 * log(s), gmm_entropy(base, mc_samples = 2000), tolerance = 1e-6,
                 ignore_attr = TRUE)
    set.seed(4)
    h1 <- gmm_entropy(f, dims = "b", mc_samples = 2000)
    set.seed(4)
    expect_equal(h1 - log(s), gmm_entropy(base, dims = "b", mc_samples = 2000), tolerance = 1e-6,
                 ignore_attr = TRUE)
    set.seed(4)
    kl <- gmm_kl(f, mc_samples = 2000)
    set.seed(4)
    expect_equal(kl, gmm_kl(base, mc_samples = 2000), tolerance = 1e-6)
    set.seed(4)
    expect_equal(gmm_kl(f, f, mc_samples = 200), 0, ignore_attr = TRUE)
    m <- gmm_marginal(f, "b")
    expect_identical(names(m$scale), "b")
    expect_equal(predict(m, d$xy[1:5, "b"] * s, type = "logdensity") + log(s),
                 predict(gmm_marginal(base, "b"), d$xy[1:5, "b"], type = "logdensity"), tolerance = 1e-6)
    sm <- summary(f)
    expect_equal(sm$sd / s, summary(base)$sd, tolerance = 1e-6)
    expect_equal(sm$components[, -1] / s, summary(base)$components[, -1], tolerance = 1e-6)
    expect_equal(AIC(f) - 4 * 200 * log(s), AIC(base), tolerance = 1e-6)
    expect_output(print(f), "standardised units")
    expect_error(gmm_data_params(f), class = "gmmmi_error")
    # Two mixtures whose scales are 1e300 apart cannot be compared.
    expect_error(gmm_kl(f, base, mc_samples = 10), class = "gmmmi_error")
  }
  # Within the representable range, gmm_data_params() gives the data's units.
  set.seed(3)
  mid <- gmm_fit(d$xy * 1e-150, k = 2, init = "kmeans", n_threads = 1)
  expect_false(is.null(mid$scale))
  p <- gmm_data_params(mid)
  expect_equal(p$covariances / 1e-300, base$covariances, tolerance = 1e-6)
  expect_equal(p$means / 1e-150, base$means, tolerance = 1e-6)
  expect_null(gmm_data_params(base)$center)
  # An edited scaling is checked before it reaches C++.
  bad <- mid
  bad$scale <- bad$scale[1]
  expect_error(predict(bad, d$xy), class = "gmmmi_error")
  bad <- mid
  bad$center[1] <- NA
  expect_error(simulate(bad, 2), class = "gmmmi_error")
})

test_that("a constant column of a two-column x is named as a column of x", {
  x <- hostile_data()$x
  # With y = NULL the second column of x is internally called y.
  expect_input_error(gmm_mi(cbind(x + 0, 1)), "x", "gmm_mi")
  # cbind(x, 1) names its first column only: the second is shown as "".
  err <- expect_input_error(gmm_mi(cbind(x, 1)), "x", "gmm_mi")
  expect_false(grepl("Constant: .", conditionMessage(err), fixed = TRUE))
  err <- expect_input_error(gmm_select(cbind(x, 1)), "x", "gmm_select")
  expect_false(grepl("Constant: .", conditionMessage(err), fixed = TRUE))
})

test_that("a gmm object with inconsistent fields is rejected before it reaches C++", {
  d <- hostile_data()
  fit <- gmm_fit(d$xy, k = 2, init = "kmeans", n_threads = 1)
  bad <- fit
  bad$covariances <- bad$covariances[, , 1, drop = FALSE]
  expect_error(predict(bad, d$xy), class = "gmmmi_error")
  bad <- fit
  bad$weights <- c(bad$weights, comp3 = 0.1)
  expect_error(gmm_entropy(bad, mc_samples = 100), class = "gmmmi_error")
  bad <- fit
  bad$weights[] <- 0
  expect_error(simulate(bad, 10), class = "gmmmi_error")
})

test_that("a hand-edited control object is validated before it reaches C++", {
  d <- hostile_data()
  ctl <- gmm_mi_control()
  ctl$n_inits <- 0L
  expect_error(gmm_mi(d$x, d$y, n_bootstrap = 2, mc_samples = 10, control = ctl), class = "gmmmi_error")
  ctl <- gmm_mi_control()
  ctl$n_folds <- -3L
  expect_error(gmm_mi(d$x, d$y, n_bootstrap = 2, mc_samples = 10, control = ctl), class = "gmmmi_error")
  ctl <- gmm_mi_control()
  ctl$init <- "foo"
  expect_error(gmm_mi(d$x, d$y, n_bootstrap = 2, mc_samples = 10, control = ctl), class = "gmmmi_error")
  expect_error(gmm_mi(d$x, d$y, control = structure(list(), class = "gmm_mi_control")), class = "gmmmi_error")
})
