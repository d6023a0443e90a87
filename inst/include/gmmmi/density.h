// The density pass: the AVX2 kernel (simd_density.h) where the processor
// has it and the caller accepts float exponentials, the portable steps of
// model.h elsewhere.
#ifndef GMMMI_DENSITY_H
#define GMMMI_DENSITY_H

#include "model.h"
#include "simd_density.h"

namespace gmmmi {

// How a density pass may trade accuracy for speed: `exact` keeps every step
// in double; `fast` takes the exponentials of the log-sum-exp in float
// (relative error about 1e-7), for the inner loops of EM and Monte Carlo.
enum class Precision { exact, fast };

// The density pass of the E-step and of every Monte Carlo integral: fills
// w.log_dens with log p(x) for each row of X and, when `responsibilities` is
// true, w.logp with the responsibilities (otherwise w.logp is scratch).
inline void density_pass(const MatrixRef& X, const Factorised& f, DensityWork& w,
                         bool responsibilities, Precision precision = Precision::exact) {
#ifdef GMMMI_AVX2_DISPATCH
  const Index K = f.log_norm.size();
  if (precision == Precision::fast && cpu_has_avx2() && X.cols() <= kFusedMaxDim &&
      K <= kFusedMaxK) {
    w.log_dens.resize(X.rows());
    if (responsibilities) w.logp.resize(X.rows(), K);
    fused_density_avx2(X, f, w, responsibilities);
    return;
  }
#endif
  log_components(X, f, w);
  log_sum_exp_rows(w, responsibilities);
}

// log p(x) for each row of X.
inline VectorXd log_density(const MatrixRef& X, const Factorised& f) {
  DensityWork w;
  density_pass(X, f, w, false);
  return w.log_dens;
}

}  // namespace gmmmi

#endif
