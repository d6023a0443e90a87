# gmm_mi_control(): defaults, validation and printing.

test_that("the two selection rules set init, reg_covar, patience and raise_floor; user values win", {
  ctl <- gmm_mi_control()
  expect_identical(ctl$selection, "gmmmi")
  expect_identical(ctl$init, "mixed")
  expect_identical(ctl$reg_covar, 1e-6)
  expect_identical(ctl$patience, 3L)
  expect_identical(ctl$reselect, "auto")
  ref <- gmm_mi_control(selection = "reference")
  expect_false(ref$reselect)
  expect_identical(ref$init, "random_responsibilities")
  expect_identical(ref$reg_covar, 1e-15)
  expect_identical(ref$patience, 1L)
  expect_true(ctl$raise_floor)
  expect_false(ref$raise_floor)
  expect_identical(gmm_mi_control(selection = "reference", init = "kmeans")$init, "kmeans")
  expect_identical(gmm_mi_control(reg_covar = 1e-3)$reg_covar, 1e-3)
  expect_identical(gmm_mi_control(patience = 1)$patience, 1L)
  expect_identical(gmm_mi_control(selection = "reference", patience = 2)$patience, 2L)
  expect_false(gmm_mi_control(raise_floor = FALSE)$raise_floor)
  # Every other default is the reference's under both rules.
  ruled <- c("selection", intersect(names(gmmmi:::selection_defaults$gmmmi), names(ctl)))
  expect_identical(ctl[setdiff(names(ctl), ruled)], ref[setdiff(names(ref), ruled)])
  # A control made under one rule keeps its values when validated again.
  expect_identical(gmmmi:::check_control(ref, NULL), ref)
})

test_that("defaults are those of the reference implementation", {
  ctl <- gmm_mi_control(selection = "reference")
  expect_s3_class(ctl, "gmm_mi_control")
  expect_identical(ctl$init, "random_responsibilities")
  expect_identical(ctl$n_inits, 3L)
  expect_identical(ctl$n_folds, 2L)
  expect_identical(ctl$tol, 1e-5)
  expect_identical(ctl$reg_covar, 1e-15)
  expect_identical(ctl$max_iter, 10000L)
  expect_identical(ctl$max_components, 50L)
  expect_identical(ctl$criterion, "validation")
  expect_identical(ctl$threshold, 1e-5)
  expect_identical(ctl$patience, 1L)
  expect_null(ctl$fixed_components)
  expect_identical(ctl$min_iter, 0L)
  expect_identical(formals(gmmmi:::gmm_mi.default)$n_bootstrap, 50)
  expect_identical(formals(gmmmi:::gmm_mi.default)$mc_samples, 1e5)
})

test_that("gmm_select() and gmm_fit() take their defaults from gmm_mi_control()", {
  set.seed(93)
  x <- r_gaussian_pair(200, 0.5)
  # A setting gmm_select() is not given is gmm_mi_control()'s, under its rule.
  expect_identical(gmm_select(x, max_components = 6, n_threads = 1)$control,
                   gmm_mi_control(max_components = 6))
  expect_identical(gmm_select(x, max_components = 6, selection = "reference", n_threads = 1)$control,
                   gmm_mi_control(max_components = 6, selection = "reference"))
  expect_identical(gmm_select(x, 2, "bic", 3, 2, 1e-4, 2, 1, tol = 1e-4, n_threads = 1)$control,
                   gmm_mi_control(max_components = 2, criterion = "bic", n_folds = 3, n_inits = 2,
                                  threshold = 1e-4, patience = 2, fixed_components = 1, tol = 1e-4))
  # gmm_fit()'s starts are the default rule's, its EM settings the reference rule's.
  ctl <- gmm_mi_control()
  ref <- gmm_mi_control(selection = "reference")
  set.seed(94)
  a <- gmm_fit(x, k = 2)
  set.seed(94)
  b <- gmm_fit(x, k = 2, init = ctl$init, n_inits = ctl$n_inits, tol = ref$tol,
               reg_covar = ref$reg_covar, max_iter = ref$max_iter)
  expect_identical(a[c("weights", "means", "covariances", "loglik", "init")],
                   b[c("weights", "means", "covariances", "loglik", "init")])
  expect_identical(a$init, "mixed")
})

test_that("a hand-edited control list is validated as gmm_mi_control() validates it", {
  ctl <- gmm_mi_control(selection = "reference", n_folds = 3)
  expect_identical(gmmmi:::check_control(ctl, NULL), ctl)
  # A field whose default is NULL may be left out: it takes the default.
  bare <- structure(unclass(ctl)[setdiff(names(ctl), c("init", "patience", "raise_floor"))],
                    class = "gmm_mi_control")
  expect_identical(gmmmi:::check_control(bare, NULL), ctl)
  expect_input_error(gmmmi:::check_control(structure(unclass(ctl)[-2], class = "gmm_mi_control"),
                                           quote(f())), "control")
  bad <- ctl
  bad$tol <- -1
  expect_input_error(gmmmi:::check_control(bad, quote(f())), "tol")
})

test_that("valid settings are stored with the right types", {
  ctl <- gmm_mi_control(init = "kmeans", n_inits = 5, n_folds = 3, tol = 1e-6, reg_covar = 1e-6,
                        max_iter = 200, max_components = 10, criterion = "bic", threshold = 1e-3,
                        patience = 2, fixed_components = 4, init_scale = 0.5, min_iter = 3)
  expect_identical(ctl$init, "kmeans")
  expect_identical(ctl$n_inits, 5L)
  expect_identical(ctl$n_folds, 3L)
  expect_identical(ctl$tol, 1e-6)
  expect_identical(ctl$reg_covar, 1e-6)
  expect_identical(ctl$max_iter, 200L)
  expect_identical(ctl$max_components, 10L)
  expect_identical(ctl$criterion, "bic")
  expect_identical(ctl$threshold, 1e-3)
  expect_identical(ctl$patience, 2L)
  expect_identical(ctl$fixed_components, 4L)
  expect_identical(ctl$init_scale, 0.5)
  expect_identical(ctl$min_iter, 3L)
  for (init in c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                 "randomized_kmeans", "random", "minmax")) {
    expect_identical(gmm_mi_control(init = init)$init, init)
  }
  expect_identical(gmm_mi_control(tol = 0)$tol, 0)
  expect_identical(gmm_mi_control(reg_covar = 0)$reg_covar, 0)
})

test_that("invalid settings give input errors that name the argument", {
  expect_input_error(gmm_mi_control(n_folds = 1), "n_folds")
  expect_input_error(gmm_mi_control(n_folds = 2.5), "n_folds")
  expect_input_error(gmm_mi_control(tol = -1), "tol")
  expect_input_error(gmm_mi_control(tol = NA), "tol")
  expect_input_error(gmm_mi_control(tol = "a"), "tol")
  expect_input_error(gmm_mi_control(tol = c(1e-5, 1e-4)), "tol")
  expect_input_error(gmm_mi_control(tol = Inf), "tol")
  expect_input_error(gmm_mi_control(criterion = "foo"), "criterion")
  expect_input_error(gmm_mi_control(criterion = c("aic", "bic")), "criterion")
  expect_input_error(gmm_mi_control(criterion = NA_character_), "criterion")
  expect_input_error(gmm_mi_control(init = "foo"), "init")
  expect_input_error(gmm_mi_control(init = 1), "init")
  expect_input_error(gmm_mi_control(patience = 0), "patience")
  expect_input_error(gmm_mi_control(fixed_components = 0), "fixed_components")
  expect_input_error(gmm_mi_control(fixed_components = 1.5), "fixed_components")
  expect_input_error(gmm_mi_control(n_inits = 0), "n_inits")
  expect_input_error(gmm_mi_control(reg_covar = -1e-6), "reg_covar")
  expect_input_error(gmm_mi_control(max_iter = 0), "max_iter")
  expect_input_error(gmm_mi_control(max_components = 0), "max_components")
  expect_input_error(gmm_mi_control(threshold = -1), "threshold")
  expect_input_error(gmm_mi_control(init_scale = 0), "init_scale")
  expect_input_error(gmm_mi_control(min_iter = -1), "min_iter")
})

test_that("error messages are stable", {
  expect_snapshot(gmm_mi_control(n_folds = 1), error = TRUE)
  expect_snapshot(gmm_mi_control(tol = -1), error = TRUE)
  expect_snapshot(gmm_mi_control(criterion = "foo"), error = TRUE)
  expect_snapshot(gmm_mi_control(init = "foo"), error = TRUE)
  expect_snapshot(gmm_mi_control(patience = 0), error = TRUE)
  expect_snapshot(gmm_mi_control(fixed_components = 0), error = TRUE)
})

test_that("print() lists every setting", {
  expect_snapshot(print(gmm_mi_control()))
  expect_snapshot(print(gmm_mi_control(fixed_components = 3, criterion = "aic")))
})

test_that("gmm_mi() uses the settings it is given", {
  set.seed(91)
  d <- r_gaussian_pair(300, 0.5)
  # Six rows are too few for three folds of at least two rows each.
  expect_input_error(gmm_mi(d[1:5, 1], d[1:5, 2], control = gmm_mi_control(n_folds = 3)), "x")
  set.seed(92)
  res <- quiet_short_fits(gmm_mi(d[, 1], d[, 2], n_bootstrap = 2, mc_samples = 1000, n_threads = 2,
                                 control = gmm_mi_control(criterion = "bic", n_inits = 2,
                                                          max_components = 5)))
  expect_identical(res$selection$criterion, "bic")
  expect_identical(res$selection$control$n_inits, 2L)
  expect_true(all(res$selection$table$best_init %in% 1:2))
  expect_lte(max(res$selection$table$k), 5)
})

test_that("the shortcuts for many rows and dimensions are the gmmmi rule's, off under the reference's", {
  ctl <- gmm_mi_control()
  expect_identical(ctl$select_rows, 1e5)
  expect_identical(ctl$bootstrap_rows, 1e5)
  expect_identical(ctl$k_margin, 0.25)
  expect_identical(ctl$mc_error_ratio, 0.1)
  ref <- gmm_mi_control(selection = "reference")
  expect_identical(ref$select_rows, Inf)
  expect_identical(ref$bootstrap_rows, Inf)
  expect_identical(ref$k_margin, Inf)
  expect_identical(gmm_mi_control(selection = "reference", select_rows = 5000)$select_rows, 5000)
  expect_identical(gmm_mi_control(bootstrap_rows = Inf)$bootstrap_rows, Inf)
  expect_identical(gmm_mi_control(k_margin = 1)$k_margin, 1)
  expect_input_error(gmm_mi_control(select_rows = 50), "select_rows")
  expect_input_error(gmm_mi_control(select_rows = 1000.5), "select_rows")
  expect_input_error(gmm_mi_control(bootstrap_rows = "many"), "bootstrap_rows")
  expect_input_error(gmm_mi_control(bootstrap_rows = NA), "bootstrap_rows")
  expect_input_error(gmm_mi_control(k_margin = 0), "k_margin")
  expect_input_error(gmm_mi_control(k_margin = -Inf), "k_margin")
  expect_input_error(gmm_mi_control(mc_error_ratio = -1), "mc_error_ratio")
})
