# Mutual information of a bivariate Gaussian with correlation 0.6, whose true
# value is -log(1 - 0.6^2) / 2 = 0.2231 nat.
library(gmmmi)
set.seed(2023)
n <- 5000
rho <- 0.6
x <- rnorm(n)
y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
res <- gmm_mi(x, y, n_bootstrap = 50)
print(res)
cat(sprintf("true value: %.4f nat\n", -0.5 * log(1 - rho^2)))
