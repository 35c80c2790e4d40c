// include/actfn/rowwise/maxout.hpp: maxout over groups of k and its gradient.
//
// The reference is a naive two-pass scan written independently of the library: first look for
// a NaN in the group (the first one wins), otherwise take std::max_element (which returns the
// first of equal maxima). Inputs are drawn from a small set of values so that ties are common,
// with NaN and infinities sprinkled in. Everything is exact: no tolerances.
#include <actfn/rowwise/maxout.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "support/inputs.hpp"

using namespace actfn_test;
using Catch::Matchers::Contains;

namespace {

/// Values from {-inf, -2, -1, -0, 0, 1, 2, inf, NaN} (NaN and infinities rarer), so groups
/// have ties, signed zeros and NaN.
template <class T>
std::vector<T> tie_heavy(std::size_t n, std::uint64_t seed) {
  using lim = std::numeric_limits<T>;
  const T pool[] = {T(-2), T(-1), -T(0), T(0), T(1), T(2), T(1), T(2),
                    -lim::infinity(), lim::infinity(), lim::quiet_NaN()};
  std::mt19937_64 gen(seed);
  std::vector<T> v(n);
  for (auto& x : v) {
    const auto r = gen() % 64;
    x = r < 56 ? pool[r % 8] : pool[8 + r % 3];
  }
  return v;
}

template <class T>
std::size_t ref_argmax(std::span<const T> group) {
  const auto nan = std::find_if(group.begin(), group.end(), [](T v) { return std::isnan(v); });
  const auto at = nan != group.end() ? nan : std::max_element(group.begin(), group.end());
  return static_cast<std::size_t>(at - group.begin());
}

}  // namespace

TEMPLATE_TEST_CASE("maxout and maxout_backward match a naive scan (ties, NaN, infinities)",
                   "[maxout]", float, double) {
  using T = TestType;
  const std::size_t ks[] = {1, 2, 3, 4, 5, W<T> - 1, W<T>, W<T> + 1, 2 * W<T> + 1};
  for (std::size_t k : ks) {
    if (k == 0) continue;  // W - 1 for W = 1
    for (std::size_t groups : {std::size_t(0), std::size_t(1), std::size_t(7), 2 * W<T> + 1}) {
      const auto x = tie_heavy<T>(groups * k, groups * 31 + k);
      std::vector<T> dy(groups), y(groups), dx(x.size(), T(42));
      for (std::size_t g = 0; g < groups; ++g) dy[g] = T(g + 1);
      actfn::maxout(x, y, k);
      actfn::maxout_backward(x, dy, dx, k);
      for (std::size_t g = 0; g < groups; ++g) {
        const std::span<const T> group(x.data() + g * k, k);
        const std::size_t at = ref_argmax(group);
        CAPTURE(k, groups, g, at, group[at]);
        CHECK(same_bits(y[g], group[at]));
        for (std::size_t j = 0; j < k; ++j) {
          CAPTURE(j, group[j]);
          CHECK(dx[g * k + j] == (j == at ? dy[g] : T(0)));
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("maxout: the documented tie and NaN rules", "[maxout]", float, double) {
  using T = TestType;
  using lim = std::numeric_limits<T>;
  const T nan = lim::quiet_NaN(), inf = lim::infinity();
  const std::vector<T> x = {T(3), T(3),     // tie: first
                            -T(0), T(0),    // -0 first: -0
                            T(0), -T(0),    // +0 first: +0
                            T(1), nan,      // NaN wins
                            nan, T(5),      // NaN first
                            -inf, -inf,     // -inf is a value
                            inf, nan};      // NaN beats +inf
  std::vector<T> y(7), dx(14);
  const std::vector<T> dy = {T(1), T(2), T(3), T(4), T(5), T(6), T(7)};
  actfn::maxout(x, y, 2);
  actfn::maxout_backward(x, dy, dx, 2);
  CHECK(y[0] == T(3));
  CHECK(std::signbit(y[1]));
  CHECK_FALSE(std::signbit(y[2]));
  CHECK(std::isnan(y[3]));
  CHECK(std::isnan(y[4]));
  CHECK(y[5] == -inf);
  CHECK(std::isnan(y[6]));
  const std::vector<T> want_dx = {T(1), 0, T(2), 0, T(3), 0, 0, T(4), T(5), 0, T(6), 0, 0, T(7)};
  CHECK(dx == want_dx);
}

TEMPLATE_TEST_CASE("maxout: in place, untouched surroundings, empty input", "[maxout]", float,
                   double) {
  using T = TestType;
  const std::size_t k = 3, groups = 2 * W<T> + 1;
  const auto x = tie_heavy<T>(groups * k, 77);
  std::vector<T> dy(groups), y(groups), dx(x.size());
  for (std::size_t g = 0; g < groups; ++g) dy[g] = T(g) - T(4);
  actfn::maxout(x, y, k);
  actfn::maxout_backward(x, dy, dx, k);

  auto v = x;
  actfn::maxout_backward(v, dy, v, k);  // dx over x
  CHECK(v == dx);
  std::vector<T> w = dy;  // k = 1: dx over dy, maxout over x
  actfn::maxout_backward(y, w, w, 1);
  CHECK(w == dy);
  w = y;
  actfn::maxout(w, w, 1);
  for (std::size_t g = 0; g < groups; ++g) CHECK(same_bits(w[g], y[g]));

  const T sentinel = T(-9.75);
  std::vector<T> buf(x.size() + 2, sentinel);
  actfn::maxout(x, std::span<T>(buf.data() + 1, groups), k);
  CHECK(buf[groups + 1] == sentinel);
  actfn::maxout_backward(x, dy, std::span<T>(buf.data() + 1, x.size()), k);
  CHECK(buf.front() == sentinel);
  CHECK(buf.back() == sentinel);

  std::vector<T> empty;
  CHECK_NOTHROW(actfn::maxout(empty, empty, 4));
  CHECK_NOTHROW(actfn::maxout_backward<xsimd::sse2>(empty, empty, empty, 4));
}

TEMPLATE_TEST_CASE("maxout refuses bad group sizes and overlapping buffers", "[maxout][errors]",
                   float, double) {
  using T = TestType;
  std::vector<T> x(12, T(1)), y(4), y5(5), dy(4, T(1)), dx(12), dx11(11);
  CHECK_THROWS_WITH(actfn::maxout(x, y, 0), Contains("actfn::maxout") && Contains("k must be > 0"));
  CHECK_THROWS_WITH(actfn::maxout(x, y, 5),
                    Contains("x has 12 elements, not a multiple of k = 5"));
  CHECK_THROWS_WITH(actfn::maxout(x, y5, 3),
                    Contains("y has 5 elements but x has 12 elements in groups of k = 3") &&
                        Contains("must have 4"));
  CHECK_THROWS_WITH(actfn::maxout_backward(x, dy, dx, 0),
                    Contains("actfn::maxout_backward") && Contains("k must be > 0"));
  CHECK_THROWS_WITH(actfn::maxout_backward(x, dy, dx, 7), Contains("not a multiple of k = 7"));
  CHECK_THROWS_WITH(actfn::maxout_backward(x, y5, dx, 3),
                    Contains("dy has 5 elements but x has 12 elements"));
  CHECK_THROWS_WITH(actfn::maxout_backward(x, dy, dx11, 3),
                    Contains("x has 12 elements but dx has 11"));
  std::vector<T> big(30, T(1));
  std::span<T> b(big);
  CHECK_THROWS_WITH(actfn::maxout(std::span<const T>(b.first(12)), b.subspan(10, 4), 3),
                    Contains("x (12 elements) and y (4 elements) partly overlap"));
  CHECK_THROWS_WITH(
      actfn::maxout_backward(std::span<const T>(b.first(12)), dy, b.subspan(1, 12), 3),
      Contains("x (12 elements) and dx (12 elements) partly overlap"));
  CHECK_THROWS_WITH(actfn::maxout_backward(x, std::span<const T>(b.first(4)), b.first(12), 3),
                    Contains("dy (4 elements) and dx (12 elements) partly overlap"));
}
