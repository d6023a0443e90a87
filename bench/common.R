# Shared by the bench scripts (run from the repository root): the library
# gmmmi is loaded from, command-line options, and the distributions with
# known MI, which are defined once, in the test helpers.

if (nzchar(Sys.getenv("GMMMI_LIB"))) .libPaths(c(Sys.getenv("GMMMI_LIB"), .libPaths()))
suppressPackageStartupMessages(library(gmmmi))

# The value of option `name` (given as `name value` or `name=value`), or NULL.
option_value <- function(args, name) {
  i <- which(args == name)
  if (length(i) > 0) {
    if (i[1] == length(args)) stop(name, " needs a value", call. = FALSE)
    return(args[i[1] + 1])
  }
  hit <- grep(paste0("^", name, "="), args, value = TRUE)
  if (length(hit) > 0) return(sub(paste0("^", name, "="), "", hit[1]))
  NULL
}

# Stops on any --flag not in `known`.
check_flags <- function(args, known) {
  flags <- grep("^--", args, value = TRUE)
  unknown <- setdiff(sub("=.*", "", flags), known)
  if (length(unknown) > 0) stop("unknown option(s): ", toString(unknown), call. = FALSE)
}

# mi_gaussian(), mi_gamma_exp(), mi_weinman(), mi_d3, r_gaussian_pair(),
# r_gamma_exp(), r_weinman(), r_d3(), ... (helper-truth.R takes some of its
# truths from helper-accuracy-truth.R, so that one comes first)
for (helper in c("helper-accuracy-truth.R", "helper-truth.R", "helper-calibration-truth.R")) {
  sys.source(file.path("tests", "testthat", helper), envir = environment())
}
