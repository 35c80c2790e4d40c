// include/actfn/rowwise/swish.hpp: swish_backward, dx and the gradient of beta.
//
// dbeta is checked two ways: against the analytic sum of dy x^2 sigmoid'(beta x) in long double
// (tests/support/reference.hpp's sigmoid slope, none of the library's code), and against a
// finite difference in beta of the loss L(beta) = sum(dy * swish_beta(x)) evaluated in long
// double with the reference swish, which checks the formula df/dbeta = x^2 sigmoid'(beta x)
// itself. dx must be bit for bit what actfn::backward gives (the same functor, one formula).
//
// Tolerances. The terms are evaluated in double (a few 2^-53 relative each: exp, a division,
// three products) and summed with compensation, then rounded once to T, so
//   |dbeta - ref| <= 2 ulp_T(ref) + 16 * 2^-53 * sum|terms|.
// The finite difference is the five-point stencil (f(b-2h) - 8 f(b-h) + 8 f(b+h) - f(b+2h)) / 12h
// with h = 2^-14 (beta +- h, +- 2h exact in double): truncation h^4 |L^(5)| / 30 and rounding
// 2^-64 |L| / h stay below 1e-11 * sum|terms| for |x| <= 8, |beta| <= 2; 1e-9 is allowed.
#include <actfn/core/span.hpp>
#include <actfn/rowwise/swish.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/inputs.hpp"
#include "support/reference.hpp"

// Another architecture than the build's default to compare with: SSE2 on x86; on AArch64
// NEON (neon64), the only one.
#if defined(__aarch64__)
using other_arch = xsimd::neon64;
#else
using other_arch = xsimd::sse2;
#endif

using namespace actfn_test;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;

namespace {

template <class T>
ld ulp_at(ld v) {
  const int e = v == 0 ? std::numeric_limits<T>::min_exponent - 1 : std::ilogb(v);
  return std::ldexp(1.0L, std::max(e, std::numeric_limits<T>::min_exponent - 1) -
                              (std::numeric_limits<T>::digits - 1));
}

/// sum of dy x^2 sigma'(beta x) in long double, and the sum of the terms' magnitudes.
template <class T>
std::pair<ld, ld> ref_dbeta(double beta, const std::vector<T>& x, const std::vector<T>& dy) {
  ld sum = 0, mag = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const ld t = static_cast<ld>(dy[i]) * x[i] * x[i] *
                 actfn_test::ref_sigmoid_slope(beta * static_cast<ld>(x[i]));
    sum += t;
    mag += std::fabs(t);
  }
  return {sum, mag};
}

constexpr double betas[] = {1.0, 0.5, 2.0, -1.5, 0.0};

}  // namespace

TEMPLATE_TEST_CASE("swish_backward: dbeta matches the long double sum of dy x^2 sigmoid'(beta x)",
                   "[swish]", float, double) {
  using T = TestType;
  for (double beta : betas) {
    for (std::size_t n : row_lengths<T>(0)) {
      const auto x = uniform<T>(n, -8, 8, n + 1);
      const auto dy = uniform<T>(n, -1, 1, n + 2);
      std::vector<T> dx(n);
      const T got = actfn::swish_backward(actfn::swish(beta), x, dy, dx);
      const auto [want, mag] = ref_dbeta(beta, x, dy);
      CAPTURE(beta, n);
      CHECK_THAT(static_cast<double>(got),
                 WithinAbs(static_cast<double>(want),
                           static_cast<double>(2 * ulp_at<T>(want) + 16 * 0x1p-53L * mag)));
    }
  }
}

TEMPLATE_TEST_CASE("swish_backward: dbeta is the derivative in beta of sum(dy * swish(x))",
                   "[swish]", float, double) {
  using T = TestType;
  const double h = 0x1p-14;
  for (double beta : betas) {
    const std::size_t n = 3 * W<T> + 1;
    const auto x = uniform<T>(n, -8, 8, 5);
    const auto dy = uniform<T>(n, -1, 1, 6);
    std::vector<T> dx(n);
    const T got = actfn::swish_backward(actfn::swish(beta), x, dy, dx);
    auto loss = [&](double b) {
      const actfn::swish f(b);
      ld sum = 0;
      for (std::size_t i = 0; i < n; ++i)
        sum += dy[i] * actfn_test::reference<actfn::swish>::f(f, x[i]);
      return sum;
    };
    const ld fd =
        (loss(beta - 2 * h) - 8 * loss(beta - h) + 8 * loss(beta + h) - loss(beta + 2 * h)) /
        (12 * static_cast<ld>(h));
    const ld mag = ref_dbeta(beta, x, dy).second;
    CAPTURE(beta);
    CHECK_THAT(static_cast<double>(got),
               WithinAbs(static_cast<double>(fd),
                         static_cast<double>(2 * ulp_at<T>(fd) + 1e-9L * mag)));
  }
}

TEMPLATE_TEST_CASE("swish_backward: dx is bit for bit actfn::backward", "[swish]", float, double) {
  using T = TestType;
  for (double beta : betas) {
    for (std::size_t n : row_lengths<T>(0)) {
      const auto x = uniform<T>(n, -30, 30, n + 3);
      const auto dy = uniform<T>(n, -2, 2, n + 4);
      std::vector<T> dx(n), want(n);
      const actfn::swish f(beta);
      actfn::swish_backward(f, x, dy, dx);
      actfn::backward(f, x, dy, want);
      CAPTURE(beta, n);
      CHECK((n == 0 || std::memcmp(dx.data(), want.data(), n * sizeof(T)) == 0));
    }
  }
}

TEMPLATE_TEST_CASE("swish_backward: infinities, NaN, empty", "[swish]", float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> dx(3), one_dx(1);
  const std::vector<T> finite = {T(1.5)}, g1 = {T(0.5)};
  const actfn::swish f(1.0);
  const T alone = actfn::swish_backward(f, finite, g1, one_dx);
  // x^2 sigmoid'(beta x) -> 0 as |x| -> inf: the infinite entries add nothing.
  const T with_inf = actfn::swish_backward(f, std::vector<T>{inf, T(1.5), -inf},
                                           std::vector<T>{T(1), T(0.5), T(1)}, dx);
  CHECK(with_inf == alone);
  // beta = 0: swish is x / 2 and df/dbeta = x^2 / 4, unbounded.
  CHECK(actfn::swish_backward(actfn::swish(0.0), std::vector<T>{inf}, std::vector<T>{T(1)},
                              one_dx) == inf);
  CHECK(one_dx[0] == T(0.5));
  CHECK(actfn::swish_backward(actfn::swish(0.0), std::vector<T>{-inf}, std::vector<T>{T(-1)},
                              one_dx) == -inf);
  CHECK(std::isnan(actfn::swish_backward(f, std::vector<T>{T(1), nan, T(2)},
                                         std::vector<T>{T(1), T(1), T(1)}, dx)));
  CHECK(std::isnan(actfn::swish_backward(f, std::vector<T>{T(1), T(2), T(3)},
                                         std::vector<T>{T(1), nan, T(1)}, dx)));
  std::vector<T> empty;
  const auto zero = actfn::swish_backward(f, empty, empty, empty);
  STATIC_REQUIRE(std::is_same_v<decltype(zero), const T>);
  CHECK(zero == T(0));
}

TEMPLATE_TEST_CASE("swish_backward: a long span's dbeta does not drift", "[swish]", float,
                   double) {
  using T = TestType;
  // beta = 0, x = 2: every term is dy * 4 / 4 = dy exactly; 2^17 equal terms sum exactly to
  // 2^17 * dy, where a plain running sum of 0.1s in double drifts.
  const std::size_t n = std::size_t(1) << 17;
  const std::vector<T> x(n, T(2)), dy(n, T(0.1));
  std::vector<T> dx(n);
  CHECK(actfn::swish_backward(actfn::swish(0.0), x, dy, dx) == static_cast<T>(n) * T(0.1));
}

TEMPLATE_TEST_CASE("swish_backward: in place, untouched surroundings", "[swish]", float, double) {
  using T = TestType;
  const actfn::swish f(1.25);
  const std::size_t n = 2 * W<T> + 1;
  const auto x = uniform<T>(n, -6, 6, 1);
  const auto dy = uniform<T>(n, -1, 1, 2);
  std::vector<T> dx(n);
  const T dbeta = actfn::swish_backward(f, x, dy, dx);
  auto v = x;
  CHECK(actfn::swish_backward(f, v, dy, v) == dbeta);  // dx over x: dbeta read first
  CHECK(v == dx);
  v = dy;
  CHECK(actfn::swish_backward<other_arch>(f, x, v, v) ==
        actfn::swish_backward<other_arch>(f, x, dy, dx));
  CHECK(v == dx);
  const T sentinel = T(-3.25);
  std::vector<T> buf(n + 2, sentinel);
  actfn::swish_backward(f, x, dy, std::span<T>(buf.data() + 1, n));
  CHECK(buf.front() == sentinel);
  CHECK(buf.back() == sentinel);
}

TEMPLATE_TEST_CASE("swish_backward refuses bad sizes and partial overlap", "[swish][errors]",
                   float, double) {
  using T = TestType;
  const actfn::swish f;
  std::vector<T> x(8, T(1)), dy(8, T(1)), dx(8), short_v(7);
  CHECK_THROWS_WITH(actfn::swish_backward(f, x, short_v, dx),
                    Contains("actfn::swish_backward") && Contains("x has 8 elements but dy has 7"));
  CHECK_THROWS_WITH(actfn::swish_backward(f, x, dy, short_v),
                    Contains("x has 8 elements but dx has 7"));
  std::vector<T> big(20, T(1));
  std::span<T> b(big);
  CHECK_THROWS_WITH(actfn::swish_backward(f, std::span<const T>(b.first(8)), dy, b.subspan(3, 8)),
                    Contains("x (8 elements) and dx (8 elements) partly overlap"));
  CHECK_THROWS_WITH(actfn::swish_backward(f, x, std::span<const T>(b.first(8)), b.subspan(1, 8)),
                    Contains("dy (8 elements) and dx (8 elements) partly overlap"));
}
