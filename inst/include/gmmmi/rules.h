// The two rules that set the defaults of a selection, by name: "reference",
// the defaults of the reference implementation of GMM-MI (Piras et al.
// 2023), and "gmmmi", the package's own (vignette "method", section 9
// "Where gmmmi departs from the reference"). The R layer mirrors them in
// R/control.R: `selection_defaults` holds the settings in which they differ
// (of those the core reads: init, reg_covar, raise_floor, patience and
// k_margin; also select_rows and bootstrap_rows, which the glue sets on
// MiSettings, off there by default as under "reference"; tie_floor, which
// the glue sets on MiSettings and CategoricalSettings; quadrature, which it
// sets on CategoricalSettings; and
// bias_correction, which only R applies), and
// the defaults of gmm_mi_control() those they share; keep the two in step.
// R supplies every setting, so the glue only starts from these.
#ifndef GMMMI_RULES_H
#define GMMMI_RULES_H

#include <limits>
#include <string>

#include "select.h"

namespace gmmmi {

// A rule: its own five settings and those both rules share. Retries and the
// spread of a start keep the defaults of FitSettings.
inline SelectSettings selection_rule(InitType init, double reg_covar, bool raise_floor,
                                     int patience, double k_margin) {
  SelectSettings s;
  s.k_margin = k_margin;
  s.fit.init = init;
  s.fit.em.reg_covar = reg_covar;
  s.fit.raise_floor = raise_floor;
  s.patience = patience;
  s.fit.n_inits = 3;
  s.fit.em.tol = 1e-5;
  s.fit.em.max_iter = 10000;
  s.fit.em.min_iter = 0;
  s.fit.em.accelerate = true;
  s.n_folds = 2;
  s.max_components = 50;
  s.threshold = 1e-5;
  s.criterion = Criterion::validation;
  return s;
}

// Every start from random responsibilities, an almost-zero covariance floor
// kept on retries, and a search that stops at the first K without an
// improvement.
inline SelectSettings reference_rule() {
  return selection_rule(InitType::random_responsibilities, 1e-15, false, 1,
                        std::numeric_limits<double>::infinity());
}

// The first start from k-means, so that flat-topped densities are not stuck
// at K = 1; a floor that keeps a component from collapsing onto an outlier,
// raised on retries when a smaller one was asked for; and a search that
// looks three Ks past the last improvement, unless a K only overfits.
inline SelectSettings gmmmi_rule() { return selection_rule(InitType::mixed, 1e-6, true, 3, 0.25); }

// The rule called `name`; false for an unknown name.
inline bool rule_by_name(const std::string& name, SelectSettings& out) {
  if (name == "gmmmi") {
    out = gmmmi_rule();
  } else if (name == "reference") {
    out = reference_rule();
  } else {
    return false;
  }
  return true;
}

}  // namespace gmmmi

#endif
