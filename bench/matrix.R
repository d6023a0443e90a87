# mi_matrix() at the size of real latent spaces (issue 16, item 3): the time
# per pair, and what it makes of 64 latents x 10 factors.
#
# What is measured
#   The elapsed time of each pair of a mi_matrix(latents, factors) with
#   mi_matrix()'s defaults (n_bootstrap = 50, mc_samples = 1e5, the default
#   gmm_mi_control(); a sequential future plan, so each pair uses --threads
#   threads) on N rows of simulated data:
#     - factors: categorical, 10 equiprobable classes each;
#     - latents: continuous; latent j carries factor j (the class index / 3
#       plus N(0, 1) noise) when there is a factor j, and is pure noise
#       otherwise.
#   Every pair is thus a 10-class factor against a continuous latent, the
#   pair of an interpretability study: one mixture per class, for the full
#   data and for each bootstrap refit. The projection for --target-latents x
#   --target-factors pairs (default 64 x 10) is the mean time per pair times
#   their number, for one machine like this one running the pairs one after
#   another (workers on other machines divide it by their number).
#   With --workers W, the whole L x F matrix is also timed under
#   future::plan(multisession, workers = W), one thread per pair (the
#   default under a parallel plan), and projected the same way from its time
#   per pair: on 2 cores, 2 one-thread workers keep both cores busier than
#   one pair on 2 threads.
#
# How
#   The data are drawn from seed 1601. Each pair is timed as the 1 x 1
#   mi_matrix() of that latent and factor (its work is exactly the pair's
#   work in the full matrix), after set.seed(1602). The table (one row per
#   pair, then the projection) is printed and written to
#   bench/results/matrix-<date>.csv.
#
# Run from the repository root:
#   Rscript bench/matrix.R [--latents L] [--factors F] [--n N] [--threads T]
#                          [--target-latents L] [--target-factors F]
#   --latents L   latents measured (default 2: one informative, one noise)
#   --factors F   factors measured (default 1)
#   --n N         rows (default 50000)
#   --threads T   threads per pair (default 2)
#   --workers W   also time the whole matrix on W local workers (default: not)
#   --target-latents, --target-factors  the matrix projected (default 64 x 10)
# GMMMI_LIB, if set, is the library that gmmmi is loaded from.

source(file.path("bench", "common.R"))
options(width = max(getOption("width"), 160), gmmmi.progress = FALSE)

# ---- command line -------------------------------------------------------------
args <- commandArgs(trailingOnly = TRUE)
check_flags(args, c("--latents", "--factors", "--n", "--threads", "--workers", "--target-latents",
                    "--target-factors"))
whole <- function(flag, default) {
  v <- option_value(args, flag)
  v <- if (is.null(v)) default else suppressWarnings(as.numeric(v))
  if (is.na(v) || v < 1 || v != round(v)) stop(flag, " must be a positive whole number", call. = FALSE)
  v
}
n_latents <- whole("--latents", 2)
n_factors <- whole("--factors", 1)
n <- whole("--n", 50000)
threads <- whole("--threads", 2)
workers <- if (is.null(option_value(args, "--workers"))) 0 else whole("--workers", 1)
target <- c(whole("--target-latents", 64), whole("--target-factors", 10))

# ---- data -----------------------------------------------------------------------
set.seed(1601)
factors <- as.data.frame(replicate(n_factors, sample(10, n, replace = TRUE), simplify = FALSE))
names(factors) <- sprintf("f%d", seq_len(n_factors))
latents <- as.data.frame(lapply(seq_len(n_latents), function(j) {
  signal <- if (j <= n_factors) factors[[j]] / 3 else 0
  signal + rnorm(n)
}))
names(latents) <- sprintf("z%d", seq_len(n_latents))
factors[] <- lapply(factors, function(f) factor(f, levels = 1:10))

# ---- timing ---------------------------------------------------------------------
rows <- list()
for (i in seq_len(n_factors)) {
  for (j in seq_len(n_latents)) {
    set.seed(1602)
    t <- system.time(m <- mi_matrix(latents[j], factors[i], n_threads = threads))
    rows[[length(rows) + 1]] <- data.frame(
      latent = names(latents)[j], factor = names(factors)[i], informative = j == i, n = n,
      n_bootstrap = m$n_bootstrap, mc_samples = m$mc_samples, threads = threads,
      estimate = m$estimate[1, 1], se = m$se[1, 1], seconds = unname(t["elapsed"]),
      cpu_seconds = unname(t["user.self"] + t["sys.self"]))
    print(rows[[length(rows)]], row.names = FALSE)
  }
}
res <- do.call(rbind, rows)
per_pair <- mean(res$seconds)
projection <- data.frame(latent = sprintf("%d latents", target[1]), factor = sprintf("%d factors", target[2]),
                         informative = NA, n = n, n_bootstrap = res$n_bootstrap[1],
                         mc_samples = res$mc_samples[1], threads = threads, estimate = NA, se = NA,
                         seconds = per_pair * prod(target), cpu_seconds = mean(res$cpu_seconds) * prod(target))
res <- rbind(res, projection)
if (workers > 0) {
  old_plan <- future::plan(future::multisession, workers = workers)
  set.seed(1602)
  t <- system.time(m <- mi_matrix(latents, factors))
  future::plan(old_plan)
  per_pair_w <- unname(t["elapsed"]) / length(m$estimate)
  res <- rbind(res, data.frame(
    latent = sprintf("%d latents (matrix)", n_latents), factor = sprintf("%d factors, %d workers", n_factors, workers),
    informative = NA, n = n, n_bootstrap = m$n_bootstrap, mc_samples = m$mc_samples, threads = 1,
    estimate = NA, se = NA, seconds = per_pair_w, cpu_seconds = NA))
  res <- rbind(res, transform(res[nrow(res), ], latent = sprintf("%d latents", target[1]),
                              factor = sprintf("%d factors, %d workers", target[2], workers),
                              seconds = per_pair_w * prod(target)))
}
cat("\n")
print(res, row.names = FALSE)
cat(sprintf("\nMean time per pair: %.1f s; projected for %d x %d pairs on one such machine: %.1f min\n",
            per_pair, target[1], target[2], per_pair * prod(target) / 60))
if (workers > 0) {
  cat(sprintf("On %d workers: %.1f s per pair in the matrix; projected: %.1f min\n",
              workers, per_pair_w, per_pair_w * prod(target) / 60))
}
dir.create(file.path("bench", "results"), showWarnings = FALSE)
out <- file.path("bench", "results", sprintf("matrix-%s.csv", Sys.Date()))
utils::write.csv(res, out, row.names = FALSE)
cat("Written to", out, "\n")
