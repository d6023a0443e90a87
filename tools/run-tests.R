# Runs the installed gmmmi's tests from the current directory (a copy of
# tests/testthat) and prints "<label>: tests finished: N expectations, ...".
# Shared by tools/sanitize.sh and tools/valgrind.sh, which run it under their
# tools: R --vanilla --slave -f tools/run-tests.R --args LIB LABEL [FILTER]
args <- commandArgs(trailingOnly = TRUE)
.libPaths(c(args[1], .libPaths()))
label <- args[2]
filter <- if (length(args) >= 3 && nzchar(args[3])) args[3] else NULL
res <- testthat::test_dir(".", filter = filter, package = "gmmmi", load_package = "installed",
                          reporter = testthat::SummaryReporter$new(show_praise = FALSE),
                          stop_on_failure = FALSE, stop_on_warning = FALSE)
df <- as.data.frame(res)
cat(sprintf("\n%s: tests finished: %d expectations, %d failed, %d errors, %d skipped\n",
            label, sum(df$nb), sum(df$failed), sum(df$error), sum(df$skipped)))
