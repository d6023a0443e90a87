# gmm_mi() with a categorical variable: accuracy against an MI computed by
# numerical integration, label handling, the two priors, input errors, and the
# plug-in MI of two categories.

# ---- a three-class Gaussian with known MI -----------------------------------

# Y | c ~ N(mu_c, s_c^2) with P(c) = p_c. With weights w on the classes,
# I(C; Y) = H(Y) - sum_c w_c H(Y | c), H(Y) a one-dimensional integral of the
# mixture density and H(Y | c) = 0.5 log(2 pi e s_c^2).
three_class <- list(p = c(0.2, 0.3, 0.5), mu = c(-2, 0, 2), sd = c(0.7, 1, 0.5))

mi_three_class <- function(w = three_class$p) {
  with(three_class, {
    dens <- function(v) {
      d <- 0
      for (k in seq_along(w)) d <- d + w[k] * dnorm(v, mu[k], sd[k])
      d
    }
    h_y <- integrate(function(v) {
      d <- dens(v)
      ifelse(d > 0, -d * log(d), 0)
    }, -12, 12, subdivisions = 1000L, rel.tol = 1e-10)$value
    h_y - sum(w * 0.5 * log(2 * pi * exp(1) * sd^2))
  })
}

r_three_class <- function(n) {
  cl <- sample.int(3, n, replace = TRUE, prob = three_class$p)
  list(class = cl, y = rnorm(n, three_class$mu[cl], three_class$sd[cl]))
}

test_that("the integrated truth of the three-class Gaussian is right", {
  # Against a direct Monte Carlo of E[log p(y | c) - log p(y)].
  expect_equal(mi_three_class(), 0.7305258, tolerance = 1e-6)
  set.seed(301)
  d <- r_three_class(2e5)
  p <- three_class$p
  lc <- dnorm(d$y, three_class$mu[d$class], three_class$sd[d$class], log = TRUE)
  py <- p[1] * dnorm(d$y, -2, 0.7) + p[2] * dnorm(d$y, 0, 1) + p[3] * dnorm(d$y, 2, 0.5)
  v <- lc - log(py)
  expect_lt(abs(mean(v) - mi_three_class()), 4 * sd(v) / sqrt(length(v)))
  # Equal weights: a different target (the reference implementation's).
  expect_equal(mi_three_class(rep(1 / 3, 3)), 0.7663705, tolerance = 1e-6)
})

test_that("MI of a category and a continuous variable matches the integrated truth", {
  skip_on_cran()
  set.seed(302)
  d <- r_three_class(8000)
  res <- quiet_short_fits(gmm_mi(factor(d$class), d$y, n_bootstrap = 30, mc_samples = 2e4, n_threads = 2))
  expect_identical(res$type, "categorical")
  expect_mi_near(res, mi_three_class(), max_se = 0.02)
  expect_equal(unname(res$prior), as.numeric(table(d$class)) / 8000)
  expect_length(res$fit, 3)
  expect_true(all(vapply(res$fit, inherits, logical(1), "gmm")))
})

test_that("the uniform prior estimates the MI of the equally weighted mixture", {
  skip_on_cran()
  set.seed(303)
  d <- r_three_class(8000)
  emp <- quiet_short_fits(gmm_mi(factor(d$class), d$y, n_bootstrap = 30, mc_samples = 2e4, n_threads = 2,
                                prior = "empirical"))
  set.seed(303)
  d <- r_three_class(8000)
  uni <- quiet_short_fits(gmm_mi(factor(d$class), d$y, n_bootstrap = 30, mc_samples = 2e4, n_threads = 2,
                                prior = "uniform"))
  expect_mi_near(uni, mi_three_class(rep(1 / 3, 3)), max_se = 0.02)
  expect_equal(unname(uni$prior), rep(1 / 3, 3))
  # The two targets differ by 0.036 nat: each estimate is nearer its own truth.
  truths <- c(mi_three_class(), mi_three_class(rep(1 / 3, 3)))
  expect_lt(abs(uni$estimate - truths[2]), abs(uni$estimate - truths[1]))
  expect_gt(uni$estimate - emp$estimate, 0.015)
})

test_that("string, integer-as-factor and factor labels give the same result", {
  set.seed(305)
  d <- r_three_class(1500)
  fit <- function(labels, ...) {
    set.seed(99)
    quiet_short_fits(gmm_mi(labels, d$y, n_bootstrap = 10, mc_samples = 5000, n_threads = 2, ...))
  }
  ref <- fit(factor(d$class))
  strings <- fit(c("a", "b", "c")[d$class])
  labelled <- fit(factor(c("low", "mid", "high")[d$class], levels = c("low", "mid", "high")))
  expect_identical(strings$estimate, ref$estimate)
  expect_identical(strings$bootstrap, ref$bootstrap)
  expect_identical(labelled$bootstrap, ref$bootstrap)
  expect_identical(names(labelled$prior), c("low", "mid", "high"))
  # The category may be either argument.
  set.seed(99)
  swapped <- quiet_short_fits(gmm_mi(d$y, factor(d$class), n_bootstrap = 10, mc_samples = 5000, n_threads = 2))
  expect_identical(swapped$bootstrap, ref$bootstrap)
  # A two-level logical is a category too; unused factor levels are dropped.
  two <- d$class != 3
  lg <- fit(two)
  ft <- fit(factor(two, levels = c("FALSE", "TRUE", "unused")))
  expect_identical(lg$type, "categorical")
  expect_identical(ft$bootstrap, lg$bootstrap)
  # And the result does not depend on the number of threads.
  set.seed(99)
  one <- quiet_short_fits(gmm_mi(factor(d$class), d$y, n_bootstrap = 10, mc_samples = 5000, n_threads = 1))
  expect_identical(one$bootstrap, ref$bootstrap)
})

test_that("a single category or a category with too few rows is an input error", {
  set.seed(306)
  y <- rnorm(100)
  cnd <- expect_input_error(gmm_mi(rep("a", 100), y, n_bootstrap = 2), "x")
  expect_match(conditionMessage(cnd), "at least two categories")
  expect_input_error(gmm_mi(y, factor(rep(1, 100)), n_bootstrap = 2), "y")
  labels <- c(rep("a", 97), rep("b", 3))
  cnd <- expect_input_error(gmm_mi(labels, y, n_bootstrap = 2), "x")
  expect_match(conditionMessage(cnd), "Too few rows")
  expect_match(conditionMessage(cnd), "\"b\"")
  expect_input_error(gmm_mi(y, c(labels[-1], NA), n_bootstrap = 2, na.action = na.fail), "y")
  expect_input_error(gmm_mi(labels, y[-1], n_bootstrap = 2), "x")
  expect_snapshot(gmm_mi(labels, y, n_bootstrap = 2), error = TRUE)
})

# ---- two categories: plug-in MI -------------------------------------------

test_that("the MI of two categories is the plug-in MI of their table", {
  set.seed(307)
  n <- 3000
  a <- sample(c("u", "v", "w"), n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
  b <- ifelse(runif(n) < 0.7, a, sample(c("u", "v", "w"), n, replace = TRUE))
  # By hand: sum over cells of p log(p / (p_a p_b)).
  counts <- table(a, b)
  mi <- 0
  for (i in rownames(counts)) for (j in colnames(counts)) {
    pij <- counts[i, j] / n
    if (pij > 0) mi <- mi + pij * log(pij / (sum(counts[i, ]) / n * sum(counts[, j]) / n))
  }
  res0 <- gmm_mi(a, factor(b), n_bootstrap = 0)
  expect_identical(res0$type, "discrete")
  expect_equal(res0$estimate, mi, tolerance = 1e-12)
  expect_true(is.na(res0$se))
  res <- gmm_mi(a, factor(b), n_bootstrap = 50, units = "bit")
  expect_equal(res$full_data, mi / log(2), tolerance = 1e-12)
  expect_lt(abs(res$estimate - mi / log(2)), 4 * res$se)
  expect_gt(res$se, 0)
  # Independent labels: the plug-in MI is about (cells - 1) / (2n), its bias.
  c1 <- sample(letters[1:4], n, replace = TRUE)
  c2 <- sample(letters[1:3], n, replace = TRUE)
  ind <- gmm_mi(c1, c2, n_bootstrap = 0)
  expect_lt(ind$estimate, 5 * 6 / (2 * n))
})

test_that("with the empirical prior the se includes the uncertainty of the class frequencies", {
  # Classes far apart: MI = H(C) of the class frequencies, whose sampling sd
  # is, by the delta method, sqrt((sum p log(p)^2 - H^2) / N).
  set.seed(101)
  n <- 2000
  p <- c(0.7, 0.2, 0.1)
  lab <- sample(c("a", "b", "c"), n, replace = TRUE, prob = p)
  y <- stats::rnorm(n, mean = c(a = 0, b = 30, c = 60)[lab])
  set.seed(102)
  emp <- gmm_mi(lab, y, n_bootstrap = 60, mc_samples = 5000)
  ph <- as.numeric(table(lab)) / n
  h <- -sum(ph * log(ph))
  delta_sd <- sqrt((sum(ph * log(ph)^2) - h^2) / n)
  expect_lt(abs(emp$estimate - h), 3 * delta_sd)
  expect_gt(emp$se, 0.65 * delta_sd)
  expect_lt(emp$se, 1.5 * delta_sd)
  # The uniform prior keeps the counts (the reference's resampling within
  # classes): MI is then log 3 with almost no spread.
  set.seed(102)
  uni <- gmm_mi(lab, y, n_bootstrap = 20, mc_samples = 5000, prior = "uniform")
  expect_lt(abs(uni$estimate - log(3)), 0.01)
  expect_lt(uni$se, 0.2 * delta_sd)
})

# The MI of the class-conditional mixtures of a categorical fit, integrated by
# R's integrate() between the components' means (independent of the core).
fitted_categorical_mi <- function(res) {
  p <- res$prior
  dens <- function(y, g) {
    rowSums(vapply(seq_along(g$weights), function(k) {
      g$weights[k] * stats::dnorm(y, g$means[k, 1], sqrt(g$covariances[1, 1, k]))
    }, numeric(length(y))))
  }
  integrand <- function(y) {
    joint <- vapply(seq_along(p), function(c) p[c] * dens(y, res$fit[[c]]), numeric(length(y)))
    joint <- matrix(joint, nrow = length(y))
    py <- rowSums(joint)
    post <- joint / py
    terms <- ifelse(post > 0, post * log(post / matrix(p, length(y), length(p), byrow = TRUE)), 0)
    ifelse(py > 0, py * rowSums(terms), 0)
  }
  centres <- unlist(lapply(res$fit, function(g) g$means[, 1]))
  spreads <- unlist(lapply(res$fit, function(g) sqrt(g$covariances[1, 1, ])))
  edges <- sort(unique(c(min(centres - 15 * spreads), centres, max(centres + 15 * spreads))))
  sum(vapply(seq_len(length(edges) - 1), function(i) {
    stats::integrate(integrand, edges[i], edges[i + 1], rel.tol = 1e-12, abs.tol = 1e-13,
                     subdivisions = 1000L)$value
  }, numeric(1)))
}

test_that("quadrature integrates the fitted class mixtures exactly, with no Monte Carlo error", {
  set.seed(171)
  n <- 3000
  lab <- factor(sample(c("a", "b", "c"), n, TRUE, prob = c(0.6, 0.3, 0.1)))
  # A broad class, a narrow one inside it, and a bimodal one.
  y <- ifelse(lab == "a", stats::rnorm(n), ifelse(lab == "b", stats::rnorm(n, 0.5, 0.05),
              stats::rnorm(n, ifelse(stats::runif(n) < 0.5, -3, 3), 0.5)))
  set.seed(172)
  quad <- gmm_mi(lab, y, n_bootstrap = 0, n_threads = 1)
  expect_lt(abs(quad$full_data - fitted_categorical_mi(quad)), 1e-6)
  expect_lt(quad$mc_se, 1e-7)
  # Monte Carlo on the same fits agrees within its error.
  set.seed(172)
  mc <- gmm_mi(lab, y, n_bootstrap = 0, mc_samples = 2e5, n_threads = 1,
               control = gmm_mi_control(quadrature = FALSE))
  expect_identical(mc$fit$b$means, quad$fit$b$means)
  expect_gt(mc$mc_se, 1e-5)
  expect_lt(abs(mc$full_data - quad$full_data), 4 * mc$mc_se)
  # The reference rule keeps Monte Carlo; a vector-valued side does too.
  expect_false(gmm_mi_control(selection = "reference")$quadrature)
  expect_true(gmm_mi_control()$quadrature)
  set.seed(173)
  vec <- gmm_mi(lab, cbind(y, stats::rnorm(n)), n_bootstrap = 0, mc_samples = 2000, n_threads = 1)
  expect_gt(vec$mc_se, 0)
  expect_input_error(gmm_mi_control(quadrature = NA), "quadrature")
})
