// Shortcuts for many rows (vignette "method", section 13 "Many rows and many
// dimensions"): what costs time at large N is the search over K, which fits
// every K with every start and fold, and a bootstrap that refits N rows B
// times. Both are made independent of N beyond a size at which the sampling
// error is already small beside the model's:
// - the number of components is chosen on `select_rows` rows drawn without
//   replacement (one draw, shared by both codings of the margins); the
//   full-data fit then starts from the kept parameters and uses every row;
// - each bootstrap replicate resamples `bootstrap_rows` rows with replacement
//   (the m-out-of-n bootstrap) and is warm-started from the full-data fit.
//   A replicate's deviation from the full-data value is shrunk by
//   sqrt(m / N), so that the values spread as an N-row bootstrap's would
//   (Bickel, Goetze and van Zwet 1997). Every replicate integrates with
//   the full-data fit's Monte Carlo draws (common random numbers): the
//   fits are close, so their Monte Carlo errors are nearly the same and
//   cancel from the deviations, and the spread is that of the sampling, not
//   of the draws, which at this size would swamp it. The full-data value
//   is then integrated again with enough draws for its Monte Carlo error to
//   be a small fraction (`mc_error_ratio`) of the standard error, and the
//   replicates are placed around it.
// Below either size nothing changes.
#ifndef GMMMI_SUBSAMPLE_H
#define GMMMI_SUBSAMPLE_H

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "integrals.h"
#include "parallel.h"

namespace gmmmi {

// Whether a shortcut that applies above `rows` rows (0: never) applies to N.
inline bool above(Index N, Index rows) { return rows > 0 && N > rows; }

// `m` of the N rows, drawn without replacement, in increasing order.
inline std::vector<Index> subsample_rows(Index N, Index m, std::uint64_t seed) {
  std::vector<Index> rows(static_cast<std::size_t>(N));
  std::iota(rows.begin(), rows.end(), Index(0));
  Rng rng(seed, Stream::subsample, 0);
  // A partial Fisher-Yates shuffle: the first m positions are a uniform draw.
  for (Index i = 0; i < m; ++i) {
    const Index j = i + static_cast<Index>(rng.below(static_cast<std::uint64_t>(N - i)));
    std::swap(rows[static_cast<std::size_t>(i)], rows[static_cast<std::size_t>(j)]);
  }
  rows.resize(static_cast<std::size_t>(m));
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Resample counts of replicate b over N rows: m draws with replacement (the
// first m draws of the stream that an N-row resample would use).
inline VectorXd resample_counts(Index N, Index m, std::uint64_t seed, std::uint64_t b) {
  Rng rng(seed, Stream::bootstrap, b);
  VectorXd counts = VectorXd::Zero(N);
  for (Index i = 0; i < m; ++i)
    counts[static_cast<Index>(rng.below(static_cast<std::uint64_t>(N)))] += 1.0;
  return counts;
}

// Replicate values of an m-out-of-n bootstrap on the scale of N rows: each
// deviation from `anchor` (the full-data value on the replicates' draws)
// shrunk by `f` = sqrt(m / N) and added to `full`. NaN (failed) values stay NaN.
inline void rescale_replicates(std::vector<double>& values, double anchor, double full,
                               double f) {
  for (double& v : values) v = full + f * (v - anchor);
}

// The standard deviation of the finite values (NaN with fewer than two).
inline double finite_sd(const std::vector<double>& values) {
  double n = 0, sum = 0, sum_sq = 0;
  for (double v : values)
    if (std::isfinite(v)) n += 1, sum += v, sum_sq += v * v;
  return std::sqrt(mc_variance(sum, sum_sq, n));
}

// Draws for a Monte Carlo error of `ratio` * `se`, given `mc_se` from `M`
// draws: at least M, at most `max_draws`.
inline Index refined_draws(Index M, double mc_se, double se, double ratio, Index max_draws) {
  if (!(se > 0) || !(mc_se > 0) || !std::isfinite(ratio)) return M;
  const double want = static_cast<double>(M) * std::pow(mc_se / (ratio * se), 2);
  return static_cast<Index>(std::min<double>(static_cast<double>(max_draws),
                                             std::max<double>(static_cast<double>(M), std::ceil(want))));
}

// Chunks of a long integral (refined_mi); streams of the Monte Carlo family
// above those of the bootstrap's tasks.
constexpr Index kMcChunk = 1000000;
constexpr std::uint64_t kRefineStream = std::uint64_t(1) << 48;

// Pools estimates of the same mean from chunks of draws.
inline McEstimate pool_chunks(const std::vector<McEstimate>& parts) {
  McEstimate out;
  double n = 0, sum = 0, sum_sq = 0;
  for (const McEstimate& p : parts) {
    if (!p.ok) out.ok = false;
    const double k = static_cast<double>(p.draws);
    sum += k * p.value;
    // The sum of squared values (a chunk of one draw has no se, and adds its square).
    sum_sq += k * p.value * p.value + (k > 1 ? k * (k - 1) * p.mc_se * p.mc_se : 0.0);
    n += k;
  }
  out.value = sum / n;
  out.mc_se = std::sqrt(mc_variance(sum, sum_sq, n) / n);
  out.draws = static_cast<Index>(n);
  return out;
}

// The MI of `joint` from M draws, in chunks of kMcChunk on streams of their
// own, in parallel, pooled in order: the value does not depend on the
// threads. False when interrupted.
inline bool refined_mi(const Gmm& joint, const std::vector<int>& x, const std::vector<int>& y,
                       const std::vector<int>& z, Index M, std::uint64_t seed, int n_threads,
                       Monitor& monitor, std::atomic<bool>& abort, McEstimate& out) {
  const std::size_t n = static_cast<std::size_t>((M + kMcChunk - 1) / kMcChunk);
  std::vector<McEstimate> parts(n);
  const bool done = parallel_for(n, n_threads, monitor, abort, [&](std::size_t c) {
    Rng rng(seed, Stream::monte_carlo, kRefineStream + c);
    const Index draws = std::min<Index>(kMcChunk, M - static_cast<Index>(c) * kMcChunk);
    parts[c] = mutual_information(joint, x, y, z, draws, rng, &abort);
  });
  if (done) out = pool_chunks(parts);
  return done;
}

}  // namespace gmmmi

#endif
