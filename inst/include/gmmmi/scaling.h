// Per-coordinate standardisation. Mutual information does not change when a
// coordinate is shifted or rescaled, so fits are made on unit-variance data:
// the covariance floor then means the same thing at every scale, and values
// near 1e+-300 neither overflow nor underflow.
#ifndef GMMMI_SCALING_H
#define GMMMI_SCALING_H

#include <cmath>

#include "model.h"

namespace gmmmi {

struct Scaling {
  VectorXd center, scale;
};

// Returns false if a coordinate has no spread (or its spread is not finite).
inline bool standardise(MatrixXd& X, Scaling& s) {
  const Index N = X.rows(), d = X.cols();
  s.center.resize(d);
  s.scale.resize(d);
  for (Index j = 0; j < d; ++j) {
    // Scale by the largest magnitude first so that squares cannot overflow.
    const double big = X.col(j).cwiseAbs().maxCoeff();
    if (!(big > 0.0) || !std::isfinite(big)) return false;
    const VectorXd r = X.col(j) / big;
    const double m = r.mean();
    const double sd = std::sqrt((r.array() - m).square().sum() / static_cast<double>(N));
    if (!(sd > 0.0) || !std::isfinite(sd)) return false;
    s.center[j] = m * big;
    s.scale[j] = sd * big;
    X.col(j) = (r.array() - m) / sd;
  }
  return true;
}

// Maps a mixture fitted on standardised data back to the original units.
inline Gmm unstandardise(const Gmm& g, const Scaling& s) {
  Gmm out = g;
  for (Index k = 0; k < g.k(); ++k) {
    out.means.col(k) = g.means.col(k).cwiseProduct(s.scale) + s.center;
    out.covariances[k] = s.scale.asDiagonal() * g.covariances[k] * s.scale.asDiagonal();
  }
  return out;
}

}  // namespace gmmmi

#endif
