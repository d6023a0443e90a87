#' Tidy summaries of mutual information estimates
#'
#' Methods for the `tidy()` and `glance()` generics of the generics package
#' (re-exported by gmmmi and by broom), so that estimates drop into
#' data-frame workflows: `tidy()` gives one row per estimate, `glance()` one
#' row per object. `as.data.frame()` gives the same as `tidy()`.
#'
#' Column names follow broom's conventions: `std.error` is the bootstrap
#' standard error, and `conf.low` and `conf.high` the bootstrap interval of
#' [confint.gmm_mi()] (`NA` with fewer than two bootstrap values). `x`, `y`
#' and `z` name the variables, the columns of a side joined by ", ".
#'
#' @param x A `"gmm_mi"` or `"mi_matrix"` object.
#' @param conf.int Whether to add the interval (`conf.low`, `conf.high`).
#' @param conf.level Its confidence level.
#' @param row.names,optional For `as.data.frame()`: row names of the result
#'   (`NULL` for the default), and unused.
#' @param ... Unused.
#' @return A data frame.
#'
#'   `tidy()` of a `"gmm_mi"`: one row with `term` (`"MI"` or `"CMI"` for a
#'   conditional MI), `x`, `y` and `z` (the variables; `z` is `NA` unless the
#'   MI is conditional), `estimate`, `std.error`, `conf.low`, `conf.high`,
#'   `mc.se` (the Monte Carlo error), `units`, `n`, `n_components` (for a
#'   category, the total over the per-category mixtures; `NA` for two
#'   categories) and `n_bootstrap`.
#'
#'   `tidy()` of a `"mi_matrix"`: one row per pair, `x` and `y` (a column of
#'   `x` and one of `y`; with `y = NULL`, each unordered pair of columns of
#'   `x` once, in their order), then `estimate`, `std.error`, `conf.low`,
#'   `conf.high`, `mc.se`, `type` and `units`; pairs with no estimate are
#'   left out.
#'
#'   `glance()` of a `"gmm_mi"`: one row with `estimate`, `std.error`,
#'   `units`, `type`, `conditional`, `nobs`, `n_components`, `n_bootstrap`,
#'   `n_retried`, `n_failed`, `full_data` (the MI of the fit to all the data),
#'   `marginal` (the coding of the margins that was fitted: `"none"` or
#'   `"gaussian_copula"`; `NA` for two categories) and, for continuous
#'   variables, `logLik`, `AIC` and `BIC` of that fit, in the fitted coding
#'   (`NA` otherwise).
#'
#'   `glance()` of a `"mi_matrix"`: one row with `nobs`, `n_rows`, `n_cols`,
#'   `n_pairs` (pairs with an estimate), `n_bootstrap`, `mc_samples`, `units`,
#'   `symmetric`, `max_estimate` (the largest MI) and `mig` (the mean
#'   mutual information gap of [mi_gap()], `NA` when it is undefined).
#' @seealso [gmm_mi()], [confint.gmm_mi()], [mi_matrix()], [mi_gap()].
#' @examples
#' set.seed(1)
#' x <- rnorm(500)
#' y <- x + rnorm(500)
#' res <- gmm_mi(x, y, n_bootstrap = 10, mc_samples = 5000, n_threads = 1)
#' tidy(res)
#' glance(res)
#' as.data.frame(res)
#' @name tidy.gmm_mi
#' @export
tidy.gmm_mi <- function(x, conf.int = TRUE, conf.level = 0.95, ...) {
  env <- this_call()
  conf.level <- check_real(conf.level, "conf.level", env, min = 0, min_inclusive = FALSE, max = 1)
  ci <- result_interval(x, conf.level)
  side <- function(v) if (is.null(v)) NA_character_ else paste(v, collapse = ", ")
  out <- data.frame(term = if (x$conditional) "CMI" else "MI",
                    x = side(x$variables$x), y = side(x$variables$y), z = side(x$variables$z),
                    estimate = x$estimate, std.error = x$se,
                    conf.low = ci[1], conf.high = ci[2], mc.se = x$mc_se, units = x$units,
                    n = x$n, n_components = total_components(x), n_bootstrap = x$n_bootstrap,
                    stringsAsFactors = FALSE)
  if (!isTRUE(conf.int)) out$conf.low <- out$conf.high <- NULL
  out
}

#' @rdname tidy.gmm_mi
#' @export
as.data.frame.gmm_mi <- function(x, row.names = NULL, optional = FALSE, conf.level = 0.95, ...) {
  out <- tidy.gmm_mi(x, conf.level = conf.level)
  if (!is.null(row.names)) rownames(out) <- row.names
  out
}

#' @rdname tidy.gmm_mi
#' @export
glance.gmm_mi <- function(x, ...) {
  ll <- if (x$type == "continuous") stats::logLik(x$fit) else NULL
  data.frame(estimate = x$estimate, std.error = x$se, units = x$units, type = x$type,
             conditional = x$conditional, nobs = x$n, n_components = total_components(x),
             n_bootstrap = x$n_bootstrap, n_retried = x$n_retried, n_failed = x$n_failed,
             full_data = x$full_data, marginal = x$marginal,
             logLik = if (is.null(ll)) NA_real_ else as.numeric(ll),
             AIC = if (is.null(ll)) NA_real_ else stats::AIC(ll),
             BIC = if (is.null(ll)) NA_real_ else stats::BIC(ll),
             stringsAsFactors = FALSE)
}

#' @rdname tidy.gmm_mi
#' @export
tidy.mi_matrix <- function(x, conf.int = TRUE, conf.level = 0.95, ...) {
  env <- this_call()
  conf.level <- check_real(conf.level, "conf.level", env, min = 0, min_inclusive = FALSE, max = 1)
  idx <- matrix_pairs(x)
  ci <- if (nrow(idx)) {
    t(apply(idx, 1, function(p) {
      mi_interval(x$interval, conf.level, x$estimate[p[1], p[2]], x$se[p[1], p[2]],
                  x$full_data[p[1], p[2]], x$bootstrap[p[1], p[2], ],
                  x$entropy_bound[p[1], p[2]])
    }))
  } else {
    matrix(numeric(0), 0, 2)
  }
  rn <- rownames(x$estimate)
  cn <- colnames(x$estimate)
  out <- data.frame(x = rn[idx[, 1]], y = cn[idx[, 2]],
                    estimate = x$estimate[idx], std.error = x$se[idx],
                    conf.low = ci[, 1], conf.high = ci[, 2], mc.se = x$mc_se[idx],
                    type = x$type[idx], units = rep(x$units, nrow(idx)),
                    stringsAsFactors = FALSE)
  if (!isTRUE(conf.int)) out$conf.low <- out$conf.high <- NULL
  out
}

#' @rdname tidy.gmm_mi
#' @export
as.data.frame.mi_matrix <- function(x, row.names = NULL, optional = FALSE, conf.level = 0.95, ...) {
  out <- tidy.mi_matrix(x, conf.level = conf.level)
  if (!is.null(row.names)) rownames(out) <- row.names
  out
}

#' @rdname tidy.gmm_mi
#' @export
glance.mi_matrix <- function(x, ...) {
  idx <- matrix_pairs(x)
  mig <- tryCatch(attr(mi_gap(x), "mean_gap"), gmmmi_error = function(e) NA_real_)
  data.frame(nobs = x$n, n_rows = nrow(x$estimate), n_cols = ncol(x$estimate),
             n_pairs = nrow(idx), n_bootstrap = x$n_bootstrap, mc_samples = x$mc_samples,
             units = x$units, symmetric = x$symmetric,
             max_estimate = if (nrow(idx)) max(x$estimate[idx]) else NA_real_,
             mig = if (is.finite(mig)) mig else NA_real_, stringsAsFactors = FALSE)
}

# The number of components of a "gmm_mi", summed over the categories.
total_components <- function(x) {
  if (x$type == "discrete") return(NA_integer_)
  as.integer(sum(x$n_components))
}

# Positions (row, column) of the pairs with an estimate, in row-major order;
# a symmetric matrix gives each unordered pair once.
matrix_pairs <- function(x) {
  keep <- !is.na(x$estimate)
  if (x$symmetric) keep <- keep & upper.tri(keep)
  idx <- which(keep, arr.ind = TRUE)
  idx <- idx[order(idx[, 1], idx[, 2]), , drop = FALSE]
  unname(idx)
}

#' @importFrom generics tidy
#' @export
generics::tidy

#' @importFrom generics glance
#' @export
generics::glance
