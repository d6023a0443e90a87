#' Settings for fitting and selecting mixtures in gmm_mi()
#'
#' Collects and validates the settings of the mixture fits behind [gmm_mi()]
#' and [gmm_select()]. The defaults are those of the reference implementation
#' of GMM-MI (Piras et al. 2023).
#'
#' @param init Start of every EM fit; see [gmm_fit()].
#' @param n_inits Number of starts tried for each number of components.
#' @param n_folds Number of cross-validation folds used to score each number of
#'   components (at least 2).
#' @param tol EM convergence tolerance on the mean per-sample log-likelihood.
#' @param reg_covar Non-negative number added to every covariance diagonal.
#'   Fits are made on data standardised to unit variance, so `reg_covar` is
#'   relative to each column's variance.
#' @param max_iter Maximum number of EM iterations per fit.
#' @param max_components Largest number of components tried.
#' @param criterion How numbers of components are compared: `"validation"`
#'   (held-out log-likelihood), `"aic"` or `"bic"` (of a full-data refit).
#' @param threshold Smallest improvement of the score (mean log-likelihood
#'   per sample, or minus the criterion divided by 2n) that counts.
#' @param patience How many numbers of components past the last improvement
#'   are tried before the search stops.
#' @param fixed_components `NULL` to select the number of components, or a
#'   whole number to use without selection.
#' @param init_scale Spread of the `"random"`, `"minmax"` and
#'   `"randomized_kmeans"` starts; `NULL` for each start's default.
#' @param min_iter Minimum number of EM iterations before `tol` may stop a fit.
#' @return A list of class `"gmm_mi_control"`.
#' @examples
#' gmm_mi_control(n_inits = 5, n_folds = 3)
#' @export
gmm_mi_control <- function(init = "random_responsibilities", n_inits = 3, n_folds = 2,
                           tol = 1e-5, reg_covar = 1e-15, max_iter = 10000,
                           max_components = 50, criterion = c("validation", "aic", "bic"),
                           threshold = 1e-5, patience = 1, fixed_components = NULL,
                           init_scale = NULL, min_iter = 0) {
  env <- current_env_call()
  make_control(init = init, n_inits = n_inits, n_folds = n_folds, tol = tol,
               reg_covar = reg_covar, max_iter = max_iter, max_components = max_components,
               criterion = criterion, threshold = threshold, patience = patience,
               fixed_components = fixed_components, init_scale = init_scale,
               min_iter = min_iter, env = env)
}

# Validates settings on behalf of `env`, the user-facing call that took them.
make_control <- function(init = "random_responsibilities", n_inits = 3, n_folds = 2,
                         tol = 1e-5, reg_covar = 1e-15, max_iter = 10000,
                         max_components = 50, criterion = c("validation", "aic", "bic"),
                         threshold = 1e-5, patience = 1, fixed_components = NULL,
                         init_scale = NULL, min_iter = 0, env) {
  out <- list(
    init = check_choice(init, init_types, "init", env),
    n_inits = check_whole(n_inits, "n_inits", env, min = 1, max = 1000),
    n_folds = check_whole(n_folds, "n_folds", env, min = 2, max = 1000),
    tol = check_real(tol, "tol", env, min = 0),
    reg_covar = check_real(reg_covar, "reg_covar", env, min = 0),
    max_iter = check_whole(max_iter, "max_iter", env, min = 1),
    max_components = check_whole(max_components, "max_components", env, min = 1, max = 10000),
    criterion = check_choice(criterion, c("validation", "aic", "bic"), "criterion", env),
    threshold = check_real(threshold, "threshold", env, min = 0),
    patience = check_whole(patience, "patience", env, min = 1, max = 10000),
    fixed_components = if (is.null(fixed_components)) NULL else
      check_whole(fixed_components, "fixed_components", env, min = 1, max = 10000),
    init_scale = if (is.null(init_scale)) 0 else
      check_real(init_scale, "init_scale", env, min = 0, min_inclusive = FALSE),
    min_iter = check_whole(min_iter, "min_iter", env, min = 0)
  )
  structure(out, class = "gmm_mi_control")
}

#' @export
print.gmm_mi_control <- function(x, ...) {
  cat("<gmm_mi_control>\n")
  vals <- vapply(x, function(v) if (is.null(v)) "NULL" else format(v), character(1))
  print(noquote(vals))
  invisible(x)
}

check_control <- function(control, call) {
  if (!inherits(control, "gmm_mi_control")) {
    gmmmi_abort(c("{.arg control} must be made by {.fn gmm_mi_control}.",
                  "x" = "It is {.obj_type_friendly {control}}."), call)
  }
  # A control list may have been edited by hand: validate every field again.
  fields <- setdiff(names(formals(make_control)), "env")
  missing <- setdiff(setdiff(fields, "fixed_components"), names(control))
  if (length(missing)) {
    gmmmi_abort(c("{.arg control} must be made by {.fn gmm_mi_control}.",
                  "x" = "It lacks {.field {missing}}."), call)
  }
  values <- unclass(control)[intersect(fields, names(control))]
  if (identical(values$init_scale, 0)) values$init_scale <- NULL
  do.call(make_control, c(values, list(env = call)), quote = TRUE)
}
