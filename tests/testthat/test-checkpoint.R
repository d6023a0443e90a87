# mi_matrix(checkpoint = ): pairs saved as they end, a stopped run resumed to
# the matrix an uninterrupted run gives, failing pairs kept apart, inputs
# checked; the same under a cluster of two local workers.

checkpoint_data <- function() {
  set.seed(1501)
  n <- 300
  x <- data.frame(a = rnorm(n), b = rnorm(n))
  y <- data.frame(c = x$a + rnorm(n), d = sample(c("p", "q"), n, replace = TRUE), e = x$b + rnorm(n))
  list(x = x, y = y)
}

# mi_matrix() on checkpoint_data() with small settings, from seed 11; the call
# is dropped, so that runs can be compared with identical().
small_matrix <- function(d, ..., seed = 11) {
  set.seed(seed)
  m <- quiet_short_fits(mi_matrix(d$x, d$y, n_bootstrap = 3, mc_samples = 1000, n_threads = 1, ...))
  m$call <- NULL
  m
}

# Runs `expr` with gmmmi's gmm_mi() replaced by `fun` (for the pairs run in
# this session, as under the sequential plan).
with_gmm_mi <- function(fun, expr) {
  ns <- asNamespace("gmmmi")
  orig <- get("gmm_mi", envir = ns)
  swap <- function(f) {
    unlockBinding("gmm_mi", ns)
    assign("gmm_mi", f, envir = ns)
    lockBinding("gmm_mi", ns)
  }
  swap(fun)
  on.exit(swap(orig))
  force(expr)
}

# The data, their matrix without a checkpoint, and a path for one.
plain_run <- function() {
  d <- checkpoint_data()
  list(d = d, plain = small_matrix(d), path = tempfile(fileext = ".rds"))
}

saved_pairs <- function(path) sum(vapply(readRDS(path)$results, gmmmi:::pair_done, logical(1)))

test_that("each pair draws the stream that future_lapply(future.seed = TRUE) would give it", {
  f <- function(i) runif(2)
  set.seed(3)
  a <- future.apply::future_lapply(1:5, f, future.seed = pair_seeds(5))
  after_a <- runif(1)
  set.seed(3)
  b <- future.apply::future_lapply(1:5, f, future.seed = TRUE)
  expect_identical(a, b)
  expect_identical(runif(1), after_a)
})

test_that("a checkpointed run equals a plain one, and resumes from any pairs saved", {
  run <- plain_run()
  d <- run$d
  plain <- run$plain
  path <- run$path
  on.exit(unlink(path), add = TRUE)
  saved <- small_matrix(d, checkpoint = path)
  expect_identical(saved, plain)
  expect_identical(saved_pairs(path), 6L)
  expect_identical(nrow(plain$failures), 0L)
  # Pairs lost from the file are estimated again, with their own streams
  # whatever the seed set before resuming.
  store <- readRDS(path)
  store$results[c(2, 5)] <- list(NULL)
  saveRDS(store, path)
  expect_identical(small_matrix(d, checkpoint = path, seed = 999), plain)
  expect_identical(saved_pairs(path), 6L)
  # A complete checkpoint is read back without estimating anything.
  expect_identical(with_gmm_mi(function(...) stop("not called"), small_matrix(d, checkpoint = path)), plain)
})

test_that("an interrupted run keeps the batches that ended, and resumes to the same matrix", {
  run <- plain_run()
  d <- run$d
  plain <- run$plain
  path <- run$path
  on.exit(unlink(path), add = TRUE)
  orig <- gmm_mi  # (before with_gmm_mi() replaces it)
  calls <- 0
  interrupting <- function(...) {
    calls <<- calls + 1
    if (calls == 6) stop(structure(list(message = "simulated interrupt", call = NULL),
                                   class = c("interrupt", "condition")))
    orig(...)
  }
  # Sequentially the pairs are saved four at a time: the sixth pair stops the
  # run in the second batch, after the first was saved.
  ended <- with_gmm_mi(interrupting, tryCatch(small_matrix(d, checkpoint = path),
                                              interrupt = function(i) "interrupted",
                                              error = function(e) "error"))
  expect_true(ended %in% c("interrupted", "error"))
  expect_identical(saved_pairs(path), 4L)
  expect_identical(small_matrix(d, checkpoint = path, seed = 5), plain)
})

test_that("a pair that fails is NA with its message, the others are kept, and a re-run retries it", {
  run <- plain_run()
  d <- run$d
  plain <- run$plain
  path <- run$path
  on.exit(unlink(path), add = TRUE)
  orig <- gmm_mi
  crashing <- function(x, y, ...) {
    if (is.character(y)) stop("simulated crash")
    orig(x, y, ...)
  }
  w <- expect_warning(m <- with_gmm_mi(crashing, small_matrix(d, checkpoint = path)),
                      class = "gmmmi_warning_pair_failed")
  expect_match(conditionMessage(w), "2 pairs could not be estimated")
  expect_match(conditionMessage(w), "a ~ d: simulated crash", fixed = TRUE)
  expect_identical(m$failures, data.frame(x = c("a", "b"), y = "d", message = "simulated crash",
                                          stringsAsFactors = FALSE))
  expect_true(all(is.na(m$estimate[, "d"])))
  expect_identical(m$estimate[, c("c", "e")], plain$estimate[, c("c", "e")])
  expect_identical(m$bootstrap[, c("c", "e"), ], plain$bootstrap[, c("c", "e"), ])
  expect_identical(saved_pairs(path), 4L)
  # Without the crash, the same call completes the matrix.
  expect_identical(small_matrix(d, checkpoint = path), plain)
})

test_that("a checkpoint of other inputs, or not a checkpoint, is refused naming the argument", {
  d <- checkpoint_data()
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path), add = TRUE)
  small_matrix(d, checkpoint = path)
  cnd <- expect_input_error(small_matrix(d, checkpoint = path, units = "bit"), "checkpoint")
  expect_match(conditionMessage(cnd), "Not the same: `units`")
  d2 <- d
  d2$x$a[1] <- 0
  cnd <- expect_input_error(small_matrix(d2, checkpoint = path), "checkpoint")
  expect_match(conditionMessage(cnd), "Not the same: `x`")
  # The threads do not change the results, so they may differ.
  expect_no_error(quiet_short_fits(mi_matrix(d$x, d$y, n_bootstrap = 3, mc_samples = 1000, n_threads = 2,
                                             checkpoint = path)))
  saveRDS(list(1), path)
  expect_input_error(small_matrix(d, checkpoint = path), "checkpoint")
  expect_input_error(small_matrix(d, checkpoint = tempdir()), "checkpoint")
  expect_input_error(small_matrix(d, checkpoint = file.path(tempfile(), "m.rds")), "checkpoint")
  expect_input_error(small_matrix(d, checkpoint = 1), "checkpoint")
})

test_that("a cluster of two local workers gives the sequential matrix, and resumes it", {
  skip_on_cran()
  skip_if_not_installed("future")
  d <- checkpoint_data()
  plain <- small_matrix(d)
  cl <- parallel::makePSOCKcluster(2)
  on.exit(parallel::stopCluster(cl), add = TRUE)
  # The workers load gmmmi from the libraries of this session. The function
  # sent must find the worker's own .libPaths() (sending base::.libPaths
  # would set a copy of its enclosure), and must not carry the test
  # environment, whose parent is gmmmi's namespace.
  set_libs <- function(libs) invisible(.libPaths(libs))
  environment(set_libs) <- globalenv()
  parallel::clusterCall(cl, set_libs, .libPaths())
  old <- future::plan(future::cluster, workers = cl)
  on.exit(future::plan(old), add = TRUE)
  expect_identical(small_matrix(d), plain)
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path), add = TRUE)
  expect_identical(small_matrix(d, checkpoint = path), plain)
  store <- readRDS(path)
  store$results[c(1, 4, 6)] <- list(NULL)
  saveRDS(store, path)
  expect_identical(small_matrix(d, checkpoint = path, seed = 2), plain)
})
