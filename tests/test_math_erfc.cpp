// The gelu kernel of include/actfn/math/erfc.hpp, tested directly: its building blocks against
// tolerances far below gelu's ULP bound (exp of a double-double, the upper tail u Q(u) before
// its final rounding, the float path's Q(u) and exp(-u^2/2)), and x Phi(x) with its derivative
// where the kernel changes method or leaves the normal range, on every architecture
// (support/arches.hpp says which this binary checks). gelu's sweep over all inputs is tools/ulp_sweep.cpp's; its identities, limits and
// semantics are tests/fn/test_gelu.cpp's and tests/test_properties.cpp's.
//
// References: long double. Q(u) = Phi(-u) and phi(u) come from reference<actfn::gelu> (erfc and
// exp with their arguments split exactly by fma, support/reference.hpp), exp(a + b) is
// expl(a) expl(b): every reference here is within 2^-62 or so, far below the tolerances.
#include <actfn/fn/gelu.hpp>
#include <actfn/math/erfc.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

#include "support/arches.hpp"
#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using actfn_test::ld;
namespace nd = actfn::math::normal_detail;

namespace {

using B = xsimd::batch<double>;
using gelu_ref = actfn_test::reference<actfn::gelu, ld>;

/// Q(u) = Phi(-u), u >= 0.
ld upper_tail_ref(double u) { return gelu_ref::cdf(-static_cast<ld>(u)); }

/// |got / want - 1|, for want != 0.
ld relative_error(ld got, ld want) { return std::fabs(got / want - 1); }

/// n values uniform in [lo, hi] from a fixed seed.
std::vector<double> uniform(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = dist(gen);
  return v;
}

}  // namespace

TEST_CASE("exp_dd: exp of a double-double as a double-double within 2^-54.5, scaled by 2^Bias",
          "[erfc]") {
  // The kernel feeds it -u^2/2 + F(u) (hi down to -760, lo below 1/2 in size) and
  // -u^2/2 - ln sqrt(2 pi). The scale is a power of two, or 0 where it would be subnormal.
  const ld tol = std::ldexp(1.0L, -54) / std::sqrt(2.0L);
  const auto his = uniform(4000, -760.0, 0.0, 1);
  const auto los = uniform(4000, -0.5, 0.5, 2);
  for (std::size_t i = 0; i < his.size(); ++i) {
    const double hi = his[i], lo = i % 2 ? los[i] : los[i] * 0x1p-30;
    const ld want = std::exp(static_cast<ld>(hi)) * std::exp(static_cast<ld>(lo));
    const nd::scaled<B> e = nd::exp_dd(B(hi), B(lo));
    const nd::scaled<B> e128 = nd::exp_dd<128>(B(hi), B(lo));
    const ld got = (static_cast<ld>(e.m.hi.get(0)) + e.m.lo.get(0)) * e.scale.get(0);
    const ld got128 = (static_cast<ld>(e128.m.hi.get(0)) + e128.m.lo.get(0)) * e128.scale.get(0);
    INFO("hi = " << hi << ", lo = " << lo << ", exp = " << static_cast<double>(want));
    // The mantissa is in [0.7, 1.42] and its low part is below an ULP of the high part.
    REQUIRE(e.m.hi.get(0) >= 0.7);
    REQUIRE(e.m.hi.get(0) <= 1.42);
    REQUIRE(std::fabs(e.m.lo.get(0)) <= 0x1p-53);
    if (got == 0) {
      REQUIRE(want < 0x1.7p-1022L);  // flushed only where the scale would be subnormal
    } else {
      REQUIRE(relative_error(got, want) <= tol);
    }
    if (want >= 0x1p-1150L) {
      REQUIRE(relative_error(std::ldexp(got128, -128), want) <= tol);
    }
  }
}

TEST_CASE("upper_tail: u Q(u) before its final rounding within 2^-54.5 on every piece", "[erfc]") {
  // The pieces: own fits on [0, 0.8], [0.8, 1.77], [1.77, 3], [3, 4.0406]; fdlibm's R2/S2 up to
  // 39. Each boundary is visited with its neighbours, the rest by a dense uniform sweep.
  const ld tol = std::ldexp(1.0L, -54) / std::sqrt(2.0L);
  std::vector<double> us = uniform(8000, 0.0, 39.0, 3);
  for (const double b : {0.8, 1.77, 3.0, nd::k_near_end, 38.0})
    for (const double u : actfn_test::around(b, 8)) us.push_back(u);
  for (const double u : {0.0, 0x1p-1074, 1e-300, 1e-20, 1e-8, 0.5}) us.push_back(u);
  for (const double u : us) {
    const B ub(u);
    const auto near = ub < B(nd::k_near_end);
    const nd::scaled<B> t = nd::upper_tail(ub, nd::minus_half_square(ub), near);
    const ld m = (static_cast<ld>(t.m.hi.get(0)) + t.m.lo.get(0)) * t.scale.get(0);
    const ld got = near.get(0) ? u * m : m;  // u Q(u)
    const ld want = u * upper_tail_ref(u);
    INFO("u = " << u << ", u Q(u) = " << static_cast<double>(want));
    if (want >= 0x1p-1022L) {
      REQUIRE(relative_error(got, want) <= tol);
    } else {
      REQUIRE(std::fabs(got - want) <= 0x1p-1022L);
    }
  }
}

TEST_CASE("float path: Q(u) within 2^-26.5 and exp(-u^2/2) within 2^-28.5, in double lanes",
          "[erfc]") {
  // Good enough that rounding the result to float is the only error of note (an ULP of float
  // is 2^-24 to 2^-23 relative).
  // The rational is fitted on [0, 13.5]; from there to the clamp at 20, Q(u) and u Q(u) are far
  // below float's normal range, and only need to stay there.
  std::vector<double> us = uniform(8000, 0.0, 13.5, 4);
  for (const double u : {0.0, 1e-30, 1e-8, 0.5, 13.5}) us.push_back(u);
  for (const double u : us) {
    const nd::gauss_parts<B> g = nd::tail_and_gauss(B(u));
    const ld q = nd::times_pow2(g.tail, g.k_bits).get(0);
    const ld e = nd::times_pow2(g.gauss, g.k_bits).get(0);
    INFO("u = " << u);
    REQUIRE(relative_error(q, upper_tail_ref(u)) <= std::ldexp(1.0L, -26) / std::sqrt(2.0L));
    REQUIRE(relative_error(e, std::exp(-static_cast<ld>(u) * u / 2)) <=
            std::ldexp(1.0L, -28) / std::sqrt(2.0L));
  }
  for (const double u : uniform(1000, 13.5, 20.0, 5)) {
    const nd::gauss_parts<B> g = nd::tail_and_gauss(B(u));
    const ld q = nd::times_pow2(g.tail, g.k_bits).get(0);
    INFO("u = " << u);
    REQUIRE(q >= 0);
    REQUIRE(u * q < 0x1p-126L);  // the smallest normal float
  }
}

TEMPLATE_TEST_CASE("x Phi(x) and Phi(x) + x phi(x) within gelu's bound where the method changes, "
                   "on every architecture",
                   "[erfc]", float, double) {
  // docs/accuracy.md measure (forward_error, derivative_error: support/reference.hpp), at the
  // piece boundaries of the double path, the clamps of both paths, the ends of the normal range
  // of x Phi(x) (x = -37.5 for double, -13.2 for float) and of its derivative, around 0, and on a
  // dense grid of [-8, 8].
  using T = TestType;
  const actfn::gelu f;
  const double fwd_bound = sizeof(T) == 4 ? actfn::gelu::bound.f32_ulp : actfn::gelu::bound.f64_ulp;
  const double der_bound =
      sizeof(T) == 4 ? actfn::gelu::bound.f32_derivative_ulp
                     : actfn::gelu::bound.f64_derivative_ulp;
  std::vector<T> xs;
  const std::vector<double> edges =
      sizeof(T) == 4 ? std::vector<double>{0.8, 1.77, 3.0, 4.0406, 13.2, 13.3, 13.5, 20.0}
                     : std::vector<double>{0.8, 1.77, 3.0, 4.0406, 37.5, 37.6, 37.7, 38.5, 39.0};
  for (const double b : edges)
    for (const T x : actfn_test::around(static_cast<T>(b), 4)) {
      xs.push_back(x);
      xs.push_back(-x);
    }
  const double edge_lo = sizeof(T) == 4 ? -13.6 : -38.6, edge_hi = sizeof(T) == 4 ? -12.8 : -37.0;
  for (const double x : uniform(1000, edge_lo, edge_hi, 5)) xs.push_back(static_cast<T>(x));
  for (const double x : uniform(1000, -8.0, 8.0, 6)) xs.push_back(static_cast<T>(x));
  for (const T x : {T(1e-30), T(-1e-30), T(1e-7), T(-1e-7)}) xs.push_back(x);
  actfn_test::for_each_checked_arch([&](auto arch) {
    using A = decltype(arch);
    using BT = xsimd::batch<T, A>;
    for (std::size_t i = 0; i < xs.size(); i += BT::size) {
      alignas(A::alignment()) T lanes[BT::size];
      for (std::size_t k = 0; k < BT::size; ++k) lanes[k] = xs[(i + k) % xs.size()];
      const BT y = actfn::math::x_times_normal_cdf(BT::load_aligned(lanes));
      const BT d = actfn::math::x_times_normal_cdf_slope(BT::load_aligned(lanes));
      for (std::size_t k = 0; k < BT::size; ++k) {
        INFO(A::name() << ": x = " << lanes[k] << ", x Phi(x) = " << y.get(k)
                       << ", derivative = " << d.get(k));
        REQUIRE(actfn_test::forward_error(f, lanes[k], y.get(k)) <= fwd_bound);
        REQUIRE(actfn_test::derivative_error(f, lanes[k], d.get(k)) <= der_bound);
      }
    }
  });
}
