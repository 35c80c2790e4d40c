// SPDX-License-Identifier: MIT
// What every file of actfn_bench shares: the sizes, the input buffers, how a benchmark is named
// and registered, and the list of peers (other libraries, each in bench/peers/<name>.cpp).
//
// A benchmark is named <function>/<pass>/<type>/<size>/<impl>, e.g.
//   sigmoid/forward/f32/4096/actfn     actfn::forward(actfn::sigmoid{}, x, y), 4096 floats
//   sigmoid/backward/f32/4096/onednn   oneDNN's eltwise_backward (logistic), 4096 floats
//   softmax/forward/f32/64x1000/xnnpack XNNPACK's softmax over 64 rows of 1000 floats
//   memcpy/f32/4096                    std::memcpy of 4096 floats (the bytes a forward pass moves)
// so that --benchmark_filter picks by any part ('/actfn$', '/f32/4096/', '^gelu/') and the
// summary (summary.hpp) and scripts/bench_plot.sh can pair each peer with actfn.
//
// Every peer benchmark first compares its output with actfn's on the same input (the first
// check_prefix elements) and refuses to be timed when they differ by more than a rounding
// error: a pairing of different functions shows up as an error, not as a number. The largest
// distance from actfn's result, in ULPs, is reported as the counter ulp_vs_actfn.
#pragma once

#include <benchmark/benchmark.h>

#include <actfn/catalogue.hpp>
#include <actfn/core/half.hpp>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace actfn_bench {

/// Elementwise sizes: 4 Ki elements (in L1/L2), 256 Ki (L2/L3), 16 Mi (DRAM: 64 MiB of floats).
inline constexpr std::size_t sizes[] = {std::size_t{4} << 10, std::size_t{256} << 10,
                                        std::size_t{16} << 20};

/// Row-wise functions (softmax, log_softmax): a batch of `rows` rows of `cols` floats.
struct shape {
  std::size_t rows, cols;
};
inline constexpr shape row_shapes[] = {{64, 1000}, {64, 4096}};

/// The row-wise functions measured, in the order the summary lists them (after the catalogue).
inline constexpr std::string_view rowwise_functions[] = {"softmax", "log_softmax"};

enum class pass { forward, backward };
/// Element types: float, double, and the storage types bfloat16 and float16 (computed in float).
enum class elem { f32, f64, bf16, f16 };

template <class T>
inline constexpr elem elem_of = std::is_same_v<T, float>            ? elem::f32
                                : std::is_same_v<T, double>         ? elem::f64
                                : std::is_same_v<T, actfn::bfloat16> ? elem::bf16
                                                                     : elem::f16;

inline std::string_view name_of(pass p) { return p == pass::forward ? "forward" : "backward"; }
inline std::string_view name_of(elem e) {
  switch (e) {
    case elem::f32: return "f32";
    case elem::f64: return "f64";
    case elem::bf16: return "bf16";
    case elem::f16: return "f16";
  }
  return "?";
}

/// What one benchmark measures.
struct case_id {
  std::string function;  // catalogue name, "softmax", "log_softmax"; "memcpy" for memcpy
  pass direction = pass::forward;
  elem type = elem::f32;
  std::size_t size = 0;  // elements in each buffer
  std::size_t cols = 0;  // row length for row-wise functions, 0 for elementwise ones
  std::string impl;      // "actfn", "memcpy" or the peer's name ("std", "eigen", ...)

  /// The size part of the name: "4096", or "64x1000" (rows x cols) for row-wise functions.
  std::string size_label() const {
    return cols == 0 ? std::to_string(size) : std::to_string(size / cols) + "x" + std::to_string(cols);
  }
  std::string name() const {
    std::string s = function + "/";
    if (impl == "memcpy") return s + std::string(name_of(type)) + "/" + std::to_string(size);
    return s + std::string(name_of(direction)) + "/" + std::string(name_of(type)) + "/" +
           size_label() + "/" + impl;
  }
};

/// Every registered benchmark, by name.
inline std::map<std::string, case_id>& cases() {
  static std::map<std::string, case_id> all;
  return all;
}

/// The position of a function in the summary: its index in actfn::catalogue, then the row-wise
/// functions; anything else last.
inline std::size_t function_order(std::string_view function) {
  std::size_t index = 0, found = std::size_t(-1);
  [&]<class... F>(std::type_identity<std::tuple<F...>>) {
    ((F::name == function ? (found = index, ++index) : ++index), ...);
  }(std::type_identity<actfn::catalogue>{});
  if (found != std::size_t(-1)) return found;
  for (std::string_view r : rowwise_functions) {
    if (r == function) return index;
    ++index;
  }
  return index;
}

// --- input buffers ----------------------------------------------------------------------------

/// The buffers of one (type, size): inputs x and dy (fixed-seed uniform in [-8, 8] and [-1, 1],
/// the same for every implementation) and one output (y or dx).
template <class T>
struct workspace {
  std::vector<T> x, dy, out;
};

template <class T>
workspace<T>& slot() {
  static workspace<T> w;
  return w;
}

/// n values uniform in [lo, hi] from a fixed seed; for a storage type, floats rounded to it.
template <class T>
std::vector<T> uniform(std::size_t n, double lo, double hi, unsigned seed) {
  using C = std::conditional_t<actfn::storage_scalar<T>, float, T>;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<C> dist(static_cast<C>(lo), static_cast<C>(hi));
  std::vector<T> v(n);
  for (T& e : v) e = T(dist(rng));
  return v;
}

template <class T>
void release_all_but() {
  const auto release = [](auto type) {
    using U = typename decltype(type)::type;
    if constexpr (!std::is_same_v<U, T>) slot<U>() = {};
  };
  release(std::type_identity<float>{});
  release(std::type_identity<double>{});
  release(std::type_identity<actfn::bfloat16>{});
  release(std::type_identity<actfn::float16>{});
}

/// The shared buffers for n elements of T. Only one (type, size) is kept: asking for another
/// frees it first. Benchmarks are registered size by size and type by type, so in a normal run
/// each set is made once, and the peak is one set (3 x 128 MiB for 16 Mi doubles).
template <class T>
workspace<T>& acquire(std::size_t n) {
  release_all_but<T>();
  workspace<T>& w = slot<T>();
  if (w.x.size() != n) {
    w = {};
    w.x = uniform<T>(n, -8, 8, 20240601u);
    w.dy = uniform<T>(n, -1, 1, 20240602u);
    w.out.assign(n, T(0.0f));  // touch every page before timing
  }
  return w;
}

// --- checking a peer against actfn --------------------------------------------------------------

/// How many leading elements of a peer's output are compared with actfn's.
inline constexpr std::size_t check_prefix = std::size_t{1} << 16;

/// v as a double (a storage type through float, which holds it exactly).
template <class T>
double as_double(T v) {
  if constexpr (actfn::storage_scalar<T>) {
    return static_cast<float>(v);
  } else {
    return static_cast<double>(v);
  }
}

/// The significant bits and the smallest normal number of T (float, double or a storage type).
template <class T>
inline constexpr int digits_of = [] {
  if constexpr (std::is_same_v<T, actfn::bfloat16>) {
    return 8;
  } else if constexpr (std::is_same_v<T, actfn::float16>) {
    return 11;
  } else {
    return std::numeric_limits<T>::digits;
  }
}();
template <class T>
inline constexpr double min_normal_of = [] {
  if constexpr (std::is_same_v<T, actfn::bfloat16>) {
    return 0x1p-126;
  } else if constexpr (std::is_same_v<T, actfn::float16>) {
    return 0x1p-14;
  } else {
    return double(std::numeric_limits<T>::min());
  }
}();

/// The relative tolerance of the peer check: 1e-4 for float and double, loose enough for the
/// different approximations libraries use (their errors are about 1e-6 relative) and tight
/// enough to catch a different function or parameter; four ULPs of a storage type (2^-6
/// bfloat16, 2^-9 float16), whose own rounding is already 2^-9 / 2^-12 and which a peer may
/// round twice or compute in.
template <class T>
inline constexpr double tolerance_of = actfn::storage_scalar<T> ? std::ldexp(1.0, 3 - digits_of<T>) : 1e-4;

/// The first element (of the first `count`) where got and want differ by more than
/// tolerance_of<T> * max(1, |want|), as a message; empty when they agree.
template <class T>
std::string mismatch(const T* x, const T* got, const T* want, std::size_t count) {
  const double tol = tolerance_of<T>;
  for (std::size_t i = 0; i < count; ++i) {
    const double g = as_double(got[i]), w = as_double(want[i]);
    if (!(std::abs(g - w) <= tol * std::max(1.0, std::abs(w)))) {
      std::ostringstream s;
      s.precision(9);
      s << "output differs from actfn's at element " << i << " (input " << as_double(x[i])
        << "): " << g << " instead of " << w;
      return s.str();
    }
  }
  return {};
}

/// How far got is from want in units in the last place of want in T (at least the smallest
/// normal number's): the peer's distance from actfn, which is itself within a few ULPs of the
/// exact result (README: accuracy; one ULP of a storage type), so this is about the peer's own
/// error.
template <class T>
double ulp_distance(T got, T want) {
  const double g = as_double(got), w = as_double(want);
  if (std::isnan(g) || std::isnan(w)) return std::isnan(g) && std::isnan(w) ? 0 : HUGE_VAL;
  if (g == w) return 0;
  const double a = std::max(std::abs(w), min_normal_of<T>);
  const double ulp = std::ldexp(1.0, std::ilogb(a) - digits_of<T> + 1);
  return std::abs(g - w) / ulp;
}

/// actfn's result on the first `count` elements of the workspace (the peer check's reference).
/// reference(x, dy, out, count) runs actfn on those elements.
template <class T>
using reference_fn = std::function<void(const T*, const T*, T*, std::size_t)>;

// --- registration -------------------------------------------------------------------------------

/// With a reference: runs the benchmark's callable once and compares its output with actfn's
/// (see mismatch): a mismatch becomes the benchmark's error, else the largest distance in ULPs
/// is its counter ulp_vs_actfn (in ULPs of T).
template <class T, class Run>
void check_against(const reference_fn<T>& reference, Run& run, workspace<T>& w, std::size_t checked,
                   benchmark::State& state) {
  if (!reference) return;
  run();
  std::vector<T> want(checked);
  reference(w.x.data(), w.dy.data(), want.data(), checked);
  if (const std::string e = mismatch(w.x.data(), w.out.data(), want.data(), checked); !e.empty()) {
    state.SkipWithError(e.c_str());
    return;
  }
  double worst = 0;
  for (std::size_t i = 0; i < checked; ++i) worst = std::max(worst, ulp_distance(w.out[i], want[i]));
  state.counters["ulp_vs_actfn"] = worst;
}

/// Registers the benchmark id (id.name() must be new). setup(x, dy, out, n) runs once, outside the
/// timed loop, on the shared buffers of n = id.size elements; it returns the callable `run()` that
/// is timed (one pass over the buffers), holding whatever the library needs (primitives,
/// operators, memory descriptors). `arrays` is the number of n-element arrays one pass reads
/// and writes (2 forward, 3 backward): bytes/s counts all of them. With a reference, the output
/// of one run is compared with actfn's first (see mismatch), and a mismatch is reported as the
/// benchmark's error instead of a time.
template <class T, class Setup>
void add(const case_id& id, std::size_t arrays, Setup setup, reference_fn<T> reference = {}) {
  const std::string name = id.name();
  cases().emplace(name, id);
  const std::size_t n = id.size;
  // Row-wise results are compared whole (a row cannot be cut), elementwise ones on a prefix.
  const std::size_t checked = id.cols != 0 ? n : std::min(n, check_prefix);
  benchmark::RegisterBenchmark(name.c_str(), [n, checked, arrays, setup, reference](benchmark::State& state) {
    workspace<T>& w = acquire<T>(n);
    auto run = setup(w.x.data(), w.dy.data(), w.out.data(), n);
    check_against(reference, run, w, checked, state);
    if (state.error_occurred()) {
      for (auto _ : state) {
      }
      return;
    }
    // The callable's address escapes into DoNotOptimize (an asm that may change any memory), so
    // the parameters it holds cannot be folded into the code as constants.
    benchmark::DoNotOptimize(&run);
    for (auto _ : state) {
      run();
      benchmark::DoNotOptimize(w.out.data());
      benchmark::ClobberMemory();
    }
    const auto done = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n);
    state.SetItemsProcessed(done);
    state.SetBytesProcessed(done * static_cast<std::int64_t>(arrays * sizeof(T)));
  });
}

/// A setup for a plain loop kernel(x, dy, out, n): nothing to prepare.
template <class Kernel>
auto plain(Kernel kernel) {
  return [kernel](const auto* x, const auto* dy, auto* out, std::size_t n) {
    return [kernel, x, dy, out, n] { kernel(x, dy, out, n); };
  };
}

// --- actfn's own results, the reference every peer is checked against ----------------------------

/// actfn's forward / backward of the catalogue function named `function`, with default
/// parameters, on float, double, bfloat16 or float16: reference_fn for the peer check.
template <class T>
reference_fn<T> actfn_reference(std::string_view function, pass direction);

/// actfn's softmax / log_softmax over rows of cols: forward from x; backward at x, i.e. from
/// y = rowwise_output(function, x) and dy.
template <class T>
reference_fn<T> actfn_rowwise_reference(std::string_view function, pass direction, std::size_t cols);

/// The output y of the row-wise function (softmax or log_softmax, computed by actfn) for the n
/// inputs x in rows of cols: the y every backward pass of that function starts from. Made in
/// each backward benchmark's setup, untimed.
template <class T>
std::vector<T> rowwise_output(std::string_view function, const T* x, std::size_t n, std::size_t cols);

// --- peers ------------------------------------------------------------------------------------

/// Another implementation actfn is compared with. Each lives in bench/peers/<name>.cpp and
/// registers itself (a static peer_registration); main() then asks every peer, size by size,
/// to register its benchmarks. A peer registers only what it can compute with actfn's
/// semantics and default parameters.
struct peer {
  std::string_view name;
  /// Registers the peer's elementwise benchmarks for type t at n elements (may do nothing).
  void (*elementwise)(elem t, std::size_t n);
  /// Registers the peer's row-wise benchmarks (softmax...) for float rows (may do nothing).
  void (*rowwise)(shape s);
};

inline std::vector<peer>& peers() {
  static std::vector<peer> all;
  return all;
}

struct peer_registration {
  explicit peer_registration(peer p) { peers().push_back(p); }
};

/// Registers one elementwise peer benchmark of catalogue function F: checked against actfn.
template <class F, class T, class Setup>
void add_peer(std::string_view impl, pass direction, std::size_t n, Setup setup) {
  case_id id{std::string(F::name), direction, elem_of<T>, n, 0, std::string(impl)};
  add<T>(id, direction == pass::forward ? 2 : 3, setup, actfn_reference<T>(F::name, direction));
}

/// Registers one row-wise peer benchmark (function "softmax" or "log_softmax"), float.
template <class Setup>
void add_rowwise_peer(std::string_view function, std::string_view impl, pass direction, shape s,
                      Setup setup) {
  case_id id{std::string(function), direction, elem::f32, s.rows * s.cols, s.cols, std::string(impl)};
  add<float>(id, direction == pass::forward ? 2 : 3, setup,
             actfn_rowwise_reference<float>(function, direction, s.cols));
}

}  // namespace actfn_bench
