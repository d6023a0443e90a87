# The data-frame interface of gmm_mi() and mi_matrix(): the formula method,
# missing values (na.action), and the names of the variables.

#' @rdname gmm_mi
#' @param formula A formula `y ~ x`, with `+` (or `cbind()`) joining the
#'   columns of a side, `|` introducing the conditioning variables
#'   (`y ~ x | z`), and `.` standing for every column of `data` that the
#'   formula does not name. The left side is the first variable, the right
#'   side the second. A category (factor, character or logical) must be alone
#'   on its side.
#' @param data A data frame (or list or environment) in which the formula's
#'   variables are looked up; by default the formula's environment.
#' @export
gmm_mi.formula <- function(formula, data = NULL, ..., na.action = getOption("na.action")) {
  call <- match.call()
  call <- as_generic_call(call, "gmm_mi")
  env <- this_call()  # (forced here: see this_call())
  env <- as_generic_call(env, "gmm_mi")
  sides <- formula_sides(formula, data, env)
  s <- formula_settings(list(...), env)
  mi_dispatch(sides$x, sides$y, sides$z, s$n_bootstrap, s$mc_samples, s$units, s$prior, s$marginal,
              s$control, s$n_threads, na.action, c(x = "x", y = "y", z = "z"), call, env)
}

# The settings that the formula method passes on, each left out taking the
# default method's default.
formula_settings <- function(dots, call) {
  allowed <- setdiff(names(formals(gmm_mi.default)), c("x", "y", "z", "na.action", "..."))
  nm <- names(dots)
  if (length(dots) && (is.null(nm) || any(!nzchar(nm)))) {
    gmmmi_abort(c("Every argument after {.arg data} must be named.",
                  "i" = "The settings are {.arg {allowed}}."), call)
  }
  check_no_dots(dots[setdiff(nm, allowed)], call)
  s <- formal_defaults(gmm_mi.default, allowed)
  s[names(dots)] <- dots
  s
}

# The call `cl` of a method as the user typed it: naming the generic.
as_generic_call <- function(cl, generic) {
  cl[[1]] <- as.name(generic)
  cl
}

check_no_dots <- function(dots, call) {
  if (!length(dots)) return(invisible())
  nm <- names(dots)
  if (is.null(nm)) nm <- rep("", length(dots))
  named <- nm[nzchar(nm)]
  gmmmi_abort(c(if (length(named)) "Unknown argument{?s} {.arg {named}}." else
    "{length(dots)} argument{?s} too many.",
                "i" = if ("data" %in% named) "{.arg data} belongs to the formula interface, e.g. {.code gmm_mi(y ~ x, data = d)}."),
              call)
}

# A name for the variable passed as `expr`: the expression itself when it
# is short (as cor.test() and lm() name theirs), otherwise `fallback`.
arg_label <- function(expr, fallback) {
  if (is.symbol(expr)) return(as.character(expr))
  if (!is.call(expr)) return(fallback)
  text <- deparse(expr, width.cutoff = 500L, nlines = 2L)
  if (length(text) != 1 || nchar(text) > 60) fallback else text
}

# gmm_mi(airquality, "Ozone", "Temp"): column names given as variables.
check_not_column_names <- function(x, y, z, data_label, call) {
  if (!(is.data.frame(x) || is.matrix(x)) || is.null(colnames(x))) return(invisible())
  names_of <- function(v) is.character(v) && length(v) >= 1 && length(v) < NROW(x) && all(v %in% colnames(x))
  if (!names_of(y)) return(invisible())
  side <- function(v) paste(vapply(v, function(s) deparse(as.name(s)), ""), collapse = " + ")
  example <- sprintf("gmm_mi(%s ~ %s, data = %s)", side(y), if (names_of(z)) side(z) else ".", data_label)
  gmmmi_abort(c("{.arg y} must be a variable, not the name of a column of {.arg x}: {.val {y}}.",
                "i" = "For columns of a data frame, use a formula: {.code {example}}."), call)
}

# A two-column data frame `x` with y = NULL holding a category is split into
# x and y (a category must be a column of its own); other data frames with a
# category and no `y` are refused with the ways to ask for their MI.
split_pair <- function(sides, labels, call) {
  x <- sides$x
  if (!is.null(sides$y) || !is.data.frame(x) || !any(vapply(x, is_discrete, logical(1)))) {
    return(list(data = sides, labels = labels))
  }
  if (ncol(x) != 2) {
    nm <- vapply(names(x)[1:2], function(s) deparse(as.name(s)), "")
    gmmmi_abort(c("With {.arg y} = {.code NULL}, {.arg x} must have exactly two columns.",
                  "x" = "It has {ncol(x)}.",
                  "i" = "For every pair of columns, use {.code mi_matrix({labels[['x']]})}.",
                  "i" = "For chosen columns, use a formula, e.g. {.code gmm_mi({nm[1]} ~ {nm[2]}, data = {labels[['x']]})}."),
                call)
  }
  list(data = list(x = x[1], y = x[2], z = sides$z), labels = c(x = names(x)[1], y = names(x)[2], z = "z"))
}

# x, y and z of a formula, as data frames whose column names are the terms.
formula_sides <- function(formula, data, call) {
  if (!inherits(formula, "formula") || length(formula) != 3) {
    gmmmi_abort(c("{.arg formula} must have two sides, {.code y ~ x}, or {.code y ~ x | z} for conditional MI.",
                  "x" = "It is {.code {deparse(formula)}}."), call)
  }
  if (is.matrix(data)) data <- as.data.frame(data)
  if (!is.null(data) && !is.list(data) && !is.environment(data)) {
    gmmmi_abort("{.arg data} must be a data frame, not {.obj_type_friendly {data}}.", call)
  }
  rhs <- formula[[3]]
  z <- NULL
  if (is.call(rhs) && identical(rhs[[1]], as.name("|"))) {
    z <- rhs[[3]]
    rhs <- rhs[[2]]
  }
  exprs <- list(x = split_terms(formula[[2]]), y = split_terms(rhs), z = if (!is.null(z)) split_terms(z))
  rest <- setdiff(if (is.list(data)) names(data), all.vars(formula))
  enclos <- environment(formula)
  if (is.null(enclos)) enclos <- parent.frame()
  sides <- lapply(exprs[!vapply(exprs, is.null, logical(1))], function(terms) {
    cols <- unlist(lapply(terms, term_columns, data, enclos, rest, call), recursive = FALSE)
    side_frame(cols, call)
  })
  n <- vapply(sides, nrow, integer(1))
  if (length(unique(n)) > 1) {
    gmmmi_abort(c("The variables of {.arg formula} must have the same length.",
                  "x" = "{paste(names(sides), 'has', n, collapse = ', ')} rows."), call)
  }
  sides
}

# The terms of one side: split on `+` and cbind().
split_terms <- function(e) {
  if (is.call(e) && (identical(e[[1]], as.name("+")) || identical(e[[1]], as.name("cbind")))) {
    return(unlist(lapply(as.list(e)[-1], split_terms), recursive = FALSE))
  }
  list(e)
}

# The named columns of one term, evaluated in `data`; `.` stands for `rest`.
term_columns <- function(term, data, enclos, rest, call) {
  if (identical(term, as.name("."))) {
    if (!length(rest)) {
      gmmmi_abort("{.code .} in {.arg formula} needs {.arg data} with columns that the formula does not name.", call)
    }
    return(unlist(lapply(lapply(rest, as.name), term_columns, data, enclos, character(0), call),
                  recursive = FALSE))
  }
  label <- paste(deparse(term, width.cutoff = 500L), collapse = " ")
  v <- tryCatch(eval(term, data, enclos), error = function(e) {
    gmmmi_abort(c("Could not evaluate {.code {label}} in {.arg formula}.", "x" = conditionMessage(e)), call)
  })
  if (is.data.frame(v)) return(as.list(v))
  if (is.matrix(v)) {
    nm <- colnames(v)
    if (is.null(nm)) nm <- paste0(label, seq_len(ncol(v)))
    return(stats::setNames(lapply(seq_len(ncol(v)), function(j) v[, j]), nm))
  }
  if (!is.atomic(v) || is.null(v)) {
    gmmmi_abort("{.code {label}} in {.arg formula} must be a vector, not {.obj_type_friendly {v}}.", call)
  }
  stats::setNames(list(v), label)
}

# One side of a formula as a data frame; a category must be alone.
side_frame <- function(cols, call) {
  n <- vapply(cols, length, integer(1))
  if (length(unique(n)) > 1) {
    gmmmi_abort(c("The variables of {.arg formula} must have the same length.",
                  "x" = "{paste(names(cols), 'has', n, collapse = ', ')}."), call)
  }
  discrete <- vapply(cols, is_discrete, logical(1))
  if (any(discrete) && length(cols) > 1) {
    gmmmi_abort(c("A category must be alone on its side of {.arg formula}.",
                  "x" = "{.field {names(cols)[discrete]}} {?is a category/are categories} beside {.field {names(cols)[!discrete]}}."),
                call)
  }
  structure(cols, names = names(cols), row.names = .set_row_names(n[1]), class = "data.frame")
}

# Rows with a missing value in any of `sides` (x, y, z; NULL ones skipped),
# dealt with as `na.action` asks: left out (na.omit, na.exclude), an error
# (na.fail) or kept (na.pass, for the checks that follow to report). Returns
# the sides and the rows left out, as na.omit() marks them (or NULL).
drop_missing <- function(sides, na.action, call) {
  action <- resolve_na_action(na.action, call)
  unchanged <- list(data = sides, omitted = NULL)
  present <- sides[!vapply(sides, is.null, logical(1))]
  n <- tryCatch(vapply(present, NROW, integer(1)), error = function(e) NULL)
  if (action == "pass" || is.null(n) || length(unique(n)) != 1) return(unchanged)
  missing <- tryCatch(!do.call(stats::complete.cases, unname(present)), error = function(e) NULL)
  if (!any(missing)) return(unchanged)
  if (action == "fail") {
    has <- names(present)[vapply(present, anyNA, logical(1))]
    cols <- unlist(lapply(present[has], function(v) {
      if (is.data.frame(v) || is.matrix(v)) colnames(v)[colSums(is.na(as.data.frame(v))) > 0]
    }))
    rows <- which(missing)
    shown <- paste0(paste(utils::head(rows, 5), collapse = ", "), if (length(rows) > 5) ", ..." else "")
    gmmmi_abort(c("{.arg {has}} must not contain missing values with {.code na.action = na.fail}.",
                  "x" = "Missing values in {cli::qty(length(rows))}row{?s} {shown}{if (length(cols)) ', in ' else ''}{.field {cols}}.",
                  "i" = "Use {.code na.action = na.omit} to leave them out."), call)
  }
  keep <- !missing
  data <- lapply(sides, function(v) {
    if (is.null(v)) NULL else if (is.null(dim(v))) v[keep] else v[keep, , drop = FALSE]
  })
  omitted <- which(missing)
  names(omitted) <- omitted
  list(data = data, omitted = structure(omitted, class = action))
}

# "omit", "exclude", "fail" or "pass" from a function or its name.
resolve_na_action <- function(na.action, call) {
  if (is.null(na.action)) return("fail")
  known <- list(omit = stats::na.omit, exclude = stats::na.exclude, fail = stats::na.fail,
                pass = stats::na.pass)
  f <- if (is.character(na.action) && length(na.action) == 1) {
    tryCatch(match.fun(na.action), error = function(e) NULL)
  } else na.action
  hit <- names(known)[vapply(known, identical, logical(1), f)]
  if (!length(hit)) {
    gmmmi_abort("{.arg na.action} must be {.fn na.omit}, {.fn na.exclude}, {.fn na.fail} or {.fn na.pass} (or the name of one).",
                call)
  }
  hit
}

# A numeric vector becomes a one-column matrix named by its label, so that
# the result names it; a one-column data frame or matrix labels its side
# with its column name.
name_sides <- function(sides, labels) {
  for (s in names(sides)) {
    v <- sides[[s]]
    if (is.numeric(v) && is.null(dim(v)) && !is.object(v) && length(v)) {
      sides[[s]] <- matrix(as.numeric(v), ncol = 1, dimnames = list(NULL, labels[[s]]))
    } else if ((is.data.frame(v) || is.matrix(v)) && NCOL(v) == 1 && isTRUE(nzchar(colnames(v)))) {
      labels[[s]] <- colnames(v)
    }
  }
  list(data = sides, labels = labels)
}

# The result with the names of its categories (the estimators call them x
# and y) and the rows left out for missing values.
label_categories <- function(res, labels, omitted) {
  side <- switch(res$type, categorical = res$category, discrete = c("x", "y"), character(0))
  for (s in side) res$variables[[s]] <- labels[[s]]
  res["na_action"] <- list(omitted)
  res
}

# " (3 rows with missing values left out)", or "" when none were.
describe_omitted <- function(omitted) {
  k <- length(omitted)
  if (!k) return("")
  sprintf(" (%d row%s with missing values left out)", k, if (k == 1) "" else "s")
}

# A character variable whose values are all numbers is taken as labels, as
# any character variable is; a warning says how to get numbers instead.
warn_numbers_as_labels <- function(v, what) {
  if (is.data.frame(v) && ncol(v) == 1) v <- v[[1]]
  if (!is.character(v) || !is.null(dim(v))) return(invisible())
  u <- unique(v[!is.na(v)])
  if (!length(u) || anyNA(suppressWarnings(as.numeric(u)))) return(invisible())
  cli::cli_warn(c("{what} is a character vector of numbers: it is taken as {length(u)} category label{?s}.",
                  "i" = "For numbers, convert it with {.fn as.numeric}; for categories, with {.fn factor} (which keeps this quiet)."),
                class = c("gmmmi_warning_numeric_labels", "gmmmi_warning"))
}
