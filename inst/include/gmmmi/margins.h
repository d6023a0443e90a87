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
//
// Extreme values can capture that screen: a fit of heavy-tailed data as they
// are may score a held-out row in the far tail at -1e13, and that one row
// then makes both the mean gain and its standard error huge, so that their
// ratio is about 1 and the data are kept, however much worse they do on every
// other row. So when the mean comparison does not clear the bar and one row
// holds more than 1 / z^2 of the sum of squared deviations (the standard
// error is then mostly that one row's), the paired differences are compared by
// their 20%-trimmed mean instead, with Yuen's standard error (that of the
// winsorised values), which no few rows can inflate. When that takes the
// alternative, the figures reported are those of the trimmed comparison.
#ifndef GMMMI_MARGINS_H
#define GMMMI_MARGINS_H

#include <cmath>
#include <algorithm>
#include <limits>
#include <vector>

#include "model.h"

namespace gmmmi {

struct CodingChoice {
  bool alternative = false;
  double score = std::numeric_limits<double>::quiet_NaN();        // mean held-out PMI, as is
  double score_alt = std::numeric_limits<double>::quiet_NaN();    // the same, alternative coding
  double gain = std::numeric_limits<double>::quiet_NaN();         // mean paired difference
  double gain_se = std::numeric_limits<double>::quiet_NaN();      // its standard error
  bool trimmed = false;  // the trimmed comparison took the alternative: gain and gain_se are its
};

// The share of the trimmed comparison at each end.
constexpr double kCodingTrim = 0.2;

// The trimmed mean of d (kCodingTrim of the values cut at each end) and
// Yuen's standard error: the standard deviation of the values winsorised at
// the same ranks over (1 - 2 trim) sqrt(n).
struct TrimmedGain {
  double mean = 0.0, se = 0.0;
};

inline TrimmedGain trimmed_gain(std::vector<double> d) {
  TrimmedGain t;
  const std::size_t n = d.size();
  const std::size_t g = static_cast<std::size_t>(kCodingTrim * static_cast<double>(n));
  std::sort(d.begin(), d.end());
  const double lo = d[g], hi = d[n - 1 - g];
  double sum = 0.0, wsum = 0.0, wsq = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= g && i < n - g) sum += d[i];
    const double w = std::min(hi, std::max(lo, d[i]));
    wsum += w;
    wsq += w * w;
  }
  const double nd = static_cast<double>(n);
  t.mean = sum / static_cast<double>(n - 2 * g);
  const double wsd = std::sqrt(std::max(0.0, (wsq - wsum * wsum / nd) / (nd - 1.0)));
  t.se = wsd / ((1.0 - 2.0 * static_cast<double>(g) / nd) * std::sqrt(nd));
  return t;
}

// `as_is` and `alt`: the held-out pointwise MI of each row under each coding
// (NaN where a fit failed; such rows are left out of the comparison).
inline CodingChoice choose_coding(const VectorXd& as_is, const VectorXd& alt, double z_threshold) {
  CodingChoice c;
  if (as_is.size() != alt.size()) return c;
  double n = 0, sum = 0, sum_sq = 0, s0 = 0, s1 = 0;
  std::vector<double> diffs;
  diffs.reserve(static_cast<std::size_t>(as_is.size()));
  for (Index i = 0; i < as_is.size(); ++i) {
    if (!std::isfinite(as_is[i]) || !std::isfinite(alt[i])) continue;
    const double d = alt[i] - as_is[i];
    n += 1;
    sum += d;
    sum_sq += d * d;
    s0 += as_is[i];
    s1 += alt[i];
    diffs.push_back(d);
  }
  if (n < 2) return c;
  c.score = s0 / n;
  c.score_alt = s1 / n;
  c.gain = sum / n;
  const double ss = std::max(0.0, sum_sq - sum * sum / n);
  c.gain_se = std::sqrt(ss / (n - 1.0) / n);
  c.alternative = c.gain > z_threshold * c.gain_se;
  if (c.alternative || !(ss > 0.0)) return c;
  // Does one row capture the comparison? (see above)
  double top = 0.0;
  for (double d : diffs) top = std::max(top, (d - c.gain) * (d - c.gain));
  if (!(top * z_threshold * z_threshold > ss)) return c;
  const TrimmedGain t = trimmed_gain(std::move(diffs));
  if (t.mean > z_threshold * t.se) {
    c.alternative = c.trimmed = true;
    c.gain = t.mean;
    c.gain_se = t.se;
  }
  return c;
}

}  // namespace gmmmi

#endif
