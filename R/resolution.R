# What the data can resolve: discrete-valued (tied) columns and dependence
# that the fit cannot resolve (vignette "method", section 11).
#
# A column rounded to a step delta is, for a density, the underlying variable
# plus uniform noise of variance delta^2 / 12, and no covariance below that
# can be told from the data; the core keeps every component's variance of a
# tied column at least at that floor (scaling.h, em.h), so components cannot
# collapse onto repeated values. The MI
# then estimated is that of the rounded variables, which cannot exceed the
# entropy of a discrete side: the estimate and its interval are capped there.

# Columns with at most this many distinct values draw a warning that suggests
# factor(): the MI of so coarse a variable is better taken as a category's.
few_values <- 10L

# One warning for the columns of `sides` (named blocks of gmm_mi()'s data)
# with few distinct values.
warn_few_values <- function(sides) {
  counts <- unlist(lapply(sides, function(m) apply(m, 2, function(v) length(unique(v)))))
  cols <- unlist(lapply(sides, colnames))
  few <- counts <= few_values
  if (!any(few)) return(invisible(FALSE))
  desc <- sprintf("%s (%d values)", cols[few], counts[few])
  cli::cli_warn(c("Few distinct values in {.field {desc}}.",
                  "i" = "The MI is that of discrete variables; for a category use {.code factor()}, e.g. {.code gmm_mi(factor(x), y)}."),
                class = c("gmmmi_warning_ties", "gmmmi_warning"))
  invisible(TRUE)
}

# Plug-in entropy (nats) of the rows of `m` when they are discrete-valued
# (at most half as many distinct rows as rows), else Inf: an upper bound on
# the MI of `m` with anything, which a consistent estimate respects.
discrete_entropy <- function(m) {
  key <- if (ncol(m) == 1) m[, 1] else do.call(paste, c(as.data.frame(m), sep = "\r"))
  counts <- tabulate(match(key, unique(key)))
  if (length(counts) > length(key) / 2) return(Inf)
  plug_in_entropy(counts)
}

# Plug-in entropy (nats) of the distribution with these counts (or weights);
# empty categories add nothing.
plug_in_entropy <- function(counts) {
  counts <- as.numeric(counts)
  p <- counts[counts > 0] / sum(counts)
  -sum(p * log(p))
}

# The entropy bound (in `units`) of an MI between blocks of the joint data
# given by their columns, or Inf when neither side is discrete.
entropy_bound <- function(blocks, units) {
  h <- vapply(blocks, discrete_entropy, numeric(1))
  min(h) / unit_divisor(units)
}

# TRUE when a component of `fit` (a "gmm") has, in standardised units, a
# conditional variance of one side given the other at the covariance floor
# while that side's own variance is far above it: one side is (nearly) a
# function of the other there, so the MI is not resolved and may be
# unbounded, whatever finite number the floor lets the fit report.
unresolved_dependence <- function(fit, data, x, y, floor) {
  # A check, not a result: where the algebra breaks down (components at
  # the edge of the representable scales), it does not warn.
  tryCatch(unresolved_components(fit, data, x, y, floor), error = function(e) FALSE)
}

unresolved_components <- function(fit, data, x, y, floor) {
  cols <- c(x, y)
  # The core's standardisation: the smaller of the sd and the IQR / 1.349.
  spread <- apply(data[, cols, drop = FALSE], 2, function(v) {
    robust <- stats::IQR(v) / 1.349
    if (robust > 0) min(stats::sd(v), robust) else stats::sd(v)
  })
  f <- gmm_scaling(fit)$scale[cols] / spread
  for (k in seq_along(fit$weights)) {
    S <- fit$covariances[cols, cols, k, drop = FALSE][, , 1] * outer(f, f)
    # (Data of extreme or heavy-tailed scale can leave S beyond what can be
    # judged here: no warning then.)
    if (!all(is.finite(S))) next
    ix <- seq_along(x)
    iy <- length(x) + seq_along(y)
    for (side in list(list(a = iy, b = ix), list(a = ix, b = iy))) {
      own <- min(diag(S)[side$a])
      given <- tryCatch(solve(S[side$b, side$b, drop = FALSE], S[side$b, side$a, drop = FALSE]),
                        error = function(e) NULL)
      if (is.null(given)) next
      cond <- S[side$a, side$a, drop = FALSE] - S[side$a, side$b, drop = FALSE] %*% given
      if (!all(is.finite(cond))) next
      lowest <- min(eigen(cond, symmetric = TRUE, only.values = TRUE)$values)
      if (own > 1e4 * floor && lowest < 100 * floor) return(TRUE)
    }
  }
  FALSE
}

warn_unresolved <- function() {
  cli::cli_warn(c("The dependence is not resolved: one side is (nearly) a function of the other.",
                  "x" = "A fitted component sits at the covariance floor, so the MI reported is set by {.arg reg_covar}, not by the data; the true MI may be unbounded.",
                  "i" = "Check for duplicated or derived columns."),
                class = c("gmmmi_warning_unresolved", "gmmmi_warning"))
}
