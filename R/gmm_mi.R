#' Mutual information with bootstrap uncertainty
#'
#' Estimates the mutual information I(X; Y), or the conditional mutual
#' information I(X; Y | Z), by the GMM-MI method: a Gaussian mixture is fitted
#' to the joint samples (its number of components chosen by
#' cross-validation, see [gmm_select()]), and MI is the Monte Carlo average of
#' log p(x, y) - log p(x) - log p(y) over draws from the fitted mixture, whose
#' marginals are mixtures in closed form (with one component, the exact
#' Gaussian value 1/2 log(det S_x det S_y / det S), with no Monte Carlo
#' error). Each of `n_bootstrap` resamples of
#' the rows is refitted at the chosen number of components, starting from the
#' parameters kept by the selection; the standard deviation of the bootstrap
#' values is the standard error, and the estimate is corrected for the bias
#' that the bootstrap measures (below).
#'
#' @section The estimate and its interval: Noise in fitted parameters looks
#'   like dependence, so an MI computed from a fit is biased upwards, most
#'   where there are many parameters and little dependence: many categories
#'   near independence, vector-valued variables, small samples. A bootstrap
#'   replicate, fitted to a resample of the data, overstates the MI of the
#'   full-data fit by about as much as that fit overstates the truth, so the
#'   mean of the bootstrap values (the reference implementation's estimate)
#'   carries the bias twice. Under the default rule the estimate is
#'   `2 * full_data - mean(bootstrap)`, not below 0, and [confint()] gives the
#'   basic bootstrap interval centred on it; the mean of the bootstrap
#'   values is kept as `estimate_uncorrected`. `gmm_mi_control(bias_correction
#'   = FALSE)` or `selection = "reference"` report the mean and its
#'   percentile interval instead. The correction removes the bias of
#'   estimating a mixture's parameters, not the error of a mixture that is
#'   too smooth for the data (flat-topped densities with sharp edges, for
#'   which a mixture of the chosen size understates the MI): see
#'   `vignette("calibration")` for coverage measured on families of known MI.
#'   In small samples (two continuous scalars, at most 500 rows) the number of
#'   components chosen is itself uncertain: there, by default
#'   (`gmm_mi_control(reselect = "auto")`), every bootstrap replicate chooses
#'   its own, so that the standard error includes that choice, and the
#'   estimate is the full-data value.
#'   Whether a small estimate differs from 0 is answered by [mi_test()].
#'
#' @section Ties, counts and rare categories: A numeric column whose values
#'   repeat (rounded, discrete-valued or count data) gets a variance floor of
#'   `delta^2 / 12`, `delta` being its smallest gap between distinct values
#'   (the variance of rounding to that step), so that no component collapses
#'   onto a repeated value; the MI estimated is that of the variables as
#'   recorded. A column with 10 or fewer distinct values draws a warning that
#'   suggests `factor()`: the MI of a discrete variable is then better
#'   estimated as a category's. No estimate or interval exceeds the entropy
#'   of a discrete side (`entropy_bound`). When one side is (nearly) a function
#'   of the other, the fit sits at the covariance floor and the number it
#'   gives is set by `reg_covar`: a warning says that the MI is not resolved
#'   and may be unbounded. Categories with fewer rows than cross-validation
#'   needs (`2 * n_folds`) are pooled into one category, `"(rare)"` (or, if
#'   that pool is itself too small, into the smallest other category), with a
#'   warning: the MI of the pooled labels is at most that of the original
#'   ones.
#'
#' @section Many rows and many dimensions: Under the default rule, with more
#'   than `select_rows` (`1e5`) rows the number of components is chosen on a
#'   random subsample of that many rows and the chosen mixture is then fitted
#'   to all of them; with more than `bootstrap_rows` (`1e5`) rows each
#'   bootstrap replicate resamples that many rows (the m-out-of-n bootstrap),
#'   its deviation from the full-data value shrunk to the scale of all the
#'   rows, every replicate on the full-data fit's Monte Carlo draws, and the
#'   full-data value integrated with enough draws for a Monte Carlo error of
#'   at most a tenth of the standard error (`mc_error_ratio`). A search also
#'   stops as soon as the first start of a number of components fits the
#'   training rows better than the best number yet falls more than `k_margin`
#'   (0.25 nat per row) behind it on held-out rows, as extra components do
#'   when they only overfit many dimensions. With a million rows of two columns a call takes
#'   well under a minute on two cores (`bench/scale.R`). All are settings of
#'   [gmm_mi_control()], off under `selection = "reference"`; see
#'   `vignette("method")`, section 13.
#'
#' X, Y and Z may each have any number of columns, together fewer than a
#' fifth of the rows: with more, the mixture cannot be identified (the MI of
#' independent Gaussian blocks of p and q columns is overstated by about
#' p q / 2n even with one component), and the call is refused with an error
#' of class `"gmmmi_error_identifiability"` that says how many rows would do.
#' Every column is
#' standardised before fitting (centred, and divided by the smaller of its
#' standard deviation and its interquartile range / 1.349; centred on the
#' median when the mean lies more than 1000 such spreads from it, as with
#' extreme tails): MI does not change when a variable is shifted or
#' rescaled.
#'
#' When `x` or `y` is a factor, character or logical vector (a category), the
#' other side may have any number of numeric columns: one mixture is fitted
#' per category for p(y | c), each with its own number of components, and
#' MI = sum_c p(c) E\[log p(y | c) - log sum_c' p(c') p(y | c')\], with each
#' expectation over `mc_samples` draws from p(y | c). With more than 16
#' categories, whose C expectations would each score every category
#' (C^2 `mc_samples` density terms), `mc_samples` draws from the mixture of
#' all categories are shared instead: MI = E\[sum_c p(c | y) log p(c | y) /
#' p(c)\] over y, in C `mc_samples` terms. With the empirical
#' prior the bootstrap resamples all rows, so the class frequencies vary
#' between replicates and the standard error includes their uncertainty; with
#' the uniform prior it resamples within each category (the reference's way).
#' Any labels may be used. When both sides are
#' categories, the plug-in MI of their contingency table is given, with a
#' bootstrap over rows.
#'
#' The variables may be given as vectors, matrices or data frames (`x`, `y`,
#' `z`), or as a formula with `data`: `gmm_mi(y ~ x, data = d)`,
#' `gmm_mi(cbind(a, b) ~ c + d, data = d)` for vector-valued variables, and
#' `gmm_mi(y ~ x | z, data = d)` for the conditional MI I(Y; X | Z). The
#' variables are named after the expressions that give them (as
#' [stats::cor.test()] and [stats::lm()] name theirs): `gmm_mi(Ozone, Temp)`
#' prints "Ozone vs Temp"; the columns of a matrix or data frame keep their
#' names.
#'
#' Rows with a missing value (`NA` or `NaN`) in any variable are dealt with
#' by `na.action`, by default `getOption("na.action")` as in [stats::lm()]:
#' [stats::na.omit()] (R's default) leaves them out, and `print()` says how
#' many were; [stats::na.fail()] stops with an error. Infinite values are
#' not missing and are refused.
#'
#' @section Progress:
#' In an interactive session, a progress bar counts the bootstrap fits of a
#' run that lasts more than a few seconds. It is not shown while knitr
#' renders a document (`getOption("knitr.in.progress")`) nor in
#' non-interactive sessions, and `options(gmmmi.progress = FALSE)` turns it
#' off everywhere (`TRUE` shows it outside documents even when R is not
#' interactive).
#'
#' @param x A numeric vector, matrix or data frame: the first variable (with
#'   `y = NULL`, a matrix or data frame of exactly two columns whose MI is
#'   wanted). For the formula interface, a formula: see `formula`.
#' @param y The second variable, with the same number of rows as `x`.
#' @param z Optional conditioning variable: with it, the conditional MI
#'   I(X; Y | Z) is estimated.
#' @param n_bootstrap Number of bootstrap refits; 0 gives one fit on all the
#'   data and no standard error.
#' @param mc_samples Number of Monte Carlo draws for each integral (with
#'   more than 16 categories, for each integral over all of them: see
#'   Details). From one draw the Monte Carlo error cannot be estimated, and
#'   `mc_se` is `NA`.
#' @param units `"nat"` (natural logarithm) or `"bit"`.
#' @param prior For a category: p(c) is `"empirical"` (the category
#'   frequencies, the default) or `"uniform"` (1 / number of categories, the
#'   reference implementation's choice).
#' @param marginal How the margins are coded before fitting: `"none"` (as
#'   they are), `"gaussian_copula"` (every continuous column replaced by
#'   `qnorm()` of its ranks, `rank / (n + 1)`, ties getting their average
#'   rank), or `"auto"`, which selects the number of components for both
#'   codings on the same cross-validation folds and keeps the copula only
#'   when it predicts the dependence of held-out rows clearly better: the
#'   mean gain in held-out pointwise MI must exceed 2 standard errors of the
#'   paired differences (a screen with a margin rather than an exact test:
#'   rows fitted by the same fold model are not independent), otherwise the
#'   data stay as they are; if the data as they are cannot be fitted at all,
#'   the copula is used. When one row holds more than a quarter of the
#'   squared deviations of the differences (a held-out row in the far tail
#'   of heavy-tailed data, scored at -1e13, say), its standard error is that
#'   row's, and the copula is also taken when the 20%-trimmed mean of the
#'   differences clears the same bar by Yuen's standard error. The choice
#'   is made once, on all the data: the
#'   bootstrap (even with `reselect = TRUE`) does not include its
#'   uncertainty. MI does not
#'   change under a monotone map of each coordinate, so the target is the
#'   same either way, while flat, bounded and heavy-tailed margins become
#'   Gaussian; but a thin band or a sharp edge in the joint density can
#'   become harder to model, which is why the choice is made from the data.
#'   `NULL` (the default) means `"auto"` under `selection = "gmmmi"` in
#'   `control`, and `"none"` under `selection = "reference"`. For a category
#'   and a continuous variable, `"auto"` keeps the data as they are. With
#'   the copula, the fitted mixtures (`fit`, `selection`) are in the
#'   transformed coordinates. Ties (discrete-valued columns) are not made
#'   continuous. `"auto"` costs a second selection (about 1.3 times the time
#'   of `"none"` in `bench/accuracy.R`).
#' @param control Settings of the fits, from [gmm_mi_control()]; with
#'   `reselect = TRUE` there (by default `"auto"`: for two continuous scalars
#'   with at most 500 rows), each bootstrap replicate chooses its own number
#'   of components (continuous variables only). With reselection the
#'   percentile interval (`confint(type = "percentile")`) is centred on the
#'   reselected values, which sit above the estimate; the default normal
#'   interval is centred on the estimate.
#' @param n_threads Number of threads (see [gmmmi-package]); the result does
#'   not depend on it.
#' @param na.action What to do with rows that have a missing value:
#'   [stats::na.omit()] or [stats::na.exclude()] (leave them out),
#'   [stats::na.fail()] (an error) or [stats::na.pass()] (keep them, for the
#'   checks to refuse), or the name of one; by default
#'   `getOption("na.action")`.
#' @param ... For the formula method, the settings of the default method
#'   (`n_bootstrap`, `mc_samples`, `units`, `prior`, `marginal`, `control`,
#'   `n_threads`), by name; otherwise unused (an error when given).
#' @return An object of class `"gmm_mi"`, a list with these fields, always
#'   present and in this order (a field that does not apply to the `type` of
#'   estimate is `NA` when it is a single value and `NULL` otherwise):
#'   `estimate` (the bias-corrected value, or with the correction off the
#'   mean of the bootstrap values, or for two categories the plug-in value;
#'   the single fit's value without bootstrap), `se` (the standard deviation
#'   of the bootstrap values, `NA` without bootstrap), `bootstrap` (every
#'   bootstrap value; a replicate whose MI is not possible, not finite or below
#'   0 by more than 4 Monte Carlo standard errors, counts as failed), `mc_se` (Monte Carlo error of the estimate),
#'   `full_data` (the value of the fit to all the data),
#'   `estimate_uncorrected` (the mean of the bootstrap values; the plug-in
#'   value for two categories), `bias_correction` (whether the estimate is
#'   corrected), `entropy_bound` (the entropy of a discrete side, which no
#'   estimate exceeds; `Inf` if neither side is discrete), `n_components`
#'   (one per category for a category),
#'   `selection` (a `"gmm_selection"`, or a list of one per category), `fit`
#'   (the `"gmm"` fitted to all the data, in the data's units unless their
#'   scale is extreme: see [gmm_fit()]; a list of one per category), `units`,
#'   `n` (the rows used), `n_bootstrap`, `variables` (the names of the
#'   columns of x, y and z),
#'   `conditional`, `type` (`"continuous"`, `"categorical"` or `"discrete"`
#'   for two categories), `n_retried` and `n_failed` (bootstrap fits that had
#'   to be restarted, and that failed even so; failed ones are left out of
#'   the estimate), `bootstrap_k` (the number of components of each bootstrap
#'   fit), `reselect` (whether each replicate chose its own), `marginal` (the
#'   coding used: `"none"` or `"gaussian_copula"`), `marginal_choice` (with
#'   `marginal = "auto"`: the coding `chosen`, the mean held-out pointwise MI
#'   under each coding, `score`, the paired `gain` of the copula and its
#'   standard error `gain_se`, the threshold `z`, and `trimmed`, whether
#'   the trimmed comparison decided, whose gain and se are then given;
#'   otherwise `NULL`),
#'   `category` (which of `"x"` and `"y"` is the category), `prior` (p(c), one
#'   value per category), `labels` (the categories of the rows, rare ones
#'   pooled), `na_action` (the rows left out for missing values, marked as by
#'   [stats::na.omit()], or `NULL`), `data` (as fitted, so transformed when
#'   the copula was used) and `call`.
#' @seealso [confint.gmm_mi()], [mi_test()], [plot.gmm_mi()], [gmm_mi_control()].
#' @examples
#' set.seed(1)
#' n <- 2000
#' x <- rnorm(n)
#' y <- 0.6 * x + sqrt(1 - 0.6^2) * rnorm(n)
#' res <- gmm_mi(x, y, n_bootstrap = 20, mc_samples = 2e4)
#' res
#' -0.5 * log(1 - 0.6^2)  # the true value
#' confint(res)
#'
#' # a data frame, with a formula; incomplete rows are left out
#' gmm_mi(Ozone ~ Temp, data = airquality, n_bootstrap = 10, mc_samples = 5000)
#' @export
gmm_mi <- function(x, ...) {
  # gmm_mi(Ozone, Temp, data = airquality): `data` is for formulas.
  if ("data" %in% names(match.call(expand.dots = FALSE)$...)) {
    env <- this_call()
    tryCatch(force(x), error = function(e) {
      gmmmi_abort(c("Could not evaluate {.arg x}: {conditionMessage(e)}",
                    "i" = "{.arg data} belongs to the formula interface, e.g. {.code gmm_mi(y ~ x, data = d)}."),
                  env)
    })
  }
  UseMethod("gmm_mi")
}

#' @rdname gmm_mi
#' @export
gmm_mi.default <- function(x, y = NULL, z = NULL, n_bootstrap = 50, mc_samples = 1e5,
                           units = c("nat", "bit"), prior = c("empirical", "uniform"),
                           marginal = NULL,
                           control = gmm_mi_control(), n_threads = NULL,
                           na.action = getOption("na.action"), ...) {
  call <- match.call()
  call <- as_generic_call(call, "gmm_mi")
  env <- this_call()  # (forced here: see this_call())
  env <- as_generic_call(env, "gmm_mi")
  check_no_dots(list(...), env)
  check_not_column_names(x, y, z, arg_label(substitute(x), "data"), env)
  labels <- c(x = arg_label(substitute(x), "x"), y = arg_label(substitute(y), "y"),
              z = arg_label(substitute(z), "z"))
  mi_dispatch(x, y, z, n_bootstrap, mc_samples, units, prior, marginal, control, n_threads,
              na.action, labels, call, env)
}

# The estimate, for either interface: checks the settings, leaves out rows
# with missing values (na.action), names the sides, and dispatches on the
# kinds of variables.
mi_dispatch <- function(x, y, z, n_bootstrap, mc_samples, units, prior, marginal, control,
                        n_threads, na.action, labels, call, env) {
  n_bootstrap <- check_whole(n_bootstrap, "n_bootstrap", env, min = 0, max = 1e6)
  mc_samples <- check_whole(mc_samples, "mc_samples", env, min = 1, max = 1e9)
  units <- check_choice(units, c("nat", "bit"), "units", env)
  prior <- check_choice(prior, c("empirical", "uniform"), "prior", env)
  control <- check_control(control, env)
  marginal <- resolve_marginal(marginal, control, env)
  n_threads <- resolve_threads(n_threads, env)
  sides <- split_pair(list(x = x, y = y, z = z), labels, env)
  rows <- drop_missing(sides$data, na.action, env)
  named <- name_sides(rows$data, sides$labels)
  x <- named$data$x
  y <- named$data$y
  z <- named$data$z
  for (s in c("x", "y")) {
    warn_numbers_as_labels(named$data[[s]], cli::format_inline("{.arg {s}} ({named$labels[[s]]})"))
  }
  res <- if (!is_discrete(x) && !is_discrete(y)) {
    mi_continuous(x, y, z, n_bootstrap, mc_samples, units, marginal, control, n_threads,
                  call, env)
  } else {
    mi_with_category(x, y, z, n_bootstrap, mc_samples, units, prior, marginal, control,
                     n_threads, call, env)
  }
  label_categories(res, named$labels, rows$omitted)
}

mi_with_category <- function(x, y, z, n_bootstrap, mc_samples, units, prior, marginal, control,
                             n_threads, call, env) {
  if (isTRUE(control$reselect)) {
    gmmmi_abort("{.arg reselect} = TRUE in {.arg control} is not supported when {.arg x} or {.arg y} is a category.", env)
  }
  if (is.null(y)) gmmmi_abort("A categorical {.arg x} needs a second variable {.arg y}.", env)
  if (!is.null(z)) gmmmi_abort("Conditional MI with a categorical {.arg x} or {.arg y} is not supported.", env)
  if (is_discrete(x) && is_discrete(y)) {
    return(mi_discrete(x, y, n_bootstrap, units, use_correction(control$bias_correction, "discrete"),
                       control$interval, call, env))
  }
  mi_categorical(x, y, n_bootstrap, mc_samples, units, prior, marginal, control, n_threads, call, env)
}

# The one constructor of "gmm_mi": every field, in this order, for every type
# of estimate, so that methods need not ask whether a field exists. Fields
# that only some types have default to "not applicable" (see gmm_mi()).
new_gmm_mi <- function(type, estimate, se, bootstrap, mc_se, full_data, estimate_uncorrected,
                       bias_correction, interval, entropy_bound = Inf, n_components, selection,
                       fit, units, n, n_bootstrap, variables, conditional, n_retried, n_failed,
                       bootstrap_k = NULL, reselect = FALSE, marginal = NA_character_,
                       marginal_choice = NULL, category = NA_character_, prior = NULL,
                       labels = NULL, na_action = NULL, data, call) {
  structure(list(estimate = estimate, se = se, bootstrap = bootstrap, mc_se = mc_se,
                 full_data = full_data, estimate_uncorrected = estimate_uncorrected,
                 bias_correction = bias_correction, interval = interval, entropy_bound = entropy_bound,
                 n_components = n_components, selection = selection,
                 fit = fit, units = units, n = n, n_bootstrap = n_bootstrap, variables = variables,
                 conditional = conditional, type = type, n_retried = n_retried,
                 n_failed = n_failed, bootstrap_k = bootstrap_k, reselect = reselect,
                 marginal = marginal, marginal_choice = marginal_choice, category = category,
                 prior = prior, labels = labels, na_action = na_action, data = data, call = call),
            class = "gmm_mi")
}

# MI (or conditional MI) of continuous variables: one joint mixture.
mi_continuous <- function(x, y, z, n_bootstrap, mc_samples, units, marginal, control, n_threads,
                          call, env) {
  blocks <- mi_blocks(x, y, z, env)
  sides <- list(x = blocks$joint[, blocks$x, drop = FALSE], y = blocks$joint[, blocks$y, drop = FALSE])
  warn_few_values(sides)
  joint <- apply_marginal(blocks$joint, marginal)
  check_rows_for_folds(nrow(joint), control, env)
  check_identifiable(nrow(joint), length(blocks$x), length(blocks$y), env, r = length(blocks$z))
  control$reselect <- use_reselect(control$reselect, nrow(joint), ncol(joint))
  alternative <- if (marginal == "auto") apply_marginal(joint, "gaussian_copula")

  res <- call_core(gmm_mi_cpp(joint, blocks$x, blocks$y, blocks$z, control, n_bootstrap,
                              mc_samples, n_threads, progress_callback("Bootstrap fits", environment()),
                              alternative),
                   env)
  div <- unit_divisor(units)
  coding <- res$coding
  if (!is.null(coding)) {
    if (coding$alternative) joint <- alternative
    marginal <- if (coding$alternative) "gaussian_copula" else "none"
    coding <- list(chosen = marginal, score = c(none = coding$score, gaussian_copula = coding$score_alt) / div,
                   gain = coding$gain / div, gain_se = coding$gain_se / div, z = coding$z,
                   trimmed = coding$trimmed)
  }
  # (n: the rows the selection was made on, a subsample above select_rows)
  selection <- new_selection(res$selection, colnames(joint), control, call, as.integer(res$selection_rows))
  bound <- entropy_bound(sides, units)
  correct <- use_correction(control$bias_correction, "continuous", ncol(joint), selection$n_components,
                            control$reselect)
  stats <- summarise_bootstrap(res, n_bootstrap, div, correct, env, bound)
  fit <- new_gmm(res$fit, colnames(joint), loglik = res$fit_loglik * nrow(joint),
                 n_iter = res$fit_n_iter, converged = res$fit_converged, n = nrow(joint),
                 init = "warm start")
  if (control$reg_covar > 0 &&
      unresolved_dependence(fit, joint, blocks$names$x, blocks$names$y, control$reg_covar)) {
    warn_unresolved()
  }
  new_gmm_mi("continuous", estimate = stats$estimate, se = stats$se, bootstrap = stats$bootstrap,
             mc_se = stats$mc_se, full_data = res$full_mi / div,
             estimate_uncorrected = stats$uncorrected, bias_correction = stats$corrected,
             interval = control$interval, entropy_bound = bound, n_components = selection$n_components, selection = selection, fit = fit,
             units = units, n = nrow(joint), n_bootstrap = n_bootstrap, variables = blocks$names,
             conditional = length(blocks$z) > 0, n_retried = res$n_retried,
             n_failed = res$n_failed, bootstrap_k = res$bootstrap_k, reselect = control$reselect,
             marginal = marginal, marginal_choice = coding, data = joint, call = call)
}

# marginal = NULL follows the selection rule (see selection_defaults).
resolve_marginal <- function(marginal, control, call) {
  if (is.null(marginal)) return(selection_defaults[[control$selection]]$marginal)
  check_choice(marginal, c("auto", "none", "gaussian_copula"), "marginal", call)
}

# The copula option: each column replaced by qnorm of its ranks / (n + 1).
apply_marginal <- function(m, marginal) {
  if (marginal != "gaussian_copula") return(m)
  n <- nrow(m)
  out <- apply(m, 2, function(v) stats::qnorm(rank(v, ties.method = "average") / (n + 1)))
  dim(out) <- dim(m)
  dimnames(out) <- dimnames(m)
  out
}

# The estimate, its standard error and Monte Carlo error from the full-data
# value and the bootstrap values that exist. Uncorrected, the estimate is the
# mean of the bootstrap values (the reference's way). Corrected, it is
# 2 * full - mean(bootstrap): a resample's fit overstates the MI of the full
# data's fit by about as much as that fit overstates the truth (noise in the
# fitted parameters looks like dependence), so the mean of the bootstrap
# values carries that bias twice and the difference estimates it once. MI is
# not negative, so neither is the estimate (corrected or not).
# The estimate never exceeds `bound`, the entropy of a discrete side.
# `correct`: "always", "never" or "if_material" (see use_correction()), or
# "full_data" (the full-data value, with the bootstrap spread as its se: for
# reselected replicates, see gmm_mi_control()).
summarise_bootstrap <- function(res, n_bootstrap, div, correct, call, bound = Inf) {
  boot <- res$bootstrap / div
  full <- res$full_mi / div
  ok <- is.finite(boot)
  if (n_bootstrap > 0 && !any(ok)) {
    cli::cli_abort("Every bootstrap fit failed.", class = c("gmmmi_error_fit", "gmmmi_error"), call = call)
  }
  if (res$n_failed > 0) {
    cli::cli_warn("{res$n_failed} of {n_bootstrap} bootstrap fit{?s} failed and {?was/were} left out.",
                  class = "gmmmi_warning_bootstrap")
  }
  if (n_bootstrap == 0) {
    return(list(bootstrap = boot, estimate = max(0, min(full, bound)), uncorrected = full, corrected = FALSE,
                se = NA_real_, mc_se = res$full_mc_se / div))
  }
  mean_boot <- mean(boot[ok])
  mc_mean <- sqrt(sum((res$bootstrap_mc_se[ok] / div)^2)) / sum(ok)
  # An m-out-of-n bootstrap (gmm_mi_control(bootstrap_rows)) integrates every
  # replicate with the full-data fit's draws: their mean carries its error.
  if (isTRUE(res$shrink < 1)) mc_mean <- res$full_mc_se / div
  se <- if (sum(ok) > 1) stats::sd(boot[ok]) else NA_real_
  # A bias below a quarter of the se is not worth the variance that
  # correcting it adds (Efron and Tibshirani 1993, section 10.6).
  if (correct == "if_material") correct <- is.finite(se) && abs(mean_boot - full) >= material_bias * se
  if (identical(correct, "full_data")) {
    return(list(bootstrap = boot, estimate = max(0, min(full, bound)), uncorrected = mean_boot,
                corrected = FALSE, se = se, mc_se = res$full_mc_se / div))
  }
  if (isFALSE(correct) || identical(correct, "never")) {
    return(list(bootstrap = boot, estimate = max(0, min(mean_boot, bound)), uncorrected = mean_boot,
                corrected = FALSE, se = se, mc_se = mc_mean))
  }
  list(bootstrap = boot, estimate = min(bound, max(0, 2 * full - mean_boot)), uncorrected = mean_boot,
       corrected = TRUE, se = se, mc_se = sqrt(4 * (res$full_mc_se / div)^2 + mc_mean^2))
}

is_discrete <- function(v) {
  if (is.data.frame(v) && ncol(v) == 1) v <- v[[1]]
  is.factor(v) || is.character(v) || is.logical(v)
}

as_category <- function(v, arg, call) {
  if (is.data.frame(v)) v <- v[[1]]
  if (!is.null(dim(v)) && length(dim(v)) > 1 && ncol(v) > 1) {
    gmmmi_abort("A categorical {.arg {arg}} must be a single column.", call)
  }
  if (anyNA(v)) {
    gmmmi_abort(c("{.arg {arg}} must not contain missing labels.",
                  "x" = "Found {sum(is.na(v))} NA value{?s}."), call)
  }
  f <- droplevels(as.factor(v))
  if (nlevels(f) < 2) {
    gmmmi_abort(c("{.arg {arg}} must have at least two categories.",
                  "x" = "Only {.val {levels(f)}} occur{?s}."), call)
  }
  f
}

# MI of a category and continuous variables: one mixture per category.
mi_categorical <- function(x, y, n_bootstrap, mc_samples, units, prior, marginal, control,
                           n_threads, call, env) {
  cat_arg <- if (is_discrete(x)) "x" else "y"
  cont_arg <- if (cat_arg == "x") "y" else "x"
  labels <- as_category(if (cat_arg == "x") x else y, cat_arg, env)
  cont <- as_data_matrix(if (cat_arg == "x") y else x, cont_arg, env)
  if (nrow(cont) != length(labels)) {
    gmmmi_abort("{.arg x} and {.arg y} must have the same number of rows ({.arg {cat_arg}} has {length(labels)}, {.arg {cont_arg}} has {nrow(cont)}).", env)
  }
  check_no_constant(cont, cont_arg, env)
  if (marginal == "auto") marginal <- "none"  # one mixture per category: no joint score to compare
  cont <- apply_marginal(cont, marginal)
  labels <- pool_rare_categories(labels, rows_for_folds(control), cat_arg, env)
  counts <- table(labels)
  levels <- levels(labels)
  p <- if (prior == "empirical") as.numeric(counts) / sum(counts) else rep(1 / length(levels), length(levels))
  names(p) <- levels
  res <- call_core(gmm_mi_categorical_cpp(cont, as.integer(labels), length(levels), p,
                                          prior == "empirical", control,
                                          n_bootstrap, mc_samples, n_threads,
                                          progress_callback("Bootstrap fits", environment())), env)
  div <- unit_divisor(units)
  bound <- min(plug_in_entropy(if (prior == "empirical") counts else rep(1, length(p))), discrete_entropy(cont)) / div
  stats <- summarise_bootstrap(res, n_bootstrap, div, use_correction(control$bias_correction, "categorical"),
                               env, bound)
  fits <- lapply(seq_along(levels), function(i) {
    f <- res$fits[[i]]
    new_gmm(f, colnames(cont), loglik = f$loglik * counts[[i]], n_iter = f$n_iter,
            converged = f$converged, n = counts[[i]], init = "warm start")
  })
  sels <- lapply(seq_along(levels), function(i) {
    new_selection(res$selections[[i]], colnames(cont), control, call, counts[[i]])
  })
  names(fits) <- names(sels) <- levels
  n_comp <- vapply(sels, function(s) s$n_components, integer(1))
  vars <- list(x = if (cat_arg == "x") cat_arg else colnames(cont), y = if (cat_arg == "y") cat_arg else colnames(cont))
  new_gmm_mi("categorical", estimate = stats$estimate, se = stats$se, bootstrap = stats$bootstrap,
             mc_se = stats$mc_se, full_data = res$full_mi / div,
             estimate_uncorrected = stats$uncorrected, bias_correction = stats$corrected,
             interval = control$interval, entropy_bound = bound, n_components = n_comp,
             selection = sels, fit = fits, units = units, n = length(labels),
             n_bootstrap = n_bootstrap, variables = vars, conditional = FALSE,
             n_retried = res$n_retried, n_failed = res$n_failed, reselect = FALSE,
             marginal = marginal, category = cat_arg, prior = p, labels = labels, data = cont,
             call = call)
}

# Plug-in MI of two categorical variables; a bootstrap over rows gives its se.
# Uncorrected, the estimate is the plug-in value of the full table (the mean
# of bootstrapped plug-in values would add the plug-in bias a second time);
# corrected, it is 2 * plug-in - mean(bootstrap), as for mixtures.
mi_discrete <- function(x, y, n_bootstrap, units, correct, interval, call, env) {
  fx <- as_category(x, "x", env)
  fy <- as_category(y, "y", env)
  if (length(fx) != length(fy)) {
    gmmmi_abort("{.arg x} and {.arg y} must have the same length ({length(fx)} and {length(fy)}).", env)
  }
  div <- unit_divisor(units)
  n <- length(fx)
  ix <- as.integer(fx)
  iy <- as.integer(fy)
  full <- plug_in_mi(ix, iy)
  boot <- vapply(seq_len(n_bootstrap), function(b) {
    i <- sample.int(n, n, replace = TRUE)
    plug_in_mi(ix[i], iy[i])
  }, numeric(1))
  res <- list(bootstrap = boot, full_mi = full, bootstrap_mc_se = numeric(n_bootstrap),
              full_mc_se = 0, n_failed = 0L)
  stats <- summarise_bootstrap(res, n_bootstrap, div, correct, env)
  if (!stats$corrected) stats$estimate <- full / div
  new_gmm_mi("discrete", estimate = stats$estimate, se = stats$se,
             bootstrap = stats$bootstrap, mc_se = 0, full_data = full / div,
             estimate_uncorrected = full / div, bias_correction = stats$corrected, interval = interval,
             n_components = NA_integer_,
             selection = NULL, fit = NULL, units = units, n = n, n_bootstrap = n_bootstrap,
             variables = list(x = "x", y = "y"), conditional = FALSE, n_retried = 0L,
             n_failed = 0L, data = data.frame(x = fx, y = fy), call = call)
}

# Joint matrix and the column positions of each block.
mi_blocks <- function(x, y, z, call) {
  if (is.null(y)) {
    xm <- as_data_matrix(x, "x", call)
    if (ncol(xm) != 2) {
      gmmmi_abort(c("With {.arg y} = {.code NULL}, {.arg x} must have exactly two columns.",
                    "x" = "It has {ncol(xm)} column{?s}.",
                    "i" = "Pass the second variable as {.arg y}, or split {.arg x} into {.arg x} and {.arg y}."), call)
    }
    if (!is.null(z)) gmmmi_abort("{.arg z} needs {.arg y}: give {.arg x} and {.arg y} separately.", call)
    if (!nzchar(colnames(xm)[1]) || !nzchar(colnames(xm)[2])) colnames(xm) <- c("x", "y")
    check_no_constant(xm, "x", call)
    blocks <- list(x = xm[, 1, drop = FALSE], y = xm[, 2, drop = FALSE])
    if (identical(colnames(xm), c("x1", "x2"))) {
      colnames(blocks$x) <- "x"
      colnames(blocks$y) <- "y"
    }
  } else {
    blocks <- list(x = as_data_matrix(x, "x", call), y = as_data_matrix(y, "y", call))
    if (!is.null(z)) blocks$z <- as_data_matrix(z, "z", call)
  }
  rows <- vapply(blocks, nrow, integer(1))
  if (length(unique(rows)) > 1) {
    desc <- paste0("{.arg ", names(rows), "} has ", rows, " row", ifelse(rows == 1, "", "s"))
    gmmmi_abort(c("{.arg {names(rows)}} must have the same number of rows.",
                  stats::setNames(desc, rep("x", length(desc)))), call)
  }
  for (nm in names(blocks)) check_no_constant(blocks[[nm]], nm, call)
  joint <- do.call(cbind, unname(blocks))
  colnames(joint) <- make.unique(colnames(joint))
  widths <- vapply(blocks, ncol, integer(1))
  ends <- cumsum(widths)
  pos <- lapply(seq_along(widths), function(i) seq_len(widths[i]) + ends[i] - widths[i])
  names(pos) <- names(blocks)
  list(joint = joint, x = pos$x, y = pos$y, z = if (is.null(pos$z)) integer(0) else pos$z,
       names = lapply(pos, function(p) colnames(joint)[p]))
}

# The smallest bias, relative to the standard error, that "auto" corrects.
material_bias <- 0.25

# Plug-in MI (nats) of two integer-coded categories from the counts of the
# pairs that occur: memory and time grow with the rows, not with the product
# of the numbers of levels.
plug_in_mi <- function(a, b) {
  a <- as.integer(a)
  b <- as.integer(b)
  n <- length(a)
  key <- (as.double(a) - 1) * (max(b) + 1) + b
  pair <- match(key, unique(key))
  n_ab <- tabulate(pair)
  first <- match(seq_along(n_ab), pair)
  n_a <- tabulate(a)[a[first]]
  n_b <- tabulate(b)[b[first]]
  sum(n_ab / n * log(n_ab * n / (as.double(n_a) * n_b)))
}

# Categories with fewer rows than a mixture's cross-validation needs are
# pooled into one category, "(rare)"; if the pool is still too small, it joins
# the smallest of the others. The MI of the pooled labels is at most that of
# the original ones (the rare categories' own information is lost), which for
# a long tail of counts is little: their rows are few.
pool_rare_categories <- function(labels, need, arg, call) {
  counts_before <- counts <- table(labels)
  rare <- names(counts)[counts < need]
  if (!length(rare)) return(labels)
  pool <- "(rare)"
  while (pool %in% levels(labels)) pool <- paste0(pool, "'")
  levels(labels)[levels(labels) %in% rare] <- pool
  counts <- table(labels)
  if (counts[[pool]] < need && length(counts) > 1) {
    others <- counts[names(counts) != pool]
    host <- names(others)[which.min(others)]
    levels(labels)[levels(labels) == pool] <- host
  }
  if (nlevels(labels) < 2) {
    gmmmi_abort(c("{.arg {arg}} needs two categories with at least {need} rows each to fit their mixtures (smaller ones are pooled).",
                  "x" = "Too few rows: {.val {rare}} ({counts_before[rare]}).",
                  "i" = "Use fewer folds in {.fn gmm_mi_control}, or merge categories."), call)
  }
  cli::cli_warn(c("{length(rare)} categor{?y/ies} of {.arg {arg}} with fewer than {need} rows {?was/were} pooled into one: {.val {utils::head(rare, 5)}}{if (length(rare) > 5) ', ...' else ''}.",
                  "i" = "The MI is that of the pooled categories, at most that of the original ones."),
                class = c("gmmmi_warning_rare", "gmmmi_warning"))
  droplevels(labels)
}
