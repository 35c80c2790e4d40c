// Properties every elementwise function in actfn::catalogue must have, checked generically
// (each case once per function, named "<function>: ...": support/catalogue_cases.hpp):
// scalar == SIMD lane (bitwise), every architecture meets the documented bound, the span
// algorithms equal the scalar loop for every length and misalignment without touching memory
// outside the spans, in place == out of place, NaN propagation, derivatives against central
// finite differences of the independent long double reference, and
// derivative_from_output(f(x)) == derivative(x) where it exists.
#include <actfn/catalogue.hpp>
#include <actfn/core/span.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "support/arches.hpp"
#include "support/bounds.hpp"
#include "support/catalogue_cases.hpp"
#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using namespace actfn_test;

namespace {

template <class T>
std::vector<T> mixed_inputs() {
  auto v = edge_inputs<T>();
  auto r = random_inputs<T>(500, T(-12), T(12));
  v.insert(v.end(), r.begin(), r.end());
  return v;
}

/// How far derivative_from_output(f(x)) may be from derivative(x) beyond rounding: softplus's
/// output does not tell which branch made it within exp(-threshold) above the switch (PyTorch's
/// rule), everything else is exact up to rounding.
template <class F>
long double from_output_slack(const F&) { return 0; }
[[maybe_unused]] long double from_output_slack(const actfn::softplus& f) { return std::exp(-f.threshold); }

template <class B, class T>
B load_lanes(const std::vector<T>& v, std::size_t start) {
  std::vector<T> tmp(B::size);
  for (std::size_t k = 0; k < B::size; ++k) tmp[k] = v[(start + k) % v.size()];
  return B::load_unaligned(tmp.data());
}

}  // namespace

ACTFN_CATALOGUE_TEST_CASE("scalar result equals the SIMD lane bit for bit", "[properties]") {
  const TestType f{};
  auto check = [&](auto zero) {
    using T = decltype(zero);
    using B = xsimd::batch<T>;  // the architecture scalars are evaluated with
    const auto xs = mixed_inputs<T>();
    for (std::size_t i = 0; i < xs.size(); i += B::size) {
      const B xb = load_lanes<B>(xs, i);
      const B y = f(xb), d = f.derivative(xb);
      for (std::size_t k = 0; k < B::size; ++k) {
        const T x = xb.get(k);
        INFO(TestType::name << " x = " << x);
        CHECK(same_bits(f(x), y.get(k)));
        CHECK(same_bits(f.derivative(x), d.get(k)));
        if constexpr (actfn::derivative_from_output_capable<TestType>) {
          const B dy = f.derivative_from_output(y);
          CHECK(same_bits(f.derivative_from_output(y.get(k)), dy.get(k)));
        }
      }
    }
  };
  check(0.0f);
  check(0.0);
}

/// Inputs over the whole range of T: log-spaced magnitudes of both signs from the smallest
/// subnormal to the largest finite value, a dense grid of [-20, 20] where the functions bend,
/// the far tails up to where exp underflows, and the edge values.
/// Under the sanitizers (an unoptimised build, several times slower) a quarter of them: the same
/// ranges, coarser steps.
template <class T>
std::vector<T> whole_range() {
#if defined(__SANITIZE_ADDRESS__)
  constexpr int coarse = 4;
#else
  constexpr int coarse = 1;
#endif
  std::vector<T> v = edge_inputs<T>();
  const int lo = std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits;
  const int hi = std::numeric_limits<T>::max_exponent;
  for (int e = lo; e < hi; e += coarse)
    for (const double m : {1.0, 1.171875, 1.5, 1.8984375})
      for (const double sign : {-1.0, 1.0}) v.push_back(static_cast<T>(sign * std::ldexp(m, e)));
  for (int k = -20 * 64; k <= 20 * 64; k += coarse) v.push_back(static_cast<T>(k / 64.0 + 1.0 / 4096));
  const double far = sizeof(T) == 4 ? 180 : 1500;
  for (const T x : random_inputs<T>(2000 / coarse, T(-far), T(far), 17)) v.push_back(x);
  return v;
}

ACTFN_CATALOGUE_TEST_CASE("every architecture meets the bound over the whole range, every pass "
                          "and parameter",
                          "[properties]") {
  // Forward, derivative and backward against the independent reference, with the one error
  // measure of docs/accuracy.md (subnormal results included), for the default parameters and
  // the parameter grid of tests/support/reference.hpp, on every architecture (those this
  // binary checks: support/arches.hpp).
  for (const auto& params : parameter_grid_of<TestType>()) {
    const TestType& f = params.f;
    const actfn::accuracy bound = actfn::bound_for<TestType>(params.label.empty());
    auto check = [&](auto arch, auto zero) {
      using A = decltype(arch);
      using T = decltype(zero);
      using B = xsimd::batch<T, A>;
      constexpr bool f32 = sizeof(T) == 4;
      const double fwd = f32 ? bound.f32_ulp : bound.f64_ulp;
      const double der = f32 ? bound.f32_derivative_ulp : bound.f64_derivative_ulp;
      const double bwd = bound.backward_ulp(f32);
      const auto xs = whole_range<T>();
      const auto dys = random_inputs<T>(xs.size(), T(-3), T(3), 23);
      for (std::size_t i = 0; i < xs.size(); i += B::size) {
        const B xb = load_lanes<B>(xs, i), gb = load_lanes<B>(dys, i);
        const B y = f(xb), d = f.derivative(xb), g = f.backward(xb, gb);
        for (std::size_t k = 0; k < B::size; ++k) {
          const T x = xb.get(k), dy = gb.get(k);
          if (std::isnan(x)) continue;  // NaN: the NaN property and the sweep
          INFO(TestType::name << "(" << params.label << ") on " << A::name() << ", x = " << x
                              << ", dy = " << dy << ", sizeof(T) = " << sizeof(T));
          CHECK(forward_error<T>(f, x, y.get(k)) <= fwd);
          CHECK(derivative_error<T>(f, x, d.get(k)) <= der);
          CHECK(backward_error<T>(f, x, dy, g.get(k)) <= bwd);
        }
      }
    };
    for_each_checked_arch([&](auto arch) {
      check(arch, 0.0f);
      check(arch, 0.0);
    });
  }
}

ACTFN_CATALOGUE_TEST_CASE("span algorithms equal the scalar loop for every length and offset",
                          "[properties]") {
  const TestType f{};
  auto check = [&](auto zero) {
    using T = decltype(zero);
    constexpr std::size_t W = xsimd::batch<T>::size;
    const T guard = T(-12345.25);
    const auto pool = mixed_inputs<T>();
    const auto grads = random_inputs<T>(pool.size(), T(-2), T(2), 7);
    // Every length up to two batches and one, and two longer ones that run the loop over
    // several batches at a time (interleave, multi.hpp: up to 4) and the single batches after.
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 2 * W + 1; ++n) lengths.push_back(n);
    lengths.push_back(8 * W + 3);
    lengths.push_back(13 * W + 5);
    // The buffers share one allocation, out 40 bytes above x and dy modulo 4 KiB, where the
    // loop runs downwards (runs_down), or 40 bytes below, where it runs upwards.
    constexpr std::size_t page = 4096 / sizeof(T), shift = 40 / sizeof(T);
    std::vector<T> mem(8 * page);
    for (const bool down : {false, true})
    for (const std::size_t n : lengths) {
      for (std::size_t offset = 0; offset < W; ++offset) {
        INFO(TestType::name << " n = " << n << ", offset = " << offset << ", sizeof(T) = " << sizeof(T)
                            << (down ? ", downwards" : ", upwards"));
        // Each buffer: `offset` guard elements, n live ones, W guard elements after.
        const std::size_t total = offset + n + W;
        std::fill(mem.begin(), mem.end(), guard);
        T* const x = mem.data() + page;
        T* const dy = mem.data() + 3 * page;
        T* const out = mem.data() + 5 * page + (down ? shift : std::size_t{0} - shift);
        for (std::size_t i = 0; i < n; ++i) {
          x[offset + i] = pool[(n * 7 + offset * 3 + i) % pool.size()];
          dy[offset + i] = grads[(n + i) % grads.size()];
        }
        const std::span<const T> xs(x + offset, n), dys(dy + offset, n);
        const std::span<T> outs(out + offset, n);
        using B = xsimd::batch<T>;
        REQUIRE(actfn::detail::runs_down<B>(n, outs.data(), xs.data()) == down);
        REQUIRE(actfn::detail::runs_down<B>(n, outs.data(), xs.data(), dys.data()) == down);
        auto guards_intact = [&] {
          for (std::size_t i = 0; i < offset; ++i)
            if (out[i] != guard) return false;
          for (std::size_t i = offset + n; i < total; ++i)
            if (out[i] != guard) return false;
          return true;
        };

        actfn::forward(f, xs, outs);
        for (std::size_t i = 0; i < n; ++i) CHECK(same_bits(outs[i], f(xs[i])));
        CHECK(guards_intact());

        actfn::derivative(f, xs, outs);
        for (std::size_t i = 0; i < n; ++i) CHECK(same_bits(outs[i], f.derivative(xs[i])));
        CHECK(guards_intact());

        actfn::backward(f, xs, dys, outs);
        for (std::size_t i = 0; i < n; ++i) CHECK(same_bits(outs[i], f.backward(xs[i], dys[i])));
        CHECK(guards_intact());

        // In place at this length and offset (the end batches overlap the loop's there).
        std::copy(xs.begin(), xs.end(), outs.begin());
        actfn::forward(f, outs, outs);
        for (std::size_t i = 0; i < n; ++i) CHECK(same_bits(outs[i], f(xs[i])));
        std::copy(dys.begin(), dys.end(), outs.begin());
        actfn::backward(f, xs, outs, outs);
        for (std::size_t i = 0; i < n; ++i) CHECK(same_bits(outs[i], f.backward(xs[i], dys[i])));
        CHECK(guards_intact());

        if constexpr (actfn::derivative_from_output_capable<TestType>) {
          std::vector<T> y(n);
          for (std::size_t i = 0; i < n; ++i) y[i] = f(xs[i]);
          actfn::backward_from_output(f, y, dys, outs);
          for (std::size_t i = 0; i < n; ++i)
            CHECK(same_bits(outs[i], T(dys[i] * f.derivative_from_output(y[i]))));
          CHECK(guards_intact());
        }
      }
    }
  };
  check(0.0f);
  check(0.0);
}

#if ACTFN_CHUNK == 0
TEST_CASE("derivative_interleave applies to the derivative passes only", "[properties]") {
  // The span loop above runs each pass with its own number of batches at a time; which one
  // (span.hpp's detail::interleave): tanh declares derivative_interleave = 4 and no interleave,
  // log_sigmoid interleave = 4 for both passes, sigmoid interleave = 2 and
  // derivative_interleave = 4, and architectures without the measurement get 1.
  using actfn::detail::interleave;
  using A = xsimd::avx512bw;
  STATIC_REQUIRE(interleave<actfn::tanh, A> == 1);
  STATIC_REQUIRE(interleave<actfn::tanh, A, true> == actfn::tanh::derivative_interleave);
  STATIC_REQUIRE(interleave<actfn::log_sigmoid, A> == actfn::log_sigmoid::interleave);
  STATIC_REQUIRE(interleave<actfn::log_sigmoid, A, true> == actfn::log_sigmoid::interleave);
  STATIC_REQUIRE(interleave<actfn::sigmoid, A> == 2);
  STATIC_REQUIRE(interleave<actfn::sigmoid, A, true> == 4);
  STATIC_REQUIRE(interleave<actfn::tanh, xsimd::sse2, true> == 1);
}
#endif

ACTFN_CATALOGUE_TEST_CASE("in place equals out of place", "[properties]") {
  const TestType f{};
  auto check = [&](auto zero) {
    using T = decltype(zero);
    const auto x = mixed_inputs<T>();
    const auto dy = random_inputs<T>(x.size(), T(-2), T(2), 3);
    std::vector<T> expect(x.size()), inplace = x;

    actfn::forward(f, x, expect);
    actfn::forward(f, inplace, inplace);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(same_bits(inplace[i], expect[i]));

    inplace = x;
    actfn::derivative(f, x, expect);
    actfn::derivative(f, inplace, inplace);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(same_bits(inplace[i], expect[i]));

    // backward writing over dy (the usual in-place gradient) and over x.
    std::vector<T> grad = dy, xin = x;
    actfn::backward(f, x, dy, expect);
    actfn::backward(f, x, grad, grad);
    actfn::backward(f, xin, dy, xin);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(same_bits(grad[i], expect[i]));
      CHECK(same_bits(xin[i], expect[i]));
    }
  };
  check(0.0f);
  check(0.0);
}

ACTFN_CATALOGUE_TEST_CASE("NaN in gives NaN out", "[properties]") {
  const TestType f{};
  auto check = [&](auto zero) {
    using T = decltype(zero);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    INFO(TestType::name << ", sizeof(T) = " << sizeof(T));
    CHECK(std::isnan(f(nan)));
    CHECK(std::isnan(f(-nan)));
    CHECK(std::isnan(f.derivative(nan)));
    if constexpr (actfn::derivative_from_output_capable<TestType>) CHECK(std::isnan(f.derivative_from_output(nan)));
  };
  check(0.0f);
  check(0.0);
}

ACTFN_CATALOGUE_TEST_CASE("infinities give the limits of the reference", "[properties]") {
  const TestType f{};
  auto check = [&](auto zero) {
    using T = decltype(zero);
    for (const T x : {std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity()}) {
      INFO(TestType::name << " x = " << x << ", sizeof(T) = " << sizeof(T));
      const long double y = reference<TestType>::f(f, x), d = reference<TestType>::df(f, x);
      REQUIRE_FALSE(std::isnan(y));
      CHECK(f(x) == static_cast<T>(y));
      CHECK(f.derivative(x) == static_cast<T>(d));
    }
  };
  check(0.0f);
  check(0.0);
}

ACTFN_CATALOGUE_TEST_CASE("derivative matches a central finite difference at smooth points",
                          "[properties]") {
  // The difference quotient is taken of the long double reference f, with h ~ cbrt(eps) |x|
  // (truncation and rounding error both ~1e-13 relative). A point is smooth when the left and
  // right one-sided quotients agree; kinks (where they differ) are skipped, and the test
  // requires that almost every point was smooth, so a broken reference cannot skip them all.
  const TestType f{};
  using ld = long double;
  const auto xs = random_inputs<double>(2000, -15.0, 15.0, 11);
  std::size_t checked = 0;
  for (const double xd : xs) {
    const ld x = xd;
    const ld h = 1e-6L * std::max<ld>(1, std::fabs(x));
    const ld fp = reference<TestType>::f(f, x + h), f0 = reference<TestType>::f(f, x),
             fm = reference<TestType>::f(f, x - h);
    const ld right = (fp - f0) / h, left = (f0 - fm) / h;
    if (std::fabs(right - left) > 1e-3L * std::max<ld>(1, std::fabs(right))) continue;  // a kink
    ++checked;
    const ld central = (fp - fm) / (2 * h);
    const ld scale = std::max<ld>(std::fabs(central), 1e-3L);
    INFO(TestType::name << " x = " << xd << ", finite difference = " << static_cast<double>(central));
    CHECK(std::fabs(static_cast<ld>(f.derivative(xd)) - central) <= 1e-9L * scale);
    CHECK(std::fabs(static_cast<ld>(f.derivative(static_cast<float>(xd))) -
                    reference<TestType>::df(f, static_cast<float>(xd))) <=
          1e-5L * std::max<ld>(std::fabs(reference<TestType>::df(f, static_cast<float>(xd))), 1e-2L));
    CHECK(std::fabs(reference<TestType>::df(f, x) - central) <= 1e-9L * scale);
  }
  CHECK(checked >= xs.size() * 95 / 100);
}

ACTFN_CATALOGUE_TEST_CASE("derivative_from_output(f(x)) equals derivative(x)", "[properties]") {
  if constexpr (actfn::derivative_from_output_capable<TestType>) {
    const TestType f{};
    auto check = [&](auto zero) {
      using T = decltype(zero);
      // Where y rounds (e.g. sigmoid(x) -> 1 for large x) the output no longer carries the
      // derivative's low bits: the difference is bounded by a few ULP of the result plus a few
      // epsilon of the O(1) derivative scale.
      const T eps = std::numeric_limits<T>::epsilon();
      auto xs = random_inputs<T>(2000, T(-30), T(30), 5);
      for (const T x : edge_inputs<T>()) xs.push_back(x);
      for (const T x : xs) {
        const T a = f.derivative_from_output(f(x)), b = f.derivative(x);
        INFO(TestType::name << " x = " << x << ", from output " << a << ", from input " << b);
        if (std::isnan(b)) {
          CHECK(std::isnan(a));
        } else if (std::isinf(b)) {
          CHECK(a == b);
        } else {
          CHECK(std::fabs(a - b) <= 8 * eps * std::fabs(b) + 8 * eps + from_output_slack(f));
        }
      }
    };
    check(0.0f);
    check(0.0);
  } else {
    SUCCEED(TestType::name << " has no derivative_from_output (checked by the concept)");
    STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<TestType>);
  }
}
