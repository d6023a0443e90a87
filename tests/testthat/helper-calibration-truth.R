# Families of distributions with known mutual information beyond the paper's
# one-dimensional regime (issue #14, calibration): independence with many
# categories, vector-valued Gaussian and Student t pairs, rounded (tied) data
# and counts. Plain R, independent of the package; bench/accuracy.R runs them
# and test-truths.R checks each truth without gmmmi. Every name starts with
# `cal_`. Each entry is as in acc_distributions() (id, what, truth,
# generate(n) returning list(x, y)), plus `sizes`, the N at which
# bench/accuracy.R runs it by default.

# ---- true MI (nats) -----------------------------------------------------

# Entropy of the d-dimensional standard Student t with nu degrees of freedom.
cal_entropy_t <- function(nu, d) {
  d / 2 * log(nu * pi) + lgamma(nu / 2) - lgamma((nu + d) / 2) +
    (nu + d) / 2 * (digamma((nu + d) / 2) - digamma(nu / 2))
}

# X, Y of d columns each, jointly Student t (one chi-square scale shared by a
# Gaussian pair whose canonical correlations all equal rho), then each side
# through its own invertible linear map (MI unchanged):
# I = 2 h_t(d) - h_t(2d) - d/2 log(1 - rho^2); nu = Inf is the Gaussian case.
cal_mi_vector <- function(d, rho, nu = Inf) {
  gauss <- -d / 2 * log(1 - rho^2)
  if (is.infinite(nu)) gauss else gauss + 2 * cal_entropy_t(nu, d) - cal_entropy_t(nu, 2 * d)
}

# Gaussian pair with correlation rho, both sides rounded to multiples of
# `step`: the MI of the two discrete variables, sum P log(P / (Px Py)), the
# cell probabilities by integrating the conditional normal over each x cell.
cal_mi_rounded_gaussian <- function(rho, step) {
  edges <- seq(-9, 9, by = step) - step / 2
  edges <- c(-Inf, edges[edges > -8.5 & edges < 8.5], Inf)
  s <- sqrt(1 - rho^2)
  cells <- length(edges) - 1
  P <- vapply(seq_len(cells), function(i) {
    vapply(seq_len(cells), function(j) {
      f <- function(x) stats::dnorm(x) * (stats::pnorm((edges[j + 1] - rho * x) / s) -
                                          stats::pnorm((edges[j] - rho * x) / s))
      stats::integrate(f, max(edges[i], -9), min(edges[i + 1], 9), rel.tol = 1e-10)$value
    }, numeric(1))
  }, numeric(cells))
  px <- colSums(P)
  py <- rowSums(P)
  nz <- P > 1e-300
  sum(P[nz] * log(P[nz] / outer(py, px)[nz]))
}

# Count c | x ~ Poisson(exp(a + b x)), x ~ N(0, 1):
# I = H(C) - E_x H(C | x), each by numerical integration over x.
cal_mi_poisson <- function(a, b, max_count = 400) {
  counts <- 0:max_count
  lambda <- function(x) exp(a + b * x)
  p_count <- vapply(counts, function(k) {
    stats::integrate(function(x) stats::dpois(k, lambda(x)) * stats::dnorm(x), -10, 10,
                     rel.tol = 1e-11)$value
  }, numeric(1))
  h_count <- -sum(ifelse(p_count > 0, p_count * log(p_count), 0))
  h_given <- function(x) {
    vapply(x, function(xi) {
      p <- stats::dpois(counts, lambda(xi))
      -sum(ifelse(p > 0, p * log(p), 0))
    }, numeric(1)) * stats::dnorm(x)
  }
  h_count - stats::integrate(h_given, -10, 10, rel.tol = 1e-10)$value
}

# ---- generators -----------------------------------------------------------

cal_trimodal <- function(n) stats::rnorm(n, sample(c(-2, 0, 2), n, replace = TRUE), 0.3)

# A dense invertible map of d columns, fixed by its own seed so that every
# dataset of a family shares it (the truth does not depend on it).
cal_dense_map <- function(d, seed) {
  old <- if (exists(".Random.seed", envir = globalenv())) get(".Random.seed", envir = globalenv())
  on.exit(if (!is.null(old)) assign(".Random.seed", old, envir = globalenv()))
  set.seed(seed)
  diag(d) + matrix(stats::rnorm(d * d, sd = 0.5), d, d)
}

cal_r_vector <- function(n, d, rho, nu = Inf) {
  x <- matrix(stats::rnorm(n * d), n, d)
  y <- rho * x + sqrt(1 - rho^2) * matrix(stats::rnorm(n * d), n, d)
  if (is.finite(nu)) {
    s <- sqrt(stats::rchisq(n, df = nu) / nu)
    x <- x / s
    y <- y / s
  }
  list(x = x %*% cal_dense_map(d, 101 + d), y = y %*% cal_dense_map(d, 202 + d))
}

cal_independent_categories <- function(n_classes, y) {
  function(n) list(x = factor(sample.int(n_classes, n, replace = TRUE), levels = seq_len(n_classes)),
                   y = y(n))
}

cal_poisson_a <- 0.5
cal_poisson_b <- 0.7

cal_distributions <- function() {
  std <- c(1000L, 5000L)
  d <- list(
    list(id = "indep_cat2_gauss", what = "2 balanced classes independent of y ~ N(0, 1)",
         truth = 0, sizes = std, generate = cal_independent_categories(2, stats::rnorm)),
    list(id = "indep_cat5_gauss", what = "5 balanced classes independent of y ~ N(0, 1)",
         truth = 0, sizes = std, generate = cal_independent_categories(5, stats::rnorm)),
    list(id = "indep_cat10_trimodal", what = "10 balanced classes independent of a trimodal y",
         truth = 0, sizes = std, generate = cal_independent_categories(10, cal_trimodal)),
    list(id = "indep_gauss", what = "independent Gaussian pair",
         truth = 0, sizes = std, generate = function(n) list(x = stats::rnorm(n), y = stats::rnorm(n))),
    list(id = "vector_gauss_5x5", what = "Gaussian, 5 + 5 dense columns, canonical correlations 0.4",
         truth = cal_mi_vector(5, 0.4), sizes = std, generate = function(n) cal_r_vector(n, 5, 0.4)),
    list(id = "vector_gauss_25x25", what = "Gaussian, 25 + 25 dense columns, canonical correlations 0.3",
         truth = cal_mi_vector(25, 0.3), sizes = 5000L, generate = function(n) cal_r_vector(n, 25, 0.3)),
    list(id = "vector_t2_3x3", what = "Student t (nu = 2), 3 + 3 dense columns, rho 0.4",
         truth = cal_mi_vector(3, 0.4, 2), sizes = std, generate = function(n) cal_r_vector(n, 3, 0.4, 2)),
    list(id = "vector_t3_5x5", what = "Student t (nu = 3), 5 + 5 dense columns, rho 0.4",
         truth = cal_mi_vector(5, 0.4, 3), sizes = 5000L, generate = function(n) cal_r_vector(n, 5, 0.4, 3)),
    list(id = "small_gauss_rho0.6", what = "Gaussian rho = 0.6 at small n",
         truth = -0.5 * log(1 - 0.36), sizes = c(200L, 500L), generate = function(n) {
           x <- stats::rnorm(n)
           list(x = x, y = 0.6 * x + 0.8 * stats::rnorm(n))
         }),
    list(id = "small_gamma_exp_a1", what = "gamma-exponential alpha = 1 at small n",
         truth = digamma(2), sizes = c(200L, 500L), generate = function(n) {
           x <- stats::rgamma(n, shape = 1)
           list(x = log(x), y = log(stats::rexp(n, rate = x)))
         }),
    list(id = "rounded_gauss_0.5", what = "Gaussian rho = 0.6, both sides rounded to steps of 0.5",
         truth = cal_mi_rounded_gaussian(0.6, 0.5), sizes = std, generate = function(n) {
           x <- stats::rnorm(n)
           y <- 0.6 * x + 0.8 * stats::rnorm(n)
           list(x = round(x / 0.5) * 0.5, y = round(y / 0.5) * 0.5)
         }),
    list(id = "rounded_gauss_1", what = "Gaussian rho = 0.6, both sides rounded to whole numbers",
         truth = cal_mi_rounded_gaussian(0.6, 1), sizes = std, generate = function(n) {
           x <- stats::rnorm(n)
           y <- 0.6 * x + 0.8 * stats::rnorm(n)
           list(x = round(x), y = round(y))
         }),
    list(id = "poisson_count", what = "count c ~ Poisson(exp(0.5 + 0.7 x)) as a number, x ~ N(0, 1)",
         truth = cal_mi_poisson(cal_poisson_a, cal_poisson_b), sizes = std, generate = function(n) {
           x <- stats::rnorm(n)
           list(x = x, y = stats::rpois(n, exp(cal_poisson_a + cal_poisson_b * x)))
         }),
    list(id = "poisson_factor", what = "the same count given as a factor (rare levels in the tail)",
         truth = cal_mi_poisson(cal_poisson_a, cal_poisson_b), sizes = std, generate = function(n) {
           x <- stats::rnorm(n)
           list(x = factor(stats::rpois(n, exp(cal_poisson_a + cal_poisson_b * x))), y = x)
         }),
    list(id = "rounded_gauss_1_factor", what = "the same whole numbers given as factors (plug-in MI)",
         truth = cal_mi_rounded_gaussian(0.6, 1), sizes = std, generate = function(n) {
           x <- stats::rnorm(n)
           y <- 0.6 * x + 0.8 * stats::rnorm(n)
           list(x = factor(round(x)), y = factor(round(y)))
         })
  )
  names(d) <- vapply(d, function(e) e$id, character(1))
  d
}
