// Starting parameters for EM (vignette "method", section 2 "Starting points").
#ifndef GMMMI_INIT_H
#define GMMMI_INIT_H

#include <cmath>
#include <string>

#include "em.h"
#include "kmeans.h"

namespace gmmmi {

enum class InitType {
  random = 0,
  minmax = 1,
  kmeans = 2,
  randomized_kmeans = 3,
  random_responsibilities = 4,
  kmeans_responsibilities = 5,
  // Start 0 from k-means responsibilities, the others from random ones. A
  // random-responsibility start gives every component almost the same
  // parameters, a saddle point that EM leaves slowly, so on flat-topped
  // densities all K > 1 fits stop near the K = 1 solution; the k-means start
  // separates the components from the first step.
  mixed = 6
};

// The start type of start number r (0-based) under `type`.
inline InitType start_type(InitType type, int r) {
  if (type != InitType::mixed) return type;
  return r == 0 ? InitType::kmeans_responsibilities : InitType::random_responsibilities;
}

inline bool parse_init(const std::string& s, InitType& out) {
  static const char* names[] = {"random", "minmax", "kmeans", "randomized_kmeans",
                                "random_responsibilities", "kmeans_responsibilities", "mixed"};
  for (int i = 0; i < 7; ++i)
    if (s == names[i]) {
      out = static_cast<InitType>(i);
      return true;
    }
  return false;
}

// Default spread of `random` and `minmax` starts: the radius of the d-ball
// whose volume is the data's bounding-box volume shared among K components.
inline double default_init_scale(const MatrixRef& X, Index K) {
  const double d = static_cast<double>(X.cols());
  const VectorXd range = (X.colwise().maxCoeff() - X.colwise().minCoeff()).transpose();
  const double log_volume = range.array().max(1e-300).log().sum() - std::log(static_cast<double>(K));
  const double log_unit_ball = 0.5 * d * std::log(M_PI) - std::lgamma(0.5 * d + 1.0);
  return std::exp((log_volume - log_unit_ball) / d);
}

// One M-step from given responsibilities (N x K, rows summing to one).
inline bool params_from_responsibilities(const MatrixRef& X, const VectorXd& w,
                                         const MatrixXd& resp, const CovFloor& cov_floor, Gmm& g) {
  EmWork work;
  work.dens.logp = resp;
  return m_step(X, w, cov_floor, work, g);
}

inline Gmm spherical_start(const MatrixXd& means, double scale) {
  Gmm g;
  const Index K = means.cols(), d = means.rows();
  g.weights = VectorXd::Constant(K, 1.0 / static_cast<double>(K));
  g.means = means;
  g.covariances.assign(K, scale * scale * MatrixXd::Identity(d, d));
  return g;
}

// Builds a start; returns false when it cannot (for example, a
// responsibility start leaving a component with no weight).
// `scale` <= 0 asks for the default scale of the chosen type.
inline bool initialise(const MatrixRef& X, const VectorXd& w, Index K, InitType type,
                       double scale, const CovFloor& cov_floor, Rng& rng, Gmm& g) {
  const Index N = X.rows(), d = X.cols();
  switch (type) {
    case InitType::random: {
      const double s = scale > 0 ? scale : default_init_scale(X, K);
      MatrixXd means(d, K);
      for (Index k = 0; k < K; ++k) {
        const Index i = static_cast<Index>(rng.below(static_cast<std::uint64_t>(N)));
        for (Index j = 0; j < d; ++j) means(j, k) = X(i, j) + s * rng.normal();
      }
      g = spherical_start(means, s);
      return true;
    }
    case InitType::minmax: {
      const double s = scale > 0 ? scale : default_init_scale(X, K);
      const VectorXd lo = X.colwise().minCoeff().transpose(), hi = X.colwise().maxCoeff().transpose();
      MatrixXd means(d, K);
      for (Index k = 0; k < K; ++k)
        for (Index j = 0; j < d; ++j) means(j, k) = lo[j] + (hi[j] - lo[j]) * rng.uniform();
      g = spherical_start(means, s);
      return true;
    }
    case InitType::kmeans:
    case InitType::randomized_kmeans:
    case InitType::kmeans_responsibilities: {
      const KmeansResult km = kmeans(X, w, K, rng);
      MatrixXd resp = MatrixXd::Zero(N, K);
      for (Index i = 0; i < N; ++i) resp(i, km.labels[static_cast<std::size_t>(i)]) = 1.0;
      // Hard labels through one M-step give cluster fractions, centroids and
      // within-cluster scatter divided by the cluster's own weight.
      if (!params_from_responsibilities(X, w, resp, cov_floor, g)) return false;
      if (type == InitType::randomized_kmeans) {
        const double s = scale > 0 ? scale : 1.0;
        for (Index k = 0; k < K; ++k) {
          Eigen::LLT<MatrixXd> llt(g.covariances[k]);
          if (llt.info() != Eigen::Success) return false;
          VectorXd z(d);
          for (Index j = 0; j < d; ++j) z[j] = s * rng.normal();
          const MatrixXd L = llt.matrixL();
          g.means.col(k) += L * z;
        }
      }
      return true;
    }
    case InitType::mixed:  // resolved per start by start_type(); alone, the robust start
    case InitType::random_responsibilities: {
      MatrixXd resp(N, K);
      for (Index i = 0; i < N; ++i) {
        for (Index k = 0; k < K; ++k) resp(i, k) = rng.uniform();
        resp.row(i) /= resp.row(i).sum();
      }
      return params_from_responsibilities(X, w, resp, cov_floor, g);
    }
  }
  return false;
}

}  // namespace gmmmi

#endif
