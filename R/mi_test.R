#' Permutation test of independence
#'
#' Tests whether the mutual information estimated by [gmm_mi()] can be told
#' from zero. The rows of the second variable are permuted, which keeps both
#' margins and breaks any dependence; each permuted sample is fitted exactly
#' as the data were (the same coding of the margins, the same settings, and
#' for continuous variables the same number of components, so that a
#' permutation costs one fit per start and fold rather than a search), and
#' its full-data MI is compared with the same statistic on the data. The
#' p-value is `(1 + #{null >= observed}) / (1 + n_permutations)`, which is
#' exact for any number of permutations (Phipson and Smyth 2010).
#'
#' Every mixture estimate of MI is biased upwards near independence, so a
#' small positive estimate alone does not show dependence; this test does.
#' Conditional MI is not supported: permuting one side would also break its
#' dependence on `z`.
#'
#' @param object A `"gmm_mi"` result of an unconditional MI.
#' @param n_permutations Number of permutations.
#' @param mc_samples Monte Carlo draws of each MI integral (the observed
#'   statistic is recomputed with the same number).
#' @param n_threads Number of threads (see [gmmmi-package]).
#' @return An object of class `"htest"`: `statistic` (the full-data MI of
#'   the data, refitted as the permutations are), `p.value`, `parameter`
#'   (the number of permutations), `null` (the permutation values),
#'   `method` and `data.name`.
#' @examples
#' set.seed(1)
#' x <- rnorm(300)
#' y <- rnorm(300)
#' res <- gmm_mi(x, y, n_bootstrap = 10, mc_samples = 2000)
#' mi_test(res, n_permutations = 19, mc_samples = 2000)
#' @export
mi_test <- function(object, n_permutations = 99, mc_samples = 1e4, n_threads = NULL) {
  env <- this_call()
  if (!inherits(object, "gmm_mi")) {
    gmmmi_abort("{.arg object} must be a {.cls gmm_mi} result of {.fn gmm_mi}.", env)
  }
  if (isTRUE(object$conditional)) {
    gmmmi_abort(c("{.fn mi_test} tests unconditional MI only.",
                  "i" = "Permuting one side would also break its dependence on {.arg z}."), env)
  }
  n_permutations <- check_whole(n_permutations, "n_permutations", env, min = 1, max = 1e6)
  mc_samples <- check_whole(mc_samples, "mc_samples", env, min = 1, max = 1e9)
  n_threads <- resolve_threads(n_threads, env)
  statistic <- permutation_statistic(object, mc_samples, n_threads)
  n <- object$n
  null <- vapply(seq_len(n_permutations), function(b) statistic(sample.int(n)), numeric(1))
  observed <- statistic(seq_len(n))
  structure(list(statistic = c(MI = observed), parameter = c(permutations = n_permutations),
                 p.value = (1 + sum(null >= observed)) / (1 + n_permutations),
                 null = null, estimate = c(MI = object$estimate),
                 method = "Permutation test of independence (GMM-MI)",
                 data.name = describe_variables(object$variables)),
            class = "htest")
}

# A function of a permutation of the rows of the second variable that
# returns the full-data MI of the permuted sample, fitted as `object` was.
permutation_statistic <- function(object, mc_samples, n_threads) {
  quiet <- function(expr) withCallingHandlers(expr, warning = function(w) invokeRestart("muffleWarning"))
  switch(object$type,
         discrete = function(perm) {
           plug_in_mi(object$data$x, object$data$y[perm]) / unit_divisor(object$units)
         },
         categorical = function(perm) {
           control <- object$selection[[1]]$control
           quiet(gmm_mi(object$labels[perm], object$data, n_bootstrap = 0, mc_samples = mc_samples,
                        units = object$units, prior = if (length(unique(object$prior)) == 1) "uniform" else "empirical",
                        marginal = "none", control = control, n_threads = n_threads)$estimate)
         },
         function(perm) {
           control <- object$selection$control
           control$fixed_components <- object$n_components
           control$reselect <- FALSE
           d <- object$data
           quiet(gmm_mi(d[, object$variables$x, drop = FALSE], d[perm, object$variables$y, drop = FALSE],
                        n_bootstrap = 0, mc_samples = mc_samples, units = object$units,
                        marginal = "none", control = control, n_threads = n_threads)$estimate)
         })
}
