// What is specific to softplus (include/actfn/fn/softplus.hpp): its derivative identity for
// several beta and threshold, PyTorch's switch at beta x == threshold, limits, both tails,
// derivative_from_output and the parameters. Catalogue-wide properties (scalar == SIMD lane,
// every tail length, in place, finite differences, ULP sweeps with default parameters) are in
// tests/test_properties.cpp and tests/test_accuracy.cpp.
//
// Tolerances: an error of b ULPs is a relative error of at most b * eps (an ULP of y is at most
// eps * |y|). The long double right-hand sides are rounded to double for Catch's matchers,
// which costs up to half an ULP of a double result: rel<T>(b) = (b + 1/2) eps
// (support/bounds.hpp, with eps, fwd_ulps and der_ulps: F's documented bounds for T).
// Derivatives are held to that relative measure too: the one derivative measure
// (docs/accuracy.md) outside the windows around zero crossings, which these functions lack.
// Dense loops use REQUIRE: the first failure ends the test case and names its input.
#include <actfn/core/span.hpp>
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
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

using F = actfn::softplus;  // for its documented bounds fwd_ulps<F, T> and der_ulps<F, T>

struct params {
  double beta, threshold;
};

}  // namespace

TEMPLATE_TEST_CASE("softplus' = sigmoid(beta x) for beta x <= threshold, 1 above", "[softplus]",
                   float, double) {
  using T = TestType;
  // beta a power of two: beta x is exact in T, so the documented bound applies as it stands.
  // beta = 3 or 0.3: T rounds beta (0.3) and the product beta x, a relative error of at most
  // eps in z = beta x, which sigmoid amplifies by its condition number |z| (1 - sigmoid(z)).
  for (const params p : {params{1, 20}, params{0.5, 20}, params{2, 20}, params{4, 5},
                         params{0.25, 1}, params{1, -3}, params{3, 20}, params{0.3, 10}}) {
    const actfn::softplus f(p.beta, p.threshold);
    const bool exact = std::exp2(std::round(std::log2(p.beta))) == p.beta;
    for (const T x : grid<T>(exp_arg_lowest<T> / p.beta, (p.threshold + 5) / p.beta, 3000)) {
      const ld z = p.beta * static_cast<ld>(x);
      const T got = f.derivative(x);
      INFO("beta = " << p.beta << ", threshold = " << p.threshold << ", x = " << show(x)
                     << ", softplus'(x) = " << show(got) << ", sigmoid(beta x) = " << show(ref_sigmoid(z)));
      if (z > p.threshold) {
        REQUIRE(got == 1);
      } else {
        const double cond = exact ? 0 : std::fabs(double(z)) * double(ref_sigmoid(-z));
        REQUIRE_THAT(got, WithinRel(double(ref_sigmoid(z)),
                                    rel<T>(der_ulps<F, T>) + cond * eps<T>));
      }
    }
  }
}

TEMPLATE_TEST_CASE("softplus at beta x == threshold takes the log1p branch, as PyTorch",
                   "[softplus]", float, double) {
  using T = TestType;
  struct at_switch {
    double beta, threshold;
    T x;  // beta * x == threshold exactly
  };
  for (const at_switch s : {at_switch{1, 20, 20}, at_switch{2, 20, 10}, at_switch{1, 1, 1},
                            at_switch{0.5, 3, 6}, at_switch{4, 2, 0.5}, at_switch{1, -3, -3}}) {
    const actfn::softplus f(s.beta, s.threshold);
    const ld z = s.threshold;
    CAPTURE(s.beta, s.threshold, s.x);
    // With threshold 1, log1p(e) = 1.313 and sigmoid(1) = 0.731: far from x = 1 and slope 1.
    CHECK_THAT(f(s.x),
               WithinRel(static_cast<double>(ref_softplus(z) / s.beta), rel<T>(fwd_ulps<F, T>)));
    CHECK_THAT(f.derivative(s.x),
               WithinRel(static_cast<double>(ref_sigmoid(z)), rel<T>(der_ulps<F, T>)));
    // One step above the switch the function is x itself, with slope 1.
    const T above = std::nextafter(s.x, inf<T>);
    CHECK(f(above) == above);
    CHECK(f.derivative(above) == 1);
    // From the output: beta y = log1p(exp(threshold)) > threshold, so the documented rule
    // gives 1. y cannot tell this x from the one just above the switch; the two slopes differ
    // by sigmoid(-threshold), the most any rule from y can get wrong here.
    CHECK(f.derivative_from_output(f(s.x)) == 1);
    CHECK_THAT(f.derivative_from_output(f(s.x)),
               WithinAbs(f.derivative(s.x), static_cast<double>(ref_sigmoid(-z)) + 2 * eps<T>));
  }
}

TEMPLATE_TEST_CASE("softplus(x) - softplus(-x) = x", "[softplus]", float, double) {
  using T = TestType;
  // Holds for every beta while both sides are on the log1p branch (|beta x| <= threshold).
  // Each value carries at most fwd_ulps relative error, so the difference is off by at most
  // fwd_ulps eps (|softplus(x)| + |softplus(-x)|) (plus half an ULP of x for the matcher).
  for (const double beta : {1.0, 2.0, 0.5}) {
    const actfn::softplus f(beta);
    for (const T x : grid<T>(-20 / beta, 20 / beta, 4000)) {
      const T a = f(x);
      const T b = f(T(-x));
      INFO("beta = " << beta << ", x = " << show(x) << ", softplus(x) = " << show(a) << ", softplus(-x) = " << show(b));
      const double margin = rel<T>(fwd_ulps<F, T>) * (std::fabs(double(a)) + std::fabs(double(b)));
      REQUIRE_THAT(static_cast<double>(static_cast<ld>(a) - b), WithinAbs(x, margin));
    }
  }
}

TEMPLATE_TEST_CASE("softplus with beta = 2^k is softplus(2^k x) / 2^k", "[softplus]", float, double) {
  using T = TestType;
  // Scaling by a power of two is exact, so each side carries only its own fwd_ulps.
  const actfn::softplus one;
  for (const double beta : {2.0, 0.5, 8.0}) {
    const actfn::softplus f(beta);
    for (const T x : grid<T>(exp_arg_lowest<T> / beta, 30 / beta, 3000)) {
      INFO("beta = " << beta << ", x = " << show(x) << ", f(x) = " << show(f(x)));
      REQUIRE_THAT(f(x),
                   WithinRel(one(static_cast<T>(beta * x)) / beta, 2 * fwd_ulps<F, T> * eps<T>));
    }
  }
}

TEMPLATE_TEST_CASE("softplus limits at +-inf and no overflow", "[softplus]", float, double) {
  using T = TestType;
  const actfn::softplus f;
  CHECK(f(inf<T>) == inf<T>);
  CHECK(f(-inf<T>) == 0);
  CHECK(f.derivative(inf<T>) == 1);
  CHECK(f.derivative(-inf<T>) == 0);
  CHECK(f.derivative_from_output(inf<T>) == 1);   // y = +inf comes from x = +inf
  CHECK(f.derivative_from_output(T(0)) == 0);     // y = 0 comes from x = -inf
  CHECK(f(T(100)) == T(100));
  CHECK(f.derivative(T(100)) == 1);
  if constexpr (sizeof(T) == 8) CHECK(f(T(-100)) > 0);  // exp(-100): a normal double
  // A threshold far above the default keeps the log1p branch where exp(beta x) overflows T;
  // the true softplus(x) = x + log1p(exp(-x)) is finite there and must come out so.
  const actfn::softplus wide(1.0, 1000.0);
  for (const T x : {T(90), T(200), T(sizeof(T) == 4 ? 500 : 800)}) {
    CAPTURE(x);
    CHECK_THAT(wide(x), WithinRel(static_cast<double>(ref_softplus(x)), rel<T>(fwd_ulps<F, T>)));
    CHECK(wide.derivative(x) == 1);
  }
  CHECK(wide(inf<T>) == inf<T>);
  CHECK(wide(-inf<T>) == 0);
}

TEMPLATE_TEST_CASE("softplus is accurate in both tails", "[softplus]", float, double) {
  using T = TestType;
  const actfn::softplus f;
  // Left tail: softplus(x) = log1p(exp(x)) ~ exp(x), tiny but not 0 while a normal number.
  // Right tail up to the switch: x + log1p(exp(-x)).
  const std::vector<T> xs = sizeof(T) == 4
                                ? std::vector<T>{-80, -50, -17, -5, -1e-3f, 1e-3f, 5, 15, 19.5f, 20}
                                : std::vector<T>{-700, -100, -40, -17, -1e-9, 1e-9, 17, 19.99, 20};
  for (const T x : xs) {
    INFO("x = " << show(x) << ", softplus(x) = " << show(f(x)) << ", softplus'(x) = " << show(f.derivative(x)));
    CHECK(ulp_error<T>(f(x), ref_softplus(x)) <= fwd_ulps<F, T>);
    CHECK(ulp_error<T>(f.derivative(x), ref_sigmoid(x)) <= der_ulps<F, T>);
  }
}

TEMPLATE_TEST_CASE("softplus: NaN in, NaN out", "[softplus]", float, double) {
  using T = TestType;
  for (const params p : {params{1, 20}, params{3, -2}}) {
    const actfn::softplus f(p.beta, p.threshold);
    CAPTURE(p.beta, p.threshold);
    CHECK(std::isnan(f(qnan<T>)));
    CHECK(std::isnan(f.derivative(qnan<T>)));
    CHECK(std::isnan(f.derivative_from_output(qnan<T>)));
  }
}

TEMPLATE_TEST_CASE("softplus.derivative_from_output(softplus(x)) = softplus'(x)", "[softplus]",
                   float, double) {
  using T = TestType;
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::softplus>);
  // From y: 1 - exp(-beta y). y carries fwd_ulps; 1 - exp(-z) has condition number
  // z exp(-z) / (1 - exp(-z)) <= 1 for z >= 0, so y's error passes through at most unchanged;
  // evaluating it and the derivative from x cost der_ulps each.
  // Excluded: the window just below the switch where beta y > threshold >= beta x (see the
  // switch test).
  for (const params p : {params{1, 20}, params{2, 20}, params{0.5, 5}}) {
    const actfn::softplus f(p.beta, p.threshold);
    const auto below = grid<T>(exp_arg_lowest<T> / p.beta, (p.threshold - 0.5) / p.beta, 4000);
    const auto above = grid<T>((p.threshold + 1e-3) / p.beta, (p.threshold + 50) / p.beta, 400);
    for (const auto* xs : {&below, &above}) {
      for (const T x : *xs) {
        const T y = f(x), d = f.derivative(x);
        INFO("beta = " << p.beta << ", threshold = " << p.threshold << ", x = " << show(x)
                       << ", y = " << show(y) << ", softplus'(x) = " << show(d));
        REQUIRE_THAT(f.derivative_from_output(y),
                     WithinRel(double(d), rel<T>(fwd_ulps<F, T> + 2 * der_ulps<F, T>)));
      }
    }
  }
}

TEST_CASE("softplus parameters: PyTorch's defaults, invalid values refused", "[softplus]") {
  const actfn::softplus f;
  CHECK(f.beta == 1.0);
  CHECK(f.threshold == 20.0);
  const actfn::softplus g(2.5);
  CHECK(g.beta == 2.5);
  CHECK(g.threshold == 20.0);

  using namespace Catch::Matchers;
  CHECK_THROWS_AS(actfn::softplus(0.0), std::invalid_argument);
  CHECK_THROWS_WITH(actfn::softplus(0.0), Contains("softplus") && Contains("beta") && Contains("0"));
  CHECK_THROWS_WITH(actfn::softplus(-1.5), Contains("beta") && Contains("-1.5"));
  CHECK_THROWS_WITH(actfn::softplus(std::nan("")), Contains("beta") && Contains("nan"));
  CHECK_THROWS_WITH(actfn::softplus(HUGE_VAL), Contains("beta") && Contains("inf"));
  CHECK_THROWS_WITH(actfn::softplus(1.0, std::nan("")), Contains("threshold") && Contains("nan"));
  CHECK_THROWS_WITH(actfn::softplus(1.0, -HUGE_VAL), Contains("threshold") && Contains("-inf"));
  CHECK_NOTHROW(actfn::softplus(1e-3, -5.0));
}

TEMPLATE_TEST_CASE("softplus through actfn::forward and actfn::backward on a vector", "[softplus]",
                   float, double) {
  using T = TestType;
  const actfn::softplus f(2.0, 10.0);
  // Across the switch (beta x = 10 at x = 5), both tails, infinities and NaN; 37 elements so
  // the span has a ragged tail on every instruction set.
  std::vector<T> x = grid<T>(-30, 12, 32);
  for (const T v : {T(5), std::nextafter(T(5), T(6)), inf<T>, -inf<T>, qnan<T>}) x.push_back(v);
  // dy: powers of two, so dy * f'(x) is exact and the bound is f's own.
  std::vector<T> dy(x.size());
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = (i % 2 ? T(-0.5) : T(4));
  std::vector<T> y(x.size()), dx(x.size());
  actfn::forward(f, x, y);
  actfn::backward(f, x, dy, dx);
  using ref = actfn_test::reference<actfn::softplus>;
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << show(x[i]) << ", y = " << show(y[i]) << ", dx = " << show(dx[i]));
    CHECK(ulp_error<T>(y[i], ref::f(f, x[i])) <= fwd_ulps<F, T>);
    CHECK(ulp_error<T>(dx[i], dy[i] * ref::df(f, x[i])) <= der_ulps<F, T>);
  }
}
