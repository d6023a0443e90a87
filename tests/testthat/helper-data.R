# Shared data generators and reference computations for the tests. Everything
# here is written in plain R, independently of the package's C++ code, so that
# the package can be checked against it.

# Draws n points from a Gaussian mixture with weights `w` (length K), means
# `mu` (K x d matrix) and covariances `S` (list of K d x d matrices). Returns
# the matrix of points with attribute "component" (the true labels).
rmix_gauss <- function(n, w, mu, S) {
  mu <- as.matrix(mu)
  k <- length(w)
  d <- ncol(mu)
  z <- sample.int(k, n, replace = TRUE, prob = w)
  x <- matrix(0, n, d)
  for (j in seq_len(k)) {
    i <- which(z == j)
    if (length(i) == 0) next
    x[i, ] <- matrix(stats::rnorm(d * length(i)), ncol = d) %*% chol(S[[j]]) +
      rep(mu[j, ], each = length(i))
  }
  attr(x, "component") <- z
  x
}

# A well separated three-component mixture in two dimensions, with different
# covariances.
truth_three_2d <- function() {
  list(w = c(0.5, 0.3, 0.2),
       mu = rbind(c(0, 0), c(6, 0), c(0, 6)),
       S = list(matrix(c(1, 0.5, 0.5, 1), 2),
                matrix(c(0.5, -0.2, -0.2, 0.8), 2),
                diag(c(0.8, 0.3))))
}

# Two well separated components in two dimensions.
truth_two_2d <- function() {
  list(w = c(0.4, 0.6),
       mu = rbind(c(-3, -3), c(3, 3)),
       S = list(diag(2), matrix(c(1, 0.3, 0.3, 0.7), 2)))
}

# The log-density of each row of x under a "gmm" object (or a list with
# weights, means, covariances), by the closed form, with log-sum-exp.
# Also returns the responsibilities as attribute "resp".
gmm_logdensity_ref <- function(object, x) {
  x <- as.matrix(x)
  k <- length(object$weights)
  d <- ncol(x)
  logp <- matrix(0, nrow(x), k)
  for (j in seq_len(k)) {
    S <- as.matrix(object$covariances[, , j])
    mu <- as.numeric(object$means[j, ])
    logdet <- as.numeric(determinant(S, logarithm = TRUE)$modulus)
    maha <- stats::mahalanobis(x, mu, S)
    logp[, j] <- log(object$weights[j]) - 0.5 * d * log(2 * pi) - 0.5 * logdet - 0.5 * maha
  }
  m <- apply(logp, 1, max)
  ld <- m + log(rowSums(exp(logp - m)))
  attr(ld, "resp") <- exp(logp - ld)
  ld
}

# For each true mean (row of `true_means`), the index of the nearest fitted
# mean (row of `fit_means`).
match_components <- function(fit_means, true_means) {
  apply(true_means, 1, function(m) which.min(colSums((t(fit_means) - m)^2)))
}

# mclust's maximised total log-likelihood for K full (VVV) components. Mclust
# looks mclustBIC up from its caller's frame, so provide it here.
mclust_loglik <- function(x, k) {
  mclustBIC <- mclust::mclustBIC
  mclust::Mclust(x, G = k, modelNames = "VVV", verbose = FALSE)$loglik
}

# The parameters of a fit without the call, to compare fits made by calls
# that differ only in arguments that must not change the result.
fit_without_call <- function(fit) {
  fit$call <- NULL
  fit
}

# Number of free parameters of a K-component full-covariance mixture in d
# dimensions: means, covariances and K - 1 free weights.
gmm_df_ref <- function(k, d) k * d + k * d * (d + 1) / 2 + k - 1
