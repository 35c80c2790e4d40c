// What is specific to the shrink functions (include/actfn/fn/shrink.hpp: hardshrink,
// softshrink, tanhshrink): tanhshrink's derivative identity and its accuracy near 0, the
// identities linking the three, PyTorch's kinks at +-lambd, limits, NaN (softshrink(NaN) is
// NaN, unlike PyTorch 1.13), signed zeros (all three are odd), derivative_from_output and
// lambd. Catalogue-wide properties (scalar == SIMD lane, every tail length, in place, finite
// differences, ULP sweeps with default parameters) are in tests/test_properties.cpp and
// tests/test_accuracy.cpp.
//
// Tolerances: an error of b ULPs is a relative error of at most b * eps (an ULP of y is at most
// eps * |y|). The long double right-hand sides are rounded to double for Catch's matchers,
// which costs up to half an ULP of a double result: rel<T>(b) = (b + 1/2) eps
// (support/bounds.hpp, with eps, fwd_ulps and der_ulps: F's documented bounds for T).
// Derivatives are held to that relative measure too: the one derivative measure
// (docs/accuracy.md) outside the windows around zero crossings, which these functions lack.
// Dense loops use REQUIRE: the first failure ends the test case and names its input.
// `lambds` are exact in float, so T holds the parameter itself; `inexact_lambds` are not, and
// |x| > lambd is then decided against the double parameter (x converts to double exactly).
#include <actfn/core/span.hpp>
#include <actfn/fn/shrink.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "support/bounds.hpp"
#include "support/checks.hpp"
#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using namespace actfn_test;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;
using Catch::Matchers::WithinULP;

namespace {

// Inputs for the hard and soft shrinks: a grid, the kinks at +-lambd and their neighbours.
template <class T>
std::vector<T> shrink_inputs(double lambd) {
  std::vector<T> xs = grid<T>(-4, 4, 800);
  for (const T k : {T(lambd), T(-lambd)}) {
    xs.insert(xs.end(), {k, std::nextafter(k, -inf<T>), std::nextafter(k, inf<T>)});
  }
  return xs;
}

constexpr double lambds[] = {0.5, 0.0, 0.25, 1.5, 3.0};
// lambd values that float cannot represent: 0.3, 2.7 and 0.001 round up, 0.7 down.
constexpr double inexact_lambds[] = {0.3, 2.7, 0.001, 0.7};
constexpr double all_lambds[] = {0.5, 0.0, 0.25, 1.5, 3.0, 0.3, 2.7, 0.001, 0.7};

}  // namespace

TEMPLATE_TEST_CASE("tanhshrink' = tanh^2", "[tanhshrink]", float, double) {
  using T = TestType;
  using F = actfn::tanhshrink;
  const F f;
  // tanh^2(x) from long double; relative, including near 0 where it is x^2 (tanh^2 stays a
  // normal number of T for |x| > 1e-15, the smallest |x| on this grid besides 0).
  std::vector<T> xs = grid<T>(-30, 30, 6000);
  for (const T x : {T(1e-3), T(-1e-7), T(1e-15), T(0.75), T(-1.5)}) xs.push_back(x);
  for (const T x : xs) {
    const ld t = std::tanh(static_cast<ld>(x));
    const T got = f.derivative(x);
    INFO("x = " << show(x) << ", tanhshrink'(x) = " << show(got) << ", tanh^2(x) = " << show(t * t));
    REQUIRE_THAT(got, WithinRel(double(t * t), rel<T>(der_ulps<F, T>)));
  }
}

TEMPLATE_TEST_CASE("tanhshrink' and backward near 0, below the normal range: rounded, not flushed",
                   "[tanhshrink][backward][tail]", float, double) {
  using T = TestType;
  using F = actfn::tanhshrink;
  const F f;
  const bool f32 = sizeof(T) == 4;
  // tanhshrink'(x) = tanh(x)^2 = x^2 (1 - 2x^2/3 + ...): below |x| = 2^-63 (float) / 2^-511
  // (double) a subnormal, e.g. 6.6e-46 at x = 2.568e-23, where 2^25 times it is 2.2e-38, a
  // normal float (double: 1e-312 at x = 1e-156, 3.4e-305 times 2^25); dy (t t) would carry
  // t t's few bits into it.
  const T tiny = std::numeric_limits<T>::denorm_min();
  const std::vector<T> xs =
      f32 ? std::vector<T>{T(1e-19), T(-1e-20), T(2.56797291e-23), T(1e-30), T(3e-38), tiny}
          : std::vector<T>{T(1e-155), T(-1e-160), T(1e-156), T(1e-200), T(1e-300), tiny};
  const std::vector<T> dys = {T(1), T(-0x1p25), T(0x1p-24), T(1e10), T(-3.5),
                              std::numeric_limits<T>::max()};
  check_backward_grid(f, xs, dys);
  // The example, against x^2 (1 - 2x^2 / 3) in long double (the next term is far below it).
  const T x = f32 ? T(2.56797291e-23) : T(1e-156), dy = T(0x1p25);
  const ld x2 = ld(x) * ld(x), want = ld(dy) * x2 * (1 - 2 * x2 / 3);
  INFO("backward = " << show(f.backward(x, dy)) << ", want " << show(want));
  CHECK(std::fabs(f.backward(x, dy)) >= std::numeric_limits<T>::min());
  CHECK(ulp_error<T>(f.backward(x, dy), want) <= F::bound.backward_ulp(f32));
  CHECK(ulp_error<T>(f.derivative(x), x2 * (1 - 2 * x2 / 3)) <= der_ulps<F, T>);
  // Zeros, infinities and NaN as dy f'(x).
  CHECK(f.backward(T(0), T(5)) == 0);
  CHECK(std::isnan(f.backward(T(0), inf<T>)));  // inf * 0
  CHECK(f.backward(T(1e-20), inf<T>) == inf<T>);
  CHECK(f.backward(inf<T>, T(-2)) == -2);
  CHECK(std::isnan(f.backward(qnan<T>, T(1))));
  CHECK(std::isnan(f.backward(T(1), qnan<T>)));
}

TEMPLATE_TEST_CASE("tanhshrink(x) = x - tanh(x), exact near 0", "[tanhshrink]", float, double) {
  using T = TestType;
  using F = actfn::tanhshrink;
  const F f;
  // Away from 0 the subtraction in long double is trustworthy: for |x| >= 1/2 it loses at most
  // 4 of long double's 64 bits (x / (x - tanh x) <= 13.2), leaving 7 more than double has.
  for (const T x : grid<T>(-40, 40, 8000)) {
    if (std::fabs(x) < 0.5) continue;
    const ld rhs = x - std::tanh(static_cast<ld>(x));
    const T got = f(x);
    INFO("x = " << show(x) << ", tanhshrink(x) = " << show(got) << ", x - tanh(x) = " << show(rhs));
    REQUIRE_THAT(got, WithinRel(double(rhs), rel<T>(fwd_ulps<F, T>)));
  }
  // Near 0, x - tanh x = x^3/3 - 2x^5/15 + 17x^7/315 - 62x^9/2835 + ...: the first term left
  // out, 1382x^11/155925, is 3e-26 of x^3/3 at x = 1e-3, far below long double's rounding.
  // Computing x - tanh(x) directly in T would give 0 or noise here.
  for (const T x : {T(1e-3), T(-1e-3), T(3e-4), T(1e-5), T(1e-10), T(-1e-10), T(1e-12)}) {
    const ld v = x, v2 = v * v;
    const ld series = v * v2 * (1.0L / 3 - v2 * (2.0L / 15 - v2 * (17.0L / 315 - v2 * 62.0L / 2835)));
    const T got = f(x);
    INFO("x = " << show(x) << ", tanhshrink(x) = " << show(got) << ", series " << show(series));
    CHECK(ulp_error<T>(got, series) <= fwd_ulps<F, T>);
  }
}

TEMPLATE_TEST_CASE("softshrink(x) = x - clamp(x, -lambd, lambd)", "[softshrink]", float, double) {
  using T = TestType;
  using F = actfn::softshrink;
  // x - lambd is one rounding of an exact long double difference (x and lambd are close in
  // exponent here), so the documented 1 ULP is checked as it stands.
  for (const double lambd : lambds) {
    const F f(lambd);
    for (const T x : shrink_inputs<T>(lambd)) {
      const ld l = lambd;
      const ld rhs = x - std::clamp(static_cast<ld>(x), -l, l);
      INFO("lambd = " << lambd << ", x = " << show(x) << ", softshrink(x) = " << show(f(x)));
      REQUIRE_THAT(f(x), WithinULP(static_cast<T>(rhs), static_cast<std::uint64_t>(fwd_ulps<F, T>)));
    }
  }
}

TEMPLATE_TEST_CASE("hardshrink(x) is x where softshrink(x) != 0, else 0", "[hardshrink][softshrink]",
                   float, double) {
  using T = TestType;
  // Both are 0 exactly on |x| <= lambd; outside, softshrink(x) = x -+ lambd is not 0 (two
  // different floats never subtract to 0, nor does |x| - lambd rounded) and hardshrink(x) = x.
  for (const double lambd : all_lambds) {
    const actfn::hardshrink h(lambd);
    const actfn::softshrink s(lambd);
    for (const T x : shrink_inputs<T>(lambd)) {
      INFO("lambd = " << lambd << ", x = " << show(x));
      REQUIRE(h(x) == (s(x) == 0 ? T(0) : x));
    }
  }
}

TEMPLATE_TEST_CASE("hardshrink and softshrink: derivative 1 outside [-lambd, lambd], 0 on it",
                   "[hardshrink][softshrink]", float, double) {
  using T = TestType;
  for (const double lambd : all_lambds) {
    const actfn::hardshrink h(lambd);
    const actfn::softshrink s(lambd);
    for (const T x : shrink_inputs<T>(lambd)) {
      INFO("lambd = " << lambd << ", x = " << show(x));
      const T want = std::fabs(double(x)) > lambd ? T(1) : T(0);
      REQUIRE(h.derivative(x) == want);
      REQUIRE(s.derivative(x) == want);
    }
  }
  for (const double lambd : lambds) {
    const actfn::hardshrink h(lambd);
    const actfn::softshrink s(lambd);
    // The kinks themselves: 0, as PyTorch; the values there are 0 too.
    for (const T k : {T(lambd), T(-lambd)}) {
      INFO("lambd = " << lambd << ", x = " << show(k));
      CHECK(h.derivative(k) == 0);
      CHECK(s.derivative(k) == 0);
      CHECK(h(k) == 0);
      CHECK(s(k) == 0);
    }
  }
}

TEMPLATE_TEST_CASE("hardshrink and softshrink with lambd inexact in float: the exact kink",
                   "[hardshrink][softshrink][kink]", float, double) {
  using T = TestType;
  for (const double lambd : inexact_lambds) {
    const actfn::hardshrink h(lambd);
    const actfn::softshrink s(lambd);
    std::vector<T> xs = shrink_inputs<T>(lambd);
    for (const T x : around(static_cast<T>(lambd), 40)) xs.insert(xs.end(), {x, T(-x)});
    for (const T x : xs) {
      const bool out = std::fabs(double(x)) > lambd;
      INFO("lambd = " << lambd << ", x = " << show(x) << (out ? " (outside)" : " (inside)"));
      REQUIRE(same_bits(h(x), out ? x : T(x * 0)));
      REQUIRE(h.derivative(x) == (out ? 1 : 0));
      REQUIRE(s.derivative(x) == (out ? 1 : 0));
      if (!out) {
        REQUIRE(same_bits(s(x), T(x * 0)));
        continue;
      }
      // x -+ lambd in long double: exact near the kink (x and lambd within a factor 2: at most
      // 53 significant bits), and rounded far below an ULP of T elsewhere. Near the kink the
      // difference cancels to a few bits of x, where rounding lambd to T first cost up to
      // half an ULP of lambd, millions of ULPs of the result.
      const ld want = ld(x) - std::copysign(ld(lambd), ld(x));
      INFO("softshrink(x) = " << show(s(x)) << ", x -+ lambd = " << show(want));
      REQUIRE(ulp_error<T>(s(x), want) <= fwd_ulps<actfn::softshrink, T>);
      REQUIRE(std::signbit(s(x)) == std::signbit(x));
    }
  }
  // The examples: float(0.3) = 0.300000012 lies above 0.3, so hardshrink(0.3) keeps it and
  // softshrink(0.3) gives float(0.3) - 0.3 = 1.19e-8, correctly rounded; the float below is in
  // the dead zone.
  const T k = static_cast<T>(0.3);
  const bool above = double(k) > 0.3;
  CHECK(above == (sizeof(T) == 4));  // in double k is 0.3 itself: the kink
  CHECK(same_bits(actfn::hardshrink(0.3)(k), above ? k : T(0)));
  CHECK(actfn::hardshrink(0.3).derivative(k) == (above ? 1 : 0));
  CHECK(actfn::softshrink(0.3)(k) == (above ? static_cast<T>(ld(k) - ld(0.3)) : T(0)));
  CHECK(actfn::softshrink(0.3)(std::nextafter(k, T(0))) == 0);
  CHECK(actfn::hardshrink(0.3)(std::nextafter(k, T(0))) == 0);
  // A lambd beyond float's range: every finite float is in the dead zone, inf stays inf.
  const actfn::softshrink s_big(1e300);
  const actfn::hardshrink h_big(1e300);
  if (sizeof(T) == 4) CHECK(same_bits(s_big(std::numeric_limits<T>::max()), T(0)));
  CHECK(s_big(inf<T>) == inf<T>);
  CHECK(s_big(-inf<T>) == -inf<T>);
  CHECK(h_big(inf<T>) == inf<T>);
  CHECK(h_big.derivative(inf<T>) == 1);
  CHECK(s_big.derivative(T(1e30)) == 0);
}

TEMPLATE_TEST_CASE("shrinks: limits at +-inf and NaN", "[hardshrink][softshrink][tanhshrink]", float, double) {
  using T = TestType;
  const actfn::hardshrink h;
  const actfn::softshrink s;
  const actfn::tanhshrink t;
  for (const T x : {inf<T>, -inf<T>}) {
    INFO("x = " << show(x));
    CHECK(h(x) == x);
    CHECK(s(x) == x);
    CHECK(t(x) == x);
    CHECK(h.derivative(x) == 1);
    CHECK(s.derivative(x) == 1);
    CHECK(t.derivative(x) == 1);
    CHECK(h.derivative_from_output(h(x)) == 1);
    CHECK(s.derivative_from_output(s(x)) == 1);
  }
  const T n = qnan<T>;
  CHECK(std::isnan(h(n)));
  CHECK(std::isnan(s(n)));  // PyTorch 1.13 gives 0
  CHECK(std::isnan(t(n)));
  CHECK(std::isnan(h.derivative(n)));  // PyTorch 1.13 gives 1
  CHECK(std::isnan(s.derivative(n)));
  CHECK(std::isnan(t.derivative(n)));
  CHECK(std::isnan(h.derivative_from_output(n)));
  CHECK(std::isnan(s.derivative_from_output(n)));
  // With lambd = 0 too (nothing is inside the dead zone but 0 itself).
  CHECK(std::isnan(actfn::softshrink(0.0)(n)));
  CHECK(std::isnan(actfn::hardshrink(0.0)(n)));
}

TEMPLATE_TEST_CASE("shrinks are odd: f(-x) = -f(x) bit for bit, signed zeros kept",
                   "[hardshrink][softshrink][tanhshrink]", float, double) {
  using T = TestType;
  const actfn::tanhshrink t;
  auto check_odd = [](const auto& f, T x) {
    const T a = f(x), b = f(T(-x));
    INFO("x = " << show(x) << ", f(x) = " << show(a) << ", f(-x) = " << show(b));
    REQUIRE(a == -b);
    REQUIRE(std::signbit(a) != std::signbit(b));
  };
  for (const double lambd : all_lambds) {
    for (const T x : shrink_inputs<T>(lambd)) {
      check_odd(actfn::hardshrink(lambd), x);
      check_odd(actfn::softshrink(lambd), x);
    }
  }
  for (const T x : grid<T>(-20, 20, 4001)) check_odd(t, x);  // 4001: 0 is not on it
  // The method changes at |x| = 1 (float with FMA) or 1.5 (otherwise).
  for (const T x : {T(0), T(1e-3), T(1e-30), T(1), std::nextafter(T(1), T(0)), T(1.5),
                    std::nextafter(T(1.5), T(0))}) {
    check_odd(t, x);
  }
  // Zeros keep x's sign: at 0 itself, and inside the dead zone.
  const actfn::hardshrink h;
  const actfn::softshrink s;
  for (const T x : {T(-0.0), T(-0.25), T(-0.5)}) {
    INFO("x = " << show(x));
    CHECK((h(x) == 0 && std::signbit(h(x))));
    CHECK((s(x) == 0 && std::signbit(s(x))));
  }
  for (const T x : {T(0.0), T(0.25), T(0.5)}) {
    INFO("x = " << show(x));
    CHECK((h(x) == 0 && !std::signbit(h(x))));
    CHECK((s(x) == 0 && !std::signbit(s(x))));
  }
  CHECK((t(-T(0)) == 0 && std::signbit(t(-T(0)))));
  CHECK((t(T(0)) == 0 && !std::signbit(t(T(0)))));
}

TEMPLATE_TEST_CASE("hardshrink and softshrink: derivative_from_output(f(x)) = f'(x) exactly",
                   "[hardshrink][softshrink]", float, double) {
  using T = TestType;
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::hardshrink>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::softshrink>);
  // tanhshrink' = tanh^2 is no simple function of x - tanh x: the header gives none.
  STATIC_REQUIRE(actfn::activation<actfn::tanhshrink>);
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::tanhshrink>);
  // y = 0 exactly on [-lambd, lambd] (the kinks included), and only there.
  for (const double lambd : all_lambds) {
    const actfn::hardshrink h(lambd);
    const actfn::softshrink s(lambd);
    for (const T x : shrink_inputs<T>(lambd)) {
      INFO("lambd = " << lambd << ", x = " << show(x));
      REQUIRE(h.derivative_from_output(h(x)) == h.derivative(x));
      REQUIRE(s.derivative_from_output(s(x)) == s.derivative(x));
    }
  }
}

TEST_CASE("shrink parameters: PyTorch's default lambd, invalid values refused", "[hardshrink][softshrink]") {
  CHECK(actfn::hardshrink{}.lambd == 0.5);
  CHECK(actfn::softshrink{}.lambd == 0.5);
  using namespace Catch::Matchers;
  CHECK_THROWS_AS(actfn::hardshrink(-0.5), std::invalid_argument);
  CHECK_THROWS_AS(actfn::softshrink(-0.5), std::invalid_argument);
  CHECK_THROWS_WITH(actfn::hardshrink(-0.5), Contains("hardshrink") && Contains("lambd") && Contains("-0.5"));
  CHECK_THROWS_WITH(actfn::softshrink(-2.0), Contains("softshrink") && Contains("lambd") && Contains("-2"));
  CHECK_THROWS_WITH(actfn::hardshrink(std::nan("")), Contains("lambd") && Contains("nan"));
  CHECK_THROWS_WITH(actfn::softshrink(std::nan("")), Contains("lambd") && Contains("nan"));
  CHECK_THROWS_WITH(actfn::hardshrink(HUGE_VAL), Contains("lambd") && Contains("inf"));
  CHECK_THROWS_WITH(actfn::softshrink(HUGE_VAL), Contains("lambd") && Contains("inf"));
  CHECK_NOTHROW(actfn::hardshrink(0.0));
  CHECK_NOTHROW(actfn::softshrink(0.0));
}

TEMPLATE_TEST_CASE("shrinks through actfn::forward and actfn::backward_from_output on a vector",
                   "[hardshrink][softshrink][tanhshrink]", float, double) {
  using T = TestType;
  // 37 elements: a ragged tail on every instruction set; kinks, signed zeros, inf and NaN.
  std::vector<T> x = grid<T>(-3, 3, 29);
  for (const T v : {T(1.5), T(-1.5), T(0), -T(0), inf<T>, -inf<T>, qnan<T>}) x.push_back(v);
  std::vector<T> dy(x.size());
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = (i % 2 ? T(-0.5) : T(4));
  std::vector<T> y(x.size()), dx(x.size());

  const actfn::softshrink s(1.5);
  actfn::forward(s, x, y);
  actfn::backward_from_output(s, y, dy, dx);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << show(x[i]) << ", y = " << show(y[i]) << ", dx = " << show(dx[i]));
    if (std::isnan(x[i])) {
      CHECK(std::isnan(y[i]));
      CHECK(std::isnan(dx[i]));
      continue;
    }
    const ld l = 1.5;
    CHECK(y[i] == static_cast<T>(x[i] - std::clamp(static_cast<ld>(x[i]), -l, l)));
    CHECK(std::signbit(y[i]) == std::signbit(x[i]));
    CHECK(dx[i] == (std::fabs(x[i]) > 1.5 ? dy[i] : T(0)));
  }

  const actfn::tanhshrink t;
  actfn::forward(t, x, y);
  actfn::backward(t, x, dy, dx);
  using ref = actfn_test::reference<actfn::tanhshrink>;
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << show(x[i]) << ", y = " << show(y[i]) << ", dx = " << show(dx[i]));
    CHECK(ulp_error<T>(y[i], ref::f(t, x[i])) <= fwd_ulps<actfn::tanhshrink, T>);
    CHECK(ulp_error<T>(dx[i], dy[i] * ref::df(t, x[i])) <= der_ulps<actfn::tanhshrink, T>);
  }
}
