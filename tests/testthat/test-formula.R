# The data-frame interface (R/formula.R): the formula method of gmm_mi(),
# na.action in gmm_mi() and mi_matrix(), and the names of the variables.

# The results of `a` and `b`, each run from set.seed(seed), agree; returns `a`'s.
same_fit <- function(a, b, seed) {
  set.seed(seed)
  ra <- quiet_short_fits(a)
  set.seed(seed)
  rb <- quiet_short_fits(b)
  expect_equal(ra$estimate, rb$estimate)
  expect_equal(ra$bootstrap, rb$bootstrap)
  expect_equal(ra$full_data, rb$full_data)
  ra
}

frame_data <- function(n = 200) {
  set.seed(701)
  d <- data.frame(a = rnorm(n), b = rnorm(n), z = rnorm(n))
  d$c <- d$a + d$z + rnorm(n)
  d$e <- d$b - d$a + rnorm(n)
  d$g <- factor(ifelse(d$a > 0, "hi", "lo"))
  d
}

run <- function(expr) quiet_short_fits(expr)

test_that("a formula gives the estimate of the same variables given by position", {
  d <- frame_data()
  mi <- function(...) gmm_mi(..., n_bootstrap = 3, mc_samples = 1000, n_threads = 1)
  f <- same_fit(gmm_mi(c ~ a, data = d, n_bootstrap = 3, mc_samples = 1000, n_threads = 1),
                mi(d$c, d$a), 1)
  expect_identical(f$variables, list(x = "c", y = "a"))
  expect_identical(f$call[[1]], as.name("gmm_mi"))
  expect_null(f$na_action)

  f <- same_fit(gmm_mi(cbind(c, e) ~ a + b, d, n_bootstrap = 3, mc_samples = 1000, n_threads = 1),
                mi(d[c("c", "e")], d[c("a", "b")]), 2)
  expect_identical(f$variables, list(x = c("c", "e"), y = c("a", "b")))

  f <- same_fit(gmm_mi(c ~ a | z, data = d, n_bootstrap = 3, mc_samples = 1000, n_threads = 1),
                mi(d$c, d$a, d$z), 3)
  expect_true(f$conditional)
  expect_identical(f$variables$z, "z")

  # A category, alone on its side; a transformed term; `.` for the rest.
  f <- same_fit(gmm_mi(g ~ c, data = d, n_bootstrap = 3, mc_samples = 1000, n_threads = 1),
                mi(d$g, d$c), 4)
  expect_identical(f$variables, list(x = "g", y = "c"))
  f <- run(gmm_mi(log(c + 10) ~ a, data = d, n_bootstrap = 0, mc_samples = 1000, n_threads = 1))
  expect_identical(f$variables$x, "log(c + 10)")
  f <- run(gmm_mi(c ~ ., data = d[c("a", "b", "c")], n_bootstrap = 0, mc_samples = 1000, n_threads = 1))
  expect_identical(f$variables$y, c("a", "b"))
  # Without data, the variables come from the formula's environment.
  cc <- d$c
  aa <- d$a
  same_fit(gmm_mi(cc ~ aa, n_bootstrap = 3, mc_samples = 1000, n_threads = 1), mi(d$c, d$a), 1)
})

test_that("na.action leaves out incomplete rows, says so, or refuses them", {
  aq <- airquality[, c("Ozone", "Solar.R", "Temp")]
  ok <- stats::complete.cases(aq)
  f <- same_fit(gmm_mi(Ozone ~ Temp + Solar.R, data = aq, n_bootstrap = 3, mc_samples = 1000, n_threads = 1),
                gmm_mi(aq$Ozone[ok], aq[ok, c("Temp", "Solar.R")], n_bootstrap = 3, mc_samples = 1000,
                       n_threads = 1), 5)
  expect_identical(f$n, sum(ok))
  expect_identical(length(f$na_action), sum(!ok))
  expect_s3_class(f$na_action, "omit")
  expect_identical(unname(unclass(f$na_action)), which(!ok))
  expect_output(print(f), sprintf("n = %d (%d rows with missing values left out)", sum(ok), sum(!ok)),
                fixed = TRUE)
  expect_output(print(summary(f)), "rows with missing values left out", fixed = TRUE)
  # The same by position, with the variables' names.
  Ozone <- aq$Ozone
  Temp <- aq$Temp
  p <- run(gmm_mi(Ozone, Temp, n_bootstrap = 0, mc_samples = 1000, n_threads = 1))
  expect_identical(p$n, sum(!is.na(Ozone)))
  expect_output(print(p), "Ozone vs Temp; ", fixed = TRUE)
  # na.exclude marks them as such; na.fail, given or as the option, refuses them.
  expect_s3_class(run(gmm_mi(Ozone, Temp, n_bootstrap = 0, mc_samples = 1000, n_threads = 1,
                             na.action = "na.exclude"))$na_action, "exclude")
  expect_input_error(gmm_mi(Ozone ~ Temp, data = aq, na.action = na.fail), "x")
  old <- options(na.action = "na.fail")
  cnd <- expect_input_error(gmm_mi(Temp, Ozone, n_bootstrap = 0), "y")
  options(old)
  expect_match(conditionMessage(cnd), "na.omit", fixed = TRUE)
  expect_input_error(gmm_mi(Ozone, Temp, na.action = "drop"), "na.action")
  # na.pass keeps them, for the checks to refuse.
  expect_input_error(gmm_mi(Ozone, Temp, na.action = na.pass), "x")
})

test_that("mi_matrix() leaves out the same incomplete rows for every pair", {
  aq <- airquality[, c("Ozone", "Solar.R", "Wind")]
  ok <- stats::complete.cases(aq)
  set.seed(6)
  m <- run(mi_matrix(aq, n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  set.seed(6)
  p <- run(mi_matrix(aq[ok, ], n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_equal(m$estimate, p$estimate)
  expect_identical(m$n, sum(ok))
  expect_identical(length(m$na_action), sum(!ok))
  expect_null(p$na_action)
  expect_output(print(m), sprintf("(%d rows with missing values left out)", sum(!ok)), fixed = TRUE)
  expect_input_error(mi_matrix(aq, n_bootstrap = 2, na.action = na.fail), "x")
})

test_that("variables are named after the expressions that give them", {
  d <- frame_data()
  res <- run(gmm_mi(d[, c("a", "b", "z")], d$c, n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_identical(res$variables, list(x = c("a", "b", "z"), y = "d$c"))
  expect_output(print(res), "(a, b, z) vs d$c;", fixed = TRUE)
  hi <- d$g
  res <- run(gmm_mi(d$c, hi, n_bootstrap = 2, mc_samples = 500, n_threads = 1))
  expect_identical(res$variables, list(x = "d$c", y = "hi"))
  both <- gmm_mi(hi, d$e > 0, n_bootstrap = 2)
  expect_identical(both$variables, list(x = "hi", y = "d$e > 0"))
  expect_identical(generics::tidy(both)[, c("x", "y")], data.frame(x = "hi", y = "d$e > 0"))
  # Long or literal expressions fall back to x, y and z.
  res <- run(gmm_mi(d$a + d$b + d$z + d$c + d$e + d$a * d$b + d$b * d$z + d$c * d$e, d$c,
                    n_bootstrap = 0, mc_samples = 500, n_threads = 1))
  expect_identical(res$variables$x, "x")
  expect_identical(gmmmi:::arg_label(quote(c(1, 2)), "y"), "c(1, 2)")
  expect_identical(gmmmi:::arg_label(1:3, "y"), "y")
})

test_that("a data frame of two columns, one a category, is split into x and y", {
  set.seed(7)
  res <- run(gmm_mi(iris[c("Sepal.Length", "Species")], n_bootstrap = 2, mc_samples = 500,
                    n_threads = 1))
  expect_identical(res$type, "categorical")
  expect_identical(res$variables, list(x = "Sepal.Length", y = "Species"))
})

test_that("misuse gets errors that say what to do", {
  cnd <- expect_input_error(gmm_mi(airquality, "Ozone", "Temp"), "y")
  expect_match(conditionMessage(cnd), "gmm_mi(Ozone ~ Temp, data = airquality)", fixed = TRUE)
  cnd <- expect_input_error(gmm_mi(iris), "x")
  expect_match(conditionMessage(cnd), "mi_matrix(iris)", fixed = TRUE)
  d <- frame_data()
  expect_input_error(gmm_mi(d$a, d$c, bootstraps = 3), "bootstraps")
  cnd <- expect_input_error(gmm_mi(d$a, d$c, data = d), "data")
  expect_match(conditionMessage(cnd), "formula", fixed = TRUE)
  cnd <- expect_input_error(gmm_mi(a, c, data = d), "data")
  expect_match(conditionMessage(cnd), "formula", fixed = TRUE)
  expect_input_error(gmm_mi(~ a, data = d), "formula")
  expect_input_error(gmm_mi(a ~ g + b, data = d), "formula")
  expect_input_error(gmm_mi(a ~ nothing_here, data = d), "formula")
  expect_input_error(gmm_mi(a ~ b, data = 3), "data")
  expect_input_error(gmm_mi(a ~ b, data = d, 10), "data")
  expect_input_error(gmm_mi(a ~ b, data = d, n_boot = 10), "n_boot")
  expect_input_error(gmm_mi(a ~ b, data = d, n_bootstrap = -1), "n_bootstrap")
  expect_snapshot(error = TRUE, {
    gmm_mi(airquality, "Ozone", "Temp")
    gmm_mi(iris)
    gmm_mi(a ~ g + b, data = d)
    gmm_mi(Ozone ~ Temp, data = airquality, na.action = na.fail)
  })
})

test_that("a character vector of numbers is taken as labels, with a hint", {
  set.seed(8)
  n <- 120
  v <- sample(c(4, 6, 8), n, replace = TRUE)
  y <- v + rnorm(n)
  cyl <- as.character(v)
  w <- expect_warning(run(gmm_mi(cyl, y, n_bootstrap = 2, mc_samples = 500, n_threads = 1)),
                      class = "gmmmi_warning_numeric_labels")
  expect_match(conditionMessage(w), "as.numeric()", fixed = TRUE)
  expect_no_warning(run(gmm_mi(factor(cyl), y, n_bootstrap = 2, mc_samples = 500, n_threads = 1)))
  expect_no_warning(run(gmm_mi(paste0("c", cyl), y, n_bootstrap = 2, mc_samples = 500, n_threads = 1)))
  # mi_matrix() says it once, for the column.
  ws <- character(0)
  withCallingHandlers(
    run(mi_matrix(data.frame(cyl, y, z = rnorm(n)), n_bootstrap = 2, mc_samples = 500, n_threads = 1)),
    gmmmi_warning_numeric_labels = function(w) {
      ws <<- c(ws, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  expect_length(ws, 1)
  expect_match(ws, "cyl", fixed = TRUE)
})
