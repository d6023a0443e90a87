# Argument checks shared by the exported functions. Every error is a cli
# error of class "gmmmi_error" that names the argument and the caller.

gmmmi_abort <- function(message, call, .envir = parent.frame()) {
  cli::cli_abort(message, class = c("gmmmi_error_input", "gmmmi_error"),
                 call = call, .envir = .envir)
}

# A numeric vector, matrix or data frame of numeric columns, as a double
# matrix with column names; rejects what cannot be fitted.
as_data_matrix <- function(x, arg, call) {
  if (is.null(x)) {
    gmmmi_abort("{.arg {arg}} must be a numeric vector, matrix or data frame, not {.code NULL}.", call)
  }
  if (is.data.frame(x)) {
    ok <- vapply(x, function(col) is.numeric(col) && is.null(dim(col)), logical(1))
    if (!all(ok)) {
      bad <- names(x)[!ok]
      gmmmi_abort(c("Every column of {.arg {arg}} must be numeric.",
                    "x" = "Not numeric: {.field {bad}}."), call)
    }
    nm <- names(x)
    cols <- lapply(seq_along(x), function(j) plain_numbers(x[[j]], arg, call))
    x <- if (ncol(x) == 0) matrix(numeric(0), nrow = nrow(x), ncol = 0) else
      matrix(unlist(cols, use.names = FALSE), nrow = nrow(x), ncol = ncol(x))
    colnames(x) <- nm
  } else if (is.numeric(x) && !is.list(x) && !is.null(oldClass(x))) {
    x <- plain_numbers(x, arg, call)
    if (!is.matrix(x)) x <- matrix(x, ncol = 1)
  } else if (is.list(x) || !is.numeric(x)) {
    gmmmi_abort("{.arg {arg}} must be a numeric vector, matrix or data frame, not {.obj_type_friendly {x}}.", call)
  } else if (is.array(x) && length(dim(x)) > 2) {
    gmmmi_abort("{.arg {arg}} must be a vector or a matrix, not an array of {length(dim(x))} dimensions.", call)
  } else if (!is.matrix(x)) {
    x <- matrix(as.numeric(x), ncol = 1)
  }
  storage.mode(x) <- "double"
  if (nrow(x) == 0 || ncol(x) == 0) {
    gmmmi_abort("{.arg {arg}} is empty: it has {nrow(x)} row{?s} and {ncol(x)} column{?s}.", call)
  }
  # (anyNA() and range() make no copy of a large x; the details only then.)
  if (anyNA(x) || !all(is.finite(range(x)))) {
    bad <- !is.finite(x)
    rows <- unique(which(bad, arr.ind = TRUE)[, 1])
    gmmmi_abort(c("{.arg {arg}} must contain only finite values.",
                  "x" = "Found {sum(bad)} NA, NaN or infinite value{?s}, in row{?s} {head(rows, 5)}{if (length(rows) > 5) ', ...' else ''}.",
                  "i" = "Remove incomplete rows first, e.g. with {.fn stats::complete.cases}."), call)
  }
  if (is.null(colnames(x))) colnames(x) <- default_names(arg, ncol(x))
  unnamed <- is.na(colnames(x)) | !nzchar(colnames(x))
  if (any(unnamed)) colnames(x)[unnamed] <- paste0(arg, seq_len(ncol(x)))[unnamed]
  x
}

# The values of a numeric vector or matrix of a class (integer64, difftime,
# units, ...) as plain doubles, by its as.double() method: a class whose
# storage is not its value (integer64 keeps 64-bit integers in the bits of
# doubles) must not be read as raw storage. A matrix keeps its shape and
# column names.
plain_numbers <- function(v, arg, call) {
  if (is.null(oldClass(v))) return(v)
  if (inherits(v, "integer64") && !requireNamespace("bit64", quietly = TRUE)) {
    gmmmi_abort(c("{.arg {arg}} holds {.cls integer64} values, which need the {.pkg bit64} package to be read.",
                  "i" = "Install {.pkg bit64}, or convert them with {.fn as.numeric} first."), call)
  }
  out <- tryCatch(as.double(v), error = function(e) NULL)
  if (!is.double(out) || length(out) != length(v)) {
    gmmmi_abort(c("{.arg {arg}} is of class {.cls {class(v)}}, whose values cannot be read as numbers.",
                  "i" = "Convert it with {.fn as.numeric} first."), call)
  }
  big <- inherits(v, "integer64") && any(abs(out) > 2^53, na.rm = TRUE)
  if (big) {
    cli::cli_warn("{.arg {arg}} has {.cls integer64} values beyond 2^53, which a double holds only approximately.",
                  class = c("gmmmi_warning_precision", "gmmmi_warning"))
  }
  if (is.matrix(v)) out <- matrix(out, nrow = nrow(v), dimnames = dimnames(v))
  out
}

# The call of the function that calls this_call(), as typed: the call that
# argument errors name. Assign it before passing it on: as a lazy argument it
# would be forced deep inside another function, and name that one.
this_call <- function() sys.call(-1)

# The arguments among `names` that the call whose frame is `frame` was given
# (those left out are missing there), as a named list of their values.
given_args <- function(names, frame) {
  given <- names[!vapply(names, function(a) eval(call("missing", as.name(a)), frame), logical(1))]
  mget(given, envir = frame)
}

# The defaults of the arguments `names` of `f`, evaluated where `f` is
# defined: a function that passes settings on reads them instead of
# restating them.
formal_defaults <- function(f, names) {
  lapply(as.list(formals(f))[names], eval, envir = environment(f))
}

default_names <- function(prefix, n) {
  if (n == 1) prefix else paste0(prefix, seq_len(n))
}

check_no_constant <- function(x, arg, call) {
  spread <- apply(x, 2, function(v) max(v) - min(v))
  if (any(spread == 0)) {
    bad <- colnames(x)[spread == 0]
    gmmmi_abort(c("Every column of {.arg {arg}} must vary.",
                  "x" = "Constant: {.field {bad}}."), call)
  }
  invisible(x)
}

is_whole <- function(x) {
  is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) && x == round(x)
}

check_whole <- function(x, arg, call, min = 1, max = .Machine$integer.max) {
  if (!is_whole(x) || x < min || x > max) {
    bound <- if (is.finite(max) && max < .Machine$integer.max) paste0("between ", min, " and ", max) else paste0("at least ", min)
    gmmmi_abort("{.arg {arg}} must be a whole number {bound}, not {.code {format_value(x)}}.", call)
  }
  as.integer(x)
}

check_real <- function(x, arg, call, min = -Inf, min_inclusive = TRUE, max = Inf,
                       finite = TRUE) {
  ok <- is.numeric(x) && length(x) == 1 && !is.na(x) && (is.finite(x) || !finite) &&
    (if (min_inclusive) x >= min else x > min) && x <= max
  if (!ok) {
    what <- if (min == 0 && !min_inclusive) "a positive number" else if (min == 0) "a non-negative number" else "a number"
    if (is.finite(max)) what <- paste(what, "at most", max)
    gmmmi_abort("{.arg {arg}} must be {what}, not {.code {format_value(x)}}.", call)
  }
  as.double(x)
}

# TRUE or FALSE; with `auto = TRUE`, also "auto".
check_flag <- function(x, arg, call, auto = FALSE) {
  if (auto && identical(x, "auto")) return(x)
  if (!is.logical(x) || length(x) != 1 || is.na(x)) {
    allowed <- if (auto) "{.code TRUE}, {.code FALSE} or {.val auto}" else "{.code TRUE} or {.code FALSE}"
    gmmmi_abort(paste0("{.arg {arg}} must be ", allowed, ", not {.code {format_value(x)}}."), call)
  }
  x
}


resolve_dims <- function(dims, names, arg, call) {
  d <- length(names)
  if (is.character(dims)) {
    idx <- match(dims, names)
    if (anyNA(idx)) gmmmi_abort("{.arg {arg}} names unknown column{?s} {.val {dims[is.na(idx)]}}.", call)
    dims <- idx
  }
  if (!is.numeric(dims) || length(dims) < 1 || anyNA(dims) || any(dims != round(dims)) ||
      any(dims < 1) || any(dims > d) || anyDuplicated(dims)) {
    gmmmi_abort("{.arg {arg}} must be distinct column positions between 1 and {d}, or column names.", call)
  }
  as.integer(dims)
}

format_value <- function(x) {
  if (is.null(x)) return("NULL")
  if (length(x) != 1) return(paste0("a vector of length ", length(x)))
  if (is.character(x)) return(encodeString(x, quote = '"'))
  if (is.numeric(x) || is.logical(x)) return(format(x))
  class(x)[1]
}

check_choice <- function(x, choices, arg, call) {
  if (!is.character(x) || length(x) < 1 || is.na(x[1])) {
    gmmmi_abort("{.arg {arg}} must be one of {.or {.val {choices}}}.", call)
  }
  if (length(x) > 1 && identical(x, choices)) return(choices[1])
  if (length(x) != 1 || !(x %in% choices)) {
    gmmmi_abort("{.arg {arg}} must be one of {.or {.val {choices}}}, not {.val {x[1]}}.", call)
  }
  x
}

# Threads: the option gmmmi.threads, else every core, at most 2 under
# R CMD check (which sets _R_CHECK_LIMIT_CORES_). More threads than cores
# only add stacks and contention (1000 of them fail under a memory limit),
# so a larger number is capped at the cores, with a message.
resolve_threads <- function(n_threads, call) {
  if (is.null(n_threads)) n_threads <- getOption("gmmmi.threads", default_threads())
  n <- check_whole(n_threads, "n_threads", call, min = 1, max = 1024)
  cores <- default_threads()
  if (n > cores) {
    cli::cli_inform("{.arg n_threads} = {n} is more than the {cores} core{?s} of this machine: using {cores}.",
                    class = c("gmmmi_message_threads", "gmmmi_message"))
    n <- cores
  }
  if (nzchar(Sys.getenv("_R_CHECK_LIMIT_CORES_")) && n > 2) n <- 2L
  n
}

default_threads <- function() {
  n <- parallel::detectCores(logical = TRUE)
  if (is.na(n) || n < 1) 1L else as.integer(n)
}

# A cli progress bar fed from the C++ monitor; NULL when show_progress() says
# no.
progress_callback <- function(label, envir) {
  if (!show_progress()) return(NULL)
  bar <- NULL
  function(done, total) {
    if (is.null(bar)) {
      bar <<- cli::cli_progress_bar(label, total = total, .envir = envir)
    }
    cli::cli_progress_update(id = bar, set = done, total = total, .envir = envir)
  }
}

# Progress bars: never while knitr renders a document (they would land in
# it); otherwise options(gmmmi.progress) when set, else only in interactive
# sessions.
show_progress <- function(interactive = base::interactive()) {
  if (isTRUE(getOption("knitr.in.progress"))) return(FALSE)
  isTRUE(getOption("gmmmi.progress", interactive))
}

pm_symbol <- function() {
  if (cli::is_utf8_output()) "\u00b1" else "+/-"
}

unit_divisor <- function(units) if (identical(units, "bit")) log(2) else 1

# Runs a call into the C++ core; its errors (a fit that cannot be made, a
# failure in the core) reach the user as classed cli errors of the caller,
# whose advice names where the caller's settings live: `settings` is the
# function that takes them (gmm_mi_control() for gmm_mi()), or NULL for the
# caller's own arguments (gmm_fit(), gmm_select()). Memory or threads that run
# out are errors of class "gmmmi_error_resources". Interrupts are not errors
# and pass through.
call_core <- function(expr, call, settings = "gmm_mi_control") {
  tryCatch(expr, error = function(e) {
    if (inherits(e, "gmmmi_error")) stop(e)
    msg <- conditionMessage(e)
    if (grepl("bad_alloc|cannot allocate|Resource temporarily unavailable", msg)) {
      cli::cli_abort(c("The computation ran out of memory or threads: {msg}.",
                       "i" = "Use fewer rows, components, folds, starts or threads."),
                     class = c("gmmmi_error_resources", "gmmmi_error"), call = call)
    }
    where <- if (is.null(settings)) "" else " in {.fn {settings}}"
    cli::cli_abort(c("The fit could not be made: {msg}.",
                     "i" = paste0("Try fewer components, a larger {.arg reg_covar}", where, ", or check the data.")),
                   class = c("gmmmi_error_fit", "gmmmi_error"), call = call)
  })
}

# The memory a call may use, in bytes: the option gmmmi.max_memory if set,
# else the least of what the system reports as available (Linux:
# MemAvailable, the address-space limit of this process less what it uses,
# the cgroup limit less its usage); Inf where nothing is known.
memory_budget <- function() {
  opt <- getOption("gmmmi.max_memory")
  if (!is.null(opt)) return(as.numeric(opt))
  read_number <- function(path, pattern) {
    lines <- tryCatch(suppressWarnings(readLines(path, warn = FALSE)), error = function(e) character(0))
    hit <- grep(pattern, lines, value = TRUE)
    if (!length(hit)) return(NA_real_)
    suppressWarnings(as.numeric(regmatches(hit[1], regexpr("[0-9]+", hit[1]))))
  }
  available <- 1024 * read_number("/proc/meminfo", "^MemAvailable:")
  limits <- tryCatch(readLines("/proc/self/limits", warn = FALSE), error = function(e) character(0))
  as_line <- grep("^Max address space", limits, value = TRUE)
  as_limit <- if (length(as_line)) suppressWarnings(as.numeric(strsplit(trimws(as_line), " +")[[1]][4])) else NA_real_
  address <- as_limit - 1024 * read_number("/proc/self/status", "^VmSize:")
  cgroup <- read_number("/sys/fs/cgroup/memory.max", "^[0-9]+$") -
    read_number("/sys/fs/cgroup/memory.current", "^[0-9]+$")
  left <- c(available, address, cgroup)
  if (all(is.na(left))) Inf else max(0, min(left, na.rm = TRUE))
}

# Refuses up front, with an error of class "gmmmi_error_resources", a call
# whose cost model says it needs more than memory_budget() (`bytes`, for
# `what`); `advice` says how to make it smaller. Below 256 MB nothing is
# checked.
check_memory <- function(bytes, what, advice, call) {
  if (!is.finite(bytes) || bytes > 2^28) {
    budget <- memory_budget()
    if (!is.finite(bytes) || bytes > budget) {
      cli::cli_abort(c("{what} would need about {format_bytes(bytes)} of memory; {format_bytes(budget)} {?is/are} available.",
                       "i" = advice),
                     class = c("gmmmi_error_resources", "gmmmi_error"), call = call)
    }
  }
  invisible(bytes)
}

format_bytes <- function(b) {
  if (!is.finite(b)) return("an unlimited amount")
  units <- c("bytes", "kB", "MB", "GB", "TB", "PB")
  i <- max(1, min(length(units), floor(log(max(b, 1), 1024)) + 1))
  paste(format(signif(b / 1024^(i - 1), 3)), units[i])
}

# A joint model of d columns from n rows is not identified when d is a fair
# share of n: a Gaussian alone has d (d + 3) / 2 parameters, and the MI of
# independent Gaussian blocks of p and q columns is overstated by about
# p q / (2 n) nat even with one component. Refuses d >= n / 5, saying how
# many rows would be reliable (5 d, and p q / 0.2 for a bias below 0.1 nat).
check_identifiable <- function(n, p, q, call, r = 0) {
  d <- p + q + r
  if (d * 5 <= n - 1) return(invisible(TRUE))
  need <- max(5 * d + 1, ceiling(p * q / 0.2))
  gmmmi_abort_class(c("The mixture cannot be identified: {d} joint column{?s} from only {n} row{?s}.",
                      "x" = "The MI of {p} + {q} column{?s} from {n} rows would be dominated by noise (about {format(p * q / (2 * n), digits = 2)} nat for independent Gaussian columns).",
                      "i" = "A reliable estimate needs at least {need} rows; or reduce the columns first (e.g. by principal components)."),
                    "gmmmi_error_identifiability", call)
}

gmmmi_abort_class <- function(message, class, call, .envir = parent.frame()) {
  cli::cli_abort(message, class = c(class, "gmmmi_error_input", "gmmmi_error"),
                 call = call, .envir = .envir)
}

# `$` on the package's objects matches names exactly: with R's partial
# matching, a field removed by hand (`res$bootstrap <- NULL`) would silently
# read another (`bootstrap_k`) in every method that asks for it.

#' @export
`$.gmm_mi` <- function(x, name) .subset2(x, name)

#' @export
`$.gmm` <- function(x, name) .subset2(x, name)

#' @export
`$.gmm_selection` <- function(x, name) .subset2(x, name)

#' @export
`$.mi_matrix` <- function(x, name) .subset2(x, name)
