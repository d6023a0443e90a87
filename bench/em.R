# EM time per iteration: gmmmi::gmm_fit() against mclust's EM, single-threaded.
#
# What is measured
#   The cost of one EM iteration (one E-step with the log-likelihood and one
#   M-step, full covariances) on N = 1e5 points drawn from a known mixture,
#   for (d = 2, K = 5) and (d = 5, K = 3), at the true K, by
#     gmmmi:  gmm_fit(x, K, tol = 0, max_iter = ITER, n_threads = 1)
#     mclust: me(x, "VVV", z = z0, control = emControl(tol = c(0, 0), itmax = c(ITER, ...)))
#   tol = 0 makes both run ITER iterations. Each reports its count: gmmmi's
#   n_iter, mclust's attr(, "info")["iterations"] (negative when itmax stopped
#   it). mclust also stops when the log-likelihood repeats exactly, which the
#   overlapping test mixtures avoid; in any case the counts actually run are
#   used. z0 are random responsibilities (uniform, rows normalised), the kind
#   of start gmmmi uses by default.
#
# How
#   Every fit is timed at ITER = 20 and ITER = 120 in CPU time of the R
#   process (user + system). Both fits are single-threaded, and CPU time is
#   less disturbed than elapsed time by other work on a shared machine; the
#   ratio from elapsed time is printed too. The time per iteration is the
#   difference of the two times over the difference of the iteration counts,
#   which removes each package's one-off cost (argument checks, copying and
#   transposing the data, the start, returning results); that one-off cost is
#   printed as "setup" (noisy: it is a small difference of large times). Each
#   timing is repeated 3 times, the runs of the two packages interleaved so
#   that they share the machine's load, and the median is taken. The ratio
#   mclust / gmmmi is the speed-up; the target is >= 2.
#
# Run from the repository root:  Rscript bench/em.R
# GMMMI_LIB, if set, is the library that gmmmi is loaded from.
# mclust calls BLAS level-1/2 routines; with a multi-threaded BLAS (OpenBLAS,
# MKL) set OPENBLAS_NUM_THREADS=1 / MKL_NUM_THREADS=1 / OMP_NUM_THREADS=1 in the
# environment to keep it on one thread. The BLAS in use is printed below.

if (nzchar(Sys.getenv("GMMMI_LIB"))) .libPaths(c(Sys.getenv("GMMMI_LIB"), .libPaths()))
suppressPackageStartupMessages({
  library(gmmmi)
  library(mclust)
})
options(width = max(getOption("width"), 160))

N <- 1e5
ITER <- c(20L, 120L)
REPEATS <- 3L
SEED <- 20240611L

# A mixture with K components in d dimensions: random (seeded) means with
# spread mean_sd, random full covariances with correlations, unequal weights.
make_mixture <- function(d, K, mean_sd, seed) {
  set.seed(seed)
  weights <- seq(1, 2, length.out = K)
  weights <- weights / sum(weights)
  means <- matrix(rnorm(K * d, sd = mean_sd), K, d)
  covs <- lapply(seq_len(K), function(k) {
    A <- matrix(rnorm(d * d, sd = 0.5), d, d)
    crossprod(A) + diag(0.3, d)
  })
  list(weights = weights, means = means, covs = covs)
}

draw_mixture <- function(mix, n, seed) {
  set.seed(seed)
  d <- ncol(mix$means)
  comp <- sample.int(length(mix$weights), n, replace = TRUE, prob = mix$weights)
  x <- matrix(rnorm(n * d), n, d)
  for (k in seq_along(mix$weights)) {
    i <- which(comp == k)
    x[i, ] <- x[i, , drop = FALSE] %*% chol(mix$covs[[k]]) +
      matrix(mix$means[k, ], length(i), d, byrow = TRUE)
  }
  x
}

random_responsibilities <- function(n, K, seed) {
  set.seed(seed)
  z <- matrix(runif(n * K), n, K)
  z / rowSums(z)
}

# CPU time of this process (all its threads, user + system): both fits run on
# one thread, and unlike elapsed time it does not grow when other work takes
# the core away.
cpu_time <- function(t) t[["user.self"]] + t[["sys.self"]]

run_gmmmi <- function(x, K, iter) {
  set.seed(SEED)
  t <- system.time(
    fit <- withCallingHandlers(
      gmm_fit(x, K, tol = 0, max_iter = iter, n_threads = 1),
      gmmmi_warning_convergence = function(w) invokeRestart("muffleWarning")
    ),
    gcFirst = TRUE
  )
  list(time = cpu_time(t), elapsed = t[["elapsed"]], iter = fit$n_iter,
       loglik = fit$loglik / nrow(x))
}

run_mclust <- function(x, z, iter) {
  ctl <- emControl(tol = c(0, 0), itmax = c(iter, .Machine$integer.max))
  t <- system.time(
    fit <- suppressWarnings(me(x, modelName = "VVV", z = z, control = ctl, warn = FALSE)),
    gcFirst = TRUE
  )
  list(time = cpu_time(t), elapsed = t[["elapsed"]],
       iter = abs(attr(fit, "info")[["iterations"]]), loglik = fit$loglik / nrow(x))
}

# The components overlap enough that EM is still moving after ITER[2]
# iterations: mclust clamps tol to >= 0 and stops as soon as the
# log-likelihood repeats exactly, which well separated components reach within
# a few dozen iterations (with these seeds mclust runs 300+ and 163
# iterations before it stops).
cases <- list(
  list(name = "d = 2, K = 5", d = 2L, K = 5L, mean_sd = 2),
  list(name = "d = 5, K = 3", d = 5L, K = 3L, mean_sd = 0.5)
)

cat("EM time per iteration, single-threaded, N =", format(N, scientific = TRUE), "\n")
cat(sprintf("gmmmi %s from %s; mclust %s; %s\n", packageVersion("gmmmi"),
            dirname(find.package("gmmmi")), packageVersion("mclust"), R.version.string))
cat("BLAS:", extSoftVersion()[["BLAS"]], "\n")
cat(sprintf("iterations %d and %d, median of %d repeats; %s\n\n", ITER[1], ITER[2], REPEATS,
            format(Sys.time(), "%Y-%m-%d %H:%M")))

rows <- list()
for (cs in cases) {
  mix <- make_mixture(cs$d, cs$K, cs$mean_sd, SEED + cs$d)
  x <- draw_mixture(mix, N, SEED + 1L)
  z0 <- random_responsibilities(N, cs$K, SEED + 2L)
  g <- m <- vector("list", length(ITER))
  for (r in seq_len(REPEATS)) {
    for (j in seq_along(ITER)) {
      g[[j]][[r]] <- run_gmmmi(x, cs$K, ITER[j])
      m[[j]][[r]] <- run_mclust(x, z0, ITER[j])
    }
  }
  # Median time and the (common) iteration count of each setting.
  summarise <- function(runs) {
    its <- vapply(runs, `[[`, numeric(1), "iter")
    if (length(unique(its)) != 1) stop("iteration counts differ between repeats: ", toString(its))
    c(time = median(vapply(runs, `[[`, numeric(1), "time")),
      elapsed = median(vapply(runs, `[[`, numeric(1), "elapsed")), iter = its[1],
      loglik = runs[[1]]$loglik)
  }
  gs <- lapply(g, summarise)
  ms <- lapply(m, summarise)
  per_iter <- function(s, what = "time") {
    (s[[2]][[what]] - s[[1]][[what]]) / (s[[2]][["iter"]] - s[[1]][["iter"]])
  }
  setup <- function(s, p) s[[1]][["time"]] - p * s[[1]][["iter"]]
  g_it <- per_iter(gs)
  m_it <- per_iter(ms)
  rows[[cs$name]] <- data.frame(
    case = cs$name,
    gmmmi_ms_iter = 1000 * g_it,
    mclust_ms_iter = 1000 * m_it,
    ratio = m_it / g_it,
    ratio_elapsed = per_iter(ms, "elapsed") / per_iter(gs, "elapsed"),
    gmmmi_setup_ms = 1000 * setup(gs, g_it),
    mclust_setup_ms = 1000 * setup(ms, m_it),
    iters = sprintf("%d/%d", as.integer(gs[[2]][["iter"]]), as.integer(ms[[2]][["iter"]])),
    gmmmi_loglik = gs[[2]][["loglik"]],
    mclust_loglik = ms[[2]][["loglik"]]
  )
}
tab <- do.call(rbind, rows)
rownames(tab) <- NULL

shown <- data.frame(
  case = tab$case,
  `gmmmi ms/iter` = format(round(tab$gmmmi_ms_iter, 2), nsmall = 2),
  `mclust ms/iter` = format(round(tab$mclust_ms_iter, 2), nsmall = 2),
  `ratio (mclust/gmmmi)` = format(round(tab$ratio, 2), nsmall = 2),
  `ratio, elapsed` = format(round(tab$ratio_elapsed, 2), nsmall = 2),
  `gmmmi setup ms` = format(round(tab$gmmmi_setup_ms, 1), nsmall = 1),
  `mclust setup ms` = format(round(tab$mclust_setup_ms, 1), nsmall = 1),
  `iters g/m` = tab$iters,
  `loglik/n g` = format(round(tab$gmmmi_loglik, 4), nsmall = 4),
  `loglik/n m` = format(round(tab$mclust_loglik, 4), nsmall = 4),
  check.names = FALSE
)
print(shown, row.names = FALSE, right = TRUE)
if (any(tab$iters != sprintf("%d/%d", ITER[2], ITER[2]))) {
  cat("\nNote: a fit stopped before", ITER[2], "iterations; the per-iteration times use the counts run.\n")
}
cat("\nTimes are CPU time (user + system) of this single-threaded process; 'ratio, elapsed' is the\n",
    "same ratio from wall-clock time, which suffers more from other load on the machine.\n", sep = "")
cat("'setup' is the one-off cost per fit (time at", ITER[1], "iterations minus",
    ITER[1], "x the per-iteration time);\n'loglik/n' is the mean log-likelihood after",
    ITER[2], "iterations (the starts differ, so the values may too).\n")
cat(sprintf("Target ratio >= 2: %s\n",
            paste(sprintf("%s %s", tab$case, ifelse(tab$ratio >= 2, "met", "NOT met")), collapse = "; ")))
