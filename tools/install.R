# Quick start, step 1: installs gmmmi from this source tree with every package
# it needs (from CRAN, when missing), then runs a short demo.
# Run from the repository root: Rscript tools/install.R
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
if (!file.exists("DESCRIPTION") || read.dcf("DESCRIPTION", "Package")[1, 1] != "gmmmi") {
  stop("run this script from the root of the gmmmi source tree", call. = FALSE)
}
# Every package named in DESCRIPTION's Imports and LinkingTo.
deps <- read.dcf("DESCRIPTION", c("Imports", "LinkingTo"))
deps <- unlist(strsplit(deps[!is.na(deps)], ","))
deps <- trimws(sub("\\(.*", "", deps))
base <- rownames(installed.packages(priority = "base"))
needed <- unique(setdiff(deps[nzchar(deps)], base))
missing <- needed[!vapply(needed, requireNamespace, logical(1), quietly = TRUE)]
if (length(missing)) install.packages(missing, lib = lib, repos = repos)
install.packages(".", lib = lib, repos = NULL, type = "source")
demo("quickstart", package = "gmmmi", ask = FALSE, echo = FALSE, lib.loc = lib)
