// SPDX-License-Identifier: MIT
// The logistic function and its slope, shared by sigmoid, log_sigmoid, swish/silu, softplus,
// gelu_tanh and mish. Written once over an xsimd batch.
#pragma once

#include <limits>
#include <type_traits>

#include "actfn/core/config.hpp"
#include "actfn/math/exp.hpp"
#include "actfn/math/fma.hpp"

namespace actfn::math {

/// A value held as an unevaluated sum hi + lo, |lo| small beside hi (about 2^-14 |hi| at most).
template <class B>
struct split_value {
  B hi, lo;
};

/// sigma(z) = 1 / (1 + exp(-z)) as hi + lo, from e = exp(-|z|) so nothing overflows:
/// z >= 0: 1 / (1 + e); z < 0: e / (1 + e). With d = 1 + e rounded and r =
/// reciprocal_estimate(d) (within 2^-14 of 1 / d; no division), hi = num r; lo recovers what hi
/// misses, from d's exact error (1 - d) + e and hi's remainder num - hi d (one FMA, exact to
/// 2^-24 of itself), times r: num / (1 + e) = hi + (remainder - hi d_err) / (d + d_err).
/// |lo|, about 2^-14 hi at most, is below 2^10 ULPs of hi, and r's error reaches it as 2^-14
/// of that: hi + lo is within 0.07 ULP of num / (1 + e) (tests/test_math_fma.cpp), so exp's
/// error is the only sizeable one left before the caller's own rounding. (Except in float for
/// e below 2^-124, z < -86, where lo is a subnormal number on a grid of one ULP of hi: up to
/// half an ULP more there.) NaN propagates; lo = 0 at z = +-inf.
/// (A flat struct, not derived from split_value: GCC 12 copies a sliced base of xsimd batches
/// through the stack with 64-bit moves, which cost sigmoid more than its arithmetic.)
template <class B>
struct sigmoid_value {
  B hi, lo;
  B e;  // exp(-|z|)
  split_value<B> split() const noexcept { return {hi, lo}; }
};
/// sigmoid_split_of(z, e) takes e = exp(-|z|) from the caller (exp_in_range's, where the
/// caller tests the range itself); sigmoid_split(z) computes it with exp_fast.
template <class B>
inline sigmoid_value<B> sigmoid_split_of(B z, B e) noexcept {
  const B one(1);
  const B d = one + e;
  const B d_err = sum_error(one, e, d);  // 1 + e = d + d_err exactly (e <= 1)
  const B num = xsimd::select(z >= B(0), one, e);
  const B inv_d = math::reciprocal_estimate(d);
  const B q = rounded(num * inv_d);
  const B remainder = division_remainder(num, d, q);
  // lo is kept from contraction into the caller's hi + lo: GCC contracts or not depending on
  // the inlining context, and a scalar must give the bits of its SIMD lane.
  return {q, rounded(fused_negated(q, d_err, remainder) * inv_d), e};
}
template <class B>
inline sigmoid_value<B> sigmoid_split(B z) noexcept {
  return sigmoid_split_of(z, math::exp_fast(minus_abs(z)));
}

/// sigma(z), rounded once from sigmoid_split; below the range where exp(z) is a normal
/// number, exp(z) by exp_times, rounded to a subnormal rather than flushed.
template <class B>
inline B sigmoid(B z) noexcept {
  using T = typename B::value_type;
  const sigmoid_value<B> s = sigmoid_split(z);
  const B r = s.hi + s.lo;
  const auto deep = z < B(exp_normal_min<T>);
  if (!xsimd::any(deep)) return r;
  return xsimd::select(deep, exp_times(B(1), z), r);
}

/// sigma(z) as one quotient, num / (1 + e) with e = exp_in_range<exp_use::derivative>(-|z|)
/// and num = 1 (z >= 0) or e (z < 0): no hi + lo, so exp's error (2.18 ULP), the rounding of
/// 1 + e and the quotient's add up (3.40 ULP over all floats). For the derivatives
/// (softplus', log_sigmoid'), whose target is 8 ULP; sigmoid's own value, whose target is 2,
/// keeps sigmoid_split. A division, not reciprocal_estimate and a Newton step, which is
/// slower here. Where |z| is beyond exp_in_range's range (and for NaN) it is math::sigmoid's
/// value.
template <class B>
inline B sigmoid_short(B z) noexcept {
  const B e = exp_in_range<exp_use::derivative>(minus_abs(z));
  const B num = xsimd::select(z >= B(0), B(1), e);
  return plain_or(in_plain_range(z), num / (B(1) + e), [&] { return sigmoid(z); });
}

/// 1 - sigma(z) = sigma(-z) without cancellation, from sigmoid_split's parts: e (hi + lo) =
/// e / (1 + e) for z >= 0, (1 - hi) - lo for z < 0 (where hi <= 1/2).
template <class B>
inline B sigmoid_complement(B z, const sigmoid_value<B>& s) noexcept {
  return xsimd::select(z >= B(0), s.e * (s.hi + s.lo), (B(1) - s.hi) - s.lo);
}

/// sigma'(z) from e = exp(-|z|) (sigmoid_value::e, for a caller that also needs sigma(z)).
template <class B>
inline B sigmoid_slope_of(B e) noexcept {
  const B d = B(1) + e;
  return e / (d * d);
}

/// sigma(z) + z sigma'(z) (swish' at z = beta x) from e = exp(-|z|) in exp_in_range's range,
/// with one quotient: with d = 1 + e, r = 1 / d and num = 1 (z >= 0) or e (z < 0),
/// sigma = num r and sigma' = e r^2, so the sum is r (num + z e r). r's relative error
/// reaches the result twice, and the sum cancels by up to a factor of 2.5 near the zero of
/// swish': with FMA that stays within the 8-ULP target of swish' (7.15 ULP over all floats
/// from the exp_use::derivative e it passes). Without FMA the sum rounds twice (7.11 ULP), so
/// there r also takes in the rounding error of 1 + e, d_err (exact), to first order:
/// 1 / (d + d_err) = r - r^2 d_err (5.62 ULP). With FMA the correction is left out: it would
/// cost much of what one quotient saves over sigmoid_split's hi + lo and sigmoid_slope_of's
/// second quotient.
template <class B>
inline B sigmoid_plus_slope(B z, B e) noexcept {
  const B one(1);
  const B d = one + e;
  B r = one / d;
  if constexpr (!has_fma<typename B::arch_type>) {
    const B d_err = sum_error(one, e, d);  // 1 + e = d + d_err exactly (e <= 1)
    r = fused_negated(r * d_err, r, r);
  }
  const B num = xsimd::select(z >= B(0), one, e);
  return r * fused(z, e * r, num);
}

/// sigma'(z) = sigma(z) (1 - sigma(z)) = e / (1 + e)^2 with e = exp(-|z|): no cancellation
/// where sigma(z) rounds to 1, and exactly 0 for |z| = inf.
template <class B>
inline B sigmoid_slope(B z) noexcept {
  return sigmoid_slope_of(math::exp_fast(minus_abs(z)));
}

/// tanh(x). Float with FMA: |x| < 0.875 from the odd polynomial x + x^3 P(x^2), P of degree 5
/// (fitted for actfn as exp's: Lawson's iteration on the relative error of tanh over
/// [0, 0.875], coefficients rounded to float one at a time, 0.19 ULP); above it from
/// e = exp_in_range(-2|x|) as 1 - 2 e / (1 + e), where 2 e / (1 + e) <= 0.3 so its errors reach
/// the result at most 0.3 times. Both are computed and one is selected; one test per batch
/// keeps |x| >= 43 (tanh rounds to +-1 there), infinities and NaN off that path. Odd:
/// tanh(-0) = -0. Double, and float without FMA: xsimd::tanh.
template <class B>
inline B tanh(B x) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, float> && has_fma<typename B::arch_type>) {
    constexpr float p[] = {-0x1.555518p-2f, 0x1.1104a8p-3f, -0x1.b8691ap-5f,
                           0x1.5851cp-6f,   -0x1.cad6e4p-8f, 0x1.672938p-10f};
    const B a = xsimd::abs(x);
    const B sign = xsimd::bitwise_xor(x, a);
    const B w = a * a;
    const B q = horner(w, p);
    const B near = fused(a * w, q, a);
    const B e = exp_in_range(B(-2) * a);
    const B far = fused(B(-2), e / (B(1) + e), B(1));
    const B y = xsimd::bitwise_or(xsimd::select(a < B(0.875f), near, far), sign);
    return plain_or(a < B(43), y, [&] {
      return xsimd::select(xsimd::isnan(x), x, xsimd::bitwise_or(B(1), sign));
    });
  } else {
    return xsimd::tanh(x);
  }
}

/// log(1 + e) for 0 <= e <= 1 (e = exp(-|z|): log_sigmoid and softplus); NaN propagates.
/// Float: fdlibm's logf scheme without its special cases and its second division: 1 + e =
/// d + d_err exactly, d = 2^k (1 + f) with f in [sqrt(1/2) - 1, sqrt(2) - 1] exact, log(1 + f)
/// from s = f / (2 + f) and fdlibm's Lg1..Lg4 (e_logf.c), plus d_err / d, which only needs a
/// few bits of 1 / d: (1 - s)^2 / 2^k is within s^2 <= 3% of it. log_sigmoid and softplus are
/// as accurate with it as with xsimd::log1p, which has the special cases and both divisions.
/// Double: xsimd::log1p.
template <class B>
inline B log1p_unit(B e) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, float>) {
    const B one(1);
    const B d = one + e;
    const B d_err = sum_error(one, e, d);  // exact (e <= 1)
    const auto big = d > B(0x1.6a09e6p+0f);  // sqrt(2)
    const B f = xsimd::select(big, d * B(0.5f), d) - one;  // exact
    const B k = xsimd::select(big, one, B(0));
    const B s = f / (B(2) + f);
    const B z = s * s, w = z * z;
    const B r = fused(z, fused(w, B(0x1.23d3dcp-2f), B(0x1.555554p-1f)),
                      w * fused(w, B(0x1.f13c4cp-3f), B(0x1.999c26p-2f)));
    const B hfsq = B(0.5f) * f * f;
    const B one_minus_s = one - s;
    const B c = d_err * (one_minus_s * one_minus_s) * xsimd::select(big, B(0.5f), one);
    // k ln 2 with ln 2 = 0x1.62e4p-1 + 0x1.7f7d1cp-20 (as exp's reduction): k ln2_hi is exact.
    const B lo = fused(k, B(0x1.7f7d1cp-20f), c);
    return fused(k, B(0x1.62e4p-1f), f - (hfsq - fused(s, hfsq + r, lo)));
  } else {
    return xsimd::log1p(e);
  }
}

/// x * t where t -> 0 faster than x grows: 0 where t is exactly 0 (so -inf * 0 gives the
/// limit 0, not NaN); NaN still propagates through t.
template <class B>
inline B times_vanishing(B x, B t) noexcept {
  return xsimd::select(t == B(0), B(0), x * t);
}

/// x * (hi + lo), rounded once where there is FMA; 0 where hi is 0 (-inf * 0 gives the limit
/// 0), x * hi where lo or x is 0 (inf * 1 stays inf, -0 * hi keeps its sign).
template <class B>
inline B times_split(B x, split_value<B> s) noexcept {
  const auto plain = s.lo == B(0) || x == B(0);
  const B p = xsimd::select(plain, x * s.hi, fused(x, s.hi, x * s.lo));
  return xsimd::select(s.hi == B(0), B(0), p);
}

/// times_split for finite x and hi > 0 (the common path of silu and mish, where |x| is in exp's
/// range), without its selects: x's sign ORed in keeps x = -0 at -0, where the FMA would give
/// -0 + x lo = +0 for lo < 0; every other result already has x's sign.
template <class B>
inline B times_split_positive(B x, split_value<B> s) noexcept {
  using T = typename B::value_type;
  return xsimd::bitwise_or(fused(x, s.hi, x * s.lo), xsimd::bitwise_and(x, B(T(-0.0))));
}

/// x * s for s = sigmoid(z), accurate also where s underflows but the product does not
/// (z below about -87 for float, -708 for double, x large: silu(-95) = -5e-40 * 95... is a
/// normal float). There sigmoid(z) = exp(z) to working precision, and x * exp(z) is
/// exp_times(x, z), rounded once. That path costs a second exp and runs only when some lane
/// needs it.
template <class B>
inline B times_sigmoid(B x, B z, split_value<B> s) noexcept {
  using T = typename B::value_type;
  const B result = times_split(x, s);
  const B deep(exp_normal_min<T>);
  const auto in_tail = z < deep && xsimd::abs(x) != B(std::numeric_limits<T>::infinity());
  if (!xsimd::any(in_tail)) return result;
  return xsimd::select(in_tail, exp_times(x, z), result);
}

/// x * sigmoid(z), accurate also where sigmoid(z) underflows (see times_sigmoid).
template <class B>
inline B x_times_sigmoid(B x, B z) noexcept {
  return times_sigmoid(x, z, sigmoid_split(z).split());
}

/// x * sigmoid(z + dz) where z + dz is an argument held as a rounded value z and a small
/// correction dz (its rounding error, |dz| < 2^-10 |z|), to first order in dz:
/// sigmoid(z + dz) = sigmoid(z) (1 + dz (1 - sigmoid(z))). 1 - sigmoid(z) may be formed by
/// subtraction: where it cancels (z > 0) the correction it scales is far below one ULP.
template <class B>
inline B x_times_sigmoid(B x, B z, B dz) noexcept {
  const sigmoid_value<B> s = sigmoid_split(z);
  const B p = times_sigmoid(x, z, s.split());
  const B c = dz * (B(1) - s.hi);
  return xsimd::select(c == B(0), p, fused(p, c, p));  // p = inf with c = 0 stays inf
}

}  // namespace actfn::math
