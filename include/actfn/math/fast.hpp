// SPDX-License-Identifier: MIT
// Building blocks of the fast tier (actfn::fast, core/fast.hpp), for float batches: each is a
// short kernel without the carried rounding errors of the precise ones, accurate enough for
// the fast contract (|error| <= max(4 ulp, 2^-22) for values, max(16 ulp, 2^-20) for
// derivatives; docs/accuracy.md#the-fast-tier) and no more. Written once over the batch type
// like the precise kernels, so scalar and SIMD results agree bit for bit; with multi overloads
// through the functions they call. Call them qualified (fast::reciprocal): unqualified, a
// batch argument finds xsimd's functions of the same name by argument-dependent lookup.
//
// - exp_nonpositive(z): exp(z) for z <= 0, 2.2 ULP where it matters; 0 for z <= -88, NaN for
//   NaN. Reduction z = n ln 2 + r with ln 2 rounded to float (its error times n stays below
//   the absolute floor; two parts for the more accurate variant), exp(r) =
//   1 + r + r^2 P(r) with math::exp_detail's degree-3 P (exp_in_range<exp_use::derivative>'s
//   polynomial), and 2^n as a float built from n's bits: multiplied in, so that NaN in r
//   gives NaN whatever n's bits are (an integer add to the exponent field would not).
//   On AVX-512 (the derivative variant) a shorter exp: n a multiple of 1/32 (|r| <= ln 2 / 64),
//   2^frac(n) from a 32-entry table by one two-register permute (VPERMT2PS), 2^floor(n)
//   applied by VSCALEFPS (0 far below, no integer arithmetic on exponent bits), and exp(r) =
//   1 + c1 r + c2 r^2 (minimax relative error 2^-24.2), s + s (c1 r + c2 r^2) rounded once:
//   three multiply-adds instead of six, and no shift. The table-and-scale method is XNNPACK's
//   (its "lut32-p2-perm2-scalef" kernels); the constants are fitted here.
// - reciprocal(d): 1 / d; on AVX-512 the 14-bit estimate VRCP14PS and one Newton step
//   (2^-27 relative), which costs less than the division there; elsewhere the division.
// - one_plus_exp<S>(y): 1 + exp(S y) as one FMA, for kernels that need nothing else.
// - sigmoid_alone(x): 1 / (1 + e) or 1 minus it (absolute accuracy, enough for sigmoid
//   itself); sigmoid(x) and logistic(x, s, c): e / (1 + e) below 0 (relative accuracy, for
//   x sigmoid(x)).
// - tanh_exp(x): tanh(x) = 2 / (1 + e) - 1, e = exp(-2|x|) (only 1 + e is formed, by
//   one_plus_exp), one reciprocal, the sign of x put back with logic operations. Near 0 the
//   difference carries exp's absolute error (2^-24 or so), which the absolute floor covers.
//   (A rational x P(x^2) / Q(x^2) of degree 9/8 with one division was tried: its float
//   evaluation left 5.2 units of 2^-24 near x = 8.6, beyond the contract.)
// - On AVX-512 (with DQ) sigmoid_alone and tanh_exp take 1 / (1 + exp(-S x)) directly, for
//   both signs of x (detail_fast::logistic_lut): the table-driven exp, x clamped to |x| <=
//   88.5 / S with its sign kept (VRANGEPS), and NaN, +-0 and +-inf put back at the end by one
//   VFIXUPIMMPS, in place of |x|, the clamp and the select or sign by x: 13 operations for
//   sigmoid where the path above takes 17.
// - normal_tail(x, c, e): c = Phi(-|x|), the lower tail of the normal CDF, and e = exp(-x^2 / 2),
//   as c = e R(|x|), R(a) = Phi(-a) exp(a^2 / 2) (a Mills ratio: smooth, from 1/2 down to
//   0.07 at 5.5) a rational P3(a) / Q4(a) with positive coefficients (no cancellation), relative
//   error 2^-24.4 on [0, 5.5] (fitted likewise, relative error, 400 points), a clamped to 5.5
//   (beyond, c is below 2^-22 / |x| and only its smallness matters). Not 0.5 (1 + erf(x /
//   sqrt 2)): near x = -5 that sum cancels, and the absolute floor 2^-22 of gelu leaves no
//   room for the rounding of erf near -1 times |x|. gelu' shares e.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "actfn/core/config.hpp"
#include "actfn/core/multi.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/exp.hpp"
#include "actfn/math/fma.hpp"

namespace actfn::math::fast {

namespace detail_fast {
inline constexpr float magic = 0x1.8p23f + 127.0f;  // n + 127 in the low bits of the sum
inline constexpr float log2e = 0x1.715476p+0f;
inline constexpr float ln2_hi = 0x1.62e4p-1f;
inline constexpr float ln2_lo = 0x1.7f7d1cp-20f;
inline constexpr float ln2 = 0x1.62e430p-1f;
// The AVX-512 exp (exp_lut, logistic_lut): 2^(j/32) rounded to float, j = 0..31; 1.5 2^18,
// whose float neighbours are 1/32 apart; exp(r) ~ lut_p(r) on |r| <= ln 2 / 64, fitted for
// relative error.
alignas(64) inline constexpr float exp2_32nds[32] = {
    0x1.000000p+0f, 0x1.059b0ep+0f, 0x1.0b5586p+0f, 0x1.11301ep+0f,
    0x1.172b84p+0f, 0x1.1d4874p+0f, 0x1.2387a6p+0f, 0x1.29e9e0p+0f,
    0x1.306fe0p+0f, 0x1.371a74p+0f, 0x1.3dea64p+0f, 0x1.44e086p+0f,
    0x1.4bfdaep+0f, 0x1.5342b6p+0f, 0x1.5ab07ep+0f, 0x1.6247ecp+0f,
    0x1.6a09e6p+0f, 0x1.71f75ep+0f, 0x1.7a1148p+0f, 0x1.82589ap+0f,
    0x1.8ace54p+0f, 0x1.93737cp+0f, 0x1.9c4918p+0f, 0x1.a5503cp+0f,
    0x1.ae89fap+0f, 0x1.b7f770p+0f, 0x1.c199bep+0f, 0x1.cb720ep+0f,
    0x1.d5818ep+0f, 0x1.dfc974p+0f, 0x1.ea4afap+0f, 0x1.f50766p+0f,
};
inline constexpr float magic_32nds = 0x1.8p18f;
inline constexpr float lut_p[] = {1.0f, 0x1.0000f6p+0f, 0x1.ffff0ap-2f};
}  // namespace detail_fast

/// Whether B computes in float (the fast kernels are float-only; double uses the precise ones).
template <class B>
inline constexpr bool is_float = std::is_same_v<typename B::value_type, float>;

#if defined(__AVX512F__)
namespace detail_fast {
/// The AVX-512 exp's reduction (see the top of the file). pow2_32nds: 2^n for n = t - 1.5 2^18
/// a multiple of 1/32: the sum t's low mantissa bits are 32 n, whose low five bits the permute
/// takes as the table index (32 n mod 32); scalef takes floor(n) from n itself and gives 0
/// where n < -150, NaN for NaN. exp_lut, for y <= 0: exp(S y) = s exp(S r) with s = 2^n,
/// |S r| <= ln 2 / 64; y is clamped to -110 / S first, so that -inf gives s = 0 (n = -159)
/// rather than r = NaN (MAXPS returns its second operand, y, for NaN).
template <class A>
inline xsimd::batch<float, A> pow2_32nds(xsimd::batch<float, A> t,
                                         xsimd::batch<float, A> n) noexcept {
  const __m512 table = _mm512_permutex2var_ps(
      _mm512_load_ps(exp2_32nds), _mm512_castps_si512(t), _mm512_load_ps(exp2_32nds + 16));
  return _mm512_scalef_ps(table, n);
}
template <int S, class A>
inline void exp_lut(xsimd::batch<float, A> y, xsimd::batch<float, A>& s,
                    xsimd::batch<float, A>& r) noexcept {
  using B = xsimd::batch<float, A>;
  const B yc = xsimd::max(B(-110.0f / S), y);
  const B t = fused(yc, B(log2e * S), B(magic_32nds));
  const B n = t - B(magic_32nds);
  r = fused(n, B(-ln2 / S), yc);  // S y = n ln 2 + S r; ln 2's rounding as exp_nonpositive's
  s = pow2_32nds(t, n);
}
static_assert(lut_p[0] == 1.0f);  // exp_nonpositive takes s + s (c1 r + c2 r^2)
}  // namespace detail_fast
#endif

/// Whether B takes the AVX-512 exp (float batches of an AVX-512 architecture, multis of them).
template <class B>
inline constexpr bool lut_exp = [] {
#if defined(__AVX512F__)
  return is_float<B> && std::is_base_of_v<xsimd::avx512f, typename B::arch_type>;
#else
  return false;
#endif
}();

/// exp(z) for z <= 0 (see the top of the file): 0 for z <= -88 (-inf included), NaN for NaN.
/// Use = exp_use::value takes exp_in_range's degree-4 P instead (0.9 ULP, one FMA more) and
/// ln 2 in two parts, for a result that a large factor keeps out of the absolute floor (swish
/// with a small beta); on AVX-512 the derivative variant is the table-driven exp.
template <exp_use Use = exp_use::derivative, class B>
inline B exp_nonpositive(B z) noexcept {
  namespace k = detail_fast;
#if defined(__AVX512F__)
  if constexpr (lut_exp<B> && Use == exp_use::derivative) {
    if constexpr (detail::is_multi<B>) {
      return detail::each([](const auto& v) { return fast::exp_nonpositive<Use>(v); }, z);
    } else {
      // s + s (c1 r + c2 r^2), rounded once: the small sum is not rounded next to 1.
      B s, r;
      k::exp_lut<1>(z, s, r);
      return fused(s, r * fused(B(k::lut_p[2]), r, B(k::lut_p[1])), s);
    }
  }
#endif
  using I = detail::rebind<B, std::int32_t>;
  // -88 rounds to n = -127, whose 2^n below is built as +0: exp is then exactly 0 (the limit
  // at -inf) without a compare and a blend. MAXPS returns its second operand, z, for NaN.
  const B zc = xsimd::max(B(-88.0f), z);
  const B t = fused(zc, B(k::log2e), B(k::magic));
  const B s = xsimd::bitwise_cast<B>(xsimd::bitwise_cast<I>(t) << 23);  // 2^n; +0 for n = -127
  const B n = t - B(k::magic);
  B r, p;
  if constexpr (Use == exp_use::value) {
    r = fused(n, B(-k::ln2_lo), fused(n, B(-k::ln2_hi), zc));
    p = math::horner(r, exp_detail::fast_p);
  } else {
    // ln 2 rounded to float: n (ln 2 - that) is below 2^-24 |n|, a relative error of e that
    // stays far below the absolute floor wherever e |n| matters (e <= 2^-|n|/2).
    r = fused(n, B(-k::ln2), zc);
    p = math::horner(r, exp_detail::fast_p_derivative);
  }
  return fused(s * r, fused(p, r, B(1)), s);  // s (1 + r (1 + r P(r)))
}

/// exp(x) - 1 for x <= 0 (callers pass min(0, x)), for the elu family's fast tier. On AVX-512
/// the table-driven exp: s e^r - 1 = s q + (s - 1), q = c1 r + c2 r^2, rounded once: relative
/// accuracy for |x| < ln 2 / 64 (where s = 1 and s - 1 = 0), an absolute error of about 2^-24
/// elsewhere (s - 1 carries the table entry's rounding); -1 for x < -110 and -inf, NaN for NaN.
/// Elsewhere math::expm1_fast (the precise kernel).
template <class B>
inline B expm1_nonpositive(B x) noexcept {
#if defined(__AVX512F__)
  if constexpr (lut_exp<B>) {
    if constexpr (detail::is_multi<B>) {
      return detail::each([](const auto& v) { return fast::expm1_nonpositive(v); }, x);
    } else {
      namespace k = detail_fast;
      B s, r;
      k::exp_lut<1>(x, s, r);
      return fused(s, r * fused(B(k::lut_p[2]), r, B(k::lut_p[1])), s - B(1));
    }
  }
#endif
  return math::expm1_fast(x);
}

/// 1 + exp(S y) for y <= 0, S = 1 or 2, for the kernels that need only 1 + e (sigmoid, tanh):
/// as exp_nonpositive<exp_use::derivative>(S y), but the scale S folded into the constants and
/// into the polynomial's coefficients (S^k c_k: exact), and 1 + s q as one FMA, so that
/// neither S y nor e itself is formed. 2 for y <= -88 / S (the limit), NaN for NaN.
template <int S, class B>
inline B one_plus_exp(B y) noexcept {
  static_assert(S == 1 || S == 2);
  namespace k = detail_fast;
  using I = detail::rebind<B, std::int32_t>;
  constexpr float s2 = float(S * S), s3 = float(S * S * S);
  static constexpr float q[] = {1.0f, float(S), exp_detail::fast_p_derivative[0] * s2,
                                exp_detail::fast_p_derivative[1] * s3,
                                exp_detail::fast_p_derivative[2] * s2 * s2,
                                exp_detail::fast_p_derivative[3] * s2 * s3};
  const B yc = xsimd::max(B(-88.0f / S), y);  // as exp_nonpositive: 2^n is +0 at the clamp
  const B t = fused(yc, B(k::log2e * S), B(k::magic));
  const B s = xsimd::bitwise_cast<B>(xsimd::bitwise_cast<I>(t) << 23);
  const B n = t - B(k::magic);
  const B r = fused(n, B(-k::ln2 / S), yc);  // S y = n ln 2 + S r
  return fused(s, math::horner(r, q), B(1));
}

/// 1 / d (see the top of the file), for 1 <= d < 2^126 in the kernels here.
template <class B>
inline B reciprocal(B d) noexcept {
  if constexpr (is_float<B> && std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
    const B r = xsimd::reciprocal(d);
    return fused(r, fused_negated(d, r, B(1)), r);
  } else {
    return B(1) / d;
  }
}

#if defined(__AVX512DQ__)  // VRANGEPS
namespace detail_fast {
/// r = 1 / (1 + exp(-S x)) for every x, on AVX-512 (sigmoid_alone and tanh_exp there): no |x|
/// and no select by sign, as 1 / (1 + e) has relative accuracy on both sides. x is clamped to
/// |x| <= 88.5 / S, keeping its sign (VRANGEPS), so that e <= e^88.5 and 1 + e stay finite
/// and the Newton step never meets inf * 0; the clamp also maps NaN and +-inf to finite
/// values, which the callers put back with VFIXUPIMMPS (fixed_up). -S xc = n ln 2 - S r.
template <int S, class A>
inline xsimd::batch<float, A> logistic_lut(xsimd::batch<float, A> x) noexcept {
  using B = xsimd::batch<float, A>;
  static constexpr float q[] = {lut_p[0], -lut_p[1] * S, lut_p[2] * S * S};  // exp(-S r)
  const B xc = _mm512_range_ps(x, B(88.5f / S), 0x02);  // min(|x|, 88.5 / S), x's sign
  const B t = fused(xc, B(-log2e * S), B(magic_32nds));
  const B n = t - B(magic_32nds);
  const B r = fused(n, B(ln2 / S), xc);
  return fast::reciprocal(fused(pow2_32nds(t, n), math::horner(r, q), B(1)));
}
/// y with the lanes where x is NaN, +-0 or +-inf replaced as Table says (VFIXUPIMMPS): four
/// bits per class of x, from the lowest: quiet NaN, signalling NaN, +-0, +1, -inf, +inf; 0
/// keeps y, 1 gives x, 2 x as a quiet NaN, 8 +0, 9 -1, 10 +1.
template <int Table, class A>
inline xsimd::batch<float, A> fixed_up(xsimd::batch<float, A> y,
                                       xsimd::batch<float, A> x) noexcept {
  return _mm512_fixupimm_ps(y, x, _mm512_set1_epi32(Table), 0);
}
inline constexpr int nan_in_nan_out = 0x2 | 0x2 << 4;
inline constexpr int fixup_sigmoid = nan_in_nan_out | 0x8 << 16 | 0xA << 20;  // 0, 1 at -+inf
inline constexpr int fixup_tanh = nan_in_nan_out | 0x1 << 8 | 0x9 << 16 | 0xA << 20;  // +-0
inline constexpr int fixup_tails = nan_in_nan_out | 0x8 << 16 | 0x8 << 20;  // 0 at +-inf

/// The sigmoid and tanh of the AVX-512 path, for batches and multis of them. tanh_lut sets
/// slope = 4 r (1 - r) (0 at +-inf, where the clamped r is not exactly 0 or 1).
template <class B>
inline B sigmoid_lut(B x) noexcept {
  if constexpr (detail::is_multi<B>) {
    return detail::each([](const auto& v) { return sigmoid_lut(v); }, x);
  } else {
    return fixed_up<fixup_sigmoid>(logistic_lut<1>(x), x);
  }
}
template <class B>
inline B tanh_lut(B x, B& slope) noexcept {
  if constexpr (detail::is_multi<B>) {
    B r = detail::each([](const auto& v) { return logistic_lut<2>(v); }, x);
    slope = detail::each([](const auto& v, const auto& w) { return fixed_up<fixup_tails>(v, w); },
                         (B(4) * r) * (B(1) - r), x);
    return detail::each([](const auto& v, const auto& w) { return fixed_up<fixup_tanh>(v, w); },
                        fused(B(2), r, B(-1)), x);
  } else {
    const B r = logistic_lut<2>(x);
    slope = fixed_up<fixup_tails>((B(4) * r) * (B(1) - r), x);
    return fixed_up<fixup_tanh>(fused(B(2), r, B(-1)), x);
  }
}
template <class B>
inline B tanh_lut(B x) noexcept {
  if constexpr (detail::is_multi<B>) {
    return detail::each([](const auto& v) { return tanh_lut(v); }, x);
  } else {
    return fixed_up<fixup_tanh>(fused(B(2), logistic_lut<2>(x), B(-1)), x);
  }
}
}  // namespace detail_fast
#endif

/// sigmoid(x) from e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below (both within
/// 3 ULP, no cancellation); 0 for x < -87.34 (e is 0 there), 1 for large x. NaN gives NaN.
/// sigmoid(x) into s and 1 - sigmoid(x) into c, for the derivatives (out-parameters rather than
/// a returned struct: see exp_detail::reduce_fast on GCC 12 and structs of multis).
template <exp_use Use = exp_use::derivative, class B>
inline void logistic(B x, B& s, B& c) noexcept {
  const B e = fast::exp_nonpositive<Use>(math::minus_abs(x));
  const B r = fast::reciprocal(B(1) + e);
  const B er = e * r;
  const auto neg = x < B(0);
  s = xsimd::select(neg, er, r);
  c = xsimd::select(neg, r, er);
}
/// sigmoid(x) alone, for the sigmoid functor: r = 1 / (1 + exp(-|x|)) for x >= 0 and 1 - r
/// below (exact: r >= 1/2), whose absolute error, a few 2^-25, the floor covers since
/// sigmoid(x) < 1/2 there (not for x sigmoid(x): silu and the others use e r). 0 at -inf, 1 at
/// +inf, NaN for NaN. Sets slope = r (1 - r), sigmoid'(x), too.
template <class B>
inline B sigmoid_alone(B x, B& slope) noexcept {
#if defined(__AVX512DQ__)
  if constexpr (lut_exp<B>) {
    const B y = detail_fast::sigmoid_lut(x);
    slope = y * (B(1) - y);
    return y;
  }
#endif
  const B r = fast::reciprocal(fast::one_plus_exp<1>(math::minus_abs(x)));
  const B c = B(1) - r;
  slope = r * c;
  return xsimd::select(x < B(0), c, r);
}
template <class B>
inline B sigmoid_alone(B x) noexcept {
#if defined(__AVX512DQ__)
  if constexpr (lut_exp<B>) return detail_fast::sigmoid_lut(x);
#endif
  const B r = fast::reciprocal(fast::one_plus_exp<1>(math::minus_abs(x)));
  return xsimd::select(x < B(0), B(1) - r, r);
}
/// sigmoid(x) with relative accuracy on both sides, for x sigmoid(x) (silu, swish, gelu_tanh).
template <class B>
inline B sigmoid(B x) noexcept {
  const B e = fast::exp_nonpositive(math::minus_abs(x));
  const B r = fast::reciprocal(B(1) + e);
  return xsimd::select(x < B(0), e * r, r);
}

/// tanh(x) = 2 r - 1, r = 1 / (1 + e), e = exp(-2|x|), the sign of x put back (see the top of
/// the file). Odd: +-0 give +-0 (e = 1, d = 2 and r = 1/2 exactly); +-1 at +-inf; NaN gives
/// NaN. Sets slope = 4 r (1 - r) = tanh'(x) too.
template <class B>
inline B tanh_exp(B x, B& slope) noexcept {
#if defined(__AVX512DQ__)
  if constexpr (lut_exp<B>) return detail_fast::tanh_lut(x, slope);
#endif
  const B r = fast::reciprocal(fast::one_plus_exp<2>(math::minus_abs(x)));
  slope = (B(4) * r) * (B(1) - r);
  return xsimd::bitwise_or(fused(B(2), r, B(-1)), xsimd::bitwise_and(x, B(-0.0f)));
}
template <class B>
inline B tanh_exp(B x) noexcept {
#if defined(__AVX512DQ__)
  if constexpr (lut_exp<B>) return detail_fast::tanh_lut(x);
#endif
  const B r = fast::reciprocal(fast::one_plus_exp<2>(math::minus_abs(x)));
  return xsimd::bitwise_or(fused(B(2), r, B(-1)), xsimd::bitwise_and(x, B(-0.0f)));
}

namespace detail_fast {
inline constexpr float mills_p[] = {0x1.fffffep-2f, 0x1.534816p-2f, 0x1.a4f876p-4f,
                                    0x1.b2aa62p-7f};
inline constexpr float mills_q[] = {1.0f, 0x1.75e606p+0f, 0x1.bde99cp-1f, 0x1.072d92p-2f,
                                    0x1.10948ep-5f};
inline constexpr float mills_clamp = 5.5f;
}  // namespace detail_fast

/// c = Phi(-|x|) and e = exp(-x^2 / 2) (see the top of the file): c within 4 ULP, both 0 for
/// |x| > 13.2 (+-inf included), NaN for NaN.
template <class B>
inline void normal_tail(B x, B& c, B& e) noexcept {
  namespace k = detail_fast;
  const B a = xsimd::abs(x);
  e = fast::exp_nonpositive(B(-0.5f) * (a * a));
  const B ac = xsimd::min(B(k::mills_clamp), a);
  c = e * (math::horner(ac, k::mills_p) * fast::reciprocal(math::horner(ac, k::mills_q)));
}

}  // namespace actfn::math::fast
