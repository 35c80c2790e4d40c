// SPDX-License-Identifier: MIT
// actfn's benchmarks (Google Benchmark), side by side with other libraries. Run them with
// scripts/bench.sh; docs/benchmarks.md says what they measure, and scripts/bench_doc.sh writes a
// run's results into it.
//
// What is measured, single-threaded, out of place, for every function in actfn::catalogue
// (default parameters), at three sizes: 4096 elements (the buffers sit in L1/L2), 256 Ki
// (L2/L3) and 16 Mi (DRAM: 64 MiB per float buffer):
//   <fn>/forward/f32/<n>/actfn     actfn::forward(f, x, y)          reads x, writes y
//   <fn>/backward/f32/<n>/actfn    actfn::backward(f, x, dy, dx)    reads x and dy, writes dx
//   <fn>/<pass>/f32/<n>/actfn_fast the same with actfn::fast(f), the fast tier (float only)
//   <fn>/<pass>/f32/<n>/<peer>     the same computed by a peer (bench/peers/<peer>.cpp):
//       std      a plain loop over <cmath> formulas (naive.hpp), the loop a user would write
//       eigen    Eigen 3.4 array expressions
//       onednn   oneDNN 2.6 eltwise_forward / eltwise_backward primitives
//       xnnpack  XNNPACK's f32 operators (forward only)
//   memcpy/f32/<n>                 std::memcpy of the n elements: the bytes a forward pass moves
// and the same in double (f64) for actfn and std only, and in the storage types bfloat16 (bf16)
// and float16 (f16) for actfn only (computed in float, each result rounded once to the type),
// with memcpy/bf16/<n> and memcpy/f16/<n> the same bytes copied. Row-wise: softmax and log_softmax,
// forward and backward, over 64 rows of 1000 and of 4096 floats ("64x1000"), actfn vs std,
// oneDNN (softmax_v2) and XNNPACK (softmax forward).
// A peer is built only when CMake found it (bench/CMakeLists.txt), and registers only the
// functions it computes with actfn's semantics and parameters; before timing, each peer's
// output is compared with actfn's on the same input (bench.hpp).
// Inputs are fixed-seed uniform x in [-8, 8], dy in [-1, 1], the same for every implementation.
// Each benchmark reports items/s (elements per second) and bytes/s (every byte read plus every
// byte written: 2n * sizeof(T) forward, 3n * sizeof(T) backward), from CPU time.
//
// The summary printed at the end (summary.hpp) has, per function, pass and size, actfn's
// throughput, every peer's, the best peer, actfn/best peer and actfn/memcpy, then the geometric
// means, the rows where actfn loses, and the project's speed targets. Numbers from a shared or
// noisy machine vary by 10-20 % from run to run; compare ratios taken in the same run, and
// raise --benchmark_min_time (or use --benchmark_repetitions, whose median the summary then
// uses) for steadier numbers.
#include <benchmark/benchmark.h>

#include <actfn/catalogue.hpp>
#include <actfn/core/fast.hpp>
#include <actfn/core/span.hpp>
#include <actfn/rowwise/softmax.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "bench.hpp"
#include "summary.hpp"

namespace actfn_bench {

// --- actfn as the reference of the peer checks ---------------------------------------------------

template <class F, class T>
reference_fn<T> functor_reference(pass direction) {
  if (direction == pass::forward)
    return [](const T* x, const T*, T* y, std::size_t n) {
      actfn::forward(F{}, std::span<const T>(x, n), std::span<T>(y, n));
    };
  return [](const T* x, const T* dy, T* dx, std::size_t n) {
    actfn::backward(F{}, std::span<const T>(x, n), std::span<const T>(dy, n), std::span<T>(dx, n));
  };
}

template <class T>
reference_fn<T> actfn_reference(std::string_view function, pass direction) {
  reference_fn<T> r;
  [&]<class... F>(std::type_identity<std::tuple<F...>>) {
    ((F::name == function ? void(r = functor_reference<F, T>(direction)) : void()), ...);
  }(std::type_identity<actfn::catalogue>{});
  if (!r) throw std::logic_error("actfn_bench: no catalogue function named " + std::string(function));
  return r;
}
template reference_fn<float> actfn_reference<float>(std::string_view, pass);
template reference_fn<double> actfn_reference<double>(std::string_view, pass);
template reference_fn<actfn::bfloat16> actfn_reference<actfn::bfloat16>(std::string_view, pass);
template reference_fn<actfn::float16> actfn_reference<actfn::float16>(std::string_view, pass);

template <class T>
std::vector<T> rowwise_output(std::string_view function, const T* x, std::size_t n, std::size_t cols) {
  std::vector<T> y(n);
  const std::span<const T> in(x, n);
  if (function == "softmax")
    actfn::softmax(in, y, cols);
  else if (function == "log_softmax")
    actfn::log_softmax(in, y, cols);
  else
    throw std::logic_error("actfn_bench: no row-wise function named " + std::string(function));
  return y;
}
template std::vector<float> rowwise_output<float>(std::string_view, const float*, std::size_t, std::size_t);
template std::vector<double> rowwise_output<double>(std::string_view, const double*, std::size_t, std::size_t);

template <class T>
reference_fn<T> actfn_rowwise_reference(std::string_view function, pass direction, std::size_t cols) {
  const bool log = function == "log_softmax";
  if (direction == pass::forward)
    return [log, cols](const T* x, const T*, T* y, std::size_t n) {
      const std::span<const T> in(x, n);
      const std::span<T> out(y, n);
      log ? actfn::log_softmax(in, out, cols) : actfn::softmax(in, out, cols);
    };
  return [log, cols, f = std::string(function)](const T* x, const T* dy, T* dx, std::size_t n) {
    const std::vector<T> y = rowwise_output(f, x, n, cols);
    const std::span<const T> g(dy, n);
    const std::span<T> out(dx, n);
    log ? actfn::log_softmax_backward(y, g, out, cols) : actfn::softmax_backward(y, g, out, cols);
  };
}
template reference_fn<float> actfn_rowwise_reference<float>(std::string_view, pass, std::size_t);

namespace {

// --- actfn's benchmarks --------------------------------------------------------------------------

/// actfn's forward and backward of the functor f (F{} or actfn::fast(F{})) at one type and
/// size, as implementation impl; with check, its results are compared with actfn's precise ones
/// first (ulp_vs_actfn). Each kernel works on a local copy of the functor (const G g = f), as a
/// user's function would, so the compiler knows the output stores cannot change the parameters.
template <class T, class G>
void add_functor(G f, std::string_view impl, std::size_t n, bool check) {
  // f is taken by value (not const): a lambda copy of a const would be a const member, foldable
  // as a constant.
  const std::string_view name = G::name;
  const case_id forward{std::string(name), pass::forward, elem_of<T>, n, 0, std::string(impl)};
  case_id backward = forward;
  backward.direction = pass::backward;
  add<T>(forward, 2, plain([f](const T* x, const T*, T* y, std::size_t m) {
           const G g = f;
           actfn::forward(g, std::span<const T>(x, m), std::span<T>(y, m));
         }), check ? actfn_reference<T>(name, pass::forward) : reference_fn<T>{});
  add<T>(backward, 3, plain([f](const T* x, const T* dy, T* dx, std::size_t m) {
           const G g = f;
           actfn::backward(g, std::span<const T>(x, m), std::span<const T>(dy, m), std::span<T>(dx, m));
         }), check ? actfn_reference<T>(name, pass::backward) : reference_fn<T>{});
}

/// actfn's precise tier of F, as impl "actfn".
template <class F, class T>
void add_actfn(std::size_t n) {
  add_functor<T>(F{}, "actfn", n, false);
}

/// actfn::fast(F{}), as impl "actfn_fast" (float and the storage types: the double fast tier is
/// the precise kernels), with its distance from actfn's precise results as ulp_vs_actfn.
template <class F, class T>
void add_actfn_fast(std::size_t n) {
  add_functor<T>(actfn::fast(F{}), "actfn_fast", n, true);
}

/// memcpy of n elements of T (once per type and size, whoever asks first).
template <class T>
void add_memcpy(std::size_t n) {
  const case_id id{"memcpy", pass::forward, elem_of<T>, n, 0, "memcpy"};
  if (cases().contains(id.name())) return;
  add<T>(id, 2, plain([](const T* x, const T*, T* y, std::size_t m) { std::memcpy(y, x, m * sizeof(T)); }));
}

/// actfn's softmax and log_softmax, forward and backward, over float rows of shape s, and the
/// fast tier's forward passes. The backward passes start from y = the function's output (made
/// in the setup, untimed).
void add_actfn_rowwise(shape s) {
  const std::size_t cols = s.cols;
  for (std::string_view function : rowwise_functions) {
    const bool log = function == "log_softmax";
    const std::string name(function);
    const case_id forward{name, pass::forward, elem::f32, s.rows * s.cols, cols, "actfn"};
    case_id backward = forward;
    backward.direction = pass::backward;
    add<float>(forward, 2, plain([log, cols](const float* x, const float*, float* y, std::size_t n) {
                 const std::span<const float> in(x, n);
                 const std::span<float> out(y, n);
                 log ? actfn::log_softmax(in, out, cols) : actfn::softmax(in, out, cols);
               }));
    // The fast tier's forward passes (its backward passes are the precise code), checked
    // against the precise results (ulp_vs_actfn).
    case_id fast = forward;
    fast.impl = "actfn_fast";
    add<float>(fast, 2, plain([log, cols](const float* x, const float*, float* y, std::size_t n) {
                 const std::span<const float> in(x, n);
                 const std::span<float> out(y, n);
                 log ? actfn::log_softmax(actfn::fast_tier, in, out, cols)
                     : actfn::softmax(actfn::fast_tier, in, out, cols);
               }), actfn_rowwise_reference<float>(function, pass::forward, cols));
    add<float>(backward, 3, [log, cols, name](const float* x, const float* dy, float* dx, std::size_t n) {
      return [log, cols, y = rowwise_output(name, x, n, cols), dy, dx, n] {
        const std::span<const float> g(dy, n);
        const std::span<float> out(dx, n);
        log ? actfn::log_softmax_backward(y, g, out, cols) : actfn::softmax_backward(y, g, out, cols);
      };
    });
  }
}

/// memcpy and actfn's rows of every catalogue function for storage type S at n elements, both
/// tiers.
template <class S>
void add_storage(std::size_t n) {
  add_memcpy<S>(n);
  [&]<class... F>(std::type_identity<std::tuple<F...>>) {
    ((add_actfn<F, S>(n), add_actfn_fast<F, S>(n)), ...);
  }(std::type_identity<actfn::catalogue>{});
}

/// Everything, in the order it runs: size by size, float, double, bfloat16 and float16 (so each
/// set of buffers is made once), then the row-wise shapes. Peers run in the order of their names.
void register_all() {
  std::vector<peer> all = peers();
  std::sort(all.begin(), all.end(), [](const peer& a, const peer& b) { return a.name < b.name; });
  for (std::size_t n : sizes) {
    add_memcpy<float>(n);
    [&]<class... F>(std::type_identity<std::tuple<F...>>) {
      ((add_actfn<F, float>(n), add_actfn_fast<F, float>(n)), ...);
    }(std::type_identity<actfn::catalogue>{});
    for (const peer& p : all) p.elementwise(elem::f32, n);
    add_memcpy<double>(n);
    [&]<class... F>(std::type_identity<std::tuple<F...>>) {
      (add_actfn<F, double>(n), ...);
    }(std::type_identity<actfn::catalogue>{});
    for (const peer& p : all) p.elementwise(elem::f64, n);
    add_storage<actfn::bfloat16>(n);
    for (const peer& p : all) p.elementwise(elem::bf16, n);
    add_storage<actfn::float16>(n);
    for (const peer& p : all) p.elementwise(elem::f16, n);
  }
  for (shape s : row_shapes) {
    add_memcpy<float>(s.rows * s.cols);
    add_actfn_rowwise(s);
    for (const peer& p : all) p.rowwise(s);
  }
}

/// The CPU's model name from /proc/cpuinfo ("unknown" elsewhere), for the results' context.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("model name"))
      if (const auto colon = line.find(": "); colon != std::string::npos) return line.substr(colon + 2);
  return "unknown";
}

/// The peers built in, by name ("std eigen onednn xnnpack").
std::string peer_names() {
  std::vector<std::string_view> names;
  for (const peer& p : peers()) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  std::string all;
  for (std::string_view n : names) {
    if (!all.empty()) all += ' ';
    all += n;
  }
  return all;
}

/// Whether the command line sets the context key itself (--benchmark_context=key=value,...), as
/// scripts/bench.sh does for cpu_model: adding it again would only print a warning.
bool context_given(int argc, char** argv, std::string_view key) {
  constexpr std::string_view flag = "--benchmark_context=";
  const std::string pair = std::string(key) + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!arg.starts_with(flag)) continue;
    const std::string_view list = arg.substr(flag.size());
    for (std::size_t at = 0; at <= list.size();) {
      const std::size_t comma = std::min(list.find(',', at), list.size());
      if (list.substr(at, comma - at).starts_with(pair)) return true;
      at = comma + 1;
    }
  }
  return false;
}

}  // namespace
}  // namespace actfn_bench

int main(int argc, char** argv) {
  // The results' context (the JSON's "context", the console's header): what the numbers were
  // measured on. scripts/bench.sh adds the build's -march, the git commit and its own command.
  const bool cpu_given = actfn_bench::context_given(argc, argv, "cpu_model");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  if (!cpu_given) benchmark::AddCustomContext("cpu_model", actfn_bench::cpu_model());
  // The instruction set actfn's span functions were compiled for (xsimd's default
  // architecture: avx512bw, fma3<avx2>, sse4_2...).
  benchmark::AddCustomContext("simd", xsimd::default_arch::name());
  benchmark::AddCustomContext("peers", actfn_bench::peer_names());
  // The command that ran this binary, when a script passes it down: --benchmark_context cannot
  // carry it (its parser splits values at ',' and '=').
  if (const char* command = std::getenv("ACTFN_BENCH_COMMAND"); command != nullptr && *command != 0)
    benchmark::AddCustomContext("command", command);
  actfn_bench::register_all();
  actfn_bench::summary_reporter reporter(benchmark::CreateDefaultDisplayReporter(),
                                         actfn_bench::cases());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print(reporter.summary_stream());
  benchmark::Shutdown();
  return 0;
}
