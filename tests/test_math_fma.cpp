// math::divide_by (include/actfn/math/fma.hpp) against the division, bit for bit;
// math::reciprocal_estimate and the quotient built on it,
// math::sigmoid_split_of (include/actfn/math/logistic.hpp), on this build's architecture,
// against 1 / d and num / (1 + e) in long double: the estimate within its documented 2^-14,
// and hi + lo within 0.07 ULP of the exact quotient for the e it is given (the sigmoid's
// accuracy then rests on exp's alone).
#include <actfn/math/logistic.hpp>
#include <catch2/catch.hpp>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

#include "support/ulp.hpp"

namespace {

using ld = long double;

/// Every 257th float of [lo, hi) (positive lo < hi), and both ends.
std::vector<float> floats_between(float lo, float hi) {
  std::vector<float> v;
  const std::uint32_t a = std::bit_cast<std::uint32_t>(lo), b = std::bit_cast<std::uint32_t>(hi);
  for (std::uint32_t u = a; u < b; u += 257) v.push_back(std::bit_cast<float>(u));
  v.push_back(hi);
  return v;
}

}  // namespace

TEMPLATE_TEST_CASE("reciprocal_estimate: within 2^-14 of 1 / d for normal d and 1 / d, the "
                   "rounded quotient where it uses no estimate",
                   "[fma]", float, double) {
  using T = TestType;
  using B = xsimd::batch<T>;
  std::vector<T> ds;
  for (const float d : floats_between(1.0f, 2.0f)) ds.push_back(static_cast<T>(d));
  std::mt19937 gen(3);
  std::uniform_real_distribution<double> expo(-100.0, 100.0);
  for (int i = 0; i < 20000; ++i) {
    const T d = static_cast<T>(std::exp2(expo(gen)));
    ds.push_back(d);
    ds.push_back(-d);
  }
  const bool estimated = std::is_same_v<T, float> &&
                         std::is_base_of_v<xsimd::avx512f, typename B::arch_type>;
  ld worst = 0;
  for (const T d : ds) {
    const T r = actfn::math::reciprocal_estimate(B(d)).get(0);
    const ld exact = 1.0L / static_cast<ld>(d);
    const ld rel = std::fabs((static_cast<ld>(r) - exact) / exact);
    worst = std::max(worst, rel);
    if (!estimated) {
      INFO("d = " << d);
      REQUIRE(r == T(1) / d);
    }
  }
  INFO("worst relative error " << static_cast<double>(worst));
  CHECK(worst < std::ldexp(1.0L, -14));
}

TEMPLATE_TEST_CASE("sigmoid_split_of: hi + lo within 0.07 ULP of num / (1 + e) for the e it is "
                   "given, and lo small beside hi",
                   "[fma][logistic]", float, double) {
  using T = TestType;
  using B = xsimd::batch<T>;
  // e = exp(-|z|) lies in [0, 1]: a sweep of the floats in [2^-100, 1], both signs of z, and
  // e = 0. (Below that, where lo would be a subnormal number for z < 0, lo is quantized: see
  // sigmoid_value's comment.)
  std::vector<T> es;
  for (const float e : floats_between(0x1p-100f, 1.0f)) es.push_back(static_cast<T>(e));
  es.push_back(T(0));
  ld worst = 0, worst_lo = 0;  // |hi + lo - exact| in ULPs; |lo| / |hi|
  T worst_e = 0, worst_z = 0;
  for (const T e : es) {
    for (const T z : {T(1), T(-1)}) {
      const auto s = actfn::math::sigmoid_split_of(B(z), B(e));
      const T hi = s.hi.get(0), lo = s.lo.get(0);
      const ld num = z >= 0 ? 1.0L : static_cast<ld>(e);
      const ld exact = num / (1.0L + static_cast<ld>(e));
      // hi + lo as an exact sum (long double holds it), in ULPs of the exact quotient.
      const ld err = actfn_test::ulp_error<T>(hi, exact - static_cast<ld>(lo));
      if (!(err <= worst)) worst = err, worst_e = e, worst_z = z;
      if (hi != 0) worst_lo = std::max(worst_lo, std::fabs(static_cast<ld>(lo) / hi));
    }
  }
  INFO("worst: " << static_cast<double>(worst) << " ULP at e = " << worst_e << ", z = "
                 << worst_z << "; largest |lo| / |hi| " << static_cast<double>(worst_lo));
  CHECK(worst_lo <= std::ldexp(1.0L, -13));
  CHECK(worst < 0.07L);
}

TEMPLATE_TEST_CASE("divide_by: the division's own result, bit for bit, from the reciprocal",
                   "[fma]", float, double) {
  // num / d rounded to nearest is the reference (the hardware's division); divide_by must give
  // the same bits from inv = 1 / d, for random num and d whose quotient is a normal number,
  // every 257th float divisor of [1, 2) (each binade behaves alike), and num = +0.
  using T = TestType;
  using B = xsimd::batch<T>;
  std::mt19937_64 gen(17);
  std::uniform_real_distribution<double> mant(1.0, 2.0), expo(-60.0, 60.0);
  const auto draw = [&] {
    return static_cast<T>(std::ldexp(mant(gen), static_cast<int>(expo(gen))));
  };
  std::vector<T> ds;
  for (const float d : floats_between(1.0f, 2.0f)) ds.push_back(static_cast<T>(d));
  for (int i = 0; i < 30000; ++i) ds.push_back(draw());
  std::size_t checked = 0;
  for (const T d : ds) {
    const T inv = T(1) / d;
    for (int k = 0; k < 8; ++k) {
      const T num = k < 2 ? static_cast<T>(mant(gen) * (k == 0 ? 1 : -1)) * d : draw();
      const T got = actfn::math::divide_by(B(num), B(d), B(inv)).get(0);
      if (got != num / d) {
        INFO("num = " << std::hexfloat << num << ", d = " << d << ": divide_by " << got
                      << ", num / d " << num / d);
        REQUIRE(got == num / d);
      }
      ++checked;
    }
  }
  const T zero = actfn::math::divide_by(B(T(0)), B(T(3)), B(T(1) / T(3))).get(0);
  CHECK((zero == 0 && !std::signbit(zero)));
  CHECK(checked == 8 * ds.size());
}
