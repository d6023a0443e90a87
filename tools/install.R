# Quick start, step 1: builds gmmmi from this source tree with R CMD build
# (which builds the vignettes, so that vignette("gmmmi") works) and installs
# the tarball, with every package it needs (from CRAN, when missing), then
# runs a short demo. Without pandoc, it installs without the vignettes and
# says so. Run from the repository root: Rscript tools/install.R
source("tools/deps.R")
lib <- install_missing_deps(c("Imports", "LinkingTo"), extra = c("knitr", "rmarkdown"))
install_built(lib)
demo("quickstart", package = "gmmmi", ask = FALSE, echo = FALSE, lib.loc = lib)
