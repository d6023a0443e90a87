# Methods of the "gmm_mi" class (see new_gmm_mi()) and their helpers.

#' @export
print.gmm_mi <- function(x, digits = 3, ...) {
  what <- if (x$conditional) "Conditional MI" else "MI"
  if (is.na(x$se)) {
    how <- if (x$n_bootstrap == 0) "single fit, no bootstrap" else "too few bootstrap fits for a standard error"
    cat(sprintf("%s = %s %s (%s)\n", what, format(x$estimate, digits = digits), x$units, how))
  } else {
    cat(sprintf("%s = %s %s %s %s\n", what, formatC(x$estimate, digits = digits, format = "f"),
                pm_symbol(), formatC(x$se, digits = digits, format = "f"), x$units))
  }
  cat(sprintf("  %s; %s; n = %d; %d bootstrap fit%s",
              describe_variables(x$variables), describe_components(x), x$n, x$n_bootstrap,
              if (x$n_bootstrap == 1) "" else "s"))
  if (x$n_retried > 0) cat(sprintf(" (%d restarted", x$n_retried))
  if (x$n_failed > 0) cat(sprintf("%s%d failed", if (x$n_retried > 0) ", " else " (", x$n_failed))
  if (x$n_retried > 0 || x$n_failed > 0) cat(")")
  cat("\n")
  invisible(x)
}

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
                 bias_correction = object$bias_correction,
                 marginal_choice = object$marginal_choice),
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
                if (x$bias_correction) "basic bootstrap" else "bootstrap percentiles"))
  }
  cat(sprintf("  Monte Carlo se %s; full-data fit %s; mean of the bootstrap values %s\n",
              format(x$mc_se, digits = 2), format(x$full_data, digits = digits),
              format(x$estimate_uncorrected, digits = digits)))
  cat(sprintf("  n = %d, %d bootstrap fits (%d restarted, %d failed)\n", x$n, x$n_bootstrap,
              x$n_retried, x$n_failed))
  cat(sprintf("\n%s\n", x$components))
  if (!is.null(ch <- x$marginal_choice) && !is.finite(ch$gain)) {
    cat("Margins: Gaussian copula (marginal = \"auto\"): the data as they are could not be fitted\n")
  } else if (!is.null(ch)) {
    cat(sprintf(paste0("Margins: %s (marginal = \"auto\"): held-out pointwise MI %s as they are, %s with the copula;\n",
                       "  gain %s %s %s%s, taken above %g se\n"),
                if (ch$chosen == "none") "as they are" else "Gaussian copula",
                format(ch$score[["none"]], digits = digits), format(ch$score[["gaussian_copula"]], digits = digits),
                format(ch$gain, digits = 2), pm_symbol(), format(ch$gain_se, digits = 2),
                if (isTRUE(ch[["trimmed"]])) " (20%-trimmed: one row dominated the mean)" else "", ch$z))
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
#' With the bias correction (the default, see [gmm_mi_control()]) the
#' interval is the basic bootstrap interval, `2 * full_data` minus the upper
#' and lower bootstrap percentiles, which is centred on the corrected
#' estimate; without it, the bootstrap percentiles themselves (the
#' reference's interval). Neither end is below 0.
#'
#' @param object A `"gmm_mi"` object with at least two bootstrap values.
#' @param parm Ignored (there is one parameter, the MI).
#' @param level Confidence level.
#' @param ... Unused.
#' @return A one-row matrix with the lower and upper ends.
#' @export
confint.gmm_mi <- function(object, parm, level = 0.95, ...) {
  env <- this_call()
  level <- check_real(level, "level", env, min = 0, min_inclusive = FALSE, max = 1)
  if (sum(is.finite(object$bootstrap)) < 2) {
    gmmmi_abort("{.arg object} has fewer than two bootstrap values: refit with {.arg n_bootstrap} > 1.", env)
  }
  a <- (1 - level) / 2
  matrix(result_interval(object, level), nrow = 1,
         dimnames = list("MI", paste(format(100 * c(a, 1 - a), trim = TRUE, digits = 3), "%")))
}

# Lower and upper ends of the bootstrap interval of an MI whose full-data
# value is `full`: the percentiles, or with the bias correction the basic
# interval 2 * full - (upper, lower percentile); within [0, bound], bound
# being the entropy of a discrete side; NA with fewer than two values.
mi_interval <- function(full, boot, level, corrected, bound = Inf) {
  boot <- boot[is.finite(boot)]
  if (length(boot) < 2) return(c(NA_real_, NA_real_))
  a <- (1 - level) / 2
  q <- stats::quantile(boot, c(a, 1 - a), names = FALSE)
  pmin(bound, pmax(0, if (corrected) 2 * full - rev(q) else q))
}

# The interval of a "gmm_mi" result.
result_interval <- function(x, level) {
  mi_interval(x$full_data, x$bootstrap, level, x$bias_correction, x$entropy_bound)
}

#' @export
as.data.frame.gmm_mi <- function(x, row.names = NULL, optional = FALSE, level = 0.95, ...) {
  env <- this_call()
  level <- check_real(level, "level", env, min = 0, min_inclusive = FALSE, max = 1)
  ci <- result_interval(x, level)
  data.frame(estimate = x$estimate, se = x$se, conf_low = ci[1], conf_high = ci[2],
             mc_se = x$mc_se, units = x$units, n_components = x$n_components,
             n_bootstrap = x$n_bootstrap, n = x$n, row.names = row.names)
}

#' Plot a mutual information estimate
#'
#' @param x A `"gmm_mi"` object.
#' @param what `"bootstrap"`: histogram of the bootstrap values with the
#'   estimate; `"fit"`: for one x and one y column, the data with the fitted
#'   components drawn as ellipses holding about 95 percent of their mass.
#' @param ... Passed to the plotting function.
#' @return `x`, invisibly.
#' @examples
#' set.seed(1)
#' x <- rnorm(500); y <- x + rnorm(500)
#' res <- gmm_mi(x, y, n_bootstrap = 10, mc_samples = 5000)
#' plot(res, "fit")
#' plot(res, "bootstrap")
#' @export
plot.gmm_mi <- function(x, what = c("bootstrap", "fit"), ...) {
  env <- this_call()
  what <- match.arg(what)
  if (what == "bootstrap") {
    boot <- x$bootstrap[is.finite(x$bootstrap)]
    if (length(boot) < 2) gmmmi_abort("There are no bootstrap values to plot.", env)
    graphics::hist(boot, main = "Bootstrap distribution", xlab = paste0("MI (", x$units, ")"),
                   col = "grey85", border = "white", ...)
    graphics::abline(v = x$estimate, lwd = 2, col = "firebrick")
    return(invisible(x))
  }
  if (x$type != "continuous" || length(x$variables$x) != 1 ||
      length(x$variables$y) != 1 || x$conditional) {
    gmmmi_abort("{.code what = \"fit\"} draws one x column against one y column only.", env)
  }
  cols <- c(x$variables$x, x$variables$y)
  graphics::plot(x$data[, cols], pch = 20, col = grDevices::adjustcolor("grey30", 0.3),
                 xlab = cols[1], ylab = cols[2], ...)
  fit <- x$fit
  pal <- grDevices::hcl.colors(max(3, length(fit$weights)), "Dark 3")
  r <- sqrt(stats::qchisq(0.95, 2))
  t <- seq(0, 2 * pi, length.out = 100)
  for (k in seq_along(fit$weights)) {
    S <- fit$covariances[cols, cols, k]
    e <- eigen(S, symmetric = TRUE)
    pts <- fit$means[k, cols] + e$vectors %*% (sqrt(pmax(e$values, 0)) * r * rbind(cos(t), sin(t)))
    # A fit kept in standardised units (data of extreme scale) is drawn in the data's.
    sc <- gmm_scaling(fit)
    pts <- t(sc$center[cols] + sc$scale[cols] * pts)
    graphics::lines(pts, col = pal[k], lwd = 2)
  }
  invisible(x)
}
