// include/actfn/rowwise/rrelu.hpp: RReLU in training mode (random slopes from a seed) and its
// backward pass.
//
// What is checked: reproducibility (same seed, same bits; another seed, other slopes), the
// documented generator re-derived here from std::mt19937_64 (whose output the C++ standard
// fixes, checked with the standard's own value), every slope within [lower, upper], positive
// inputs untouched, y = noise * x, the sample mean and variance of the slopes against U(lower,
// upper), and dx = dy * noise.
//
// Statistical bounds: for n independent U(a, b) draws the sample mean has standard deviation
// (b - a) / sqrt(12 n) and the sample variance (b - a)^2 sqrt(1/80 - 1/144) / sqrt(n) (from the
// uniform's fourth central moment (b - a)^4 / 80). Both are checked within 6 standard
// deviations (a false alarm has probability below 1e-8; the seed is fixed anyway, so the test
// is deterministic). The smallest and largest of n = 200000 draws must come within (b - a) / 10^4
// of a and b: each misses with probability (1 - 10^-4)^n < 3e-9.
#include <actfn/rowwise/rrelu.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "support/bounds.hpp"
#include "support/inputs.hpp"

// Another architecture than the build's default to compare with: SSE2 on x86; on AArch64
// NEON (neon64), the only one.
#if defined(__aarch64__)
using other_arch = xsimd::neon64;
#else
using other_arch = xsimd::sse2;
#endif

using namespace actfn_test;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinULP;
using ld = long double;

namespace {

/// Mixed signs in [-5, 5] with a few exact zeros of both signs (every 11th element).
template <class T>
std::vector<T> inputs(std::size_t n, std::uint64_t seed) {
  return actfn_test::uniform_with_zeros<T>(n, -5, 5, seed, 11);
}

}  // namespace

TEST_CASE("std::mt19937_64 here is the generator the C++ standard specifies", "[rrelu]") {
  // [rand.predef]: the 10000th consecutive output of a default-constructed mt19937_64.
  std::mt19937_64 gen;
  gen.discard(9999);
  CHECK(gen() == 9981545732273789042ULL);
}

TEMPLATE_TEST_CASE("rrelu_train: the same seed gives the same bits, another seed other slopes",
                   "[rrelu]", float, double) {
  using T = TestType;
  const actfn::rrelu f;
  const auto x = inputs<T>(1000, 1);
  std::vector<T> y1(x.size()), n1(x.size()), y2(x.size()), n2(x.size()), y3(x.size()),
      n3(x.size());
  actfn::rrelu_train(f, x, y1, n1, 42);
  actfn::rrelu_train(f, x, y2, n2, 42);
  actfn::rrelu_train<other_arch>(f, x, y3, n3, 43);
  CHECK(std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(T)) == 0);
  CHECK(std::memcmp(n1.data(), n2.data(), n1.size() * sizeof(T)) == 0);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < x.size(); ++i) differ += (x[i] <= 0 && n1[i] != n3[i]);
  const auto negatives =
      static_cast<std::size_t>(std::count_if(x.begin(), x.end(), [](T v) { return v <= 0; }));
  CHECK(negatives > 400);
  // Independent draws rounded to T coincide with probability about 2^-22 (float) per element.
  CHECK(differ * 100 >= negatives * 99);
}

TEMPLATE_TEST_CASE("rrelu_train follows the documented generator", "[rrelu]", float, double) {
  using T = TestType;
  // Re-derived here: one mt19937_64 draw g per x <= 0 in index order, u = (g >> 11) * 2^-53,
  // slope = lower + (upper - lower) u (computed in long double; the library's fma in double
  // may differ by one double rounding, hence 1 ULP), noise = 1 for the others.
  for (const auto& f : {actfn::rrelu{}, actfn::rrelu(-0.5, 0.75), actfn::rrelu(0.2, 0.2)}) {
    const auto x = inputs<T>(4 * W<T> + 3, 9);
    std::vector<T> y(x.size()), noise(x.size());
    const std::uint64_t seed = 0x5eed;
    actfn::rrelu_train(f, x, y, noise, seed);
    std::mt19937_64 gen(seed);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CAPTURE(f.lower, f.upper, i, x[i]);
      if (x[i] <= 0) {
        const ld u = static_cast<ld>(gen() >> 11) * 0x1p-53L;
        const ld slope = f.lower + (static_cast<ld>(f.upper) - f.lower) * u;
        CHECK_THAT(noise[i], WithinULP(static_cast<T>(slope), 1));
      } else {
        CHECK(noise[i] == T(1));
      }
    }
  }
}

TEMPLATE_TEST_CASE("rrelu_train: slopes in [lower, upper], positives untouched, y = noise * x",
                   "[rrelu]", float, double) {
  using T = TestType;
  for (const auto& f : {actfn::rrelu{}, actfn::rrelu(0.01, 0.99), actfn::rrelu(-1, -0.5),
                        actfn::rrelu(0.3, 0.3)}) {
    const auto x = inputs<T>(3000, 5);
    std::vector<T> y(x.size()), noise(x.size());
    actfn::rrelu_train(f, x, y, noise, 7);
    // The bounds rounded to T: rounding is monotonic, so they bracket every rounded slope.
    const T lo = static_cast<T>(f.lower), hi = static_cast<T>(f.upper);
    for (std::size_t i = 0; i < x.size(); ++i) {
      // Evaluated first and asserted (with context) only on failure: keeps sanitizer runs fast.
      const auto product =
          WithinULP(static_cast<T>(static_cast<ld>(noise[i]) * x[i]), product_ulps<T>);
      const bool sign = std::signbit(y[i]) == (std::signbit(x[i]) != std::signbit(noise[i]));
      const bool ok = x[i] > 0 ? noise[i] == T(1) && y[i] == x[i]
                               : noise[i] >= lo && noise[i] <= hi && product.match(y[i]) && sign;
      if (ok) continue;
      CAPTURE(f.lower, f.upper, i, x[i], noise[i], y[i]);
      if (x[i] > 0) {
        CHECK(noise[i] == T(1));
        CHECK(y[i] == x[i]);
      } else {
        CHECK(noise[i] >= lo);
        CHECK(noise[i] <= hi);
        CHECK_THAT(y[i], product);
        CHECK(sign);
      }
    }
    CHECK(std::count(noise.begin(), noise.end(), T(1)) > 1000);  // the loop saw positives too
  }
}

TEMPLATE_TEST_CASE("rrelu_train slopes look uniform on [lower, upper]", "[rrelu]", float, double) {
  using T = TestType;
  const actfn::rrelu f;  // PyTorch's defaults, 1/8 and 1/3
  const std::size_t n = 200000;
  const std::vector<T> x(n, T(-1));
  std::vector<T> y(n), noise(n);
  actfn::rrelu_train(f, x, y, noise, 2024);
  ld sum = 0;
  for (T r : noise) sum += r;
  const ld mean = sum / n;
  ld sq = 0;
  for (T r : noise) sq += (r - mean) * (r - mean);
  const ld var = sq / (n - 1);
  const ld width = static_cast<ld>(f.upper) - f.lower;
  const ld mean_sd = width / std::sqrt(12.0L * n);
  const ld var_sd =
      width * width * std::sqrt(1.0L / 80 - 1.0L / 144) / std::sqrt(static_cast<ld>(n));
  CAPTURE(mean, var, mean_sd, var_sd);
  CHECK(std::fabs(mean - (static_cast<ld>(f.lower) + f.upper) / 2) < 6 * mean_sd);
  CHECK(std::fabs(var - width * width / 12) < 6 * var_sd);
  CHECK(*std::min_element(noise.begin(), noise.end()) < f.lower + width * 1e-4);
  CHECK(*std::max_element(noise.begin(), noise.end()) > f.upper - width * 1e-4);
}

TEMPLATE_TEST_CASE("rrelu_train: NaN, infinities, signed zeros, empty", "[rrelu]", float, double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  const actfn::rrelu f(0.25, 0.5);
  const std::vector<T> x = {nan, inf, -inf, T(0), -T(0)};
  std::vector<T> y(5), noise(5);
  actfn::rrelu_train(f, x, y, noise, 3);
  CHECK(std::isnan(y[0]));
  CHECK(noise[0] == T(1));  // NaN takes the x > 0 branch, as PyTorch
  CHECK(y[1] == inf);
  CHECK(noise[1] == T(1));
  CHECK(y[2] == -inf);
  CHECK(y[3] == T(0));
  CHECK_FALSE(std::signbit(y[3]));
  CHECK(std::signbit(y[4]));
  for (std::size_t i = 2; i < 5; ++i) {
    CHECK(noise[i] >= T(0.25));
    CHECK(noise[i] <= T(0.5));
  }
  // A zero slope gives +0, also at -inf (the limit, as leaky_relu with slope 0).
  const std::vector<T> neg = {-inf, T(-2)};
  std::vector<T> y0(2), n0(2);
  actfn::rrelu_train(actfn::rrelu(0, 0), neg, y0, n0, 1);
  CHECK(y0[0] == T(0));
  CHECK_FALSE(std::signbit(y0[0]));
  CHECK(y0[1] == T(0));
  CHECK_FALSE(std::signbit(y0[1]));
  CHECK(n0 == std::vector<T>{T(0), T(0)});
  std::vector<T> empty;
  CHECK_NOTHROW(actfn::rrelu_train(f, empty, empty, std::vector<T>{}, 1));
  CHECK_NOTHROW(actfn::rrelu_backward(empty, empty, empty));
}

TEMPLATE_TEST_CASE("rrelu_train in place gives the same bits", "[rrelu]", float, double) {
  using T = TestType;
  const actfn::rrelu f;
  const auto x = inputs<T>(100, 8);
  std::vector<T> y(x.size()), noise(x.size());
  actfn::rrelu_train(f, x, y, noise, 11);
  auto v = x;
  std::vector<T> n2(x.size());
  actfn::rrelu_train(f, v, v, n2, 11);  // y over x
  CHECK(v == y);
  CHECK(n2 == noise);
  v = x;
  std::vector<T> y2(x.size());
  actfn::rrelu_train(f, v, y2, v, 11);  // noise over x
  CHECK(y2 == y);
  CHECK(v == noise);
}

TEMPLATE_TEST_CASE("rrelu_backward: dx = dy * noise for every tail, nothing outside touched",
                   "[rrelu]", float, double) {
  using T = TestType;
  const T sentinel = T(-31.5);
  for (std::size_t n = 0; n <= 2 * W<T> + 1; ++n) {
    const auto x = inputs<T>(n, n);
    const auto dy = uniform<T>(n, -2, 2, n + 100);
    std::vector<T> y(n), noise(n), buf(n + 2, sentinel);
    actfn::rrelu_train(actfn::rrelu{}, x, y, noise, n);
    std::span<T> dx(buf.data() + 1, n);
    actfn::rrelu_backward(noise, dy, dx);
    CHECK(buf.front() == sentinel);
    CHECK(buf.back() == sentinel);
    for (std::size_t i = 0; i < n; ++i) {
      CAPTURE(n, i, dy[i], noise[i]);
      CHECK_THAT(dx[i], WithinULP(static_cast<T>(static_cast<ld>(dy[i]) * noise[i]),
                                  product_ulps<T>));
    }
    auto v = dy;
    actfn::rrelu_backward<other_arch>(noise, v, v);  // in place over dy, another architecture
    CHECK(std::equal(v.begin(), v.end(), dx.begin()));
  }
}

TEMPLATE_TEST_CASE("rrelu refuses bad parameters, sizes and overlaps", "[rrelu][errors]", float,
                   double) {
  using T = TestType;
  std::vector<T> x(8, T(-1)), y(8), noise(8), short_v(7), dy(8, T(1)), dx(8);
  actfn::rrelu bad;
  bad.lower = 0.5;
  bad.upper = 0.1;
  CHECK_THROWS_WITH(actfn::rrelu_train(bad, x, y, noise, 1),
                    Contains("lower must not exceed upper") && Contains("0.5") &&
                        Contains("0.1"));
  bad.lower = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(actfn::rrelu_train(bad, x, y, noise, 1),
                    Contains("lower must be finite"));
  const actfn::rrelu f;
  CHECK_THROWS_WITH(actfn::rrelu_train(f, x, short_v, noise, 1),
                    Contains("actfn::rrelu_train") && Contains("x has 8 elements but y has 7"));
  CHECK_THROWS_WITH(actfn::rrelu_train(f, x, y, short_v, 1),
                    Contains("x has 8 elements but noise has 7"));
  CHECK_THROWS_WITH(actfn::rrelu_train(f, x, y, y, 1),
                    Contains("y (8 elements) and noise (8 elements) overlap"));
  std::vector<T> big(20, T(-1));
  std::span<T> b(big);
  CHECK_THROWS_WITH(
      actfn::rrelu_train(f, std::span<const T>(b.first(8)), b.subspan(4, 8), noise, 1),
      Contains("x (8 elements) and y (8 elements) partly overlap"));
  CHECK_THROWS_WITH(actfn::rrelu_train(f, std::span<const T>(b.first(8)), y, b.subspan(1, 8), 1),
                    Contains("x (8 elements) and noise (8 elements) partly overlap"));
  CHECK_THROWS_WITH(
      actfn::rrelu_backward(noise, short_v, dx),
      Contains("actfn::rrelu_backward") && Contains("noise has 8 elements but dy has 7"));
  CHECK_THROWS_WITH(actfn::rrelu_backward(noise, dy, short_v),
                    Contains("noise has 8 elements but dx has 7"));
  CHECK_THROWS_WITH(actfn::rrelu_backward(std::span<const T>(b.first(8)), dy, b.subspan(2, 8)),
                    Contains("noise (8 elements) and dx (8 elements) partly overlap"));
}
