# Distributions with exactly known mutual information for bench/accuracy.R
# (issue #7, "Accuracy past the reference"): their generators and true MI in
# nats. Plain R, independent of the package. bench/accuracy.R sources this
# file; test-truths.R checks every truth by numerical integration or a large
# Monte Carlo with the exact densities. Every name starts with `acc_` so that
# nothing here clashes with helper-truth.R.

# ---- true MI (nats) -----------------------------------------------------

# X ~ U(0, 1), Y = X + U(-eps, eps). I = h(Y) - log(2 eps); Y has a trapezoid
# density whose entropy is eps (eps <= 1/2) or log(2 eps) + 1 / (4 eps)
# (eps >= 1/2).
acc_mi_flat <- function(eps) {
  if (eps >= 0.5) 1 / (4 * eps) else eps - log(2 * eps)
}

# Bivariate Student t, nu degrees of freedom, correlation (scale) matrix with
# off-diagonal rho: I = 2 h(t_nu, 1-d) - h(t_nu, 2-d), with the entropy of the
# d-dimensional t, 0.5 log det R + log((nu pi)^(d/2) G(nu/2) / G((nu+d)/2))
# + (nu+d)/2 (psi((nu+d)/2) - psi(nu/2)). Not zero at rho = 0: the shared
# chi-square scale makes X and Y dependent.
acc_mi_student <- function(nu, rho) {
  -0.5 * log(1 - rho^2) + lgamma(nu / 2) + lgamma((nu + 2) / 2) - 2 * lgamma((nu + 1) / 2) +
    (nu + 1) * digamma((nu + 1) / 2) - (nu + 2) / 2 * digamma((nu + 2) / 2) -
    nu / 2 * digamma(nu / 2)
}

# Gamma-exponential (Piras et al. 2023; vignette("method"), section "10
# Distributions with known MI"): x ~ Gamma(shape a, scale 1),
# y | x ~ Exp(rate x).
acc_mi_gamma_exp <- function(a) digamma(a + 1) - log(a)

# Ordered Weinman exponential (as above): x ~ Exp(scale 1/2),
# y = x + Exp(scale a).
acc_mi_weinman <- function(a) {
  if (a < 0.5) {
    -log(2 * a / (1 - 2 * a)) + digamma(1 / (1 - 2 * a)) - digamma(1)
  } else if (a == 0.5) {
    -digamma(1)
  } else {
    log((2 * a - 1) / (2 * a)) + digamma(2 * a / (2 * a - 1)) - digamma(1)
  }
}

# Bivariate Gaussian with correlation rho (also after any invertible map of
# each margin, such as pnorm).
acc_mi_gaussian <- function(rho) -0.5 * log(1 - rho^2)

# Joint Gaussian with covariance S, blocks ix and iy:
# I = 0.5 log(det Sxx det Syy / det S[c(ix, iy), c(ix, iy)]).
acc_mi_gaussian_blocks <- function(S, ix, iy) {
  ld <- function(i) as.numeric(determinant(S[i, i, drop = FALSE], logarithm = TRUE)$modulus)
  0.5 * (ld(ix) + ld(iy) - ld(c(ix, iy)))
}

# Category C with probabilities p, Y | C = c ~ N(mu_c, sd^2):
# I = H(C) - E_Y[H(C | Y)], the expectation by numerical integration over y.
acc_mi_categorical <- function(p, mu, sd = 1) {
  cond_entropy <- function(y) {
    lp <- vapply(seq_along(p), function(c) log(p[c]) + stats::dnorm(y, mu[c], sd, log = TRUE),
                 numeric(length(y)))
    lp <- matrix(lp, nrow = length(y))
    m <- apply(lp, 1, max)
    lf <- m + log(rowSums(exp(lp - m)))                  # log f(y)
    post <- exp(lp - lf)                                 # p(c | y)
    h <- -rowSums(ifelse(post > 0, post * log(post), 0)) # H(C | Y = y)
    exp(lf) * h
  }
  lo <- min(mu) - 12 * sd
  hi <- max(mu) + 12 * sd
  -sum(p * log(p)) - stats::integrate(cond_entropy, lo, hi, rel.tol = 1e-12,
                                      subdivisions = 1000L)$value
}

# ---- the distributions of bench/accuracy.R --------------------------------

acc_categorical_p <- c(0.7, 0.2, 0.1)
acc_categorical_mu <- c(0, 1.5, 3)

# Covariance of (x1, x2, y1, y2) for the vector-valued case.
acc_vector_cov <- matrix(c(1.0, 0.3, 0.5, 0.2,
                           0.3, 1.0, 0.1, 0.4,
                           0.5, 0.1, 1.0, -0.2,
                           0.2, 0.4, -0.2, 1.0), 4, 4)

# Bivariate t: one chi-square scale shared by a correlated Gaussian pair.
acc_r_student <- function(n, nu, rho) {
  z1 <- stats::rnorm(n)
  z2 <- rho * z1 + sqrt(1 - rho^2) * stats::rnorm(n)
  s <- sqrt(stats::rchisq(n, df = nu) / nu)
  list(x = z1 / s, y = z2 / s)
}

acc_r_mvn <- function(n, S) {
  matrix(stats::rnorm(n * ncol(S)), n, ncol(S)) %*% chol(S)
}

# Each entry: id, a description, the true MI (nats) and a generator
# function(n) returning list(x, y) as they are passed to gmm_mi(x, y): x and y
# numeric vectors or matrices, or x a factor (categorical case).
acc_distributions <- function() {
  d <- list(
    list(id = "flat_eps0.75", what = "X ~ U(0,1), Y = X + U(-0.75, 0.75)",
         truth = acc_mi_flat(0.75),
         generate = function(n) {
           x <- stats::runif(n)
           list(x = x, y = x + stats::runif(n, -0.75, 0.75))
         }),
    list(id = "flat_eps0.1", what = "X ~ U(0,1), Y = X + U(-0.1, 0.1)",
         truth = acc_mi_flat(0.1),
         generate = function(n) {
           x <- stats::runif(n)
           list(x = x, y = x + stats::runif(n, -0.1, 0.1))
         }),
    list(id = "t_nu1_rho0.5", what = "bivariate t, nu = 1 (Cauchy), rho = 0.5",
         truth = acc_mi_student(1, 0.5), generate = function(n) acc_r_student(n, 1, 0.5)),
    list(id = "t_nu1_rho0", what = "bivariate t, nu = 1 (Cauchy), rho = 0",
         truth = acc_mi_student(1, 0), generate = function(n) acc_r_student(n, 1, 0)),
    list(id = "t_nu2_rho0.5", what = "bivariate t, nu = 2, rho = 0.5",
         truth = acc_mi_student(2, 0.5), generate = function(n) acc_r_student(n, 2, 0.5)),
    list(id = "t_nu3_rho0.5", what = "bivariate t, nu = 3, rho = 0.5",
         truth = acc_mi_student(3, 0.5), generate = function(n) acc_r_student(n, 3, 0.5)),
    list(id = "gamma_exp_a1", what = "gamma-exponential, alpha = 1, (log x, log y)",
         truth = acc_mi_gamma_exp(1),
         generate = function(n) {
           x <- stats::rgamma(n, shape = 1, scale = 1)
           y <- stats::rexp(n, rate = x)
           list(x = log(x), y = log(y))
         }),
    list(id = "weinman_a1", what = "ordered Weinman, alpha = 1, (log x, log y)",
         truth = acc_mi_weinman(1),
         generate = function(n) {
           x <- stats::rexp(n, rate = 2)
           y <- x + stats::rexp(n, rate = 1)
           list(x = log(x), y = log(y))
         }),
    list(id = "gauss_pnorm_rho0.6", what = "Gaussian rho = 0.6 through pnorm (uniform margins)",
         truth = acc_mi_gaussian(0.6),
         generate = function(n) {
           x <- stats::rnorm(n)
           y <- 0.6 * x + 0.8 * stats::rnorm(n)
           list(x = stats::pnorm(x), y = stats::pnorm(y))
         }),
    list(id = "categorical_3", what = "factor p = (0.7, 0.2, 0.1), y | c ~ N((0, 1.5, 3)[c], 1)",
         truth = acc_mi_categorical(acc_categorical_p, acc_categorical_mu),
         generate = function(n) {
           k <- sample.int(3, n, replace = TRUE, prob = acc_categorical_p)
           list(x = factor(c("a", "b", "c")[k], levels = c("a", "b", "c")),
                y = stats::rnorm(n, acc_categorical_mu[k], 1))
         }),
    list(id = "vector_2x2", what = "Gaussian, X and Y 2 columns each, fixed covariance",
         truth = acc_mi_gaussian_blocks(acc_vector_cov, 1:2, 3:4),
         generate = function(n) {
           z <- acc_r_mvn(n, acc_vector_cov)
           list(x = z[, 1:2], y = z[, 3:4])
         })
  )
  names(d) <- vapply(d, function(e) e$id, character(1))
  d
}
