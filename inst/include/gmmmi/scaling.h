// Per-coordinate standardisation. Mutual information does not change when a
// coordinate is shifted or rescaled, so fits are made on standardised data:
// the covariance floor then means the same thing at every scale, and values
// near 1e+-300 neither overflow nor underflow.
#ifndef GMMMI_SCALING_H
#define GMMMI_SCALING_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "model.h"

namespace gmmmi {

struct Scaling {
  VectorXd center, scale;
};

// The interquartile range of v over 1.349 (the standard deviation of a normal
// distribution with that IQR), from order statistics.
inline double iqr_scale(VectorXd v) {
  const Index n = v.size();
  if (n < 4) return 0.0;
  double* b = v.data();
  const Index lo = n / 4, hi = (3 * n) / 4;
  std::nth_element(b, b + lo, b + n);
  const double q1 = b[lo];
  std::nth_element(b, b + hi, b + n);
  return (b[hi] - q1) / 1.349;
}

// The median of v.
inline double median_of(VectorXd v) {
  const Index h = v.size() / 2;
  std::nth_element(v.data(), v.data() + h, v.data() + v.size());
  return v[h];
}

// How many spreads the mean may lie from the median before the median
// becomes the centre (see standardise()).
constexpr double kFarCentre = 1e3;

// Centres every coordinate on its mean and divides it by its spread: the
// smaller of the standard deviation and the IQR-based scale, so that with
// heavy tails (where a few outliers inflate the standard deviation
// arbitrarily) the covariance floor stays small beside the bulk of the data.
// When the mean lies more than kFarCentre spreads from the median (extreme
// tails: log-normal of sd 20, Cauchy cubed), the median is the centre: on the
// mean, the bulk would sit some 1e19 spreads from 0, where a double no longer
// tells its values apart and every density of the fit loses its digits.
// (The mean is within one standard deviation of the median, so this never
// happens unless the IQR is a thousandth of the standard deviation.)
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
    double m = r.mean();
    const double sd_all = std::sqrt((r.array() - m).square().sum() / static_cast<double>(N));
    if (!(sd_all > 0.0) || !std::isfinite(sd_all)) return false;
    const double robust = iqr_scale(r);
    const double sd = robust > 0.0 && robust < sd_all ? robust : sd_all;
    if (sd_all > kFarCentre * sd) {  // else |mean - median| <= sd_all is too close to matter
      const double med = median_of(r);
      if (std::abs(m - med) > kFarCentre * sd) m = med;
    }
    s.center[j] = m * big;
    s.scale[j] = sd * big;
    if (!(s.scale[j] > 0.0)) return false;  // a spread below the smallest double
    X.col(j) = (r.array() - m) / sd;
  }
  return true;
}

// The log-Jacobian of the standardisation, per point: minus the sum of the
// log scales. Added to a log-density on standardised data, it gives the
// log-density in the data's units.
inline double log_jacobian(const Scaling& s) { return -s.scale.array().log().sum(); }

// Maps a mixture fitted on standardised data back to the original units.
inline Gmm unstandardise(const Gmm& g, const Scaling& s) {
  Gmm out = g;
  for (Index k = 0; k < g.k(); ++k) {
    out.means.col(k) = g.means.col(k).cwiseProduct(s.scale) + s.center;
    out.covariances[k] = s.scale.asDiagonal() * g.covariances[k] * s.scale.asDiagonal();
  }
  return out;
}

// The scales within which a mixture is returned in the data's units: its
// covariances, scale^2 times the standardised ones (themselves between about
// reg_covar and N), then stay far from overflow and underflow, and so do their
// Cholesky factors and inverses. Outside them (data near 1e+-300, whose
// covariances of order 1e+-600 cannot be represented) the mixture stays in
// standardised units and carries its scaling.
constexpr double kMinDataScale = 1e-100, kMaxDataScale = 1e100;

// `out` = the mixture in data units, if it is representable there (see above)
// and its covariances factorise; otherwise returns false and leaves `out` alone.
inline bool unstandardise_if_representable(const Gmm& g, const Scaling& s, Gmm& out) {
  if (!((s.scale.array() >= kMinDataScale).all() && (s.scale.array() <= kMaxDataScale).all()))
    return false;
  Gmm u = unstandardise(g, s);
  if (!u.means.allFinite()) return false;
  for (const MatrixXd& c : u.covariances) {
    if (!c.allFinite()) return false;
    Eigen::LLT<MatrixXd> llt(c);
    if (llt.info() != Eigen::Success) return false;
    const MatrixXd L = llt.matrixL();
    if (!(L.diagonal().array() > 0.0).all()) return false;
  }
  out = std::move(u);
  return true;
}

// The rounding floor of each coordinate of standardised data X (vignette
// "method", section 11): a column whose values repeat is taken to be
// recorded at the resolution delta of the smallest gap between its distinct
// values, and a variable rounded to step delta is, for a density, the
// underlying one plus uniform noise of variance delta^2 / 12. No component
// variance below that can be resolved from such data, and without a floor
// components collapse onto repeated values and report an unbounded MI.
// Columns without repeats get 0; all without: an empty vector (no floor).
inline VectorXd resolution_floor(const MatrixRef& X) {
  const Index N = X.rows(), d = X.cols();
  VectorXd floor = VectorXd::Zero(d);
  std::vector<double> v(static_cast<std::size_t>(N));
  for (Index j = 0; j < d; ++j) {
    for (Index i = 0; i < N; ++i) v[static_cast<std::size_t>(i)] = X(i, j);
    std::sort(v.begin(), v.end());
    double gap = std::numeric_limits<double>::infinity();
    bool tied = false;
    for (std::size_t i = 1; i < v.size(); ++i) {
      const double step = v[i] - v[i - 1];
      if (step == 0.0) tied = true;
      else gap = std::min(gap, step);
    }
    if (tied && std::isfinite(gap)) floor[j] = gap * gap / 12.0;
  }
  if ((floor.array() == 0.0).all()) return VectorXd();
  return floor;
}

}  // namespace gmmmi

#endif
