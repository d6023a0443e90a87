# Reading back what a base-graphics plot drew: the arguments of each call of
# the graphics primitive `name` ("C_title", "C_axis", "C_text", ...) in the
# current device's display list, which a pdf(NULL) device keeps only after
# dev.control("enable"): open one with plot_device(), and close it with
# grDevices::dev.off().
plot_device <- function() {
  grDevices::pdf(NULL)
  grDevices::dev.control("enable")
}

plot_calls <- function(name) {
  dl <- grDevices::recordPlot()[[1]]
  hits <- Filter(function(e) identical(e[[2]][[1]]$name, name), dl)
  lapply(hits, function(e) as.list(e[[2]])[-1])
}

# The strings of the titles drawn on the current page: main, sub, xlab, ylab.
plot_titles <- function() {
  unlist(lapply(plot_calls("C_title"), function(a) Filter(is.character, a)))
}

# A fit of a correlated Gaussian pair held in variables named Ozone and Temp,
# so that plots can be checked for the variables' names.
named_pair_fit <- function(seed, n = 300, ...) {
  set.seed(seed)
  d <- r_gaussian_pair(n, 0.6)
  Ozone <- d[, 1]
  Temp <- d[, 2]
  quiet_short_fits(gmm_mi(Ozone, Temp, mc_samples = 1000, n_threads = 1, ...))
}
