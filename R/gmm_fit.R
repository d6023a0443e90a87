#' Fit a Gaussian mixture model by expectation-maximisation
#'
#' Fits a mixture of `k` full-covariance Gaussians to the rows of `x` by EM,
#' from `n_inits` starts, keeping the one with the highest log-likelihood.
#' The fit is made on standardised columns (each centred and divided by its
#' spread: the smaller of its standard deviation and its interquartile range
#' / 1.349, which heavy tails do not inflate; centred on the median when the
#' mean lies more than 1000 spreads from it), so that it does not depend on
#' the units of `x`; the
#' parameters and log-likelihood are returned in the data's units.
#' Each start runs on its own random stream derived from R's random number
#' generator, so `set.seed()` reproduces the fit exactly, whatever the number
#' of threads.
#'
#' `init` and `n_inits`, when not given, are the starts of [gmm_mi()]'s
#' default rule (`gmm_mi_control()`): three starts, the first from k-means
#' and the others from random responsibilities (`init = "mixed"`), the best
#' kept. A start from random responsibilities alone gives every component
#' almost the same parameters, a saddle that EM may leave only after many
#' iterations or not at all; the k-means start separates them from the first
#' step. `tol`, `reg_covar` and `max_iter`, when not given, take their values
#' in `gmm_mi_control(selection = "reference")`, the defaults of the
#' reference implementation of GMM-MI (with `reg_covar = 1e-15`, a fit with
#' one component is the sample mean and covariance).
#'
#' @param x A numeric vector, matrix or data frame of numeric columns; rows are
#'   observations.
#' @param k Number of components, a whole number between 1 and `nrow(x)`.
#' @param init How EM is started: `"mixed"` (the default: the first start
#'   from k-means responsibilities, the others from random ones),
#'   `"random_responsibilities"` (one M-step on random responsibilities, the
#'   reference's start), `"kmeans_responsibilities"` (one
#'   M-step on k-means labels), `"kmeans"` (cluster fractions, centroids and
#'   within-cluster covariances; the same start as the previous one),
#'   `"randomized_kmeans"` (k-means centres perturbed by `init_scale` times a
#'   draw from each cluster's covariance), `"random"` (random data points plus
#'   noise, spherical covariances) or `"minmax"` (uniform means in the data's
#'   bounding box, spherical covariances).
#' @param n_inits Number of starts (default 3).
#' @param tol EM stops when the mean per-sample log-likelihood changes by less
#'   than `tol`.
#' @param reg_covar Non-negative number added to the diagonal of every
#'   covariance at each M-step. It is relative to the spread of each column:
#'   the fit is made on standardised data, where `reg_covar` is added, so in
#'   the data's units column j's variance is floored by about `reg_covar`
#'   times its squared spread (see above), whatever the scale of `x`.
#' @param max_iter Maximum number of EM iterations; a warning is given when it
#'   is reached.
#' @param weights Optional non-negative observation weights, one per row. An
#'   integer weight counts a row that many times. Only their ratios shape the
#'   fit; their sum is `n` and multiplies the log-likelihood (which is `NA`
#'   if that product cannot be represented).
#' @param init_scale Spread of the `"random"`, `"minmax"` and
#'   `"randomized_kmeans"` starts, in standardised units; `NULL` uses each
#'   start's default.
#' @param n_threads Number of threads for the starts (see [gmmmi-package]).
#' @return An object of class `"gmm"`: a list with `weights` (length `k`),
#'   `means` (`k` x d matrix), `covariances` (d x d x `k` array), `loglik`
#'   (total log-likelihood, in the data's units), `n_iter`, `converged`, `n`
#'   (number of rows, or the sum of the weights), `init`, `n_failed` (failed
#'   starts that were retried) and `call`.
#'
#'   When the data's scale is extreme (standard deviations below 1e-100 or
#'   above 1e100, e.g. values near 1e300, whose covariances near 1e600 cannot
#'   be stored in double precision), `means` and `covariances` stay in
#'   standardised units and the object also has fields `center` and `scale`
#'   (one value per column): the data are `center + scale * u` for `u` drawn
#'   from the stored mixture. Every method ([predict.gmm()], [simulate.gmm()],
#'   [gmm_marginal()], [gmm_entropy()], [gmm_kl()], `print` and `summary`)
#'   takes them into account, and [gmm_data_params()] gives the parameters in
#'   data units whenever they can be represented.
#' @seealso [predict.gmm()], [simulate.gmm()], [gmm_marginal()], [gmm_mi()].
#' @examples
#' set.seed(1)
#' x <- rbind(matrix(rnorm(400, -2), ncol = 2), matrix(rnorm(400, 2), ncol = 2))
#' fit <- gmm_fit(x, k = 2, init = "kmeans")
#' fit
#' AIC(fit)
#' head(predict(fit, x))
#' @export
gmm_fit <- function(x, k, init, n_inits, tol, reg_covar, max_iter, weights = NULL,
                    init_scale = NULL, n_threads = NULL) {
  call <- match.call()
  env <- this_call()
  x <- as_data_matrix(x, "x", env)
  n <- nrow(x)
  if (missing(k)) gmmmi_abort("{.arg k}, the number of components, is required.", env)
  k <- check_whole(k, "k", env, min = 1)
  if (k > n) {
    gmmmi_abort("{.arg k} ({k}) must not exceed the number of rows of {.arg x} ({n}).", env)
  }
  # The starts of gmm_mi()'s rule; the EM settings of the reference's.
  settings <- c(unclass(gmm_mi_control())[c("init", "n_inits")],
                unclass(gmm_mi_control(selection = "reference"))[c("tol", "reg_covar", "max_iter")])
  given <- given_args(names(settings), environment())
  settings[names(given)] <- given
  init <- check_choice(settings$init, c(init_types, "mixed"), "init", env)
  n_inits <- check_whole(settings$n_inits, "n_inits", env, min = 1, max = 10000)
  tol <- check_real(settings$tol, "tol", env, min = 0)
  reg_covar <- check_real(settings$reg_covar, "reg_covar", env, min = 0)
  max_iter <- check_whole(settings$max_iter, "max_iter", env, min = 1)
  init_scale <- if (is.null(init_scale)) 0 else check_real(init_scale, "init_scale", env, min = 0, min_inclusive = FALSE)
  weights <- check_weights(weights, n, env)
  # Only the weights' ratios reach the core, so that their sum cannot
  # overflow (weights near 1e308); their scale returns in n and the loglik.
  w_max <- if (is.null(weights)) 1 else max(weights)
  n_weighted <- if (is.null(weights)) n else sum(weights > 0)
  if (!is.null(weights)) weights <- weights / w_max
  n_threads <- resolve_threads(n_threads, env)
  n_positive <- if (is.null(weights)) n else sum(weights > 0)
  if (k > n_positive) {
    gmmmi_abort(c("{.arg k} ({k}) must not exceed the number of rows of {.arg x} with positive weight ({n_positive}).",
                  "i" = if (n_positive < n_weighted) "Weights below about 1e-308 times the largest count as zero."),
                env)
  }
  check_no_constant(if (is.null(weights)) x else x[weights > 0, , drop = FALSE], "x", env)
  check_memory(fit_bytes(n, ncol(x), k, min(n_inits, n_threads)),
               sprintf("Fitting %d components to %d rows", k, n),
               "Use fewer components or rows, or fewer threads (each start runs with its own copy).",
               env)

  res <- call_core(gmm_fit_cpp(x, k, init, init_scale, n_inits, tol, reg_covar, max_iter,
                               weights, n_threads), env, settings = NULL)
  if (res$status != "ok") {
    cli::cli_abort(c("The mixture could not be fitted: {res$status}.",
                     "i" = "Try fewer components or a larger {.arg reg_covar}."),
                   class = c("gmmmi_error_fit", "gmmmi_error"), call = env)
  }
  if (!res$converged) {
    cli::cli_warn("EM stopped at {.arg max_iter} = {max_iter} iterations without converging.",
                  class = "gmmmi_warning_convergence")
  } else if (k > 1 && res$n_iter <= 2 && init == "random_responsibilities") {
    # Symmetric starts (random responsibilities give near-identical
    # components) can meet the tolerance before the components separate.
    cli::cli_warn(c("EM met {.arg tol} after only {res$n_iter} iteration{?s}: the components may not have separated.",
                    "i" = "Try {.code init = \"kmeans\"}, more {.arg n_inits} or a smaller {.arg tol}."),
                  class = "gmmmi_warning_short_fits")
  }
  loglik <- res$loglik * w_max
  if (!is.finite(loglik)) loglik <- NA_real_
  new_gmm(res$model, colnames(x), loglik = loglik, n_iter = res$n_iter,
          converged = res$converged, n = if (is.null(weights)) n else w_max * sum(weights),
          init = init, n_failed = res$n_failed, call = call)
}

# The cost model of a fit: each of the `parallel` starts that run at once
# holds two n x k matrices (the responsibilities and the density pass's
# component terms) and a few copies of the data.
fit_bytes <- function(n, d, k, parallel) {
  8 * (parallel * (2 * as.double(n) * k + 3 * as.double(n) * d) + as.double(n) * d)
}

init_types <- c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                "randomized_kmeans", "random", "minmax")

check_weights <- function(weights, n, call) {
  if (is.null(weights)) return(NULL)
  if (!is.numeric(weights) || !is.null(dim(weights)) && length(dim(weights)) > 1 && ncol(weights) > 1) {
    gmmmi_abort("{.arg weights} must be a numeric vector, not {.obj_type_friendly {weights}}.", call)
  }
  weights <- as.double(weights)
  if (length(weights) != n) {
    gmmmi_abort("{.arg weights} must have one value per row of {.arg x} ({n}), not {length(weights)}.", call)
  }
  if (any(!is.finite(weights)) || any(weights < 0)) {
    gmmmi_abort("{.arg weights} must be finite and non-negative.", call)
  }
  if (sum(weights > 0) < 1) {
    gmmmi_abort("{.arg weights} must have at least one positive value.", call)
  }
  weights
}
