// Draws from a fitted mixture.
#ifndef GMMMI_SAMPLE_H
#define GMMMI_SAMPLE_H

#include <algorithm>
#include <atomic>
#include <numeric>
#include <vector>

#include "model.h"
#include "rng.h"

namespace gmmmi {

// Fills `out` (M x d) with M draws from the mixture. The draws come grouped
// by component (counts drawn from the weights, then each component's block
// transformed at once), which is all a Monte Carlo average needs. When
// `labels` is given the rows are shuffled into random order and labelled.
// A raised `abort` ends the work early (within 2^16 draws), leaving `out`
// incomplete: the caller, who raised it, discards it.
inline void sample_gmm(const Gmm& g, const Factorised& f, Index M, Rng& rng, MatrixXd& out,
                       std::vector<int>* labels = nullptr,
                       const std::atomic<bool>* abort = nullptr) {
  auto stop = [abort](Index m) {
    return (m & 0xFFFF) == 0 && abort != nullptr && abort->load(std::memory_order_relaxed);
  };
  const Index K = g.k(), d = g.dim();
  std::vector<double> cum(static_cast<std::size_t>(K));
  double acc = 0.0;
  for (Index k = 0; k < K; ++k) cum[static_cast<std::size_t>(k)] = (acc += g.weights[k]);
  // Component counts by inversion with a guide table: the table maps each
  // of T equal slices of [0, 1) to the first component it can fall in, so
  // a draw needs a lookup and rarely a step, instead of a binary search.
  const Index T = 4 * K;
  std::vector<Index> guide(static_cast<std::size_t>(T));
  for (Index t = 0, k = 0; t < T; ++t) {
    const double edge = acc * static_cast<double>(t) / static_cast<double>(T);
    while (k < K - 1 && cum[static_cast<std::size_t>(k)] <= edge) ++k;
    guide[static_cast<std::size_t>(t)] = k;
  }
  std::vector<Index> counts(static_cast<std::size_t>(K), 0);
  const double dT = static_cast<double>(T);
  for (Index m = 0; m < M; ++m) {
    if (stop(m)) return;
    const double v = rng.uniform();  // in [0, 1), so the slice is below T
    const double u = v * acc;
    Index k = guide[static_cast<std::size_t>(v * dT)];
    while (k < K - 1 && cum[static_cast<std::size_t>(k)] <= u) ++k;
    ++counts[static_cast<std::size_t>(k)];
  }
  out.resize(M, d);
  // Column-major: column by column, in pieces so that an abort is seen.
  for (Index done = 0, total = M * d; done < total; done += Index(1) << 16) {
    if (stop(0)) return;
    rng.fill_normal(out.data() + done,
                    static_cast<std::size_t>(std::min<Index>(Index(1) << 16, total - done)));
  }
  Index start = 0;
  for (Index k = 0; k < K; ++k) {
    const Index n = counts[static_cast<std::size_t>(k)];
    if (n == 0) continue;
    if (stop(0)) return;
    // x = mu + L z for each row z, in place: coordinate j depends only on
    // coordinates l <= j (L is lower triangular), so go from the last down.
    const MatrixXd& L = f.chol[k];
    for (Index j = d - 1; j >= 0; --j) {
      double* col = out.data() + j * M + start;
      const double ljj = L(j, j), mu = g.means(j, k);
      for (Index m = 0; m < n; ++m) col[m] = col[m] * ljj + mu;
      for (Index l = 0; l < j; ++l) {
        const double* src = out.data() + l * M + start;
        const double c = L(j, l);
        for (Index m = 0; m < n; ++m) col[m] += c * src[m];
      }
    }
    start += n;
  }
  if (labels != nullptr) {
    std::vector<Index> order(static_cast<std::size_t>(M));
    std::iota(order.begin(), order.end(), Index(0));
    rng.shuffle(order, abort);
    if (stop(0)) return;
    MatrixXd shuffled(M, d);
    labels->assign(static_cast<std::size_t>(M), 0);
    std::vector<int> grouped;
    grouped.reserve(static_cast<std::size_t>(M));
    for (Index k = 0; k < K; ++k)
      grouped.insert(grouped.end(), static_cast<std::size_t>(counts[static_cast<std::size_t>(k)]),
                     static_cast<int>(k));
    for (Index m = 0; m < M; ++m) {
      if (stop(m)) return;
      const Index src = order[static_cast<std::size_t>(m)];
      shuffled.row(m) = out.row(src);
      (*labels)[static_cast<std::size_t>(m)] = grouped[static_cast<std::size_t>(src)];
    }
    out.swap(shuffled);
  }
}

}  // namespace gmmmi

#endif
