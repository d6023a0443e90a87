# Shared by tools/install.R and tools/test.R: installs, from CRAN, the packages
# that DESCRIPTION names in `fields` and that are missing, into the first
# writable library. Returns that library's path.
install_missing_deps <- function(fields) {
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
  deps <- trimws(sub("\\(.*", "", deps))
  base <- rownames(installed.packages(priority = "base"))
  needed <- unique(setdiff(deps[nzchar(deps)], base))
  missing <- needed[!vapply(needed, requireNamespace, logical(1), quietly = TRUE)]
  if (length(missing)) install.packages(missing, lib = lib, repos = repos)
  lib
}

# Installs gmmmi from a copy of this tree into `lib`, so that object files
# never land in the tree (nor stale ones from an earlier build get reused).
install_from_copy <- function(lib) {
  src <- tempfile("gmmmi-src")
  dir.create(src)
  files <- setdiff(list.files(".", all.files = TRUE, no.. = TRUE), c(".git", "bench", "tools"))
  file.copy(files, src, recursive = TRUE)
  unlink(file.path(src, "src", c("*.o", "*.so", "*.dll")))
  status <- system2(file.path(R.home("bin"), "R"),
                    c("CMD", "INSTALL", "--no-test-load", paste0("--library=", shQuote(lib)), shQuote(src)))
  if (status != 0) stop("R CMD INSTALL failed", call. = FALSE)
  invisible(lib)
}
