// Builds the core without R and checks it on a bivariate Gaussian with known
// MI: g++ -O2 -std=c++14 -I inst/include -I <eigen> tools/cpp/smoke.cpp
// The fits follow gmmmi_rule(), the settings R users run by default; the
// reference rule is checked on the same Gaussian.
#include <algorithm>
#include <cstdio>
#include <gmmmi/gmmmi.h>

int main() {
  using namespace gmmmi;
  const double rho = 0.6;
  const Index N = 10000;
  Rng rng(42, Stream::simulate, 0);
  MatrixXd X(N, 2);
  for (Index i = 0; i < N; ++i) {
    const double a = rng.normal(), b = rng.normal();
    X(i, 0) = a;
    X(i, 1) = rho * a + std::sqrt(1 - rho * rho) * b;
  }
  MiSettings s;
  s.select = gmmmi_rule();
  s.x = {0};
  s.y = {1};
  Monitor mon;
  const double truth = -0.5 * std::log(1 - rho * rho);
  auto report = [&](const char* rule, const MiResult& res) {
    double mean = 0, sq = 0;
    for (double v : res.bootstrap) mean += v;
    mean /= res.bootstrap.size();
    for (double v : res.bootstrap) sq += (v - mean) * (v - mean);
    std::printf("%s rule: K = %d, MI = %.4f +- %.4f (truth %.4f)\n", rule, res.selection.chosen_k,
                mean, std::sqrt(sq / (res.bootstrap.size() - 1)), truth);
    return std::abs(mean - truth) < 0.03;
  };
  MiResult r = estimate_mi(X, s, 7, 2, mon);
  bool ok = report("gmmmi", r);
  MiSettings ref = s;
  ref.select = reference_rule();
  ok = report("reference", estimate_mi(X, ref, 7, 2, mon)) && ok;

  // Offered the same rows as the alternative coding, the choice sees no gain,
  // keeps the data, and the result is bit for bit the one without it.
  MiResult same = estimate_mi(X, s, 7, 2, mon, X);
  const bool kept = same.coding_compared && !same.coding.alternative && same.coding.gain == 0.0 &&
                    std::isfinite(same.coding.score) && same.bootstrap == r.bootstrap &&
                    same.selection.heldout_pmi.allFinite() &&
                    same.selection.heldout_pmi.size() == N;
  std::printf("same coding offered: gain %.3g, held-out score %.4f -> %s\n", same.coding.gain,
              same.coding.score, kept ? "kept, identical" : "WRONG");
  ok = ok && kept;

  // Gamma-exponential, alpha = 1: x ~ Exp(1) (Gamma(1, 1)), y | x ~ Exp(rate x);
  // the MI of (log x, log y) is digamma(2) = 1 - Euler's gamma.
  MatrixXd G(4000, 2);
  for (Index i = 0; i < G.rows(); ++i) {
    const double x = -std::log(rng.uniform_open());
    const double y = -std::log(rng.uniform_open()) / x;
    G(i, 0) = std::log(x);
    G(i, 1) = std::log(y);
  }
  MiResult g = estimate_mi(G, s, 11, 2, mon);
  double gm = 0;
  for (double v : g.bootstrap) gm += v;
  gm /= g.bootstrap.size();
  std::printf("gamma-exponential: K = %d, MI = %.6f (truth %.4f)\n", g.selection.chosen_k, gm,
              1.0 - 0.5772156649015329);
  ok = ok && std::abs(gm - (1.0 - 0.5772156649015329)) < 0.05;

  // The shortcuts for many rows (subsample.h), made to act at 1000 rows: K
  // chosen on a subsample, an m-out-of-n bootstrap on common draws and a
  // refined full-data integral; the same on one thread as on two.
  MiSettings big = s;
  big.select_rows = 1000;
  big.bootstrap_rows = 1000;
  big.n_bootstrap = 12;
  big.mc_samples = 4000;
  MiResult g1 = estimate_mi(G, big, 11, 1, mon), g2 = estimate_mi(G, big, 11, 2, mon);
  double bm = 0;
  for (double v : g2.bootstrap) bm += v;
  bm /= g2.bootstrap.size();
  const bool shortcuts = g1.bootstrap == g2.bootstrap && g1.full_mi.value == g2.full_mi.value &&
                         g2.selection_rows == 1000 && g2.shrink < 1 &&
                         g2.full_mi.draws > big.mc_samples &&
                         std::abs(bm - (1.0 - 0.5772156649015329)) < 0.05;
  std::printf("shortcuts: K = %d on %d rows, MI = %.4f (%lld draws) -> %s\n",
              g2.selection.chosen_k, static_cast<int>(g2.selection_rows), bm,
              static_cast<long long>(g2.full_mi.draws), shortcuts ? "ok" : "WRONG");
  ok = ok && shortcuts;

  // The retry floor rises a thousandfold per retry up to 1e-6; a floor at or
  // above that, and a zero floor (none asked for), are left alone.
  const bool floors = retry_floor(1e-15, 0) == 1e-15 && std::abs(retry_floor(1e-15, 1) / 1e-12 - 1) < 1e-12 &&
                      retry_floor(1e-15, 3) == kRetryFloor && retry_floor(1e-15, 9) == kRetryFloor &&
                      retry_floor(1e-3, 4) == 1e-3 && retry_floor(0.0, 3) == 0.0;
  // The alternative coding wins only by more than z standard errors of the
  // paired differences; rows with a non-finite score are left out.
  VectorXd a(6), b(6);
  a << 0.1, 0.2, 0.3, 0.4, 0.5, -std::numeric_limits<double>::infinity();
  b = a.array() + 0.05;
  b[0] += 0.01;
  const CodingChoice clear = choose_coding(a, b, 2.0);
  VectorXd c = a;
  c[0] += 0.3;  // a gain on one row only: mean 0.06, se 0.06
  const CodingChoice close = choose_coding(a, c, 2.0);
  std::printf("retry floors %s; coding: clear gain %.4f (se %.4f) -> %d, one-row gain %.4f (se %.4f) -> %d\n",
              floors ? "ok" : "WRONG", clear.gain, clear.gain_se, clear.alternative, close.gain,
              close.gain_se, close.alternative);
  ok = ok && floors && clear.alternative && !close.alternative && std::abs(clear.gain - 0.052) < 1e-12;

  // The presets differ in the four settings R's selection_defaults lists,
  // and a selection refuses counts of starts or folds beyond its streams'
  // bit fields (rng.h).
  SelectSettings named;
  const SelectSettings gr = gmmmi_rule(), fr = reference_rule();
  const bool presets = rule_by_name("gmmmi", named) && named.patience == 3 &&
                       gr.k_margin == 0.25 && std::isinf(fr.k_margin) &&
                       gr.fit.init == InitType::mixed && gr.fit.em.reg_covar == 1e-6 &&
                       gr.fit.raise_floor && fr.fit.init == InitType::random_responsibilities &&
                       fr.fit.em.reg_covar == 1e-15 && !fr.fit.raise_floor && fr.patience == 1 &&
                       gr.fit.n_inits == 3 && fr.fit.n_inits == 3 && !rule_by_name("other", named);
  SelectSettings wide = gr;
  wide.n_folds = 4096;
  bool refused = false;
  try {
    check_select_limits(wide);
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  wide.n_folds = 4095;
  check_select_limits(wide);  // within the limits: no exception
  std::printf("presets %s; 4096 folds %s\n", presets ? "ok" : "WRONG",
              refused ? "refused" : "WRONG");
  ok = ok && presets && refused;

  // One absurd held-out row (the data as they are scored at -1e13) holds the
  // mean comparison to a ratio of 1; the trimmed comparison sees the gain of
  // the other rows (issue 17).
  VectorXd raw(1000), cop(1000);
  for (Index i = 0; i < raw.size(); ++i) {
    raw[i] = 0.1 * rng.normal();
    cop[i] = raw[i] + 0.05 + 0.02 * rng.normal();
  }
  raw[7] = -1e13;
  const CodingChoice captured = choose_coding(raw, cop, 2.0);
  std::printf("one absurd row: %s (trimmed gain %.4f, se %.4f)\n",
              captured.alternative && captured.trimmed ? "copula taken" : "WRONG", captured.gain,
              captured.gain_se);
  ok = ok && captured.alternative && captured.trimmed && std::abs(captured.gain - 0.05) < 0.01;

  // Every row is held out by exactly one fold.
  Rng split(3, Stream::split, 0);
  const Folds folds = make_folds(103, 4, split);
  std::vector<int> held(103, 0);
  for (int f = 0; f < folds.n_folds; ++f) {
    for (Index i : folds.rows(f, true)) ++held[static_cast<std::size_t>(i)];
    ok = ok && folds.rows(f, true).size() + folds.rows(f, false).size() == 103;
  }
  const bool partition = std::all_of(held.begin(), held.end(), [](int h) { return h == 1; });
  // An MI below 0 beyond its Monte Carlo error, or not finite, is not possible.
  const bool guard = plausible_mi({-0.01, 0.01, true}) && !plausible_mi({-0.5, 0.01, true}) &&
                     !plausible_mi({std::nan(""), 0.01, true}) &&
                     plausible_mi({-0.5, std::nan(""), true}) && !plausible_mi({3.0, 0.1, true}, 1.0);
  std::printf("folds %s; MI guard %s\n", partition ? "partition the rows" : "WRONG",
              guard ? "ok" : "WRONG");
  ok = ok && partition && guard;

  // Many categories: the shared draw (C > kSharedDrawCategories) and a loop
  // per category estimate the same MI. C categories, y | c a mixture of
  // N(c / 4, 1) and N(c / 4 + 0.5, 1) (every third category a single
  // Gaussian), p(c) uneven, one category of p(c) = 0; 150 categories span
  // three chunks of the shared draw.
  for (std::size_t C : {std::size_t(20), std::size_t(150)}) {
    std::vector<Gmm> models(C);
    std::vector<double> prior(C);
    double total = 0;
    for (std::size_t c = 0; c < C; ++c) {
      Gmm& g = models[c];
      const Index K = c % 3 == 0 ? 1 : 2;
      g.weights = VectorXd::Constant(K, 1.0 / static_cast<double>(K));
      g.means = MatrixXd(1, K);
      for (Index k = 0; k < K; ++k) g.means(0, k) = 0.25 * static_cast<double>(c) + 0.5 * k;
      g.covariances.assign(K, MatrixXd::Constant(1, 1, 1.0));
      prior[c] = c == 4 ? 0.0 : 1.0 + static_cast<double>(c % 3);
      total += prior[c];
    }
    for (double& p : prior) p /= total;
    Rng r1(5, Stream::monte_carlo, 0), r2(5, Stream::monte_carlo, 1);
    const McEstimate shared = categorical_mi(models, prior, 20000, r1);
    const McEstimate looped = per_category_mi(models, prior, 2000, r2);
    const double z = (shared.value - looped.value) /
                     std::sqrt(shared.mc_se * shared.mc_se + looped.mc_se * looped.mc_se);
    // Quadrature (y is one column) gives the integral the draws estimate.
    const McEstimate quad = categorical_mi(models, prior, 0, r1, nullptr, true);
    const double zq = (shared.value - quad.value) / shared.mc_se;
    std::printf("%zu categories: shared draw %.4f +- %.4f, per category %.4f +- %.4f (z = %.2f), "
                "quadrature %.6f (z = %.2f, error %.1g)\n",
                C, shared.value, shared.mc_se, looped.value, looped.mc_se, z, quad.value, zq,
                quad.mc_se);
    ok = ok && shared.ok && looped.ok && quad.ok && std::abs(z) < 4 && std::abs(zq) < 4 &&
         quad.mc_se < 1e-6;
  }
  return ok ? 0 : 1;
}
