// What is specific to the exponential linear units (include/actfn/fn/elu.hpp: elu, selu, celu):
// their derivative identities for several alpha, the identities linking them, PyTorch's kink
// values, limits, tiny |x| (expm1, not exp - 1), derivative_from_output and the parameters.
// Catalogue-wide properties (scalar == SIMD lane, every tail length, in place, finite
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
// The alphas used are exact in float, so T holds the parameter itself, not a rounding of it.
#include <actfn/core/span.hpp>
#include <actfn/fn/elu.hpp>
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
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using Catch::Matchers::WithinULP;

namespace {

// PyTorch's SELU constants, to long double precision.
constexpr ld selu_alpha = 1.6732632423543772848170429916717L;
constexpr ld selu_scale = 1.0507009873554804934193349852946L;

// Checks f'(x) = y + c for x <= 0 (the kink x = 0 included), where y = f(x) comes from the
// library and c = -f(-inf) (alpha for elu, scale * alpha for selu), i.e. f' = c e^x.
// y carries fwd_ulps, an absolute error of up to fwd_ulps eps |y| that the sum passes on
// unchanged, so relative to f' it is amplified by |y| / |y + c| = e^-x - 1: the identity is
// checked on [-4, 0] (amplification <= 54) and the tail below against c e^x directly.
template <class T, class F>
void check_slope_from_output_identity(const F& f, ld c) {
  for (const T x : grid<T>(-4, 0, 1500)) {
    const T y = f(x), d = f.derivative(x);
    const ld rhs = y + c;
    INFO("x = " << show(x) << ", y = " << show(y) << ", f'(x) = " << show(d) << ", y + c = " << show(rhs));
    const double amplification = std::fabs(double(y)) / double(rhs);
    REQUIRE_THAT(d, WithinRel(double(rhs), rel<T>(der_ulps<F, T>) + fwd_ulps<F, T> * eps<T> * amplification));
  }
  for (const T x : grid<T>(exp_arg_lowest<T>, -4, 1500)) {
    const T d = f.derivative(x);
    const ld rhs = c * std::exp(static_cast<ld>(x));
    INFO("x = " << show(x) << ", f'(x) = " << show(d) << ", c e^x = " << show(rhs));
    REQUIRE_THAT(d, WithinRel(double(rhs), rel<T>(der_ulps<F, T>)));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("elu' = elu(x) + alpha for x <= 0, 1 for x > 0", "[elu]", float, double) {
  using T = TestType;
  for (const double alpha : {1.0, 0.5, 2.0, 0.25, 1.5}) {
    CAPTURE(alpha);
    const actfn::elu f(alpha);
    check_slope_from_output_identity<T>(f, alpha);
    for (const T x : grid<T>(1e-6, 50, 200)) REQUIRE(f.derivative(x) == 1);
  }
}

TEMPLATE_TEST_CASE("selu' = selu(x) + scale * alpha for x <= 0, scale for x > 0", "[selu]", float,
                   double) {
  using T = TestType;
  const actfn::selu f;
  check_slope_from_output_identity<T>(f, selu_scale * selu_alpha);
  for (const T x : grid<T>(1e-6, 50, 200)) {
    INFO("x = " << show(x));
    REQUIRE_THAT(f.derivative(x), WithinRel(double(selu_scale), rel<T>(0)));
  }
}

TEMPLATE_TEST_CASE("celu' = exp(x / alpha) for x <= 0, 1 for x > 0", "[celu]", float, double) {
  using T = TestType;
  // Independent of celu's output. For alpha not a power of two (3), T rounds x / alpha, a
  // relative error of eps/2 in z = x / alpha that exp turns into |z| eps/2.
  for (const double alpha : {1.0, 0.5, 2.0, 3.0, -0.5, -2.0}) {
    const actfn::celu f(alpha);
    const bool exact = std::exp2(std::round(std::log2(std::fabs(alpha)))) == std::fabs(alpha);
    // exp(x / alpha) stays a finite normal number: z = x / alpha within +-|exp_arg_lowest|.
    for (const T x : grid<T>(std::fabs(alpha) * exp_arg_lowest<T>, 0, 2000)) {
      const ld z = x / static_cast<ld>(alpha);
      const T d = f.derivative(x);
      INFO("alpha = " << alpha << ", x = " << show(x) << ", celu'(x) = " << show(d) << ", exp(x / alpha) = " << show(std::exp(z)));
      const double rounding = exact ? 0 : std::fabs(double(z)) * eps<T> / 2;
      REQUIRE_THAT(d, WithinRel(double(std::exp(z)), rel<T>(der_ulps<actfn::celu, T>) + rounding));
    }
    for (const T x : grid<T>(1e-6, 50, 200)) REQUIRE(f.derivative(x) == 1);
  }
}

TEMPLATE_TEST_CASE("celu with alpha = 1 is elu with alpha = 1", "[celu][elu]", float, double) {
  using T = TestType;
  const actfn::celu c;
  const actfn::elu e;
  for (const T x : grid<T>(exp_arg_lowest<T>, 20, 4000)) {
    INFO("x = " << show(x) << ", celu(x) = " << show(c(x)) << ", elu(x) = " << show(e(x)));
    REQUIRE_THAT(c(x), WithinULP(e(x), 1));
    REQUIRE_THAT(c.derivative(x), WithinULP(e.derivative(x), 1));
  }
}

TEMPLATE_TEST_CASE("selu is scale * elu with selu's alpha", "[selu][elu]", float, double) {
  using T = TestType;
  // Each side carries fwd_ulps of its own (the long double product adds nothing).
  const actfn::selu s;
  const actfn::elu e(static_cast<double>(selu_alpha));
  for (const T x : grid<T>(exp_arg_lowest<T>, 20, 4000)) {
    INFO("x = " << show(x) << ", selu(x) = " << show(s(x)) << ", elu(x) = " << show(e(x)));
    REQUIRE_THAT(s(x), WithinRel(double(selu_scale * e(x)), (fwd_ulps<actfn::selu, T> + fwd_ulps<actfn::elu, T>) * eps<T>));
  }
}

TEMPLATE_TEST_CASE("elu family: derivative at the kink x = 0 is PyTorch's x <= 0 branch", "[elu][selu][celu]",
                   float, double) {
  using T = TestType;
  for (const T zero : {T(0), -T(0)}) {
    CAPTURE(zero);
    for (const double alpha : {1.0, 0.5, 2.0}) {
      CAPTURE(alpha);
      CHECK(actfn::elu(alpha)(zero) == 0);
      CHECK(actfn::elu(alpha).derivative(zero) == T(alpha));
      CHECK(actfn::elu(alpha).derivative_from_output(zero) == T(alpha));
    }
    const actfn::selu s;
    CHECK(s(zero) == 0);
    CHECK_THAT(s.derivative(zero), WithinRel(double(selu_scale * selu_alpha), rel<T>(1)));
    CHECK_THAT(s.derivative_from_output(zero), WithinRel(double(selu_scale * selu_alpha), rel<T>(1)));
    for (const double alpha : {1.0, 2.0, 3.0, -0.5}) {
      CAPTURE(alpha);
      CHECK(actfn::celu(alpha)(zero) == 0);
      CHECK(actfn::celu(alpha).derivative(zero) == 1);
      CHECK(actfn::celu(alpha).derivative_from_output(zero) == 1);
    }
  }
}

TEMPLATE_TEST_CASE("elu family: limits at +-inf", "[elu][selu][celu]", float, double) {
  using T = TestType;
  for (const double alpha : {1.0, 0.5, 2.0}) {
    CAPTURE(alpha);
    const actfn::elu e(alpha);
    CHECK(e(-inf<T>) == T(-alpha));
    CHECK(e(inf<T>) == inf<T>);
    CHECK(e.derivative(-inf<T>) == 0);
    CHECK(e.derivative(inf<T>) == 1);
    CHECK(e.derivative_from_output(e(-inf<T>)) == 0);
    CHECK(e.derivative_from_output(inf<T>) == 1);
    const actfn::celu c(alpha);
    CHECK(c(-inf<T>) == T(-alpha));
    CHECK(c(inf<T>) == inf<T>);
    CHECK(c.derivative(-inf<T>) == 0);
    CHECK(c.derivative(inf<T>) == 1);
    CHECK(c.derivative_from_output(c(-inf<T>)) == 0);
  }
  const actfn::selu s;
  CHECK_THAT(s(-inf<T>), WithinRel(double(-selu_scale * selu_alpha), rel<T>(1)));
  CHECK(s(inf<T>) == inf<T>);
  CHECK(s.derivative(-inf<T>) == 0);
  CHECK_THAT(s.derivative(inf<T>), WithinRel(double(selu_scale), rel<T>(0)));
  CHECK(s.derivative_from_output(s(-inf<T>)) == 0);
  CHECK_THAT(s.derivative_from_output(inf<T>), WithinRel(double(selu_scale), rel<T>(0)));
  // Negative alpha: alpha (exp(x / alpha) - 1) grows without bound as x -> -inf.
  const actfn::celu neg(-2.0);
  CHECK(neg(-inf<T>) == -inf<T>);
  CHECK(neg.derivative(-inf<T>) == inf<T>);
}

TEMPLATE_TEST_CASE("elu family: NaN in, NaN out", "[elu][selu][celu]", float, double) {
  using T = TestType;
  const T x = qnan<T>;
  for (const actfn::elu f : {actfn::elu(1.0), actfn::elu(-0.5), actfn::elu(0.0)}) {
    CAPTURE(f.alpha);
    CHECK(std::isnan(f(x)));
    CHECK(std::isnan(f.derivative(x)));
  }
  CHECK(std::isnan(actfn::elu(2.0).derivative_from_output(x)));
  const actfn::selu s;
  CHECK(std::isnan(s(x)));
  CHECK(std::isnan(s.derivative(x)));
  CHECK(std::isnan(s.derivative_from_output(x)));
  for (const actfn::celu f : {actfn::celu(1.0), actfn::celu(-2.0)}) {
    CAPTURE(f.alpha);
    CHECK(std::isnan(f(x)));
    CHECK(std::isnan(f.derivative(x)));
    CHECK(std::isnan(f.derivative_from_output(x)));
  }
}

TEMPLATE_TEST_CASE("elu family is accurate for tiny |x| (expm1, not exp - 1)", "[elu][selu][celu]",
                   float, double) {
  using T = TestType;
  std::vector<T> xs = {T(-1e-3), T(-1e-7), T(-1e-15), T(-1e-30), T(-0.3)};
  if constexpr (sizeof(T) == 8) xs.push_back(T(-1e-300));
  for (const T x : xs) {
    INFO("x = " << show(x));
    for (const double alpha : {1.0, 2.0, 0.25}) {
      CAPTURE(alpha);
      const actfn::elu e(alpha);
      CHECK(ulp_error<T>(e(x), reference<actfn::elu>::f(e, x)) <= fwd_ulps<actfn::elu, T>);
      const actfn::celu c(alpha);
      CHECK(ulp_error<T>(c(x), reference<actfn::celu>::f(c, x)) <= fwd_ulps<actfn::celu, T>);
    }
    const actfn::selu s;
    CHECK(ulp_error<T>(s(x), reference<actfn::selu>::f(s, x)) <= fwd_ulps<actfn::selu, T>);
    const actfn::celu c(-2.0);
    CHECK(ulp_error<T>(c(x), reference<actfn::celu>::f(c, x)) <= fwd_ulps<actfn::celu, T>);
  }
}

TEMPLATE_TEST_CASE("elu family: derivative_from_output(f(x)) = f'(x)", "[elu][selu][celu]",
                   float, double) {
  using T = TestType;
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::elu>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::selu>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::celu>);
  // From y, f' is y + c (elu: c = alpha, selu: scale * alpha) or y / alpha + 1 (celu). y's
  // error, fwd_ulps eps |y| (times 1/|alpha|), passes through the sum unchanged while f' may be
  // far smaller (x << 0), so the margin is absolute: that plus der_ulps + 1 of f' itself (the
  // derivative from x, and the rounding of the sum). For x > 0 both are exactly 1 (scale).
  const auto xs = grid<T>(exp_arg_lowest<T>, 20, 1500);
  auto check = [&xs](const auto& f, double y_scale) {
    using F = std::remove_cvref_t<decltype(f)>;
    for (const T x : xs) {
      const T y = f(x);
      const T d = f.derivative(x);
      INFO("x = " << show(x) << ", y = " << show(y) << ", f'(x) = " << show(d)
                  << ", from y: " << show(f.derivative_from_output(y)));
      const double margin =
          eps<T> * (fwd_ulps<F, T> * std::fabs(y * y_scale) + (der_ulps<F, T> + 1) * std::fabs(d));
      REQUIRE_THAT(f.derivative_from_output(y), WithinAbs(d, margin));
      if (x > 0) REQUIRE(f.derivative_from_output(y) == d);
    }
  };
  for (const double alpha : {1.0, 0.5, 2.0, 0.0}) {
    CAPTURE(alpha);
    check(actfn::elu(alpha), 1.0);
  }
  check(actfn::selu(), 1.0);
  for (const double alpha : {1.0, 2.0, 3.0, -0.5, -2.0}) {
    CAPTURE(alpha);
    check(actfn::celu(alpha), 1.0 / alpha);
  }
}

TEMPLATE_TEST_CASE("elu.derivative_from_output refuses alpha < 0", "[elu]", float, double) {
  using T = TestType;
  // With alpha < 0 the output of x < 0 is positive, so y no longer tells the branch.
  const actfn::elu f(-0.5);
  CHECK_THROWS_AS(f.derivative_from_output(T(0.25)), std::invalid_argument);
  CHECK_THROWS_WITH(f.derivative_from_output(T(0.25)),
                    Contains("elu") && Contains("alpha") && Contains("-0.5"));
  CHECK_THROWS_WITH(f.derivative_from_output(xsimd::batch<T>(T(1))),
                    Contains("alpha") && Contains("-0.5"));
  const std::vector<T> y(5, T(0.25)), dy(5, T(1));
  std::vector<T> dx(5);
  CHECK_THROWS_WITH(actfn::backward_from_output(f, y, dy, dx), Contains("alpha") && Contains("-0.5"));
  // The forward and the derivative from x are fine with a negative alpha.
  CHECK_THAT(f(T(-1)), WithinRel(double(-0.5L * std::expm1(-1.0L)), rel<T>(fwd_ulps<actfn::elu, T>)));
  CHECK_THAT(f.derivative(T(-1)), WithinRel(double(-0.5L * std::exp(-1.0L)), rel<T>(der_ulps<actfn::elu, T>)));
}

TEST_CASE("elu family parameters: PyTorch's defaults, invalid values refused", "[elu][selu][celu]") {
  CHECK(actfn::elu{}.alpha == 1.0);
  CHECK(actfn::celu{}.alpha == 1.0);
  CHECK(actfn::selu::alpha == 1.6732632423543772848170429916717);
  CHECK(actfn::selu::scale == 1.0507009873554804934193349852946);

  CHECK_THROWS_AS(actfn::elu(std::nan("")), std::invalid_argument);
  CHECK_THROWS_WITH(actfn::elu(std::nan("")), Contains("elu") && Contains("alpha") && Contains("nan"));
  CHECK_THROWS_WITH(actfn::elu(HUGE_VAL), Contains("alpha") && Contains("inf"));
  CHECK_THROWS_WITH(actfn::elu(-HUGE_VAL), Contains("alpha") && Contains("-inf"));
  CHECK_NOTHROW(actfn::elu(-1.0));  // PyTorch accepts a negative alpha too

  CHECK_THROWS_AS(actfn::celu(0.0), std::invalid_argument);
  CHECK_THROWS_WITH(actfn::celu(0.0), Contains("celu") && Contains("alpha") && Contains("0"));
  CHECK_THROWS_WITH(actfn::celu(std::nan("")), Contains("alpha") && Contains("nan"));
  CHECK_THROWS_WITH(actfn::celu(HUGE_VAL), Contains("alpha") && Contains("inf"));
  CHECK_NOTHROW(actfn::celu(-2.0));
}

TEMPLATE_TEST_CASE("elu family: non-default alpha changes the result as the formula says",
                   "[elu][celu]", float, double) {
  using T = TestType;
  // elu: alpha scales the negative side only, exactly for a power of two.
  const actfn::elu one, two(2.0);
  for (const T x : grid<T>(-30, 30, 600)) {
    INFO("x = " << show(x));
    REQUIRE(two(x) == (x > 0 ? x : 2 * one(x)));
    REQUIRE(two.derivative(x) == (x > 0 ? T(1) : 2 * one.derivative(x)));
  }
  // celu: alpha (exp(x / alpha) - 1), against the long double formula.
  for (const double alpha : {0.5, 2.0, 3.0, -2.0}) {
    const actfn::celu f(alpha);
    for (const T x : grid<T>(-40, 10, 500)) {
      INFO("alpha = " << alpha << ", x = " << show(x) << ", celu(x) = " << show(f(x)));
      REQUIRE(ulp_error<T>(f(x), reference<actfn::celu>::f(f, x)) <= fwd_ulps<actfn::celu, T>);
    }
  }
}

TEMPLATE_TEST_CASE("elu family through actfn::forward and actfn::backward_from_output on a vector",
                   "[elu][selu]", float, double) {
  using T = TestType;
  // 37 elements: a ragged tail on every instruction set. dy: powers of two, exact products.
  std::vector<T> x = grid<T>(-12, 6, 32);
  for (const T v : {T(0), -T(0), inf<T>, -inf<T>, qnan<T>}) x.push_back(v);
  std::vector<T> dy(x.size());
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = (i % 2 ? T(-0.5) : T(4));
  std::vector<T> y(x.size()), dx(x.size());

  const actfn::selu s;
  actfn::forward(s, x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << show(x[i]) << ", y = " << show(y[i]));
    CHECK(ulp_error<T>(y[i], reference<actfn::selu>::f(s, x[i])) <= fwd_ulps<actfn::selu, T>);
  }

  const actfn::elu e(2.0);
  actfn::forward(e, x, y);
  actfn::backward_from_output(e, y, dy, dx);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << show(x[i]) << ", y = " << show(y[i]) << ", dx = " << show(dx[i]));
    if (std::isnan(x[i])) {
      CHECK(std::isnan(dx[i]));
    } else {
      // y + alpha: the absolute margin of the derivative_from_output test, times |dy|.
      const ld want = dy[i] * reference<actfn::elu>::df(e, x[i]);
      const double y_error = std::isinf(y[i]) ? 0 : fwd_ulps<actfn::elu, T> * std::fabs(y[i]);
      const double margin = std::fabs(dy[i]) * eps<T> *
                            (y_error + (der_ulps<actfn::elu, T> + 1) * std::fabs(double(want / dy[i])));
      CHECK_THAT(dx[i], WithinAbs(double(want), margin));
    }
  }
}
