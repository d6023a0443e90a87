# The "gmm" class: a fitted Gaussian mixture (from gmm_fit(), or inside the
# results of gmm_select() and gmm_mi()), its constructor and its methods.

# The "gmm" object from the parameter list returned by C++. A list that
# carries `center` and `scale` holds standardised parameters (see gmm_fit()).
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
  out <- list(weights = weights, means = means, covariances = covariances,
              loglik = loglik, n_iter = n_iter, converged = converged, n = n,
              init = init, n_failed = n_failed, call = call)
  if (!is.null(model$scale)) {
    out$center <- stats::setNames(as.numeric(model$center), names)
    out$scale <- stats::setNames(as.numeric(model$scale), names)
  }
  structure(out, class = "gmm")
}

# The map from the stored parameters' units to the data's, data = center +
# scale * u: the identity unless the object keeps standardised parameters.
gmm_scaling <- function(object) {
  if (is.null(object$scale)) {
    d <- gmm_dim(object)
    nm <- colnames(object$means)
    return(list(center = stats::setNames(rep(0, d), nm), scale = stats::setNames(rep(1, d), nm),
                identity = TRUE))
  }
  list(center = object$center, scale = object$scale, identity = FALSE)
}

# Means in the data's units (always representable: they lie within the data).
gmm_data_means <- function(object) {
  sc <- gmm_scaling(object)
  if (sc$identity) return(object$means)
  sweep(sweep(object$means, 2, sc$scale, "*"), 2, sc$center, "+")
}

#' Parameters of a Gaussian mixture in the data's units
#'
#' A `"gmm"` fitted to data of extreme scale keeps its parameters in
#' standardised units, with fields `center` and `scale` (see [gmm_fit()]).
#' This gives its means and covariances in the data's units, with an error
#' when they cannot be represented in double precision.
#'
#' @param object A `"gmm"` object.
#' @return A list with `weights`, `means` (`k` x d) and `covariances`
#'   (d x d x `k`), in the data's units.
#' @examples
#' set.seed(1)
#' fit <- gmm_fit(matrix(rnorm(200), ncol = 2) * 1e-150, k = 1)
#' fit$scale
#' gmm_data_params(fit)$covariances
#' @export
gmm_data_params <- function(object) {
  env <- this_call()
  if (!inherits(object, "gmm")) gmmmi_abort("{.arg object} must be a {.cls gmm} object.", env)
  gmm_params(object, env)
  sc <- gmm_scaling(object)
  S <- object$covariances
  if (!sc$identity) {
    for (k in seq_len(dim(S)[3])) S[, , k] <- S[, , k] * outer(sc$scale, sc$scale)
  }
  if (!all(is.finite(S)) || any(apply(S, 3, function(s) any(diag(as.matrix(s)) <= 0)))) {
    gmmmi_abort(c("The covariances of {.arg object} cannot be represented in the data's units.",
                  "i" = "Use its standardised parameters with {.field center} and {.field scale}."), env)
  }
  list(weights = object$weights, means = gmm_data_means(object), covariances = S)
}

# The parameters as the C++ glue reads them, after checking that their shapes
# agree (an edited object must not send the core out of bounds).
gmm_params <- function(object, call = NULL) {
  w <- object$weights
  m <- object$means
  S <- object$covariances
  ok <- is.numeric(w) && length(w) >= 1 && all(is.finite(w)) && all(w > 0) &&
    abs(sum(w) - 1) <= 1e-6 &&
    is.matrix(m) && is.numeric(m) && nrow(m) == length(w) && all(is.finite(m)) &&
    is.numeric(S) && length(dim(S)) == 3 && all(dim(S) == c(ncol(m), ncol(m), length(w))) &&
    all(is.finite(S)) &&
    (is.null(object$scale) && is.null(object$center) ||
       is.numeric(object$scale) && is.numeric(object$center) && length(object$scale) == ncol(m) &&
       length(object$center) == ncol(m) && all(is.finite(object$center)) &&
       all(is.finite(object$scale)) && all(object$scale > 0))
  if (!ok) {
    gmmmi_abort(c("The {.cls gmm} object is inconsistent.",
                  "i" = "Its weights must be positive and sum to 1, with one row of {.field means} and one covariance matrix per component{if (is.null(object$scale)) '' else ', and one finite {.field center} and positive {.field scale} per column'}."),
                call)
  }
  list(weights = unname(object$weights), means = unname(object$means),
       covariances = array(as.numeric(object$covariances), dim = dim(object$covariances)))
}

# The parameters of `object` in the units u' where data = center + scale * u',
# for integrals that need two mixtures in one frame; an error when they
# cannot be represented there (scales too far apart).
gmm_params_in <- function(object, center, scale, arg, call) {
  params <- gmm_params(object, call)
  sc <- gmm_scaling(object)
  if (identical(unname(sc$center), unname(center)) && identical(unname(sc$scale), unname(scale))) {
    return(params)
  }
  r <- unname(sc$scale / scale)
  shift <- unname((sc$center - center) / scale)
  params$means <- sweep(sweep(params$means, 2, r, "*"), 2, shift, "+")
  R <- outer(r, r)
  for (k in seq_len(dim(params$covariances)[3])) {
    params$covariances[, , k] <- params$covariances[, , k] * R
  }
  if (!all(is.finite(params$means)) || !all(is.finite(params$covariances)) ||
      any(apply(params$covariances, 3, function(s) any(diag(as.matrix(s)) <= 0)))) {
    gmmmi_abort("The scales of {.arg {arg}} are too far from those it is compared with to be represented together.",
                call)
  }
  params
}

gmm_dim <- function(object) ncol(object$means)

# Rounds a table for printing, except columns so small that rounding would
# show only zeros (data of scale 1e-300), which keep significant digits.
signif_or_round <- function(tab, digits) {
  tiny <- apply(abs(tab), 2, max) < 10^-digits
  tab[, !tiny] <- round(tab[, !tiny], digits)
  tab[, tiny] <- signif(tab[, tiny], digits)
  tab
}

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
  tab <- cbind(weight = x$weights, gmm_data_means(x))
  print(signif_or_round(tab, digits))
  if (!is.null(x$scale)) {
    cat("(covariances kept in standardised units: see `center` and `scale`)\n")
  }
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
  sc <- gmm_scaling(object)
  sds <- t(vapply(seq_len(k), function(i) sqrt(diag(as.matrix(object$covariances[, , i]))) * sc$scale,
                  numeric(gmm_dim(object))))
  if (gmm_dim(object) == 1) sds <- matrix(sds, ncol = 1)
  dimnames(sds) <- dimnames(object$means)
  ll <- logLik(object)
  structure(list(components = cbind(weight = object$weights, gmm_data_means(object)), sd = sds,
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
  env <- this_call()
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
  params <- gmm_params(object, env)
  need_resp <- type %in% c("class", "responsibilities")
  check_memory(16 * as.double(nrow(newdata)) * (need_resp * length(params$weights) + 1),
               sprintf("The densities of %d rows under %d components", nrow(newdata), length(params$weights)),
               "Predict fewer rows at a time.", env)
  sc <- gmm_scaling(object)
  if (!sc$identity) {
    newdata <- sweep(sweep(newdata, 2, sc$scale, "/"), 2, sc$center / sc$scale, "-")
  }
  res <- gmm_density_cpp(params, newdata, need_resp)
  # A density in data units: the standardised one times the Jacobian.
  if (!sc$identity) res$log_density <- res$log_density - sum(log(sc$scale))
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
  env <- this_call()
  nsim <- check_whole(nsim, "nsim", env, min = 1)
  check_memory(as.double(nsim) * (24 * gmm_dim(object) + 20), sprintf("%.0f draws", nsim),
               "Draw fewer at a time.", env)
  if (!is.null(seed)) {
    old <- if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) get(".Random.seed", envir = globalenv()) else NULL
    on.exit(if (is.null(old)) rm(".Random.seed", envir = globalenv()) else assign(".Random.seed", old, envir = globalenv()), add = TRUE)
    set.seed(seed)
  }
  res <- gmm_simulate_cpp(gmm_params(object, env), nsim)
  out <- res$x
  sc <- gmm_scaling(object)
  if (!sc$identity) out <- sweep(sweep(out, 2, sc$scale, "*"), 2, sc$center, "+")
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
  env <- this_call()
  if (!inherits(object, "gmm")) gmmmi_abort("{.arg object} must be a {.cls gmm} object.", env)
  dims <- resolve_dims(dims, colnames(object$means), "dims", env)
  out <- object
  out$means <- object$means[, dims, drop = FALSE]
  out$covariances <- object$covariances[dims, dims, , drop = FALSE]
  if (!is.null(object$scale)) {
    out$center <- object$center[dims]
    out$scale <- object$scale[dims]
  }
  out$loglik <- NA_real_
  out$call <- match.call()
  out
}
