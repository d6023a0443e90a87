# Quick start, step 1: installs gmmmi from this source tree with every package
# it needs (from CRAN, when missing), then runs a short demo.
# Run from the repository root: Rscript tools/install.R
source("tools/deps.R")
lib <- install_missing_deps(c("Imports", "LinkingTo"))
install_from_copy(lib)
demo("quickstart", package = "gmmmi", ask = FALSE, echo = FALSE, lib.loc = lib)
