# The validation experiments of Piras et al. (2023), full size, with gmmmi.
#
# What is run (vignette "method", section 10; the vignettes show these
# results beside a smaller live run):
#   validation  (paper Figs. 1 and 3) one dataset of N = 200 per point:
#               bivariate Gaussian for 20 values of rho in [-0.99, 0.99];
#               gamma-exponential and ordered Weinman for
#               alpha = 10^seq(-1, 2, length = 20) (the estimators see
#               (log x, log y)). gmm_mi()'s estimate and bootstrap se, and KSG
#               (FNN::mutinfo) with k = 1 and k = 3, beside the closed form.
#   bias        (paper Fig. 2) the rho = 0.6 Gaussian (true MI 0.22314 nat)
#               with y replaced by y, y + 0.1 y^2, y + 0.5 y^3 and log(y + 5),
#               at N = 200, 2000 and 20000, over many independent datasets
#               (500 per cell in the paper). The four transforms of a dataset
#               share the same (x, y) draw. Per dataset: the estimate, its
#               bootstrap se, the number of components and KSG with k = 1.
#               Per cell: bias, spread (sd of the estimates across datasets),
#               mean bootstrap se, their ratio, and the KSG bias and spread,
#               printed beside the paper's numbers (vignette "method",
#               section 10).
#   choosing_k  (paper Fig. 7) the paper's three-component mixture "D3"
#               (true MI 0.13238 nat), N = 5000: held-out log-likelihood,
#               AIC and BIC for K = 1..15, then gmm_mi()'s bootstrap MI values
#               beside KSG (k = 3) on the same bootstrap resamples.
#
# Settings of gmm_mi() as in the paper (vignette "method", section 10):
# n_bootstrap = 100, mc_samples = 1e5, tol = 1e-5, reg_covar = 1e-12,
# n_inits = 5, n_folds = 3.
# Every dataset and every fit has its own fixed seed, so any part of the run
# can be repeated exactly, and results do not depend on --threads.
#
# A dataset of the log(y + 5) and y + 0.1 y^2 transforms needs y > -5 (the
# map is invertible there); a draw with any y <= -5 (probability about
# 3e-7 per row) is replaced by the next seed's draw, for every transform.
#
# The bias part is the expensive one (at N = 20000 one cell costs ~1-20 s per
# dataset on one core). It runs dataset by dataset, every cell of a dataset
# index before the next index, writing its table after each index; with
# --time-limit it stops starting new indices after that many minutes, so the
# saved file always holds equal numbers of datasets per cell at each N. The
# number of datasets actually used is in the output (column `datasets`).
#
# Run from the repository root:
#   Rscript bench/paper.R [--quick] [--part P] [--datasets D]
#                         [--datasets-large L] [--time-limit MIN] [--threads T]
#   --quick            small run: 10 datasets per cell (3 at N = 20000),
#                      n_bootstrap = 20, mc_samples = 2e4; results to
#                      bench/results/*-quick.* instead of inst/extdata/
#   --part P           validation, bias, choosing_k or all (default all)
#   --datasets D       datasets per bias cell at N = 200 and 2000 (default 500)
#   --datasets-large L datasets per bias cell at N = 20000 (default D)
#   --time-limit MIN   stop starting new bias datasets after MIN minutes
#   --resume           keep the rows already in the bias file and run only the
#                      (cell, dataset) pairs it lacks; datasets are seeded by
#                      index, so a resumed run gives the rows a single run would
#   --first-dataset J  start the bias part at dataset index J (default 1), so
#                      that two processes can share the indices; stack their
#                      bias files and rerun with --resume to rebuild the summary
#   --threads T        threads for gmm_mi() (default 1)
#   --summarise        only print the tables of the saved results
# GMMMI_LIB, if set, is the library that gmmmi is loaded from.
#
# Output (small files read by the vignettes through system.file()):
#   inst/extdata/paper-validation.csv   one row per point of Figs. 1 and 3
#   inst/extdata/paper-bias.csv         one row per dataset and cell
#   inst/extdata/paper-bias-summary.csv one row per cell, with the paper's numbers
#   inst/extdata/paper-choosing-k.rds   selection table and bootstrap values

source(file.path("bench", "common.R"))
options(width = max(getOption("width"), 150))
if (!requireNamespace("FNN", quietly = TRUE)) stop("bench/paper.R needs the FNN package for KSG")

# ---- command line -------------------------------------------------------------
args <- commandArgs(trailingOnly = TRUE)
check_flags(args, c("--quick", "--part", "--datasets", "--datasets-large", "--time-limit",
                    "--threads", "--summarise", "--resume", "--first-dataset"))
quick <- "--quick" %in% args
summarise_only <- "--summarise" %in% args
resume <- "--resume" %in% args
first_dataset <- as.integer(if (is.null(v <- option_value(args, "--first-dataset"))) 1L else v)
if (is.na(first_dataset) || first_dataset < 1) stop("--first-dataset needs a positive whole number")
part <- if (is.null(v <- option_value(args, "--part"))) "all" else v
if (!part %in% c("all", "validation", "bias", "choosing_k")) stop("--part must be validation, bias, choosing_k or all")
datasets <- as.integer(if (is.null(v <- option_value(args, "--datasets"))) if (quick) 10L else 500L else v)
datasets_large <- as.integer(if (is.null(v <- option_value(args, "--datasets-large")))
  if (quick) min(3L, datasets) else datasets else v)
time_limit <- if (is.null(v <- option_value(args, "--time-limit"))) Inf else as.numeric(v)
threads <- as.integer(if (is.null(v <- option_value(args, "--threads"))) 1L else v)

n_bootstrap <- if (quick) 20L else 100L
mc_samples <- if (quick) 2e4 else 1e5
# The reference's rule (random-responsibility starts, plain EM) where this
# version of gmmmi offers other defaults; the shipped results were made with
# a version whose defaults were the reference's.
reference <- intersect(c("selection", "accelerate"), names(formals(gmm_mi_control)))
reference <- list(selection = "reference", accelerate = FALSE)[reference]
control <- do.call(gmm_mi_control, c(list(tol = 1e-5, reg_covar = 1e-12, n_inits = 5, n_folds = 3,
                                          init = "random_responsibilities"), reference))
out_dir <- if (quick) file.path("bench", "results") else file.path("inst", "extdata")
suffix <- if (quick) "-quick" else ""
out_file <- function(name, ext) file.path(out_dir, paste0("paper-", name, suffix, ".", ext))
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
started <- Sys.time()
minutes <- function() as.numeric(difftime(Sys.time(), started, units = "mins"))

# ---- distributions with known MI (nats), from bench/common.R ----------------
r_gaussian <- r_gaussian_pair
d3 <- c(d3_params, list(mi = mi_d3))
r_mixture <- function(n, p) r_gmm(n, p$weights, p$means, p$covariances)
transforms <- list("y" = function(y) y,
                   "y + 0.1 y^2" = function(y) y + 0.1 * y^2,
                   "y + 0.5 y^3" = function(y) y + 0.5 * y^3,
                   "log(y + 5)" = function(y) log(y + 5))

# The paper's Fig. 2 numbers (vignette "method", section 10): 500 datasets
# per cell.
paper_bias <- data.frame(
  transform = rep(c("y", "log(y + 5)", "y + 0.5 y^3", "y + 0.1 y^2"), each = 3),
  n = rep(c(200, 2000, 20000), 4),
  paper_bias = c(.0065, .0016, .0003, .0199, .0038, -.0003, .0383, .0067, .0007, .0157, .0050, .0011),
  paper_spread = c(.0447, .0144, .0041, .0528, .0149, .0047, .0593, .0148, .0043, .0522, .0148, .0045),
  paper_se = c(.0423, .0134, .0042, .0477, .0137, .0043, .0521, .0137, .0042, .0450, .0136, .0043),
  paper_ksg_bias = c(.0003, -.0015, .0003, -.0019, -.0013, .0002, -.0106, -.0026, 0, .0007, -.0015, .0002),
  paper_ksg_spread = c(.1009, .0342, .0114, .1018, .0343, .0114, .1054, .0339, .0114, .1008, .0341, .0115),
  stringsAsFactors = FALSE)

# ---- helpers ------------------------------------------------------------------
# One gmm_mi() call with the paper's settings; the "every fit stopped within
# two EM iterations" warning is expected on Gaussian data and muffled.
fit_mi <- function(d, seed, boot = n_bootstrap) {
  set.seed(seed)
  t0 <- proc.time()[["elapsed"]]
  r <- withCallingHandlers(
    gmm_mi(d[, 1], d[, 2], n_bootstrap = boot, mc_samples = mc_samples, control = control,
           n_threads = threads),
    gmmmi_warning_short_fits = function(w) invokeRestart("muffleWarning"))
  list(res = r, seconds = proc.time()[["elapsed"]] - t0)
}
ksg <- function(d, k) FNN::mutinfo(d[, 1], d[, 2], k = k)
write_csv <- function(df, path) utils::write.csv(df, path, row.names = FALSE)
round_df <- function(df, digits = 6) {
  num <- vapply(df, is.double, logical(1))
  df[num] <- lapply(df[num], signif, digits)
  df
}

# ---- validation (Figs. 1 and 3) -----------------------------------------------
run_validation <- function() {
  grid <- rbind(
    data.frame(family = "gaussian", param = seq(-0.99, 0.99, length.out = 20)),
    data.frame(family = "gamma_exp", param = 10^seq(-1, 2, length.out = 20)),
    data.frame(family = "weinman", param = 10^seq(-1, 2, length.out = 20)))
  n <- 200
  rows <- lapply(seq_len(nrow(grid)), function(i) {
    fam <- grid$family[i]
    a <- grid$param[i]
    set.seed(1000 + i)
    d <- switch(fam, gaussian = r_gaussian(n, a), gamma_exp = r_gamma_exp(n, a), weinman = r_weinman(n, a))
    truth <- switch(fam, gaussian = mi_gaussian(a), gamma_exp = mi_gamma_exp(a), weinman = mi_weinman(a))
    f <- fit_mi(d, 2000 + i)
    data.frame(family = fam, param = a, n = n, truth = truth, estimate = f$res$estimate,
               se = f$res$se, n_components = f$res$n_components, ksg1 = ksg(d, 1), ksg3 = ksg(d, 3),
               seconds = f$seconds)
  })
  out <- round_df(do.call(rbind, rows))
  out$n_bootstrap <- n_bootstrap
  write_csv(out, out_file("validation", "csv"))
  out
}

print_validation <- function(v) {
  cat("\n== Validation against known MI (Figs. 1 and 3), N = 200, one dataset per point ==\n")
  for (fam in unique(v$family)) {
    s <- v[v$family == fam, ]
    z <- (s$estimate - s$truth) / s$se
    cat(sprintf("%-10s truth within 2 se: %2d of %d; mean |error|: gmmmi %.3f, KSG k=1 %.3f, KSG k=3 %.3f nat\n",
                fam, sum(abs(z) <= 2), nrow(s), mean(abs(s$estimate - s$truth)),
                mean(abs(s$ksg1 - s$truth)), mean(abs(s$ksg3 - s$truth))))
  }
}

# ---- bias and calibration (Fig. 2) --------------------------------------------
# The base draw of dataset `index` at size n; see the header on y <= -5.
bias_data <- function(n, index) {
  seed <- 1e6 * match(n, c(200, 2000, 20000)) + index
  repeat {
    set.seed(seed)
    d <- r_gaussian(n, 0.6)
    if (all(d[, 2] > -5)) return(list(data = d, seed = seed))
    seed <- seed + 1e5
  }
}

run_bias <- function() {
  sizes <- c(200, 2000, 20000)
  rows <- list()
  done <- 0
  have <- character(0)
  if (resume && file.exists(out_file("bias", "csv"))) {
    old <- utils::read.csv(out_file("bias", "csv"), check.names = FALSE, stringsAsFactors = FALSE)
    if (any(old$n_bootstrap != n_bootstrap | old$mc_samples != mc_samples))
      stop("--resume: the saved bias rows were made with other n_bootstrap or mc_samples")
    rows[[1]] <- old[setdiff(names(old), c("n_bootstrap", "mc_samples"))]
    have <- paste(old$transform, old$n, old$dataset)
    cat(sprintf("resuming: %d saved rows kept\n", nrow(old)))
  }
  for (index in seq(first_dataset, length.out = max(0, max(datasets, datasets_large) - first_dataset + 1))) {
    if (minutes() > time_limit) {
      cat(sprintf("time limit reached after %.1f min: %d dataset indices done\n", minutes(), done))
      break
    }
    for (n in sizes) {
      if (index > (if (n == 20000) datasets_large else datasets)) next
      todo <- names(transforms)[!paste(names(transforms), n, index) %in% have]
      if (!length(todo)) next
      base <- bias_data(n, index)
      for (tr in todo) {
        d <- base$data
        d[, 2] <- transforms[[tr]](d[, 2])
        f <- fit_mi(d, base$seed + 7919 * match(tr, names(transforms)))
        rows[[length(rows) + 1]] <- data.frame(
          transform = tr, n = n, dataset = index, estimate = f$res$estimate, se = f$res$se,
          n_components = f$res$n_components, n_failed = f$res$n_failed, ksg1 = ksg(d, 1),
          seconds = f$seconds, stringsAsFactors = FALSE)
      }
    }
    done <- index
    raw <- round_df(do.call(rbind, rows))
    raw$n_bootstrap <- n_bootstrap
    raw$mc_samples <- mc_samples
    write_csv(raw, out_file("bias", "csv"))
    write_csv(summarise_bias(raw), out_file("bias-summary", "csv"))
    cat(sprintf("[%6.1f min] dataset %d done\n", minutes(), index))
  }
  raw
}

summarise_bias <- function(raw) {
  truth <- mi_gaussian(0.6)
  cells <- unique(raw[, c("transform", "n")])
  out <- do.call(rbind, lapply(seq_len(nrow(cells)), function(i) {
    s <- raw[raw$transform == cells$transform[i] & raw$n == cells$n[i], ]
    data.frame(transform = cells$transform[i], n = cells$n[i], datasets = nrow(s),
               bias = mean(s$estimate) - truth, spread = stats::sd(s$estimate),
               mean_se = mean(s$se), se_ratio = mean(s$se) / stats::sd(s$estimate),
               z_sd = stats::sd((s$estimate - truth) / s$se),
               mean_components = mean(s$n_components),
               ksg_bias = mean(s$ksg1) - truth, ksg_spread = stats::sd(s$ksg1),
               seconds = mean(s$seconds), stringsAsFactors = FALSE)
  }))
  out <- merge(out, paper_bias, by = c("transform", "n"), sort = FALSE)
  out <- out[order(match(out$transform, paper_bias$transform), out$n), ]
  rownames(out) <- NULL
  round_df(out, 4)
}

print_bias <- function(s) {
  cat(sprintf("\n== Bias and calibration (Fig. 2): rho = 0.6 Gaussian, true MI %.5f nat ==\n", mi_gaussian(0.6)))
  cat("ours: datasets actually used per cell in column 'sets'; paper: 500 per cell\n")
  f <- function(v, d = 4) formatC(v, digits = d, format = "f", flag = " ")
  tab <- data.frame(transform = s$transform, N = s$n, sets = s$datasets,
                    bias = f(s$bias), `paper bias` = f(s$paper_bias),
                    spread = f(s$spread), `paper spread` = f(s$paper_spread),
                    `mean se` = f(s$mean_se), `paper se` = f(s$paper_se),
                    `se/spread` = f(s$se_ratio, 2), `paper se/spread` = f(s$paper_se / s$paper_spread, 2),
                    `KSG bias` = f(s$ksg_bias), `paper KSG bias` = f(s$paper_ksg_bias),
                    `KSG spread` = f(s$ksg_spread), `paper KSG spread` = f(s$paper_ksg_spread),
                    check.names = FALSE)
  print(tab, row.names = FALSE)
}

# ---- choosing K (Fig. 7) ------------------------------------------------------
run_choosing_k <- function() {
  n <- if (quick) 2000 else 5000
  set.seed(7)
  d <- r_mixture(n, d3)
  set.seed(8)
  sel <- withCallingHandlers(
    do.call(gmm_select, c(list(d, max_components = 15, patience = 15, n_inits = 5, n_folds = 3,
                               tol = 1e-5, reg_covar = 1e-12, init = "random_responsibilities",
                               n_threads = threads), reference)),
    gmmmi_warning_max_components = function(w) invokeRestart("muffleWarning"))
  f <- fit_mi(d, 9)
  # KSG on bootstrap resamples; duplicated rows are at distance zero, so KSG is
  # also shown on resamples with the duplicates jittered by 1e-6 sd.
  set.seed(10)
  idx <- replicate(n_bootstrap, sample.int(n, n, replace = TRUE), simplify = FALSE)
  ksg_boot <- suppressWarnings(vapply(idx, function(i) ksg(d[i, ], 3), numeric(1)))
  sds <- apply(d, 2, stats::sd)
  ksg_jitter <- vapply(idx, function(i) {
    e <- d[i, ] + sweep(matrix(rnorm(2 * n), ncol = 2), 2, 1e-6 * sds, "*")
    ksg(e, 3)
  }, numeric(1))
  # KSG's spread over independent datasets, for comparison.
  ksg_fresh <- vapply(seq_len(n_bootstrap), function(b) ksg(r_mixture(n, d3), 3), numeric(1))
  out <- list(n = n, truth = d3$mi, table = sel$table, n_components = sel$n_components,
              gmm_bootstrap = f$res$bootstrap, gmm_estimate = f$res$estimate, gmm_se = f$res$se,
              gmm_components = f$res$n_components, ksg3 = ksg(d, 3), ksg3_bootstrap = ksg_boot,
              ksg3_bootstrap_jitter = ksg_jitter,
              ksg3_datasets = ksg_fresh, n_bootstrap = n_bootstrap,
              mc_samples = mc_samples, seconds = f$seconds)
  saveRDS(out, out_file("choosing-k", "rds"), version = 2)
  out
}

print_choosing_k <- function(k) {
  cat(sprintf("\n== Choosing K (Fig. 7): mixture D3, N = %d, true MI %.5f nat ==\n", k$n, k$truth))
  tab <- k$table[, c("k", "validation", "aic", "bic")]
  print(tab, row.names = FALSE, digits = 6)
  cat(sprintf("best K: validation %d, AIC %d, BIC %d; gmm_mi chose %d\n",
              tab$k[which.max(tab$validation)], tab$k[which.min(tab$aic)], tab$k[which.min(tab$bic)],
              k$gmm_components))
  cat(sprintf("gmmmi: %.4f +/- %.4f nat; KSG k=3: %.4f; on bootstrap resamples: %d of %d not finite (duplicated rows), jittered mean %.4f sd %.4f; over independent datasets mean %.4f sd %.4f\n",
              k$gmm_estimate, k$gmm_se, k$ksg3, sum(!is.finite(k$ksg3_bootstrap)), length(k$ksg3_bootstrap),
              mean(k$ksg3_bootstrap_jitter), stats::sd(k$ksg3_bootstrap_jitter),
              mean(k$ksg3_datasets), stats::sd(k$ksg3_datasets)))
}

# ---- run ----------------------------------------------------------------------
cat(sprintf("bench/paper.R: %s; n_bootstrap %d, mc_samples %g, %d thread(s); datasets per bias cell %d (N = 20000: %d)\n",
            if (quick) "quick" else "full size", n_bootstrap, mc_samples, threads, datasets, datasets_large))
if (summarise_only) {
  if (file.exists(f <- out_file("validation", "csv"))) print_validation(utils::read.csv(f))
  if (file.exists(f <- out_file("bias-summary", "csv"))) print_bias(utils::read.csv(f, check.names = FALSE))
  if (file.exists(f <- out_file("choosing-k", "rds"))) print_choosing_k(readRDS(f))
} else {
  if (part %in% c("all", "validation")) print_validation(run_validation())
  if (part %in% c("all", "choosing_k")) print_choosing_k(run_choosing_k())
  if (part %in% c("all", "bias")) print_bias(summarise_bias(run_bias()))
}
cat(sprintf("\ntotal %.1f min\n", minutes()))
