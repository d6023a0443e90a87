#' Settings for fitting and selecting mixtures in gmm_mi()
#'
#' Collects and validates the settings of the mixture fits behind [gmm_mi()]
#' and [gmm_select()].
#'
#' Two rules set the defaults of `init`, `reg_covar` and `patience`:
#' * `selection = "gmmmi"` (the default): the first of the `n_inits` starts
#'   comes from k-means and the others from random responsibilities
#'   (`init = "mixed"`), `reg_covar = 1e-6` and `patience = 3`. A start from random
#'   responsibilities gives every component almost the same parameters; on
#'   flat-topped densities (uniform noise, bounded support) EM then barely
#'   moves, no K > 1 beats K = 1 on held-out data, and the search stops at one
#'   component with a biased MI. The k-means start separates the components
#'   from the first step; the best start still wins on held-out data. The
#'   floor of `1e-6` (relative to each column's squared spread) keeps a component from
#'   collapsing onto an outlier or a repeated value. The held-out score of a
#'   mixture does not rise smoothly with the number of components (a K may
#'   land in a poorer local optimum than K - 1), so the search goes on for
#'   three numbers of components past the last improvement before it stops;
#'   with `patience = 1` it stopped too early on flat-topped and heavy-tailed
#'   data (see `bench/accuracy.R`). A start that fails (a covariance that is
#'   not positive definite) is retried from a fresh start, and, under this
#'   rule, with a floor raised a thousandfold per retry up to `1e-6` when a
#'   smaller positive `reg_covar` was asked for (`reg_covar = 0`, no floor,
#'   is kept). The rule also makes
#'   `marginal = "auto"` the default of [gmm_mi()].
#' * `selection = "reference"`: every start from random responsibilities,
#'   `reg_covar = 1e-15` and `patience = 1`, the defaults of the reference
#'   implementation of GMM-MI (Piras et al. 2023), to reproduce its numbers;
#'   retries keep the floor, and [gmm_mi()] fits the data as they are
#'   (`marginal = "none"`).
#'
#' Explicit `init`, `reg_covar`, `patience` or `raise_floor` override either
#' rule. The other defaults (`n_inits`, `n_folds`, `tol`, `threshold`, ...)
#' are the reference's under both rules. Under both, EM is accelerated (`accelerate =
#' TRUE`): the same fixed points and the same stopping test, reached in fewer
#' E-steps; `selection = "reference", accelerate = FALSE` follows the
#' reference's EM step for step.
#'
#' These are the defaults of every function that takes the settings:
#' [gmm_select()] takes them for the settings it is not given, and
#' [gmm_fit()] the starts of the default rule (`init`, `n_inits`) and the
#' other settings of `selection = "reference"`.
#'
#' @param init Start of every EM fit: one of the starts of [gmm_fit()], or
#'   `"mixed"` (the first start from k-means responsibilities, the others from
#'   random responsibilities); `NULL` for the rule's default.
#' @param n_inits Number of starts tried for each number of components.
#' @param n_folds Number of cross-validation folds used to score each number of
#'   components (at least 2).
#' @param tol EM convergence tolerance on the mean per-sample log-likelihood.
#' @param reg_covar Non-negative number added to every covariance diagonal;
#'   `NULL` for the rule's default. Fits are made on standardised data (each
#'   column divided by the smaller of its standard deviation and its
#'   interquartile range / 1.349), so `reg_covar` is relative to each column's
#'   squared spread, and heavy tails do not inflate it.
#' @param max_iter Maximum number of EM iterations per fit.
#' @param max_components Largest number of components tried.
#' @param criterion How numbers of components are compared: `"validation"`
#'   (held-out log-likelihood), `"aic"` or `"bic"` (of a full-data refit).
#' @param threshold Smallest improvement of the score (mean log-likelihood
#'   per sample, or minus the criterion divided by 2n) that counts.
#' @param patience How many numbers of components past the last improvement
#'   are tried before the search stops; `NULL` for the rule's default.
#' @param fixed_components `NULL` to select the number of components, or a
#'   whole number to use without selection.
#' @param init_scale Spread of the `"random"`, `"minmax"` and
#'   `"randomized_kmeans"` starts; `NULL` for each start's default.
#' @param min_iter Minimum number of EM iterations before `tol` may stop a fit.
#' @param selection `"gmmmi"` or `"reference"`: the rule that sets the
#'   defaults of `init` and `reg_covar` (see Details).
#' @param accelerate If `TRUE`, EM steps are combined by SQUAREM
#'   extrapolation (Varadhan and Roland 2008): from each point two EM steps
#'   are taken and the fit jumps along their direction, keeping the jump only
#'   when it does not lower the log-likelihood. A fit still stops only when one
#'   plain EM step changes the mean log-likelihood by less than `tol`, but
#'   usually after several times fewer E-steps. `FALSE` runs plain EM.
#' @param reselect If `TRUE`, [gmm_mi()] chooses the number of components
#'   afresh in every bootstrap replicate (by the same search), so that the
#'   standard error includes the uncertainty in that choice; each replicate
#'   then costs a whole selection. The estimate is then the full-data value
#'   (the MI of the mixture chosen on all the data), not bias-corrected: a
#'   search run on a resample, whose repeated rows fall in the same fold,
#'   tends to choose more components, so the mean of the reselected values
#'   sits above the full-data value by more than the estimator's bias. If
#'   `FALSE` (the reference's way), every replicate is refitted at the
#'   number chosen on all the data. `"auto"` reselects for two continuous
#'   scalars (not vectors, not conditional MI) with at most 500 rows, where the choice
#'   of K is least stable and a selection is cheap (about 3 to 14 times the
#'   time of `FALSE` in `bench/accuracy.R`, under 2 s per call). `NULL` for
#'   the rule's default (`"auto"` under `"gmmmi"`, `FALSE` under
#'   `"reference"`).
#' @param raise_floor If `TRUE`, a start that fails is retried with a
#'   positive `reg_covar` below `1e-6` raised a thousandfold per retry (up to
#'   `1e-6`); if `FALSE`, retries keep `reg_covar`. `NULL` for the rule's
#'   default (`TRUE` under `"gmmmi"`, `FALSE` under `"reference"`).
#' @param bias_correction Where [gmm_mi()] reports the bootstrap
#'   bias-corrected estimate `2 * full_data - mean(bootstrap)` (not below 0)
#'   with the basic bootstrap interval, rather than the mean of the bootstrap
#'   values with their percentile interval (the reference's way): `"always"`,
#'   `"never"`, or `"auto"`, where it was measured to help: a category, two
#'   categories, a single Gaussian component, or more than two joint columns
#'   (vector-valued or conditional MI), but not a mixture of several
#'   components between two scalar variables (the paper's regime, where the
#'   mean of the bootstrap values is calibrated and the correction overshoots:
#'   see the section on the estimate in [gmm_mi()]); and there only when the
#'   bias it removes is at least a quarter of the standard error (below that
#'   the correction adds more variance than it removes bias). `NULL` for the rule's
#'   default (`"auto"` under `"gmmmi"`, `"never"` under `"reference"`).
#' @param tie_floor If `TRUE`, [gmm_mi()] gives every column whose values
#'   repeat (rounded, discrete-valued or count data) a variance floor of
#'   `delta^2 / 12`, `delta` being the smallest gap between its distinct
#'   values: the variance of rounding to that step, below which nothing can be
#'   resolved, so that no component collapses onto a repeated value. The MI
#'   estimated is then that of the variables as recorded. `NULL` for the
#'   rule's default (`TRUE` under `"gmmmi"`, `FALSE` under `"reference"`).
#' @param quadrature If `TRUE`, the MI of a category and a single
#'   continuous column is integrated by adaptive Gauss-Kronrod quadrature, to
#'   an absolute error of about `1e-9` nat, instead of by Monte Carlo
#'   (`mc_samples` is then unused there): no Monte Carlo error, and at
#'   `mc_samples = 1e5` about a tenth of the time. `NULL` for the rule's
#'   default (`TRUE` under `"gmmmi"`, `FALSE` under `"reference"`).
#' @param interval The default interval of [confint.gmm_mi()] (and of
#'   `tidy()`): `"normal"`, `"percentile"` or `"basic"`; `NULL` for the
#'   rule's (`"normal"` under `"gmmmi"`, `"percentile"` under `"reference"`).
#' @param select_rows With more rows than this, [gmm_mi()] chooses the number
#'   of components (and, with `marginal = "auto"`, the coding of the margins)
#'   on this many rows drawn at random without replacement, then fits the
#'   chosen mixture to all the rows, starting from the parameters the
#'   selection kept. The search over K, which fits every K with every start
#'   and fold, then costs the same at any N. `Inf` selects on every row;
#'   `NULL` for the rule's default (`1e5` under `"gmmmi"`, `Inf` under
#'   `"reference"`). With as many rows or fewer nothing changes. (Continuous
#'   variables only: with a category, each category's mixture is selected on
#'   all its rows, and `bootstrap_rows` does not apply either.)
#' @param bootstrap_rows With more rows than this, each bootstrap replicate of
#'   [gmm_mi()] resamples this many rows `m` with replacement instead of all
#'   `n` (the m-out-of-n bootstrap), starting from the full-data fit; each
#'   replicate's deviation from the full-data value (and its Monte Carlo
#'   error) is shrunk by `sqrt(m / n)`, so the values spread as those of an
#'   n-row bootstrap would. `Inf` resamples every row; `NULL` for the rule's
#'   default (`1e5` under `"gmmmi"`, `Inf` under `"reference"`).
#' @param mc_error_ratio Under the m-out-of-n bootstrap (`bootstrap_rows`),
#'   every replicate is integrated with the full-data fit's Monte Carlo draws
#'   (so that the spread is that of the sampling, not of the draws), and the
#'   full-data value is then integrated again with enough draws (up to 1000
#'   times `mc_samples`) for its Monte Carlo error to be at most this fraction
#'   of the standard error. `Inf` keeps `mc_samples` draws.
#' @param k_margin A search (under the `"validation"` criterion) fits a new
#'   number of components with its first start on every fold before the
#'   others, and abandons it there, and stops, when that start overfits
#'   clearly: it fits every fold's training rows at least as well as the best
#'   number so far, yet on the same held-out rows it scores below it by more
#'   than `k_margin` nat per row (the 20%-trimmed mean of the paired
#'   differences, so that a few far-out rows decide nothing). Extra
#'   components that only overfit, as in many dimensions, then cost one start
#'   instead of `patience` more numbers of components with every start. `Inf`
#'   never abandons; `NULL` for the rule's default (`0.25` under `"gmmmi"`,
#'   `Inf` under `"reference"`).
#' @return A list of class `"gmm_mi_control"`.
#' @examples
#' gmm_mi_control(n_inits = 5, n_folds = 3)
#' gmm_mi_control(selection = "reference")
#' @export
gmm_mi_control <- function(init = NULL, n_inits = 3, n_folds = 2,
                           tol = 1e-5, reg_covar = NULL, max_iter = 10000,
                           max_components = 50, criterion = c("validation", "aic", "bic"),
                           threshold = 1e-5, patience = NULL, fixed_components = NULL,
                           init_scale = NULL, min_iter = 0,
                           selection = c("gmmmi", "reference"), reselect = NULL,
                           accelerate = TRUE, raise_floor = NULL, bias_correction = NULL,
                           tie_floor = NULL, quadrature = NULL, interval = NULL,
                           select_rows = NULL, bootstrap_rows = NULL, mc_error_ratio = 0.1,
                           k_margin = NULL) {
  call <- this_call()
  make_control(mget(names(formals(gmm_mi_control)), envir = environment()), call)
}

# The defaults that each selection rule sets (see gmm_mi_control()): settings
# of the control list left NULL, and the margins of gmm_mi() (marginal = NULL).
selection_defaults <- list(
  gmmmi = list(init = "mixed", reg_covar = 1e-6, patience = 3, reselect = "auto", raise_floor = TRUE,
               bias_correction = "auto", tie_floor = TRUE, quadrature = TRUE, interval = "normal",
               marginal = "auto", select_rows = 1e5, bootstrap_rows = 1e5, k_margin = 0.25),
  reference = list(init = "random_responsibilities", reg_covar = 1e-15, patience = 1, reselect = FALSE,
                   raise_floor = FALSE, bias_correction = "never", tie_floor = FALSE, quadrature = FALSE,
                   interval = "percentile",
                   marginal = "none", select_rows = Inf, bootstrap_rows = Inf, k_margin = Inf)
)

# gmm_mi_control()'s defaults, read from its arguments so that they are
# written there only: settings not given to gmm_select() or to a hand-made
# control list take them.
control_defaults <- function() formal_defaults(gmm_mi_control, names(formals(gmm_mi_control)))

# A control list from the settings in `given` (named as the arguments of
# gmm_mi_control()), the others at their defaults; errors name `call`.
control_with <- function(given, call) {
  settings <- control_defaults()
  settings[names(given)] <- given
  make_control(settings, call)
}

# Validates `s`, a full set of settings (one per argument of
# gmm_mi_control()), on behalf of `call`, the user-facing call that took them.
make_control <- function(s, call) {
  selection <- check_choice(s[["selection"]], c("gmmmi", "reference"), "selection", call)
  rule <- selection_defaults[[selection]]
  for (name in intersect(names(rule), names(s))) {
    if (is.null(s[[name]])) s[name] <- list(rule[[name]])
  }
  out <- list(
    init = check_choice(s[["init"]], c(init_types, "mixed"), "init", call),
    n_inits = check_whole(s[["n_inits"]], "n_inits", call, min = 1, max = 1000),
    n_folds = check_whole(s[["n_folds"]], "n_folds", call, min = 2, max = 1000),
    tol = check_real(s[["tol"]], "tol", call, min = 0),
    reg_covar = check_real(s[["reg_covar"]], "reg_covar", call, min = 0),
    max_iter = check_whole(s[["max_iter"]], "max_iter", call, min = 1),
    max_components = check_whole(s[["max_components"]], "max_components", call, min = 1, max = 10000),
    criterion = check_choice(s[["criterion"]], c("validation", "aic", "bic"), "criterion", call),
    threshold = check_real(s[["threshold"]], "threshold", call, min = 0),
    patience = check_whole(s[["patience"]], "patience", call, min = 1, max = 10000),
    fixed_components = if (is.null(s[["fixed_components"]])) NULL else
      check_whole(s[["fixed_components"]], "fixed_components", call, min = 1, max = 10000),
    init_scale = if (is.null(s[["init_scale"]])) 0 else
      check_real(s[["init_scale"]], "init_scale", call, min = 0, min_inclusive = FALSE),
    min_iter = check_whole(s[["min_iter"]], "min_iter", call, min = 0),
    selection = selection,
    reselect = check_flag(s[["reselect"]], "reselect", call, auto = TRUE),
    accelerate = check_flag(s[["accelerate"]], "accelerate", call),
    raise_floor = check_flag(s[["raise_floor"]], "raise_floor", call),
    bias_correction = check_choice(s[["bias_correction"]], c("auto", "always", "never"),
                                   "bias_correction", call),
    tie_floor = check_flag(s[["tie_floor"]], "tie_floor", call),
    quadrature = check_flag(s[["quadrature"]], "quadrature", call),
    interval = check_choice(s[["interval"]], interval_types, "interval", call),
    select_rows = check_rows(s[["select_rows"]], "select_rows", call),
    bootstrap_rows = check_rows(s[["bootstrap_rows"]], "bootstrap_rows", call),
    mc_error_ratio = check_real(s[["mc_error_ratio"]], "mc_error_ratio", call, min = 0,
                                min_inclusive = FALSE, finite = FALSE),
    k_margin = check_real(s[["k_margin"]], "k_margin", call, min = 0, min_inclusive = FALSE,
                          finite = FALSE)
  )
  structure(out, class = "gmm_mi_control")
}

# A number of rows above which a shortcut applies: a whole number of at
# least 100 (fewer is too few to choose a mixture or spread a bootstrap), or
# Inf (never).
check_rows <- function(x, arg, call) {
  if (is.numeric(x) && identical(as.double(x), Inf)) return(Inf)
  if (!is_whole(x) || x < 100 || x > 2^52) {
    gmmmi_abort("{.arg {arg}} must be a whole number from 100 to 2^52, or {.code Inf}, not {.code {format_value(x)}}.", call)
  }
  as.double(x)
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
  # A field may be absent only where its default is NULL (it then takes it).
  defaults <- control_defaults()
  missing <- setdiff(names(Filter(Negate(is.null), defaults)), names(control))
  if (length(missing)) {
    gmmmi_abort(c("{.arg control} must be made by {.fn gmm_mi_control}.",
                  "x" = "It lacks {.field {missing}}."), call)
  }
  values <- unclass(control)[intersect(names(defaults), names(control))]
  # init_scale is stored as 0 for "each start's default" (NULL).
  if (identical(values$init_scale, 0)) values$init_scale <- NULL
  control_with(values, call)
}

# When gmm_mi()'s estimate is bias-corrected, under the control setting
# `setting` (see gmm_mi_control()), for an estimate of `type` on `n_columns`
# joint columns fitted with `n_components` (continuous only): "always",
# "never" or "if_material" (see summarise_bootstrap()). "auto" follows
# bench/accuracy.R: the correction helps wherever the parameters are many
# beside the dependence (categories, vectors, conditional MI) or the model is
# a single Gaussian (whose plug-in bias it removes), and overshoots for a
# mixture of several components between two scalars, where parameter noise
# and the error of a too-smooth mixture largely offset in the mean of the
# bootstrap values.
# With reselected replicates (reselect, see use_reselect()) the estimate is
# the full-data value instead ("full_data", see gmm_mi_control()).
use_correction <- function(setting, type, n_columns = NA, n_components = NA, reselect = FALSE) {
  if (reselect) return("full_data")
  if (setting != "auto") return(setting)
  if (type != "continuous" || n_columns > 2 || n_components == 1) "if_material" else "never"
}

# Rows up to which reselect = "auto" chooses K afresh in every bootstrap
# replicate (see gmm_mi_control()).
reselect_max_rows <- 500L

# Whether the bootstrap of a continuous estimate on `n` rows of `n_columns`
# joint columns reselects K, under the control setting `setting` (TRUE,
# FALSE or "auto"). "auto" was measured on two scalars only: for vectors and
# conditional MI the bias correction, which reselection replaces, stays.
use_reselect <- function(setting, n, n_columns) {
  if (identical(setting, "auto")) n <= reselect_max_rows && n_columns == 2 else setting
}
