#' Pointwise mutual information under a fitted mixture
#'
#' The pointwise mutual information (PMI) of a pair of values is
#' log p(x, y) - log p(x) - log p(y): positive where x and y occur together
#' more often than if they were independent, negative where less often. Its
#' mean over the joint distribution is the MI, so the PMI shows which values
#' carry the information that [gmm_mi()] summarises in one number.
#' `pmi()` evaluates it under the mixture that [gmm_mi()] fitted to all the
#' data (`object$fit`), whose marginals are mixtures in closed form;
#' `plot_pmi()` draws its distribution over the data (the PMI profile) or,
#' for one x and one y column, a map of the data coloured by PMI.
#'
#' @param object A `"gmm_mi"` object from [gmm_mi()] with continuous `x` and
#'   `y` and no conditioning variable.
#' @param x,y Values at which to evaluate the PMI, with the columns of the
#'   fitted `x` and `y` (matched by name when they carry the fitted names,
#'   otherwise by position) and the same number of rows; by default the data
#'   that `object` was fitted to. New values are not accepted when the fit
#'   used Gaussian-copula margins (`object$marginal`), whose scale is that
#'   of the fitted rows' ranks; the PMI of the fitted rows is then returned
#'   in their order, and `plot_pmi(what = "map")` draws the normal scores.
#' @return `pmi()`: a numeric vector, one value per row, in the units of
#'   `object` (attribute `"units"`). `plot_pmi()`: the same, invisibly.
#' @seealso [gmm_mi()], [gmm_marginal()].
#' @examples
#' set.seed(1)
#' x <- rnorm(1000)
#' y <- 0.8 * x + 0.6 * rnorm(1000)
#' # marginal = "none": new values can then be placed on the fitted scale
#' res <- gmm_mi(x, y, n_bootstrap = 5, mc_samples = 5000, marginal = "none", n_threads = 1)
#' v <- pmi(res)
#' mean(v)          # close to the MI estimate
#' res$estimate
#' pmi(res, x = c(-2, 0, 2), y = c(-2, 0, 2))
#' plot_pmi(res)
#' plot_pmi(res, what = "map")
#' @export
pmi <- function(object, x = NULL, y = NULL) {
  env <- this_call()
  check_pmi_object(object, env)
  vars <- object$variables
  if (is.null(x) != is.null(y)) {
    gmmmi_abort("Give both {.arg x} and {.arg y}, or neither (to use the fitted data).", env)
  }
  if (!is.null(x) && object$marginal == "gaussian_copula") {
    gmmmi_abort(c("{.arg x} and {.arg y}: new values cannot be placed on the Gaussian-copula scale of this fit.",
                  "i" = "The mixture was fitted to the normal scores of the ranks ({.code marginal = \"gaussian_copula\"}, or chosen by {.code \"auto\"}).",
                  "i" = "Use {.code pmi(object)} for the fitted rows, or refit with {.code marginal = \"none\"}."), env)
  }
  if (is.null(x)) {
    x <- object$data[, vars$x, drop = FALSE]
    y <- object$data[, vars$y, drop = FALSE]
  } else {
    x <- pmi_block(x, vars$x, "x", env)
    y <- pmi_block(y, vars$y, "y", env)
    if (nrow(x) != nrow(y)) {
      gmmmi_abort("{.arg x} and {.arg y} must have the same number of rows, not {nrow(x)} and {nrow(y)}.", env)
    }
  }
  fit <- object$fit
  joint <- predict(fit, cbind(x, y), type = "logdensity")
  px <- predict(gmm_marginal(fit, vars$x), x, type = "logdensity")
  py <- predict(gmm_marginal(fit, vars$y), y, type = "logdensity")
  v <- joint - px - py
  far <- !is.finite(joint) | !is.finite(px) | !is.finite(py)
  if (any(far)) v[far] <- pmi_far(fit, cbind(x, y)[far, , drop = FALSE], vars, env)
  structure(v / unit_divisor(object$units), units = object$units)
}

# The PMI of rows so far out that their densities underflow (log-densities
# of -Inf: values near 1e300, say), where the difference of the logs would be
# NaN. Along the ray through such a row u, every log-density is -s^2 / 2
# min_k q_k(u / s) up to lower orders, with q_k the Mahalanobis form of
# component k (means fall away at that distance), so the PMI tends to -Inf
# when min q (joint) exceeds min q (x) + min q (y) and to +Inf when it falls
# short; a tie leaves it undetermined (NA). A warning says so.
pmi_far <- function(fit, u, vars, call) {
  sc <- gmm_scaling(fit)
  u <- sweep(sweep(u, 2, sc$center[colnames(u)], "-"), 2, sc$scale[colnames(u)], "/")
  S <- fit$covariances
  min_form <- function(w, cols) {
    min(vapply(seq_len(dim(S)[3]), function(k) {
      m <- as.matrix(S[cols, cols, k])
      sum(w * solve(m, w))
    }, numeric(1)))
  }
  out <- apply(u, 1, function(row) {
    w <- row / max(abs(row))
    b <- min_form(w, c(vars$x, vars$y)) - min_form(w[vars$x], vars$x) - min_form(w[vars$y], vars$y)
    tol <- 1e-10 * max(1, abs(min_form(w, c(vars$x, vars$y))))
    if (!is.finite(b) || abs(b) <= tol) NA_real_ else if (b > 0) -Inf else Inf
  })
  cli::cli_warn(c("{length(out)} row{?s} of {.arg x} and {.arg y} {?lies/lie} so far from the fit that {?its/their} densities underflow.",
                  "i" = "{cli::qty(length(out))}{?Its/Their} PMI is given as {?its/their} limit, -Inf or Inf, or NA where the limit is not determined."),
                class = c("gmmmi_warning_far", "gmmmi_warning"), call = call)
  out
}

check_pmi_object <- function(object, call) {
  if (!inherits(object, "gmm_mi")) {
    gmmmi_abort("{.arg object} must be a {.cls gmm_mi} object, not {.obj_type_friendly {object}}.", call)
  }
  if (object$type != "continuous") {
    what <- if (object$type == "discrete") "two categories (a plug-in estimate, with no fitted density)" else
      "a category (one mixture per category, not a joint mixture)"
    gmmmi_abort(c("{.fn pmi} needs a {.fn gmm_mi} fit of two continuous variables.",
                  "x" = "{.arg object} is the MI of {what}."), call)
  }
  if (object$conditional) {
    gmmmi_abort(c("{.fn pmi} needs an unconditional {.fn gmm_mi} fit.",
                  "x" = "{.arg object} is a conditional MI given {.field {object$variables$z}}."), call)
  }
}

# New values of one block, with the fitted column names.
pmi_block <- function(v, names, arg, call) {
  v <- as_data_matrix(v, arg, call)
  if (all(names %in% colnames(v))) v <- v[, names, drop = FALSE]
  if (ncol(v) != length(names)) {
    gmmmi_abort("{.arg {arg}} must have {length(names)} column{?s}, like the fitted {.arg {arg}}, not {ncol(v)}.", call)
  }
  colnames(v) <- names
  v
}

#' @rdname pmi
#' @param what `"distribution"`: a histogram of the PMI over the rows, with
#'   its mean (about the MI) marked; `"map"`: the rows drawn in the plane of
#'   one x and one y column, coloured from blue (negative PMI) to red
#'   (positive), with a colour key.
#' @param breaks,col Histogram breaks and colour (`"distribution"`), or
#'   colour palette (`"map"`).
#' @param ... Passed to [graphics::hist()] or [graphics::plot()]; they
#'   override the defaults (e.g. `main`, `xlab`).
#' @export
plot_pmi <- function(object, x = NULL, y = NULL, what = c("distribution", "map"), breaks = 50,
                     col = NULL, ...) {
  env <- this_call()
  what <- check_choice(what, c("distribution", "map"), "what", env)
  check_pmi_object(object, env)
  vars <- object$variables
  if (what == "map" && (length(vars$x) != 1 || length(vars$y) != 1)) {
    gmmmi_abort(c("{.arg what} = {.val map} draws one x column against one y column only.",
                  "x" = "{.arg object} has {length(vars$x)} x and {length(vars$y)} y column{?s}."), env)
  }
  v <- pmi(object, x, y)
  if (what == "distribution") {
    pmi_histogram(object, v, breaks, col, ...)
  } else {
    if (is.null(x)) {
      x <- object$data[, vars$x]
      y <- object$data[, vars$y]
    }
    pmi_map(object, v, as.numeric(unlist(x)), as.numeric(unlist(y)), col, ...)
  }
  invisible(v)
}

pmi_histogram <- function(object, v, breaks, col, ...) {
  h <- graphics::hist(v, breaks = breaks, plot = FALSE)
  # The axis runs over whole ticks beyond the outer bars, so that none is cut.
  ticks <- pretty(range(h$breaks))
  args <- utils::modifyList(list(col = if (is.null(col)) "grey85" else col, border = "white",
                                 main = sprintf("PMI distribution: %s", describe_variables(object$variables)),
                                 xlab = sprintf("PMI (%s)", object$units), xlim = range(ticks)),
                                 list(...))
  own_axes <- is.null(args$axes)
  do.call(graphics::plot, c(list(h), args, if (own_axes) list(axes = FALSE)))
  if (own_axes) {
    graphics::axis(1, at = pretty(args$xlim))
    graphics::axis(2)
  }
  graphics::abline(v = 0, lty = 2, col = "grey40")
  graphics::abline(v = mean(v), lwd = 2, col = "firebrick")
  graphics::abline(v = object$estimate, lwd = 2, lty = 3)
  est <- formatC(object$estimate, digits = 3, format = "f")
  if (!is.na(object$se)) est <- paste(est, pm_symbol(), formatC(object$se, digits = 3, format = "f"))
  graphics::legend("topleft", bty = "n", lwd = 2, lty = c(1, 3), col = c("firebrick", "black"), cex = 0.8,
                   legend = c(sprintf("mean PMI %s", formatC(mean(v), digits = 3, format = "f")),
                              sprintf("MI %s", est)))
}

pmi_map <- function(object, v, x, y, col, ...) {
  vars <- object$variables
  pal <- if (is.null(col)) grDevices::hcl.colors(101, "Blue-Red 3") else col
  # A few extreme values would wash out the rest: the scale ends at the 98th
  # percentile of |PMI|, and beyond it colours saturate.
  lim <- max(stats::quantile(abs(v), 0.98, names = FALSE), .Machine$double.eps)
  idx <- 1 + round((length(pal) - 1) * (pmin(pmax(v, -lim), lim) + lim) / (2 * lim))
  ord <- order(abs(v))  # strongest values on top
  # Room on the right for the colour key.
  op <- graphics::par(mar = pmax(graphics::par("mar"), c(0, 0, 0, 5.5)))
  on.exit(graphics::par(op))
  args <- utils::modifyList(list(xlab = axis_label(vars$x, object$marginal),
                                 ylab = axis_label(vars$y, object$marginal),
                                 main = sprintf("PMI map: %s", describe_variables(vars)),
                                 pch = 20), list(...))
  do.call(graphics::plot, c(list(x = x[ord], y = y[ord], col = pal[idx[ord]]), args))
  pmi_key(pal, lim, object$units)
}

# A vertical colour key in the right margin, from -lim to lim.
pmi_key <- function(pal, lim, units) {
  usr <- graphics::par("usr")
  width <- graphics::grconvertX(1, "lines", "user") - graphics::grconvertX(0, "lines", "user")
  x0 <- usr[2] + 1.2 * width
  steps <- seq(usr[3], usr[4], length.out = length(pal) + 1)
  graphics::rect(x0, utils::head(steps, -1), x0 + width, steps[-1], col = pal, border = NA, xpd = NA)
  graphics::rect(x0, usr[3], x0 + width, usr[4], border = "grey40", xpd = NA)
  at <- pretty(c(-lim, lim), n = 4)
  at <- at[abs(at) <= lim]
  pos <- usr[3] + (at + lim) / (2 * lim) * (usr[4] - usr[3])
  graphics::text(x0 + 1.3 * width, pos, format(at), adj = 0, cex = 0.7, xpd = NA)
  graphics::text(x0 + 0.5 * width, usr[4], sprintf("PMI (%s)", units), pos = 3, cex = 0.7, xpd = NA)
}
