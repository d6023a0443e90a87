# Mutual information with its bootstrap uncertainty, beside the true value.
# x ~ Gamma(shape 1), y | x ~ Exponential(rate x): the MI of (log x, log y)
# is digamma(2) - log(1) = 0.4228 nat (Piras et al. 2023, section 4).
library(gmmmi)
set.seed(2023)
n <- 5000
x <- rgamma(n, shape = 1)
y <- rexp(n, rate = x)
res <- gmm_mi(log(x), log(y), n_bootstrap = 50)
print(res)
cat(sprintf("true value: %.4f nat\n", digamma(2)))
