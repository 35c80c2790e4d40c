// What is specific to mish (include/actfn/fn/mish.hpp): its derivative identity, its definition
// through softplus, limits, the large negative tail, NaN, the absence of
// derivative_from_output, and the span path. Catalogue-wide properties (scalar == SIMD lane,
// every tail length, in place, finite differences, ULP sweeps) are in
// tests/test_properties.cpp and tests/test_accuracy.cpp.
//
// Tolerances: an error of b ULPs is a relative error of at most b * eps (an ULP of y is at most
// eps * |y|). The long double right-hand sides are rounded to double for Catch's matchers,
// which costs up to half an ULP of a double result: rel<T>(b) = (b + 1/2) eps
// (support/bounds.hpp, with eps, fwd_ulps and der_ulps: F's documented bounds for T).
// Derivatives are held to the one derivative measure (derivative_error,
// support/reference.hpp; docs/accuracy.md): relative ULPs, except in ULPs of the two terms'
// magnitudes inside the window around f's zero crossing.
// Dense loops use REQUIRE: the first failure ends the test case and names its input.
#include <actfn/core/span.hpp>
#include <actfn/fn/mish.hpp>
#include <actfn/fn/softplus.hpp>
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
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

}  // namespace

TEMPLATE_TEST_CASE("mish' = tanh(sp) + x sigmoid(x) sech^2(sp), sp = softplus(x)", "[mish]", float, double) {
  using T = TestType;
  using F = actfn::mish;
  const F f;
  // Right-hand side from independent long double formulas. mish' is a sum of two terms,
  // tanh(sp) ~ e^x and x sigmoid(x) sech^2(sp) ~ x e^x for x << 0, that cancel near the zero
  // crossing at x = -1.19, and mildly in the left tail (their magnitudes add up to
  // (1 + |x|) / (|x| - 1) times their sum: 1.5 at x = -5): the library's error is a few ULPs of
  // the terms, not of their sum. So the tolerance is der_ulps relative to
  // |tanh(sp)| + |x sigmoid(x) sech^2(sp)|: relative to mish' wherever the terms do not cancel,
  // an absolute floor of der_ulps ULPs of about 1 around x = -1.19.
  for (const T x : grid<T>(exp_arg_lowest<T>, 40, 6000)) {
    const ld sp = actfn_test::ref_softplus(x);
    const ld t = std::tanh(sp);
    const ld slope = x * actfn_test::ref_sigmoid(x) * actfn_test::ref_tanh_slope(sp);
    const ld rhs = t + slope;
    const T got = f.derivative(x);
    INFO("x = " << show(x) << ", mish'(x) = " << show(got) << ", want " << show(rhs));
    REQUIRE_THAT(got, WithinAbs(double(rhs), rel<T>(der_ulps<F, T>) * double(t + std::fabs(slope))));
  }
}

TEMPLATE_TEST_CASE("mish(x) = x tanh(softplus(x)), with actfn::softplus", "[mish][softplus]", float, double) {
  using T = TestType;
  using F = actfn::mish;
  // The definition, with the library's own softplus. Its error (softplus's bound) reaches
  // tanh(sp) scaled by the condition number 2 sp / sinh(2 sp) <= 1, so the two sides differ by
  // at most the sum of the two bounds. softplus's threshold (x > 20: sp = x) changes sp by
  // less than e^-20, which tanh(sp) ~ 1 - 2e^-40 does not see.
  const F f;
  const actfn::softplus sp;
  for (const T x : grid<T>(exp_arg_lowest<T>, 40, 6000)) {
    const T s = sp(x);
    const ld rhs = x * std::tanh(static_cast<ld>(s));
    const T got = f(x);
    INFO("x = " << show(x) << ", mish(x) = " << show(got) << ", x tanh(softplus(x)) = " << show(rhs));
    REQUIRE_THAT(got, WithinRel(double(rhs), rel<T>(fwd_ulps<F, T> + fwd_ulps<actfn::softplus, T>)));
  }
}

TEMPLATE_TEST_CASE("mish: limits at +-inf, zero, NaN", "[mish]", float, double) {
  using T = TestType;
  const actfn::mish f;
  CHECK(f(-inf<T>) == 0);  // PyTorch 1.13 gives NaN here
  CHECK(f(inf<T>) == inf<T>);
  CHECK(f.derivative(-inf<T>) == 0);
  CHECK(f.derivative(inf<T>) == 1);
  CHECK(f(T(0)) == 0);
  CHECK(f(-T(0)) == 0);
  // mish'(0) = tanh(log 2) = 3/5.
  CHECK_THAT(f.derivative(T(0)), WithinRel(0.6, rel<T>(der_ulps<actfn::mish, T>)));
  CHECK(std::isnan(f(qnan<T>)));
  CHECK(std::isnan(f.derivative(qnan<T>)));
  // Past the switch to the identity (x > 20) and far beyond, no overflow.
  for (const T x : {std::nextafter(T(20), T(21)), T(21), T(100), T(1e30), std::numeric_limits<T>::max()}) {
    INFO("x = " << show(x));
    CHECK_THAT(f(x), WithinRel(double(x), rel<T>(0)));
    CHECK(f.derivative(x) == 1);
  }
}

TEMPLATE_TEST_CASE("mish is accurate for large negative x", "[mish]", float, double) {
  using T = TestType;
  using F = actfn::mish;
  // mish(x) ~ x e^x here: tiny, negative, no cancellation allowed (mish(-50) = -9.6e-21).
  // Down to where x e^x is still a normal number of T, past where e^x alone is not
  // (float: e^-90 = 8e-40, -90 e^-90 = -7.4e-38; double: e^-712 = 6e-310, -712 e^-712 = -4e-307).
  const std::vector<T> xs = sizeof(T) == 4 ? std::vector<T>{-5, -10, -20, -50, -80, -85, -88, -90}
                                           : std::vector<T>{-5, -10, -20, -50, -100, -300, -700, -705, -710, -712};
  const F f;
  using ref = actfn_test::reference<F>;
  for (const T x : xs) {
    INFO("x = " << show(x) << ", mish(x) = " << show(f(x)) << ", want " << show(ref::f(f, x)));
    CHECK(ulp_error<T>(f(x), ref::f(f, x)) <= fwd_ulps<F, T>);
    CHECK(derivative_error<T>(f, x, f.derivative(x)) <= der_ulps<F, T>);
  }
}

TEST_CASE("mish has no derivative_from_output", "[mish]") {
  // mish dips to -0.31 at x = -1.19 and comes back, so y does not determine x.
  STATIC_REQUIRE(actfn::activation<actfn::mish>);
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::mish>);
}

TEMPLATE_TEST_CASE("mish through actfn::forward and actfn::backward on a vector", "[mish]", float, double) {
  using T = TestType;
  using F = actfn::mish;
  // 37 elements: a ragged tail on every instruction set; across the switch at x = 20.
  // dy: powers of two, so dy * f'(x) is exact and the bound is f's own.
  std::vector<T> x = grid<T>(-30, 30, 32);
  for (const T v : {T(20), std::nextafter(T(20), T(21)), inf<T>, -inf<T>, qnan<T>}) x.push_back(v);
  std::vector<T> dy(x.size());
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = (i % 2 ? T(-0.5) : T(4));
  std::vector<T> y(x.size()), dx(x.size());
  const F f;
  actfn::forward(f, x, y);
  actfn::backward(f, x, dy, dx);
  using ref = actfn_test::reference<F>;
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << show(x[i]) << ", y = " << show(y[i]) << ", dx = " << show(dx[i]));
    CHECK(ulp_error<T>(y[i], ref::f(f, x[i])) <= fwd_ulps<F, T>);
    CHECK(derivative_error<T>(f, x[i], T(dx[i] / dy[i])) <= der_ulps<F, T>);  // dy: a power of two
  }
}
