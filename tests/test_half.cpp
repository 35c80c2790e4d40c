// The storage types bfloat16 and float16 (actfn/core/half.hpp) and the span algorithms on
// buffers of them.
//
// Conversions: widening against the value the bits define (ldexp), over all 65536 patterns;
// rounding against an independent rounding (the value scaled to an integer multiple of its
// ULP and rounded by rint in long double), over every upper half of a float with the low bits
// that decide roundings (ties, just below, just above); the vector paths of this instruction
// set (load_widen, narrow_store and their partial forms) against the scalar ones, bit for bit.
//
// Span algorithms, exhaustively: for every catalogue function and every one of the 65536
// values of each type, forward, derivative and backward (with a fixed-seed dy) and, where the
// function has it, backward_from_output give the float path's result rounded once (the same
// bits as forward on the widened values, rounded by the scalar conversion). Each float result
// is within the function's float bound of the exact value (reference.hpp), and the stored
// result within 1 ULP of the storage type: rounding a float result that close to the exact
// value gives one of the two values of the storage type around the exact one, which the
// correctly rounded result is not always (docs/accuracy.md). softmax and log_softmax and their
// backward passes likewise on rows of several lengths.
//
// Built in chunks (tests/CMakeLists.txt, ACTFN_TEST_CHUNKS_test_half): the catalogue cases are
// split by function; the other cases are in chunk 0.
#include <actfn/actfn.hpp>
#include <catch2/catch.hpp>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "support/catalogue_cases.hpp"
#include "support/checks.hpp"
#include "support/reference.hpp"

namespace {

using actfn::bfloat16;
using actfn::float16;
using B = xsimd::batch<float>;
using A = B::arch_type;
constexpr std::size_t W = B::size;

template <class S>
constexpr bool is_bf16 = std::is_same_v<S, bfloat16>;
template <class S>
constexpr int precision = is_bf16<S> ? 8 : 11;  // significand bits, the leading one included
template <class S>
constexpr int min_exponent = is_bf16<S> ? -126 : -14;  // of the smallest normal number
/// The smallest magnitude that rounds to infinity: the largest finite value plus half its ULP.
template <class S>
constexpr long double overflow = is_bf16<S> ? 0x1.ffp127L : 65520.0L;

template <class S>
constexpr std::uint16_t bits(S h) { return std::bit_cast<std::uint16_t>(h); }

template <class S>
std::vector<S> every_value() {
  std::vector<S> v(65536);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = S::from_bits(static_cast<std::uint16_t>(i));
  return v;
}

/// The value bits b of S stand for, from the definition of the format (NaN: a NaN).
template <class S>
long double value_of(std::uint16_t b) {
  const int ebits = is_bf16<S> ? 8 : 5, fbits = precision<S> - 1;
  const int bias = (1 << (ebits - 1)) - 1;
  const int e = (b >> fbits) & ((1 << ebits) - 1);
  const long double f = b & ((1u << fbits) - 1);
  const long double sign = (b & 0x8000) ? -1.0L : 1.0L;
  if (e == (1 << ebits) - 1)
    return f == 0 ? sign * std::numeric_limits<long double>::infinity()
                  : std::numeric_limits<long double>::quiet_NaN();
  if (e == 0) return sign * std::ldexp(f, 1 - bias - fbits);
  return sign * std::ldexp(f + std::ldexp(1.0L, fbits), e - bias - fbits);
}

/// x rounded to nearest even in S, independently of half.hpp: x divided by the ULP of its
/// binade (exact), rounded to an integer by rint (the default mode: to nearest even), times the
/// ULP; infinity from `overflow` on. NaN for NaN.
template <class S>
long double rounded(long double x) {
  if (std::isnan(x)) return x;
  if (std::fabs(x) >= overflow<S>) return std::copysign(std::numeric_limits<long double>::infinity(), x);
  if (x == 0) return x;
  const int e = std::max(std::ilogb(x), min_exponent<S>);
  const long double ulp = std::ldexp(1.0L, e - precision<S> + 1);
  return std::copysign(std::rint(x / ulp) * ulp, x);
}

/// |got - ref| in ULPs of S: relative (the ULP of ref's binade, the subnormal spacing below the
/// normal range), or of `scale` where that is larger (a derivative window, reference.hpp).
/// NaN against NaN is exact; a reference that rounds to infinity must get that infinity.
template <class S>
long double ulp_error(float got, long double ref, long double scale = 0) {
  constexpr long double inf = std::numeric_limits<long double>::infinity();
  if (std::isnan(ref) || std::isnan(got)) return std::isnan(ref) && std::isnan(got) ? 0 : inf;
  if (std::fabs(ref) >= overflow<S> || std::isinf(got))
    return std::isinf(got) && std::signbit(got) == std::signbit(ref) && std::fabs(ref) >= overflow<S> ? 0 : inf;
  const long double m = std::max(std::fabs(ref), scale);
  const int e = m == 0 ? min_exponent<S> : std::max(std::ilogb(m), min_exponent<S>);
  return std::fabs(got - ref) / std::ldexp(1.0L, e - precision<S> + 1);
}

template <class S>
std::vector<float> widened(const std::vector<S>& h) {
  std::vector<float> f(h.size());
  std::transform(h.begin(), h.end(), f.begin(), [](S v) { return static_cast<float>(v); });
  return f;
}

template <class S>
std::vector<S> narrowed(const std::vector<float>& f) {
  std::vector<S> h(f.size());
  std::transform(f.begin(), f.end(), h.begin(), [](float v) { return S(v); });
  return h;
}

/// Counts the elements whose bits differ and describes the first (input index and both).
template <class S>
void require_same_bits(const std::vector<S>& got, const std::vector<S>& want, const char* what) {
  std::size_t wrong = 0, first = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (bits(got[i]) != bits(want[i]) && wrong++ == 0) first = i;
  INFO(what << ": " << wrong << " of " << got.size() << " differ; first at " << first << ": 0x"
            << std::hex << (wrong ? bits(got[first]) : 0) << " instead of 0x"
            << (wrong ? bits(want[first]) : 0));
  CHECK(wrong == 0);
}

/// The worst error of a pass over its inputs, where it is, and how many exceed the bound.
struct worst {
  long double error = 0;
  std::size_t at = 0, over = 0;
  void add(long double e, std::size_t i, long double bound) {
    if (!(e <= bound)) ++over;
    if (!(e <= error)) {
      error = e;
      at = i;
    }
  }
};

/// One dy per element: values of S in [-2, 2] from a fixed seed, stored in S.
template <class S>
std::vector<S> gradients(std::size_t n) {
  std::mt19937 rng(20261207u);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<S> dy(n);
  for (S& g : dy) g = S(dist(rng));
  return dy;
}

#if ACTFN_CHUNK == 0  // the cases not over the catalogue: in the first chunk only

// --- conversions --------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("half: widening is exact, scalar and vector", "[half]", bfloat16, float16) {
  using S = TestType;
  const std::vector<S> all = every_value<S>();
  std::size_t wrong = 0;
  for (const S h : all) {
    const float f = static_cast<float>(h);
    const long double want = value_of<S>(bits(h));
    if (is_bf16<S>) {
      // The upper half of the float's bits: every bit kept, a signalling NaN included.
      if (std::bit_cast<std::uint32_t>(f) != std::uint32_t(bits(h)) << 16) ++wrong;
    } else if (std::isnan(want)) {
      // A NaN stays a NaN, of the same sign, quiet.
      if (!std::isnan(f) || std::signbit(f) != bool(bits(h) & 0x8000) ||
          !(std::bit_cast<std::uint32_t>(f) & 0x400000u))
        ++wrong;
    } else if (!(f == want && std::signbit(f) == std::signbit(want))) {
      ++wrong;
    }
  }
  CHECK(wrong == 0);
  // The vector path gives the same bits: whole batches, and partial ones of every length.
  std::vector<float> got(all.size());
  for (std::size_t i = 0; i < all.size(); i += W) actfn::load_widen<A>(all.data() + i).store_unaligned(got.data() + i);
  CHECK(std::ranges::equal(got, widened(all), [](float a, float b) {
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
  }));
  for (std::size_t count = 1; count < W; ++count) {
    alignas(64) float lanes[W];
    actfn::load_widen_partial<A>(all.data() + 0x3c00, count).store_unaligned(lanes);
    for (std::size_t k = 0; k < W; ++k)
      CHECK(std::bit_cast<std::uint32_t>(lanes[k]) ==
            (k < count ? std::bit_cast<std::uint32_t>(static_cast<float>(all[0x3c00 + k])) : 0u));
  }
}

/// Floats whose rounding to S is decided in every way: every upper half of the bits with low
/// halves that put the value on, just below and just above the midpoints and the values of S
/// (bfloat16 drops 16 bits; float16 drops 13 from a normal result, 14 to 24 from a subnormal
/// one), plus random low halves.
std::vector<float> rounding_inputs() {
  const std::uint32_t lows[] = {0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000,
                                0x2001, 0x3000, 0x5fff, 0x7fff, 0x8000, 0x8001, 0xa000,
                                0xbfff, 0xc000, 0xe000, 0xefff, 0xf000, 0xffff};
  std::mt19937 rng(7);
  std::vector<float> v;
  v.reserve(65536 * (std::size(lows) + 2));
  for (std::uint32_t hi = 0; hi < 65536; ++hi) {
    for (std::uint32_t lo : lows) v.push_back(std::bit_cast<float>(hi << 16 | lo));
    for (int k = 0; k < 2; ++k) v.push_back(std::bit_cast<float>(hi << 16 | static_cast<std::uint32_t>(rng() & 0xffff)));
  }
  return v;
}

TEMPLATE_TEST_CASE("half: rounding from float is to nearest even, scalar and vector", "[half]",
                   bfloat16, float16) {
  using S = TestType;
  const std::vector<float> x = rounding_inputs();
  const std::vector<S> scalar = narrowed<S>(x);
  std::size_t wrong = 0, first = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float got = static_cast<float>(scalar[i]);
    const long double want = rounded<S>(x[i]);
    const bool ok = std::isnan(want)
                        ? std::isnan(got) && std::signbit(got) == std::signbit(x[i]) &&
                              (bits(scalar[i]) & (is_bf16<S> ? 0x40 : 0x200))  // quiet
                        : got == want && std::signbit(got) == std::signbit(x[i]);
    if (!ok && wrong++ == 0) first = i;
  }
  INFO("first wrong: float bits 0x" << std::hex << std::bit_cast<std::uint32_t>(x[first]) << " -> 0x"
                                    << bits(scalar[first]));
  CHECK(wrong == 0);
  // The vector path: the same bits, whole batches and partial ones (nothing past them written).
  std::vector<S> vec(x.size());
  for (std::size_t i = 0; i + W <= x.size(); i += W) actfn::narrow_store(B::load_unaligned(x.data() + i), vec.data() + i);
  require_same_bits(vec, scalar, "narrow_store");
  for (std::size_t count = 1; count < W; ++count) {
    std::vector<S> out(W, S::from_bits(0x1234));
    actfn::narrow_store_partial(B::load_unaligned(x.data() + 5 * W), out.data(), count);
    for (std::size_t k = 0; k < W; ++k)
      CHECK(bits(out[k]) == (k < count ? bits(scalar[5 * W + k]) : 0x1234));
  }
}

TEST_CASE("half: the types are the bits PyTorch uses", "[half]") {
  STATIC_REQUIRE(sizeof(bfloat16) == 2 && std::is_trivially_copyable_v<bfloat16>);
  STATIC_REQUIRE(sizeof(float16) == 2 && std::is_trivially_copyable_v<float16>);
  STATIC_REQUIRE(bits(bfloat16(1.0f)) == 0x3f80);
  STATIC_REQUIRE(bits(float16(1.0f)) == 0x3c00);
  STATIC_REQUIRE(static_cast<float>(float16::from_bits(0x0001)) == 0x1p-24f);
  CHECK(bits(bfloat16(0.1f)) == 0x3dcd);   // torch.tensor(0.1, dtype=torch.bfloat16).view(torch.int16)
  CHECK(bits(float16(0.1f)) == 0x2e66);    // numpy.float16(0.1).view(numpy.uint16)
  CHECK(bits(float16(65519.0f)) == 0x7bff);
  CHECK(bits(float16(-65520.0f)) == 0xfc00);
  CHECK(bits(bfloat16(std::numeric_limits<float>::max())) == 0x7f80);
}

TEST_CASE("half: bad spans are refused naming the arguments", "[half][errors]") {
  using Catch::Matchers::Contains;
  std::vector<bfloat16> x(10, bfloat16(1.0f)), y(12, bfloat16(-7.0f));
  REQUIRE_THROWS_WITH(actfn::forward(actfn::sigmoid{}, x, y),
                      Contains("forward") && Contains("x has 10 elements") && Contains("y has 12"));
  std::vector<float16> h(10), dh(9);
  REQUIRE_THROWS_WITH(actfn::backward(actfn::gelu{}, h, h, dh), Contains("dx has 9"));
  REQUIRE_THROWS_WITH(actfn::softmax(h, dh, 3), Contains("softmax") && Contains("cols = 3"));
  const std::span<float16> shifted(h.data() + 1, 8);
  REQUIRE_THROWS_WITH(actfn::forward(actfn::relu{}, std::span<const float16>(h.data(), 8), shifted),
                      Contains("partly overlap"));
  for (const bfloat16 v : y) CHECK(bits(v) == bits(bfloat16(-7.0f)));  // nothing was written
}

// --- softmax --------------------------------------------------------------------------------------

template <class S>
void check_softmax_rows(std::size_t cols) {
  const std::size_t rows = 3, n = rows * cols;
  std::mt19937 rng(static_cast<unsigned>(cols));
  std::uniform_real_distribution<float> dist(-12.0f, 12.0f);
  std::vector<S> x(n), dy = gradients<S>(n);
  for (S& v : x) v = S(dist(rng));
  const std::vector<float> xf = widened(x), dyf = widened(dy);
  for (const bool log : {false, true}) {
    INFO((log ? "log_softmax" : "softmax") << ", rows of " << cols);
    std::vector<S> y(n), dx(n);
    std::vector<float> yf(n), dxf(n);
    log ? actfn::log_softmax(x, y, cols) : actfn::softmax(x, y, cols);
    log ? actfn::log_softmax(xf, yf, cols) : actfn::softmax(xf, yf, cols);
    require_same_bits(y, narrowed<S>(yf), "forward");
    // Within 1 ULP of S of the exact value (the float result is within 4 ULP of float).
    worst w;
    for (std::size_t r = 0; r < n; r += cols) {
      long double m = -std::numeric_limits<long double>::infinity(), s = 0;
      for (std::size_t j = r; j < r + cols; ++j) m = std::max<long double>(m, xf[j]);
      for (std::size_t j = r; j < r + cols; ++j) s += std::exp(static_cast<long double>(xf[j]) - m);
      for (std::size_t j = r; j < r + cols; ++j) {
        const long double d = static_cast<long double>(xf[j]) - m;
        w.add(ulp_error<S>(static_cast<float>(y[j]), log ? d - std::log(s) : std::exp(d) / s), j, 1);
      }
    }
    INFO("worst " << w.error << " ULP at " << w.at);
    CHECK(w.over == 0);
    // Backward from the stored output: the float pass on the widened y and dy, rounded once.
    log ? actfn::log_softmax_backward(y, dy, dx, cols) : actfn::softmax_backward(y, dy, dx, cols);
    const std::vector<float> yw = widened(y);
    log ? actfn::log_softmax_backward(yw, dyf, dxf, cols) : actfn::softmax_backward(yw, dyf, dxf, cols);
    require_same_bits(dx, narrowed<S>(dxf), "backward");
  }
}

TEMPLATE_TEST_CASE("half: softmax and log_softmax are the float results rounded once", "[half][softmax]",
                   bfloat16, float16) {
  for (std::size_t cols : {std::size_t{1}, W - 1, W + 3, 4 * W + 5, std::size_t{1000}}) check_softmax_rows<TestType>(cols);
}

// --- non-temporal stores ---------------------------------------------------------------------------

TEMPLATE_TEST_CASE("half: outputs from stream_bytes on equal the chunked results below it",
                   "[half][stream]", bfloat16, float16) {
  using S = TestType;
  // relu streams in every pass (memory_bound), sigmoid in backward only.
  const std::size_t n = actfn::detail::stream_bytes / sizeof(S) + 2 * W + 3, offset = 1;
  const std::size_t chunk = (std::size_t{1} << 20) / sizeof(S);  // 1 MiB of output: no streaming
  const S guard(-12345.25f);
  std::vector<S> x(offset + n + W, guard), dy(x.size(), guard), out(x.size(), guard), ref(n);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
  for (std::size_t i = 0; i < n; ++i) {
    x[offset + i] = S(dist(rng));
    dy[offset + i] = S(dist(rng) / 4);
  }
  const std::span<const S> xs(x.data() + offset, n), dys(dy.data() + offset, n);
  const std::span<S> outs(out.data() + offset, n);
  const auto check = [&](auto pass) {
    for (std::size_t k = 0; k < n; k += chunk) {
      const std::size_t m = std::min(chunk, n - k);
      pass(xs.subspan(k, m), dys.subspan(k, m), std::span<S>(ref).subspan(k, m));
    }
    pass(xs, dys, outs);
    CHECK(std::memcmp(outs.data(), ref.data(), n * sizeof(S)) == 0);
    CHECK(std::all_of(out.begin(), out.begin() + offset, [&](S v) { return v == guard; }));
    CHECK(std::all_of(out.begin() + offset + n, out.end(), [&](S v) { return v == guard; }));
  };
  check([](auto in, auto, auto o) { actfn::forward(actfn::relu{}, in, o); });
  check([](auto in, auto g, auto o) { actfn::backward(actfn::sigmoid{}, in, g, o); });
}

#endif  // ACTFN_CHUNK == 0

// --- the catalogue, exhaustively ----------------------------------------------------------------

template <class F, class S>
void check_exhaustive(const F& f) {
  const std::vector<S> x = every_value<S>();
  const std::vector<float> xf = widened(x);
  const std::size_t n = x.size();
  const std::vector<S> dy = gradients<S>(n);
  const std::vector<float> dyf = widened(dy);
  std::vector<S> got(n);
  std::vector<float> want(n);
  using ref = actfn_test::reference<F, double>;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();

  // forward: the float path rounded once; the float result within F's bound, the stored one
  // within 1 ULP of S.
  actfn::forward(f, x, got);
  actfn::forward(f, xf, want);
  require_same_bits(got, narrowed<S>(want), "forward");
  {
    worst fl, st;
    for (std::size_t i = 0; i < n; ++i) {
      const double r = std::isnan(xf[i]) ? nan : ref::f(f, xf[i]);  // NaN in, NaN out
      fl.add(actfn_test::ulp_error<float, double>(want[i], r), i, F::bound.f32_ulp);
      st.add(ulp_error<S>(static_cast<float>(got[i]), r), i, 1);
    }
    INFO("forward: float " << fl.error << " ULP at x = " << xf[fl.at] << ", stored " << st.error
                           << " ULP at x = " << xf[st.at] << " (got " << static_cast<float>(got[st.at])
                           << ", exact " << ref::f(f, xf[st.at]) << ")");
    CHECK(fl.over == 0);
    CHECK(st.over == 0);
  }

  // derivative, measured as the library measures derivatives (windows around zero crossings).
  actfn::derivative(f, x, got);
  actfn::derivative(f, xf, want);
  require_same_bits(got, narrowed<S>(want), "derivative");
  {
    worst fl, st;
    for (std::size_t i = 0; i < n; ++i) {
      const double r = std::isnan(xf[i]) ? nan : ref::df(f, xf[i]);
      const double scale = actfn_test::derivative_scale(f, static_cast<double>(xf[i]));
      fl.add(actfn_test::ulp_error<float, double>(want[i], r, scale), i, F::bound.f32_derivative_ulp);
      st.add(ulp_error<S>(static_cast<float>(got[i]), r, scale), i, 1);
    }
    INFO("derivative: float " << fl.error << " ULP at x = " << xf[fl.at] << ", stored " << st.error
                              << " ULP at x = " << xf[st.at]);
    CHECK(fl.over == 0);
    CHECK(st.over == 0);
  }

  // backward with dy from a fixed seed, against the exact product dy f'(x).
  actfn::backward(f, x, dy, got);
  actfn::backward(f, xf, dyf, want);
  require_same_bits(got, narrowed<S>(want), "backward");
  {
    worst fl, st;
    for (std::size_t i = 0; i < n; ++i) {
      const double g = dyf[i], d = std::isnan(xf[i]) ? nan : ref::df(f, xf[i]);
      const double r = std::isinf(g) && d == 0 ? std::numeric_limits<double>::quiet_NaN() : g * d;
      const double scale = std::fabs(g) * actfn_test::derivative_scale(f, static_cast<double>(xf[i]));
      fl.add(actfn_test::ulp_error<float, double>(want[i], r, scale), i, F::bound.backward_ulp(true));
      st.add(ulp_error<S>(static_cast<float>(got[i]), r, scale), i, 1);
    }
    INFO("backward: float " << fl.error << " ULP at x = " << xf[fl.at] << ", stored " << st.error
                            << " ULP at x = " << xf[st.at]);
    CHECK(fl.over == 0);
    CHECK(st.over == 0);
  }

  // backward_from_output over every value of S as y: the float path rounded once.
  if constexpr (actfn::derivative_from_output_capable<F>) {
    actfn::backward_from_output(f, x, dy, got);
    actfn::backward_from_output(f, xf, dyf, want);
    require_same_bits(got, narrowed<S>(want), "backward_from_output");
  }

  // A result does not depend on where it sits: a span starting at an odd element with a
  // ragged end, in place, gives the same bits.
  actfn::forward(f, x, got);
  std::vector<S> inplace(x.begin() + 3, x.begin() + 3 + 4 * W + 5);
  actfn::forward(f, inplace, inplace);
  require_same_bits(inplace, std::vector<S>(got.begin() + 3, got.begin() + 3 + 4 * W + 5), "offset");
}

}  // namespace

ACTFN_CATALOGUE_TEST_CASE("every bfloat16 and float16, forward, derivative, backward", "[half]") {
  using F = TestType;
  SECTION("bfloat16") { check_exhaustive<F, bfloat16>(F{}); }
  SECTION("float16") { check_exhaustive<F, float16>(F{}); }
}
