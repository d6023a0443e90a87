#' Fit a Gaussian mixture model by expectation-maximisation
#'
#' Fits a mixture of `k` full-covariance Gaussians to the rows of `x` by EM,
#' from `n_inits` starts, keeping the one with the highest log-likelihood.
#' Each start runs on its own random stream derived from R's random number
#' generator, so `set.seed()` reproduces the fit exactly, whatever the number
#' of threads.
#'
#' @param x A numeric vector, matrix or data frame of numeric columns; rows are
#'   observations.
#' @param k Number of components, a whole number between 1 and `nrow(x)`.
#' @param init How EM is started: `"random_responsibilities"` (one M-step on
#'   random responsibilities, the default), `"kmeans_responsibilities"` (one
#'   M-step on k-means labels), `"kmeans"` (cluster fractions, centroids and
#'   within-cluster covariances; the same start as the previous one),
#'   `"randomized_kmeans"` (k-means centres perturbed by `init_scale` times a
#'   draw from each cluster's covariance), `"random"` (random data points plus
#'   noise, spherical covariances) or `"minmax"` (uniform means in the data's
#'   bounding box, spherical covariances).
#' @param n_inits Number of starts.
#' @param tol EM stops when the mean per-sample log-likelihood changes by less
#'   than `tol`.
#' @param reg_covar Non-negative number added to the diagonal of every
#'   covariance at each M-step.
#' @param max_iter Maximum number of EM iterations; a warning is given when it
#'   is reached.
#' @param weights Optional non-negative observation weights, one per row. An
#'   integer weight counts a row that many times.
#' @param init_scale Spread of the `"random"`, `"minmax"` and
#'   `"randomized_kmeans"` starts; `NULL` uses each start's default.
#' @param n_threads Number of threads for the starts (see [gmmmi-package]).
#' @return An object of class `"gmm"`: a list with `weights` (length `k`),
#'   `means` (`k` x d matrix), `covariances` (d x d x `k` array), `loglik`
#'   (total log-likelihood), `n_iter`, `converged`, `n` (number of rows, or the
#'   sum of the weights), `init`, `n_failed` (failed starts that were retried)
#'   and `call`.
#' @seealso [predict.gmm()], [simulate.gmm()], [gmm_marginal()], [gmm_mi()].
#' @examples
#' set.seed(1)
#' x <- rbind(matrix(rnorm(400, -2), ncol = 2), matrix(rnorm(400, 2), ncol = 2))
#' fit <- gmm_fit(x, k = 2, init = "kmeans")
#' fit
#' AIC(fit)
#' head(predict(fit, x))
#' @export
gmm_fit <- function(x, k, init = "random_responsibilities", n_inits = 1, tol = 1e-5,
                    reg_covar = 1e-15, max_iter = 10000, weights = NULL,
                    init_scale = NULL, n_threads = NULL) {
  call <- match.call()
  env <- current_env_call()
  x <- as_data_matrix(x, "x", env)
  n <- nrow(x)
  if (missing(k)) gmmmi_abort("{.arg k}, the number of components, is required.", env)
  k <- check_whole(k, "k", env, min = 1)
  if (k > n) {
    gmmmi_abort("{.arg k} ({k}) must not exceed the number of rows of {.arg x} ({n}).", env)
  }
  init <- check_choice(init, init_types, "init", env)
  n_inits <- check_whole(n_inits, "n_inits", env, min = 1, max = 10000)
  tol <- check_real(tol, "tol", env, min = 0)
  reg_covar <- check_real(reg_covar, "reg_covar", env, min = 0)
  max_iter <- check_whole(max_iter, "max_iter", env, min = 1)
  init_scale <- if (is.null(init_scale)) 0 else check_real(init_scale, "init_scale", env, min = 0, min_inclusive = FALSE)
  weights <- check_weights(weights, n, env)
  n_threads <- resolve_threads(n_threads, env)
  n_positive <- if (is.null(weights)) n else sum(weights > 0)
  if (k > n_positive) {
    gmmmi_abort("{.arg k} ({k}) must not exceed the number of rows of {.arg x} with positive weight ({n_positive}).", env)
  }
  check_no_constant(if (is.null(weights)) x else x[weights > 0, , drop = FALSE], "x", env)

  res <- call_core(gmm_fit_cpp(x, k, init, init_scale, n_inits, tol, reg_covar, max_iter,
                               weights, n_threads), env)
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
  new_gmm(res$model, colnames(x), loglik = res$loglik, n_iter = res$n_iter,
          converged = res$converged, n = if (is.null(weights)) n else sum(weights),
          init = init, n_failed = res$n_failed, call = call)
}

init_types <- c("random_responsibilities", "kmeans_responsibilities", "kmeans",
                "randomized_kmeans", "random", "minmax")

current_env_call <- function() sys.call(-1)

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

# The "gmm" object from the parameter list returned by C++.
new_gmm <- function(model, names, loglik = NA_real_, n_iter = NA_integer_,
                    converged = NA, n = NA_real_, init = NA_character_, n_failed = 0L,
                    call = NULL) {
  k <- length(model$weights)
  comp <- paste0("comp", seq_len(k))
  weights <- as.numeric(model$weights)
  names(weights) <- comp
  means <- matrix(model$means, nrow = k, dimnames = list(comp, names))
  covariances <- array(model$covariances, dim = c(length(names), length(names), k),
                       dimnames = list(names, names, comp))
  structure(list(weights = weights, means = means, covariances = covariances,
                 loglik = loglik, n_iter = n_iter, converged = converged, n = n,
                 init = init, n_failed = n_failed, call = call),
            class = "gmm")
}

# The parameters as the C++ glue reads them, after checking that their shapes
# agree (an edited object must not send the core out of bounds).
gmm_params <- function(object, call = NULL) {
  w <- object$weights
  m <- object$means
  S <- object$covariances
  ok <- is.numeric(w) && length(w) >= 1 && all(is.finite(w)) && all(w > 0) &&
    is.matrix(m) && is.numeric(m) && nrow(m) == length(w) && all(is.finite(m)) &&
    is.numeric(S) && length(dim(S)) == 3 && all(dim(S) == c(ncol(m), ncol(m), length(w))) &&
    all(is.finite(S))
  if (!ok) {
    gmmmi_abort(c("The {.cls gmm} object is inconsistent.",
                  "i" = "Its weights must be positive, with one row of {.field means} and one covariance matrix per component."),
                call)
  }
  list(weights = unname(object$weights), means = unname(object$means),
       covariances = array(as.numeric(object$covariances), dim = dim(object$covariances)))
}

gmm_dim <- function(object) ncol(object$means)

gmm_df <- function(k, d) k * d + k * d * (d + 1) / 2 + k - 1

#' @export
print.gmm <- function(x, digits = 3, ...) {
  k <- length(x$weights)
  d <- gmm_dim(x)
  cat(sprintf("Gaussian mixture: %d component%s in %d dimension%s", k, if (k == 1) "" else "s",
              d, if (d == 1) "" else "s"))
  if (!is.na(x$loglik)) cat(sprintf(", log-likelihood %s (n = %s)", format(x$loglik, digits = 6),
                                    format(x$n)))
  cat("\n")
  tab <- cbind(weight = x$weights, x$means)
  print(round(tab, digits))
  invisible(x)
}

#' Summarise a Gaussian mixture fit
#'
#' @param object A `"gmm"` object from [gmm_fit()].
#' @param ... Unused.
#' @return An object of class `"summary.gmm"` with the component table
#'   (weights and means), the standard deviations and correlations of each
#'   component, the log-likelihood, AIC, BIC and the convergence record.
#' @examples
#' set.seed(1)
#' summary(gmm_fit(matrix(rnorm(200), ncol = 2), k = 2, init = "kmeans"))
#' @export
summary.gmm <- function(object, ...) {
  k <- length(object$weights)
  sds <- t(vapply(seq_len(k), function(i) sqrt(diag(as.matrix(object$covariances[, , i]))),
                  numeric(gmm_dim(object))))
  if (gmm_dim(object) == 1) sds <- matrix(sds, ncol = 1)
  dimnames(sds) <- dimnames(object$means)
  ll <- logLik(object)
  structure(list(components = cbind(weight = object$weights, object$means), sd = sds,
                 correlations = lapply(seq_len(k), function(i) stats::cov2cor(as.matrix(object$covariances[, , i]))),
                 loglik = object$loglik, aic = if (is.na(object$loglik)) NA else stats::AIC(ll),
                 bic = if (is.na(object$loglik)) NA else stats::BIC(ll), n_iter = object$n_iter,
                 converged = object$converged, n = object$n, init = object$init),
            class = "summary.gmm")
}

#' @export
print.summary.gmm <- function(x, digits = 4, ...) {
  cat(sprintf("Gaussian mixture, %d component%s, n = %s\n", nrow(x$components),
              if (nrow(x$components) == 1) "" else "s", format(x$n)))
  cat(sprintf("log-likelihood %s, AIC %s, BIC %s\n", format(x$loglik, digits = 7),
              format(x$aic, digits = 7), format(x$bic, digits = 7)))
  cat(sprintf("EM: %s iterations, %s (start: %s)\n\n", x$n_iter,
              if (isTRUE(x$converged)) "converged" else "not converged", x$init))
  cat("Weights and means:\n")
  print(signif(x$components, digits))
  cat("\nStandard deviations:\n")
  print(signif(x$sd, digits))
  invisible(x)
}

#' @export
logLik.gmm <- function(object, ...) {
  structure(object$loglik, df = gmm_df(length(object$weights), gmm_dim(object)),
            nobs = object$n, class = "logLik")
}

#' @export
nobs.gmm <- function(object, ...) object$n

#' Predict from a Gaussian mixture
#'
#' @param object A `"gmm"` object.
#' @param newdata Data with the same columns as the fit (a vector is taken as
#'   one column).
#' @param type `"class"`: the most responsible component of each row;
#'   `"responsibilities"`: the matrix of posterior component probabilities;
#'   `"logdensity"` or `"density"`: the mixture density at each row.
#' @param ... Unused.
#' @return An integer vector, a matrix with one column per component, or a
#'   numeric vector.
#' @examples
#' set.seed(2)
#' fit <- gmm_fit(c(rnorm(200, -3), rnorm(200, 3)), k = 2, init = "kmeans")
#' predict(fit, c(-3, 0, 3), type = "responsibilities")
#' predict(fit, c(-3, 0, 3), type = "density")
#' @export
predict.gmm <- function(object, newdata, type = c("class", "responsibilities", "logdensity", "density"),
                        ...) {
  env <- current_env_call()
  type <- check_choice(type, c("class", "responsibilities", "logdensity", "density"), "type", env)
  if (missing(newdata)) gmmmi_abort("{.arg newdata} is required.", env)
  newdata <- as_data_matrix(newdata, "newdata", env)
  d <- gmm_dim(object)
  names <- colnames(object$means)
  # Columns are matched by name when newdata carries all the fitted names.
  if (!is.null(colnames(newdata)) && all(names %in% colnames(newdata)) && ncol(newdata) >= d) {
    newdata <- newdata[, names, drop = FALSE]
  }
  if (ncol(newdata) != d) {
    gmmmi_abort("{.arg newdata} must have {d} column{?s}, like the fitted data, not {ncol(newdata)}.", env)
  }
  res <- gmm_density_cpp(gmm_params(object, env), newdata)
  switch(type,
         class = max.col(res$responsibilities, ties.method = "first"),
         responsibilities = {
           r <- res$responsibilities
           dimnames(r) <- list(rownames(newdata), names(object$weights))
           r
         },
         logdensity = res$log_density,
         density = exp(res$log_density))
}

#' Draw samples from a Gaussian mixture
#'
#' @param object A `"gmm"` object.
#' @param nsim Number of draws.
#' @param seed Optional seed, as for [stats::simulate()]: when given, R's
#'   random number generator is seeded with it and restored afterwards.
#' @param ... Unused.
#' @return A matrix with `nsim` rows and the fitted columns, with attribute
#'   `"component"` giving the component of each draw.
#' @examples
#' fit <- gmm_fit(matrix(rnorm(400), ncol = 2), k = 1)
#' head(simulate(fit, 5, seed = 1))
#' @importFrom stats simulate
#' @export
simulate.gmm <- function(object, nsim = 1, seed = NULL, ...) {
  env <- current_env_call()
  nsim <- check_whole(nsim, "nsim", env, min = 1)
  if (!is.null(seed)) {
    old <- if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) get(".Random.seed", envir = globalenv()) else NULL
    on.exit(if (is.null(old)) rm(".Random.seed", envir = globalenv()) else assign(".Random.seed", old, envir = globalenv()), add = TRUE)
    set.seed(seed)
  }
  res <- gmm_simulate_cpp(gmm_params(object, env), nsim)
  out <- res$x
  colnames(out) <- colnames(object$means)
  attr(out, "component") <- res$component
  out
}

#' Marginal of a Gaussian mixture
#'
#' Every marginal of a Gaussian mixture is a Gaussian mixture with the same
#' weights and the sliced means and covariances.
#'
#' @param object A `"gmm"` object.
#' @param dims The coordinates to keep, by position or by name.
#' @return A `"gmm"` object in the chosen coordinates.
#' @examples
#' fit <- gmm_fit(matrix(rnorm(300), ncol = 3), k = 2, init = "kmeans")
#' gmm_marginal(fit, c(1, 3))
#' @export
gmm_marginal <- function(object, dims) {
  env <- current_env_call()
  if (!inherits(object, "gmm")) gmmmi_abort("{.arg object} must be a {.cls gmm} object.", env)
  dims <- resolve_dims(dims, colnames(object$means), "dims", env)
  out <- object
  out$means <- object$means[, dims, drop = FALSE]
  out$covariances <- object$covariances[dims, dims, , drop = FALSE]
  out$loglik <- NA_real_
  out$call <- match.call()
  out
}

resolve_dims <- function(dims, names, arg, call) {
  d <- length(names)
  if (is.character(dims)) {
    idx <- match(dims, names)
    if (anyNA(idx)) gmmmi_abort("{.arg {arg}} names unknown column{?s} {.val {dims[is.na(idx)]}}.", call)
    dims <- idx
  }
  if (!is.numeric(dims) || length(dims) < 1 || anyNA(dims) || any(dims != round(dims)) ||
      any(dims < 1) || any(dims > d) || anyDuplicated(dims)) {
    gmmmi_abort("{.arg {arg}} must be distinct column positions between 1 and {d}, or column names.", call)
  }
  as.integer(dims)
}
