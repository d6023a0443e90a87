// What EM keeps from step to step: the moments of the components and the
// buffers reused by every iteration.
#ifndef GMMMI_EM_WORK_H
#define GMMMI_EM_WORK_H

#include <vector>

#include "model.h"

namespace gmmmi {

// Weighted moments of every component about a centre c_k (its previous
// mean): n_k = sum r, s_k = sum r (x - c_k) and the lower triangle of
// S_k = sum r (x - c_k)(x - c_k)', packed by rows: (0,0), (1,0), (1,1), ...
// Moments about the previous mean keep S / n - m m' free of cancellation.
struct Moments {
  VectorXd n;  // K
  MatrixXd s;  // d x K
  MatrixXd S;  // d(d+1)/2 x K
  void reset(Index K, Index d) {
    n.setZero(K);
    s.setZero(d, K);
    S.setZero(d * (d + 1) / 2, K);
  }
};

// Reusable buffers for EM, kept across iterations.
struct EmWork {
  DensityWork dens;
  Factorised fac;
  Moments moments;
  std::vector<double> acc;  // lanes of the fused E+M pass's accumulators
  MatrixXd centred;         // N x d
  Eigen::ArrayXd scaled;    // N
};

}  // namespace gmmmi

#endif
