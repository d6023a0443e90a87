# gmm_entropy() and gmm_kl(): Monte Carlo integrals against closed forms.
# The truths are computed from the fitted parameters, so that only Monte
# Carlo error separates them from the estimates.

test_that("entropy of a one-component fit is 0.5 log det(2 pi e S)", {
  set.seed(111)
  S <- matrix(c(2, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 0.5), 3)
  fit <- gmm_fit(r_mvn(2e4, S, mu = c(1, -2, 3)), k = 1)
  Sfit <- fit$covariances[, , 1]
  set.seed(112)
  h <- gmm_entropy(fit, mc_samples = 5e4)
  se <- attr(h, "mc_se")
  expect_true(is.finite(se) && se > 0 && se < 0.02)
  expect_identical(attr(h, "units"), "nat")
  expect_lt(abs(h - entropy_gaussian(Sfit)), 4 * se)
  # And the true covariance, within the sampling error of the fit.
  expect_lt(abs(h - entropy_gaussian(S)), 4 * se + 0.03)
  # The Monte Carlo error is about sd(log p) / sqrt(M) = sqrt(d / 2 / M).
  expect_equal(se, sqrt(1.5 / 5e4), tolerance = 0.1)

  # Marginal entropies, by position and by name.
  set.seed(113)
  h2 <- gmm_entropy(fit, dims = 2, mc_samples = 5e4)
  expect_lt(abs(h2 - entropy_gaussian(Sfit[2, 2])), 4 * attr(h2, "mc_se"))
  set.seed(114)
  h13 <- gmm_entropy(fit, dims = c("x1", "x3"), mc_samples = 5e4)
  expect_lt(abs(h13 - entropy_gaussian(Sfit[c(1, 3), c(1, 3)])), 4 * attr(h13, "mc_se"))

  # Bits: the same draws divided by log 2.
  set.seed(112)
  hb <- gmm_entropy(fit, mc_samples = 5e4, units = "bit")
  expect_equal(as.numeric(hb), as.numeric(h) / log(2))
  expect_equal(attr(hb, "mc_se"), se / log(2))
  expect_identical(attr(hb, "units"), "bit")
})

test_that("entropy of a well-separated mixture adds the entropy of the weights", {
  set.seed(115)
  x <- c(rnorm(3000, -40, 1), rnorm(7000, 40, 2))
  fit <- gmm_fit(x, k = 2, init = "kmeans")
  w <- fit$weights
  s2 <- fit$covariances[1, 1, ]
  truth <- -sum(w * log(w)) + sum(w * 0.5 * log(2 * pi * exp(1) * s2))
  expect_equal(sort(unname(w)), c(0.3, 0.7), tolerance = 0.05)
  set.seed(116)
  h <- gmm_entropy(fit, mc_samples = 5e4)
  expect_lt(abs(h - truth), 4 * attr(h, "mc_se"))
})

test_that("set.seed reproduces an integral", {
  set.seed(117)
  fit <- gmm_fit(matrix(rnorm(2000), ncol = 2), k = 2)
  set.seed(1)
  a <- gmm_entropy(fit, mc_samples = 1e4)
  set.seed(1)
  b <- gmm_entropy(fit, mc_samples = 1e4)
  expect_identical(a, b)
  set.seed(2)
  expect_false(identical(gmm_entropy(fit, mc_samples = 1e4), a))
})

test_that("KL divergence between two one-dimensional Gaussians matches the closed form", {
  set.seed(121)
  p <- gmm_fit(rnorm(2e4, 1, 2), k = 1)
  q <- gmm_fit(rnorm(2e4, -0.5, 1.5), k = 1)
  par <- function(f) c(m = f$means[1, 1], s = sqrt(f$covariances[1, 1, 1]))
  pp <- par(p)
  qq <- par(q)
  truth <- kl_gaussian_1d(pp[["m"]], pp[["s"]], qq[["m"]], qq[["s"]])
  set.seed(122)
  kl <- gmm_kl(p, q, mc_samples = 5e4)
  se <- attr(kl, "mc_se")
  expect_true(is.finite(se) && se > 0)
  expect_lt(abs(kl - truth), 4 * se)
  # And the population value, within the sampling error of the fits.
  expect_lt(abs(kl - kl_gaussian_1d(1, 2, -0.5, 1.5)), 4 * se + 0.03)
  # KL is not symmetric: the other direction has its own closed form.
  set.seed(123)
  kl_qp <- gmm_kl(q, p, mc_samples = 5e4)
  expect_lt(abs(kl_qp - kl_gaussian_1d(qq[["m"]], qq[["s"]], pp[["m"]], pp[["s"]])),
            4 * attr(kl_qp, "mc_se"))
  # A distribution has zero divergence from itself.
  set.seed(124)
  expect_equal(as.numeric(gmm_kl(p, p, mc_samples = 1e4)), 0, tolerance = 1e-12)
  # Bits.
  set.seed(122)
  klb <- gmm_kl(p, q, mc_samples = 5e4, units = "bit")
  expect_equal(as.numeric(klb), as.numeric(kl) / log(2))
  expect_identical(attr(klb, "units"), "bit")
})

test_that("KL divergence between the marginals of one mixture", {
  set.seed(125)
  S <- matrix(c(1, 0.5, 0.5, 2.25), 2)
  fit <- gmm_fit(r_mvn(2e4, S, mu = c(0, 1)), k = 1)
  m <- fit$means[1, ]
  s <- sqrt(diag(fit$covariances[, , 1]))
  set.seed(126)
  kl <- gmm_kl(fit, mc_samples = 5e4)
  expect_lt(abs(kl - kl_gaussian_1d(m[1], s[1], m[2], s[2])), 4 * attr(kl, "mc_se"))
  set.seed(127)
  kl21 <- gmm_kl(fit, dims = list("x2", "x1"), mc_samples = 5e4)
  expect_lt(abs(kl21 - kl_gaussian_1d(m[2], s[2], m[1], s[1])), 4 * attr(kl21, "mc_se"))
})

test_that("KL divergence between two well-separated mixtures matches the weights' divergence", {
  # Same component locations, different weights: KL(p || q) =
  # sum_k w_k log(w_k / v_k) + sum_k w_k KL(p_k || q_k), exact up to the
  # (astronomically small) overlap.
  set.seed(131)
  p <- gmm_fit(c(rnorm(3000, -30), rnorm(7000, 30, 2)), k = 2, init = "kmeans")
  q <- gmm_fit(c(rnorm(6000, -30), rnorm(4000, 30, 2)), k = 2, init = "kmeans")
  op <- order(p$means[, 1])
  oq <- order(q$means[, 1])
  w <- p$weights[op]
  v <- q$weights[oq]
  mp <- p$means[op, 1]
  mq <- q$means[oq, 1]
  sp <- sqrt(p$covariances[1, 1, op])
  sq <- sqrt(q$covariances[1, 1, oq])
  truth <- sum(w * log(w / v)) + sum(w * kl_gaussian_1d(mp, sp, mq, sq))
  set.seed(132)
  kl <- gmm_kl(p, q, mc_samples = 5e4)
  expect_lt(abs(kl - truth), 4 * attr(kl, "mc_se") + 1e-8)
  expect_gt(kl, 0.1)
})

test_that("bad inputs to gmm_entropy() and gmm_kl() give input errors", {
  set.seed(141)
  f2 <- gmm_fit(matrix(rnorm(400), ncol = 2), k = 1)
  f1 <- gmm_fit(rnorm(200), k = 1)
  expect_input_error(gmm_entropy(list()), "object")
  expect_input_error(gmm_entropy(f2, dims = 3), "dims")
  expect_input_error(gmm_entropy(f2, dims = "nope"), "dims")
  expect_input_error(gmm_entropy(f2, mc_samples = 0), "mc_samples")
  expect_input_error(gmm_entropy(f2, units = "foo"), "units")
  expect_input_error(gmm_kl(list(), f2), "p")
  expect_input_error(gmm_kl(f2, list()), "q")
  expect_input_error(gmm_kl(f2, f1), "p")
  expect_input_error(gmm_kl(f2, dims = 1), "dims")
  expect_input_error(gmm_kl(f2, dims = list(1, 1:2)), "dims")
  expect_input_error(gmm_kl(f1), "dims")
  expect_input_error(gmm_kl(f2, f2, mc_samples = -5), "mc_samples")
})
