// What is specific to include/actfn/fn/tanh.hpp (tanh, softsign, hardtanh): the derivative
// identities, tanh = 2 sigmoid(2x) - 1, oddness and signed zeros, hardtanh's kinks and
// parameters, limits, NaN, derivative_from_output. Catalogue-wide properties (scalar == SIMD
// lane, tails of spans, in place, finite differences, ULP sweeps) live in test_properties.cpp
// and test_accuracy.cpp.
//
// Tolerances. An identity f'(x) = g(y) is checked with y = f(x) taken from the library and g(y)
// evaluated in long double, so two code paths (derivative and forward) are tied together. Each
// path is within its documented bound (F::bound, enforced by test_accuracy.cpp) of the true
// value, so |derivative(x) - g(y)| may reach
//   der_ulps ULPs of f'(x)                        the derivative's own error, plus
//   |g(y + e) - g(y)| for |e| <= fwd_ulps ULPs of y  y's error carried through g
//                                                   (<= |g'(y)| e + max|g''| e^2 / 2).
// The second term is the condition number of the identity at work: it is an absolute floor
// exactly where g cancels (1 - y^2 and (1 - |y|)^2 as |y| -> 1). ULPs are taken at the computed
// value, which may sit one binade below the exact one, hence the factor 2 in err() (err, near,
// fwd_ulps and der_ulps are in support/bounds.hpp).
// The derivative's own error is counted in ULPs of f'(x) itself, with no absolute floor:
// tanh' (4 sigmoid'(2x)) and softsign' (1 / (1 + |x|)^2) never cancel, so they keep their
// relative accuracy in the tails, which is what these checks hold them to.
#include <actfn/core/span.hpp>
#include <actfn/fn/sigmoid.hpp>
#include <actfn/fn/tanh.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <iomanip>
#include <limits>
#include <vector>

#include "support/bounds.hpp"
#include "support/checks.hpp"
#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using ld = long double;
using namespace actfn_test;
using Catch::Matchers::Contains;

namespace {

/// x dense over [-30, 30] (fixed seed) plus the far tails, up to the largest finite value.
/// Infinities and NaN are tested on their own.
template <class T>
std::vector<T> identity_inputs() {
  return actfn_test::dense_and_tails<T>(3999, {T(0), T(1e-30), T(0.5), T(1), T(40), T(60),
                                               T(100), T(1e3), T(1e10),
                                               std::numeric_limits<T>::max()});
}

/// identity_inputs plus the infinities and NaN: for relations that must hold bit for bit.
template <class T>
std::vector<T> all_inputs() { return actfn_test::with_inf_nan(identity_inputs<T>()); }

}  // namespace

// ---- derivative identities ---------------------------------------------------------------

TEMPLATE_TEST_CASE("tanh'(x) = 1 - y^2 with y = tanh(x)", "[tanh][identity]", float, double) {
  using T = TestType;
  const actfn::tanh f;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    // 1 - y^2 factored: 1 - Y * Y would round the 106-bit square of a double to long double's
    // 64 bits and then cancel, losing about 1000 ULPs of double where |y| -> 1.
    const ld Y = y, g = (1 - Y) * (1 + Y);
    // g'(y) = -2y, g'' = -2.
    const ld e = err<T>(fwd_ulps<actfn::tanh, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    CHECK_THAT(f.derivative(x),
               near<T>(g, err<T>(der_ulps<actfn::tanh, T>, g) + 2 * std::fabs(Y) * e + e * e));
  }
}

TEMPLATE_TEST_CASE("softsign'(x) = 1 / (1 + |x|)^2 = (1 - |y|)^2 with y = softsign(x)",
                   "[softsign][identity]", float, double) {
  using T = TestType;
  const actfn::softsign f;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y, g = (1 - std::fabs(Y)) * (1 - std::fabs(Y));
    // |g'(y)| = 2 (1 - |y|), g'' = 2.
    const ld e = err<T>(fwd_ulps<actfn::softsign, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    CHECK_THAT(f.derivative(x), near<T>(g, err<T>(der_ulps<actfn::softsign, T>, g) +
                                               2 * (1 - std::fabs(Y)) * e + e * e));
  }
}

TEMPLATE_TEST_CASE("hardtanh' is 1 strictly inside (min_val, max_val) and 0 elsewhere",
                   "[hardtanh][identity]", float, double) {
  using T = TestType;
  // Inside is decided against the double bounds exactly (x converts to double exactly), also
  // where float cannot represent them: the bounds' roundings and their neighbours included.
  for (const actfn::hardtanh f : {actfn::hardtanh{}, actfn::hardtanh{-2, 0.5},
                                  actfn::hardtanh{-0.1, 0.3}, actfn::hardtanh{-0.3, 0.7},
                                  actfn::hardtanh{0.1, 0.2}}) {
    std::vector<T> xs = identity_inputs<T>();
    for (double b : {f.min_val, f.max_val})
      for (T x : around(static_cast<T>(b), 2)) xs.push_back(x);
    for (T x : xs) {
      INFO("hardtanh(" << f.min_val << ", " << f.max_val << "), x = " << std::setprecision(digits) << x);
      const double v = x;
      CHECK(f.derivative(x) == (v > f.min_val && v < f.max_val ? T(1) : T(0)));
    }
  }
}

TEMPLATE_TEST_CASE("hardtanh decides its kinks against the exact bounds", "[hardtanh][kink]",
                   float, double) {
  using T = TestType;
  // In float, -0.3 and 0.1 round up and 0.7 and 0.2 down: float(0.7) lies inside
  // hardtanh(-0.3, 0.7) (x itself, slope 1), float(0.1) inside hardtanh(0.1, 0.2), while
  // float(-0.3) lies below -0.3 (clamped to -0.3 rounded, which is itself; slope 0).
  const T inf = std::numeric_limits<T>::infinity();
  for (const actfn::hardtanh f : {actfn::hardtanh{-0.3, 0.7}, actfn::hardtanh{0.1, 0.2}}) {
    const T lo = static_cast<T>(f.min_val), hi = static_cast<T>(f.max_val);
    for (T x : {lo, hi, std::nextafter(lo, -inf), std::nextafter(lo, inf), std::nextafter(hi, -inf),
                std::nextafter(hi, inf)}) {
      INFO("hardtanh(" << f.min_val << ", " << f.max_val << "), x = " << std::setprecision(digits)
                       << x);
      const double v = x;
      const bool inside = v > f.min_val && v < f.max_val;
      CHECK(f.derivative(x) == (inside ? 1 : 0));
      CHECK(same_bits(f(x), v < f.min_val ? lo : v > f.max_val ? hi : x));
      CHECK(f.backward(x, T(3)) == (inside ? 3 : 0));
    }
  }
}

// ---- far tails: derivatives and backward below the normal range --------------------------------
// Measured with the one error measure against the independent references (support/reference.hpp,
// backward against the exact product dy f'(x)); results below the smallest normal number count
// in units of the smallest subnormal, so a flushed or few-bit result fails by millions of ULPs.

TEMPLATE_TEST_CASE("tanh backward where tanh' is subnormal: dy f' rounded from exp, not from f'",
                   "[tanh][backward][tail]", float, double) {
  using T = TestType;
  using F = actfn::tanh;
  const F f;
  const bool f32 = sizeof(T) == 4;
  // tanh'(50) = 4 exp(-100) = 1.5e-43, a subnormal float of 7 bits; 1e10 times it is 1.5e-33.
  // For double, tanh'(360) = 4 exp(-720) = 1.2e-312.
  const std::vector<T> xs =
      f32 ? std::vector<T>{T(43.5), T(44), T(45), T(50), T(-50), T(52.78), T(60), T(70), T(80),
                           T(87), T(100)}
          : std::vector<T>{T(354.5), T(355), T(360), T(-360), T(370), T(400), T(600), T(700),
                           T(740)};
  const std::vector<T> dys = {T(1e10), T(-3e7), T(1), T(0.75), T(-0x1p25), T(0x1p-24),
                              std::numeric_limits<T>::max() / 3, -std::numeric_limits<T>::max()};
  check_backward_grid(f, xs, dys);
  // The example: x = 50, dy = 1e10 (float) / x = 360, dy = 1e300 (double).
  const T x = f32 ? T(50) : T(360), dy = f32 ? T(1e10) : T(1e300);
  const ld e = std::exp(-2 * ld(x)), want = ld(dy) * 4 * e / ((1 + e) * (1 + e));
  INFO("backward = " << show(f.backward(x, dy)) << ", want " << show(want));
  CHECK(f.backward(x, dy) >= std::numeric_limits<T>::min());
  CHECK(ulp_error<T>(f.backward(x, dy), want) <= F::bound.backward_ulp(f32));
}

TEMPLATE_TEST_CASE("tanh backward: NaN, infinities and zeros", "[tanh][backward][nan][limits]",
                   float, double) {
  using T = TestType;
  const actfn::tanh f;
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  for (T x : {inf, -inf}) {
    CHECK(f.backward(x, T(2)) == 0);
    CHECK(f.backward(x, T(-1e30)) == 0);
    CHECK(std::isnan(f.backward(x, inf)));  // inf * 0
    CHECK(std::isnan(f.backward(x, nan)));
  }
  for (T x : {T(0), T(1), T(50), T(400), T(1e30)}) {
    INFO("x = " << show(x));
    CHECK(std::isnan(f.backward(nan, T(x))));
    CHECK(std::isnan(f.backward(x, nan)));
    CHECK(f.backward(x, T(0)) == 0);
  }
  CHECK(f.backward(T(0), T(3)) == 3);
  CHECK(f.backward(T(50), inf) == inf);  // f'(50) > 0: inf times it
}

TEMPLATE_TEST_CASE("softsign' and backward far out: rounded into the subnormal range, not flushed",
                   "[softsign][backward][tail]", float, double) {
  using T = TestType;
  using F = actfn::softsign;
  const F f;
  const bool f32 = sizeof(T) == 4;
  // softsign'(1e20) = 1e-40, a subnormal float; 1 / (1 + |x|)^2 squared first would give 0
  // (the square overflows past 2^64). 2^25 times it is 3.4e-33, a normal float.
  const T big = std::numeric_limits<T>::max();
  const std::vector<T> xs =
      f32 ? std::vector<T>{T(3e18), T(1.8e19), T(-1.8446744e19), T(4.8e19), T(1e20), T(-1e20),
                           T(4.2e22), T(1e30), T(1e37), T(1e38), big}
          : std::vector<T>{T(1e153), T(1.42e154), T(-2.5e154), T(1e160), T(1e200), T(1e300), big};
  const std::vector<T> dys = {T(1), T(-0x1p25), T(0x1p-24), T(1e10), T(-3.5), big / 2, -big};
  check_backward_grid(f, xs, dys);
  // The example: softsign'(1e20) (float) / softsign'(1e160) (double), exactly 1 / (1 + x)^2.
  const T x = f32 ? T(1e20) : T(1e160);
  const ld want = 1 / ((1 + ld(x)) * (1 + ld(x)));
  INFO("derivative = " << show(f.derivative(x)) << ", want " << show(want));
  CHECK(f.derivative(x) > 0);
  CHECK(ulp_error<T>(f.derivative(x), want) <= der_ulps<F, T>);
  // Infinities and NaN as dy f'(x): 0 at x = +-inf, NaN for inf * 0 and for NaN.
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  CHECK(f.derivative(inf) == 0);
  CHECK(f.backward(inf, T(3)) == 0);
  CHECK(f.backward(-inf, T(-3)) == 0);
  CHECK(std::isnan(f.backward(inf, inf)));
  CHECK(std::isnan(f.backward(nan, T(1))));
  CHECK(std::isnan(f.backward(T(1), nan)));
  CHECK(f.backward(x, inf) == inf);
  CHECK(f.backward(T(0), T(-2)) == -2);
}

// ---- identities linking the functions -------------------------------------------------------

TEMPLATE_TEST_CASE("tanh(x) = 2 sigmoid(2x) - 1", "[tanh][identity]", float, double) {
  using T = TestType;
  const actfn::tanh t;
  const actfn::sigmoid s;
  for (T x : identity_inputs<T>()) {
    const T tx = t(x), s2x = s(2 * x);  // 2x is exact (or overflows to inf, where sigmoid is 1)
    // The right side cancels for small |x| (2 * 0.5 - 1): s's error, 2 bound ULPs of s ~ 1/2,
    // is then an absolute floor far above tanh(x)'s own ULPs.
    const ld margin =
        err<T>(fwd_ulps<actfn::tanh, T>, tx) + 2 * err<T>(fwd_ulps<actfn::sigmoid, T>, s2x);
    INFO("x = " << std::setprecision(digits) << x);
    CHECK_THAT(tx, near<T>(2 * ld(s2x) - 1, margin));
  }
}

TEMPLATE_TEST_CASE("tanh, softsign and the default hardtanh are odd, bit for bit", "[tanh][softsign][hardtanh][odd]",
                   float, double) {
  using T = TestType;
  for (T x : all_inputs<T>()) {
    INFO("x = " << std::setprecision(digits) << x);
    CHECK(same_bits(actfn::tanh{}(-x), T(-actfn::tanh{}(x))));
    CHECK(same_bits(actfn::softsign{}(-x), T(-actfn::softsign{}(x))));
    CHECK(same_bits(actfn::hardtanh{}(-x), T(-actfn::hardtanh{}(x))));
    // and their derivatives even
    CHECK(same_bits(actfn::tanh{}.derivative(-x), actfn::tanh{}.derivative(x)));
    CHECK(same_bits(actfn::softsign{}.derivative(-x), actfn::softsign{}.derivative(x)));
    CHECK(same_bits(actfn::hardtanh{}.derivative(-x), actfn::hardtanh{}.derivative(x)));
  }
}

// ---- derivative_from_output ------------------------------------------------------------------

TEST_CASE("tanh, softsign and hardtanh offer derivative_from_output", "[tanh][concepts]") {
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::tanh>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::softsign>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::hardtanh>);
}

// derivative_from_output(y) must be g(y) to within the derivative's documented bound (it is a
// derivative, computed from y instead of x), and so agree with derivative(x) up to that bound
// plus y's error carried through g (the identity tolerance above).
TEMPLATE_TEST_CASE("tanh.derivative_from_output(y) = (1 - y)(1 + y) = tanh'(x)", "[tanh][from_output]",
                   float, double) {
  using T = TestType;
  const actfn::tanh f;
  const double bd = der_ulps<actfn::tanh, T>;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y, g = (1 - Y) * (1 + Y), e = err<T>(fwd_ulps<actfn::tanh, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    const T o = f.derivative_from_output(y);
    CHECK_THAT(o, near<T>(g, err<T>(bd, g)));
    CHECK_THAT(o, near<T>(f.derivative(x), 2 * err<T>(bd, g) + 2 * std::fabs(Y) * e + e * e));
  }
}

TEMPLATE_TEST_CASE("softsign.derivative_from_output(y) = (1 - |y|)^2 = softsign'(x)", "[softsign][from_output]",
                   float, double) {
  using T = TestType;
  const actfn::softsign f;
  const double bd = der_ulps<actfn::softsign, T>;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y, g = (1 - std::fabs(Y)) * (1 - std::fabs(Y));
    const ld e = err<T>(fwd_ulps<actfn::softsign, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    const T o = f.derivative_from_output(y);
    CHECK_THAT(o, near<T>(g, err<T>(bd, g)));
    CHECK_THAT(o, near<T>(f.derivative(x), 2 * err<T>(bd, g) + 2 * (1 - std::fabs(Y)) * e + e * e));
  }
}

TEMPLATE_TEST_CASE("hardtanh.derivative_from_output(hardtanh(x)) = hardtanh'(x), bit for bit",
                   "[hardtanh][from_output]", float, double) {
  using T = TestType;
  // Inside the interval y = x exactly, outside y is a bound, where both derivatives are 0.
  for (const actfn::hardtanh f : {actfn::hardtanh{}, actfn::hardtanh{-2, 0.5}, actfn::hardtanh{0, 6}}) {
    for (T x : all_inputs<T>()) {
      INFO("hardtanh(" << f.min_val << ", " << f.max_val << "), x = " << std::setprecision(digits) << x);
      CHECK(same_bits(f.derivative_from_output(f(x)), f.derivative(x)));
    }
  }
}

// ---- PyTorch semantics: kinks, limits, signed zeros, NaN ---------------------------------------

TEMPLATE_TEST_CASE("hardtanh at its kinks: derivative 0 (PyTorch), 1 only strictly inside",
                   "[hardtanh][kink]", float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  for (const actfn::hardtanh f : {actfn::hardtanh{}, actfn::hardtanh{-2, 0.5}, actfn::hardtanh{-0.1, 0.3}}) {
    const T lo = static_cast<T>(f.min_val), hi = static_cast<T>(f.max_val);
    INFO("hardtanh(" << f.min_val << ", " << f.max_val << ")");
    CHECK(f(lo) == lo);
    CHECK(f(hi) == hi);
    CHECK(f.derivative(lo) == 0);
    CHECK(f.derivative(hi) == 0);
    CHECK(f.derivative_from_output(lo) == 0);
    CHECK(f.derivative_from_output(hi) == 0);
    CHECK(f.derivative(std::nextafter(lo, hi)) == 1);
    CHECK(f.derivative(std::nextafter(hi, lo)) == 1);
    CHECK(f.derivative(std::nextafter(lo, -inf)) == 0);
    CHECK(f.derivative(std::nextafter(hi, inf)) == 0);
    CHECK(f(std::nextafter(lo, -inf)) == lo);
    CHECK(f(std::nextafter(hi, inf)) == hi);
  }
}

TEMPLATE_TEST_CASE("limits at +-inf", "[tanh][softsign][hardtanh][limits]", float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity(), big = std::numeric_limits<T>::max();
  const actfn::tanh t;
  CHECK(t(inf) == 1);
  CHECK(t(-inf) == -1);
  CHECK(t.derivative(inf) == 0);
  CHECK(t.derivative(-inf) == 0);
  CHECK(t.derivative_from_output(T(1)) == 0);
  CHECK(t.derivative_from_output(T(-1)) == 0);
  const actfn::softsign s;
  CHECK(s(inf) == 1);
  CHECK(s(-inf) == -1);
  CHECK(s(big) == 1);  // x / (1 + |x|) = max / max, no inf / inf
  CHECK(s(-big) == -1);
  CHECK(s.derivative(inf) == 0);
  CHECK(s.derivative(-inf) == 0);
  CHECK(s.derivative_from_output(T(1)) == 0);
  CHECK(s.derivative_from_output(T(-1)) == 0);
  const actfn::hardtanh h{-2, 0.5};
  CHECK(h(inf) == T(0.5));
  CHECK(h(-inf) == -2);
  CHECK(h.derivative(inf) == 0);
  CHECK(h.derivative(-inf) == 0);
}

TEMPLATE_TEST_CASE("signed zeros: tanh(-0) = softsign(-0) = hardtanh(-0) = -0", "[tanh][softsign][hardtanh][zero]",
                   float, double) {
  using T = TestType;
  for (T z : {T(0), -T(0)}) {
    INFO("x = " << z);
    const bool neg = std::signbit(z);
    CHECK(actfn::tanh{}(z) == 0);
    CHECK(std::signbit(actfn::tanh{}(z)) == neg);
    CHECK(actfn::softsign{}(z) == 0);
    CHECK(std::signbit(actfn::softsign{}(z)) == neg);
    for (const actfn::hardtanh h : {actfn::hardtanh{}, actfn::hardtanh{-2, 0.5}}) {
      CHECK(h(z) == 0);
      CHECK(std::signbit(h(z)) == neg);  // "inside the interval x is returned as is"
      CHECK(h.derivative(z) == 1);
    }
    CHECK(actfn::tanh{}.derivative(z) == 1);
    CHECK(actfn::softsign{}.derivative(z) == 1);
    CHECK(actfn::tanh{}.derivative_from_output(z) == 1);
    CHECK(actfn::softsign{}.derivative_from_output(z) == 1);
  }
}

TEMPLATE_TEST_CASE("NaN in gives NaN out: forward, derivative, derivative_from_output",
                   "[tanh][softsign][hardtanh][nan]", float, double) {
  using T = TestType;
  check_nan_in_nan_out<T>(actfn::tanh{});
  check_nan_in_nan_out<T>(actfn::softsign{});
  check_nan_in_nan_out<T>(actfn::hardtanh{});
  check_nan_in_nan_out<T>(actfn::hardtanh{0, 6});
}

// ---- parameters -------------------------------------------------------------------------------

TEST_CASE("hardtanh's defaults are PyTorch's: min_val = -1, max_val = 1", "[hardtanh][parameters]") {
  const actfn::hardtanh h;
  CHECK(h.min_val == -1.0);
  CHECK(h.max_val == 1.0);
}

TEMPLATE_TEST_CASE("hardtanh(min_val, max_val) clamps to [min_val, max_val]", "[hardtanh][parameters]",
                   float, double) {
  using T = TestType;
  // Below min_val the result is min_val rounded to T (the nearest T: the correctly rounded
  // result), above max_val likewise; in between x itself.
  for (const actfn::hardtanh f : {actfn::hardtanh{-2, 0.5}, actfn::hardtanh{-0.1, 0.3},
                                  actfn::hardtanh{3, 1e6}, actfn::hardtanh{-0.3, 0.7},
                                  actfn::hardtanh{0.1, 0.2}}) {
    const T lo = static_cast<T>(f.min_val), hi = static_cast<T>(f.max_val);
    for (T x : all_inputs<T>()) {
      INFO("hardtanh(" << f.min_val << ", " << f.max_val << "), x = " << std::setprecision(digits) << x);
      const double v = x;
      CHECK(same_bits(f(x), std::isnan(x) ? x : v < f.min_val ? lo : v > f.max_val ? hi : x));
    }
  }
}

TEST_CASE("hardtanh refuses min_val >= max_val and non-finite bounds, naming them", "[hardtanh][parameters]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  REQUIRE_THROWS_AS(actfn::hardtanh(1, 1), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::hardtanh(1, 1), Contains("min_val = 1") && Contains("max_val = 1"));
  REQUIRE_THROWS_AS(actfn::hardtanh(2, -2), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::hardtanh(2, -2), Contains("min_val = 2") && Contains("max_val = -2"));
  REQUIRE_THROWS_AS(actfn::hardtanh(nan, 1), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::hardtanh(nan, 1), Contains("min_val") && Contains("nan"));
  REQUIRE_THROWS_AS(actfn::hardtanh(-1, inf), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::hardtanh(-1, inf), Contains("max_val") && Contains("inf"));
  REQUIRE_THROWS_WITH(actfn::hardtanh(-inf, 1), Contains("min_val") && Contains("-inf"));
  REQUIRE_NOTHROW(actfn::hardtanh(0.5, std::nextafter(0.5, 1.0)));
}

// ---- the span path -----------------------------------------------------------------------------

TEMPLATE_TEST_CASE("tanh through actfn::forward, derivative and backward_from_output", "[tanh][span]",
                   float, double) {
  using T = TestType;
  const actfn::tanh f;
  const auto x = identity_inputs<T>();
  REQUIRE(x.size() % 2 == 1);  // odd: every batch width leaves a tail for the span loop
  const auto dy = actfn_test::random_inputs<T>(x.size(), T(-2), T(2), 7);
  std::vector<T> y(x.size()), d(x.size()), dx_from_y(x.size());
  actfn::forward(f, x, y);
  actfn::derivative(f, x, d);
  actfn::backward_from_output(f, y, dy, dx_from_y);
  const double bd = der_ulps<actfn::tanh, T>;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const ld Y = y[i], g = (1 - Y) * (1 + Y), e = err<T>(fwd_ulps<actfn::tanh, T>, Y);
    INFO("x = " << std::setprecision(digits) << x[i] << ", dy = " << dy[i]);
    CHECK_THAT(d[i], near<T>(g, err<T>(bd, g) + 2 * std::fabs(Y) * e + e * e));
    const ld want = dy[i] * g;  // dx = dy f'(y): the derivative's bound scaled by |dy|, plus the product's rounding
    CHECK_THAT(dx_from_y[i], near<T>(want, std::fabs(ld(dy[i])) * err<T>(bd, g) + err<T>(0.5, want)));
  }
}
