#' Choose the number of mixture components
#'
#' Scores mixtures of 1, 2, ... components by cross-validation (or AIC/BIC)
#' and stops once the score has not improved by more than `threshold` for
#' `patience` further numbers of components (and at the latest at
#' `max_components`, or at the number of rows of the smallest training part,
#' beyond which components would be empty). The data are split once into
#' `n_folds` shuffled folds shared by every number of components; each of
#' `n_inits` starts is fitted on every training part and scored by its mean
#' held-out log-likelihood; the best start's fold average is the score. The
#' parameters of the best fold of the best start at the chosen size are kept:
#' [gmm_mi()] starts its bootstrap fits from them.
#'
#' Settings that are not given take the defaults of [gmm_mi_control()] (under
#' its `selection` rule, which may be given in `...`).
#'
#' @inheritParams gmm_mi_control
#' @inheritParams gmm_fit
#' @param ... Further settings passed to [gmm_mi_control()], such as `init`,
#'   `tol`, `reg_covar`, `max_iter` or `selection`.
#' @param n_threads Number of threads (see [gmmmi-package]).
#' @return An object of class `"gmm_selection"`: `table` (a data frame with a
#'   row per number of components tried: `k`, held-out score `validation`,
#'   full-data `loglik`, `aic`, `bic`, `best_init`, `converged`, `max_iter`;
#'   the scores are `NA` where no fit of that number could be used, or its
#'   full-data refit failed),
#'   `n_components` (the choice), `warm_start` (a `"gmm"` with the kept
#'   parameters, in the data's units unless their scale is extreme: see
#'   [gmm_fit()]), `criterion`, `control` and `call`.
#' @examples
#' set.seed(3)
#' x <- rbind(matrix(rnorm(600, -2), ncol = 2), matrix(rnorm(600, 2), ncol = 2))
#' sel <- gmm_select(x, max_components = 6)
#' sel
#' plot(sel)
#' @export
gmm_select <- function(x, max_components, criterion, n_folds, n_inits, threshold, patience,
                       fixed_components, ..., n_threads = NULL) {
  call <- match.call()
  env <- this_call()
  x <- as_data_matrix(x, "x", env)
  check_no_constant(x, "x", env)
  extra <- list(...)
  if (length(extra) && (is.null(names(extra)) || any(!nzchar(names(extra))) ||
                        !all(names(extra) %in% names(formals(gmm_mi_control))))) {
    gmmmi_abort("Arguments in {.arg ...} must be named settings of {.fn gmm_mi_control}.", env)
  }
  # A setting left out is not passed on, so that gmm_mi_control() decides it.
  named <- setdiff(names(formals(gmm_select)), c("x", "...", "n_threads"))
  control <- control_with(c(given_args(named, environment()), extra), env)
  n_threads <- resolve_threads(n_threads, env)
  check_rows_for_folds(nrow(x), control, env)
  res <- call_core(gmm_select_cpp(x, control, n_threads, NULL), env, settings = NULL)
  new_selection(res, colnames(x), control, call, nrow(x))
}

# The fewest rows that cross-validation can split into folds of at least two
# rows each (or of `fixed_components` rows, when more).
rows_for_folds <- function(control) {
  control$n_folds * max(2L, if (is.null(control$fixed_components)) 1L else control$fixed_components)
}

check_rows_for_folds <- function(n, control, call, arg = "x") {
  need <- rows_for_folds(control)
  if (n < need) {
    gmmmi_abort(c("{.arg {arg}} has too few rows ({n}) for {control$n_folds}-fold cross-validation.",
                  "i" = "Need at least {need} rows, or fewer folds in {.fn gmm_mi_control}."), call)
  }
}

# A covariance floor from which on it dominates the standardised data's unit
# variances (new_selection() warns).
large_floor <- 0.1

new_selection <- function(res, names, control, call, n) {
  if (res$n_components < 1) {
    cli::cli_abort("No mixture could be fitted to the data, even with one component.",
                   class = c("gmmmi_error_fit", "gmmmi_error"), call = call)
  }
  if (isTRUE(res$reached_max)) {
    cli::cli_warn(c("The search reached {.arg max_components} = {control$max_components} without the score levelling off.",
                    "i" = "Consider a larger {.arg max_components}."),
                  class = "gmmmi_warning_max_components")
  }
  if (control$reg_covar >= large_floor) {
    # Every covariance is at least reg_covar times each column's squared
    # spread: a floor near 1 swamps the data, so EM has nothing to fit.
    cli::cli_warn(c("{.arg reg_covar} = {control$reg_covar} is not small beside the data: it is added to variances of about 1 (each column is standardised).",
                    "i" = "Every component is at least that wide, so the fit cannot follow the data and the MI is biased towards 0; use a {.arg reg_covar} well below 1."),
                  class = c("gmmmi_warning_reg_covar", "gmmmi_warning"))
  } else if (isTRUE(res$all_short)) {
    cli::cli_warn(c("Every fit stopped within two EM iterations.",
                    "i" = "{.arg tol} = {control$tol} may be too loose for these data."),
                  class = "gmmmi_warning_short_fits")
  }
  structure(list(table = res$table, n_components = res$n_components,
                 warm_start = new_gmm(res$warm_start, names),
                 criterion = control$criterion, control = control, n = n,
                 n_failed = res$n_failed, call = call),
            class = "gmm_selection")
}

#' @export
print.gmm_selection <- function(x, ...) {
  cat(sprintf("Number of components chosen by %s: %d (tried 1 to %d)\n",
              x$criterion, x$n_components, max(x$table$k)))
  tab <- x$table[, c("k", "validation", "aic", "bic", "converged")]
  tab$chosen <- ifelse(tab$k == x$n_components, "*", "")
  print(tab, row.names = FALSE, digits = 6)
  invisible(x)
}

#' Plot the component-selection score
#'
#' @param x A `"gmm_selection"` object.
#' @param what `"score"` plots the criterion used against the number of
#'   components; `"all"` plots the held-out score, and AIC and BIC scaled to
#'   the same units (minus criterion / 2n).
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @export
plot.gmm_selection <- function(x, what = c("score", "all"), ...) {
  what <- match.arg(what)
  tab <- x$table
  scaled <- cbind(validation = tab$validation, aic = -tab$aic / (2 * x$n), bic = -tab$bic / (2 * x$n))
  cols <- if (what == "all") colnames(scaled) else x$criterion
  y <- scaled[, cols, drop = FALSE]
  graphics::matplot(tab$k, y, type = "b", pch = 19, lty = 1, col = seq_along(cols),
                    xlab = "number of components", ylab = "score per sample (higher is better)", ...)
  graphics::abline(v = x$n_components, lty = 2, col = "grey50")
  if (length(cols) > 1) graphics::legend("bottomright", legend = cols, col = seq_along(cols), lty = 1, pch = 19, bty = "n")
  invisible(x)
}
