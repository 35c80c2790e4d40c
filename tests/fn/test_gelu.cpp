// What is specific to the Gaussian error linear units (include/actfn/fn/gelu.hpp: gelu and
// gelu_tanh): their derivative identities, the identities linking them, limits, the large
// negative tail, NaN, the absence of derivative_from_output, and the span path.
// Catalogue-wide properties (scalar == SIMD lane, every tail length, in place, finite
// differences, ULP sweeps) are in tests/test_properties.cpp and tests/test_accuracy.cpp.
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
#include <actfn/fn/gelu.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <type_traits>
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

using gelu_ref = actfn_test::reference<actfn::gelu>;  // Phi (cdf) and phi (pdf) in long double

// The tanh approximation's argument u = sqrt(2/pi) (x + 0.044715 x^3), in long double.
ld tanh_u(ld x) { return 0.79788456080286535587989211986876L * (x + 0.044715L * x * x * x); }

// Both derivatives are a sum of two terms, a + b, that cancel near their zero crossing
// (x = -0.752): there the library's error is a few ULPs of the terms, not of their tiny sum.
// So derivative tolerances are der_ulps relative to |a| + |b| rather than to |a + b|: the same
// thing wherever the terms do not cancel, an absolute floor of about der_ulps ULPs of 1/2
// around the crossing, and the test cases say where.

}  // namespace

TEMPLATE_TEST_CASE("gelu' = Phi(x) + x phi(x)", "[gelu]", float, double) {
  using T = TestType;
  using F = actfn::gelu;
  const F f;
  // The documented bound in the one derivative measure (derivative_error: relative, in ULPs
  // of |Phi| + |x phi| around x = -0.75), down through the float path's switch at -13.2 to
  // where x phi(x) is no longer a normal number (float -13.5, double -38.5), subnormal results
  // included.
  for (const T x : grid<T>(sizeof(T) == 4 ? -14 : -38.5, 12, 6000)) {
    const T got = f.derivative(x);
    INFO("x = " << show(x) << ", gelu'(x) = " << show(got) << ", want "
                << show(static_cast<double>(gelu_ref::cdf(x) + x * gelu_ref::pdf(x))));
    REQUIRE(derivative_error<T>(f, x, got) <= der_ulps<F, T>);
  }
}

TEMPLATE_TEST_CASE("gelu_tanh' = PyTorch's closed form", "[gelu_tanh]", float, double) {
  using T = TestType;
  using F = actfn::gelu_tanh;
  const F f;
  // PyTorch: 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
  // In long double, 1 + tanh u still cancels for u << 0, so it is written 2 sigmoid(2u), and
  // 1 - tanh^2 u as sech^2 u: the same numbers without the cancellation.
  // Tolerance: der_ulps of the two terms' magnitudes (relative except around x = -0.75), plus
  // what forming u = sqrt(2/pi) (x + 0.044715 x^3) in T must cost: five operations and two
  // rounded constants, a relative error of at most 7/2 eps in u, which both terms (sigmoid(2u)
  // and sech^2(u), as functions of 2u) amplify by at most |2u|. The header documents this
  // weakness of the tanh form for x < about -5.
  // x down to where sigmoid(2u) is still a normal number of T.
  for (const T x : grid<T>(sizeof(T) == 4 ? -9.5 : -21, 12, 6000)) {
    const ld u = tanh_u(x);
    const ld half_one_plus_tanh = actfn_test::ref_sigmoid(2 * u);
    const ld slope = 0.5L * x * actfn_test::ref_tanh_slope(u) * 0.79788456080286535587989211986876L *
                     (1 + 3 * 0.044715L * x * x);
    const ld rhs = half_one_plus_tanh + slope;
    const T got = f.derivative(x);
    INFO("x = " << show(x) << ", gelu_tanh'(x) = " << show(got) << ", want " << show(rhs));
    const double terms = double(half_one_plus_tanh + std::fabs(slope));
    const double margin = rel<T>(der_ulps<F, T>) * terms + std::fabs(2 * double(u)) * 3.5 * eps<T> * terms;
    REQUIRE_THAT(got, WithinAbs(double(rhs), margin));
  }
}

TEMPLATE_TEST_CASE("gelu(x) - gelu(-x) = x and gelu'(x) + gelu'(-x) = 1, both forms", "[gelu][gelu_tanh]",
                   float, double) {
  using T = TestType;
  // Phi(x) + Phi(-x) = 1 and sigmoid(2u) + sigmoid(-2u) = 1 with u odd. Each value carries at
  // most its bound, so the difference is off by at most that much of |a| + |b| (plus half an
  // ULP of the result for the matcher, which |a| + |b| >= |a - b| covers).
  auto check = [](const auto& f, double fwd, double der) {
    for (const T x : grid<T>(-8, 8, 3000)) {
      CAPTURE(x);
      const T a = f(x), b = f(T(-x));
      REQUIRE_THAT(double(static_cast<ld>(a) - b),
                   WithinAbs(x, rel<T>(fwd) * (std::fabs(double(a)) + std::fabs(double(b)))));
      const T da = f.derivative(x), db = f.derivative(T(-x));
      REQUIRE_THAT(double(static_cast<ld>(da) + db),
                   WithinAbs(1.0, rel<T>(der) * (std::fabs(double(da)) + std::fabs(double(db)))));
    }
  };
  check(actfn::gelu{}, fwd_ulps<actfn::gelu, T>, der_ulps<actfn::gelu, T>);
  check(actfn::gelu_tanh{}, fwd_ulps<actfn::gelu_tanh, T>, der_ulps<actfn::gelu_tanh, T>);
}

TEMPLATE_TEST_CASE("gelu_tanh stays within 5e-4 of gelu", "[gelu][gelu_tanh]", float, double) {
  using T = TestType;
  // The tanh form's largest departure from x Phi(x) is 4.73e-4 (at x = -2.70), far above
  // either function's rounding; beyond |x| = 10 both are 0 or x to within that.
  const actfn::gelu exact;
  const actfn::gelu_tanh approx;
  for (const T x : grid<T>(-12, 12, 3000)) {
    CAPTURE(x);
    REQUIRE_THAT(approx(x), WithinAbs(exact(x), 5e-4));
    REQUIRE_THAT(approx.derivative(x), WithinAbs(exact.derivative(x), 2.5e-3));
  }
}

TEMPLATE_TEST_CASE("gelu and gelu_tanh: limits at +-inf, zero, NaN", "[gelu][gelu_tanh]", float, double) {
  using T = TestType;
  const actfn::gelu g;
  const actfn::gelu_tanh t;
  CHECK(g(-inf<T>) == 0);  // PyTorch 1.13 gives NaN here
  CHECK(g(inf<T>) == inf<T>);
  CHECK(g.derivative(-inf<T>) == 0);
  CHECK(g.derivative(inf<T>) == 1);
  CHECK(t(-inf<T>) == 0);
  CHECK(t(inf<T>) == inf<T>);
  CHECK(t.derivative(-inf<T>) == 0);
  CHECK(t.derivative(inf<T>) == 1);
  // Phi(0) = 1/2 = sigmoid(0).
  for (const T zero : {T(0), -T(0)}) {
    CHECK(g(zero) == 0);
    CHECK(t(zero) == 0);
    CHECK_THAT(g.derivative(zero), WithinRel(0.5, rel<T>(der_ulps<actfn::gelu, T>)));
    CHECK_THAT(t.derivative(zero), WithinRel(0.5, rel<T>(der_ulps<actfn::gelu_tanh, T>)));
  }
  CHECK(std::isnan(g(qnan<T>)));
  CHECK(std::isnan(g.derivative(qnan<T>)));
  CHECK(std::isnan(t(qnan<T>)));
  CHECK(std::isnan(t.derivative(qnan<T>)));
}

TEMPLATE_TEST_CASE("gelu and gelu_tanh are accurate for large negative x", "[gelu][gelu_tanh]",
                   float, double) {
  using T = TestType;
  // x Phi(x) is tiny and negative here (gelu(-10) = -7.62e-23); 1 + erf(x / sqrt 2) or
  // 1 + tanh(u) would cancel to 0. Points down to where the results are still normal numbers
  // of T (for float, Phi(-13) = 6e-39 is not, but -13 Phi(-13) is; likewise sigmoid(2u) at -10).
  const actfn::gelu g;
  const std::vector<T> xs = sizeof(T) == 4 ? std::vector<T>{-2, -3, -5, -8, -10, -12, -13}
                                           : std::vector<T>{-2, -3, -5, -10, -20, -30, -37};
  for (const T x : xs) {
    INFO("x = " << show(x) << ", gelu(x) = " << show(g(x)) << ", gelu'(x) = " << show(g.derivative(x)));
    CHECK(ulp_error<T>(g(x), gelu_ref::f(g, x)) <= fwd_ulps<actfn::gelu, T>);
    CHECK(derivative_error<T>(g, x, g.derivative(x)) <= der_ulps<actfn::gelu, T>);
  }
  const actfn::gelu_tanh t;
  using tanh_ref = actfn_test::reference<actfn::gelu_tanh>;
  const std::vector<T> ts = sizeof(T) == 4 ? std::vector<T>{-2, -3, -5, -8, -10}
                                           : std::vector<T>{-2, -3, -5, -10, -20};
  for (const T x : ts) {
    INFO("x = " << show(x) << ", gelu_tanh(x) = " << show(t(x)) << ", gelu_tanh'(x) = " << show(t.derivative(x)));
    CHECK(ulp_error<T>(t(x), tanh_ref::f(t, x)) <= fwd_ulps<actfn::gelu_tanh, T>);
    CHECK(derivative_error<T>(t, x, t.derivative(x)) <= der_ulps<actfn::gelu_tanh, T>);
  }
}

TEST_CASE("gelu and gelu_tanh have no derivative_from_output", "[gelu][gelu_tanh]") {
  // x Phi(x) is not one-to-one (it dips to -0.17 and comes back), so y cannot give f'.
  STATIC_REQUIRE(actfn::activation<actfn::gelu>);
  STATIC_REQUIRE(actfn::activation<actfn::gelu_tanh>);
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::gelu>);
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::gelu_tanh>);
}

TEMPLATE_TEST_CASE("gelu and gelu_tanh through actfn::forward and actfn::backward on a vector",
                   "[gelu][gelu_tanh]", float, double) {
  using T = TestType;
  // 37 elements: a ragged tail on every instruction set. dy: powers of two, exact products.
  std::vector<T> x = grid<T>(-3, 3, 32);
  for (const T v : {T(0), T(20), inf<T>, -inf<T>, qnan<T>}) x.push_back(v);
  std::vector<T> dy(x.size());
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = (i % 2 ? T(-0.5) : T(4));
  std::vector<T> y(x.size()), dx(x.size());
  auto check = [&](const auto& f, double fwd, double der) {
    using ref = actfn_test::reference<std::remove_cvref_t<decltype(f)>>;
    actfn::forward(f, x, y);
    actfn::backward(f, x, dy, dx);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CAPTURE(x[i]);
      CHECK(ulp_error<T>(y[i], ref::f(f, x[i])) <= fwd);
      CHECK(derivative_error<T>(f, x[i], T(dx[i] / dy[i])) <= der);  // dy: a power of two
    }
  };
  check(actfn::gelu{}, fwd_ulps<actfn::gelu, T>, der_ulps<actfn::gelu, T>);
  check(actfn::gelu_tanh{}, fwd_ulps<actfn::gelu_tanh, T>, der_ulps<actfn::gelu_tanh, T>);
}
