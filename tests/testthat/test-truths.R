# The true MI of every distribution of bench/accuracy.R (helper-accuracy-truth.R),
# checked without gmmmi: by numerical integration (stats::integrate) of the
# exact densities, and by a Monte Carlo average of log p(x, y) - log p(x) -
# log p(y) over draws from the generators, which also checks that each
# generator draws from the distribution whose truth is claimed.

# Monte Carlo check: mean of the log density ratios `lr` within 5 standard
# errors (plus a floor) of `truth`.
expect_mc_truth <- function(lr, truth, label) {
  se <- stats::sd(lr) / sqrt(length(lr))
  expect_lt(abs(mean(lr) - truth), 5 * se + 1e-4,
            label = sprintf("%s: |MC %.5f - truth %.5f| (MC se %.5f)", label, mean(lr), truth, se))
}

# -h = integral of f log f over [lo, hi] (with break points), by integrate.
neg_entropy <- function(f, breaks) {
  sum(vapply(seq_len(length(breaks) - 1), function(i) {
    stats::integrate(function(y) { v <- f(y); ifelse(v > 0, v * log(v), 0) },
                     breaks[i], breaks[i + 1], rel.tol = 1e-12)$value
  }, numeric(1)))
}

test_that("flat: I = 1/(4 eps) or eps - log(2 eps), by integration and Monte Carlo", {
  for (eps in c(0.1, 0.3, 0.5, 0.75, 2)) {
    # f_Y(y) = P(y - eps < X < y + eps) / (2 eps), from punif alone.
    f <- function(y) (stats::punif(y + eps) - stats::punif(y - eps)) / (2 * eps)
    br <- sort(unique(c(-eps, eps, 1 - eps, 1 + eps)))
    h_y <- -neg_entropy(f, br)
    expect_equal(h_y - log(2 * eps), acc_mi_flat(eps), tolerance = 1e-8,
                 label = sprintf("integral, eps = %g", eps))
  }
  set.seed(11)
  d <- acc_distributions()
  for (id in c("flat_eps0.75", "flat_eps0.1")) {
    eps <- if (id == "flat_eps0.75") 0.75 else 0.1
    s <- d[[id]]$generate(1e5)
    expect_true(all(abs(s$y - s$x) < eps) && all(s$x > 0 & s$x < 1))
    fy <- (stats::punif(s$y + eps) - stats::punif(s$y - eps)) / (2 * eps)
    expect_mc_truth(-log(2 * eps) - log(fy), d[[id]]$truth, id)
  }
})

# log density of the bivariate t with unit scales and correlation rho.
log_dt2 <- function(x, y, nu, rho) {
  q <- (x^2 - 2 * rho * x * y + y^2) / (1 - rho^2)
  lgamma((nu + 2) / 2) - lgamma(nu / 2) - log(nu * pi) - 0.5 * log(1 - rho^2) -
    (nu + 2) / 2 * log1p(q / nu)
}

test_that("bivariate t: the density has t margins and the generator draws from it", {
  # The marginal of the bivariate density is the univariate t (stats::dt).
  for (nu in c(1, 3)) {
    for (x in c(-7, 0.3, 2)) {
      m <- stats::integrate(function(y) exp(log_dt2(x, y, nu, 0.5)), -Inf, Inf, rel.tol = 1e-10)$value
      expect_equal(m, stats::dt(x, nu), tolerance = 1e-7)
    }
  }
  # Monte Carlo with the generator and the exact densities.
  set.seed(12)
  d <- acc_distributions()
  for (id in c("t_nu1_rho0.5", "t_nu1_rho0", "t_nu2_rho0.5", "t_nu3_rho0.5")) {
    nu <- as.numeric(sub("t_nu([0-9]+)_.*", "\\1", id))
    rho <- as.numeric(sub(".*_rho", "", id))
    s <- d[[id]]$generate(1e5)
    lr <- log_dt2(s$x, s$y, nu, rho) - stats::dt(s$x, nu, log = TRUE) - stats::dt(s$y, nu, log = TRUE)
    expect_mc_truth(lr, d[[id]]$truth, id)
  }
})

test_that("bivariate t: closed-form MI equals the double integral of the exact densities", {
  skip_on_cran() # about 1.5 s
  # Over the plane by x = tan(a), y = tan(b), which keeps the Cauchy tails finite.
  mi_t <- function(nu, rho) {
    inner <- function(a) vapply(a, function(aa) {
      x <- tan(aa)
      stats::integrate(function(b) {
        y <- tan(b)
        l2 <- log_dt2(x, y, nu, rho)
        exp(l2) * (l2 - stats::dt(x, nu, log = TRUE) - stats::dt(y, nu, log = TRUE)) /
          (cos(b)^2 * cos(aa)^2)
      }, -pi / 2, pi / 2, rel.tol = 1e-9)$value
    }, numeric(1))
    stats::integrate(inner, -pi / 2, pi / 2, rel.tol = 1e-8)$value
  }
  for (p in list(c(1, 0.5), c(1, 0), c(2, 0.5), c(3, 0.5))) {
    expect_equal(mi_t(p[1], p[2]), acc_mi_student(p[1], p[2]), tolerance = 1e-7,
                 label = sprintf("nu = %g, rho = %g", p[1], p[2]))
  }
})

test_that("gamma-exponential: digamma(a + 1) - log(a), by integration and Monte Carlo", {
  for (a in c(0.5, 1, 3)) {
    # p(y) = int Gamma(x; a) x exp(-x y) dx, numerically; I = h(Y) - h(Y | X)
    # with h(Y | X = x) = 1 - log x.
    # For y > 1 the inner integral runs over t = x y, where its mass lies.
    py <- function(y) vapply(y, function(yy) {
      if (yy <= 1) {
        stats::integrate(function(x) stats::dgamma(x, shape = a) * x * exp(-x * yy), 0, Inf,
                         rel.tol = 1e-11)$value
      } else {
        stats::integrate(function(t) stats::dgamma(t / yy, shape = a) * t * exp(-t), 0, Inf,
                         rel.tol = 1e-11)$value / yy^2
      }
    }, numeric(1))
    flogf <- function(y) { v <- py(y); ifelse(v > 0, v * log(v), 0) }
    h_y <- -(stats::integrate(flogf, 0, 1, rel.tol = 1e-10)$value +
               stats::integrate(flogf, 1, Inf, rel.tol = 1e-10)$value)
    e_logx <- stats::integrate(function(x) stats::dgamma(x, shape = a) * log(x), 0, Inf,
                               rel.tol = 1e-11)$value
    expect_equal(h_y - (1 - e_logx), acc_mi_gamma_exp(a), tolerance = 1e-6,
                 label = sprintf("integral, a = %g", a))
    # The numerical p(y) is the Lomax density used by the Monte Carlo below.
    expect_equal(py(c(0.1, 1, 10)), a / (1 + c(0.1, 1, 10))^(a + 1), tolerance = 1e-8)
  }
  set.seed(13)
  d <- acc_distributions()
  s <- d$gamma_exp_a1$generate(1e5)
  x <- exp(s$x)
  y <- exp(s$y)
  # The log scale of the generator leaves MI unchanged (the Jacobians cancel).
  expect_mc_truth(log(x) - x * y - log(1 / (1 + y)^2), d$gamma_exp_a1$truth, "gamma_exp_a1")
})

test_that("ordered Weinman: closed form by integration and Monte Carlo", {
  for (a in c(0.25, 1, 3)) {
    # p(y) = int_0^y 2 exp(-2x) exp(-(y - x) / a) / a dx, numerically;
    # I = h(Y) - h(Y | X), h(Y | X) = 1 + log a.
    py <- function(y) vapply(y, function(yy) if (yy <= 0) 0 else stats::integrate(function(x)
      2 * exp(-2 * x) * exp(-(yy - x) / a) / a, 0, yy, rel.tol = 1e-11)$value, numeric(1))
    h_y <- -(stats::integrate(function(y) { v <- py(y); ifelse(v > 0, v * log(v), 0) }, 0, 1,
                              rel.tol = 1e-10)$value +
               stats::integrate(function(y) { v <- py(y); ifelse(v > 0, v * log(v), 0) }, 1, Inf,
                                rel.tol = 1e-10)$value)
    expect_equal(h_y - (1 + log(a)), acc_mi_weinman(a), tolerance = 1e-6,
                 label = sprintf("integral, a = %g", a))
  }
  set.seed(14)
  d <- acc_distributions()
  s <- d$weinman_a1$generate(1e5)
  x <- exp(s$x)
  y <- exp(s$y)
  expect_true(all(y > x))
  # a = 1: p(y) = 2 (exp(-y) - exp(-2 y)), the hypoexponential density.
  expect_mc_truth(-(y - x) - log(2 * (exp(-y) - exp(-2 * y))), d$weinman_a1$truth, "weinman_a1")
})

test_that("Gaussian through pnorm: MI of the copula density on the unit square", {
  rho <- 0.6
  log_c <- function(u, v) {
    a <- stats::qnorm(u)
    b <- stats::qnorm(v)
    -0.5 * log(1 - rho^2) - (rho^2 * (a^2 + b^2) - 2 * rho * a * b) / (2 * (1 - rho^2))
  }
  # The copula density is a density on the square: int c = 1 (a check of log_c).
  inner <- function(u, g) vapply(u, function(uu) stats::integrate(function(v) g(uu, v), 0, 1,
                                                                    rel.tol = 1e-9)$value, numeric(1))
  mass <- stats::integrate(function(u) inner(u, function(uu, v) exp(log_c(uu, v))), 0, 1,
                           rel.tol = 1e-8)$value
  expect_equal(mass, 1, tolerance = 1e-6)
  set.seed(15)
  d <- acc_distributions()
  s <- d$gauss_pnorm_rho0.6$generate(1e5)
  expect_true(all(s$x > 0 & s$x < 1 & s$y > 0 & s$y < 1))
  # Margins uniform: log p(x) = log p(y) = 0.
  expect_mc_truth(log_c(s$x, s$y), d$gauss_pnorm_rho0.6$truth, "gauss_pnorm_rho0.6")
  # And the copula integral itself.
  skip_on_cran() # about 1 s
  mi <- stats::integrate(function(u) inner(u, function(uu, v) { l <- log_c(uu, v); exp(l) * l }),
                         0, 1, rel.tol = 1e-8)$value
  expect_equal(mi, acc_mi_gaussian(rho), tolerance = 1e-5)
})

test_that("uneven categorical: H(C) - E H(C | y) equals h(Y) - h(Y | C) and Monte Carlo", {
  p <- acc_categorical_p
  mu <- acc_categorical_mu
  f <- function(y) rowSums(vapply(1:3, function(c) p[c] * stats::dnorm(y, mu[c]), numeric(length(y))))
  h_y <- -neg_entropy(f, c(-Inf, -5, 0, 3, 8, Inf))
  truth <- acc_mi_categorical(p, mu)
  expect_equal(h_y - 0.5 * log(2 * pi * exp(1)), truth, tolerance = 1e-8)
  # Two well separated, equally likely classes carry log 2 nats.
  expect_equal(acc_mi_categorical(c(0.5, 0.5), c(0, 60)), log(2), tolerance = 1e-8)
  set.seed(16)
  d <- acc_distributions()
  s <- d$categorical_3$generate(1e5)
  expect_equal(as.numeric(table(s$x)) / 1e5, p, tolerance = 0.02)
  k <- as.integer(s$x)
  expect_mc_truth(stats::dnorm(s$y, mu[k], log = TRUE) - log(f(s$y)), d$categorical_3$truth,
                  "categorical_3")
  expect_equal(d$categorical_3$truth, truth)
})

test_that("vector-valued Gaussian: determinant formula, canonical correlations and Monte Carlo", {
  S <- acc_vector_cov
  expect_true(all(eigen(S, symmetric = TRUE, only.values = TRUE)$values > 0))
  truth <- acc_mi_gaussian_blocks(S, 1:2, 3:4)
  # I = -1/2 sum log(1 - r_i^2) over the canonical correlations r_i.
  isqrt <- function(A) { e <- eigen(A, symmetric = TRUE); e$vectors %*% diag(1 / sqrt(e$values)) %*% t(e$vectors) }
  r <- svd(isqrt(S[1:2, 1:2]) %*% S[1:2, 3:4] %*% isqrt(S[3:4, 3:4]))$d
  expect_equal(-0.5 * sum(log(1 - r^2)), truth, tolerance = 1e-10)
  set.seed(17)
  d <- acc_distributions()
  s <- d$vector_2x2$generate(1e5)
  expect_equal(stats::cov(cbind(s$x, s$y)), S, tolerance = 0.02, ignore_attr = TRUE)
  log_mvn <- function(z, S) {
    L <- chol(S)
    w <- forwardsolve(t(L), t(z))
    -0.5 * colSums(w^2) - sum(log(diag(L))) - 0.5 * ncol(S) * log(2 * pi)
  }
  lr <- log_mvn(cbind(s$x, s$y), S) - log_mvn(s$x, S[1:2, 1:2]) - log_mvn(s$y, S[3:4, 3:4])
  expect_mc_truth(lr, d$vector_2x2$truth, "vector_2x2")
})

test_that("every distribution of the benchmark has a finite truth and the right shapes", {
  set.seed(18)
  for (e in acc_distributions()) {
    expect_true(is.finite(e$truth) && e$truth > 0, label = e$id)
    s <- e$generate(50)
    rows <- function(v) if (is.null(dim(v))) length(v) else nrow(v)
    expect_equal(rows(s$x), 50)
    expect_equal(rows(s$y), 50)
    expect_false(anyNA(s$y))
  }
})

# ---- the calibration families (helper-calibration-truth.R) ------------------

test_that("vector Gaussian and Student t: the closed form matches the 1-column case and Monte Carlo", {
  # d = 1 is the bivariate case, whose truths are checked above.
  expect_equal(cal_mi_vector(1, 0.5), acc_mi_gaussian(0.5), tolerance = 1e-12)
  expect_equal(cal_mi_vector(1, 0.5, 2), acc_mi_student(2, 0.5), tolerance = 1e-12)
  expect_equal(cal_mi_vector(1, 0, 1), acc_mi_student(1, 0), tolerance = 1e-12)
  # Monte Carlo on the generator before its linear maps: the joint t density
  # of (x, y), whose blocks have identity scale and cross scale rho I.
  log_t <- function(z, nu, d, logdet, q) {
    lgamma((nu + d) / 2) - lgamma(nu / 2) - d / 2 * log(nu * pi) - 0.5 * logdet -
      (nu + d) / 2 * log1p(q / nu)
  }
  set.seed(19)
  d <- 3; rho <- 0.4; nu <- 2; n <- 2e5
  x <- matrix(stats::rnorm(n * d), n, d)
  y <- rho * x + sqrt(1 - rho^2) * matrix(stats::rnorm(n * d), n, d)
  s <- sqrt(stats::rchisq(n, df = nu) / nu)
  x <- x / s
  y <- y / s
  # (x, y) joint quadratic form with R = [[I, rho I], [rho I, I]].
  q_joint <- (rowSums(x^2) - 2 * rho * rowSums(x * y) + rowSums(y^2)) / (1 - rho^2)
  lr <- log_t(NULL, nu, 2 * d, d * log(1 - rho^2), q_joint) -
    log_t(NULL, nu, d, 0, rowSums(x^2)) - log_t(NULL, nu, d, 0, rowSums(y^2))
  expect_mc_truth(lr, cal_mi_vector(d, rho, nu), "vector_t2_3x3")
})

test_that("rounded Gaussian: the cell sum matches the plug-in MI of a large sample", {
  set.seed(20)
  n <- 1e6
  x <- stats::rnorm(n)
  y <- 0.6 * x + 0.8 * stats::rnorm(n)
  for (step in c(0.5, 1)) {
    a <- round(x / step)
    b <- round(y / step)
    p <- table(a, b) / n
    # The pointwise log ratio of every draw under the sample's cell
    # frequencies: its mean is the plug-in MI (bias about cells^2 / (2n),
    # below 1e-4 here), its sd / sqrt(n) the Monte Carlo error.
    lr <- log(p[cbind(as.character(a), as.character(b))] /
                (rowSums(p)[as.character(a)] * colSums(p)[as.character(b)]))
    expect_mc_truth(lr, cal_mi_rounded_gaussian(0.6, step), sprintf("rounded, step %g", step))
  }
  expect_lt(cal_mi_rounded_gaussian(0.6, 1), acc_mi_gaussian(0.6))
})

test_that("Poisson count: H(C) - E H(C | x) matches Monte Carlo with the exact densities", {
  set.seed(21)
  n <- 2e5
  x <- stats::rnorm(n)
  lam <- exp(cal_poisson_a + cal_poisson_b * x)
  k <- stats::rpois(n, lam)
  # p(k) by averaging the Poisson probability over a large independent x sample.
  xs <- stats::rnorm(2e5)
  ks <- sort(unique(k))
  pk <- vapply(ks, function(v) mean(stats::dpois(v, exp(cal_poisson_a + cal_poisson_b * xs))), numeric(1))
  lr <- stats::dpois(k, lam, log = TRUE) - log(pk[match(k, ks)])
  expect_mc_truth(lr, cal_mi_poisson(cal_poisson_a, cal_poisson_b), "poisson")
})

test_that("every calibration family has a finite truth, the right shapes and its sizes", {
  set.seed(22)
  for (e in cal_distributions()) {
    expect_true(is.finite(e$truth) && e$truth >= 0, label = e$id)
    expect_true(length(e$sizes) >= 1 && all(e$sizes >= 100), label = e$id)
    s <- e$generate(60)
    rows <- function(v) if (is.null(dim(v))) length(v) else nrow(v)
    expect_equal(rows(s$x), 60)
    expect_equal(rows(s$y), 60)
  }
  expect_equal(cal_distributions()$indep_cat10_trimodal$truth, 0)
})
