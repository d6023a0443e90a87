// Portable random numbers: xoshiro256++ seeded through splitmix64.
//
// Every task (an initialisation, a fold, a bootstrap replicate) gets its own
// stream derived from (master seed, task id), never from a thread id, so a
// result does not depend on how many threads ran it. The distributions are
// written out here rather than taken from <random>, whose normal and uniform
// distributions differ between standard libraries.
#ifndef GMMMI_RNG_H
#define GMMMI_RNG_H

#include <atomic>
#include <cmath>
#include <cstdint>
#include <vector>

// Keeps a rare path out of line, so that it does not crowd a hot loop.
#if defined(__GNUC__) || defined(__clang__)
#define GMMMI_NOINLINE __attribute__((noinline))
#else
#define GMMMI_NOINLINE
#endif

namespace gmmmi {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Identifiers of the kinds of task that draw random numbers; combined with an
// index they name a stream.
enum class Stream : std::uint64_t {
  fit = 1,        // restarts of a single fit
  split = 2,      // the cross-validation shuffle
  select = 3,     // (K, init, fold) fits of component selection
  bootstrap = 4,  // bootstrap replicates
  monte_carlo = 5,
  simulate = 6,
  subsample = 7   // the rows of a selection on a subsample (subsample.h)
};

// The index of a stream within its kind, for the tasks that need more than a
// plain counter. Each packs its parts into disjoint bit fields, so two tasks
// share a stream only when a part overflows its field; the limits are
// checked where the parts are chosen (check_select_limits in select.h).
//
//   bits 0-11   fold of a selection fit        (n_folds < 4096)
//   bits 12-23  start of a selection fit       (n_inits < 4096)
//   bits 24-39  K of a selection fit           (K < 65536)
//   bit  32     a restarted bootstrap fit      (replicate index < 2^32)
//   bits 40-63  retry number of a start        (retries < 2^24)
//
// (The R layer caps n_inits and n_folds at 1000 and K at 10000.) Bit 32
// overlaps the K field, but the two are never combined: restarts are in the
// bootstrap's family of streams, selection fits in their own.
constexpr int kStreamFieldBits = 12;
constexpr std::uint64_t kMaxStreamField = std::uint64_t(1) << kStreamFieldBits;  // 4096
constexpr std::uint64_t kMaxSelectK = std::uint64_t(1) << 16;

// The fit of start `init` on fold `fold` at K components (Stream::select).
inline std::uint64_t select_stream(std::uint64_t K, std::uint64_t init, std::uint64_t fold) {
  return (K << 24) | (init << kStreamFieldBits) | fold;
}

// Retry `attempt` (0: the first try) of the start whose stream is `index`: a
// stream further along the same family.
inline std::uint64_t retry_stream(std::uint64_t index, int attempt) {
  return index + (static_cast<std::uint64_t>(attempt) << 40);
}

// The fresh start of bootstrap task `index` whose warm-started fit failed
// (Stream::bootstrap, where `index` alone draws the task's resample).
inline std::uint64_t restart_stream(std::uint64_t index) { return index + (1ULL << 32); }

// A master seed of its own for sub-search i of a run whose seed is `seed`:
// the selection of category i, or the selection of bootstrap replicate i
// under `reselect` (never both in one run). Every stream of the sub-search
// then differs from the run's.
inline std::uint64_t sub_seed(std::uint64_t seed, std::uint64_t i) {
  return seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
}

constexpr double kTwoPowMinus53 = 1.1102230246251565404e-16;

// Layer edges of the 128-layer ziggurat for the standard normal.
struct ZigguratTables {
  static constexpr double r = 3.442619855899;          // start of the tail
  static constexpr double v = 9.91256303526217e-3;     // area of each layer
  double x[129];
  double ratio[128];
  ZigguratTables() {
    double f = std::exp(-0.5 * r * r);
    x[0] = v / f;
    x[1] = r;
    x[128] = 0.0;
    for (int i = 2; i < 128; ++i) {
      x[i] = std::sqrt(-2.0 * std::log(v / x[i - 1] + f));
      f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < 128; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

inline const ZigguratTables& ziggurat_tables() {
  static const ZigguratTables tables;  // thread-safe initialisation (C++11)
  return tables;
}

class Rng {
 public:
  Rng(std::uint64_t seed, Stream kind, std::uint64_t index) {
    std::uint64_t sm = seed ^ (static_cast<std::uint64_t>(kind) * 0xd1b54a32d192ed03ULL);
    sm = splitmix64(sm) ^ index;
    for (auto& s : s_) s = splitmix64(sm);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * kTwoPowMinus53; }

  // Uniform on (0, 1): safe to take the log of.
  double uniform_open() {
    return (static_cast<double>(next() >> 11) + 0.5) * kTwoPowMinus53;
  }

  // Uniform integer in [0, n), n > 0, without modulo bias: draws above the
  // largest multiple of n are rejected.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t max = ~static_cast<std::uint64_t>(0);
    const std::uint64_t limit = max - max % n;
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }

  // Standard normal by the ziggurat method (Marsaglia and Tsang, in the
  // 128-layer form of Doornik 2005): one 64-bit draw gives both the layer
  // (low 7 bits) and the abscissa (top 53 bits), and about 98.8% of draws
  // are accepted in the first test, with no logarithm.
  double normal() {
    const ZigguratTables& t = ziggurat_tables();
    for (;;) {
      const std::uint64_t bits = next();
      const int i = static_cast<int>(bits & 127U);
      const double u = 2.0 * (static_cast<double>(bits >> 11) * kTwoPowMinus53) - 1.0;
      if (std::abs(u) < t.ratio[i]) return u * t.x[i];
      double x;
      if (ziggurat_edge(t, i, u, x)) return x;
    }
  }

  // Fills out[0..n) with standard normals: the same values as n calls of
  // normal(), with the generator state held in registers on the fast path.
  void fill_normal(double* out, std::size_t n) {
    const ZigguratTables& t = ziggurat_tables();
    std::uint64_t a = s_[0], b = s_[1], c = s_[2], d = s_[3];
    for (std::size_t k = 0; k < n; ++k) {
      for (;;) {
        const std::uint64_t bits = rotl(a + d, 23) + a;
        const std::uint64_t sh = b << 17;
        c ^= a;
        d ^= b;
        b ^= c;
        a ^= d;
        c ^= sh;
        d = rotl(d, 45);
        const int i = static_cast<int>(bits & 127U);
        const double u = 2.0 * (static_cast<double>(bits >> 11) * kTwoPowMinus53) - 1.0;
        if (std::abs(u) < t.ratio[i]) {
          out[k] = u * t.x[i];
          break;
        }
        s_[0] = a, s_[1] = b, s_[2] = c, s_[3] = d;
        double x;
        const bool accepted = ziggurat_edge(t, i, u, x);
        a = s_[0], b = s_[1], c = s_[2], d = s_[3];
        if (accepted) {
          out[k] = x;
          break;
        }
      }
    }
    s_[0] = a, s_[1] = b, s_[2] = c, s_[3] = d;
  }

  // Fisher-Yates shuffle; a raised `abort` ends it early (within 2^16 swaps).
  template <class T>
  void shuffle(std::vector<T>& v, const std::atomic<bool>* abort = nullptr) {
    for (std::size_t i = v.size(); i > 1; --i) {
      if ((i & 0xFFFF) == 0 && abort != nullptr && abort->load(std::memory_order_relaxed)) return;
      const std::size_t j = static_cast<std::size_t>(below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  // The rare part of a ziggurat draw, after the first test failed for layer
  // i and abscissa u: the tail beyond r, or the wedge test. Returns false
  // when the draw is rejected and a new one is needed.
  GMMMI_NOINLINE bool ziggurat_edge(const ZigguratTables& t, int i, double u, double& out) {
    if (i == 0) {
      // The tail beyond r, by Marsaglia's exponential rejection.
      double a, b;
      do {
        a = std::log(uniform_open()) / ZigguratTables::r;
        b = std::log(uniform_open());
      } while (-2.0 * b < a * a);
      out = u < 0 ? a - ZigguratTables::r : ZigguratTables::r - a;
      return true;
    }
    const double x = u * t.x[i];
    const double f0 = std::exp(-0.5 * (t.x[i] * t.x[i] - x * x));
    const double f1 = std::exp(-0.5 * (t.x[i + 1] * t.x[i + 1] - x * x));
    out = x;
    return f1 + uniform() * (f0 - f1) < 1.0;
  }

  static std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4];
};

}  // namespace gmmmi

#endif
