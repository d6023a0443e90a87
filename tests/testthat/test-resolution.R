test_that("plug_in_entropy() is the entropy of the counts' proportions, empty ones left out", {
  expect_identical(plug_in_entropy(c(2, 2)), log(2))
  expect_equal(plug_in_entropy(c(a = 1, b = 0, c = 3)), -(0.25 * log(0.25) + 0.75 * log(0.75)))
  counts <- table(c("x", "y", "y", "z", "z", "z"))
  p <- as.numeric(counts) / 6
  expect_identical(plug_in_entropy(counts), -sum(p * log(p)))
  expect_identical(discrete_entropy(matrix(rep(1:3, 4), 12)),
                   plug_in_entropy(c(4, 4, 4)))
})
