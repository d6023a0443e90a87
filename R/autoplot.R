# ggplot2 versions of the plots (ggplot2 is suggested, not imported: the
# methods are registered for its generic when it is loaded).

utils::globalVariables(".data")

#' ggplot2 plots of mutual information estimates
#'
#' Methods for ggplot2's `autoplot()` generic that draw what [plot.gmm_mi()]
#' and [plot.mi_matrix()] draw, as ggplot objects that can be themed and
#' combined. They need the ggplot2 package. As in [plot.mi_matrix()], the
#' cells of a matrix that cannot be told from zero are in grey italics, with a
#' caption giving the rule.
#'
#' @param object A `"gmm_mi"` or `"mi_matrix"` object.
#' @param what For a `"gmm_mi"`: `"bootstrap"` (histogram of the bootstrap
#'   values, with the estimate) or `"fit"` (the data and the fitted
#'   components as 95 percent ellipses, for one continuous x and one
#'   continuous y column).
#' @param digits For a `"mi_matrix"`: decimals of the estimates in the cells
#'   (the standard errors get two significant digits).
#' @param ... Unused.
#' @return A ggplot object.
#' @seealso [plot.gmm_mi()], [plot.mi_matrix()].
#' @examplesIf requireNamespace("ggplot2", quietly = TRUE)
#' set.seed(1)
#' x <- rnorm(500)
#' y <- x + rnorm(500)
#' res <- gmm_mi(x, y, n_bootstrap = 10, mc_samples = 5000, n_threads = 1)
#' ggplot2::autoplot(res)
#' ggplot2::autoplot(res, "fit")
#' @name autoplot.gmm_mi
#' @exportS3Method ggplot2::autoplot
autoplot.gmm_mi <- function(object, what = c("bootstrap", "fit"), ...) {
  env <- this_call()
  what <- check_choice(what, c("bootstrap", "fit"), "what", env)
  need_ggplot2(env)
  title <- describe_variables(object$variables)
  if (what == "bootstrap") {
    boot <- object$bootstrap[is.finite(object$bootstrap)]
    if (length(boot) < 2) gmmmi_abort("There are no bootstrap values to plot.", env)
    return(ggplot2::ggplot(data.frame(mi = boot), ggplot2::aes(x = .data$mi)) +
             ggplot2::geom_histogram(bins = min(30, max(5, length(boot) %/% 2)), fill = "grey70",
                                     colour = "white") +
             ggplot2::geom_vline(xintercept = object$estimate, colour = "firebrick", linewidth = 1) +
             ggplot2::labs(title = paste("Bootstrap MI:", title), x = sprintf("MI (%s)", object$units),
                           y = "Count"))
  }
  check_fit_plot(object, env)
  cols <- c(object$variables$x, object$variables$y)
  ell <- fit_ellipses(object$fit, cols)
  paths <- data.frame(u = unlist(lapply(ell, function(e) e[, 1])), v = unlist(lapply(ell, function(e) e[, 2])),
                      component = factor(rep(seq_along(ell), vapply(ell, nrow, integer(1)))))
  ggplot2::ggplot(data.frame(u = object$data[, cols[1]], v = object$data[, cols[2]]),
                  ggplot2::aes(x = .data$u, y = .data$v)) +
    ggplot2::geom_point(alpha = 0.3, size = 0.8, colour = "grey30") +
    ggplot2::geom_path(data = paths, ggplot2::aes(colour = .data$component), linewidth = 1) +
    ggplot2::labs(title = sprintf("%s: %d-component mixture", title, length(ell)),
                  x = axis_label(cols[1], object$marginal), y = axis_label(cols[2], object$marginal),
                  colour = "Component")
}

#' @rdname autoplot.gmm_mi
#' @exportS3Method ggplot2::autoplot
autoplot.mi_matrix <- function(object, digits = 2, ...) {
  env <- this_call()
  need_ggplot2(env)
  est <- object$estimate
  cells <- expand.grid(row = rownames(est), col = colnames(est), stringsAsFactors = FALSE)
  cells$estimate <- as.vector(est)
  cells$label <- as.vector(format_cells(est, object$se, digits, sep = "\n"))
  cells$row <- factor(cells$row, levels = rev(rownames(est)))
  cells$col <- factor(cells$col, levels = colnames(est))
  zero <- zero_cells(object)
  cells$zero <- as.vector(zero$marked)
  ggplot2::ggplot(cells, ggplot2::aes(x = .data$col, y = .data$row, fill = .data$estimate)) +
    ggplot2::geom_tile(colour = "white") +
    ggplot2::geom_text(ggplot2::aes(label = .data$label, colour = .data$zero,
                                    fontface = ifelse(.data$zero, "italic", "plain")), size = 3) +
    ggplot2::scale_colour_manual(values = c(`FALSE` = "black", `TRUE` = "grey45"), guide = "none") +
    ggplot2::scale_fill_distiller(palette = "YlGnBu", direction = 1, na.value = "grey92",
                                  name = sprintf("MI (%s)", object$units)) +
    ggplot2::labs(title = sprintf("Mutual information (%s)", object$units), x = NULL, y = NULL,
                  caption = if (!is.null(zero$rule)) zero_caption(zero$rule)) +
    ggplot2::theme_minimal()
}

need_ggplot2 <- function(call) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    gmmmi_abort("{.fn autoplot} needs the {.pkg ggplot2} package.", call)
  }
}
