// SPDX-License-Identifier: MIT
// x Phi(x) and its derivative Phi(x) + x phi(x) (Phi, phi: the standard normal CDF and density),
// the two functions gelu needs, as a SIMD kernel written once over an xsimd batch.
//
// Why not erfc: xsimd 8.1's batch erfc is far from correctly rounded (measured here: float 4-70
// ULP for t in [0, 10], double ~3e4 ULP near t = 2 and 5e7 near t = 26), and Phi(x) =
// erfc(-x / sqrt 2) / 2 would also round t = -x / sqrt 2, which costs 2 t^2 ULPs of erfc(t) in
// the tail (150 ULP at x = -12 in float). So the kernel works from u = |x| itself, with the
// upper tail Q(u) = Phi(-u):
//   x Phi(x) = x - u Q(u)  (x > 0),   -u Q(u)  (x <= 0)
//   Phi(x) + x phi(x) = 1 - Q(u) + u phi(u)  (x >= 0),   Q(u) - u phi(u)  (x < 0)
// No cancellation: for x > 0, u Q(u) <= x / 2.
//
// double: u Q(u) = exp(A) times u (u < 4.04) or 1 (u >= 4.04), with the exponent A held as a
// double-double, exp evaluated to a double-double (reduction by ln 2 with a two-part ln 2 and
// two-sums, polynomial of degree 12 on |r| <= ln(2)/2) and the last product and subtraction done
// in double-double too, so the result is rounded essentially once.
//   u < 4.04:  A = -u^2/2 + F(u), F = ln Q + u^2/2 on four pieces, a0 + a1 v + v^2 P12(v) with
//              v = u - c exact (Sterbenz) and a0, a1 double-doubles; -u^2/2 is split exactly
//              from 26-bit halves of u (Dekker), so no FMA is needed anywhere for exactness.
//   u >= 4.04: A = -u^2/2 - 9/16 - ln(2)/2 + g(2/u^2), g = R2/S2 of fdlibm's erfc (see k_r2).
// float: x Phi(x) is computed in double lanes, where a short path suffices:
// Q(u) = exp(-u^2/2) P4(u)/S5(u) (own rational fit, 2^-27.5 relative) with exp(-u^2/2) =
// 2^k 2^f (2^-29), so rounding to float is the only error that matters. That costs two double
// batches per float batch, but a float-lane kernel as accurate would need the double path's
// double-double care at float scale (about as many operations per 16 lanes), and one without
// it is off by several ULPs. The derivative, whose target is 8 ULP, is computed in float
// arithmetic where there is FMA (x_times_cdf_slope_float: the same rational, float
// coefficients; 6.03 ULP over all floats, with half the double lanes' work), in double lanes
// without FMA and for |x| >= 13.2.
//
// Coefficients: fdlibm's R2/S2 (s_erf.c, via FreeBSD msun), the numerator re-centred as
// described at k_r2; everything else (k_exp, k_near, k_f_*) fitted for actfn with mpmath
// (Chebyshev-node least squares, resp. a Loeb/Lawson rational iteration, in 200-300-bit
// arithmetic, coefficients rounded to double one at a time with the rest refitted).
//
// Measured worst errors, and how they are measured: docs/accuracy.md.
// Cheaper formulations give up the tail: x erfc(-x / sqrt 2) / 2 with xsimd's erfc is 4-70 ULP
// off in float, and Eigen's and oneDNN's gelu differ from this one by up to 2e8 and 2e7 ULP for
// large negative x.
// Results below the smallest normal number may be flushed to zero (exp's scale is 0 there).
// Signs and limits: x Phi(x) has the sign of x: -0 for -0 and where it underflows for x < 0,
// -inf included (the limit 0, from below), +inf at +inf; the derivative is 0 at -inf (a zero of
// either sign) and 1 at +inf; NaN propagates.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "actfn/core/config.hpp"
#include "actfn/math/exp.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/lanes.hpp"

namespace actfn::math {
namespace normal_detail {

// ---- double-double helpers (exact transformations, no FMA needed) ---------------------------

// fused(a, b, c): actfn/math/fma.hpp (used for speed only: nothing below relies on the fused
// rounding).

/// v with the low 27 bits of the significand cleared: a 26-bit number, so that the product of
/// two such numbers (and of one with a 27-bit remainder v - high(v)) is exact.
template <class B>
inline B high(B v) noexcept {
  return v & B(std::bit_cast<double>(std::uint64_t{0xFFFFFFFFF8000000}));
}

template <class B>
struct dd {  // the unevaluated sum hi + lo
  B hi, lo;
};

/// s + e = a + b exactly (Knuth's two-sum, any magnitudes).
template <class B>
inline dd<B> two_sum(B a, B b) noexcept {
  const B s = a + b;
  const B bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

/// a * b as hi + lo (Dekker's product from 26/27-bit halves: hi exact, lo rounded once, about
/// 2^-106 relative).
template <class B>
inline dd<B> two_prod(B a, B b) noexcept {
  const B ah = high(a), al = a - ah, bh = high(b), bl = b - bh;
  return {ah * bh, (ah * bl + al * bh) + al * bl};
}

// ---- exp of a double-double argument ----------------------------------------------------------

/// exp(r) = 1 + r + r^2/2 + r^3 (k_exp[0] + k_exp[1] r + ...) on |r| <= ln(2)/2: a near-minimax
/// polynomial fitted for actfn (Chebyshev-node least squares in 300-bit arithmetic, coefficients
/// rounded to double one at a time and the rest refitted); relative error below 2^-61.
inline constexpr double k_exp[] = {
    0x1.5555555555556p-3, 0x1.5555555555556p-5, 0x1.111111111070bp-7,
    0x1.6c16c16c1609ep-10, 0x1.a01a01a902503p-13, 0x1.a01a01a7b533bp-16,
    0x1.71de0a3c32246p-19, 0x1.27e4d944a43a5p-22, 0x1.af3f084d10f48p-26,
    0x1.1f76a06949445p-29,
};
inline constexpr double k_ln2_hi = 0x1.62e42fefa3800p-1;  // 42 bits: k ln2_hi is exact, |k| < 2^11
inline constexpr double k_ln2_lo = 0x1.ef35793c76730p-45;  // ln 2 - ln2_hi
inline constexpr double k_log2e = 0x1.71547652b82fep+0;

template <class B>
struct scaled {  // (m.hi + m.lo) * scale, scale a power of two (or 0)
  dd<B> m;
  B scale;
};

/// 2^Bias exp(hi + lo) for hi + lo <= 0 (any |lo| < 1), as a double-double mantissa in
/// [0.7, 1.42] and a power-of-two scale, so the caller can go on in extended precision and round
/// once. The mantissa's error is below 2^-55 relative. Where the scale would be subnormal it is
/// 0: such results may be flushed (docs/accuracy.md); Bias > 0 keeps them for a caller that
/// sums such terms into a normal number and scales back.
template <int Bias = 0, class B>
inline scaled<B> exp_dd(B hi, B lo) noexcept {
  const B magic(0x1.8p52);  // adding it rounds to an integer, kept in the low bits
  const B t = (hi + lo) * B(k_log2e) + magic;
  const B k = t - magic;
  const dd<B> rh = two_sum(hi, -k * B(k_ln2_hi));  // the product is exact
  const dd<B> r = two_sum(rh.hi, lo);              // |r.hi| <= 0.35
  const B x = r.hi;
  const B c = r.lo + (rh.lo - k * B(k_ln2_lo));    // x + c = hi + lo - k ln 2, |c| < 2^-32
  const B q = x * x * fused(x, horner(x, k_exp), B(0.5));  // exp(x) - 1 - x
  const B s = B(1) + x;
  const B s_lo = sum_error(B(1), x, s);  // exact: 1 + x = s + s_lo (|x| <= 0.35)
  // exp(x + c) = exp(x) (1 + c) = s + p + c (s + p), p = s_lo + q (c^2/2 < 2^-64 left out);
  // the error is q's (2^-53 of q < 0.07), below 2^-55 of the sum. Renormalised
  // (|s| > 0.7 > |rest|) so that m.hi alone is exp(x + c) rounded.
  const B p = s_lo + q;
  const B rest = p + c * (s + p);
  const B m_hi = s + rest;
  const dd<B> m{m_hi, (s - m_hi) + rest};
  using I = xsimd::batch<std::int64_t, typename B::arch_type>;
  const B pow2 = xsimd::bitwise_cast<B>((xsimd::bitwise_cast<I>(t) + I(1023 + Bias)) << 52);
  return {m, xsimd::select(k < B(-1022 - Bias), B(0), pow2)};
}

// ---- the upper tail u Q(u), Q(u) = Phi(-u) = erfc(u / sqrt 2) / 2 -----------------------------

// u < 4.0406: Q(u) = exp(-u^2/2 + F(u)), F(u) = ln Q(u) + u^2/2 (smooth, from -0.69 to -2.5),
// approximated on four pieces as a0 + a1 v + v^2 P(v), v = u - c (exact by Sterbenz on each
// piece), a0 and a1 double-doubles (a1's high part has 26 bits, so a1_hi v_hi is exact) and P of
// degree 12. Fitted for actfn (Chebyshev-node least squares in 300-bit arithmetic, coefficients
// rounded to double one at a time and the rest refitted); absolute error below 2^-60.
struct near_piece {
  double c, a0_hi, a0_lo, a1_hi, a1_lo;
  double p[13];
};
inline constexpr near_piece k_near[4] = {
    {0,  // [0, 0.8]
     -0x1.62e42fefa39efp-1, -0x1.abc9e3b39803fp-56, -0x1.9884530000000p-1, -0x1.ea1b284687e5ap-28,
     {0x1.7419f246c6efbp-3, -0x1.29a947f9ca1b4p-5, 0x1.39668594fe418p-8,
      0x1.363786a58f0b1p-15, -0x1.bca6722f8f522p-13, 0x1.b58c8aff825abp-15,
      -0x1.b1e2ae721b3cdp-20, -0x1.7ee75c5a51551p-19, 0x1.f56d3bd4c2e45p-21,
      -0x1.618854190a21fp-24, -0x1.43fcbf39f4b21p-25, 0x1.0c47c3a283680p-26,
      -0x1.24f1a3bbf0e2bp-29}},
    {1.25,  // [0.8, 1.77]
     -0x1.77646579490cap+0, -0x1.93de6a50daccap-56, -0x1.ea4ee80000000p-2, 0x1.35412ecfef8ffp-30,
     {0x1.60b1a81c3df0bp-4, -0x1.0d547bfef43cdp-6, 0x1.6fee35cadb2eap-9,
      -0x1.8b6af83a8f84bp-12, 0x1.aca1f96b8ff0dp-16, 0x1.4f3932157433bp-18,
      -0x1.420638548fc2fp-19, 0x1.1b6df7d3ec33ap-21, -0x1.0d45bf6cb393bp-24,
      -0x1.cd96d1625519bp-29, 0x1.0c449a52dda8ep-28, -0x1.30b367ef965a8p-30,
      0x1.7cf8c300a4a2cp-33}},
    {2.25,  // [1.77, 3]
     -0x1.df81367b52b52p+0, 0x1.158e52c09746ep-55, -0x1.62b7590000000p-2, 0x1.22d1e6e671b97p-29,
     {0x1.9c0e4b378cd56p-5, -0x1.13050cc17155fp-7, 0x1.65e4386a16605p-10,
      -0x1.a7db945403df1p-13, 0x1.a5e4a06ce9ac1p-16, -0x1.19e9e3d8e7738p-19,
      -0x1.090c304bf04f8p-24, 0x1.445f94e1e383ap-24, -0x1.584d95a5e4839p-26,
      0x1.ebf8432039f95p-29, -0x1.d7c7855445e6ep-32, 0x1.e6e8196408772p-37,
      0x1.84b8eeb531436p-38}},
    {3.5,  // [3, 4.0406]
     -0x1.1edb3a5fc4de5p+1, -0x1.52fb5b52f7664p-53, -0x1.016cb60000000p-2, -0x1.a20b6c5a28c96p-29,
     {0x1.d2652a4a85bddp-6, -0x1.00b1136dc4c23p-8, 0x1.22dc7ffd1b49fp-11,
      -0x1.40d6f6c6d951bp-14, 0x1.4ca1fc489b8b8p-17, -0x1.372c2b206a777p-20,
      0x1.e4388b7a4494ap-24, -0x1.cede90b959e22p-28, -0x1.0ee5cbc44553bp-31,
      0x1.24762a0a0520bp-32, -0x1.0971dc2d7ed29p-34, 0x1.5c646780e1d4ep-37,
      -0x1.9302d255a2905p-43}},
};
inline constexpr double k_near_ends[3] = {0.8, 1.77, 3.0};  // where pieces 0, 1, 2 end
inline constexpr double k_near_end = 4.0406;                 // u = sqrt(2) / 0.35

// u >= 4.0406 (t = u / sqrt 2 >= 1/0.35): fdlibm's form (Sun Microsystems' s_erf.c, 1993, as in
// FreeBSD msun and musl): erfc(t) = exp(-t^2 - 0.5625 + R2(s)/S2(s)) / t, s = 1/t^2, where R2/S2
// approximates g(s) = ln(t erfc(t)) + t^2 + 0.5625 on t in [1/0.35, 28] within 2^-61.5
// (coefficients rb0..rb6, sb1..sb7). With t = u / sqrt 2 that gives
// u Q(u) = exp(-u^2/2 - 0.5625 - ln(2)/2 + g(2/u^2)). S2 below is fdlibm's; the numerator is
// fdlibm's R2 minus g0 S2 (computed from them in 300-bit arithmetic, rounded to double), so the
// quotient is g - g0, a smaller number with a smaller rounding error; g0 = -19/512 goes into the
// constant instead.
inline constexpr double k_r2[] = {  // R2 - g0 S2
    0x1.be5f6e30bc85bp-6, 0x1.4e615990095fap-2, -0x1.6ac07c47ccbb0p+2, -0x1.9e6fef0ee730ap+6,
    -0x1.03692d9f124c0p+9, -0x1.d12d2ffa79040p+9, -0x1.d1e8e4543c929p+8, -0x1.aa60caee665e4p-1,
};
inline constexpr double k_s2[] = {  // fdlibm's S2: 1, sb1 ... sb7
    1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
    3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
    -2.24409524465858183362e+01,
};
// -0.5625 - ln(2)/2 + g0 as a double-double.
inline constexpr double k_c2_hi = -0x1.e47217f7d1cf8p-1, k_c2_lo = 0x1.950d871319ff0p-55;
inline constexpr double k_u_max = 39;  // u Q(u) underflows (t = 27.6 < 28)
inline constexpr double k_slope_u_max = 40.5;  // x_times_cdf_slope's: see there

// -ln(sqrt(2 pi)) as a double-double: phi(u) = exp(-u^2/2 - ln(sqrt(2 pi))).
inline constexpr double k_log_pdf_hi = -0x1.d67f1c864beb5p-1, k_log_pdf_lo = 0x1.65b5a1b7ff5dfp-55;

/// -u^2/2 as hi + lo, hi exact.
template <class B>
inline dd<B> minus_half_square(B u) noexcept {
  const B uh = high(u), ul = u - uh;
  return {B(-0.5) * uh * uh, B(-0.5) * ul * (u + uh)};
}

/// For 0 <= u <= k_u_max: 2^Bias Q(u) = tail.m * tail.scale * (near ? 1 : 1/u) and
/// 2^Bias u Q(u) = tail.m * tail.scale * (near ? u : 1), near = u < k_near_end.
template <int Bias = 0, class B>
inline scaled<B> upper_tail(B u, dd<B> minus_half_sq, typename B::batch_bool_type near) noexcept {
  B hi(0), lo(0);
  if (xsimd::any(near)) {
    const auto in0 = u < B(k_near_ends[0]), in1 = u < B(k_near_ends[1]);
    const auto in2 = u < B(k_near_ends[2]);
    // The piece's value of a field, per lane.
    auto pick = [&](auto field) {
      const B last = xsimd::select(in2, B(field(k_near[2])), B(field(k_near[3])));
      return xsimd::select(in0, B(field(k_near[0])), xsimd::select(in1, B(field(k_near[1])), last));
    };
    const B v = u - pick([](const near_piece& p) { return p.c; });  // exact on each piece
    B w = pick([](const near_piece& p) { return p.p[12]; });
    for (std::size_t i = 12; i-- > 0;) {
      w = fused(w, v, pick([i](const near_piece& p) { return p.p[i]; }));
    }
    const B vh = high(v), vl = v - vh;
    const B a1h = pick([](const near_piece& p) { return p.a1_hi; });
    const dd<B> s1 = two_sum(minus_half_sq.hi, pick([](const near_piece& p) { return p.a0_hi; }));
    const dd<B> s2 = two_sum(s1.hi, a1h * vh);  // a1h * vh is exact
    const B rest = ((minus_half_sq.lo + pick([](const near_piece& p) { return p.a0_lo; })) +
                    (a1h * vl + pick([](const near_piece& p) { return p.a1_lo; }) * v)) +
                   v * v * w;
    hi = s2.hi;
    lo = (s1.lo + s2.lo) + rest;
  }
  if (xsimd::any(!near)) {
    const B s = B(2) / (u * u);
    const B g = horner(s, k_r2) / horner(s, k_s2);
    const dd<B> s1 = two_sum(minus_half_sq.hi, B(k_c2_hi));
    hi = xsimd::select(near, hi, s1.hi);
    lo = xsimd::select(near, lo, ((s1.lo + minus_half_sq.lo) + B(k_c2_lo)) + g);
  }
  return exp_dd<Bias>(hi, lo);
}

/// x Phi(x) for double lanes. Formed scaled by 2^64 and scaled back at the end, so that the low
/// part of u Q(u) is not lost where x Phi(x) is barely a normal number (x near -37.5).
template <class B>
inline B x_times_cdf(B x) noexcept {
  const B u = xsimd::min(xsimd::abs(x), B(k_u_max));
  const auto near = u < B(k_near_end);
  const scaled<B> e = upper_tail<64>(u, minus_half_square(u), near);
  // 2^64 u Q(u) = (near ? u : 1) * e.m * e.scale as mh + ml.
  const dd<B> p = two_prod(u, e.m.hi);
  const B mh = xsimd::select(near, p.hi, e.m.hi) * e.scale;
  const B ml = xsimd::select(near, p.lo + u * e.m.lo, e.m.lo) * e.scale;
  // x > 0: x Phi(x) = x - u Q(u); x <= 0: -u Q(u) (-0 from -0).
  const dd<B> r = two_sum(xsimd::select(x > B(0), x * B(0x1p64), B(-0.0)), -mh);
  // Where u Q(u) underflows (and at +-inf, where the two-sum would make NaN): x or 0. Then the
  // sign of x: -0 for -0 and wherever the result underflows for x < 0, -inf included.
  const B y = xsimd::select(xsimd::abs(x) < B(k_u_max), (r.hi + (r.lo - ml)) * B(0x1p-64),
                            xsimd::select(x > B(0), x, B(0)));
  return xsimd::select(xsimd::isnan(x), x, xsimd::copysign(y, x));
}

/// factor (Phi(x) + x phi(x)) for double lanes. The sum is formed scaled by 2^192 and scaled
/// back at the end, after the product by factor (1 for the derivative, dy for backward): for
/// x < -37.5 it is still a normal number while Q(u) and phi(u) alone are not, and so is
/// dy f'(x) where f'(x) alone is not, down to x = -40.5 (f' ~ 1e-358, 0 times any factor up to
/// 2^64 after rounding).
template <class B>
inline B x_times_cdf_slope(B x, B factor) noexcept {
  const B u = xsimd::min(xsimd::abs(x), B(k_slope_u_max));
  const auto near = u < B(k_near_end);
  const dd<B> sq = minus_half_square(u);
  const scaled<B> e = upper_tail<192>(u, sq, near);
  // 2^192 Q(u) as qh + ql; beyond the near pieces Q = (e.m.hi + e.m.lo) / u, the quotient's
  // remainder taken exactly.
  const B quot = e.m.hi / u;
  const dd<B> back = two_prod(quot, u);
  const B rem = ((e.m.hi - back.hi) - back.lo + e.m.lo) / u;
  const B qh = xsimd::select(near, e.m.hi, quot) * e.scale;
  const B ql = xsimd::select(near, e.m.lo, rem) * e.scale;
  // 2^192 u phi(u) as ph + pl: phi(u) = exp(-u^2/2 - ln sqrt(2 pi)).
  const dd<B> arg = two_sum(sq.hi, B(k_log_pdf_hi));
  const scaled<B> d = exp_dd<192>(arg.hi, (arg.lo + sq.lo) + B(k_log_pdf_lo));
  const dd<B> p = two_prod(u, d.m.hi);
  const B ph = p.hi * d.scale, pl = (p.lo + u * d.m.lo) * d.scale;
  // x < 0: Q - u phi; x >= 0: 1 - Q + u phi.
  const auto neg = x < B(0);
  const dd<B> s1 = two_sum(xsimd::select(neg, B(0), B(0x1p192)), xsimd::select(neg, qh, -qh));
  const dd<B> s2 = two_sum(s1.hi, xsimd::select(neg, -ph, ph));
  const B low = (s1.lo + s2.lo) + xsimd::select(neg, ql - pl, pl - ql);
  const B r = xsimd::select(x < B(-k_slope_u_max), B(-0.0) * factor,
                            ((s2.hi + low) * factor) * B(0x1p-192));
  return xsimd::select(xsimd::isnan(x), x, r);
}

// ---- float lanes: a shorter path, computed in double --------------------------------------------

// Q(u) exp(u^2/2) = P(u) / S(u) on [0, 13.5] (the Mills ratio over sqrt(2 pi)), degrees 4 and
// 5, all coefficients positive: a rational fitted for actfn (Loeb/Lawson iteration in 200-bit
// arithmetic), relative error below 2^-27.5.
inline constexpr double k_f_p[] = {
    0x1.00000015cf823p-1, 0x1.bea228976c943p-2, 0x1.740a0352ba765p-3,
    0x1.488550e8eb349p-5, 0x1.089c4c89b819ap-8,
};
inline constexpr double k_f_s[] = {
    1.0, 0x1.ab93440f62376p+0, 0x1.322a158be7625p+0,
    0x1.dc7ab0552afbfp-2, 0x1.9bc4ebbd53c69p-4, 0x1.4ba2b60d46b2dp-7,
};
inline constexpr double k_minus_half_log2e = -0x1.71547652b82fep-1;
inline constexpr double k_inv_sqrt_2pi = 0x1.9884533d43651p-2;
// |x| is clamped here: Q(20) ~ 3e-89 and exp(-200) are 0 in float, and 2^k stays normal.
inline constexpr double k_f_u_max = 20;

/// Q(u) and exp(-u^2/2) for 0 <= u <= 20, in double lanes, to 2^-27 relative, as
/// Q(u) = tail 2^k and exp(-u^2/2) = gauss 2^k: exp(-u^2/2) = 2^z, z = -u^2 log2(e) / 2 = k + f
/// (k an integer, |f| <= 1/2; rounding z costs 2^-44 relative at most). The caller multiplies
/// by 2^k with times_pow2, an integer add to the exponent field.
template <class D>
struct gauss_parts {
  D tail, gauss;
  detail::rebind<D, std::int64_t> k_bits;  // k << 52
};

template <class D>
inline gauss_parts<D> tail_and_gauss(D u) noexcept {
  const D u2 = u * u;
  const D z = u2 * D(k_minus_half_log2e);
  const D magic(0x1.8p52);  // adding it rounds to an integer, kept in the low bits
  const D t = z + magic;
  const D k = t - magic;
  const D f = z - k, f2 = f * f;
  // The polynomials in Estrin's form (pairs of terms, then powers of f^2 and u^2): the same
  // number of operations as Horner's rule in shorter dependency chains.
  auto c = [](double v) { return D(v); };
  const auto& e_ = k_exp2_short;  // 2^f (lanes.hpp)
  const D e = fused(fused(fused(c(e_[6]), f2, fused(c(e_[5]), f, c(e_[4]))), f2,
                          fused(c(e_[3]), f, c(e_[2]))),
                    f2, fused(c(e_[1]), f, c(e_[0])));
  const auto& p_ = k_f_p;
  const D p = fused(fused(c(p_[4]), u2, fused(c(p_[3]), u, c(p_[2]))), u2,
                    fused(c(p_[1]), u, c(p_[0])));
  const auto& s_ = k_f_s;
  const D s = fused(fused(fused(c(s_[5]), u, c(s_[4])), u2, fused(c(s_[3]), u, c(s_[2]))), u2,
                    fused(c(s_[1]), u, c(s_[0])));
  using I = detail::rebind<D, std::int64_t>;
  return {e * (p / s), e, xsimd::bitwise_cast<I>(t) << 52};
}

/// v 2^k for v = 0 with k = 0, or v normal with v 2^k normal (here: u <= 20, k >= -289).
template <class D>
inline D times_pow2(D v, detail::rebind<D, std::int64_t> k_bits) noexcept {
  using I = detail::rebind<D, std::int64_t>;
  return xsimd::bitwise_cast<D>(xsimd::bitwise_cast<I>(v) + k_bits);
}

/// x Phi(x) for float values held in double lanes (rounded to float by the caller).
template <class D>
inline D x_times_cdf_short(D x) noexcept {
  const D u = xsimd::min(xsimd::abs(x), D(k_f_u_max));
  const gauss_parts<D> g = tail_and_gauss(u);
  const D m = times_pow2(u * g.tail, g.k_bits);  // u Q(u)
  // x >= 0: x - x Q(x) (+0 - 0 = +0, -0 - 0 = -0); x < 0: -|x| Q(|x|) (-0 in float at -inf,
  // where u Q(u) is tiny).
  const D y = xsimd::select(x >= D(0), x - m, -m);
  return xsimd::select(xsimd::isnan(x), x, y);
}

/// Phi(x) + x phi(x) for float values held in double lanes.
template <class D>
inline D x_times_cdf_slope_short(D x) noexcept {
  const D u = xsimd::min(xsimd::abs(x), D(k_f_u_max));
  const gauss_parts<D> g = tail_and_gauss(u);
  const D q = times_pow2(g.tail, g.k_bits);
  const D u_pdf = times_pow2(u * g.gauss * D(k_inv_sqrt_2pi), g.k_bits);
  const D y = xsimd::select(x < D(0), q - u_pdf, (D(1) - q) + u_pdf);
  return xsimd::select(xsimd::isnan(x), x, y);
}

// ---- float lanes with FMA: the derivative in float arithmetic -----------------------------

// |x| below it: exp(-x^2/2) is a normal float (exp_in_range's range).
inline constexpr float k_f_fast_max = 13.2f;

/// Phi(x) + x phi(x) for float lanes with FMA and |x| < k_f_fast_max (the caller takes the
/// other lanes, NaN included, from the double-lane path). gelu's derivative has an 8-ULP
/// target (docs/accuracy.md), which float arithmetic meets where gelu's value needs double
/// lanes. With u = |x|: u^2 = w + w_err exactly (FMA), G = exp(-u^2/2) =
/// exp_in_range<exp_use::derivative>(-w/2) (1 - w_err/2) (so the rounding of u^2, up to 40
/// ULPs of G near u = 13, is not lost), and
/// r = Q(u) exp(u^2/2) from the short path's rational P/S (coefficients rounded to float; all
/// positive, so Horner's rule does not cancel). With t = u / sqrt(2 pi) - r:
///   x < 0:  Q - u phi = -G t;   x >= 0:  1 - Q + u phi = 1 + G t.
/// t cancels only near u = 0.75, the zero of f' for x < 0, where the bound is stated in the
/// ULPs of f''s local scale. Half the double lanes' work per float.
template <class B>
inline B x_times_cdf_slope_float(B x) noexcept {
  const B u = xsimd::abs(x);
  const B w = rounded(u * u);  // not contracted into product_error's FMA
  const B g = exp_in_range<exp_use::derivative>(B(-0.5f) * w);
  const B gauss = fused(B(-0.5f) * product_error(u, u, w), g, g);
  const B r = horner(u, k_f_p) / horner(u, k_f_s);
  const B t = fused_sub(B(static_cast<float>(k_inv_sqrt_2pi)), u, r);
  return xsimd::select(x < B(0), negated(gauss * t), fused(gauss, t, B(1)));
}

}  // namespace normal_detail

/// x Phi(x), Phi the standard normal CDF: gelu's value. See the top of this file.
template <class B>
inline B x_times_normal_cdf(B x) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, double>) {
    return normal_detail::x_times_cdf(x);
  } else {
    return in_double_lanes(
        x, [](auto d) { return normal_detail::x_times_cdf_short(d); });
  }
}

/// factor (Phi(x) + x phi(x)) for a factor such as dy (gelu's backward), rounded once: formed
/// in double lanes (float) or scaled by 2^192 (double), so that it stays accurate where
/// Phi(x) + x phi(x) alone is below the normal range but the product is not.
template <class B>
inline B times_normal_cdf_slope(B x, B factor) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, double>) {
    return normal_detail::x_times_cdf_slope(x, factor);
  } else {
    return in_double_lanes(x, factor, [](auto d, auto g) {
      return g * normal_detail::x_times_cdf_slope_short(d);
    });
  }
}

/// d/dx [x Phi(x)] = Phi(x) + x phi(x), phi the standard normal density: gelu's derivative.
template <class B>
inline B x_times_normal_cdf_slope(B x) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, double>) {
    return normal_detail::x_times_cdf_slope(x, B(1));
  } else {
    auto in_doubles = [&] {
      return in_double_lanes(x, [](auto d) { return normal_detail::x_times_cdf_slope_short(d); });
    };
    if constexpr (has_fma<typename B::arch_type>) {
      return plain_or(xsimd::abs(x) < B(normal_detail::k_f_fast_max),
                      normal_detail::x_times_cdf_slope_float(x), in_doubles);
    } else {
      return in_doubles();
    }
  }
}

}  // namespace actfn::math
