// SPDX-License-Identifier: MIT
// exp(x) for xsimd batches of float or double, one generic body for every x86 architecture
// xsimd 8.1 has (sse2 .. avx512bw): accurate enough that float results are within 0.55 ULP, so
// the activations built on it (sigmoid, silu, softplus ...) can meet 2-ULP targets that xsimd
// 8.1's own exp (up to 1.6 ULP in float) keeps them from.
//
// Method: exp(x) = 2^n exp(r), n = round(x log2 e), r = x - n ln 2 in [-0.3466, 0.3466].
// - n: x log2 e + 1.5 * 2^p (p = 23 / 52) rounds to an integer kept in the low bits; the same
//   sum gives n as a float (subtracting the constant again) and, shifted left by p, the n << p
//   that scales the result (the constant's own bits shift out).
// - r (Cody-Waite): ln 2 = ln2_hi + ln2_lo with ln2_hi of 16 (float) / 42 (double) bits, so
//   n ln2_hi is exact for every n that matters; x - n ln2_hi is then exact too (a multiple of
//   min(ulp(x), ulp(ln2_hi)) below 2^-1 in size). r = that - n ln2_lo is rounded, and its
//   rounding error rl is carried along (exact with FMA, to 2^-24 of itself without).
// - exp(r + rl) = t1 + e1 + r^2/2 + r^3 Q(r) + rl exp(r), with 1 + r = t1 + e1 exactly
//   (Fast2Sum); r^2/2 enters inside an FMA as r * (r/2), i.e. unrounded; the rest are small. So
//   the last addition t1 + lo is the only rounding of size (0.5 ULP) and lo's own (up to 2^-5
//   ULP) the next. rl exp(r) is taken as rl (1 + r + r^2/2).
// - Q: degree 4 (float) / 8 (double), exp(r) = 1 + r + r^2/2 + r^3 Q(r) with relative error
//   below 2^-33.2 / 2^-57.3 on |r| <= 0.3466 (ln(2)/2 plus the slack of rounding x log2 e).
//   Fitted for actfn: Lawson's iteration (iteratively reweighted least squares, converging to
//   the minimax fit) for the relative error of exp on a 300-point Chebyshev grid, in 60-digit
//   Python decimal arithmetic; coefficients rounded to float / double one at a time, lowest
//   order first, the rest refitted after each.
// - 2^n: added to the exponent field of m = t1 + lo in [0.7, 1.42] as an integer, which is
//   right wherever the result is a normal number, n = 128 / 1024 included (m < 1 there).
//   Outside [lowest, highest] the result is chosen instead: 0 below `lowest` (the first x whose
//   exp is at least the smallest normal number; results below it are flushed to 0, the
//   project's convention), +inf above `highest` (the last x whose exp rounds to a finite
//   number), NaN for NaN (x + inf). That costs five operations, skipped when every lane has
//   |x| < 87.3 (one test and a branch).
//
// Bounds (ULP of the result type; measured errors: docs/accuracy.md): float 0.55 with FMA,
// 0.60 without (where r^2/2 and rl are rounded once more); double 0.65. tests/test_math_exp.cpp
// checks them with a strided sweep and the edges.
// On the FMA architectures the float kernel does more work than xsimd's (14 multiply-class
// operations against its 9): carrying rl and e1 and keeping r^2/2 unrounded is what keeps it
// within 0.55 ULP instead of 1.6.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <type_traits>

#include "actfn/core/config.hpp"
#include "actfn/math/fma.hpp"

namespace actfn::math {
namespace exp_detail {

/// Per element type: the rounding constant 1.5 * 2^p, log2 e, ln 2 split (see the top of the
/// file), the input range where the result is normal ([lowest, highest], computed in 60-digit
/// arithmetic: the first x with exp(x) >= the smallest normal number, the last with exp(x)
/// below the largest finite number plus half an ULP), a symmetric range inside it that needs
/// no special-case selects, and Q's coefficients from the constant term up.
template <class T>
struct constants;

template <>
struct constants<float> {
  using int_type = std::int32_t;
  static constexpr int mantissa_bits = 23;
  static constexpr float magic = 0x1.8p23f;
  static constexpr float log2e = 0x1.715476p+0f;
  static constexpr float ln2_hi = 0x1.62e4p-1f;
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;
  static constexpr float lowest = -0x1.5d589ep+6f;   // -87.3365402
  static constexpr float highest = 0x1.62e42ep+6f;   // 88.7228317
  static constexpr float plain = 87.3f;
  static constexpr float q[] = {0x1.555554p-3f, 0x1.5554e8p-5f, 0x1.11130ep-7f, 0x1.6d4cbcp-10f,
                                0x1.9dfbaep-13f};
};

template <>
struct constants<double> {
  using int_type = std::int64_t;
  static constexpr int mantissa_bits = 52;
  static constexpr double magic = 0x1.8p52;
  static constexpr double log2e = 0x1.71547652b82fep+0;
  static constexpr double ln2_hi = 0x1.62e42fefa3800p-1;
  static constexpr double ln2_lo = 0x1.ef35793c76730p-45;
  static constexpr double lowest = -0x1.6232bdd7abcd2p+9;  // -708.396418532264
  static constexpr double highest = 0x1.62e42fefa39efp+9;  // 709.782712893384
  static constexpr double plain = 708.3;
  static constexpr double q[] = {
      0x1.5555555555501p-3, 0x1.5555555553207p-5, 0x1.111111112896ap-7,
      0x1.6c16c17cc307ep-10, 0x1.a01a011bd7b70p-13, 0x1.a019ab2df7628p-16,
      0x1.71df55e16a327p-19, 0x1.289f89debf533p-22, 0x1.ad1f21f6bdbfap-26,
  };
};

}  // namespace exp_detail

/// The smallest x whose exp is a normal number (-87.34 for float, -708.40 for double); below
/// it exp returns 0, and the activations switch to their deep-tail forms (exp(x / 2) squared).
template <class T>
inline constexpr T exp_normal_min = exp_detail::constants<T>::lowest;

namespace exp_detail {

/// exp(x) = m 2^n, m = hi + lo in [0.7, 1.42] (hi = 1 + r rounded; see the top of the
/// file); t holds n + magic, n in its low bits. Valid for |x log2 e| < 2^(p-1); special values
/// are the callers' business.
template <class B>
struct reduced {
  B hi, lo, t;
  B m() const noexcept { return hi + lo; }
};
/// Q(r), with exp(r) = 1 + r + r^2/2 + r^3 Q(r) on |r| <= 0.3466.
template <class B>
inline B poly_q(B r) noexcept {
  using K = constants<typename B::value_type>;
  constexpr std::size_t N = std::size(K::q);
  B q(K::q[N - 1]);
  for (std::size_t i = N - 1; i-- > 0;) q = fused(q, r, B(K::q[i]));
  return q;
}

template <class B>
inline reduced<B> reduce(B x) noexcept {
  using K = constants<typename B::value_type>;
  const B magic(K::magic);
  const B t = fused(x, B(K::log2e), magic);  // n + magic, for |x log2 e| < 2^(p-1)
  const B n = t - magic;
  const B rh = fused(n, B(-K::ln2_hi), x);         // exact
  const B r = fused(n, B(-K::ln2_lo), rh);         // x - n ln 2, rounded
  const B rl = fused(n, B(-K::ln2_lo), rh - r);    // ... and its rounding error (rh - r exact)
  const B one(1);
  const B t1 = one + r;
  const B e1 = sum_error(one, r, t1);  // 1 + r = t1 + e1 exactly (|r| < 1)
  const B q = poly_q(r);
  // lo = r^2/2 + r^3 Q(r) + e1 + rl (1 + r + r^2/2); r * hr is exact inside the FMA.
  const B hr = r * B(0.5);
  const B lo = fused(r, hr, fused(r * r, r * q, fused(rl, fused(r, hr, t1), e1)));
  return {t1, lo, t};
}

/// v 2^k for the k in the low bits of t = k + magic, by adding k to v's exponent field: right
/// when v 2^k is a normal number (and v is one).
template <class B>
inline B scale(B v, B t) noexcept {
  using K = constants<typename B::value_type>;
  using I = detail::rebind<B, typename K::int_type>;
  const I k = xsimd::bitwise_cast<I>(t) << K::mantissa_bits;  // k << p
  return xsimd::bitwise_cast<B>(xsimd::bitwise_cast<I>(v) + k);
}

}  // namespace exp_detail

/// exp(x) for B = xsimd::batch<float | double, A>; see the top of the file. Results below the
/// smallest normal number are 0; exp(-inf) = +0, exp(+inf) = +inf, NaN gives NaN.
template <class B>
inline B exp(B x) noexcept {
  using T = typename B::value_type;
  using K = exp_detail::constants<T>;
  const exp_detail::reduced<B> e = exp_detail::reduce(x);
  B y = exp_detail::scale(e.m(), e.t);
  if (xsimd::all(xsimd::abs(x) < B(K::plain))) return y;  // false for NaN
  y = xsimd::select(x < B(K::lowest), B(0), y);
  return xsimd::select(x <= B(K::highest), y, x + B(std::numeric_limits<T>::infinity()));
}

namespace exp_detail {

/// The float polynomial of exp_in_range and expm1_in_range: exp(r) = 1 + r + r^2 P(r), P of
/// degree 4 (c2 .. c6), relative error of exp below 2^-28.2 on |r| <= 0.3466. Fitted for actfn
/// as Q above (Lawson's iteration on the relative error, coefficients rounded to float one at
/// a time).
inline constexpr float fast_p[] = {0x1.fffffcp-2f, 0x1.555492p-3f, 0x1.5558aap-5f,
                                   0x1.12396cp-7f, 0x1.6a5232p-10f};
/// The same of degree 3, for exp_in_range<exp_use::derivative>: relative error of exp below
/// 2^-23.1 on |r| <= 0.3466 (fitted likewise).
inline constexpr float fast_p_derivative[] = {0x1.fffdfcp-2f, 0x1.5557acp-3f, 0x1.572a12p-5f,
                                              0x1.1063e2p-7f};

/// x = n ln 2 + r for the in-range kernels: returns r rounded (ln 2 in two parts, no error
/// carried) and sets t = n + magic as in reduce; and P(r). (t is an out-parameter, not a
/// member of a returned struct: GCC 12 copied such a struct of multis of AVX2 batches,
/// multi.hpp, through 64-bit integer moves.)
template <class B>
inline B reduce_fast(B x, B& t) noexcept {
  using K = constants<float>;
  const B magic(K::magic);
  t = fused(x, B(K::log2e), magic);
  const B n = t - magic;
  return fused(n, B(-K::ln2_lo), fused(n, B(-K::ln2_hi), x));
}
template <class B>
inline B poly_p(B r) noexcept {
  return horner(r, fast_p);
}

}  // namespace exp_detail

/// What an exp_in_range or exp_fast result is for, which sets its accuracy in float with FMA:
/// an activation's value (0.89 ULP), or a derivative, whose target is 8 ULP (2.18 ULP, one
/// multiply-add fewer). The derivatives of sigmoid, log_sigmoid, tanh, softplus, elu, selu,
/// celu, swish, silu and gelu use the latter, each within its bound (docs/accuracy.md gives the
/// measured errors). Double, and float without FMA, ignore it.
enum class exp_use { value, derivative };

namespace exp_detail {

/// exp(r) for the reduced argument r of reduce_fast: 1 + r (1 + r P(r)) by Horner's rule, P
/// of fast_p (Use = value) or fast_p_derivative.
template <exp_use Use, class B>
inline B fast_kernel(B r) noexcept {
  const B one(1);
  const B p = Use == exp_use::value ? poly_p(r) : horner(r, fast_p_derivative);
  return fused(fused(p, r, one), r, one);
}

}  // namespace exp_detail

/// exp(x) for |x| < 87.3 (float) / 708.3 (double) only: no range checks and no special values,
/// so other x give meaningless results. For the activations, which test the range once per
/// batch (exp_fast) and would otherwise pay for exp's checks and its error-carrying in every
/// lane. Float with FMA: reduce_fast and 1 + r (1 + r P(r)) by Horner's rule, eight
/// multiply-adds against exp's fourteen: 0.89 ULP over all floats in range against 0.544; for
/// exp_use::derivative P of degree 3 (fast_p_derivative), seven multiply-adds and 2.18 ULP.
/// Double, and float without FMA (SSE2, where each step would round twice: silu and elu' would
/// leave their bounds): exp's own kernel.
template <exp_use Use = exp_use::value, class B>
inline B exp_in_range(B x) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, float> && has_fma<typename B::arch_type>) {
    B t;
    const B r = exp_detail::reduce_fast(x, t);
    return exp_detail::scale(exp_detail::fast_kernel<Use>(r), t);
  } else {
    const exp_detail::reduced<B> e = exp_detail::reduce(x);
    return exp_detail::scale(e.m(), e.t);
  }
}

/// exp(x + lo) for |x| < 87.3 (float) / 708.3 (double) and |lo| at most an ULP of x: x a
/// rounded sum or difference, lo its rounding error (Knuth's two-sum), so that the error of the
/// result does not grow with |x|. Float with FMA: lo joins the reduced argument (r + lo, one
/// addition). Elsewhere exp_in_range(x) (1 + lo), one FMA.
template <class B>
inline B exp_in_range(B x, B lo) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, float> && has_fma<typename B::arch_type>) {
    B t;
    const B r = exp_detail::reduce_fast(x, t) + lo;
    return exp_detail::scale(exp_detail::fast_kernel<exp_use::value>(r), t);
  } else {
    const B e = exp_in_range(x);
    return fused(e, lo, e);
  }
}

/// 87.3 (float) / 708.3 (double): exp_in_range is valid for |x| below it.
template <class T>
inline constexpr T exp_plain = exp_detail::constants<T>::plain;

/// Lane by lane, whether |x| < 87.3 (float) / 708.3 (double): the range of exp_in_range, and
/// of expm1_in_range for x <= 0. False for NaN.
template <class B>
inline auto in_plain_range(B x) noexcept {
  return xsimd::abs(x) < B(exp_detail::constants<typename B::value_type>::plain);
}

/// fast where every lane of `plain` is set (one test and a branch per batch); otherwise fast's
/// lanes where plain is set and edge()'s in the others, so a lane's result never depends on
/// its neighbours. edge() runs only for the batches that need it: the way the activations
/// keep their special values and far tails off the common path.
///
/// edge() is called out of line, as a cold function, so that its body (often a full
/// xsimd::exp or log1p) stays out of the hot loop.
template <class Edge>
[[gnu::noinline, gnu::cold]] auto cold_call(Edge& edge) {
  return edge();
}
template <class B, class M, class Edge>
inline B plain_or(const M& plain, B fast, Edge&& edge) {
  if (xsimd::all(plain)) [[likely]] return fast;
  return xsimd::select(plain, fast, cold_call(edge));
}

/// exp(x): exp_in_range's result where |x| < 87.3 / 708.3, exp's (the same bits) elsewhere,
/// special values included. One test per batch picks the cheap path when every lane is in
/// range; a lane's result does not depend on its neighbours.
template <exp_use Use = exp_use::value, class B>
inline B exp_fast(B x) noexcept {
  return plain_or(in_plain_range(x), exp_in_range<Use>(x), [&] { return math::exp(x); });
}

/// a exp(x) for x <= 0, rounded once (a m, then exact scalings by powers of two) and so
/// accurate to exp's own error wherever the product is a normal number, also where exp(x)
/// alone is not: silu(-90) = -90 exp(-90), a normal float, though exp(-90) is subnormal.
/// Products below the smallest normal number are rounded to a subnormal or 0. NaN propagates
/// (in x or a); x = -inf gives 0 times a's sign (NaN for infinite a). For x > 0 the caller
/// must keep a exp(x) finite.
template <class B>
inline B exp_times(B a, B x) noexcept {
  using T = typename B::value_type;
  using K = exp_detail::constants<T>;
  // Below 2 lowest the product is 0 for any |a| up to 2^(emax - 1) / ...: clamp there, so n
  // stays within the range the two scalings below can represent.
  const B floor(2 * K::lowest);
  const B xc = xsimd::select(x < floor, floor, x);
  const exp_detail::reduced<B> e = exp_detail::reduce(xc);
  // n = n1 + n2 with n1 = n / 2 (rounded towards -inf), both within the normal exponents, so
  // 2^n1 and 2^n2 are normal numbers and each scaling rounds only if the result is subnormal.
  const B magic(K::magic);
  const B n = e.t - magic;
  const B n1 = xsimd::floor(n * B(0.5));
  const B two_n1 = exp_detail::scale(B(1), n1 + magic);
  const B two_n2 = exp_detail::scale(B(1), (n - n1) + magic);
  const B y = ((a * e.m()) * two_n1) * two_n2;
  const B zero_at_floor = xsimd::select(x < floor, a * B(0), y);
  return xsimd::select(xsimd::isnan(x), x, zero_at_floor);
}

/// a exp(z + dz) for a correction dz of z (its rounding error, |dz| << 1 wherever exp(z) is not
/// 0): exp_times(a (1 + dz), z), dz dropped below twice exp's normal range, where the result
/// is 0 whatever it is (and 1 + dz might be huge for a huge |z|).
template <class B>
inline B exp_times(B a, B z, B dz) noexcept {
  using K = exp_detail::constants<typename B::value_type>;
  const B dzc = xsimd::select(z < B(2 * K::lowest), B(0), dz);
  return exp_times(fused(a, dzc, a), z);
}

/// dy * d for a derivative d = f'(x): the product where every lane's |d| is a normal number (one
/// test per batch), and tail() in the other lanes: there d was flushed or rounded to few
/// significant bits, while dy d can still be a normal number, so tail() computes the product
/// without rounding d first (typically exp_times(dy * a, q) for f'(x) ~ a exp(q) far out).
/// tail() gets NaN lanes too, and must give NaN there.
template <class B, class Tail>
inline B backward_tail(B dy, B d, Tail&& tail) {
  using T = typename B::value_type;
  return plain_or(xsimd::abs(d) >= B(std::numeric_limits<T>::min()), dy * d, tail);
}
/// backward_tail where tail()'s formula holds only in the lanes of `far` (a far tail of x):
/// elsewhere dy * d, also where |d| is below the normal range (a zero crossing of f', say) or
/// above it (infinite).
template <class B, class M, class Tail>
inline B backward_tail(B dy, B d, M far, Tail&& tail) {
  using T = typename B::value_type;
  const B a = xsimd::abs(d);
  const auto normal = a >= B(std::numeric_limits<T>::min()) && a <= B(std::numeric_limits<T>::max());
  return plain_or(normal || !far, dy * d, tail);
}

/// exp(x) - 1 from the same reduction: 2^n (hi + lo) - 1 = (2^n hi - 1) + 2^n lo, with
/// 2^n hi exact and 2^n hi - 1 split exactly into s + err (two-sum), so the result is rounded
/// once, from s + (err + 2^n lo): nothing cancels and exp's accuracy carries over. For
/// |x| < ln(2)/2 (n = 0) directly x + (x^2/2 + x^3 Q(x)), so that tiny x do not go through
/// 1 + x and back. Beyond x = 20
/// (float) / 40 (double) the result is exp(x) (the - 1 is below half an ULP), below -20 / -40 it
/// is -1 (exactly, after rounding). expm1(+-0) = +-0, expm1(-inf) = -1, NaN gives NaN.
template <class B>
inline B expm1(B x) noexcept {
  using T = typename B::value_type;
  const B far(sizeof(T) == 4 ? T(20) : T(40));
  const B xc = xsimd::min(xsimd::max(x, -far), far);
  const exp_detail::reduced<B> e = exp_detail::reduce(xc);
  const B two_n = exp_detail::scale(B(1), e.t);
  const B p = two_n * e.hi;  // exact
  const B s = p - B(1);
  const B s_back = s - p;
  const B err = (p - (s - s_back)) + (B(-1) - s_back);  // p - 1 = s + err exactly
  const B y = s + fused(two_n, e.lo, err);
  const B x_half = x * B(0.5);
  const B near_zero = x + fused(x, x_half, (x * x) * (x * exp_detail::poly_q(x)));
  const B body = xsimd::select(xsimd::abs(x) < B(0.34), near_zero, y);
  const B large = xsimd::select(x > far, math::exp(x), body);
  return xsimd::select(x == B(0) || xsimd::isnan(x), x, large);
}

/// exp(x) - 1 for -87.3 < x <= 0 (float) / -708.3 < x <= 0 (double) only, no special values
/// (see exp_in_range). Float: 2^n (1 + s) - 1 = 2^n s + (2^n - 1) rounded once (one FMA;
/// 2^n - 1 is exact for n >= -24, and below that it is -1 rounded, as is the result), with
/// s = exp(r) - 1 = r + r^2 P(r): 0.94 ULP over all floats in range, no cancellation for
/// x <= 0. Above 0 the sum cancels (1.6 ULP at x = 0.4): callers pass min(0, x). Double, and
/// float without FMA (as exp_in_range): expm1's own kernel.
template <class B>
inline B expm1_in_range(B x) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, float> && has_fma<typename B::arch_type>) {
    B t;
    const B r = exp_detail::reduce_fast(x, t);
    const B s = fused(r * r, exp_detail::poly_p(r), r);
    const B two_n = exp_detail::scale(B(1), t);
    return fused(two_n, s, two_n - B(1));
  } else {
    return math::expm1(x);
  }
}

/// exp(x) - 1 for x <= 0: expm1_in_range's result where -87.3 < x (float) / -708.3 < x (double),
/// expm1's elsewhere (x <= 0 assumed; -inf and NaN included). One test per batch, as exp_fast.
template <class B>
inline B expm1_fast(B x) noexcept {
  using K = exp_detail::constants<typename B::value_type>;
  const auto in_range = x > B(-K::plain);  // false for NaN
  return plain_or(in_range, expm1_in_range(x), [&] { return math::expm1(x); });
}

}  // namespace actfn::math
