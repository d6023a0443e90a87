// Draws from a fitted mixture.
#ifndef GMMMI_SAMPLE_H
#define GMMMI_SAMPLE_H

#include <algorithm>
#include <vector>

#include "model.h"
#include "rng.h"

namespace gmmmi {

// Fills `out` (d x M) with M draws and `labels` with their components.
inline void sample_gmm(const Gmm& g, const Factorised& f, Index M, Rng& rng, MatrixXd& out,
                       std::vector<int>* labels = nullptr) {
  const Index K = g.k(), d = g.dim();
  std::vector<double> cum(static_cast<std::size_t>(K));
  double acc = 0.0;
  for (Index k = 0; k < K; ++k) cum[static_cast<std::size_t>(k)] = (acc += g.weights[k]);
  out.resize(d, M);
  if (labels != nullptr) labels->resize(static_cast<std::size_t>(M));
  VectorXd z(d);
  for (Index m = 0; m < M; ++m) {
    const double u = rng.uniform() * acc;
    Index k = static_cast<Index>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
    if (k >= K) k = K - 1;
    for (Index j = 0; j < d; ++j) z[j] = rng.normal();
    out.col(m).noalias() = g.means.col(k) + f.chol[k].triangularView<Eigen::Lower>() * z;
    if (labels != nullptr) (*labels)[static_cast<std::size_t>(m)] = static_cast<int>(k);
  }
}

}  // namespace gmmmi

#endif
