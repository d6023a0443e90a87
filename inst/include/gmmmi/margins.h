// Choosing how the margins are coded before the mixture is fitted (vignette
// "method", section 4 "The coding of the margins"): the data as they are, or
// an alternative coding of the same rows (the Gaussian copula, each column
// replaced by the normal quantile of its ranks, made by the caller). MI is
// the same under either coding, but a mixture models one of them better:
// flat or bounded margins, for example, need many components as they are and
// bias the MI upwards, and none after the copula.
//
// Each coding's selection scores every row by its pointwise MI under the fit
// that held it out, log q(x, y) - log q(x) - log q(y). Its expectation is
// the MI less the model's error in p(y | x) (the mean KL divergence of q(y |
// x) from p(y | x)) plus its error in p(y): a held-out plug-in PMI, not a
// bound on the MI, but what differs between two codings of the same rows is
// mostly how well each models the dependence. The alternative is taken only
// when it wins clearly: its mean gain over the same rows exceeds
// `z_threshold` standard errors of the paired differences. Those treat the
// rows as independent, though the rows of a fold share one fit (and the
// copula's ranks use every row), so the rule is a screen with a margin, not
// an exact test; a close call keeps the data as they are.
#ifndef GMMMI_MARGINS_H
#define GMMMI_MARGINS_H

#include <cmath>
#include <algorithm>
#include <limits>

#include "model.h"

namespace gmmmi {

struct CodingChoice {
  bool alternative = false;
  double score = std::numeric_limits<double>::quiet_NaN();        // mean held-out PMI, as is
  double score_alt = std::numeric_limits<double>::quiet_NaN();    // the same, alternative coding
  double gain = std::numeric_limits<double>::quiet_NaN();         // mean paired difference
  double gain_se = std::numeric_limits<double>::quiet_NaN();      // its standard error
};

// `as_is` and `alt`: the held-out pointwise MI of each row under each coding
// (NaN where a fit failed; such rows are left out of the comparison).
inline CodingChoice choose_coding(const VectorXd& as_is, const VectorXd& alt, double z_threshold) {
  CodingChoice c;
  if (as_is.size() != alt.size()) return c;
  double n = 0, sum = 0, sum_sq = 0, s0 = 0, s1 = 0;
  for (Index i = 0; i < as_is.size(); ++i) {
    if (!std::isfinite(as_is[i]) || !std::isfinite(alt[i])) continue;
    const double d = alt[i] - as_is[i];
    n += 1;
    sum += d;
    sum_sq += d * d;
    s0 += as_is[i];
    s1 += alt[i];
  }
  if (n < 2) return c;
  c.score = s0 / n;
  c.score_alt = s1 / n;
  c.gain = sum / n;
  c.gain_se = std::sqrt(std::max(0.0, (sum_sq - sum * sum / n) / (n - 1.0)) / n);
  c.alternative = c.gain > z_threshold * c.gain_se;
  return c;
}

}  // namespace gmmmi

#endif
