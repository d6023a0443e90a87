# Shared by tools/install.R and tools/test.R: installs, from CRAN, the packages
# that DESCRIPTION names in `fields` (and those in `extra`) that are missing,
# into the first writable library. Returns that library's path.
install_missing_deps <- function(fields, extra = character(0)) {
  if (!file.exists("DESCRIPTION") || read.dcf("DESCRIPTION", "Package")[1, 1] != "gmmmi") {
    stop("run this script from the root of the gmmmi source tree", call. = FALSE)
  }
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
  deps <- read.dcf("DESCRIPTION", fields)
  deps <- unlist(strsplit(deps[!is.na(deps)], ","))
  deps <- c(trimws(sub("\\(.*", "", deps)), extra)
  base <- rownames(installed.packages(priority = "base"))
  needed <- unique(setdiff(deps[nzchar(deps)], base))
  missing <- needed[!vapply(needed, requireNamespace, logical(1), quietly = TRUE)]
  if (length(missing)) install.packages(missing, lib = lib, repos = repos)
  lib
}

# A copy of this tree, without what the package does not need, so that
# object files never land in the tree (nor stale ones from an earlier build
# get reused).
copy_tree <- function() {
  src <- tempfile("gmmmi-src")
  dir.create(src)
  files <- setdiff(list.files(".", all.files = TRUE, no.. = TRUE), c(".git", "bench", "tools"))
  file.copy(files, src, recursive = TRUE)
  unlink(file.path(src, "src", c("*.o", "*.so", "*.dll")))
  src
}

r_cmd <- function(...) {
  status <- system2(file.path(R.home("bin"), "R"), c("CMD", ...))
  if (status != 0) stop("R CMD ", ..1, " failed", call. = FALSE)
}

# Installs gmmmi from a copy of this tree into `lib` (without vignettes).
install_from_copy <- function(lib) {
  r_cmd("INSTALL", "--no-test-load", paste0("--library=", shQuote(lib)), shQuote(copy_tree()))
  invisible(lib)
}

# Builds a tarball from a copy of this tree with R CMD build, which builds the
# vignettes, and installs it into `lib`; without pandoc (which the vignettes
# need), installs the copy without them.
install_built <- function(lib) {
  if (!rmarkdown::pandoc_available()) {
    message("pandoc is not installed: gmmmi is installed without its vignettes.")
    return(install_from_copy(lib))
  }
  # The build loads gmmmi's dependencies from the same libraries as this session.
  Sys.setenv(R_LIBS = paste(.libPaths(), collapse = .Platform$path.sep))
  if (!nzchar(Sys.getenv("MAKEFLAGS"))) {
    Sys.setenv(MAKEFLAGS = paste0("-j", max(1, min(4, parallel::detectCores(), na.rm = TRUE))))
  }
  src <- copy_tree()
  out <- tempfile("gmmmi-build")
  dir.create(out)
  old <- setwd(out)
  on.exit(setwd(old), add = TRUE)
  r_cmd("build", "--no-manual", shQuote(src))
  tarball <- list.files(out, "^gmmmi_.*[.]tar[.]gz$", full.names = TRUE)
  r_cmd("INSTALL", "--no-test-load", paste0("--library=", shQuote(lib)), shQuote(tarball))
  invisible(lib)
}
