// What is specific to include/actfn/fn/sigmoid.hpp (sigmoid, log_sigmoid, hardsigmoid): the
// derivative identities, identities linking the functions, PyTorch's kinks and limits, signed
// zeros, NaN, derivative_from_output. Catalogue-wide properties (scalar == SIMD lane, tails of
// spans, in place, finite differences, ULP sweeps) live in test_properties.cpp and
// test_accuracy.cpp.
//
// Tolerances. An identity f'(x) = g(y) is checked with y = f(x) taken from the library and g(y)
// evaluated in long double, so two code paths (derivative and forward) are tied together. Each
// path is within its documented bound (F::bound, enforced by test_accuracy.cpp) of the true
// value, so |derivative(x) - g(y)| may reach
//   der_ulps ULPs of f'(x)                        the derivative's own error, plus
//   |g(y + e) - g(y)| for |e| <= fwd_ulps ULPs of y  y's error carried through g
//                                                   (<= |g'(y)| e + max|g''| e^2 / 2).
// The second term is the condition number of the identity at work: it is an absolute floor
// exactly where g cancels (sigmoid near 1, where y (1 - y) loses 1 - y). ULPs are taken at the
// computed value, which may sit one binade below the exact one, hence the factor 2 in err()
// (err, near, fwd_ulps and der_ulps are in support/bounds.hpp).
// The derivative's own error is counted in ULPs of f'(x) itself, with no absolute floor:
// sigmoid' (e / (1 + e)^2) and log_sigmoid' (a sigmoid) never cancel, so they keep their
// relative accuracy in the tails, which is what these checks hold them to.
#include <actfn/core/span.hpp>
#include <actfn/fn/sigmoid.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <type_traits>
#include <vector>

#include "support/bounds.hpp"
#include "support/checks.hpp"
#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using namespace actfn_test;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinULP;

namespace {

/// x dense over [-30, 30] (fixed seed) plus the far tails, up to the largest finite value.
/// Infinities and NaN are tested on their own.
template <class T>
std::vector<T> identity_inputs() {
  return actfn_test::dense_and_tails<T>(3999, {T(0), T(1e-30), T(0.5), T(40), T(60), T(80),
                                               T(100), T(1e3), T(1e10),
                                               std::numeric_limits<T>::max()});
}

}  // namespace

// ---- derivative identities ---------------------------------------------------------------

TEMPLATE_TEST_CASE("sigmoid'(x) = y (1 - y) with y = sigmoid(x)", "[sigmoid][identity]", float, double) {
  using T = TestType;
  const actfn::sigmoid f;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y;
    const ld g = Y * (1 - Y);
    // g'(y) = 1 - 2y, g'' = -2.
    const ld e = err<T>(fwd_ulps<actfn::sigmoid, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    CHECK_THAT(f.derivative(x), near<T>(g, err<T>(der_ulps<actfn::sigmoid, T>, g) +
                                               std::fabs(1 - 2 * Y) * e + e * e));
  }
}

TEMPLATE_TEST_CASE("log_sigmoid'(x) = sigmoid(-x) = 1 - exp(y) with y = log_sigmoid(x)",
                   "[log_sigmoid][identity]", float, double) {
  using T = TestType;
  const actfn::log_sigmoid f;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y;
    // 1 - exp(y) as -expm1(y): for y near 0, 1 - exp(y) would cancel even in long double.
    const ld g = -std::expm1(Y);
    // g'(y) = -exp(y): |g(y + e) - g(y)| = exp(y) |expm1(e)| <= exp(y) e (1 + e) for small e.
    const ld e = err<T>(fwd_ulps<actfn::log_sigmoid, T>, Y);
    const ld margin = err<T>(der_ulps<actfn::log_sigmoid, T>, g) + std::exp(Y) * e * (1 + e);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    CHECK_THAT(f.derivative(x), near<T>(g, margin));
  }
}

TEMPLATE_TEST_CASE("hardsigmoid' is 1/6 strictly inside (-3, 3) and 0 outside", "[hardsigmoid][identity]",
                   float, double) {
  using T = TestType;
  const actfn::hardsigmoid f;
  const T sixth = T(1) / T(6);  // the correctly rounded 1/6: the documented slope, 0 ULP off
  for (T x : identity_inputs<T>()) {
    INFO("x = " << std::setprecision(digits) << x);
    CHECK_THAT(f.derivative(x), WithinULP(x > -3 && x < 3 ? sixth : T(0), 0));
  }
}

// ---- identities linking the functions -------------------------------------------------------

TEMPLATE_TEST_CASE("sigmoid(x) + sigmoid(-x) = 1", "[sigmoid][identity]", float, double) {
  using T = TestType;
  const actfn::sigmoid f;
  for (T x : identity_inputs<T>()) {
    const T a = f(x), b = f(-x);
    const double bf = fwd_ulps<actfn::sigmoid, T>;
    INFO("x = " << std::setprecision(digits) << x);
    CHECK_THAT(ld(a) + ld(b), near<T>(1, err<T>(bf, a) + err<T>(bf, b)));
  }
}

TEMPLATE_TEST_CASE("log_sigmoid(x) = log(sigmoid(x)) where sigmoid(x) does not underflow",
                   "[log_sigmoid][identity]", float, double) {
  using T = TestType;
  const actfn::log_sigmoid f;
  const actfn::sigmoid s;
  for (T x : identity_inputs<T>()) {
    const T sx = s(x);
    if (sx < std::numeric_limits<T>::min()) continue;  // subnormal or 0: log(sigmoid) is not defined to ULPs
    // s's error e moves log(s) by at most e / (s - e).
    const ld e = err<T>(fwd_ulps<actfn::sigmoid, T>, sx);
    const ld g = std::log(ld(sx));
    INFO("x = " << std::setprecision(digits) << x << ", sigmoid(x) = " << sx);
    CHECK_THAT(f(x), near<T>(g, err<T>(fwd_ulps<actfn::log_sigmoid, T>, g) + e / (sx - e)));
  }
}

// ---- derivative_from_output ------------------------------------------------------------------

TEST_CASE("sigmoid, log_sigmoid and hardsigmoid offer derivative_from_output", "[sigmoid][concepts]") {
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::sigmoid>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::log_sigmoid>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::hardsigmoid>);
}

// derivative_from_output(y) must be g(y) to within the derivative's documented bound (it is a
// derivative, computed from y instead of x), and so agree with derivative(x) up to that bound
// plus y's error carried through g (the identity tolerance above).
TEMPLATE_TEST_CASE("sigmoid.derivative_from_output(y) = y (1 - y) = sigmoid'(x)", "[sigmoid][from_output]",
                   float, double) {
  using T = TestType;
  const actfn::sigmoid f;
  const double bd = der_ulps<actfn::sigmoid, T>;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y, g = Y * (1 - Y);
    const ld e = err<T>(fwd_ulps<actfn::sigmoid, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    const T o = f.derivative_from_output(y);
    CHECK_THAT(o, near<T>(g, err<T>(bd, g)));
    CHECK_THAT(o, near<T>(f.derivative(x), 2 * err<T>(bd, g) + std::fabs(1 - 2 * Y) * e + e * e));
  }
}

TEMPLATE_TEST_CASE("log_sigmoid.derivative_from_output(y) = 1 - exp(y) = log_sigmoid'(x)",
                   "[log_sigmoid][from_output]", float, double) {
  using T = TestType;
  const actfn::log_sigmoid f;
  const double bd = der_ulps<actfn::log_sigmoid, T>;
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    const ld Y = y, g = -std::expm1(Y);
    const ld e = err<T>(fwd_ulps<actfn::log_sigmoid, T>, Y);
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    const T o = f.derivative_from_output(y);
    CHECK_THAT(o, near<T>(g, err<T>(bd, g)));
    CHECK_THAT(o, near<T>(f.derivative(x), 2 * err<T>(bd, g) + std::exp(Y) * e * (1 + e)));
  }
}

TEMPLATE_TEST_CASE("hardsigmoid.derivative_from_output(y) is 1/6 for 0 < y < 1, else 0",
                   "[hardsigmoid][from_output]", float, double) {
  using T = TestType;
  const actfn::hardsigmoid f;
  const T sixth = T(1) / T(6);
  for (T y : actfn_test::random_inputs<T>(1000, T(-0.5), T(1.5))) {
    INFO("y = " << std::setprecision(digits) << y);
    CHECK_THAT(f.derivative_from_output(y), WithinULP(y > 0 && y < 1 ? sixth : T(0), 0));
  }
  CHECK(f.derivative_from_output(T(0)) == 0);
  CHECK(f.derivative_from_output(T(1)) == 0);
  CHECK(f.derivative_from_output(std::nextafter(T(0), T(1))) == sixth);
  CHECK(f.derivative_from_output(std::nextafter(T(1), T(0))) == sixth);
  // Wherever y = hardsigmoid(x) is strictly inside (0, 1), or x is outside [-3, 3], y tells
  // which piece x is on, and the two derivatives agree bit for bit.
  for (T x : identity_inputs<T>()) {
    const T y = f(x);
    if (!(y > 0 && y < 1) && x > -3 && x < 3) continue;  // (x + 3) / 6 rounded onto a kink value
    INFO("x = " << std::setprecision(digits) << x << ", y = " << y);
    CHECK(same_bits(f.derivative_from_output(y), f.derivative(x)));
  }
}

// ---- PyTorch semantics: kinks, limits, tails, signed zeros, NaN -----------------------------

TEMPLATE_TEST_CASE("hardsigmoid at its kinks: value 0 and 1, derivative 0 (PyTorch)", "[hardsigmoid][kink]",
                   float, double) {
  using T = TestType;
  const actfn::hardsigmoid f;
  const T sixth = T(1) / T(6);
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(f(T(-3)) == 0);
  CHECK(f(T(3)) == 1);
  CHECK(f.derivative(T(-3)) == 0);
  CHECK(f.derivative(T(3)) == 0);
  CHECK(f.derivative(std::nextafter(T(-3), T(0))) == sixth);
  CHECK(f.derivative(std::nextafter(T(3), T(0))) == sixth);
  CHECK(f.derivative(std::nextafter(T(-3), -inf)) == 0);
  CHECK(f.derivative(std::nextafter(T(3), inf)) == 0);
  // Just inside the lower kink the value is tiny but not 0: (x + 3) is exact there.
  const T above = std::nextafter(T(-3), T(0));
  CHECK_THAT(f(above), WithinULP(static_cast<T>((ld(above) + 3) / 6), 1));
  CHECK(f(above) > 0);
}

TEMPLATE_TEST_CASE("limits at +-inf", "[sigmoid][log_sigmoid][hardsigmoid][limits]", float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  const actfn::sigmoid s;
  CHECK(s(-inf) == 0);
  CHECK(s(inf) == 1);
  CHECK(s.derivative(-inf) == 0);
  CHECK(s.derivative(inf) == 0);
  CHECK(s.derivative_from_output(T(0)) == 0);
  CHECK(s.derivative_from_output(T(1)) == 0);
  const actfn::log_sigmoid l;
  CHECK(l(-inf) == -inf);
  CHECK(l(inf) == 0);
  CHECK(l.derivative(-inf) == 1);
  CHECK(l.derivative(inf) == 0);
  CHECK(l.derivative_from_output(-inf) == 1);
  CHECK(l.derivative_from_output(T(0)) == 0);
  const actfn::hardsigmoid h;
  CHECK(h(-inf) == 0);
  CHECK(h(inf) == 1);
  CHECK(h.derivative(-inf) == 0);
  CHECK(h.derivative(inf) == 0);
}

TEMPLATE_TEST_CASE("no overflow or spurious underflow in the tails", "[sigmoid][log_sigmoid][tails]",
                   float, double) {
  using T = TestType;
  const actfn::sigmoid s;
  const actfn::log_sigmoid l;
  const double bs = fwd_ulps<actfn::sigmoid, T>, bds = der_ulps<actfn::sigmoid, T>;
  const double bl = fwd_ulps<actfn::log_sigmoid, T>, bdl = der_ulps<actfn::log_sigmoid, T>;
  // Far tails whose true sigmoid is still a normal number of T: the result must be that tiny
  // number (to the documented bound), not 0. sigmoid(-100) = 3.7e-44 is normal for double only.
  const std::vector<T> far = std::is_same_v<T, float> ? std::vector<T>{-30, -60, -80, -87}
                                                      : std::vector<T>{-30, -100, -500, -700};
  for (T x : far) {
    INFO("x = " << x);
    const ld ref = actfn_test::reference<actfn::sigmoid>::f(s, x);
    REQUIRE(ref >= std::numeric_limits<T>::min());
    CHECK(actfn_test::ulp_error(s(x), ref) <= bs);
    CHECK(actfn_test::ulp_error(s.derivative(x), actfn_test::reference<actfn::sigmoid>::df(s, x)) <= bds);
    // log_sigmoid'(-x) = sigmoid(x): the same tiny number.
    CHECK(actfn_test::ulp_error(l.derivative(-x), ref) <= bdl);
    // log_sigmoid(x) = x - log1p(exp(x)): no exp(-x) overflow, the result is x to the last bit.
    CHECK(actfn_test::ulp_error(l(x), actfn_test::reference<actfn::log_sigmoid>::f(l, x)) <= bl);
  }
  CHECK_THAT(l(T(-100)), WithinULP(T(-100), static_cast<std::uint64_t>(bl)));
  CHECK_THAT(l(T(-1e30)), WithinULP(T(-1e30), static_cast<std::uint64_t>(bl)));
  CHECK(l(std::numeric_limits<T>::lowest()) == std::numeric_limits<T>::lowest());
  // The other side: log_sigmoid(30) = -log1p(exp(-30)) = -9.4e-14, not 0.
  CHECK(actfn_test::ulp_error(l(T(30)), actfn_test::reference<actfn::log_sigmoid>::f(l, 30)) <= bl);
}

TEMPLATE_TEST_CASE("signed zeros", "[sigmoid][log_sigmoid][hardsigmoid][zero]", float, double) {
  using T = TestType;
  // None of the three is odd, so the sign of zero cannot show in the value: both zeros give the
  // value at 0 (sigmoid 1/2 and hardsigmoid 1/2 exactly, log_sigmoid -log 2 to the bound).
  for (T z : {T(0), -T(0)}) {
    INFO("x = " << z);
    CHECK(actfn::sigmoid{}(z) == T(0.5));
    CHECK(actfn::sigmoid{}.derivative(z) == T(0.25));
    CHECK(actfn::hardsigmoid{}(z) == T(0.5));
    CHECK(actfn::log_sigmoid{}.derivative(z) == T(0.5));
    CHECK(actfn_test::ulp_error(actfn::log_sigmoid{}(z), -std::log(2.0L)) <=
          fwd_ulps<actfn::log_sigmoid, T>);
  }
}

TEMPLATE_TEST_CASE("NaN in gives NaN out: forward, derivative, derivative_from_output",
                   "[sigmoid][log_sigmoid][hardsigmoid][nan]", float, double) {
  using T = TestType;
  check_nan_in_nan_out<T>(actfn::sigmoid{});
  check_nan_in_nan_out<T>(actfn::log_sigmoid{});
  check_nan_in_nan_out<T>(actfn::hardsigmoid{});
}

// ---- the span path -----------------------------------------------------------------------------

TEMPLATE_TEST_CASE("sigmoid through actfn::forward, backward and backward_from_output", "[sigmoid][span]",
                   float, double) {
  using T = TestType;
  const actfn::sigmoid f;
  const auto x = identity_inputs<T>();
  REQUIRE(x.size() % 2 == 1);  // odd: every batch width leaves a tail for the span loop
  const auto dy = actfn_test::random_inputs<T>(x.size(), T(-2), T(2), 7);
  std::vector<T> y(x.size()), dx(x.size()), dx_from_y(x.size());
  actfn::forward(f, x, y);
  actfn::backward(f, x, dy, dx);
  actfn::backward_from_output(f, y, dy, dx_from_y);
  const double bd = der_ulps<actfn::sigmoid, T>;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const ld Y = y[i], g = Y * (1 - Y), e = err<T>(fwd_ulps<actfn::sigmoid, T>, Y);
    const ld G = std::fabs(ld(dy[i]));
    INFO("x = " << std::setprecision(digits) << x[i] << ", dy = " << dy[i]);
    // dx = dy f'(x): the identity's margin scaled by |dy|, plus the product's rounding.
    const ld want = dy[i] * g;
    CHECK_THAT(dx[i], near<T>(want, G * (err<T>(bd, g) + std::fabs(1 - 2 * Y) * e + e * e) + err<T>(0.5, want)));
    CHECK_THAT(dx_from_y[i], near<T>(want, G * err<T>(bd, g) + err<T>(0.5, want)));
  }
}
