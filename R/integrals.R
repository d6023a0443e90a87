#' Entropy and KL divergence of fitted mixtures
#'
#' Monte Carlo integrals over a fitted Gaussian mixture, by the same method as
#' [gmm_mi()]. `gmm_entropy()` gives the differential entropy -E\[log p(u)\];
#' `gmm_kl()` gives KL(p || q) = E_p\[log p(u) - log q(u)\], either between
#' two mixtures of the same dimension or, with `q = NULL`, between two
#' marginals of one mixture (by default its first and second coordinates).
#'
#' @param object,p A `"gmm"` object.
#' @param q A `"gmm"` object of the same dimension as `p`, or `NULL`.
#' @param dims For `gmm_entropy()`, the coordinates whose marginal entropy is
#'   wanted (default all). For `gmm_kl()` with `q = NULL`, a list of two
#'   equal-length sets of coordinates of `p`.
#' @param mc_samples Number of Monte Carlo draws.
#' @param units `"nat"` or `"bit"`.
#' @return A number with attributes `mc_se` (its Monte Carlo standard error;
#'   `NA` when `mc_samples = 1`, from which no spread can be estimated) and
#'   `units`. The weights of the mixtures must sum to 1.
#' @examples
#' set.seed(1)
#' fit <- gmm_fit(matrix(rnorm(2000), ncol = 2), k = 1)
#' gmm_entropy(fit)        # about log(2 * pi * e) = 2.84
#' gmm_kl(fit)             # two nearly identical marginals: about 0
#' @export
gmm_entropy <- function(object, dims = NULL, mc_samples = 1e5, units = c("nat", "bit")) {
  env <- this_call()
  check_gmm(object, "object", env)
  if (!is.null(dims)) object <- gmm_marginal(object, resolve_dims(dims, colnames(object$means), "dims", env))
  # A mixture kept in standardised units (see gmm_fit()): its entropy in the
  # data's units adds the log-Jacobian, the sum of the log scales.
  integral(gmm_params(object, env), NULL, "entropy", mc_samples, units, env,
           shift = sum(log(gmm_scaling(object)$scale)))
}

#' @rdname gmm_entropy
#' @export
gmm_kl <- function(p, q = NULL, dims = list(1, 2), mc_samples = 1e5, units = c("nat", "bit")) {
  env <- this_call()
  check_gmm(p, "p", env)
  if (is.null(q)) {
    if (!is.list(dims) || length(dims) != 2) {
      gmmmi_abort("{.arg dims} must be a list of two sets of coordinates of {.arg p}.", env)
    }
    a <- resolve_dims(dims[[1]], colnames(p$means), "dims", env)
    b <- resolve_dims(dims[[2]], colnames(p$means), "dims", env)
    if (length(a) != length(b)) gmmmi_abort("The two sets in {.arg dims} must have the same length.", env)
    q <- gmm_marginal(p, b)
    p <- gmm_marginal(p, a)
  } else {
    check_gmm(q, "q", env)
    if (gmm_dim(q) != gmm_dim(p)) {
      gmmmi_abort("{.arg p} and {.arg q} must have the same dimension ({gmm_dim(p)} and {gmm_dim(q)}).", env)
    }
  }
  # KL does not change under a map applied to both: q is put in p's units.
  sc <- gmm_scaling(p)
  integral(gmm_params(p, env), gmm_params_in(q, sc$center, sc$scale, "q", env), "kl", mc_samples,
           units, env)
}

check_gmm <- function(x, arg, call) {
  if (!inherits(x, "gmm")) gmmmi_abort("{.arg {arg}} must be a {.cls gmm} object, not {.obj_type_friendly {x}}.", call)
}

# The integral by Monte Carlo; its error is NA from a single draw, whose
# spread cannot be estimated.
integral <- function(p, q, type, mc_samples, units, call, shift = 0) {
  mc_samples <- check_whole(mc_samples, "mc_samples", call, min = 1, max = 1e9)
  units <- check_choice(units, c("nat", "bit"), "units", call)
  res <- gmm_integral_cpp(p, q, type, mc_samples)
  div <- unit_divisor(units)
  mc_se <- if (is.nan(res$mc_se)) NA_real_ else res$mc_se / div
  structure((res$value + shift) / div, mc_se = mc_se, units = units)
}
