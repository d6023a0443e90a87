# Methods of the "gmm_mi" class (see new_gmm_mi()) and their helpers.

#' @export
print.gmm_mi <- function(x, digits = 3, ...) {
  cat(format(x, digits = digits), "\n", sep = "")
  cat(sprintf("  %s; %s; n = %d%s; %d bootstrap fit%s",
              describe_variables(x$variables), describe_components(x), x$n,
              describe_omitted(x$na_action), x$n_bootstrap, if (x$n_bootstrap == 1) "" else "s"))
  if (x$n_retried > 0) cat(sprintf(" (%d restarted", x$n_retried))
  if (x$n_failed > 0) cat(sprintf("%s%d failed", if (x$n_retried > 0) ", " else " (", x$n_failed))
  if (x$n_retried > 0 || x$n_failed > 0) cat(")")
  cat("\n")
  invisible(x)
}

#' Methods for a mutual information estimate
#'
#' `format()` gives the estimate in one line, as `print()` starts; `coef()`
#' the estimate, named `"MI"` (or `"CMI"` for a conditional MI); `nobs()` the
#' number of rows used.
#'
#' @param x,object A `"gmm_mi"` object.
#' @param digits Digits shown.
#' @param ... Unused.
#' @return A character string, a named number, or a whole number.
#' @examples
#' set.seed(1)
#' x <- rnorm(300)
#' y <- x + rnorm(300)
#' res <- gmm_mi(x, y, n_bootstrap = 5, mc_samples = 2000)
#' format(res)
#' coef(res)
#' nobs(res)
#' @name format.gmm_mi
#' @export
format.gmm_mi <- function(x, digits = 3, ...) {
  what <- if (x$conditional) "Conditional MI" else "MI"
  if (is.na(x$se)) {
    how <- if (x$n_bootstrap == 0) "single fit, no bootstrap" else "too few bootstrap fits for a standard error"
    return(sprintf("%s = %s %s (%s)", what, format(x$estimate, digits = digits), x$units, how))
  }
  sprintf("%s = %s %s %s %s", what, formatC(x$estimate, digits = digits, format = "f"),
          pm_symbol(), formatC(x$se, digits = digits, format = "f"), x$units)
}

#' @rdname format.gmm_mi
#' @importFrom stats coef
#' @export
coef.gmm_mi <- function(object, ...) {
  stats::setNames(object$estimate, if (object$conditional) "CMI" else "MI")
}

#' @rdname format.gmm_mi
#' @export
nobs.gmm_mi <- function(object, ...) object$n

# The component-selection tables: one, one per category, or none.
selection_tables <- function(x) {
  switch(x$type,
         discrete = list(),
         categorical = lapply(x$selection, function(s) s$table),
         continuous = stats::setNames(list(x$selection$table), ""))
}

describe_components <- function(x) {
  switch(x$type,
         discrete = "plug-in estimate from the contingency table",
         categorical = paste0("components per category: ",
                              paste(names(x$n_components), x$n_components, sep = " ", collapse = ", ")),
         continuous = paste0(x$n_components, " component", if (x$n_components == 1) "" else "s",
                             describe_reselect(x),
                             if (x$marginal == "gaussian_copula") " (Gaussian-copula margins)" else ""))
}

describe_reselect <- function(x) {
  k <- x$bootstrap_k[x$bootstrap_k > 0]
  if (!x$reselect || length(k) == 0) return("")
  if (min(k) == max(k)) return(sprintf(" (%d in every bootstrap fit)", k[1]))
  sprintf(" (%d to %d in the bootstrap fits)", min(k), max(k))
}

describe_variables <- function(v) {
  fmt <- function(p) if (length(p) == 1) p else paste0("(", paste(p, collapse = ", "), ")")
  out <- paste0(fmt(v$x), " vs ", fmt(v$y))
  if (!is.null(v$z)) out <- paste0(out, " given ", fmt(v$z))
  out
}

#' Summarise a mutual information estimate
#'
#' @param object A `"gmm_mi"` object.
#' @param level Confidence level of the interval (see [confint.gmm_mi()]).
#' @param ... Unused.
#' @return An object of class `"summary.gmm_mi"`.
#' @export
summary.gmm_mi <- function(object, level = 0.95, ...) {
  ci <- if (object$n_bootstrap > 1) stats::confint(object, level = level) else NULL
  structure(list(estimate = object$estimate, se = object$se, mc_se = object$mc_se, ci = ci,
                 level = level, units = object$units, n = object$n, conditional = object$conditional,
                 variables = object$variables, n_components = object$n_components,
                 n_bootstrap = object$n_bootstrap, type = object$type,
                 components = describe_components(object),
                 selection = selection_tables(object),
                 n_retried = object$n_retried,
                 n_failed = object$n_failed, full_data = object$full_data,
                 estimate_uncorrected = object$estimate_uncorrected,
                 bias_correction = object$bias_correction, interval = object$interval,
                 marginal_choice = object$marginal_choice, na_action = object$na_action),
            class = "summary.gmm_mi")
}

#' @export
print.summary.gmm_mi <- function(x, digits = 4, ...) {
  cat(if (x$conditional) "Conditional mutual information" else "Mutual information",
      ":", describe_variables(x$variables), "\n")
  cat(sprintf("  estimate      %s %s%s\n", format(x$estimate, digits = digits), x$units,
              if (x$bias_correction) " (bootstrap bias-corrected)" else ""))
  cat(sprintf("  bootstrap se  %s\n", format(x$se, digits = digits)))
  if (!is.null(x$ci)) {
    cat(sprintf("  %g%% interval  [%s, %s] (%s)\n", 100 * x$level,
                format(x$ci[1], digits = digits), format(x$ci[2], digits = digits),
                switch(x$interval, normal = "estimate +/- normal quantile x se",
                       percentile = "bootstrap percentiles", basic = "basic bootstrap")))
  }
  cat(sprintf("  Monte Carlo se %s; full-data fit %s; mean of the bootstrap values %s\n",
              format(x$mc_se, digits = 2), format(x$full_data, digits = digits),
              format(x$estimate_uncorrected, digits = digits)))
  cat(sprintf("  n = %d%s, %d bootstrap fits (%d restarted, %d failed)\n", x$n,
              describe_omitted(x$na_action), x$n_bootstrap, x$n_retried, x$n_failed))
  cat(sprintf("\n%s\n", x$components))
  if (!is.null(ch <- x$marginal_choice) && !is.finite(ch$gain)) {
    cat("Margins: Gaussian copula (marginal = \"auto\"): the data as they are could not be fitted\n")
  } else if (!is.null(ch)) {
    kept <- ch$chosen != "none"
    cat(sprintf(paste0("Margins: %s (marginal = \"auto\"): held-out pointwise MI %s as they are, %s with the copula;\n",
                       "  gain of the copula %s %s %s%s, %s %g se: %s\n"),
                if (kept) "Gaussian copula" else "as they are",
                format(ch$score[["none"]], digits = digits), format(ch$score[["gaussian_copula"]], digits = digits),
                format(ch$gain, digits = 2), pm_symbol(), format(ch$gain_se, digits = 2),
                if (isTRUE(ch[["trimmed"]])) " (20%-trimmed: one row dominated the mean)" else "",
                if (kept) "above" else "not above", ch$z,
                if (kept) "the copula is used" else "the data are used as they are"))
  }
  # (by position: the one table of a continuous MI has the empty name "")
  for (i in seq_along(x$selection)) {
    nm <- names(x$selection)[i]
    if (nzchar(nm)) cat(sprintf("Category %s:\n", nm))
    print(x$selection[[i]][, c("k", "validation", "aic", "bic")], row.names = FALSE, digits = 6)
  }
  invisible(x)
}

#' Bootstrap intervals for a mutual information estimate
#'
#' Three kinds of interval, all within 0 and the entropy bound of a discrete
#' side: `"normal"`, the estimate plus or minus `qnorm(1 - (1 - level) / 2)`
#' bootstrap standard errors (the default under the default rule: with 50
#' bootstrap values the tail percentiles are too noisy, and in
#' `bench/accuracy.R` this interval held the truth at least as often as the
#' others); `"percentile"`, the percentiles of the bootstrap values (the
#' reference's, and the default under `selection = "reference"`); and
#' `"basic"`, `2 * full_data` minus the upper and lower percentiles.
#'
#' @param object A `"gmm_mi"` object with at least two bootstrap values.
#' @param parm Ignored (there is one parameter, the MI).
#' @param level Confidence level.
#' @param type `"normal"`, `"percentile"` or `"basic"`; `NULL` for the
#'   result's own (`object$interval`, set by [gmm_mi_control()]).
#' @param ... Unused.
#' @return A one-row matrix with the lower and upper ends.
#' @export
confint.gmm_mi <- function(object, parm, level = 0.95, type = NULL, ...) {
  env <- this_call()
  level <- check_real(level, "level", env, min = 0, min_inclusive = FALSE, max = 1)
  if (!is.null(type)) object$interval <- check_choice(type, interval_types, "type", env)
  if (sum(is.finite(object$bootstrap)) < 2) {
    gmmmi_abort("{.arg object} has fewer than two bootstrap values: refit with {.arg n_bootstrap} > 1.", env)
  }
  a <- (1 - level) / 2
  matrix(result_interval(object, level), nrow = 1,
         dimnames = list("MI", paste(format(100 * c(a, 1 - a), trim = TRUE, digits = 3), "%")))
}

interval_types <- c("normal", "percentile", "basic")

# Lower and upper ends of an interval of `type` (see confint.gmm_mi()) for an
# MI `estimate` with standard error `se`, full-data value `full` and
# bootstrap values `boot`; within [0, bound], bound being the entropy of a
# discrete side; NA with fewer than two bootstrap values.
mi_interval <- function(type, level, estimate, se, full, boot, bound = Inf) {
  boot <- boot[is.finite(boot)]
  if (length(boot) < 2) return(c(NA_real_, NA_real_))
  a <- (1 - level) / 2
  q <- stats::quantile(boot, c(a, 1 - a), names = FALSE)
  ends <- switch(type,
                 normal = estimate + c(-1, 1) * stats::qnorm(1 - a) * se,
                 percentile = q,
                 basic = 2 * full - rev(q))
  pmin(bound, pmax(0, ends))
}

# The interval of a "gmm_mi" result.
result_interval <- function(x, level) {
  mi_interval(x$interval, level, x$estimate, x$se, x$full_data, x$bootstrap, x$entropy_bound)
}

#' Plot a mutual information estimate
#'
#' @param x A `"gmm_mi"` object.
#' @param what `"bootstrap"`: histogram of the bootstrap values with the
#'   estimate; `"fit"`: for one continuous x and one continuous y column, the
#'   data with the fitted components drawn as ellipses holding about 95
#'   percent of their mass (with Gaussian-copula margins, the data and the
#'   fit are in normal scores, and the axes say so).
#' @param ... Passed to [graphics::hist()] or [graphics::plot()]; they
#'   override the defaults (e.g. `main`, `xlab`, `xlim`).
#' @return `x`, invisibly.
#' @seealso [autoplot.gmm_mi()] for ggplot2.
#' @examples
#' set.seed(1)
#' x <- rnorm(500); y <- x + rnorm(500)
#' res <- gmm_mi(x, y, n_bootstrap = 10, mc_samples = 5000)
#' plot(res, "fit")
#' plot(res, "bootstrap")
#' @export
plot.gmm_mi <- function(x, what = c("bootstrap", "fit"), ...) {
  env <- this_call()
  what <- check_choice(what, c("bootstrap", "fit"), "what", env)
  if (what == "bootstrap") {
    boot <- x$bootstrap[is.finite(x$bootstrap)]
    if (length(boot) < 2) gmmmi_abort("There are no bootstrap values to plot.", env)
    args <- utils::modifyList(list(main = sprintf("Bootstrap MI: %s", describe_variables(x$variables)),
                                   xlab = paste0("MI (", x$units, ")"), col = "grey85",
                                   border = "white"), list(...))
    do.call(graphics::hist, c(list(boot), args))
    graphics::abline(v = x$estimate, lwd = 2, col = "firebrick")
    return(invisible(x))
  }
  check_fit_plot(x, env)
  cols <- c(x$variables$x, x$variables$y)
  pts <- x$data[, cols, drop = FALSE]
  ell <- fit_ellipses(x$fit, cols)
  # The limits take in the ellipses as well as the data.
  all <- rbind(pts, do.call(rbind, ell))
  k <- length(x$fit$weights)
  args <- utils::modifyList(list(xlim = range(all[, 1]), ylim = range(all[, 2]),
                                 xlab = axis_label(cols[1], x$marginal), ylab = axis_label(cols[2], x$marginal),
                                 main = sprintf("%s: %d-component mixture", describe_variables(x$variables), k),
                                 pch = 20, col = grDevices::adjustcolor("grey30", 0.3)), list(...))
  do.call(graphics::plot, c(list(x = unname(pts[, 1]), y = unname(pts[, 2])), args))
  pal <- grDevices::hcl.colors(max(3, k), "Dark 3")
  for (j in seq_len(k)) graphics::lines(ell[[j]], col = pal[j], lwd = 2)
  invisible(x)
}

# The label of an axis: the variable, or its normal scores under the copula.
axis_label <- function(name, marginal) {
  if (identical(marginal, "gaussian_copula")) paste0(name, " (normal score)") else name
}

# Refuses, with the reason, what plot(what = "fit") cannot draw.
check_fit_plot <- function(x, call) {
  v <- x$variables
  if (x$type == "discrete") {
    gmmmi_abort(c("{.code what = \"fit\"} draws a fitted mixture, and {.arg x} has none.",
                  "x" = "It is the plug-in MI of two categories ({v$x} and {v$y})."), call)
  }
  if (x$type == "categorical") {
    cat_side <- v[[x$category]]
    other <- v[[setdiff(c("x", "y"), x$category)]]
    gmmmi_abort(c("{.code what = \"fit\"} draws the joint mixture of two continuous variables.",
                  "x" = "It is the MI of a category ({cat_side}) and a continuous variable ({paste(other, collapse = ', ')}), with one mixture per category.",
                  "i" = "The mixtures are in {.code x$fit}, one per category."), call)
  }
  if (x$conditional) {
    gmmmi_abort(c("{.code what = \"fit\"} draws the fit of an unconditional MI.",
                  "x" = "It is a conditional MI, given {paste(v$z, collapse = ', ')}."), call)
  }
  if (length(v$x) != 1 || length(v$y) != 1) {
    gmmmi_abort(c("{.code what = \"fit\"} draws one x column against one y column only.",
                  "x" = "It has {length(v$x)} x column{?s} and {length(v$y)} y column{?s}."), call)
  }
}

# The ellipse of each component in the plane of `cols`, holding about 95
# percent of its mass, in the data's units: a list of 100 x 2 matrices.
fit_ellipses <- function(fit, cols) {
  r <- sqrt(stats::qchisq(0.95, 2))
  t <- seq(0, 2 * pi, length.out = 100)
  # A fit kept in standardised units (data of extreme scale) is drawn in the data's.
  sc <- gmm_scaling(fit)
  lapply(seq_along(fit$weights), function(k) {
    e <- eigen(fit$covariances[cols, cols, k], symmetric = TRUE)
    pts <- fit$means[k, cols] + e$vectors %*% (sqrt(pmax(e$values, 0)) * r * rbind(cos(t), sin(t)))
    t(sc$center[cols] + sc$scale[cols] * pts)
  })
}
