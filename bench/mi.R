# gmm_mi() end to end against the reference Python package (gmm_mi 0.8.2).
#
# What is measured
#   The elapsed time of one gmm_mi(x, y) call with the reference defaults
#   (n_bootstrap = 50, mc_samples = 1e5, gmm_mi_control(selection =
#   "reference"): 3 random-responsibility inits, 2 folds, tol 1e-5,
#   reg_covar 1e-15, component selection by held-out log-likelihood), i.e. the
#   selection of K, the full-data fit, 50 bootstrap refits and their Monte
#   Carlo integrals, on datasets with known MI:
#     - bivariate Gaussian, rho = 0.6, N = 200, 1e3, 1e4, 1e5;
#       I = -0.5 log(1 - rho^2);
#     - gamma-exponential: x ~ Gamma(shape alpha, scale 1), y | x ~ Exp(rate x),
#       the estimator sees (log x, log y); alpha = 0.1 and 1.274, N = 1e4 and
#       2000; I = digamma(alpha + 1) - log(alpha).
#   Beside each time is the reference package's time for the same case,
#   measured on this kind of machine on one core (the reference has no
#   parallelism), and the ratio reference / ours (the speed-up). The N = 2000
#   gamma-exponential cases are also timed on one thread. Acceptance: a
#   speed-up of at least 50 on both N = 2000 gamma-exponential cases with 2
#   threads.
#
# How
#   Each case draws its data from its own fixed seed and calls set.seed()
#   before every gmm_mi() call, so every repeat does the same work; the time
#   is the median of the repeats (3 by default). The results do not depend on
#   the number of threads, which the script checks on the one-thread rows.
#   The CPU time of all threads is printed too: on a shared machine, elapsed
#   time with 2 threads is only as good as the second core is free.
#   The table is printed and written to bench/results/mi-<date>.csv
#   (mi-<date>-quick.csv with --quick).
#
# Run from the repository root:
#   Rscript bench/mi.R [--quick] [--threads N] [--repeats R]
#   --quick      1 repeat; skips the N = 1e5 Gaussian and N = 1e4 gamma rows
#   --threads N  threads for the main rows (default 2)
#   --repeats R  repeats per row (default 3, or 1 with --quick)
#   --selection S  "reference" (default: gmm_mi_control(selection =
#                "reference"), the reference's own settings, so that the
#                times compare like with like) or "gmmmi" (the package
#                defaults, which may choose other numbers of components)
# GMMMI_LIB, if set, is the library that gmmmi is loaded from.

source(file.path("bench", "common.R"))
options(width = max(getOption("width"), 160))

# ---- command line -------------------------------------------------------------
args <- commandArgs(trailingOnly = TRUE)
check_flags(args, c("--quick", "--threads", "--repeats", "--selection"))
quick <- "--quick" %in% args
selection <- if (is.null(v <- option_value(args, "--selection"))) "reference" else v
stopifnot(selection %in% c("reference", "gmmmi"))
threads <- as.integer(if (is.null(v <- option_value(args, "--threads"))) 2L else v)
repeats <- as.integer(if (is.null(v <- option_value(args, "--repeats"))) if (quick) 1L else 3L else v)
if (is.na(threads) || threads < 1) stop("--threads must be a positive whole number")
if (is.na(repeats) || repeats < 1) stop("--repeats must be a positive whole number")

# ---- data sets ------------------------------------------------------------------
gaussian_data <- function(n, rho, seed) {
  set.seed(seed)
  x <- rnorm(n)
  y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
  cbind(x = x, y = y)
}

# Drawn on the log scale, which is what the estimator sees, so that x never
# has to be represented (for alpha = 0.1, x spans hundreds of orders of
# magnitude): Gamma(alpha) = Gamma(alpha + 1) * U^(1 / alpha) in
# distribution, and y = E / x with E ~ Exp(1).
gamma_exp_data <- function(n, alpha, seed) {
  set.seed(seed)
  log_x <- log(rgamma(n, shape = alpha + 1)) + log(runif(n)) / alpha
  log_y <- log(rexp(n)) - log_x
  cbind(log_x = log_x, log_y = log_y)
}

# case, data, truth, reference time (s) and the reference's K.
cases <- list(
  list(name = "Gaussian rho=0.6", n = 200, rho = 0.6, ref = 1.12, ref_k = 1),
  list(name = "Gaussian rho=0.6", n = 1e3, rho = 0.6, ref = 1.22, ref_k = 1),
  list(name = "Gaussian rho=0.6", n = 1e4, rho = 0.6, ref = 1.19, ref_k = 1),
  list(name = "Gaussian rho=0.6", n = 1e5, rho = 0.6, ref = 3.85, ref_k = 1, slow = TRUE),
  list(name = "gamma-exp alpha=0.1", n = 1e4, alpha = 0.1, ref = 118, ref_k = 12, slow = TRUE),
  list(name = "gamma-exp alpha=1.274", n = 1e4, alpha = 1.274, ref = 63, ref_k = 8, slow = TRUE),
  list(name = "gamma-exp alpha=0.1", n = 2000, alpha = 0.1, ref = 16.1, ref_k = 7, single = TRUE),
  list(name = "gamma-exp alpha=1.274", n = 2000, alpha = 1.274, ref = 12.2, ref_k = 5, single = TRUE)
)
for (i in seq_along(cases)) {
  cs <- cases[[i]]
  seed <- 1000L + i
  if (!is.null(cs$rho)) {
    cs$data <- gaussian_data(cs$n, cs$rho, seed)
    cs$truth <- -0.5 * log(1 - cs$rho^2)
  } else {
    cs$data <- gamma_exp_data(cs$n, cs$alpha, seed)
    cs$truth <- digamma(cs$alpha + 1) - log(cs$alpha)
  }
  stopifnot(all(is.finite(cs$data)))
  cs$fit_seed <- 2000L + i
  cases[[i]] <- cs
}
if (quick) cases <- Filter(function(cs) !isTRUE(cs$slow), cases)

# ---- timing ---------------------------------------------------------------------
# Median elapsed time over `repeats` calls, the last result and any warnings.
time_mi <- function(cs, n_threads) {
  times <- cpu <- numeric(repeats)
  warns <- character(0)
  for (r in seq_len(repeats)) {
    set.seed(cs$fit_seed)
    t <- system.time(
      res <- withCallingHandlers(
        gmm_mi(cs$data, n_bootstrap = 50, mc_samples = 1e5,
               control = gmm_mi_control(selection = selection),
               n_threads = n_threads),
        warning = function(w) {
          warns <<- c(warns, gsub("\\s*\n\\s*", " ", conditionMessage(w)))
          invokeRestart("muffleWarning")
        }
      ),
      gcFirst = TRUE
    )
    times[r] <- t[["elapsed"]]
    cpu[r] <- t[["user.self"]] + t[["sys.self"]]
  }
  list(time = median(times), times = times, cpu = median(cpu), res = res,
       warnings = unique(warns))
}

row_of <- function(cs, tm, n_threads) {
  data.frame(case = cs$name, n = cs$n, threads = n_threads, repeats = repeats,
             time_s = tm$time, time_min_s = min(tm$times), time_max_s = max(tm$times),
             cpu_s = tm$cpu, reference_per_cpu = cs$ref / tm$cpu,
             reference_s = cs$ref, speedup = cs$ref / tm$time,
             estimate = tm$res$estimate, se = tm$res$se, truth = cs$truth,
             z = (tm$res$estimate - cs$truth) / tm$res$se,
             k = tm$res$n_components, k_reference = cs$ref_k,
             n_failed = tm$res$n_failed, warnings = paste(tm$warnings, collapse = " | "),
             stringsAsFactors = FALSE)
}

version_line <- sprintf("gmmmi %s from %s; %s; %d cores; %s", packageVersion("gmmmi"),
                        dirname(find.package("gmmmi")), R.version.string,
                        parallel::detectCores(), format(Sys.time(), "%Y-%m-%d %H:%M"))
commit <- tryCatch(suppressWarnings(system("git describe --always --dirty", intern = TRUE,
                                           ignore.stderr = TRUE)), error = function(e) NA_character_)
if (length(commit) != 1) commit <- NA_character_
cat("gmm_mi() against the reference GMM-MI (Python, one core); n_bootstrap = 50, mc_samples = 1e5\n")
cat(version_line, if (!is.na(commit)) paste0("; repository at ", commit, " (the installed build may differ)"), "\n", sep = "")
cat(sprintf("%d thread%s, median of %d repeat%s%s\n\n", threads, if (threads == 1) "" else "s",
            repeats, if (repeats == 1) "" else "s", if (quick) " (--quick)" else ""))

rows <- list()
identical_across_threads <- list()
for (cs in cases) {
  message(sprintf("%-22s N = %-6s %d thread(s) ...", cs$name, format(cs$n, scientific = FALSE), threads))
  tm <- time_mi(cs, threads)
  rows[[length(rows) + 1]] <- row_of(cs, tm, threads)
  if (isTRUE(cs$single) && threads != 1) {
    message(sprintf("%-22s N = %-6s 1 thread ...", cs$name, format(cs$n, scientific = FALSE)))
    tm1 <- time_mi(cs, 1L)
    rows[[length(rows) + 1]] <- row_of(cs, tm1, 1L)
    identical_across_threads[[paste(cs$name, cs$n)]] <-
      identical(tm$res$bootstrap, tm1$res$bootstrap) && identical(tm$res$n_components, tm1$res$n_components)
  }
}
tab <- do.call(rbind, rows)

# ---- output ---------------------------------------------------------------------
fmt_time <- function(t) ifelse(t < 10, sprintf("%.3f", t), sprintf("%.1f", t))
shown <- data.frame(
  case = tab$case,
  N = format(tab$n, scientific = FALSE, big.mark = ","),
  thr = tab$threads,
  `ours (s)` = fmt_time(tab$time_s),
  `cpu (s)` = fmt_time(tab$cpu_s),
  `ref (s)` = fmt_time(tab$reference_s),
  `speed-up` = sprintf("%.1fx", tab$speedup),
  `ref/cpu` = sprintf("%.1fx", tab$reference_s / tab$cpu_s),
  `estimate +- se` = sprintf("%.4f +- %.4f", tab$estimate, tab$se),
  truth = sprintf("%.4f", tab$truth),
  z = sprintf("%+.1f", tab$z),
  K = tab$k,
  `K ref` = tab$k_reference,
  check.names = FALSE
)
print(format(shown, justify = "right"), row.names = FALSE, right = TRUE)
cat("\nours: elapsed, median of repeats; cpu: CPU time of all threads (median), so cpu / ours near the\n",
    "thread count means the threads ran in parallel; speed-up = reference / ours; ref/cpu = reference /\n",
    "cpu, the speed-up per core (the reference runs on one core), which other load disturbs less;\n",
    "z = (estimate - truth) / se; MI in nats\n", sep = "")
if (repeats > 1) {
  spread <- (tab$time_max_s - tab$time_min_s) / tab$time_s
  cat(sprintf("largest spread of the repeats: %.0f%% of the median (%s, N = %s, %d thread(s))\n",
              100 * max(spread), tab$case[which.max(spread)],
              format(tab$n[which.max(spread)], scientific = FALSE),
              tab$threads[which.max(spread)]))
}
if (length(identical_across_threads) > 0) {
  cat(sprintf("results identical on 1 and %d threads: %s\n", threads,
              paste(sprintf("%s: %s", names(identical_across_threads),
                            ifelse(unlist(identical_across_threads), "yes", "NO")), collapse = "; ")))
}
warned <- tab[nzchar(tab$warnings) | tab$n_failed > 0, ]
for (i in seq_len(nrow(warned))) {
  cat(sprintf("warning (%s, N = %s, %d thread(s)): %s%s\n", warned$case[i],
              format(warned$n[i], scientific = FALSE),
              warned$threads[i], warned$warnings[i],
              if (warned$n_failed[i] > 0) sprintf(" [%d failed bootstrap fits]", warned$n_failed[i]) else ""))
}
acc <- tab[grepl("^gamma", tab$case) & tab$n == 2000 & tab$threads == threads, ]
if (nrow(acc) > 0) {
  cat(sprintf("\nAcceptance (>= 50x on both N = 2000 gamma-exponential rows with 2 threads%s): %s\n",
              if (threads != 2) sprintf("; this run used %d", threads) else "",
              if (all(acc$speedup >= 50)) "met" else "NOT met"),
      paste(sprintf("  %s: %.1fx", acc$case, acc$speedup), collapse = "\n"), "\n", sep = "")
}

dir.create(file.path("bench", "results"), recursive = TRUE, showWarnings = FALSE)
# A --quick run has its own file, so that it never overwrites the day's full run.
out <- file.path("bench", "results", sprintf("mi-%s%s%s.csv", format(Sys.Date(), "%Y-%m-%d"),
                                             if (quick) "-quick" else "",
                                             if (selection == "gmmmi") "-gmmmi" else ""))
tab$quick <- quick
tab$selection <- selection
tab$gmmmi_version <- as.character(packageVersion("gmmmi"))
tab$commit <- commit
tab$date <- format(Sys.time(), "%Y-%m-%d %H:%M:%S")
write.csv(tab, out, row.names = FALSE)
cat("written to", out, "\n")
