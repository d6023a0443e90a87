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
    x <- if (ncol(x) == 0) matrix(numeric(0), nrow = nrow(x), ncol = 0) else
      matrix(unlist(x, use.names = FALSE), nrow = nrow(x), ncol = ncol(x))
    colnames(x) <- nm
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
  bad <- !is.finite(x)
  if (any(bad)) {
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

check_real <- function(x, arg, call, min = -Inf, min_inclusive = TRUE, max = Inf) {
  ok <- is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) &&
    (if (min_inclusive) x >= min else x > min) && x <= max
  if (!ok) {
    what <- if (min == 0 && !min_inclusive) "a positive number" else if (min == 0) "a non-negative number" else "a number"
    if (is.finite(max)) what <- paste(what, "at most", max)
    gmmmi_abort("{.arg {arg}} must be {what}, not {.code {format_value(x)}}.", call)
  }
  as.double(x)
}

check_flag <- function(x, arg, call) {
  if (!is.logical(x) || length(x) != 1 || is.na(x)) {
    gmmmi_abort("{.arg {arg}} must be {.code TRUE} or {.code FALSE}, not {.code {format_value(x)}}.", call)
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
# R CMD check (which sets _R_CHECK_LIMIT_CORES_).
resolve_threads <- function(n_threads, call) {
  if (is.null(n_threads)) n_threads <- getOption("gmmmi.threads", default_threads())
  n <- check_whole(n_threads, "n_threads", call, min = 1, max = 1024)
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
# failure in the core) reach the user as classed cli errors of the caller.
# Interrupts are not errors and pass through.
call_core <- function(expr, call) {
  tryCatch(expr, error = function(e) {
    if (inherits(e, "gmmmi_error")) stop(e)
    cli::cli_abort(c("The fit could not be made: {conditionMessage(e)}.",
                     "i" = "Try fewer components, a larger {.arg reg_covar} in {.fn gmm_mi_control}, or check the data."),
                   class = c("gmmmi_error_fit", "gmmmi_error"), call = call)
  })
}
