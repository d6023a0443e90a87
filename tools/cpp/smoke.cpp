// Builds the core without R and checks it on a bivariate Gaussian with known
// MI: g++ -O2 -std=c++14 -I inst/include -I <eigen> tools/cpp/smoke.cpp
#include <cstdio>
#include <gmmmi/gmmmi.h>

int main() {
  using namespace gmmmi;
  const double rho = 0.6;
  const Index N = 10000;
  Rng rng(42, Stream::simulate, 0);
  MatrixXd X(N, 2);
  for (Index i = 0; i < N; ++i) {
    const double a = rng.normal(), b = rng.normal();
    X(i, 0) = a;
    X(i, 1) = rho * a + std::sqrt(1 - rho * rho) * b;
  }
  MiSettings s;
  s.x = {0};
  s.y = {1};
  Monitor mon;
  MiResult r = estimate_mi(X, s, 7, 2, mon);
  double mean = 0, sq = 0;
  for (double v : r.bootstrap) mean += v;
  mean /= r.bootstrap.size();
  for (double v : r.bootstrap) sq += (v - mean) * (v - mean);
  const double truth = -0.5 * std::log(1 - rho * rho);
  std::printf("K = %d, MI = %.4f +- %.4f (truth %.4f)\n", r.selection.chosen_k, mean,
              std::sqrt(sq / (r.bootstrap.size() - 1)), truth);
  return std::abs(mean - truth) < 0.03 ? 0 : 1;
}
