# Fuzzing: random malformed inputs (random types, lengths and shapes, missing
# and infinite values, extreme magnitudes, random settings) sent through
# gmm_fit(), gmm_select(), gmm_mi() and mi_matrix(). Every call must end in
# an error of class "gmmmi_error" or in a valid result (finite estimate, se
# finite or NA); a crash would end the R process, so the loop is also worth
# running alone in a child process (see the note at the end of this file).

fuzz_pick <- function(pool) pool[[sample.int(length(pool), 1)]]

# How malformed the current call is: the chance that each setting is valid
# and the chance that the data are malformed. Set per call by fuzz_call(), so
# that some calls are clean (and exercise the fits themselves), some carry one
# defect and some many.
fuzz_state <- new.env()
fuzz_state$p_valid <- 1
fuzz_state$p_bad_data <- 0

fuzz_arg <- function(valid, invalid, p_valid = 1) {
  p <- if (fuzz_state$p_valid >= 1) 1 else p_valid * fuzz_state$p_valid
  if (runif(1) < p) fuzz_pick(valid) else fuzz_pick(invalid)
}

fuzz_bad_scalars <- list(NA, NA_real_, NaN, Inf, -Inf, -1, 0.5, "1", TRUE, c(1, 2), numeric(0),
                         list(1), NULL, 1e300, -1e300)

# A numeric column of length n: well-behaved, rescaled to extreme
# magnitudes, shifted, discrete, constant, heavy-tailed (Cauchy cubed,
# log-normal of sd 20), whole numbers (counts), or with one injected bad
# value.
fuzz_numbers <- function(n) {
  v <- switch(sample.int(11, 1),
              rnorm(n),
              rnorm(n) * 10^sample(c(-300, -150, -20, 20, 150, 300), 1),
              rnorm(n) + 1e10,
              round(rnorm(n)),
              sample(c(0, 1), n, replace = TRUE),
              rep(fuzz_pick(list(0, 1, -3.5, 1e300)), n),
              rep(rnorm(max(1, n %/% 4)), length.out = n),
              rexp(n)^8,
              rcauchy(n)^3,
              exp(20 * rnorm(n)),
              as.numeric(rpois(n, 3)))
  if (n > 0 && runif(1) < fuzz_state$p_bad_data / 2) {
    v[sample.int(n, 1)] <- fuzz_pick(list(NA, NaN, Inf, -Inf, 1e308, -1e308, 5e-324,
                                          .Machine$double.xmax))
  }
  v
}

fuzz_category <- function(n) {
  labels <- fuzz_pick(list(c("a", "b"), c("a", "b", "c"), "only", as.character(seq_len(max(1, n)))))
  v <- sample(labels, n, replace = TRUE)
  if (n > 0 && runif(1) < fuzz_state$p_bad_data / 2) v[sample.int(n, 1)] <- NA
  switch(sample.int(3, 1), v, factor(v), if (length(labels) == 2) v == "a" else v)
}

fuzz_matrix <- function(n, d) {
  matrix(as.numeric(unlist(lapply(seq_len(d), function(j) fuzz_numbers(n)))), nrow = n, ncol = d)
}

# Any R object that a user might pass as data, with n rows where that
# applies; kind 17 is wide (columns near a third to a half of the rows).
fuzz_data <- function(n, d = sample(0:3, 1)) {
  kind <- if (runif(1) < fuzz_state$p_bad_data) sample.int(17, 1) else sample(c(1:6, 8, 17), 1)
  if (kind == 17) return(fuzz_matrix(n, max(1, n %/% sample(2:3, 1))))
  switch(kind,
         fuzz_numbers(n),
         fuzz_numbers(n),
         fuzz_matrix(n, d),
         fuzz_matrix(n, d),
         {
           cols <- lapply(seq_len(max(1, d)), function(j) {
             if (runif(1) < 0.8) fuzz_numbers(n) else fuzz_category(n)
           })
           names(cols) <- paste0("v", seq_along(cols))
           as.data.frame(cols, stringsAsFactors = FALSE)
         },
         as.integer(round(pmin(pmax(fuzz_numbers(n), -1e6), 1e6))),
         fuzz_category(n),
         fuzz_category(n),
         as.list(fuzz_numbers(n)),
         NULL,
         complex(real = rnorm(n), imaginary = 1),
         as.raw(seq_len(n) %% 256),
         Sys.Date() + seq_len(n),
         array(rnorm(n * 4), c(n, 2, 2)),
         matrix(as.character(rnorm(n * max(1, d))), nrow = n),
         {
           df <- data.frame(a = rnorm(n))
           df$b <- if (runif(1) < 0.5) I(matrix(rnorm(2 * n), n)) else I(as.list(rnorm(n)))
           df
         })
}

fuzz_n <- function() {
  if (runif(1) < fuzz_state$p_bad_data) fuzz_pick(list(0L, 1L, 2L, 3L, 4L, 5L, 8L, 12L, 20L, 40L, 60L))
  else fuzz_pick(list(12L, 20L, 40L, 60L))
}

fuzz_threads <- function() fuzz_arg(list(NULL, 1, 1, 2), list(0, -1, NA, 1.5, "2", 5000, c(1, 2)))
fuzz_boot <- function() fuzz_arg(list(0, 1, 2, 3), list(-1, 0.5, NA, Inf, "2", 2e6, c(1, 2)))
fuzz_mc <- function() fuzz_arg(list(1, 2, 16, 64), list(0, -5, 1.5, NA, Inf, "10", 1e10))
fuzz_units <- function() fuzz_arg(list("nat", "bit", c("nat", "bit")), list("bits", NA_character_, 2, NULL, character(0)))

# A call of gmm_mi_control() with a random subset of random settings. EM
# settings are kept to what runs quickly: no tol = 0 with the default
# max_iter, no huge min_iter.
fuzz_control_args <- function() {
  pools <- list(
    init = list(valid = as.list(c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                                  "randomized_kmeans", "random", "minmax")),
                invalid = list("km", NA_character_, 1, c("kmeans", "random"))),
    n_inits = list(valid = list(1, 2), invalid = fuzz_bad_scalars),
    n_folds = list(valid = list(2, 3, 5), invalid = list(1, 0, 1001, NA, 2.5, "2")),
    tol = list(valid = list(1e-3, 1e-5, 1, 1e300), invalid = list(-1, NA, Inf, "a")),
    reg_covar = list(valid = list(0, 1e-15, 1e-6, 1, 1e300), invalid = list(-1e-15, NA, Inf, "0")),
    max_iter = list(valid = list(1, 2, 20, 100), invalid = list(0, -1, 1.5, NA, Inf)),
    max_components = list(valid = list(1, 2, 4), invalid = list(0, 10001, NA, 2.5)),
    criterion = list(valid = list("validation", "aic", "bic"), invalid = list("AIC", NA_character_, 3)),
    threshold = list(valid = list(0, 1e-5, 1, 1e300), invalid = list(-1, NA, Inf)),
    patience = list(valid = list(1, 2), invalid = list(0, -1, NA, 1.5)),
    fixed_components = list(valid = list(NULL, 1, 2, 3), invalid = list(0, -2, NA, 1.5, "2")),
    init_scale = list(valid = list(NULL, 1e-300, 0.1, 1, 1e300), invalid = list(0, -1, NA, Inf)),
    min_iter = list(valid = list(0, 1, 10), invalid = list(-1, NA, 1.5, Inf))
  )
  chosen <- names(pools)[runif(length(pools)) < 0.3]
  args <- lapply(pools[chosen], function(p) fuzz_arg(p$valid, p$invalid, 0.9))
  names(args) <- chosen
  args
}

fuzz_control <- function() {
  if (runif(1) < 1 - fuzz_state$p_bad_data / 5) {
    return(do.call(call, c(list("gmm_mi_control"), fuzz_control_args())))
  }
  fuzz_pick(list(NULL, list(n_folds = 2), "default", 1, structure(list(), class = "gmm_mi_control")))
}

# A random call (an unevaluated expression, so that an error in building an
# argument, such as gmm_mi_control(), is part of the call) of one function.
fuzz_call <- function() {
  targets <- c(gmm_fit = 0.3, gmm_select = 0.15, gmm_mi = 0.4, mi_matrix = 0.15)
  # mi_matrix() is newer than the rest: fuzz it where it exists.
  if (!exists("mi_matrix", asNamespace("gmmmi"))) targets <- targets[names(targets) != "mi_matrix"]
  target <- sample(names(targets), 1, prob = targets)
  mode <- sample(c("clean", "one", "many"), 1, prob = c(0.45, 0.35, 0.2))
  fuzz_state$p_valid <- c(clean = 1, one = 0.93, many = 0.6)[[mode]]
  fuzz_state$p_bad_data <- c(clean = 0, one = 0.3, many = 0.7)[[mode]]
  n <- fuzz_n()
  # Another variable has the same number of rows, or, now and then, not.
  n_other <- function() if (runif(1) < 1 - fuzz_state$p_bad_data / 5) n else fuzz_n()
  maybe <- function(p, value) if (runif(1) < p) value
  args <- switch(target,
    gmm_fit = c(
      list(x = fuzz_data(n)),
      if (runif(1) < 0.95) list(k = fuzz_arg(list(1, 2, 3, n, n + 1), fuzz_bad_scalars)),
      maybe(0.3, list(init = fuzz_arg(as.list(c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                                                "randomized_kmeans", "random", "minmax")),
                                      list("x", NA_character_, 2)))),
      maybe(0.2, list(n_inits = fuzz_arg(list(1, 2, 3), fuzz_bad_scalars))),
      maybe(0.2, list(tol = fuzz_arg(list(1e-3, 1, 1e300), list(-1, NA, Inf, "a")))),
      maybe(0.3, list(reg_covar = fuzz_arg(list(0, 1e-15, 1e-6, 1, 1e300), list(-1, NA, Inf)))),
      list(max_iter = fuzz_arg(list(1, 5, 50, 200), list(0, -1, NA, 2.5, Inf), 0.9)),
      maybe(0.3, list(weights = fuzz_arg(
        list(runif(n), rep(1, n), sample(0:3, n, replace = TRUE), c(1, rep(0, max(0, n - 1))),
             rep(1e300, n), rep(1e-300, n)),
        list(runif(n_other() + 1), -runif(n), c(NA, runif(max(0, n - 1))), rep(0, n),
             as.character(runif(n)), matrix(runif(2 * n), n), rep(Inf, n))))),
      maybe(0.2, list(init_scale = fuzz_arg(list(NULL, 1e-300, 1, 1e300), list(0, -1, NA, Inf)))),
      maybe(0.5, list(n_threads = fuzz_threads()))
    ),
    gmm_select = c(
      list(x = fuzz_data(n)),
      list(max_components = fuzz_arg(list(1, 2, 4), list(0, NA, 2.5, 1e5), 0.9)),
      maybe(0.3, list(criterion = fuzz_arg(list("validation", "aic", "bic"), list("x", NA_character_)))),
      maybe(0.3, list(n_folds = fuzz_arg(list(2, 3, 5), list(1, 0, NA, 2.5)))),
      maybe(0.3, list(n_inits = fuzz_arg(list(1, 2), fuzz_bad_scalars))),
      maybe(0.2, list(fixed_components = fuzz_arg(list(NULL, 1, 2, 3), list(0, NA, 1.5)))),
      maybe(0.3, list(reg_covar = fuzz_arg(list(0, 1e-15, 1), list(-1, NA)))),
      list(max_iter = fuzz_arg(list(5, 50, 200), list(0, NA), 0.9)),
      maybe(0.5, list(n_threads = fuzz_threads()))
    ),
    gmm_mi = {
      x <- fuzz_data(n)
      y <- if (runif(1) < 1 - fuzz_state$p_bad_data / 4) fuzz_data(n_other())
      z <- if (runif(1) < 0.15) fuzz_data(n_other())
      c(list(x = x), if (!is.null(y) || runif(1) < 0.5) list(y = y), if (!is.null(z)) list(z = z),
        list(n_bootstrap = fuzz_boot(), mc_samples = fuzz_mc()),
        maybe(0.3, list(units = fuzz_units())),
        maybe(0.2, list(prior = fuzz_arg(list("empirical", "uniform"), list("flat", NA_character_, 1)))),
        maybe(0.7, list(control = fuzz_control())),
        maybe(0.5, list(n_threads = fuzz_threads())))
    },
    mi_matrix = {
      frame <- function(m) {
        d <- sample(1:3, 1)
        if (runif(1) < fuzz_state$p_bad_data / 3) return(fuzz_data(m))
        cols <- lapply(seq_len(d), function(j) if (runif(1) < 0.75) fuzz_numbers(m) else fuzz_category(m))
        names(cols) <- if (runif(1) < 0.9) paste0("c", seq_len(d)) else rep("", d)
        as.data.frame(cols, stringsAsFactors = FALSE, optional = TRUE)
      }
      c(list(x = frame(n)), if (runif(1) < 0.6) list(y = frame(n_other())),
        list(n_bootstrap = fuzz_boot(), mc_samples = fuzz_mc()),
        maybe(0.3, list(units = fuzz_units())),
        maybe(0.5, list(control = fuzz_control())),
        maybe(0.2, list(prior = fuzz_arg(list("empirical", "uniform"), list("flat", 1)))),
        list(n_threads = fuzz_arg(list(1, 2), list(0, -1, NA, "1"), 0.9)))
    })
  as.call(c(list(as.name(target)), args))
}

# Why a returned value is not a valid result of its function ("" when it is).
# An MI estimate must be finite (or NA, for a pair of mi_matrix() that
# failed) and not below 0 by more than 3 Monte Carlo standard errors.
fuzz_invalid <- function(target, value) {
  finite_or_na <- function(v) is.numeric(v) && !any(is.nan(v)) && all(is.finite(v) | is.na(v))
  possible <- function(est, mc_se) all(is.na(est) | is.na(mc_se) | est >= -3 * mc_se)
  finite_gmm <- function(g) {
    if (!all(is.finite(g$weights)) || abs(sum(g$weights) - 1) > 1e-8) return("weights")
    if (!all(is.finite(g$means))) return("means")
    if (!all(is.finite(g$covariances))) return("non-finite covariances")
    if (!is.null(g$scale) && (!all(is.finite(g$center)) || !all(is.finite(g$scale)) || any(g$scale <= 0))) {
      return("scaling")
    }
    ""
  }
  switch(target,
    gmm_fit = if (!inherits(value, "gmm")) "class" else
      # Weights whose sum overflows (n = Inf) give an NA log-likelihood.
      if (!is.finite(value$loglik) && !(is.na(value$loglik) && identical(value$n, Inf))) "loglik" else
        finite_gmm(value),
    gmm_select = if (!inherits(value, "gmm_selection")) "class" else
      if (!isTRUE(value$n_components >= 1)) "n_components" else finite_gmm(value$warm_start),
    gmm_mi = if (!inherits(value, "gmm_mi")) "class" else
      if (length(value$estimate) != 1 || !is.finite(value$estimate)) "estimate" else
        if (!possible(value$estimate, value$mc_se)) "estimate below 0" else
          if (length(value$se) != 1 || !finite_or_na(value$se)) "se" else "",
    mi_matrix = if (!inherits(value, "mi_matrix")) "class" else
      if (!finite_or_na(value$estimate)) "estimate" else
        if (!possible(value$estimate, value$mc_se)) "estimate below 0" else
          if (!finite_or_na(value$se)) "se" else "")
}

# Runs `n` random calls; returns one row per call: the function, the outcome
# ("valid", "invalid" result, "gmmmi_error", or "other_error"), the
# condition's class and message, the warnings' classes and the time taken.
fuzz_run <- function(n, seed) {
  old <- options(gmmmi.threads = 1, warn = 1)
  on.exit(options(old), add = TRUE)
  set.seed(seed)
  env <- new.env(parent = asNamespace("gmmmi"))
  rows <- vector("list", n)
  for (i in seq_len(n)) {
    cl <- fuzz_call()
    target <- as.character(cl[[1]])
    warn <- character(0)
    t0 <- proc.time()[["elapsed"]]
    res <- withCallingHandlers(
      tryCatch(list(value = eval(cl, env)), error = function(e) list(error = e)),
      warning = function(w) {
        warn <<- c(warn, class(w)[1])
        invokeRestart("muffleWarning")
      })
    elapsed <- proc.time()[["elapsed"]] - t0
    why <- if (is.null(res$error)) fuzz_invalid(target, res$value) else ""
    outcome <- if (!is.null(res$error)) {
      if (inherits(res$error, "gmmmi_error")) "gmmmi_error" else "other_error"
    } else if (identical(why, "")) "valid" else "invalid"
    rows[[i]] <- data.frame(
      i = i, target = target, outcome = outcome,
      class = if (!is.null(res$error)) class(res$error)[1] else NA_character_,
      message = if (!is.null(res$error)) conditionMessage(res$error) else why,
      warnings = paste(unique(warn), collapse = ","), seconds = elapsed,
      fake_control = inherits(cl$control, "gmm_mi_control") && length(cl$control) == 0,
      call = paste(deparse(cl, width.cutoff = 500L, nlines = 3L), collapse = " "),
      stringsAsFactors = FALSE)
  }
  do.call(rbind, rows)
}

# Signatures of bugs the fuzzing once found (now fixed, each with its own test
# below), so that a regression is named in the summary; it still fails.
fuzz_known_bug <- function(res) {
  unclassed <- res$outcome == "other_error" & res$class %in% "std::runtime_error" &
    grepl("no mixture could be fitted|full-data fit failed", res$message)
  overflow <- res$outcome == "invalid" & res$target == "gmm_select" &
    res$message %in% c("non-finite covariances", "means")
  fake_control <- res$outcome == "other_error" & res$fake_control
  ifelse(unclassed, "unclassed", ifelse(overflow, "overflow", ifelse(fake_control, "fake_control", "")))
}

fuzz_results <- NULL

fuzz_summary <- function(res) {
  known <- fuzz_known_bug(res)
  tally <- table(factor(res$outcome, c("valid", "invalid", "gmmmi_error", "other_error")))
  sprintf(paste("fuzz: %d inputs, %d classed errors, %d valid results, %d invalid results,",
                "%d other errors; known bugs: %d unclassed, %d overflow, %d fake control; %.1f s"),
          nrow(res), tally[["gmmmi_error"]], tally[["valid"]], tally[["invalid"]],
          tally[["other_error"]], sum(known == "unclassed"), sum(known == "overflow"),
          sum(known == "fake_control"), sum(res$seconds))
}

test_that("1000 random malformed inputs end in a classed error or a valid result", {
  skip_on_cran()
  res <- fuzz_run(1000, seed = 20240607)
  fuzz_results <<- res
  if (nzchar(Sys.getenv("GMMMI_FUZZ_REPORT"))) {
    cat("\n", fuzz_summary(res), "\n", sep = "")
    print(table(res$target, res$outcome))
    utils::write.csv(res, Sys.getenv("GMMMI_FUZZ_REPORT"), row.names = FALSE)
  }
  expect_equal(nrow(res), 1000)
  # Both kinds of outcome are exercised, not only the argument checks.
  expect_gt(sum(res$outcome == "valid"), 150)
  expect_gt(sum(res$outcome == "gmmmi_error"), 150)
  bad <- res[res$outcome %in% c("invalid", "other_error"), ]
  expect(nrow(bad) == 0,
         paste0(nrow(bad), " calls gave an invalid result or an unclassed error, e.g.:\n",
                paste(utils::head(paste0(bad$call, "\n  -> ", bad$outcome, ": ", bad$class, " ",
                                         bad$message), 3), collapse = "\n")))
})

# Bugs the fuzzing found (the main test recognises their signatures). Each
# test below reproduces one directly and asserts the correct behaviour.

test_that("fuzzed inputs never meet an unclassed C++ error", {
  set.seed(1)
  ctl <- gmm_mi_control(reg_covar = 0, tie_floor = FALSE, fixed_components = 3)
  expect_error(gmm_mi(factor(rep(c("a", "b"), 10)), 1e10 + rnorm(20), n_bootstrap = 1,
                      mc_samples = 16, control = ctl, n_threads = 1),
               class = "gmmmi_error")
  # mi_matrix() turns a pair whose fit fails into NA with a classed warning:
  # here no fold can fit a column that is constant on its training rows.
  set.seed(1)
  withCallingHandlers(
    expect_warning(m <- gmmmi::mi_matrix(data.frame(c1 = rnorm(12), c2 = c(rep(0, 11), 1)),
                                         n_bootstrap = 0, mc_samples = 64, n_threads = 1,
                                         control = gmm_mi_control(reg_covar = 0, tie_floor = FALSE)),
                   class = "gmmmi_warning_pair_failed"),
    gmmmi_warning_ties = function(w) invokeRestart("muffleWarning"))
  expect_true(is.na(m$estimate[1, 2]))
  # Five rows for two columns are refused outright (issue 17: d >= n / 5).
  expect_error(gmmmi::mi_matrix(data.frame(c1 = c(1, 0, -1, -2, 1), c2 = c(0, 0, 0, 1, 0)),
                                n_bootstrap = 0, mc_samples = 64, n_threads = 1,
                                control = gmm_mi_control(reg_covar = 0)),
               class = "gmmmi_error")
})

test_that("fuzzed inputs at huge scales never give a selection with infinite parameters", {
  set.seed(1)
  for (x in list(c(rexp(19)^8, .Machine$double.xmax), c(rnorm(39), .Machine$double.xmax),
                 rnorm(40) * 1e300)) {
    sel <- tryCatch(suppressWarnings(gmm_select(x, max_components = 2, n_threads = 1)),
                    gmmmi_error = function(e) NULL)
    if (!is.null(sel)) {
      expect_true(all(is.finite(sel$warm_start$means)))
      expect_true(all(is.finite(sel$warm_start$covariances)))
    }
  }
})

test_that("a hand-made control object is validated, not trusted", {
  set.seed(1)
  fake <- structure(list(), class = "gmm_mi_control")
  expect_error(gmm_mi(rnorm(40), rnorm(40), n_bootstrap = 2, mc_samples = 2, control = fake),
               class = "gmmmi_error")
  expect_error(gmmmi::mi_matrix(data.frame(a = rnorm(40), b = rnorm(40)), n_bootstrap = 2,
                                mc_samples = 2, control = fake, n_threads = 1),
               class = "gmmmi_error")
})

# To look for crashes (a crash ends the process, so run it in a child):
#   Rscript -e '.libPaths(c("/tmp/lib-hard", .libPaths())); library(testthat); library(gmmmi);
#     Sys.setenv(NOT_CRAN = "true", GMMMI_FUZZ_REPORT = "/tmp/fuzz.csv");
#     test_file("tests/testthat/test-fuzz.R")'; echo "exit status $?"
