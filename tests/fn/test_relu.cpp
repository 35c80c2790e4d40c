// What is specific to include/actfn/fn/relu.hpp (relu, relu6, leaky_relu, prelu, rrelu in
// evaluation mode, threshold): each formula and its parameters, the identities linking the
// functions, PyTorch's kinks, limits, signed zeros, NaN, derivative_from_output and its refusals.
// Catalogue-wide properties (scalar == SIMD lane, tails of spans, in place, finite differences,
// ULP sweeps) live in test_properties.cpp and test_accuracy.cpp.
//
// Every function here is piecewise linear and computed with at most one rounding (the product
// slope * x, with the slope rounded to the element type as the functor does; threshold's value
// rounded to it), so every check is bit for bit: against the documented formula evaluated in T,
// or against another function. Kinks are decided against the double parameters exactly.
#include <actfn/core/span.hpp>
#include <actfn/fn/relu.hpp>
#include <actfn/fn/tanh.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <iomanip>
#include <limits>
#include <stdexcept>
#include <vector>

#include "support/checks.hpp"
#include "support/inputs.hpp"

using namespace actfn_test;
using Catch::Matchers::Contains;

namespace {

/// x dense over [-30, 30] (fixed seed), the far tails, zeros of both signs, the smallest
/// subnormals, the kinks used below with their neighbours, the infinities and NaN.
template <class T>
std::vector<T> all_inputs() {
  using lim = std::numeric_limits<T>;
  auto v = actfn_test::random_inputs<T>(2000, T(-30), T(30));
  for (T t : {T(0), lim::denorm_min(), T(1e-30), T(0.5), T(1), T(1.5), T(6), T(100), T(1e10), lim::max(),
              lim::infinity()}) {
    for (T s : {t, -t, std::nextafter(t, T(0)), std::nextafter(-t, T(0)), std::nextafter(t, lim::infinity()),
                std::nextafter(-t, -lim::infinity())})
      v.push_back(s);
  }
  v.push_back(lim::quiet_NaN());
  return v;
}

/// The documented formula of leaky_relu, prelu and rrelu: x for x >= 0, slope * x otherwise,
/// with the slope rounded to T.
template <class T>
T leaky_formula(T x, double slope) { return x < 0 ? x * static_cast<T>(slope) : x; }

/// Same numbers (NaN equals NaN), where the sign of a zero is not part of the contract.
template <class T>
bool same_value(T a, T b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace

// ---- each formula, with default and non-default parameters --------------------------------------

TEMPLATE_TEST_CASE("relu(x) = max(x, 0), relu'(x) = [x > 0], relu(-0) = +0", "[relu][formula]", float, double) {
  using T = TestType;
  const actfn::relu f;
  for (T x : all_inputs<T>()) {
    if (std::isnan(x)) continue;  // tested apart
    INFO("x = " << std::setprecision(digits) << x);
    CHECK(same_bits(f(x), x > 0 ? x : T(0)));  // +0 for every x <= 0, -0 included (documented)
    CHECK(same_bits(f.derivative(x), x > 0 ? T(1) : T(0)));
  }
}

TEMPLATE_TEST_CASE("leaky_relu(x) = x for x >= 0, negative_slope * x otherwise", "[leaky_relu][formula]", float,
                   double) {
  using T = TestType;
  // The default and slopes that are not representable, zero, negative and above 1.
  for (double slope : {0.01, 0.2, 0.0, -0.5, 1.5}) {
    const actfn::leaky_relu f = slope == 0.01 ? actfn::leaky_relu{} : actfn::leaky_relu{slope};
    for (T x : all_inputs<T>()) {
      if (std::isinf(x) || std::isnan(x)) continue;  // limits and NaN are tested apart
      INFO("negative_slope = " << slope << ", x = " << std::setprecision(digits) << x);
      // Same numbers: the sign of a zero product (slope 0, or an underflow) is not documented;
      // the documented signed zero, leaky_relu(-0) = -0, has its own test.
      CHECK(same_value(f(x), leaky_formula(x, slope)));
      CHECK(same_bits(f.derivative(x), x > 0 ? T(1) : static_cast<T>(slope)));
    }
  }
}

TEMPLATE_TEST_CASE("threshold(t, v)(x) = x for x > t, else v; derivative [x > t]", "[threshold][formula]", float,
                   double) {
  using T = TestType;
  // x > t is the exact comparison with the double parameter (x converts to double exactly),
  // also for thresholds that float cannot represent (0.1 and 0.3 round up, 0.7 down).
  for (const actfn::threshold f : {actfn::threshold{1.5, -2}, actfn::threshold{-1, 5},
                                   actfn::threshold{0.1, 0.1}, actfn::threshold{0.3, -1.7},
                                   actfn::threshold{0.7, 0.2}}) {
    const T v = static_cast<T>(f.value);
    std::vector<T> xs = all_inputs<T>();
    for (T x : around(static_cast<T>(f.thresh), 2)) xs.push_back(x);
    for (T x : xs) {
      if (std::isnan(x)) continue;
      INFO("threshold(" << f.thresh << ", " << f.value << "), x = " << std::setprecision(digits) << x);
      const bool above = static_cast<double>(x) > f.thresh;
      CHECK(same_bits(f(x), above ? x : v));
      CHECK(same_bits(f.derivative(x), above ? T(1) : T(0)));
    }
  }
}

TEMPLATE_TEST_CASE("threshold decides its kink against the exact parameter", "[threshold][kink]",
                   float, double) {
  using T = TestType;
  // float(0.3) = 0.300000012 lies above 0.3: x itself, slope 1; the float below it is below.
  // float(0.7) = 0.699999988 lies below 0.7: the value, slope 0; the float above it is above.
  const T k3 = static_cast<T>(0.3), k7 = static_cast<T>(0.7);
  const T inf = std::numeric_limits<T>::infinity();
  const actfn::threshold a{0.3, -1.7}, b{0.7, 0.2};
  const bool k3_above = static_cast<double>(k3) > 0.3, k7_above = static_cast<double>(k7) > 0.7;
  CHECK(k3_above == (sizeof(T) == 4));  // double: the parameter itself, not above it
  CHECK_FALSE(k7_above);
  CHECK(same_bits(a(k3), k3_above ? k3 : static_cast<T>(-1.7)));
  CHECK(a.derivative(k3) == (k3_above ? 1 : 0));
  CHECK(a.derivative_from_output(a(k3)) == a.derivative(k3));
  CHECK(a(std::nextafter(k3, -inf)) == static_cast<T>(-1.7));
  CHECK(a.derivative(std::nextafter(k3, -inf)) == 0);
  CHECK(b(k7) == static_cast<T>(0.2));
  CHECK(b.derivative(k7) == 0);
  CHECK(b(std::nextafter(k7, inf)) == std::nextafter(k7, inf));
  CHECK(b.derivative(std::nextafter(k7, inf)) == 1);
  // The value is the double parameter rounded to T: the nearest T, half an ULP at most.
  CHECK(a(T(0)) == static_cast<T>(-1.7));
  const long double value = a.value;
  CHECK(std::fabs(a(T(0)) - value) <= std::fabs(std::nextafter(a(T(0)), T(0)) - value));
  CHECK(std::fabs(a(T(0)) - value) <= std::fabs(std::nextafter(a(T(0)), -inf) - value));
}

// ---- identities linking the functions -------------------------------------------------------

TEMPLATE_TEST_CASE("relu6 = hardtanh(0, 6)", "[relu6][hardtanh][identity]", float, double) {
  using T = TestType;
  const actfn::relu6 r;
  const actfn::hardtanh h{0, 6};
  for (T x : all_inputs<T>()) {
    INFO("x = " << std::setprecision(digits) << x);
    // Same numbers; only the sign of zero at x = -0 differs, as documented: relu6(-0) = +0,
    // while hardtanh returns an x inside (or on) its interval as is.
    CHECK(same_value(r(x), h(x)));
    CHECK(same_bits(r.derivative(x), h.derivative(x)));
    CHECK(same_bits(r.derivative_from_output(r(x)), h.derivative_from_output(h(x))));
  }
}

TEMPLATE_TEST_CASE("threshold's defaults (0, 0) are relu, bit for bit", "[threshold][relu][identity]", float,
                   double) {
  using T = TestType;
  const actfn::threshold t;
  const actfn::relu r;
  for (T x : all_inputs<T>()) {
    INFO("x = " << std::setprecision(digits) << x);
    CHECK(same_bits(t(x), r(x)));
    CHECK(same_bits(t.derivative(x), r.derivative(x)));
    CHECK(same_bits(t.derivative_from_output(t(x)), r.derivative_from_output(r(x))));
  }
}

TEMPLATE_TEST_CASE("prelu(w) == leaky_relu(w), bit for bit", "[prelu][leaky_relu][identity]", float, double) {
  using T = TestType;
  for (double w : {0.25, 0.1, 0.0, -0.3, 1.5}) {
    const actfn::prelu p = w == 0.25 ? actfn::prelu{} : actfn::prelu{w};
    const actfn::leaky_relu l{w};
    for (T x : all_inputs<T>()) {
      INFO("weight = " << w << ", x = " << std::setprecision(digits) << x);
      CHECK(same_bits(p(x), l(x)));
      CHECK(same_bits(p.derivative(x), l.derivative(x)));
      if (w >= 0) CHECK(same_bits(p.derivative_from_output(p(x)), l.derivative_from_output(l(x))));
    }
  }
}

TEMPLATE_TEST_CASE("rrelu in evaluation mode == leaky_relu((lower + upper) / 2), bit for bit",
                   "[rrelu][leaky_relu][identity]", float, double) {
  using T = TestType;
  for (const actfn::rrelu r : {actfn::rrelu{}, actfn::rrelu{0.1, 0.3}, actfn::rrelu{0, 0}, actfn::rrelu{-0.2, 0.1}}) {
    const double slope = (r.lower + r.upper) / 2;
    CHECK(r.eval_slope() == slope);
    const actfn::leaky_relu l{slope};
    for (T x : all_inputs<T>()) {
      INFO("rrelu(" << r.lower << ", " << r.upper << "), x = " << std::setprecision(digits) << x);
      CHECK(same_bits(r(x), l(x)));
      CHECK(same_bits(r.derivative(x), l.derivative(x)));
      if (slope >= 0) CHECK(same_bits(r.derivative_from_output(r(x)), l.derivative_from_output(l(x))));
    }
  }
}

// ---- PyTorch semantics: kinks, limits, signed zeros, NaN -----------------------------------------

TEMPLATE_TEST_CASE("derivatives at the kinks are PyTorch's", "[relu][relu6][leaky_relu][prelu][rrelu][threshold][kink]",
                   float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity(), tiny = std::numeric_limits<T>::denorm_min();
  for (T zero : {T(0), -T(0)}) {
    INFO("x = " << zero);
    // relu: 0 at the kink
    CHECK(actfn::relu{}.derivative(zero) == 0);
    // leaky_relu, prelu, rrelu (eval): the negative slope at the kink
    CHECK(actfn::leaky_relu{}.derivative(zero) == static_cast<T>(0.01));
    CHECK(actfn::leaky_relu{0.2}.derivative(zero) == static_cast<T>(0.2));
    CHECK(actfn::prelu{}.derivative(zero) == static_cast<T>(0.25));
    CHECK(actfn::prelu{0.1}.derivative(zero) == static_cast<T>(0.1));
    CHECK(actfn::rrelu{}.derivative(zero) == static_cast<T>((1.0 / 8 + 1.0 / 3) / 2));
    CHECK(actfn::rrelu{0.1, 0.3}.derivative(zero) == static_cast<T>((0.1 + 0.3) / 2));
    // relu6: 0 at both kinks
    CHECK(actfn::relu6{}.derivative(zero) == 0);
    // threshold with the defaults: 0 at the kink
    CHECK(actfn::threshold{}.derivative(zero) == 0);
  }
  CHECK(actfn::relu{}.derivative(tiny) == 1);
  CHECK(actfn::relu{}.derivative(-tiny) == 0);
  CHECK(actfn::leaky_relu{}.derivative(tiny) == 1);
  CHECK(actfn::leaky_relu{}.derivative(-tiny) == static_cast<T>(0.01));
  CHECK(actfn::relu6{}.derivative(T(6)) == 0);
  CHECK(actfn::relu6{}.derivative(tiny) == 1);
  CHECK(actfn::relu6{}.derivative(std::nextafter(T(6), T(0))) == 1);
  CHECK(actfn::relu6{}.derivative(std::nextafter(T(6), inf)) == 0);
  CHECK(actfn::relu6{}(T(6)) == 6);
  CHECK(actfn::relu6{}(std::nextafter(T(6), inf)) == 6);
  const actfn::threshold th{1.5, -2};
  CHECK(th.derivative(T(1.5)) == 0);
  CHECK(th(T(1.5)) == -2);
  CHECK(th.derivative(std::nextafter(T(1.5), inf)) == 1);
  // From the output: y = 0 (relu, relu6), 6 (relu6), the value (threshold) all come from the flat pieces.
  CHECK(actfn::relu{}.derivative_from_output(T(0)) == 0);
  CHECK(actfn::relu6{}.derivative_from_output(T(0)) == 0);
  CHECK(actfn::relu6{}.derivative_from_output(T(6)) == 0);
  CHECK(actfn::leaky_relu{}.derivative_from_output(T(0)) == static_cast<T>(0.01));
  CHECK(th.derivative_from_output(T(-2)) == 0);
}

TEMPLATE_TEST_CASE("limits at +-inf", "[relu][relu6][leaky_relu][prelu][rrelu][threshold][limits]", float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(actfn::relu{}(-inf) == 0);
  CHECK(actfn::relu{}(inf) == inf);
  CHECK(actfn::relu{}.derivative(-inf) == 0);
  CHECK(actfn::relu{}.derivative(inf) == 1);
  CHECK(actfn::relu6{}(-inf) == 0);
  CHECK(actfn::relu6{}(inf) == 6);
  CHECK(actfn::relu6{}.derivative(-inf) == 0);
  CHECK(actfn::relu6{}.derivative(inf) == 0);
  CHECK(actfn::leaky_relu{}(-inf) == -inf);
  CHECK(actfn::leaky_relu{}(inf) == inf);
  CHECK(actfn::leaky_relu{-0.5}(-inf) == inf);
  CHECK(actfn::leaky_relu{}.derivative(-inf) == static_cast<T>(0.01));
  CHECK(actfn::leaky_relu{}.derivative(inf) == 1);
  CHECK(actfn::prelu{}(-inf) == -inf);
  CHECK(actfn::rrelu{}(-inf) == -inf);
  CHECK(actfn::threshold{1.5, -2}(-inf) == -2);
  CHECK(actfn::threshold{1.5, -2}(inf) == inf);
  CHECK(actfn::threshold{1.5, -2}.derivative(-inf) == 0);
  CHECK(actfn::threshold{1.5, -2}.derivative(inf) == 1);
}

TEMPLATE_TEST_CASE("a zero negative slope gives the limit 0 at -inf, not -inf * 0 = NaN",
                   "[leaky_relu][prelu][rrelu][limits]", float, double) {
  using T = TestType;
  // +-inf give the mathematical limits (README, "Semantics"), and lim_{x -> -inf} 0 * x = 0.
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(actfn::leaky_relu{0.0}(-inf) == 0);
  CHECK(actfn::prelu{0.0}(-inf) == 0);
  CHECK(actfn::rrelu{0, 0}(-inf) == 0);
  CHECK(actfn::leaky_relu{0.0}.derivative_from_output(actfn::leaky_relu{0.0}(-inf)) == 0);
}

TEMPLATE_TEST_CASE("signed zeros: relu(-0) = relu6(-0) = +0, leaky_relu(-0) = prelu(-0) = rrelu(-0) = -0",
                   "[relu][relu6][leaky_relu][prelu][rrelu][zero]", float, double) {
  using T = TestType;
  const T nz = -T(0);
  CHECK(actfn::relu{}(nz) == 0);
  CHECK_FALSE(std::signbit(actfn::relu{}(nz)));
  CHECK(actfn::relu6{}(nz) == 0);
  CHECK_FALSE(std::signbit(actfn::relu6{}(nz)));
  for (double slope : {0.01, 0.0, -0.5, 2.0}) {
    INFO("negative_slope = " << slope);
    CHECK(std::signbit(actfn::leaky_relu{slope}(nz)));
    CHECK(std::signbit(actfn::prelu{slope}(nz)));
    CHECK_FALSE(std::signbit(actfn::leaky_relu{slope}(T(0))));
  }
  CHECK(std::signbit(actfn::leaky_relu{}(nz)));
  CHECK(std::signbit(actfn::rrelu{}(nz)));
}

TEMPLATE_TEST_CASE("NaN in gives NaN out: forward, derivative, derivative_from_output",
                   "[relu][relu6][leaky_relu][prelu][rrelu][threshold][nan]", float, double) {
  using T = TestType;
  check_nan_in_nan_out<T>(actfn::relu{});
  check_nan_in_nan_out<T>(actfn::relu6{});
  check_nan_in_nan_out<T>(actfn::leaky_relu{});
  check_nan_in_nan_out<T>(actfn::leaky_relu{0.0});
  check_nan_in_nan_out<T>(actfn::prelu{});
  check_nan_in_nan_out<T>(actfn::rrelu{});
  check_nan_in_nan_out<T>(actfn::threshold{});
  check_nan_in_nan_out<T>(actfn::threshold{1.5, -2});
  // Where derivative_from_output refuses the parameters, forward and derivative still propagate NaN.
  const T nan = std::numeric_limits<T>::quiet_NaN();
  CHECK(std::isnan(actfn::leaky_relu{-0.5}(nan)));
  CHECK(std::isnan(actfn::leaky_relu{-0.5}.derivative(nan)));
  CHECK(std::isnan(actfn::threshold{1, 2}(nan)));
  CHECK(std::isnan(actfn::threshold{1, 2}.derivative(nan)));
}

// ---- derivative_from_output ------------------------------------------------------------------

TEST_CASE("every relu-family function offers derivative_from_output", "[relu][concepts]") {
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::relu>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::relu6>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::leaky_relu>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::prelu>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::rrelu>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::threshold>);
}

// The output tells the branch exactly when the documented conditions hold, so the two
// derivatives must agree bit for bit, tails and infinities included.
TEMPLATE_TEST_CASE("derivative_from_output(f(x)) = f'(x), bit for bit", "[relu][from_output]", float, double) {
  using T = TestType;
  auto check = [](const auto& f, const char* what) {
    for (T x : all_inputs<T>()) {
      INFO(what << ", x = " << std::setprecision(digits) << x << ", y = " << f(x));
      CHECK(same_bits(f.derivative_from_output(f(x)), f.derivative(x)));
    }
  };
  check(actfn::relu{}, "relu");
  check(actfn::relu6{}, "relu6");
  check(actfn::leaky_relu{}, "leaky_relu(0.01)");
  check(actfn::leaky_relu{0.0}, "leaky_relu(0)");
  check(actfn::leaky_relu{1.5}, "leaky_relu(1.5)");
  check(actfn::prelu{}, "prelu(0.25)");
  check(actfn::rrelu{}, "rrelu(1/8, 1/3)");
  check(actfn::rrelu{-0.1, 0.3}, "rrelu(-0.1, 0.3)");
  check(actfn::threshold{}, "threshold(0, 0)");
  check(actfn::threshold{1.5, -2}, "threshold(1.5, -2)");
  check(actfn::threshold{1, 1}, "threshold(1, 1)");
  check(actfn::threshold{0.3, -1.7}, "threshold(0.3, -1.7)");
  check(actfn::threshold{0.7, 0.2}, "threshold(0.7, 0.2)");
}

TEMPLATE_TEST_CASE("derivative_from_output refuses parameters for which y does not tell the branch",
                   "[leaky_relu][prelu][rrelu][threshold][from_output]", float, double) {
  using T = TestType;
  const T y(1);
  REQUIRE_THROWS_AS(actfn::leaky_relu{-0.5}.derivative_from_output(y), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::leaky_relu{-0.5}.derivative_from_output(y),
                      Contains("leaky_relu") && Contains("negative_slope") && Contains("-0.5"));
  REQUIRE_THROWS_AS(actfn::prelu{-0.25}.derivative_from_output(y), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::prelu{-0.25}.derivative_from_output(y),
                      Contains("prelu") && Contains("weight") && Contains("-0.25"));
  REQUIRE_THROWS_AS(actfn::rrelu(-0.5, -0.25).derivative_from_output(y), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::rrelu(-0.5, -0.25).derivative_from_output(y),
                      Contains("rrelu") && Contains("lower") && Contains("upper") && Contains("-0.375"));
  REQUIRE_THROWS_AS(actfn::threshold(1, 2).derivative_from_output(y), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::threshold(1, 2).derivative_from_output(y),
                      Contains("threshold = 1") && Contains("value = 2"));
  // The limits of what is allowed.
  REQUIRE_NOTHROW(actfn::leaky_relu{0.0}.derivative_from_output(y));
  REQUIRE_NOTHROW(actfn::prelu{0.0}.derivative_from_output(y));
  REQUIRE_NOTHROW(actfn::rrelu(-0.25, 0.25).derivative_from_output(y));
  REQUIRE_NOTHROW(actfn::threshold(1, 1).derivative_from_output(y));
  // The span path refuses too.
  const std::vector<T> ys(5, T(1)), dy(5, T(1));
  std::vector<T> dx(5);
  REQUIRE_THROWS_WITH(actfn::backward_from_output(actfn::threshold(1, 2), ys, dy, dx),
                      Contains("threshold = 1") && Contains("value = 2"));
  REQUIRE_THROWS_WITH(actfn::backward_from_output(actfn::leaky_relu{-0.5}, ys, dy, dx),
                      Contains("negative_slope") && Contains("-0.5"));
}

// ---- parameters -------------------------------------------------------------------------------

TEST_CASE("defaults are PyTorch's", "[leaky_relu][prelu][rrelu][threshold][parameters]") {
  CHECK(actfn::leaky_relu{}.negative_slope == 0.01);  // torch.nn.LeakyReLU(negative_slope=0.01)
  CHECK(actfn::prelu{}.weight == 0.25);               // torch.nn.PReLU(init=0.25)
  CHECK(actfn::rrelu{}.lower == 1.0 / 8);             // torch.nn.RReLU(lower=1/8, upper=1/3)
  CHECK(actfn::rrelu{}.upper == 1.0 / 3);
  CHECK(actfn::rrelu{}.eval_slope() == (1.0 / 8 + 1.0 / 3) / 2);
  // torch.nn.Threshold has no defaults; actfn's are documented as (0, 0), i.e. relu.
  CHECK(actfn::threshold{}.thresh == 0.0);
  CHECK(actfn::threshold{}.value == 0.0);
}

TEST_CASE("invalid parameters are refused with their name and value", "[leaky_relu][prelu][rrelu][threshold][parameters]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  REQUIRE_THROWS_AS(actfn::leaky_relu{nan}, std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::leaky_relu{nan}, Contains("negative_slope") && Contains("nan"));
  REQUIRE_THROWS_WITH(actfn::leaky_relu{inf}, Contains("negative_slope") && Contains("inf"));
  REQUIRE_THROWS_AS(actfn::prelu{nan}, std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::prelu{nan}, Contains("weight") && Contains("nan"));
  REQUIRE_THROWS_WITH(actfn::prelu{-inf}, Contains("weight") && Contains("-inf"));
  REQUIRE_THROWS_AS(actfn::rrelu(0.5, 0.25), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::rrelu(0.5, 0.25), Contains("lower = 0.5") && Contains("upper = 0.25"));
  REQUIRE_THROWS_WITH(actfn::rrelu(nan, 0.25), Contains("lower") && Contains("nan"));
  REQUIRE_THROWS_WITH(actfn::rrelu(0.125, inf), Contains("upper") && Contains("inf"));
  REQUIRE_NOTHROW(actfn::rrelu(0.25, 0.25));
  REQUIRE_THROWS_AS(actfn::threshold(nan, 0), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::threshold(nan, 0), Contains("threshold") && Contains("nan"));
  REQUIRE_THROWS_WITH(actfn::threshold(0, -inf), Contains("value") && Contains("-inf"));
}

// ---- the span path -----------------------------------------------------------------------------

TEMPLATE_TEST_CASE("relu and leaky_relu through actfn::forward, backward and backward_from_output",
                   "[relu][leaky_relu][span]", float, double) {
  using T = TestType;
  const auto x = all_inputs<T>();
  REQUIRE(x.size() % 2 == 1);  // odd: every batch width leaves a tail for the span loop
  const auto dy = actfn_test::random_inputs<T>(x.size(), T(-2), T(2), 7);
  std::vector<T> y(x.size()), dx(x.size()), dx_from_y(x.size());
  const actfn::relu r;
  actfn::forward(r, x, y);
  actfn::backward(r, x, dy, dx);
  actfn::backward_from_output(r, y, dy, dx_from_y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("relu, x = " << std::setprecision(digits) << x[i] << ", dy = " << dy[i]);
    CHECK(same_bits(y[i], std::isnan(x[i]) ? x[i] : x[i] > 0 ? x[i] : T(0)));
    CHECK(same_value(dx[i], std::isnan(x[i]) ? x[i] : x[i] > 0 ? dy[i] : T(0)));  // dy * 0 may be -0
    CHECK(same_bits(dx_from_y[i], dx[i]));
  }
  const actfn::leaky_relu l{0.2};
  actfn::forward(l, x, y);
  actfn::backward(l, x, dy, dx);
  actfn::backward_from_output(l, y, dy, dx_from_y);
  const T slope = static_cast<T>(0.2);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("leaky_relu(0.2), x = " << std::setprecision(digits) << x[i] << ", dy = " << dy[i]);
    CHECK(same_bits(y[i], leaky_formula(x[i], 0.2)));
    CHECK(same_bits(dx[i], std::isnan(x[i]) ? x[i] : T(dy[i] * (x[i] > 0 ? T(1) : slope))));
    CHECK(same_bits(dx_from_y[i], dx[i]));
  }
}
