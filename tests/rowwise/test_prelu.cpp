// include/actfn/rowwise/prelu.hpp: per-channel PReLU forward and backward over [N, C, inner].
//
// References: a naive triple loop over (n, c, i) in long double with the textbook branches
// (y = x >= 0 ? x : w x; dx = x > 0 ? dy : w dy; dweight[c] = sum of x dy over x <= 0), and a
// central difference of the loss L(w) = sum(dy * y) in each weight, with y from
// actfn::prelu_forward (an identity tying the backward to the forward).
//
// Tolerances. y and dx are one product of two T values: a float product is exact in long
// double, so it must round to the same float (0 ULP); a double product rounded first to long
// double and then to double may differ from the directly rounded one by 1 ULP (double rounding).
// dweight is accumulated in double with compensation and rounded once, so it must be within
// 1 ULP of the long double sum, plus 2^-50 sum|x dy| for cancellation (double sums of double
// products carry the products' own roundings, 2^-53 relative each). The finite difference
// subtracts two losses whose y were rounded to T: |error| <= eps * sum|dy y| / h per side.
#include <actfn/rowwise/prelu.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "support/bounds.hpp"
#include "support/inputs.hpp"

using namespace actfn_test;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinULP;
using ld = long double;

namespace {

/// Random x in [-4, 4] with every 7th element an exact zero (alternating -0 and +0).
template <class T>
std::vector<T> inputs(std::size_t n, std::uint64_t seed) {
  return actfn_test::uniform_with_zeros<T>(n, -4, 4, seed, 7);
}

struct shape {
  std::size_t n, c, inner;
};

/// Every tail of inner (1..2W+1), N = 0 (empty) and N = 1, one and several channels.
template <class T>
std::vector<shape> shapes() {
  std::vector<shape> s = {{0, 3, 4}, {1, 1, 1}, {4, 3, 1}, {1, 5, 2}, {3, 2, 64}};
  for (std::size_t inner = 1; inner <= 2 * W<T> + 1; ++inner) s.push_back({2, 3, inner});
  return s;
}

}  // namespace

TEMPLATE_TEST_CASE("prelu_forward and prelu_backward match a naive long double loop", "[prelu]",
                   float, double) {
  using T = TestType;
  for (const auto [n, c, inner] : shapes<T>()) {
    const std::size_t size = n * c * inner;
    const auto x = inputs<T>(size, size + 1);
    const auto dy = uniform<T>(size, -1, 1, size + 2);
    const auto w = uniform<T>(c, -1, 1, c + 3);  // negative weights too
    std::vector<T> y(size), dx(size), dw(c, T(999));
    actfn::prelu_forward(x, w, y, inner);
    actfn::prelu_backward(x, w, dy, dx, dw, inner);

    std::vector<ld> want_dw(c, 0), abs_dw(c, 0);
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t ch = 0; ch < c; ++ch)
        for (std::size_t i = 0; i < inner; ++i) {
          const std::size_t k = (s * c + ch) * inner + i;
          const ld xv = x[k], g = dy[k], wv = w[ch];
          const auto want_y = WithinULP(static_cast<T>(xv >= 0 ? xv : wv * xv), product_ulps<T>);
          const auto want_dx = WithinULP(static_cast<T>(xv > 0 ? g : wv * g), product_ulps<T>);
          if (!want_y.match(y[k]) || !want_dx.match(dx[k])) {  // assert with context on failure
            CAPTURE(n, c, inner, k, xv, g, wv);
            CHECK_THAT(y[k], want_y);
            CHECK_THAT(dx[k], want_dx);
          }
          if (!(xv > 0)) {
            want_dw[ch] += xv * g;
            abs_dw[ch] += std::fabs(xv * g);
          }
        }
    for (std::size_t ch = 0; ch < c; ++ch) {
      CAPTURE(n, c, inner, ch);
      const ld tol = 0x1p-50L * abs_dw[ch];
      CHECK_THAT(dw[ch], WithinULP(static_cast<T>(want_dw[ch]), 1) ||
                             WithinAbs(static_cast<double>(want_dw[ch]), static_cast<double>(tol)));
    }
  }
}

TEMPLATE_TEST_CASE("prelu dweight is the central difference of sum(dy * y) in each weight",
                   "[prelu]", float, double) {
  using T = TestType;
  const ld eps = std::numeric_limits<T>::epsilon();
  for (const auto [n, c, inner] : {shape{3, 4, 5}, shape{2, 3, 2 * W<T> + 1}, shape{16, 2, 1}}) {
    const std::size_t size = n * c * inner;
    const auto x = inputs<T>(size, 10 + size);
    const auto dy = uniform<T>(size, -1, 1, 20 + size);
    const auto w = uniform<T>(c, 0, 1, 30 + c);
    std::vector<T> dx(size), dw(c);
    actfn::prelu_backward(x, w, dy, dx, dw, inner);
    // The loss and the bound on its rounding error (every y rounded to T, then summed exactly
    // enough in long double).
    auto loss = [&](const std::vector<T>& weights, ld& rounding) {
      std::vector<T> y(size);
      actfn::prelu_forward(x, weights, y, inner);
      ld sum = 0;
      for (std::size_t k = 0; k < size; ++k) {
        sum += static_cast<ld>(dy[k]) * y[k];
        rounding += eps * std::fabs(static_cast<ld>(dy[k]) * y[k]);
      }
      return sum;
    };
    for (std::size_t ch = 0; ch < c; ++ch) {
      auto up = w, down = w;
      up[ch] += T(1) / 64;
      down[ch] -= T(1) / 64;
      const ld h2 = static_cast<ld>(up[ch]) - down[ch];  // the step actually taken
      ld rounding = 0;
      const ld fd = (loss(up, rounding) - loss(down, rounding)) / h2;
      CAPTURE(n, c, inner, ch, w[ch]);
      CHECK_THAT(static_cast<double>(dw[ch]),
                 WithinAbs(static_cast<double>(fd),
                           static_cast<double>(rounding / h2 + eps * (1 + std::fabs(fd)))));
    }
  }
}

TEMPLATE_TEST_CASE("prelu dweight does not drift over many elements", "[prelu]", float, double) {
  using T = TestType;
  // 2^16 equal terms -0.1 * 1: the exact sum -2^16 * T(0.1) is representable, while a plain
  // running sum of 0.1s drifts. Once as 2^16 blocks of one element (the sum across blocks),
  // once as one block of 2^16 (the sum across lanes).
  const std::size_t n = std::size_t(1) << 16;
  const std::vector<T> x(n, T(-1)), dy(n, T(0.1)), w = {T(0.25)};
  std::vector<T> dx(n), dw(1);
  const T want = -static_cast<T>(n) * T(0.1);
  for (std::size_t inner : {std::size_t(1), n}) {
    CAPTURE(inner);
    actfn::prelu_backward(x, w, dy, dx, dw, inner);
    CHECK(dw[0] == want);
  }
}

TEMPLATE_TEST_CASE("prelu: NaN and infinities", "[prelu]", float, double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  // [N = 1, C = 2, inner = 3]: channel 0 holds a NaN, channel 1 the infinities.
  const std::vector<T> x = {T(-1), nan, T(2), inf, -inf, T(-2)};
  const std::vector<T> w = {T(0.25), T(0.5)};
  const std::vector<T> dy = {T(1), T(1), T(1), T(1), T(1), T(1)};
  std::vector<T> y(6), dx(6), dw(2);
  actfn::prelu_forward(x, w, y, 3);
  actfn::prelu_backward(x, w, dy, dx, dw, 3);
  CHECK(std::isnan(y[1]));
  CHECK(std::isnan(dx[1]));  // the derivative at NaN is NaN (README, "Semantics")
  CHECK(std::isnan(dw[0]));
  CHECK(y[0] == T(-0.25));
  CHECK(y[3] == inf);
  CHECK(y[4] == -inf);
  CHECK(dx[3] == T(1));
  CHECK(dx[4] == T(0.5));
  CHECK(dw[1] == -inf);  // -inf * 1 + -2 * 1
  // A NaN weight poisons only its channel's non-positive inputs.
  const std::vector<T> nan_w = {nan, T(0.5)};
  actfn::prelu_forward(x, nan_w, y, 3);
  CHECK(std::isnan(y[0]));
  CHECK(y[2] == T(2));
  CHECK(y[5] == T(-1));
}

TEMPLATE_TEST_CASE("prelu: signed zeros and the kink at 0", "[prelu]", float, double) {
  using T = TestType;
  const std::vector<T> x = {T(0), -T(0)}, w = {T(0.75)}, dy = {T(2), T(2)};
  std::vector<T> y(2), dx(2), dw(1);
  actfn::prelu_forward(x, w, y, 1);
  actfn::prelu_backward(x, w, dy, dx, dw, 1);
  CHECK(y[0] == T(0));
  CHECK_FALSE(std::signbit(y[0]));
  CHECK(std::signbit(y[1]));  // the x >= 0 branch keeps -0
  CHECK(dx[0] == T(1.5));     // the weight at x = 0, as PyTorch
  CHECK(dx[1] == T(1.5));
  CHECK(dw[0] == T(0));
}

TEMPLATE_TEST_CASE("prelu: in place, untouched surroundings, empty input", "[prelu]", float,
                   double) {
  using T = TestType;
  const std::size_t c = 3, inner = 2 * W<T> + 1, size = 2 * c * inner;
  const auto x = inputs<T>(size, 5);
  const auto dy = uniform<T>(size, -1, 1, 6);
  const auto w = uniform<T>(c, -1, 1, 7);
  std::vector<T> y(size), dx(size), dw(c);
  actfn::prelu_forward(x, w, y, inner);
  actfn::prelu_backward(x, w, dy, dx, dw, inner);

  auto v = x;
  actfn::prelu_forward(v, w, v, inner);
  CHECK(v == y);
  std::vector<T> dw2(c);
  v = dy;
  actfn::prelu_backward(x, w, v, v, dw2, inner);  // dx over dy
  CHECK(v == dx);
  CHECK(dw2 == dw);
  v = x;
  actfn::prelu_backward(v, w, dy, v, dw2, inner);  // dx over x
  CHECK(v == dx);
  CHECK(dw2 == dw);

  const T sentinel = T(-777.25);
  std::vector<T> buf(size + 2, sentinel);
  std::span<T> inside(buf.data() + 1, size);
  actfn::prelu_forward(x, w, inside, inner);
  actfn::prelu_backward(x, w, dy, inside, dw2, inner);
  CHECK(buf.front() == sentinel);
  CHECK(buf.back() == sentinel);

  std::vector<T> empty, dw_empty = {T(5), T(6)};
  const std::vector<T> w2 = {T(0.1), T(0.2)};
  CHECK_NOTHROW(actfn::prelu_forward(empty, w2, empty, 4));
  actfn::prelu_backward(empty, w2, empty, empty, dw_empty, 4);
  CHECK(dw_empty == std::vector<T>{T(0), T(0)});  // overwritten: the sum over no elements
}

TEMPLATE_TEST_CASE("prelu refuses inconsistent shapes and overlapping buffers", "[prelu][errors]",
                   float, double) {
  using T = TestType;
  std::vector<T> x(12, T(-1)), w(3, T(0.25)), y(12), dy(12, T(1)), dx(12), dw(3);
  std::vector<T> none, short_y(11), dw4(4);
  CHECK_THROWS_WITH(actfn::prelu_forward(x, none, y, 2),
                    Contains("actfn::prelu_forward") && Contains("weight must not be empty"));
  CHECK_THROWS_WITH(actfn::prelu_backward(x, w, dy, dx, dw, 0),
                    Contains("actfn::prelu_backward") && Contains("inner must be > 0"));
  CHECK_THROWS_WITH(actfn::prelu_forward(x, w, y, 3),
                    Contains("x has 12 elements") && Contains("weight.size() * inner = 3 * 3"));
  CHECK_THROWS_WITH(actfn::prelu_forward(x, std::vector<T>(5, T(1)), y, 1),
                    Contains("x has 12 elements") && Contains("5 * 1"));
  CHECK_THROWS_WITH(actfn::prelu_forward(x, w, short_y, 2),
                    Contains("x has 12 elements but y has 11"));
  CHECK_THROWS_WITH(actfn::prelu_backward(x, w, short_y, dx, dw, 2),
                    Contains("x has 12 elements but dy has 11"));
  CHECK_THROWS_WITH(actfn::prelu_backward(x, w, dy, short_y, dw, 2),
                    Contains("x has 12 elements but dx has 11"));
  CHECK_THROWS_WITH(actfn::prelu_backward(x, w, dy, dx, dw4, 2),
                    Contains("weight has 3 elements but dweight has 4"));

  std::vector<T> big(30, T(1));
  std::span<T> b(big);
  CHECK_THROWS_WITH(actfn::prelu_forward(std::span<const T>(b.first(12)), w, b.subspan(6, 12), 2),
                    Contains("x (12 elements) and y (12 elements) partly overlap"));
  CHECK_THROWS_WITH(actfn::prelu_forward(x, std::span<const T>(b.first(3)), b.subspan(1, 12), 2),
                    Contains("weight (3 elements) and y (12 elements) overlap"));
  CHECK_THROWS_WITH(actfn::prelu_backward(x, w, std::span<const T>(b.first(12)), b.subspan(3, 12),
                                          dw, 2),
                    Contains("dy (12 elements) and dx (12 elements) partly overlap"));
  CHECK_THROWS_WITH(actfn::prelu_backward(x, w, dy, b.first(12), b.subspan(11, 3), 2),
                    Contains("dx (12 elements) and dweight (3 elements) overlap"));
  CHECK_THROWS_WITH(actfn::prelu_backward(std::span<const T>(b.first(12)), w, dy, dx,
                                          b.subspan(5, 3), 2),
                    Contains("x (12 elements) and dweight (3 elements) overlap"));
  CHECK_NOTHROW(actfn::prelu_backward(std::span<const T>(b.first(12)), w, dy, dx,
                                      b.subspan(12, 3), 2));  // adjacent is fine
}
