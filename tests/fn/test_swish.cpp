// What is specific to include/actfn/fn/swish.hpp (swish, silu, hardswish): the derivative
// identities, silu == swish(1), the links to sigmoid and hardsigmoid, hardswish's kinks, limits,
// NaN, the absence of derivative_from_output, beta. Catalogue-wide properties (scalar == SIMD
// lane, tails of spans, in place, finite differences, ULP sweeps) live in test_properties.cpp
// and test_accuracy.cpp.
//
// Tolerances. An identity such as swish'(x) = s + z s (1 - s), z = beta x, is checked with
// s = sigmoid(z) taken from the library's sigmoid and the right side evaluated in long double,
// so two code paths are tied together. Each is within its documented bound (F::bound, enforced
// by test_accuracy.cpp) of the true value, so the two sides may differ by
//   bound ULPs of the left side                   its own error, plus
//   |h(s + e) - h(s)| for |e| <= bound ULPs of s   s's error carried through the right side h
//                                                   (<= |h'(s)| e + max|h''| e^2 / 2).
// The second term is the identity's condition number at work: it is an absolute floor exactly
// where the right side cancels (hardswish' near x = -1.5). swish' itself is a sum that cancels
// near its zero: see derivative_err. ULPs are taken at the computed value, which may sit
// one binade below the exact one, hence the factor 2 in err() (err, near and the bounds
// fwd_ulps, der_ulps are in support/bounds.hpp).
#include <actfn/core/span.hpp>
#include <actfn/fn/sigmoid.hpp>
#include <actfn/fn/swish.hpp>
#include <catch2/catch.hpp>
#include <cmath>
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

namespace {

/// The error allowed to swish'(x) = s + z s (1 - s), z = beta x, s = sigmoid(z): `ulps` ULPs
/// of the terms' size |s| + |z s (1 - s)| rather than of their sum. The two terms cancel near
/// swish's minimum (z = -1.2785), where the sum's ULPs vanish but each term's rounding does not:
/// (|s| + |z s (1 - s)|) / |sum| is the condition number of that sum. Away from the minimum, in
/// both tails included, this is within a factor 2 of ULPs of the sum itself.
template <class T>
ld derivative_err(double ulps, ld s, ld z) { return err<T>(ulps, s + std::fabs(z * s * (1 - s))); }

/// x dense over [-30, 30] (fixed seed) plus the far tails, up to the largest finite value, and
/// hardswish's kinks with their neighbours. Infinities and NaN are tested on their own.
template <class T>
std::vector<T> identity_inputs() {
  // 1999 random values: half the other files, since swish' runs it for 7 betas.
  auto v = actfn_test::dense_and_tails<T>(1999, {T(0), T(1e-30), T(0.5), T(1.5), T(40), T(60),
                                                 T(100), T(1e3), T(1e10),
                                                 std::numeric_limits<T>::max()});
  for (T k : {T(-3), T(3)}) v.insert(v.end(), {k, std::nextafter(k, T(-4)), std::nextafter(k, T(4))});
  return v;
}

/// identity_inputs plus the infinities and NaN: for relations that must hold bit for bit.
template <class T>
std::vector<T> all_inputs() { return actfn_test::with_inf_nan(identity_inputs<T>()); }

}  // namespace

// ---- derivative identities ---------------------------------------------------------------

TEMPLATE_TEST_CASE("swish'(x) = s + beta x s (1 - s) with s = sigmoid(beta x)", "[swish][identity]", float,
                   double) {
  using T = TestType;
  const actfn::sigmoid sigmoid;
  // Powers of two (and their negatives): beta x is then exact in T, as in long double, so both
  // sides see the same z (up to overflow to inf, where s is exactly 0 or 1).
  for (double beta : {1.0, 0.5, 2.0, 0.25, 4.0, -1.0, -0.5}) {
    const actfn::swish f{beta};
    for (T x : identity_inputs<T>()) {
      const T s = sigmoid(static_cast<T>(beta) * x);
      const ld S = s, z = beta * ld(x);
      const ld g = S + z * S * (1 - S);
      // h(s) = s + z s (1 - s): h'(s) = 1 + z (1 - 2s), h'' = -2z.
      const ld e = err<T>(fwd_ulps<actfn::sigmoid, T>, S);
      const ld margin = derivative_err<T>(der_ulps<actfn::swish, T>, S, z) +
                        std::fabs(1 + z * (1 - 2 * S)) * e + std::fabs(z) * e * e;
      INFO("beta = " << beta << ", x = " << std::setprecision(digits) << x << ", s = " << s);
      CHECK_THAT(f.derivative(x), near<T>(g, margin));
    }
  }
}

TEMPLATE_TEST_CASE("hardswish'(x) = hardsigmoid(x) + x hardsigmoid'(x) away from the kinks +-3",
                   "[hardswish][identity]", float, double) {
  using T = TestType;
  const actfn::hardswish f;
  const actfn::hardsigmoid h;
  for (T x : identity_inputs<T>()) {
    if (x == -3 || x == 3) continue;  // the kinks: PyTorch's values, see the kink test
    const T hs = h(x), hd = h.derivative(x);
    const ld g = ld(hs) + ld(x) * ld(hd);
    const ld margin = err<T>(der_ulps<actfn::hardswish, T>, g) +
                      err<T>(fwd_ulps<actfn::hardsigmoid, T>, hs) +
                      std::fabs(ld(x)) * err<T>(der_ulps<actfn::hardsigmoid, T>, hd);
    INFO("x = " << std::setprecision(digits) << x);
    CHECK_THAT(f.derivative(x), near<T>(g, margin));
  }
}

TEMPLATE_TEST_CASE("hardswish' is piecewise: 0 below -3, x / 3 + 1/2 on [-3, 3], 1 above 3", "[hardswish][identity]",
                   float, double) {
  using T = TestType;
  const actfn::hardswish f;
  for (T x : identity_inputs<T>()) {
    INFO("x = " << std::setprecision(digits) << x);
    if (x < -3) {
      CHECK(f.derivative(x) == 0);
    } else if (x > 3) {
      CHECK(f.derivative(x) == 1);
    } else {
      const ld g = ld(x) / 3 + 0.5L;
      CHECK_THAT(f.derivative(x), near<T>(g, err<T>(der_ulps<actfn::hardswish, T>, g)));
    }
  }
}

// ---- identities linking the functions -------------------------------------------------------

TEMPLATE_TEST_CASE("silu == swish(1), bit for bit", "[silu][swish][identity]", float, double) {
  using T = TestType;
  const actfn::silu s;
  for (const actfn::swish w : {actfn::swish{}, actfn::swish{1.0}}) {
    for (T x : all_inputs<T>()) {
      INFO("x = " << std::setprecision(digits) << x);
      CHECK(same_bits(s(x), w(x)));
      CHECK(same_bits(s.derivative(x), w.derivative(x)));
    }
  }
}

TEMPLATE_TEST_CASE("swish(x) = x sigmoid(beta x), silu(x) = x sigmoid(x)", "[swish][silu][identity]", float, double) {
  using T = TestType;
  const actfn::sigmoid sigmoid;
  auto check = [&](const auto& f, double beta) {
    for (T x : identity_inputs<T>()) {
      // s: actfn's sigmoid at z = beta x rounded to T, for the tolerance; the value is
      // compared with x sigmoid(beta x) at the exact z (swish carries the rounding of beta x).
      const T s = sigmoid(static_cast<T>(beta) * x);
      if (s < std::numeric_limits<T>::min()) continue;  // the far tail: the sweep's
      const ld g = ld(x) * actfn_test::reference<actfn::sigmoid>::f(actfn::sigmoid{}, ld(beta) * ld(x));
      const ld margin = err<T>(fwd_ulps<std::remove_cvref_t<decltype(f)>, T>, g) +
                        std::fabs(ld(x)) * err<T>(fwd_ulps<actfn::sigmoid, T>, s);
      INFO(f.name << ", beta = " << beta << ", x = " << std::setprecision(digits) << x);
      CHECK_THAT(f(x), near<T>(g, margin));
    }
  };
  check(actfn::silu{}, 1.0);
  for (double beta : {1.0, 0.5, 2.0, 1.702, 0.3, -1.0}) check(actfn::swish{beta}, beta);
}

TEMPLATE_TEST_CASE("hardswish(x) = x hardsigmoid(x)", "[hardswish][identity]", float, double) {
  using T = TestType;
  const actfn::hardswish f;
  const actfn::hardsigmoid h;
  for (T x : identity_inputs<T>()) {
    const T hs = h(x);
    const ld g = ld(x) * ld(hs);
    const ld margin = err<T>(fwd_ulps<actfn::hardswish, T>, g) +
                      std::fabs(ld(x)) * err<T>(fwd_ulps<actfn::hardsigmoid, T>, hs);
    INFO("x = " << std::setprecision(digits) << x);
    CHECK_THAT(f(x), near<T>(g, margin));
  }
}

// ---- no derivative_from_output ----------------------------------------------------------------

TEST_CASE("swish, silu and hardswish have no derivative_from_output (y does not determine x)",
          "[swish][silu][hardswish][concepts]") {
  // They are activations...
  STATIC_REQUIRE(actfn::activation<actfn::swish>);
  STATIC_REQUIRE(actfn::activation<actfn::silu>);
  STATIC_REQUIRE(actfn::activation<actfn::hardswish>);
  // ...but not monotonic, so one output comes from two inputs with different slopes.
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::swish>);
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::silu>);
  STATIC_REQUIRE_FALSE(actfn::derivative_from_output_capable<actfn::hardswish>);
}

// ---- PyTorch semantics: kinks, limits, tails, NaN ---------------------------------------------

TEMPLATE_TEST_CASE("hardswish at its kinks: PyTorch's derivative -1/2 at -3 and 3/2 at 3", "[hardswish][kink]",
                   float, double) {
  using T = TestType;
  const actfn::hardswish f;
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(f(T(-3)) == 0);
  CHECK(f(T(3)) == 3);
  CHECK(f.derivative(T(-3)) == T(-0.5));
  CHECK(f.derivative(T(3)) == T(1.5));
  CHECK(f.derivative(std::nextafter(T(-3), -inf)) == 0);
  CHECK(f.derivative(std::nextafter(T(3), inf)) == 1);
  // at 0: value 0, slope 1/2; at -3/2 the slope is 0 (the minimum of hardswish)
  CHECK(f(T(0)) == 0);
  CHECK(f.derivative(T(0)) == T(0.5));
  CHECK(f.derivative(T(-1.5)) == 0);
}

TEMPLATE_TEST_CASE("hardswish's zeros have PyTorch's signs: -0 at and below -3 and at -0, +0 at +0 (README)",
                   "[hardswish][zero]", float, double) {
  using T = TestType;
  const actfn::hardswish f;
  const T inf = std::numeric_limits<T>::infinity();
  const std::vector<T> x{-inf, T(-1e30), T(-5), T(-3), -T(0), T(0)};
  const std::vector<bool> negative{true, true, true, true, true, false};
  std::vector<T> y(x.size());
  actfn::forward(f, x, y);  // the span path too
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    CHECK(f(x[i]) == 0);
    CHECK(std::signbit(f(x[i])) == negative[i]);
    CHECK(std::signbit(y[i]) == negative[i]);
  }
  const T above = std::nextafter(T(-3), T(0));  // just above -3 the value is negative, not a zero
  CHECK(f(above) < 0);
}

TEMPLATE_TEST_CASE("limits at +-inf", "[swish][silu][hardswish][limits]", float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  for (double beta : {1.0, 0.5, 2.0, 1.702}) {
    const actfn::swish f{beta};
    INFO("beta = " << beta);
    CHECK(f(-inf) == 0);
    CHECK(f(inf) == inf);
    CHECK(f.derivative(-inf) == 0);
    CHECK(f.derivative(inf) == 1);
  }
  // A negative beta mirrors the saturation: x sigmoid(-|beta| x) -> 0 at +inf, x at -inf.
  const actfn::swish m{-1.0};
  CHECK(m(inf) == 0);
  CHECK(m(-inf) == -inf);
  CHECK(m.derivative(inf) == 0);
  CHECK(m.derivative(-inf) == 1);
  const actfn::silu s;
  CHECK(s(-inf) == 0);
  CHECK(s(inf) == inf);
  CHECK(s.derivative(-inf) == 0);
  CHECK(s.derivative(inf) == 1);
  const actfn::hardswish h;
  CHECK(h(-inf) == 0);
  CHECK(h(inf) == inf);
  CHECK(h.derivative(-inf) == 0);
  CHECK(h.derivative(inf) == 1);
}

TEMPLATE_TEST_CASE("swish with beta = 0 is x / 2, infinities included", "[swish][limits]", float, double) {
  using T = TestType;
  // +-inf give the mathematical limits (README, "Semantics"); the constructor accepts beta = 0, where
  // swish(x) = x sigmoid(0) = x / 2 and swish'(x) = 1/2 everywhere.
  const actfn::swish f{0.0};
  const T inf = std::numeric_limits<T>::infinity();
  for (T x : identity_inputs<T>()) {
    INFO("x = " << std::setprecision(digits) << x);
    CHECK(same_bits(f(x), T(x / 2)));
    CHECK(f.derivative(x) == T(0.5));
  }
  CHECK(f(inf) == inf);
  CHECK(f(-inf) == -inf);
  CHECK(f.derivative(inf) == T(0.5));
  CHECK(f.derivative(-inf) == T(0.5));
  CHECK(std::isnan(f.derivative(std::numeric_limits<T>::quiet_NaN())));
}

TEMPLATE_TEST_CASE("silu keeps the tiny values of its left tail", "[silu][tails]", float, double) {
  using T = TestType;
  // x sigmoid(x) for x far left is a tiny but normal number of T: not 0, and to the bound.
  const actfn::silu f;
  // Beyond float's -88 and double's -709, sigmoid(x) itself is no longer a normal number.
  const std::vector<T> far = std::is_same_v<T, float> ? std::vector<T>{-30, -60, -80, -88, -90}
                                                      : std::vector<T>{-30, -100, -500, -700, -709, -712};
  for (T x : far) {
    INFO("x = " << x);
    const ld ref = actfn_test::reference<actfn::silu>::f(f, x);
    REQUIRE(-ref >= std::numeric_limits<T>::min());
    CHECK(actfn_test::ulp_error(f(x), ref) <= fwd_ulps<actfn::silu, T>);
  }
}

TEMPLATE_TEST_CASE("signed zeros: swish(-0) = silu(-0) = -0 (README), slope 1/2 at 0", "[swish][silu][zero]",
                   float, double) {
  using T = TestType;
  for (T z : {T(0), -T(0)}) {
    INFO("x = " << z);
    for (double beta : {1.0, 2.0, -1.0, 0.0}) {
      const actfn::swish f{beta};
      CHECK(f(z) == 0);
      CHECK(std::signbit(f(z)) == std::signbit(z));
      CHECK(f.derivative(z) == T(0.5));
    }
    CHECK(std::signbit(actfn::silu{}(z)) == std::signbit(z));
  }
}

TEMPLATE_TEST_CASE("NaN in gives NaN out: forward and derivative", "[swish][silu][hardswish][nan]", float, double) {
  using T = TestType;
  check_nan_in_nan_out<T>(actfn::swish{});
  check_nan_in_nan_out<T>(actfn::swish{2.0});
  check_nan_in_nan_out<T>(actfn::swish{-1.0});
  check_nan_in_nan_out<T>(actfn::silu{});
  check_nan_in_nan_out<T>(actfn::hardswish{});
}

// ---- parameters -------------------------------------------------------------------------------

TEST_CASE("swish's beta defaults to 1 and must be finite", "[swish][parameters]") {
  CHECK(actfn::swish{}.beta == 1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  REQUIRE_THROWS_AS(actfn::swish{nan}, std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::swish{nan}, Contains("swish") && Contains("beta") && Contains("nan"));
  REQUIRE_THROWS_AS(actfn::swish{-inf}, std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::swish{-inf}, Contains("beta") && Contains("-inf"));
  REQUIRE_NOTHROW(actfn::swish{-3.5});
}

// ---- the span path -----------------------------------------------------------------------------

TEMPLATE_TEST_CASE("swish(2) and hardswish through actfn::forward and backward", "[swish][hardswish][span]", float,
                   double) {
  using T = TestType;
  const auto x = identity_inputs<T>();
  REQUIRE(x.size() % 2 == 1);  // odd: every batch width leaves a tail for the span loop
  const auto dy = actfn_test::random_inputs<T>(x.size(), T(-2), T(2), 7);
  std::vector<T> y(x.size()), dx(x.size());
  const actfn::sigmoid sigmoid;
  const actfn::swish f{2.0};
  actfn::forward(f, x, y);
  actfn::backward(f, x, dy, dx);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T s = sigmoid(2 * x[i]);
    const ld S = s, z = 2 * ld(x[i]), e = err<T>(fwd_ulps<actfn::sigmoid, T>, S);
    INFO("swish(2), x = " << std::setprecision(digits) << x[i] << ", dy = " << dy[i]);
    const ld yv = ld(x[i]) * S;
    CHECK_THAT(y[i], near<T>(yv, err<T>(fwd_ulps<actfn::swish, T>, yv) + std::fabs(ld(x[i])) * e));
    // dx = dy f'(x): the identity's margin scaled by |dy|, plus the product's rounding.
    const ld g = S + z * S * (1 - S), want = dy[i] * g;
    const ld margin = derivative_err<T>(der_ulps<actfn::swish, T>, S, z) +
                      std::fabs(1 + z * (1 - 2 * S)) * e + std::fabs(z) * e * e;
    CHECK_THAT(dx[i], near<T>(want, std::fabs(ld(dy[i])) * margin + err<T>(0.5, want)));
  }
  const actfn::hardswish h;
  const actfn::hardsigmoid hs;
  actfn::forward(h, x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T v = hs(x[i]);
    const ld g = ld(x[i]) * ld(v);
    INFO("hardswish, x = " << std::setprecision(digits) << x[i]);
    CHECK_THAT(y[i], near<T>(g, err<T>(fwd_ulps<actfn::hardswish, T>, g) +
                                    std::fabs(ld(x[i])) *
                                        err<T>(fwd_ulps<actfn::hardsigmoid, T>, v)));
  }
}
