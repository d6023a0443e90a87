# Accuracy past the reference (issue #7): gmm_mi() on distributions whose MI is
# known exactly, with the reference's selection rule, gmmmi's defaults and the
# Gaussian-copula margins side by side.
#
# Distributions (tests/testthat/helper-accuracy-truth.R, where each truth is
# derived; tests/testthat/test-truths.R checks each by numerical integration
# and Monte Carlo with the exact densities, without gmmmi):
#   flat_eps0.75, flat_eps0.1   X ~ U(0,1), Y = X + U(-eps, eps)
#   t_nu{1,2,3}_rho0.5, t_nu1_rho0   bivariate Student t (heavy tails)
#   gamma_exp_a1, weinman_a1    skewed, seen on the log scale (vignette
#                               "method", section 10)
#   gauss_pnorm_rho0.6          Gaussian rho = 0.6 through pnorm (uniform margins)
#   categorical_3               factor with p = (0.7, 0.2, 0.1), y | c ~ N(mu_c, 1)
#   vector_2x2                  2-column X and 2-column Y, jointly Gaussian
# and the calibration families of issue #14 (helper-calibration-truth.R; each
# at its own sizes unless --n is given): independence with 2, 5 and 10
# categories and of a Gaussian pair, vector Gaussian 5x5 and 25x25, vector
# Student t 3x3 and 5x5, small n (200, 500), rounded Gaussian data and a
# Poisson count as a number and as a factor.
# Settings (one gmm_mi() call each on the same dataset, with the same seed):
#   reference  gmm_mi(x, y, control = gmm_mi_control(selection = "reference"))
#   gmmmi      gmm_mi(x, y)                       (the package defaults:
#              marginal = "auto" chooses the coding of the margins)
#   none       gmm_mi(x, y, marginal = "none")    (the defaults with the data
#              as they are; the defaults before marginal = "auto")
#   copula     gmm_mi(x, y, marginal = "gaussian_copula")
#   floor15    the gmmmi rule with the reference's covariance floor,
#              gmm_mi_control(reg_covar = 1e-15)
#   patience1, patience3  the gmmmi rule with gmm_mi_control(patience = 1) or 3
#              (the search stops after 1 or 3 numbers of components without
#              improvement), whatever the installed default
#   uncorrected  the defaults without the bootstrap bias correction
#              (gmm_mi_control(bias_correction = "never")): the mean of the
#              bootstrap values, as before issue #14
#   reselect   gmm_mi(x, y, control = gmm_mi_control(reselect = TRUE)), slow (K
#              is chosen again in every bootstrap replicate): by default only
#              on a few continuous distributions at N <= 5000 (--reselect).
# Every run uses n_bootstrap = 50 and mc_samples = 1e5 (--quick: 20 and 2e4).
#
# Per (distribution, N, setting) the summary gives: runs (datasets that gave an
# estimate), n_failed (runs that stopped with an error), bias (mean estimate -
# truth), sd (of the estimates across datasets), mean_se (mean bootstrap se),
# sd_over_se, mean_abs_z (mean |estimate - truth| / se; about 0.80 when the
# se is calibrated and the bias small), mean_k (number of components of the
# full-data fit; for the categorical case the sum over categories), mean_time
# (seconds per gmm_mi() call), coverage (share of runs whose 95% interval,
# confint(), holds the truth), within_2se (share with |estimate - truth| <=
# 2 se), n_boot_failed (bootstrap fits that failed,
# summed), n_warned (runs that warned) and copula_share (runs whose fit was on
# Gaussian-copula margins; "auto" chooses per dataset). With reselect, a
# second table compares it with gmmmi on the same datasets: se ratio and time
# ratio.
#
# Seeds: the dataset of (distribution, N, index j) is drawn after
# set.seed(seed_data), and every setting's gmm_mi() call on it starts from
# set.seed(seed_data + 1): reruns give the same numbers, whatever --threads,
# and whatever subset of distributions, N or settings is run.
#
# The run goes dataset index by index (every cell of index j before j + 1),
# writing both CSV files after each index; --time-limit stops starting new
# indices, so the saved files hold equal numbers of datasets per cell.
#
# Run from the repository root:
#   Rscript bench/accuracy.R [--quick] [--datasets D] [--threads T]
#       [--n 1000,5000,20000] [--dists id,id] [--settings reference,gmmmi,none,copula]
#       [--reselect subset|none|all] [--time-limit MIN] [--first-dataset J]
#       [--out STEM] [--summarise FILE[,FILE...]] [--baseline SETTING]
#   --quick          N = 1000 and 5000, 3 datasets, n_bootstrap 20, mc_samples 2e4
#   --datasets D     datasets per cell (default 5; 3 with --quick)
#   --threads T      n_threads of gmm_mi() (default 2)
#   --n, --dists, --settings   subsets (ids as listed above; --dists also
#                    takes the groups "accuracy" (the default) and
#                    "calibration"); without --n each calibration family
#                    runs at its own sizes
#   --baseline S     the setting the others are paired against (default
#                    reference); with --summarise, runs of an older build
#                    can be relabelled, e.g. "previous", and compared
#   --reselect       reselect runs: "subset" (default; flat_eps0.75,
#                    t_nu3_rho0.5, gauss_pnorm_rho0.6 at N <= 5000), "none", "all"
#   --time-limit MIN stop starting new dataset indices after MIN minutes
#   --first-dataset J  start at dataset index J (to add indices J..D to an
#                    earlier run; same seeds as a run from 1)
#   --out STEM       write STEM.csv and STEM-runs.csv instead of the default
#   --summarise FILE only print the tables of saved *-runs.csv files (several,
#                    comma-separated, are combined; e.g. two parts of one run);
#                    with --out STEM, also write the combined STEM.csv and
#                    STEM-runs.csv
# GMMMI_LIB, if set, is the library that gmmmi is loaded from.
#
# Output: bench/results/accuracy-<date>.csv (summary, one row per cell) and
# bench/results/accuracy-<date>-runs.csv (one row per gmm_mi() call); with
# --quick, accuracy-<date>-quick.csv and accuracy-<date>-quick-runs.csv.

source(file.path("bench", "common.R"))  # GMMMI_LIB, option_value(), check_flags(), truths
options(width = max(getOption("width"), 160))

# ---- command line -------------------------------------------------------------
args <- commandArgs(trailingOnly = TRUE)
split_list <- function(v) trimws(strsplit(v, ",", fixed = TRUE)[[1]])
check_flags(args, c("--quick", "--datasets", "--threads", "--n", "--dists", "--settings",
                    "--reselect", "--time-limit", "--first-dataset", "--out", "--summarise",
                    "--baseline"))
quick <- "--quick" %in% args
datasets <- as.integer(if (is.null(v <- option_value(args, "--datasets"))) if (quick) 3L else 5L else v)
threads <- as.integer(if (is.null(v <- option_value(args, "--threads"))) 2L else v)
sizes_given <- !is.null(option_value(args, "--n"))
sizes <- if (sizes_given) as.integer(split_list(option_value(args, "--n"))) else
  if (quick) c(1000L, 5000L) else c(1000L, 5000L, 20000L)
baseline <- if (is.null(v <- option_value(args, "--baseline"))) "reference" else v
time_limit <- if (is.null(v <- option_value(args, "--time-limit"))) Inf else as.numeric(v)
reselect_mode <- if (is.null(v <- option_value(args, "--reselect"))) "subset" else v
if (!reselect_mode %in% c("subset", "none", "all")) stop("--reselect must be subset, none or all", call. = FALSE)
setting_names <- if (is.null(v <- option_value(args, "--settings"))) c("reference", "gmmmi", "none", "copula") else split_list(v)
# Every setting call_setting() knows, in the order the tables show them.
known_settings <- c("reference", "previous", "gmmmi", "uncorrected", "corrected", "none", "floor15", "patience1",
                    "patience3", "copula", "reselect", "reselect_uncorrected")
if (length(bad <- setdiff(setting_names, known_settings))) {
  stop("unknown setting(s): ", toString(bad), call. = FALSE)
}
summarise_file <- option_value(args, "--summarise")
first_dataset <- as.integer(if (is.null(v <- option_value(args, "--first-dataset"))) 1L else v)
out_stem <- option_value(args, "--out")
if (is.na(datasets) || datasets < 1 || is.na(first_dataset) || first_dataset < 1 || is.na(threads) || threads < 1 || anyNA(sizes)) {
  stop("--datasets, --threads and --n need positive whole numbers", call. = FALSE)
}
n_bootstrap <- if (quick) 20L else 50L
mc_samples <- if (quick) 2e4 else 1e5
reselect_subset <- c("flat_eps0.75", "t_nu3_rho0.5", "gauss_pnorm_rho0.6")
reselect_max_n <- 5000L

# ---- distributions with known MI ----------------------------------------------
# (helper-accuracy-truth.R, sourced by bench/common.R)

groups <- list(accuracy = names(acc_distributions()), calibration = names(cal_distributions()))
all_dists <- c(acc_distributions(), cal_distributions())
dist_ids <- if (is.null(v <- option_value(args, "--dists"))) "accuracy" else split_list(v)
dist_ids <- unique(unlist(lapply(dist_ids, function(id) if (id %in% names(groups)) groups[[id]] else id)))
if (length(bad <- setdiff(dist_ids, names(all_dists)))) {
  stop("unknown distribution(s): ", toString(bad), "; known: ", toString(names(all_dists)), call. = FALSE)
}

# ---- summaries ----------------------------------------------------------------
mean_or_na <- function(v) if (length(v) && any(!is.na(v))) mean(v, na.rm = TRUE) else NA_real_
sd_or_na <- function(v) if (sum(!is.na(v)) > 1) stats::sd(v, na.rm = TRUE) else NA_real_

summarise_runs <- function(raw) {
  key <- unique(raw[, c("dist", "n", "setting")])
  key <- key[order(match(key$dist, names(all_dists)), key$n, match(key$setting, known_settings)), ]
  rows <- lapply(seq_len(nrow(key)), function(i) {
    r <- raw[raw$dist == key$dist[i] & raw$n == key$n[i] & raw$setting == key$setting[i], ]
    ok <- r[r$ok, ]
    z <- (ok$estimate - ok$truth) / ok$se
    data.frame(dist = key$dist[i], n = key$n[i], setting = key$setting[i], truth = r$truth[1],
               runs = nrow(ok), n_failed = sum(!r$ok),
               bias = mean_or_na(ok$estimate - ok$truth), sd = sd_or_na(ok$estimate),
               rmse = sqrt(mean_or_na((ok$estimate - ok$truth)^2)),
               mean_se = mean_or_na(ok$se), sd_over_se = sd_or_na(ok$estimate) / mean_or_na(ok$se),
               mean_abs_z = mean_or_na(abs(z[is.finite(z)])),
               coverage = mean_or_na(ok$conf_low <= ok$truth & ok$truth <= ok$conf_high),
               within_2se = mean_or_na(abs(ok$estimate - ok$truth) <= 2 * ok$se),
               mean_k = mean_or_na(ok$k),
               copula_share = mean_or_na(ok$coding == "gaussian_copula"),
               mean_time = mean_or_na(r$seconds), n_boot_failed = sum(ok$n_boot_failed),
               n_warned = sum(r$n_warnings > 0), stringsAsFactors = FALSE)
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

# Runs `a` and `b` of one cell restricted to the datasets both have, in the
# same order.
pair_runs <- function(a, b) {
  j <- intersect(a$dataset, b$dataset)
  list(a = a[match(j, a$dataset), ], b = b[match(j, b$dataset), ], n = length(j))
}

# reselect beside gmmmi on the datasets where both gave an estimate.
compare_reselect <- function(raw) {
  rs <- raw[raw$setting == "reselect" & raw$ok, ]
  if (!nrow(rs)) return(NULL)
  cells <- unique(rs[, c("dist", "n")])
  rows <- lapply(seq_len(nrow(cells)), function(i) {
    pick <- function(s) raw[raw$setting == s & raw$ok & raw$dist == cells$dist[i] & raw$n == cells$n[i], ]
    p <- pair_runs(pick("gmmmi"), pick("reselect"))
    if (!p$n) return(NULL)
    a <- p$a
    b <- p$b
    data.frame(dist = cells$dist[i], n = cells$n[i], datasets = p$n,
               bias_gmmmi = mean(a$estimate - a$truth), bias_reselect = mean(b$estimate - b$truth),
               sd_gmmmi = sd_or_na(a$estimate), sd_reselect = sd_or_na(b$estimate),
               se_gmmmi = mean(a$se), se_reselect = mean(b$se), se_ratio = mean(b$se) / mean(a$se),
               abs_z_gmmmi = mean(abs(a$estimate - a$truth) / a$se),
               abs_z_reselect = mean(abs(b$estimate - b$truth) / b$se),
               k_gmmmi = mean(a$k), boot_k_reselect = mean(b$boot_k_mean),
               time_gmmmi = mean(a$seconds), time_reselect = mean(b$seconds),
               time_ratio = mean(b$seconds) / mean(a$seconds), stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

# Each setting against the baseline (by default the reference rule) on the
# same datasets: the mean difference of squared errors, (estimate - truth)^2
# - (baseline's)^2, over its standard error (a paired t; above 2: this
# setting is reliably less accurate than the baseline in this cell, below
# -2: reliably more).
compare_to_baseline <- function(raw) {
  ok <- raw[raw$ok, ]
  ref <- ok[ok$setting == baseline, ]
  if (!nrow(ref)) return(NULL)
  others <- setdiff(unique(ok$setting), c(baseline, "reselect"))
  cells <- unique(ref[, c("dist", "n")])
  for (s in others) {
    cells[[s]] <- vapply(seq_len(nrow(cells)), function(i) {
      p <- pair_runs(ref[ref$dist == cells$dist[i] & ref$n == cells$n[i], ],
                     ok[ok$setting == s & ok$dist == cells$dist[i] & ok$n == cells$n[i], ])
      if (p$n < 3) return(NA_real_)
      d <- (p$b$estimate - p$b$truth)^2 - (p$a$estimate - p$a$truth)^2
      if (all(d == 0)) return(0)
      mean(d) / (stats::sd(d) / sqrt(length(d)))
    }, numeric(1))
  }
  cells
}

# One quantity of every setting side by side: a row per (dist, n), a column
# per setting.
side_by_side <- function(summ, what) {
  cells <- unique(summ[, c("dist", "n", "truth")])
  for (s in unique(summ$setting)) {
    m <- summ[summ$setting == s, ]
    cells[[s]] <- m[[what]][match(paste(cells$dist, cells$n), paste(m$dist, m$n))]
  }
  cells
}

round_df <- function(df, digits = 4) {
  num <- vapply(df, is.double, logical(1))
  df[num] <- lapply(df[num], signif, digits)
  df
}

print_tables <- function(raw) {
  summ <- summarise_runs(raw)
  cat("\nPer cell (bias = mean estimate - truth; sd across datasets; mean_abs_z ~ 0.80 if calibrated):\n")
  print(round_df(summ), row.names = FALSE)
  labels <- c(bias = "bias (nat)", rmse = "root mean squared error (nat)", sd_over_se = "sd across datasets / mean se",
              mean_abs_z = "mean |z| (0.80 if calibrated)",
              coverage = "coverage of the 95% interval (confint)",
              within_2se = "share of runs within 2 se of the truth", mean_k = "mean K",
              copula_share = "share of runs fitted on Gaussian-copula margins",
              mean_time = "seconds per call")
  for (what in names(labels)) {
    cat(sprintf("\nSide by side: %s\n", labels[[what]]))
    print(round_df(side_by_side(summ, what), 3), row.names = FALSE)
  }
  paired <- compare_to_baseline(raw)
  if (!is.null(paired) && ncol(paired) > 2) {
    cat(sprintf("\nPaired against %s: t of the squared-error difference", baseline),
        "(> 2: reliably less accurate than the baseline; < -2: reliably more)\n")
    print(round_df(paired, 3), row.names = FALSE)
  }
  cmp <- compare_reselect(raw)
  if (!is.null(cmp)) {
    cat("\nreselect = TRUE beside gmmmi's defaults, same datasets:\n")
    print(round_df(cmp, 3), row.names = FALSE)
  }
  fails <- raw[!raw$ok, ]
  if (nrow(fails)) {
    cat("\nFailed runs:\n")
    print(fails[, c("dist", "n", "setting", "dataset", "error")], row.names = FALSE)
  }
  invisible(summ)
}

write_results <- function(raw, stem, settings = NULL) {
  dir.create(dirname(stem), showWarnings = FALSE, recursive = TRUE)
  utils::write.csv(raw, paste0(stem, "-runs.csv"), row.names = FALSE)
  summ <- summarise_runs(raw)
  for (nm in names(settings)) summ[[nm]] <- settings[[nm]]
  utils::write.csv(round_df(summ, 6), paste0(stem, ".csv"), row.names = FALSE)
}

if (!is.null(summarise_file)) {
  parts <- lapply(split_list(summarise_file), utils::read.csv, stringsAsFactors = FALSE)
  # Files written before a column existed get it as NA.
  cols <- unique(unlist(lapply(parts, names)))
  parts <- lapply(parts, function(p) { p[setdiff(cols, names(p))] <- NA; p[cols] })
  raw <- do.call(rbind, parts)
  print_tables(raw)
  if (!is.null(out_stem)) {
    # n_bootstrap, mc_samples and threads of the saved summaries, when all agree.
    old <- lapply(sub("-runs\\.csv$", ".csv", split_list(summarise_file)), function(f)
      if (file.exists(f)) utils::read.csv(f, stringsAsFactors = FALSE) else NULL)
    settings <- list()
    for (nm in c("n_bootstrap", "mc_samples", "threads")) {
      vals <- unique(unlist(lapply(old, function(o) o[[nm]])))
      if (length(vals) == 1) settings[[nm]] <- vals
    }
    write_results(raw, out_stem, settings)
    cat(sprintf("\nwrote %s.csv and %s-runs.csv\n", out_stem, out_stem))
    paired <- compare_to_baseline(raw)
    if (!is.null(paired) && ncol(paired) > 2) {
      utils::write.csv(round_df(paired, 4), paste0(out_stem, "-paired.csv"), row.names = FALSE)
      cat(sprintf("wrote %s-paired.csv (paired t against %s)\n", out_stem, baseline))
    }
  }
  quit(save = "no")
}

# ---- the package and its API --------------------------------------------------
suppressPackageStartupMessages(library(gmmmi))
# gmm_mi() became a generic (a formula method beside the default one).
mi_method <- if (exists("gmm_mi.default", envir = asNamespace("gmmmi"))) {
  get("gmm_mi.default", envir = asNamespace("gmmmi"))
} else gmm_mi
missing_api <- c(
  if (!"selection" %in% names(formals(gmm_mi_control))) "gmm_mi_control(selection = )",
  if (!"reselect" %in% names(formals(gmm_mi_control))) "gmm_mi_control(reselect = )",
  if (!"marginal" %in% names(formals(mi_method))) "gmm_mi(marginal = )")
if (length(missing_api)) {
  stop("bench/accuracy.R compares the settings of issue #7, but the gmmmi loaded from ",
       dirname(find.package("gmmmi")), " (version ", utils::packageVersion("gmmmi"), ") lacks ",
       paste(missing_api, collapse = ", "), ". Install a tree that has them ",
       "(bash tools/dev-install.sh LIB) and point GMMMI_LIB at LIB.", call. = FALSE)
}

# One gmm_mi() call per setting: the same data and sizes, and the arguments
# that make the setting. (reselect never sees a categorical x: runs_setting().)
call_setting <- function(setting, d) {
  extra <- switch(setting,
    reference = list(control = gmm_mi_control(selection = "reference")),
    gmmmi = list(),
    previous = list(),
    uncorrected = list(control = gmm_mi_control(bias_correction = "never")),
    corrected = list(control = gmm_mi_control(bias_correction = "always")),
    none = list(marginal = "none"),
    floor15 = list(control = gmm_mi_control(reg_covar = 1e-15)),
    patience1 = list(control = gmm_mi_control(patience = 1)),
    patience3 = list(control = gmm_mi_control(patience = 3)),
    copula = list(marginal = "gaussian_copula"),
    reselect = list(control = gmm_mi_control(reselect = TRUE)),
    reselect_uncorrected = list(control = gmm_mi_control(reselect = TRUE, bias_correction = "never")))
  run <- function(...) gmm_mi(d$x, d$y, n_bootstrap = n_bootstrap, mc_samples = mc_samples,
                              n_threads = threads, ...)
  do.call(run, extra)
}

runs_setting <- function(setting, id, n, d) {
  if (!startsWith(setting, "reselect")) return(TRUE)
  if (is.factor(d$x)) return(FALSE) # reselect is for continuous variables only
  switch(reselect_mode, none = FALSE, all = TRUE, subset = id %in% reselect_subset && n <= reselect_max_n)
}

# One run: errors are caught and recorded; the "every fit stopped within two EM
# iterations" warning (expected on Gaussian data) is muffled, other warnings
# are counted and their first message kept.
run_one <- function(setting, d, truth, seed) {
  warnings <- character()
  set.seed(seed)
  t0 <- proc.time()[["elapsed"]]
  res <- tryCatch(
    withCallingHandlers(call_setting(setting, d),
      gmmmi_warning_short_fits = function(w) invokeRestart("muffleWarning"),
      warning = function(w) {
        warnings <<- c(warnings, conditionMessage(w))
        invokeRestart("muffleWarning")
      }),
    error = function(e) e)
  seconds <- proc.time()[["elapsed"]] - t0
  base <- data.frame(truth = truth, ok = FALSE, estimate = NA_real_, se = NA_real_,
                     conf_low = NA_real_, conf_high = NA_real_, uncorrected = NA_real_,
                     full_data = NA_real_, k = NA_real_,
                     boot_k_mean = NA_real_, n_boot_failed = NA_integer_, coding = NA_character_,
                     seconds = seconds,
                     n_warnings = length(warnings),
                     warning = if (length(warnings)) gsub("\\s+", " ", warnings[1]) else "",
                     error = "", stringsAsFactors = FALSE)
  if (inherits(res, "error")) {
    base$error <- gsub("\\s+", " ", conditionMessage(res))
    return(base)
  }
  base$ok <- is.finite(res$estimate)
  base$estimate <- res$estimate
  base$se <- res$se
  # The mean of the bootstrap values and the full-data value (builds before
  # the bias correction report the former as the estimate).
  base$uncorrected <- if (is.null(res$estimate_uncorrected)) res$estimate else res$estimate_uncorrected
  base$full_data <- res$full_data
  if (sum(is.finite(res$bootstrap)) > 1) {
    ci <- stats::confint(res)
    base$conf_low <- ci[1]
    base$conf_high <- ci[2]
  }
  base$k <- sum(res$n_components)
  if (!is.null(res$bootstrap_k)) base$boot_k_mean <- mean_or_na(res$bootstrap_k)
  base$n_boot_failed <- res$n_failed
  if (!is.null(res$marginal)) base$coding <- res$marginal
  if (!base$ok) base$error <- "non-finite estimate"
  base
}

# Seeds that depend only on (distribution, N, dataset index).
data_seed <- function(id, n, j) {
  i <- match(id, names(all_dists))
  as.integer((i * 1000003 + n * 7 + j * 10007) %% 2000000000)
}

# ---- run ----------------------------------------------------------------------
out_dir <- file.path("bench", "results")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
stem <- if (!is.null(out_stem)) out_stem else
  file.path(out_dir, paste0("accuracy-", format(Sys.Date()), if (quick) "-quick" else ""))
dir.create(dirname(stem), showWarnings = FALSE, recursive = TRUE)
summary_file <- paste0(stem, ".csv")
runs_file <- paste0(stem, "-runs.csv")
settings_run <- unique(c(setting_names, if (reselect_mode != "none") "reselect"))

started <- Sys.time()
minutes <- function() as.numeric(difftime(Sys.time(), started, units = "mins"))
cat(sprintf("gmmmi %s from %s; %d dataset(s) per cell, N = %s, settings %s%s\n",
            utils::packageVersion("gmmmi"), dirname(find.package("gmmmi")), datasets,
            toString(sizes), toString(setting_names),
            if (reselect_mode != "none") sprintf(" + reselect (%s)", reselect_mode) else ""))
cat(sprintf("n_bootstrap = %d, mc_samples = %g, n_threads = %d\n", n_bootstrap, mc_samples, threads))

raw <- NULL
done <- 0L
for (j in seq.int(first_dataset, length.out = max(0L, datasets - first_dataset + 1L))) {
  if (minutes() > time_limit) {
    cat(sprintf("time limit reached after %.1f min: dataset indices up to %d done\n", minutes(), done))
    break
  }
  for (n in sort(unique(c(sizes, unlist(lapply(all_dists[dist_ids], function(d) d$sizes)))))) {
    for (id in dist_ids) {
      dist <- all_dists[[id]]
      if (!n %in% (if (sizes_given || is.null(dist$sizes)) sizes else dist$sizes)) next
      seed <- data_seed(id, n, j)
      set.seed(seed)
      d <- dist$generate(n)
      for (s in settings_run) {
        if (!runs_setting(s, id, n, d)) next
        r <- run_one(s, d, dist$truth, seed + 1L)
        raw <- rbind(raw, cbind(data.frame(dist = id, n = n, setting = s, dataset = j, seed = seed,
                                           stringsAsFactors = FALSE), r))
        cat(sprintf("[%6.1f min] j = %d  N = %5d  %-18s %-9s %s  (%.1f s)\n", minutes(), j, n, id, s,
                    if (r$ok) sprintf("MI = %.4f +- %.4f (truth %.4f), K = %g", r$estimate, r$se,
                                      r$truth, r$k)
                    else paste("FAILED:", substr(r$error, 1, 80)), r$seconds))
      }
    }
  }
  done <- j
  write_results(raw, stem, list(n_bootstrap = n_bootstrap, mc_samples = mc_samples, threads = threads))
  cat(sprintf("[%6.1f min] dataset index %d done; wrote %s\n", minutes(), j, summary_file))
}

if (!is.null(raw)) print_tables(raw)
cat(sprintf("\ntotal %.1f min; summary in %s, runs in %s\n", minutes(), summary_file, runs_file))
