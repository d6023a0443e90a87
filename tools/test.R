# Quick start, step 2: runs the whole test suite against this source tree.
# Installs testthat and the optional comparison packages when missing, builds
# the package into a temporary library, and ends with a line
# "N passed, N failed, N skipped" (counted in expectations; a test that stops
# with an error counts as failed). Exits non-zero on any failure.
# Run from the repository root: Rscript tools/test.R
repos <- getOption("repos")
if (is.null(repos) || !nzchar(repos["CRAN"]) || repos["CRAN"] == "@CRAN@") {
  repos <- c(CRAN = "https://cloud.r-project.org")
}
lib <- .libPaths()[1]
if (file.access(lib, 2) != 0) {
  lib <- Sys.getenv("R_LIBS_USER")
  dir.create(lib, recursive = TRUE, showWarnings = FALSE)
  .libPaths(c(lib, .libPaths()))
}
# Every package named in DESCRIPTION's Imports, LinkingTo and Suggests.
deps <- read.dcf("DESCRIPTION", c("Imports", "LinkingTo", "Suggests"))
deps <- unlist(strsplit(deps[!is.na(deps)], ","))
deps <- trimws(sub("\\(.*", "", deps))
base <- rownames(installed.packages(priority = "base"))
needed <- unique(setdiff(deps[nzchar(deps)], base))
missing <- needed[!vapply(needed, requireNamespace, logical(1), quietly = TRUE)]
if (length(missing)) install.packages(missing, lib = lib, repos = repos)

# Build from a copy, so that object files never land in (or race over) the tree.
tmp_lib <- tempfile("gmmmi-lib")
src <- tempfile("gmmmi-src")
dir.create(tmp_lib)
dir.create(src)
files <- setdiff(list.files(".", all.files = TRUE, no.. = TRUE), c(".git", "bench", "tools"))
file.copy(files, src, recursive = TRUE)
unlink(file.path(src, "src", c("*.o", "*.so", "*.dll")))
status <- system2(file.path(R.home("bin"), "R"),
                  c("CMD", "INSTALL", "--no-test-load", paste0("--library=", shQuote(tmp_lib)), shQuote(src)))
if (status != 0) stop("R CMD INSTALL failed", call. = FALSE)
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
