#' gmmmi: mutual information from Gaussian mixture models
#'
#' Estimates mutual information (MI) between continuous variables with an
#' honest uncertainty: a Gaussian mixture model is fitted to the joint samples,
#' MI is integrated by Monte Carlo from the fitted densities, and bootstrap
#' refits give the spread. The main entry point is [gmm_mi()]; [gmm_fit()] and
#' [gmm_select()] expose the mixture fits beneath it.
#'
#' Threads: `gmm_mi()` and `gmm_select()` run their independent fits on
#' `n_threads` threads, by default `getOption("gmmmi.threads")` or else every
#' available core (at most 2 under `R CMD check`). Results do not depend on the
#' number of threads: every task draws from its own random stream derived from
#' a seed taken from R's generator, so `set.seed()` reproduces them.
#'
#' Progress: in interactive sessions a progress bar counts the bootstrap fits
#' of runs that last more than a few seconds, except while knitr renders a
#' document; `options(gmmmi.progress = FALSE)` turns it off (see the section
#' Progress of [gmm_mi()]). Ctrl-C stops a run within a fraction of a second.
#'
#' @references D. Piras, H. V. Peiris, A. Pontzen, L. Lucie-Smith, N. Guo and
#'   B. Nord (2023). A robust estimator of mutual information for deep learning
#'   interpretability. *Machine Learning: Science and Technology* 4, 025006.
#'   \doi{10.1088/2632-2153/acc444}
#' @keywords internal
#' @useDynLib gmmmi, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom stats confint logLik nobs predict simulate
"_PACKAGE"
