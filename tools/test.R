# Quick start, step 2: runs the whole test suite against this source tree.
# Installs testthat and the optional comparison packages when missing, builds
# the package into a temporary library, and ends with a line
# "N passed, N failed, N skipped" (counted in expectations; a test that stops
# with an error counts as failed). Exits non-zero on any failure.
# Run from the repository root: Rscript tools/test.R
source("tools/deps.R")
install_missing_deps(c("Imports", "LinkingTo", "Suggests"))

tmp_lib <- tempfile("gmmmi-lib")
dir.create(tmp_lib)
install_from_copy(tmp_lib)
.libPaths(c(tmp_lib, .libPaths()))

Sys.setenv(NOT_CRAN = "true")
results <- testthat::test_dir("tests/testthat", package = "gmmmi", load_package = "installed",
                              reporter = testthat::SummaryReporter$new(show_praise = FALSE, omit_dots = FALSE),
                              stop_on_failure = FALSE, stop_on_warning = FALSE)
df <- as.data.frame(results)
n_failed <- sum(df$failed) + sum(df$error)
n_skipped <- sum(df$skipped)
n_passed <- sum(df$nb) - sum(df$failed) - n_skipped - sum(df$warning)
n_passed <- max(n_passed, 0)
cat(sprintf("\n%d passed, %d failed, %d skipped\n", n_passed, n_failed, n_skipped))
quit(status = if (n_failed > 0) 1 else 0)
