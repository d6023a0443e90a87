# Shared helpers of R/utils.R: here, when progress bars are shown.

test_that("progress bars are off while knitting and in non-interactive sessions", {
  old <- options(gmmmi.progress = NULL, knitr.in.progress = NULL)
  on.exit(options(old), add = TRUE)
  expect_true(show_progress(interactive = TRUE))
  expect_false(show_progress(interactive = FALSE))
  options(knitr.in.progress = TRUE)
  expect_false(show_progress(interactive = TRUE))
  expect_null(progress_callback("Bootstrap fits", environment()))
  # Even when asked for, a document gets none.
  options(gmmmi.progress = TRUE)
  expect_false(show_progress(interactive = TRUE))
  options(knitr.in.progress = NULL)
  expect_true(show_progress(interactive = FALSE))
  expect_true(is.function(progress_callback("Bootstrap fits", environment())))
  options(gmmmi.progress = FALSE)
  expect_false(show_progress(interactive = TRUE))
})

test_that("a knitted document gets no progress bar, even when asked for", {
  skip_if_not_installed("knitr")
  old <- options(gmmmi.progress = TRUE)
  on.exit(options(old), add = TRUE)
  doc <- c("```{r}", "cat(is.null(gmmmi:::progress_callback('Bootstrap fits', environment())))", "```")
  out <- knitr::knit(text = doc, quiet = TRUE, envir = new.env())
  expect_match(out, "## TRUE", fixed = TRUE)
  # Outside the document the option holds.
  expect_false(is.null(progress_callback("Bootstrap fits", environment())))
})
