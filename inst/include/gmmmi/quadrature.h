// Adaptive Gauss-Kronrod quadrature of a smooth function on an interval of
// the real line (vignette "method", section 8): the integral of a category
// against one continuous column is one-dimensional, and integrating it on
// nodes rather than Monte Carlo draws removes the Monte Carlo error at a
// small fraction of the cost. The 7-point Gauss rule and its 15-point
// Kronrod extension share nodes; their difference estimates each panel's
// error, and the panel with the largest error is halved until the total
// error is below the tolerance or the panel budget is spent.
#ifndef GMMMI_QUADRATURE_H
#define GMMMI_QUADRATURE_H

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <queue>
#include <vector>

namespace gmmmi {

using Eigen::Index;
using Eigen::VectorXd;

// Nodes of the 15-point Kronrod rule on [-1, 1] (the positive half; node 7
// is 0) and its weights; the 7-point Gauss rule uses the odd nodes.
constexpr double kKronrodNodes[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
constexpr double kKronrodWeights[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr double kGaussWeights[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

struct Panel {
  double a = 0.0, b = 0.0, value = 0.0, error = 0.0;
  bool operator<(const Panel& o) const { return error < o.error; }
};

struct QuadratureResult {
  double value = 0.0;
  double error = 0.0;  // estimated absolute error
  bool ok = true;      // false: a non-finite integrand, or an interrupt
};

// The 15 nodes of each panel [edges[i], edges[i + 1]], panel after panel.
inline VectorXd kronrod_nodes(const std::vector<double>& edges) {
  const std::size_t P = edges.size() - 1;
  VectorXd y(static_cast<Index>(15 * P));
  for (std::size_t p = 0; p < P; ++p) {
    const double c = 0.5 * (edges[p] + edges[p + 1]), h = 0.5 * (edges[p + 1] - edges[p]);
    for (int j = 0; j < 7; ++j) {
      y[static_cast<Index>(15 * p + 2 * j)] = c - h * kKronrodNodes[j];
      y[static_cast<Index>(15 * p + 2 * j + 1)] = c + h * kKronrodNodes[j];
    }
    y[static_cast<Index>(15 * p + 14)] = c;
  }
  return y;
}

// A panel's Kronrod value and its error from the integrand `f` at its 15
// nodes (in the order kronrod_nodes gives them).
inline Panel kronrod_panel(double a, double b, const double* f) {
  const double h = 0.5 * (b - a);
  double kronrod = kKronrodWeights[7] * f[14], gauss = kGaussWeights[3] * f[14];
  for (int j = 0; j < 7; ++j) {
    const double pair = f[2 * j] + f[2 * j + 1];
    kronrod += kKronrodWeights[j] * pair;
    if (j % 2 == 1) gauss += kGaussWeights[j / 2] * pair;
  }
  Panel p;
  p.a = a;
  p.b = b;
  p.value = h * kronrod;
  p.error = std::abs(h * (kronrod - gauss));
  return p;
}

// The integral of f over [edges.front(), edges.back()], starting from the
// panels between consecutive `edges` (sorted, distinct). `eval(y, f)` sets f
// to the integrand at every node in y. Stops when the summed error is below
// abs_tol + rel_tol * |value|, or after max_panels panels beyond the
// starting ones.
template <class Eval>
QuadratureResult integrate_panels(const std::vector<double>& edges, Eval eval, double abs_tol,
                                  double rel_tol, std::size_t max_panels,
                                  const std::atomic<bool>* abort = nullptr) {
  QuadratureResult out;
  VectorXd f;
  const VectorXd y = kronrod_nodes(edges);
  eval(y, f);
  if (!f.allFinite()) {
    out.ok = false;
    return out;
  }
  std::priority_queue<Panel> heap;
  for (std::size_t p = 0; p + 1 < edges.size(); ++p)
    heap.push(kronrod_panel(edges[p], edges[p + 1], f.data() + 15 * p));
  auto totals = [&]() {
    std::priority_queue<Panel> copy = heap;
    out.value = out.error = 0.0;
    for (; !copy.empty(); copy.pop()) {
      out.value += copy.top().value;
      out.error += copy.top().error;
    }
  };
  totals();
  const std::size_t budget = heap.size() + max_panels;
  while (out.error > abs_tol + rel_tol * std::abs(out.value) && heap.size() < budget) {
    if (abort != nullptr && abort->load()) {
      out.ok = false;
      return out;
    }
    const Panel worst = heap.top();
    heap.pop();
    const double mid = 0.5 * (worst.a + worst.b);
    const std::vector<double> halves = {worst.a, mid, worst.b};
    eval(kronrod_nodes(halves), f);
    if (!f.allFinite()) {
      out.ok = false;
      return out;
    }
    const Panel left = kronrod_panel(worst.a, mid, f.data()), right = kronrod_panel(mid, worst.b, f.data() + 15);
    out.value += left.value + right.value - worst.value;
    out.error += left.error + right.error - worst.error;
    heap.push(left);
    heap.push(right);
  }
  totals();  // sums afresh, free of the rounding of the running updates
  return out;
}

// Panel edges for the integral of a function shaped by 1-D Gaussian
// components (means m, standard deviations s): each component's mean and the
// points 1.5, 4 and `reach` standard deviations either side, so that a narrow
// component has panels of its own however wide the others. Outside the
// outermost edges each component holds less than its N(0, 1) tail beyond
// `reach`.
inline std::vector<double> component_edges(const VectorXd& m, const VectorXd& s, double reach) {
  std::vector<double> e;
  const double steps[4] = {0.0, 1.5, 4.0, reach};
  for (Index k = 0; k < m.size(); ++k)
    for (double t : steps) {
      e.push_back(m[k] - t * s[k]);
      e.push_back(m[k] + t * s[k]);
    }
  std::sort(e.begin(), e.end());
  const double lo = e.front(), hi = e.back();
  std::vector<double> out;
  for (double v : e)
    if (out.empty() || v > out.back() + 1e-12 * (hi - lo)) out.push_back(v);
  return out;
}

}  // namespace gmmmi

#endif
