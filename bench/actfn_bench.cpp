// SPDX-License-Identifier: MIT
// actfn's benchmarks (Google Benchmark). Run them with scripts/bench.sh.
//
// What is measured, for every function in actfn::catalogue (default parameters), in float (f32)
// and double (f64), at three sizes: 4096 elements (the buffers sit in L1/L2), 256 Ki (L2/L3) and
// 16 Mi (DRAM: 64 MiB per float buffer, 128 MiB per double buffer):
//   <fn>/forward/<type>/<n>         actfn::forward(f, x, y)            reads x, writes y
//   <fn>/forward/<type>/<n>/naive   y[i] = <textbook formula>(x[i])    the same with <cmath>
//   <fn>/backward/<type>/<n>        actfn::backward(f, x, dy, dx)      reads x, dy, writes dx
//   <fn>/backward/<type>/<n>/naive  dx[i] = dy[i] * <textbook derivative>(x[i])
//   memcpy/<type>/<n>               std::memcpy of the n elements: the bytes a forward pass moves
// The naive formulas are in naive.hpp (the loop a user would write without actfn: std::exp,
// std::erf, std::tanh...). Inputs are fixed-seed uniform x in [-8, 8], dy in [-1, 1], the same
// for actfn and naive. Each benchmark reports items/s (elements per second) and bytes/s (every
// byte read plus every byte written: 2n * sizeof(T) forward, 3n * sizeof(T) backward), from
// CPU time.
//
// How to read the summary table printed at the end:
//   actfn/naive  actfn's elements/s over the naive loop's: 4 means actfn is 4 times faster.
//                Where the naive loop is already vectorised by the compiler (relu, the clamps),
//                expect about 1; the transcendental functions are where actfn gains.
//   actfn/memcpy actfn's bytes/s over memcpy's bytes/s at the same type and size: how close
//                the pass comes to just moving its data. Near 1 at 16 Mi means the pass is
//                memory-bound there and faster arithmetic cannot help; well below 1 means the
//                arithmetic is the limit.
//   geomean      per size, the geometric mean of actfn/naive over all rows that ran.
// Numbers from a shared or noisy machine vary by 10-20 % from run to run; compare ratios taken
// in the same run, and raise --benchmark_min_time (or use --benchmark_repetitions, whose
// median the summary then uses) for steadier numbers.
#include <benchmark/benchmark.h>

#include <actfn/catalogue.hpp>
#include <actfn/core/span.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "naive.hpp"
#include "summary.hpp"

namespace actfn_bench {
namespace {

constexpr std::size_t sizes[] = {std::size_t{4} << 10, std::size_t{256} << 10, std::size_t{16} << 20};

/// The buffers of one (type, size): x, dy, and an output (y or dx).
template <class T>
struct workspace {
  std::vector<T> x, dy, out;
};

template <class T>
workspace<T>& slot() {
  static workspace<T> w;
  return w;
}

template <class T>
std::vector<T> uniform(std::size_t n, T lo, T hi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<T> dist(lo, hi);
  std::vector<T> v(n);
  for (T& e : v) e = dist(rng);
  return v;
}

/// The shared buffers for n elements of T. Only one (type, size) is kept: asking for another
/// frees it first. Benchmarks are registered size by size and type by type, so in a normal run
/// each set is made once, and the peak is one set (3 x 128 MiB for 16 Mi doubles).
template <class T>
workspace<T>& acquire(std::size_t n) {
  using other = std::conditional_t<std::is_same_v<T, float>, double, float>;
  slot<other>() = {};
  workspace<T>& w = slot<T>();
  if (w.x.size() != n) {
    w = {};
    w.x = uniform<T>(n, T(-8), T(8), 20240601u);
    w.dy = uniform<T>(n, T(-1), T(1), 20240602u);
    w.out.assign(n, T(0));  // touch every page before timing
  }
  return w;
}

template <class T>
constexpr const char* type_name = std::is_same_v<T, float> ? "f32" : "f64";

/// Registers name, which runs kernel(x, dy, out, n) on the shared buffers, moving `arrays`
/// arrays of n elements per call. The kernel (with the functor it holds) goes through
/// DoNotOptimize so that parameters are not folded into the code as constants; each kernel
/// works on a local copy of the functor (const F g = f), as a user's function would, so the
/// compiler knows the output stores cannot change the parameters.
template <class T, class Kernel>
void add(std::map<std::string, case_id>& cases, const std::string& name, const case_id& id,
         std::size_t arrays, Kernel kernel) {
  cases.emplace(name, id);
  const std::size_t n = id.size;
  benchmark::RegisterBenchmark(name.c_str(), [n, arrays, kernel](benchmark::State& state) {
    workspace<T>& w = acquire<T>(n);
    Kernel k = kernel;
    benchmark::DoNotOptimize(k);
    for (auto _ : state) {
      k(w.x.data(), w.dy.data(), w.out.data(), n);
      benchmark::DoNotOptimize(w.out.data());
      benchmark::ClobberMemory();
    }
    const auto done = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n);
    state.SetItemsProcessed(done);
    state.SetBytesProcessed(done * static_cast<std::int64_t>(arrays * sizeof(T)));
  });
}

/// The four benchmarks of one function at one type and size.
template <class F, class T>
void add_function(std::map<std::string, case_id>& cases, std::size_t index, std::size_t n) {
  static_assert(has_naive<F>, "bench/naive.hpp has no naive<F> entry for this catalogue function");
  F f{};  // not const: the kernels hold a copy that DoNotOptimize may "modify"
  const std::string base = std::string(F::name) + "/";
  const std::string tail = std::string("/") + type_name<T> + "/" + std::to_string(n);
  auto id = [&](pass p, impl k) { return case_id{index, std::string(F::name), p, std::is_same_v<T, double>, n, k}; };

  add<T>(cases, base + "forward" + tail, id(pass::forward, impl::actfn), 2,
         [f](const T* x, const T*, T* y, std::size_t m) {
           const F g = f;
           actfn::forward(g, std::span<const T>(x, m), std::span<T>(y, m));
         });
  add<T>(cases, base + "forward" + tail + "/naive", id(pass::forward, impl::naive), 2,
         [f](const T* x, const T*, T* y, std::size_t m) {
           const F g = f;
           for (std::size_t i = 0; i < m; ++i) y[i] = naive<F>::f(g, x[i]);
         });
  add<T>(cases, base + "backward" + tail, id(pass::backward, impl::actfn), 3,
         [f](const T* x, const T* dy, T* dx, std::size_t m) {
           const F g = f;
           actfn::backward(g, std::span<const T>(x, m), std::span<const T>(dy, m), std::span<T>(dx, m));
         });
  add<T>(cases, base + "backward" + tail + "/naive", id(pass::backward, impl::naive), 3,
         [f](const T* x, const T* dy, T* dx, std::size_t m) {
           const F g = f;
           for (std::size_t i = 0; i < m; ++i) dx[i] = dy[i] * naive<F>::df(g, x[i]);
         });
}

/// memcpy and every catalogue function at one type and size: the one loop over the catalogue.
template <class T>
void add_all(std::map<std::string, case_id>& cases, std::size_t n) {
  add<T>(cases, std::string("memcpy/") + type_name<T> + "/" + std::to_string(n),
         case_id{0, "", pass::forward, std::is_same_v<T, double>, n, impl::memcpy}, 2,
         [](const T* x, const T*, T* y, std::size_t m) { std::memcpy(y, x, m * sizeof(T)); });
  [&]<class... F>(std::type_identity<std::tuple<F...>>) {
    std::size_t index = 0;
    (add_function<F, T>(cases, index++, n), ...);
  }(std::type_identity<actfn::catalogue>{});
}

}  // namespace
}  // namespace actfn_bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::map<std::string, actfn_bench::case_id> cases;
  for (std::size_t n : actfn_bench::sizes) {
    actfn_bench::add_all<float>(cases, n);
    actfn_bench::add_all<double>(cases, n);
  }

  actfn_bench::summary_reporter reporter(benchmark::CreateDefaultDisplayReporter(),
                                         std::move(cases));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print(reporter.summary_stream());
  benchmark::Shutdown();
  return 0;
}
