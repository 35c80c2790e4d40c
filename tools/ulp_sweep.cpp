// actfn_ulp: the accuracy of every elementwise function of actfn::catalogue, forward value,
// derivative and backward (dx = dy f'(x)), in ULPs against the higher-precision references of
// tests/support/reference.hpp, with the one error measure of tests/support/ulp.hpp
// (docs/accuracy.md), for the default parameters and the parameter grid of each function.
//
//   actfn_ulp_<isa> [--function NAME]... [--type f32|f64]... [--forward] [--derivative]
//                   [--backward] [--parameters defaults|grid] [--exhaustive | --stride N]
//                   [--threads N] [--tier precise|fast] [--quiet] [--list]
//
// --tier fast   measure actfn::fast(f) (core/fast.hpp) against the fast contract instead:
//               errors in ULPs of max(|ref|, 1/2) (for double results too), without the
//               derivative windows, so that the bounds 4 (forward) and 16 (derivative) are
//               |err| <= max(4 ulp, 2^-22) and max(16 ulp, 2^-20) (2^-51, 2^-49 in double);
//               each function is held to its fast bound (fast_t<F>::bound) and the contract.
// --exhaustive  every one of the 2^32 float bit patterns (float only)
// --stride N    sampled: the bit patterns 0x...977 + k N over all of them, as many again over
//               the patterns of 2^-8 <= |x| < 2^10 (where the functions bend), plus every edge
//               input (zeros, denormals, extremes, infinities, NaNs, kinks, windows, a grid of
//               quarter integers in [-200, 200], each with its neighbours). Default: 2^18
//               samples per pass for float, 2^16 for double.
// --backward   dx = dy f'(x) with dy of both signs and magnitudes 2^-24 .. 2^25 (a fixed
//              pseudo-random sequence), against the exact product.
// --parameters grid (the default for sampled sweeps): the defaults and every parameter set of
//              reference<F>::parameter_grid(), one row each; defaults (the default with
//              --exhaustive): the default parameters only.
// Results are computed by the functors on batches of the build's instruction set (on_batches,
// chunk by chunk; the span algorithms give the same bits, which tests/test_properties.cpp and
// tests/test_fast.cpp check), references per element, the work split over threads. Progress goes to
// stderr; the result is a Markdown table on stdout, one row per function and type.
// Beside the ULP figures, a semantics column checks NaN, +-inf and +-0 (and the derivative at
// kinks) against the documented values that tests/support/reference.hpp lists for each
// function (special_points), data written there, not computed by the functors.
// Exit status: 0 when every function meets its documented bound (F::bound) and its semantics,
// 1 otherwise, 2 for bad options.
#include <actfn/catalogue.hpp>
#include <actfn/core/fast.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// --- options --------------------------------------------------------------------------------

struct options {
  std::vector<std::string> functions;  // empty: all
  bool f32 = false, f64 = false;
  bool forward = false, derivative = false, backward = false;
  bool grid = true, grid_given = false;
  bool exhaustive = false;
  std::uint64_t stride = 0;  // 0: default
  unsigned threads = 0;
  bool quiet = false;
  bool fast = false;  // --tier fast
};

std::vector<std::string_view> catalogue_names() {
  std::vector<std::string_view> names;
  std::apply([&](auto... f) { (names.push_back(decltype(f)::name), ...); }, actfn::catalogue{});
  return names;
}

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "actfn_ulp: %s\n(run with --help for the options)\n", message.c_str());
  std::exit(2);
}

void print_help() {
  std::printf(
      "usage: actfn_ulp [--function NAME]... [--type f32|f64]... [--forward] [--derivative]\n"
      "                 [--backward] [--parameters defaults|grid] [--exhaustive | --stride N]\n"
      "                 [--threads N] [--tier precise|fast] [--quiet] [--list]\n"
      "  --function NAME  a function of the catalogue (repeatable; default: all; --list names them)\n"
      "  --type f32|f64   element type (repeatable; default: f32)\n"
      "  --forward, --derivative, --backward  what to measure (default: all three; backward is\n"
      "                   dx = dy f'(x) for dy of both signs and magnitudes 2^-24 .. 2^25)\n"
      "  --parameters defaults|grid  the default parameters only, or also each function's\n"
      "                   parameter grid (default: grid, but defaults with --exhaustive)\n"
      "  --exhaustive     all 2^32 float bit patterns (f32 only)\n"
      "  --stride N       sampled sweep with this step between bit patterns (N or 2^k; default:\n"
      "                   2^18 samples for f32, 2^16 for f64), plus the edge inputs\n"
      "  --threads N      worker threads (default: all cores)\n"
      "  --tier precise|fast  the plain functors (default) or actfn::fast(f), measured in ULPs of\n"
      "                   max(|f|, 1/2) against the fast bounds and the contract (4 / 16 ULP)\n"
      "  --quiet          no progress on stderr\n"
      "Exit status: 0 if every function is within its documented bound and semantics, 1 if not,\n"
      "2 for bad options.\n");
}

std::uint64_t parse_count(std::string_view opt, std::string_view s) {
  std::uint64_t v = 0;
  const char* end = s.data() + s.size();
  if (s.starts_with("2^")) {
    unsigned k = 0;
    auto [p, ec] = std::from_chars(s.data() + 2, end, k);
    if (ec != std::errc{} || p != end || k > 63) usage_error(std::string(opt) + ": bad value '" + std::string(s) + "'");
    v = std::uint64_t{1} << k;
  } else {
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || p != end) usage_error(std::string(opt) + ": bad value '" + std::string(s) + "'");
  }
  if (v == 0) usage_error(std::string(opt) + " must be at least 1");
  return v;
}

options parse(int argc, char** argv) {
  options o;
  const auto names = catalogue_names();
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage_error(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      print_help();
      std::exit(0);
    } else if (a == "--list") {
      for (auto n : names) std::printf("%.*s\n", static_cast<int>(n.size()), n.data());
      std::exit(0);
    } else if (a == "--function") {
      const std::string_view n = value();
      if (std::find(names.begin(), names.end(), n) == names.end()) {
        std::string known;
        for (auto k : names) known += (known.empty() ? "" : ", ") + std::string(k);
        usage_error("unknown function '" + std::string(n) + "' (known: " + known + ")");
      }
      o.functions.emplace_back(n);
    } else if (a == "--type") {
      const std::string_view t = value();
      if (t == "f32") o.f32 = true;
      else if (t == "f64") o.f64 = true;
      else usage_error("--type must be f32 or f64 (got '" + std::string(t) + "')");
    } else if (a == "--forward") {
      o.forward = true;
    } else if (a == "--derivative") {
      o.derivative = true;
    } else if (a == "--backward") {
      o.backward = true;
    } else if (a == "--parameters") {
      const std::string_view v = value();
      if (v == "grid") o.grid = true;
      else if (v == "defaults") o.grid = false;
      else usage_error("--parameters must be defaults or grid (got '" + std::string(v) + "')");
      o.grid_given = true;
    } else if (a == "--exhaustive") {
      o.exhaustive = true;
    } else if (a == "--stride") {
      o.stride = parse_count(a, value());
    } else if (a == "--threads") {
      const auto n = parse_count(a, value());
      if (n > 1024) usage_error("--threads must be at most 1024");
      o.threads = static_cast<unsigned>(n);
    } else if (a == "--tier") {
      const std::string_view v = value();
      if (v == "fast") o.fast = true;
      else if (v == "precise") o.fast = false;
      else usage_error("--tier must be precise or fast (got '" + std::string(v) + "')");
    } else if (a == "--quiet") {
      o.quiet = true;
    } else {
      usage_error("unknown option '" + std::string(a) + "'");
    }
  }
  if (!o.f32 && !o.f64) o.f32 = true;
  if (!o.forward && !o.derivative && !o.backward) o.forward = o.derivative = o.backward = true;
  if (o.exhaustive && !o.grid_given) o.grid = false;
  if (o.exhaustive && o.stride) usage_error("--exhaustive and --stride exclude each other");
  if (o.exhaustive && o.f64) usage_error("--exhaustive covers the 2^32 float patterns only (use --stride for f64)");
  // A stride over 2^64 double patterns that is fine for 2^32 floats would ask for billions of
  // samples (held in memory): say so instead of running out of it.
  constexpr std::uint64_t max_samples = std::uint64_t{1} << 27;
  if (o.stride && o.f32 && (std::uint64_t{1} << 32) / o.stride > max_samples)
    usage_error("--stride " + std::to_string(o.stride) + " gives " +
                std::to_string((std::uint64_t{1} << 32) / o.stride) +
                " f32 samples, more than 2^27 (use --exhaustive, or --stride 32 or more)");
  if (o.stride && o.f64 && ~std::uint64_t{0} / o.stride > max_samples)
    usage_error("--stride " + std::to_string(o.stride) + " gives " +
                std::to_string(~std::uint64_t{0} / o.stride) +
                " f64 samples, more than 2^27 (use --stride 2^37 or more with --type f64)");
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  return o;
}

// --- statistics -----------------------------------------------------------------------------

/// Errors of one quantity (forward or derivative) over a sweep.
struct stats {
  double max = -1;
  double max_x = 0;
  std::uint64_t max_order = 0;  // position in the sweep: ties go to the first, for determinism
  double sum = 0;
  std::uint64_t n = 0;
  std::array<std::uint64_t, 4> above{};  // > 0.5, 1, 2, 4 ULP
  static constexpr std::array<double, 4> levels{0.5, 1, 2, 4};

  void add(double e, double x, std::uint64_t order) {
    if (e > max || (e == max && order < max_order) || std::isnan(e)) {
      max = e;
      max_x = x;
      max_order = order;
    }
    sum += e;
    ++n;
    for (std::size_t k = 0; k < levels.size(); ++k) above[k] += e > levels[k];
  }
  void merge(const stats& o) {
    if (o.n == 0) return;
    if (o.max > max || (o.max == max && o.max_order < max_order)) {
      max = o.max;
      max_x = o.max_x;
      max_order = o.max_order;
    }
    sum += o.sum;
    n += o.n;
    for (std::size_t k = 0; k < levels.size(); ++k) above[k] += o.above[k];
  }
  double mean() const { return n ? sum / static_cast<double>(n) : 0; }
};

struct result {
  std::string name;
  const char* type;
  stats fwd, der, bwd;
  double bound_fwd, bound_der, bound_bwd;
  std::uint64_t windowed = 0;                // derivative inputs measured inside a window
  std::uint64_t nan_inputs = 0, nan_bad = 0;  // NaN inputs, and those not giving NaN
  std::uint64_t nan_bad_bits = 0;
  std::vector<std::string> semantic_failures;
  std::size_t semantic_points = 0;
  bool fwd_ok() const { return fwd.n == 0 || fwd.max <= bound_fwd; }
  bool der_ok() const { return der.n == 0 || der.max <= bound_der; }
  bool bwd_ok() const { return bwd.n == 0 || bwd.max <= bound_bwd; }
  bool ok() const { return fwd_ok() && der_ok() && bwd_ok() && nan_bad == 0 && semantic_failures.empty(); }
};

// --- inputs ---------------------------------------------------------------------------------

template <class T>
using bits_of = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

/// The edge inputs of the sampled sweep (see the file comment).
template <class T>
std::vector<T> edge_inputs(const actfn_test::points& semantics) {
  std::vector<T> base = actfn_test::edge_inputs<T>();
  for (const auto& p : semantics) base.push_back(static_cast<T>(p.x));
  for (int k = -800; k <= 800; ++k) base.push_back(static_cast<T>(k / 4.0));
  for (double w : {-1.9375, -0.8125, -1.0625, -0.5, -1.875, -0.75, -1.27846454276107, -0.751791524693564,
                   -0.752461422071016, -1.19243121451550, -87.33654, -103.27893, -708.39642, -745.13322,
                   88.72284, 709.78271})
    base.push_back(static_cast<T>(w));
  std::vector<T> v;
  for (T x : base) {
    v.push_back(x);
    T up = x, down = x;
    for (int k = 0; k < 2; ++k) {
      up = std::nextafter(up, std::numeric_limits<T>::infinity());
      down = std::nextafter(down, -std::numeric_limits<T>::infinity());
      v.push_back(up);
      v.push_back(down);
    }
  }
  using U = bits_of<T>;  // NaNs with other payloads and signs, quiet and signalling
  const U exp_mask = sizeof(T) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
  const U sign = U(1) << (8 * sizeof(T) - 1);
  for (U payload : {U(1), U(2), U(exp_mask >> 1 & ~(exp_mask >> 2)), U(~exp_mask & ~sign)})
    for (U s : {U(0), sign}) v.push_back(std::bit_cast<T>(U(exp_mask | payload | s)));
  return v;
}

/// The sampled sweep: a stride over all bit patterns, as many over 2^-8 <= |x| < 2^10, edges.
template <class T>
std::vector<T> sampled_inputs(std::uint64_t stride, const actfn_test::points& semantics) {
  using U = bits_of<T>;
  constexpr U all = std::numeric_limits<U>::max();
  constexpr std::uint64_t default_samples = sizeof(T) == 4 ? (1u << 18) : (1u << 16);
  if (stride == 0) stride = (all / default_samples) | 1;
  std::vector<T> v;
  const U offset = U(977);
  const std::uint64_t count = (all - offset) / stride + 1;
  v.reserve(2 * count + 5000);
  for (std::uint64_t k = 0; k < count; ++k) v.push_back(std::bit_cast<T>(U(offset + U(k * stride))));
  const U lo = std::bit_cast<U>(T(0x1p-8)), hi = std::bit_cast<U>(T(0x1p10));
  const U core_stride = std::max<U>(1, U((hi - lo) / count) | 1);
  const U sign = U(1) << (8 * sizeof(T) - 1);
  std::uint64_t k = 0;
  for (U b = lo; b < hi && k < count; b += core_stride, ++k) v.push_back(std::bit_cast<T>(U(b | (k % 2 ? sign : 0))));
  const auto edges = edge_inputs<T>(semantics);
  v.insert(v.end(), edges.begin(), edges.end());
  return v;
}

/// Where the inputs come from: every float pattern, or a list.
template <class T>
struct sweep_inputs {
  bool exhaustive = false;
  std::vector<T> list;
  std::uint64_t size() const { return exhaustive ? (std::uint64_t{1} << 32) : list.size(); }
  T at(std::uint64_t i) const {
    if constexpr (sizeof(T) == 4) {
      if (exhaustive) return std::bit_cast<float>(static_cast<std::uint32_t>(i));
    }
    return list[i];
  }
};

// --- progress -------------------------------------------------------------------------------

std::string duration(double s) {
  char buf[32];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", int(s) / 60, int(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", int(s) / 3600, int(s) / 60 % 60);
  return buf;
}

struct progress {
  bool enabled;
  bool tty = isatty(STDERR_FILENO) != 0;
  std::uint64_t total = 0, done_before = 0;  // over all jobs
  clock_type::time_point start = clock_type::now(), last = start;
  bool printed = false;

  void report(const std::string& job, std::uint64_t done, std::uint64_t size, clock_type::time_point job_start,
              bool final) {
    if (!enabled) return;
    const auto now = clock_type::now();
    const double since = std::chrono::duration<double>(now - last).count();
    if (!final && since < (tty ? 0.25 : 10.0)) return;
    if (final && !printed) return;  // nothing shown for short jobs
    if (final && !tty) return;
    last = now;
    printed = true;
    const double job_s = std::chrono::duration<double>(now - job_start).count();
    const double all_s = std::chrono::duration<double>(now - start).count();
    const double rate = job_s > 0 ? done / job_s : 0;
    const std::uint64_t all_done = done_before + done;
    const double all_rate = all_s > 0 ? all_done / all_s : 0;
    char line[256];
    std::snprintf(line, sizeof line, "%s: %5.1f%%  %.3g inputs/s  ETA %s  (all: %.1f%%, ETA %s)", job.c_str(),
                  size ? 100.0 * done / size : 100.0, rate, duration(rate > 0 ? (size - done) / rate : -1).c_str(),
                  total ? 100.0 * all_done / total : 100.0,
                  duration(all_rate > 0 ? (total - all_done) / all_rate : -1).c_str());
    if (tty) std::fprintf(stderr, "\r%-110s%s", line, final ? "\n" : "");
    else std::fprintf(stderr, "%s\n", line);
    std::fflush(stderr);
  }
};

// --- the sweep ------------------------------------------------------------------------------

/// The i-th dy of the backward sweep: sign, exponent in [-24, 24] and mantissa from a fixed
/// hash of i (splitmix64), so that every run and thread split gives the same dy for an input.
template <class T>
T dy_at(std::uint64_t i) {
  std::uint64_t z = i * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  const int e = static_cast<int>(z % 49) - 24;
  const T m = T(1) + static_cast<T>((z >> 8) & 0xffffff) * T(0x1p-24);
  return std::ldexp((z >> 40) & 1 ? -m : m, e);
}

template <class T>
std::string show(T x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, sizeof(T) == 4 ? "%.9g" : "%.17g", static_cast<double>(x));
  return buf;
}

/// out[i] = op(in[i]...) for i < m, op applied to whole batches of the build's instruction set
/// (xsimd::default_arch), the last partial one padded with zeros: the kernels the span
/// algorithms run, without instantiating their loops (interleave, tails, streaming) once per
/// function, tier, pass and type, which made this the build's slowest translation unit.
template <class T, class Op, class... In>
void on_batches(std::size_t m, T* out, Op op, const In*... in) {
  using B = xsimd::batch<T>;
  constexpr std::size_t W = B::size;
  std::size_t i = 0;
  for (; i + W <= m; i += W) op(B::load_unaligned(in + i)...).store_unaligned(out + i);
  if (i == m) return;
  auto padded = [&](const T* p) {
    std::array<T, W> lanes{};
    std::copy(p + i, p + m, lanes.begin());
    return B::load_unaligned(lanes.data());
  };
  std::array<T, W> result;
  op(padded(in)...).store_unaligned(result.data());
  std::copy_n(result.begin(), m - i, out + i);
}

/// The semantic points of F in type T, computed by g (f or fast(f)) on batches.
template <class F, class T, class G>
void check_semantics(const F& f, const G& g, const options& o, result& r) {
  const auto points = actfn_test::special_points_of(f);
  r.semantic_points = points.size();
  std::vector<T> x, y(points.size()), d(points.size());
  for (const auto& p : points) x.push_back(static_cast<T>(p.x));
  on_batches(x.size(), y.data(), [&](auto b) { return g(b); }, x.data());
  on_batches(x.size(), d.data(), [&](auto b) { return g.derivative(b); }, x.data());
  auto mismatch = [](T got, double want, bool with_sign) {
    const T w = static_cast<T>(want);
    if (got != w) return true;
    return with_sign && w == 0 && std::signbit(got) != std::signbit(w);
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const bool zero_in = p.x == 0;
    if (o.forward && p.f && mismatch(y[i], *p.f, zero_in))
      r.semantic_failures.push_back("f(" + show(x[i]) + ") = " + show(y[i]) + " (want " + show(T(*p.f)) + ")");
    if (o.derivative && p.df && mismatch(d[i], *p.df, false))
      r.semantic_failures.push_back("f'(" + show(x[i]) + ") = " + show(d[i]) + " (want " + show(T(*p.df)) + ")");
  }
}

template <class F, class T>
result sweep(const actfn_test::parameter_set<F>& params, const options& o, progress& prog,
             std::size_t job_no, std::size_t jobs) {
  const F& f = params.f;
  result r;
  r.name = std::string(F::name) + (params.label.empty() ? "" : "(" + params.label + ")");
  r.type = sizeof(T) == 4 ? "f32" : "f64";
  constexpr bool f32 = sizeof(T) == 4;
  const actfn::fast_t<F> fast_f = actfn::fast(f);
  const actfn::accuracy bound = o.fast ? actfn::bound_for<actfn::fast_t<F>>(params.label.empty())
                                       : actfn::bound_for<F>(params.label.empty());
  r.bound_fwd = f32 ? bound.f32_ulp : bound.f64_ulp;
  r.bound_der = f32 ? bound.f32_derivative_ulp : bound.f64_derivative_ulp;
  r.bound_bwd = bound.backward_ulp(f32);
  if (o.fast) {
    // The fast bound must itself be within the contract (forward 4, derivative 16).
    r.bound_fwd = std::min(r.bound_fwd, actfn_test::fast_contract_ulp);
    r.bound_der = std::min(r.bound_der, actfn_test::fast_contract_derivative_ulp);
    r.bound_bwd = std::min(r.bound_bwd, 2 * actfn_test::fast_contract_derivative_ulp + 0.5);
    check_semantics<F, T>(f, fast_f, o, r);
  } else {
    check_semantics<F, T>(f, f, o, r);
  }

  sweep_inputs<T> in;
  in.exhaustive = o.exhaustive;
  if (!o.exhaustive) in.list = sampled_inputs<T>(o.stride, actfn_test::special_points_of(f));
  const std::uint64_t n = in.size();
  constexpr std::uint64_t chunk = 1 << 14;
  const std::uint64_t chunks = (n + chunk - 1) / chunk;
  std::atomic<std::uint64_t> next{0}, done{0};
  std::mutex merge_lock;
  std::condition_variable finished;
  unsigned running = 0;

  auto work = [&] {
    std::vector<T> xs, ys(chunk), ds(chunk), dys(chunk), bs(chunk);
    xs.reserve(chunk);
    result local;
    for (std::uint64_t c; (c = next.fetch_add(1)) < chunks;) {
      const std::uint64_t begin = c * chunk, end = std::min(n, begin + chunk);
      xs.clear();
      for (std::uint64_t i = begin; i < end; ++i) xs.push_back(in.at(i));
      const std::size_t m = xs.size();
      auto compute = [&](const auto& g) {
        if (o.forward) on_batches(m, ys.data(), [&](auto b) { return g(b); }, xs.data());
        if (o.derivative)
          on_batches(m, ds.data(), [&](auto b) { return g.derivative(b); }, xs.data());
        if (o.backward) {
          for (std::size_t i = 0; i < m; ++i) dys[i] = dy_at<T>(begin + i);
          on_batches(m, bs.data(), [&](auto b, auto dy) { return g.backward(b, dy); }, xs.data(),
                     dys.data());
        }
      };
      if (o.fast) compute(fast_f); else compute(f);
      for (std::size_t i = 0; i < m; ++i) {
        const T x = xs[i];
        if (std::isnan(x)) {
          ++local.nan_inputs;
          if ((o.forward && !std::isnan(ys[i])) || (o.derivative && !std::isnan(ds[i])) ||
              (o.backward && !std::isnan(bs[i]))) {
            if (local.nan_bad++ == 0) local.nan_bad_bits = std::bit_cast<bits_of<T>>(x);
          }
          continue;
        }
        if (o.fast) {
          if (o.forward) local.fwd.add(static_cast<double>(actfn_test::fast_forward_error<T>(f, x, ys[i])), x, begin + i);
          if (o.backward)
            local.bwd.add(static_cast<double>(actfn_test::fast_backward_error<T>(f, x, dys[i], bs[i])), x, begin + i);
          if (o.derivative)
            local.der.add(static_cast<double>(actfn_test::fast_derivative_error<T>(f, x, ds[i])), x, begin + i);
          continue;
        }
        if (o.forward) local.fwd.add(static_cast<double>(actfn_test::forward_error<T>(f, x, ys[i])), x, begin + i);
        if (o.backward)
          local.bwd.add(static_cast<double>(actfn_test::backward_error<T>(f, x, dys[i], bs[i])), x, begin + i);
        if (o.derivative) {
          local.der.add(static_cast<double>(actfn_test::derivative_error<T>(f, x, ds[i])), x, begin + i);
          if constexpr (actfn_test::has_derivative_window<F, actfn_test::wide<T>>)
            local.windowed += actfn_test::reference<F, actfn_test::wide<T>>::in_window(f, x);
        }
      }
      done += m;
    }
    std::lock_guard lock(merge_lock);
    --running;
    finished.notify_all();
    r.fwd.merge(local.fwd);
    r.der.merge(local.der);
    r.bwd.merge(local.bwd);
    r.windowed += local.windowed;
    if (local.nan_bad && !r.nan_bad) r.nan_bad_bits = local.nan_bad_bits;
    r.nan_inputs += local.nan_inputs;
    r.nan_bad += local.nan_bad;
  };

  const auto job_start = clock_type::now();
  const std::string job = "[" + std::to_string(job_no) + "/" + std::to_string(jobs) + "] " + r.name + " " + r.type;
  {
    std::vector<std::jthread> pool;
    const unsigned nthreads = static_cast<unsigned>(std::min<std::uint64_t>(o.threads, chunks));
    running = nthreads;
    for (unsigned t = 0; t < nthreads; ++t) pool.emplace_back(work);
    std::unique_lock lock(merge_lock);
    while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return running == 0; }))
      prog.report(job, done.load(), n, job_start, false);
  }
  prog.report(job, n, n, job_start, true);
  prog.done_before += n;
  return r;
}

// --- the report -----------------------------------------------------------------------------

std::string fmt_ulp(double e) {
  if (std::isinf(e)) return "inf";
  if (std::isnan(e)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", e);
  return buf;
}

std::string fmt_bound(double b) {
  std::ostringstream s;
  s << b;
  return s.str();
}

void print_row(const result& r, const options& o) {
  auto cells = [&](const stats& s, bool on) {
    std::string out;
    if (!on || s.n == 0) return std::string(" - | - | - | - | - | - |");
    char x[48];
    std::snprintf(x, sizeof x, r.type[1] == '3' ? "%.9g" : "%.17g", s.max_x);
    out += " " + fmt_ulp(s.max) + " (x = " + x + ") | " + fmt_ulp(s.mean()) + " |";
    for (auto c : s.above) out += " " + std::to_string(c) + " |";
    return out;
  };
  std::string semantics;
  if (r.nan_bad) {
    char b[64];
    std::snprintf(b, sizeof b, "%llu NaN inputs not giving NaN (e.g. 0x%llx); ",
                  static_cast<unsigned long long>(r.nan_bad), static_cast<unsigned long long>(r.nan_bad_bits));
    semantics += b;
  }
  for (const auto& f : r.semantic_failures) semantics += f + "; ";
  if (semantics.empty())
    semantics = "ok (" + std::to_string(r.nan_inputs) + " NaN, " + std::to_string(r.semantic_points) + " points)";
  else
    semantics = "FAIL: " + semantics;
  std::string verdict = r.ok() ? "ok" : "**FAIL**";
  if (!r.fwd_ok()) verdict += " fwd > bound";
  if (!r.der_ok()) verdict += " der > bound";
  if (!r.bwd_ok()) verdict += " bwd > bound";
  std::printf("| %s | %s |%s%s%s %s / %s / %s | %s | %s |\n", r.name.c_str(), r.type,
              cells(r.fwd, o.forward).c_str(), cells(r.der, o.derivative).c_str(),
              cells(r.bwd, o.backward).c_str(), fmt_bound(r.bound_fwd).c_str(),
              fmt_bound(r.bound_der).c_str(), fmt_bound(r.bound_bwd).c_str(), semantics.c_str(),
              verdict.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  auto selected = [&](std::string_view name) {
    return o.functions.empty() || std::find(o.functions.begin(), o.functions.end(), name) != o.functions.end();
  };

  auto grid_of = [&](auto f) {
    auto grid = actfn_test::parameter_grid_of<decltype(f)>();
    if (!o.grid) grid.resize(1);
    return grid;
  };
  std::size_t jobs = 0, job_no = 0;
  std::apply([&](auto... f) { ((jobs += selected(decltype(f)::name) * grid_of(f).size() * (o.f32 + o.f64)), ...); },
             actfn::catalogue{});
  progress prog{.enabled = !o.quiet};
  {
    // Total work, for the overall ETA.
    const std::uint64_t n32 = o.exhaustive ? (std::uint64_t{1} << 32) : sampled_inputs<float>(o.stride, {}).size();
    const std::uint64_t n64 = o.f64 ? sampled_inputs<double>(o.stride, {}).size() : 0;
    std::apply([&](auto... f) {
      ((prog.total += selected(decltype(f)::name) * grid_of(f).size() * (o.f32 * n32 + o.f64 * n64)), ...);
    }, actfn::catalogue{});
  }

  // The header first and each row as soon as its function is done, so that a long run that
  // is stopped still leaves its finished rows.
  std::printf("actfn_ulp: %s sweep, %s tier, instruction set %s, %u threads\n",
              o.exhaustive ? "exhaustive (all 2^32 float bit patterns)" : "sampled", o.fast ? "fast" : "precise",
              xsimd::default_arch::name(), o.threads);
  if (o.fast)
    std::printf("Fast tier: actfn::fast(f), errors in ULPs of max(|f|, 1/2) (no windows); the contract is fwd <= 4, "
                "der <= 16, i.e. max(4 ulp, 2^-22) and max(16 ulp, 2^-20) in float.\n");
  std::printf("ULP error as docs/accuracy.md defines it (derivatives: relative, except in ULPs of the summands "
              "inside the windows around zero crossings); counts are of inputs above 0.5, 1, 2, 4 ULP.\n\n");
  std::printf("| function | type | fwd max ULP (at x) | mean | >0.5 | >1 | >2 | >4 | der max ULP (at x) | mean | "
              ">0.5 | >1 | >2 | >4 | bwd max ULP (at x) | mean | >0.5 | >1 | >2 | >4 | bound fwd / der / bwd | "
              "NaN, inf, ±0, kinks | result |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  const auto start = clock_type::now();
  bool all_ok = true;
  std::uint64_t inputs32 = 0, inputs64 = 0;
  auto report = [&](const result& r) {
    print_row(r, o);
    std::fflush(stdout);
    all_ok = all_ok && r.ok();
    (r.type[1] == '3' ? inputs32 : inputs64) = std::max({r.fwd.n, r.der.n, r.bwd.n}) + r.nan_inputs;
  };
  auto run = [&](auto f) {
    using F = decltype(f);
    if (!selected(F::name)) return;
    for (const auto& params : grid_of(f)) {
      if (o.f32) report(sweep<F, float>(params, o, prog, ++job_no, jobs));
      if (o.f64) report(sweep<F, double>(params, o, prog, ++job_no, jobs));
    }
  };
  std::apply([&](auto... f) { (run(f), ...); }, actfn::catalogue{});
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::printf("\n%s inputs per function: %llu f32, %llu f64; %s.\n", o.exhaustive ? "exhaustive" : "sampled",
              static_cast<unsigned long long>(inputs32), static_cast<unsigned long long>(inputs64),
              duration(seconds).c_str());
  std::printf("%s\n", all_ok ? "all within their documented bounds"
                             : "FAILED: some function exceeds its documented bound or semantics");
  return all_ok ? 0 : 1;
}
