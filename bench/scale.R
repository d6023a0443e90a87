# How gmm_mi() scales with the number of rows and with the dimension.
#
# What is measured
#   The elapsed time and the peak memory of one gmm_mi(x, y) call with the
#   package defaults (gmm_mi_control(), 50 bootstrap fits, 1e5 Monte Carlo
#   draws, marginal = "auto", n_threads at its default), on data with known MI:
#     - rows: the gamma-exponential pair, alpha = 1.274, on the log scale
#       (r_gamma_exp() of the test helpers), N = 1e3, 1e4, 1e5, 3e5, 1e6;
#       I = digamma(alpha + 1) - log(alpha) = 0.34367 nat;
#     - dimension: p Gaussian coordinates per side, coordinate i of x
#       correlated 0.3 with coordinate i of y and independent of the rest,
#       n = 5000, p = 1, 2, 5, 10, 25 (2 to 50 joint columns);
#       I = -p/2 log(1 - 0.09).
#   Each case is timed with the library under test (GMMMI_LIB) and, beside
#   it, with a baseline library (GMMMI_BASE_LIB, e.g. an install of the
#   current main), where set; --base-max-n leaves out the baseline's largest
#   row counts. The authors' Python package is not installable here: its
#   time for N = 1e4 of the same pair on this kind of machine, 63 s (the
#   `ref` of that case in bench/mi.R), is the reference line of the plot.
#
# How
#   Every case runs in a child Rscript under /usr/bin/time -v: the time is
#   that of the gmm_mi() call alone (system.time() in the child), the peak
#   memory the child's "Maximum resident set size", which includes R itself
#   (about 100 MB) and the data. The data and the fit draw from fixed seeds,
#   so that both libraries do the same work. One run per case (the machine
#   is shared: compare ratios within one run, not across runs).
#   The table is printed and written to bench/results/scale-<date>.csv (with
#   --quick, scale-<date>-quick.csv); the plot to bench/results/scale.png
#   (and, with --figure, to man/figures/scale.png, which the README shows).
#
# Run from the repository root:
#   GMMMI_LIB=/tmp/lib-new GMMMI_BASE_LIB=/tmp/lib-main Rscript bench/scale.R [flags]
#   --quick           N up to 1e5 and p up to 10
#   --base-max-n N    largest N timed with the baseline (default 1e6)
#   --figure          also write man/figures/scale.png
#   --replot CSV      only draw the plots again from a results file
#   --child ...       (internal) run one case and print its result

source(file.path("bench", "common.R"))

alpha <- 1.274

# ---- one case, in a child process -------------------------------------------------
case_data <- function(kind, value) {
  if (kind == "rows") {
    set.seed(1000 + round(log10(value) * 10))
    d <- r_gamma_exp(value, alpha)
    return(list(x = d[, 1], y = d[, 2], truth = mi_gamma_exp(alpha)))
  }
  p <- value
  set.seed(2000 + p)
  x <- matrix(stats::rnorm(5000 * p), ncol = p)
  y <- 0.3 * x + sqrt(1 - 0.09) * matrix(stats::rnorm(5000 * p), ncol = p)
  list(x = x, y = y, truth = -p / 2 * log(1 - 0.09))
}

run_child <- function(kind, value) {
  options(gmmmi.progress = FALSE)
  d <- case_data(kind, value)
  set.seed(7)
  t <- system.time(res <- gmm_mi(d$x, d$y))[["elapsed"]]
  cat(sprintf("SCALE_RESULT %.3f %d %.6f %.6f %.6f %.6f\n", t, res$n_components[1],
              res$estimate, res$se, res$mc_se, d$truth))
}

# ---- plot -------------------------------------------------------------------------
plot_scale <- function(tab, file) {
  grDevices::png(file, width = 1500, height = 500, res = 130)
  on.exit(grDevices::dev.off())
  graphics::par(mfrow = c(1, 3), mar = c(4.2, 4.2, 2.5, 1))
  col <- c(new = "#1b6ca8", base = "#b3b3b3")
  panel <- function(kind, x, y, xlab, ylab, main, ref = NULL) {
    d <- tab[tab$kind == kind, ]
    graphics::plot(d[[x]], d[[y]], log = "xy", type = "n", xlab = xlab, ylab = ylab, main = main,
                   ylim = range(c(d[[y]], ref), na.rm = TRUE))
    for (lib in intersect(c("base", "new"), unique(d$library))) {
      s <- d[d$library == lib, ]
      s <- s[order(s[[x]]), ]
      graphics::lines(s[[x]], s[[y]], type = "b", pch = 19, col = col[[lib]], lwd = 2)
    }
    if (!is.null(ref)) {
      graphics::abline(h = ref, lty = 2)
      graphics::points(1e4, ref, pch = 4, cex = 1.5, lwd = 2)
      graphics::text(1e4, ref, "reference (Python) at N = 1e4", pos = 3, cex = 0.8)
    }
    graphics::legend("bottomright", c("this build", "baseline")[c(TRUE, "base" %in% d$library)],
                     col = col[c("new", "base")][c(TRUE, "base" %in% d$library)], lwd = 2,
                     pch = 19, bty = "n")
  }
  panel("rows", "n", "time_s", "rows N (2 columns)", "time (s)", "time against N",
        ref = reference_s)
  panel("rows", "n", "peak_mb", "rows N (2 columns)", "peak memory (MB)", "memory against N")
  panel("dimension", "columns", "time_s", "joint columns (n = 5000)", "time (s)",
        "time against dimension")
}

reference_s <- 63  # the authors' package, N = 1e4 of this pair (bench/mi.R)

# Both plots of `tab`, with --figure the README's too.
write_plots <- function(tab, args) {
  plot_scale(tab, file.path("bench", "results", "scale.png"))
  if ("--figure" %in% args) {
    dir.create(file.path("man", "figures"), recursive = TRUE, showWarnings = FALSE)
    plot_scale(tab, file.path("man", "figures", "scale.png"))
  }
}

# ---- command line -------------------------------------------------------------------
args <- commandArgs(trailingOnly = TRUE)
if ("--child" %in% args) {
  i <- which(args == "--child")
  run_child(args[i + 1], as.numeric(args[i + 2]))
  quit(save = "no")
}
check_flags(args, c("--quick", "--base-max-n", "--figure", "--replot"))
if (!is.null(v <- option_value(args, "--replot"))) {
  write_plots(utils::read.csv(v), args)
  quit(save = "no")
}

quick <- "--quick" %in% args
base_max_n <- as.numeric(if (is.null(v <- option_value(args, "--base-max-n"))) 1e6 else v)
libs <- c(new = Sys.getenv("GMMMI_LIB"), base = Sys.getenv("GMMMI_BASE_LIB"))
libs <- libs[nzchar(libs)]
if (!"new" %in% names(libs)) stop("set GMMMI_LIB to the library under test")
if (!file.exists("/usr/bin/time")) stop("/usr/bin/time is needed for the peak memory")

cases <- rbind(
  data.frame(kind = "rows", value = if (quick) c(1e3, 1e4, 1e5) else c(1e3, 1e4, 1e5, 3e5, 1e6)),
  data.frame(kind = "dimension", value = if (quick) c(1, 2, 5, 10) else c(1, 2, 5, 10, 25))
)

# Runs one case with library `lib` in a child; its time, peak memory and result.
time_case <- function(kind, value, lib) {
  script <- file.path("bench", "scale.R")
  out <- suppressWarnings(system2(
    "/usr/bin/time", c("-v", file.path(R.home("bin"), "Rscript"), script, "--child", kind, value),
    stdout = TRUE, stderr = TRUE, env = paste0("GMMMI_LIB=", lib)))
  res <- grep("^SCALE_RESULT", out, value = TRUE)
  rss <- grep("Maximum resident set size", out, value = TRUE)
  if (length(res) != 1) {
    warning(sprintf("%s = %s failed:\n%s", kind, value, paste(utils::tail(out, 5), collapse = "\n")))
    return(NULL)
  }
  f <- as.numeric(strsplit(res, " ")[[1]][-1])
  data.frame(time_s = f[1], k = f[2], estimate = f[3], se = f[4], mc_se = f[5], truth = f[6],
             peak_mb = as.numeric(sub(".*: *", "", rss)) / 1024)
}

rows <- list()
for (i in seq_len(nrow(cases))) {
  for (lib in names(libs)) {
    cs <- cases[i, ]
    if (lib == "base" && cs$kind == "rows" && cs$value > base_max_n) next
    message(sprintf("%-9s %-6s %-4s ...", cs$kind, format(cs$value, scientific = FALSE), lib))
    r <- time_case(cs$kind, cs$value, libs[[lib]])
    if (!is.null(r)) rows[[length(rows) + 1]] <- cbind(cs, library = lib, r)
  }
}
tab <- do.call(rbind, rows)
tab$columns <- ifelse(tab$kind == "rows", 2, 2 * tab$value)
tab$n <- ifelse(tab$kind == "rows", tab$value, 5000)
tab$z <- (tab$estimate - tab$truth) / sqrt(tab$se^2 + tab$mc_se^2)

# ---- output -----------------------------------------------------------------------
shown <- data.frame(
  kind = tab$kind, N = format(tab$n, scientific = FALSE, big.mark = ","), cols = tab$columns,
  lib = tab$library, `time (s)` = sprintf("%.2f", tab$time_s),
  `peak (MB)` = sprintf("%.0f", tab$peak_mb), K = tab$k,
  `estimate +- se` = sprintf("%.4f +- %.4f", tab$estimate, tab$se),
  `mc se` = sprintf("%.1e", tab$mc_se), truth = sprintf("%.4f", tab$truth),
  z = sprintf("%+.1f", tab$z), check.names = FALSE)
print(shown, row.names = FALSE, right = TRUE)
if (all(c("new", "base") %in% tab$library)) {
  both <- merge(tab[tab$library == "new", ], tab[tab$library == "base", ],
                by = c("kind", "value"), suffixes = c("", "_base"))
  cat("\nspeed-up over the baseline (base time / new time, same run):\n")
  cat(sprintf("  %-9s %-8s %.1fx\n", both$kind, format(both$value, scientific = FALSE),
              both$time_s_base / both$time_s), sep = "")
}
rows_new <- tab[tab$kind == "rows" & tab$library == "new", ]
if (nrow(rows_new) > 1) {
  slope <- stats::coef(stats::lm(log(time_s) ~ log(value), rows_new[rows_new$value >= 1e5, ]))[2]
  cat(sprintf("\nnew: time ~ N^%.2f from N = 1e5 up; N = %s in %.1f s (reference, N = 1e4: %d s)\n",
              slope, format(max(rows_new$value), scientific = FALSE),
              rows_new$time_s[which.max(rows_new$value)], reference_s))
}

dir.create(file.path("bench", "results"), recursive = TRUE, showWarnings = FALSE)
out <- file.path("bench", "results", sprintf("scale-%s%s.csv", format(Sys.Date(), "%Y-%m-%d"),
                                             if (quick) "-quick" else ""))
tab$quick <- quick
tab$gmmmi_version <- as.character(packageVersion("gmmmi"))
tab$date <- format(Sys.time(), "%Y-%m-%d %H:%M:%S")
write.csv(tab, out, row.names = FALSE)
cat("written to", out, "\n")
write_plots(tab, args)
