// SPDX-License-Identifier: MIT
// Fused multiply-add over xsimd batches of float or double, and the exact rounding error of a
// product built on it: what kernels need to carry a rounded argument's error along.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "actfn/core/config.hpp"

namespace actfn::math {

/// Whether architecture A has a fused multiply-add instruction (AArch64's NEON: FMLA, FMLS,
/// for float and double).
template <class A>
inline constexpr bool has_fma = std::is_base_of_v<xsimd::avx512f, A> ||
                                std::is_base_of_v<xsimd::fma3<xsimd::avx2>, A> ||
                                std::is_base_of_v<xsimd::fma3<xsimd::avx>, A> ||
                                std::is_base_of_v<xsimd::fma3<xsimd::sse4_2>, A> ||
                                std::is_base_of_v<xsimd::neon64, A>;

namespace fma_detail {
enum class form { add, sub, negated };  // a b + c, a b - c, c - a b
/// One multiply-add of the given form, rounded once where the architecture has FMA, else a
/// multiply and an add. xsimd 8.1's fma, fms and fnma are fused on the fma3 architectures, but
/// on AVX-512 they are a multiply and an add (fnma also a negation), so the intrinsics are used
/// there. On NEON (neon64) xsimd 8.1 fuses fma and fms but not fnma (a multiply, a negation and
/// an add, fused only if the compiler contracts them): the intrinsics again, FMLA and FMLS.
template <form F, class B>
inline B multiply_add(B a, B b, B c) noexcept {
  using T = typename B::value_type;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
#if defined(__aarch64__) && defined(__ARM_NEON)
  if constexpr (std::is_base_of_v<xsimd::neon64, typename B::arch_type>) {
    if constexpr (std::is_same_v<T, float>) {
      if constexpr (F == form::add) return vfmaq_f32(c, a, b);
      if constexpr (F == form::sub) return vfmaq_f32(vnegq_f32(c), a, b);
      if constexpr (F == form::negated) return vfmsq_f32(c, a, b);
    } else {
      if constexpr (F == form::add) return vfmaq_f64(c, a, b);
      if constexpr (F == form::sub) return vfmaq_f64(vnegq_f64(c), a, b);
      if constexpr (F == form::negated) return vfmsq_f64(c, a, b);
    }
  }
#endif
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
    if constexpr (std::is_same_v<T, float>) {
      if constexpr (F == form::add) return _mm512_fmadd_ps(a, b, c);
      if constexpr (F == form::sub) return _mm512_fmsub_ps(a, b, c);
      if constexpr (F == form::negated) return _mm512_fnmadd_ps(a, b, c);
    } else {
      if constexpr (F == form::add) return _mm512_fmadd_pd(a, b, c);
      if constexpr (F == form::sub) return _mm512_fmsub_pd(a, b, c);
      if constexpr (F == form::negated) return _mm512_fnmadd_pd(a, b, c);
    }
  }
#endif
  constexpr bool fma = has_fma<typename B::arch_type>;
  if constexpr (F == form::add) return xsimd::fma(a, b, c);
  if constexpr (F == form::sub) return fma ? xsimd::fms(a, b, c) : a * b - c;
  if constexpr (F == form::negated) return fma ? xsimd::fnma(a, b, c) : c - a * b;
}
template <form F, class B, std::size_t N>
inline detail::multi<B, N> multiply_add(const detail::multi<B, N>& a, const detail::multi<B, N>& b,
                                        const detail::multi<B, N>& c) noexcept {
  return detail::each([](auto... p) { return multiply_add<F>(p...); }, a, b, c);
}
}  // namespace fma_detail

/// a * b + c, rounded once where the architecture has FMA (has_fma), else a multiply and an
/// add.
template <class B>
inline B fused(B a, B b, B c) noexcept {
  return fma_detail::multiply_add<fma_detail::form::add>(a, b, c);
}

/// a * b - c and c - a * b, likewise: as fused(a, b, -c) and fused(-a, b, c), without the
/// negation (xsimd 8.1's unary minus on AVX and AVX-512 is 0 - v, an arithmetic operation of
/// its own, where these are one instruction).
template <class B>
inline B fused_sub(B a, B b, B c) noexcept {
  return fma_detail::multiply_add<fma_detail::form::sub>(a, b, c);
}
template <class B>
inline B fused_negated(B a, B b, B c) noexcept {
  return fma_detail::multiply_add<fma_detail::form::negated>(a, b, c);
}

/// -v and -|v| by the sign bit alone: logic operations, which run on more ports than
/// arithmetic (xsimd 8.1's unary minus on AVX and AVX-512 is 0 - v, which also gives +0 for
/// -(+0)). NaN stays NaN.
template <class B>
inline B negated(B v) noexcept {
  return xsimd::bitwise_xor(v, B(-0.0));
}
template <class B>
inline B minus_abs(B v) noexcept {
  return xsimd::bitwise_or(v, B(-0.0));
}

/// c[0] + v (c[1] + v (c[2] + ...)) by Horner's rule, one fused multiply-add per step, the
/// coefficients (float or double) from the constant term up, converted to B's element type.
template <class B, class C, std::size_t N>
inline B horner(B v, const C (&c)[N]) noexcept {
  using T = typename B::value_type;
  B r(static_cast<T>(c[N - 1]));
  for (std::size_t i = N - 1; i-- > 0;) r = fused(r, v, B(static_cast<T>(c[i])));
  return r;
}

/// v, hidden from the optimiser: a product that is passed through here is rounded on its own.
/// GCC contracts a * b + c into an FMA by default (-ffp-contract=fast, whatever -std says),
/// intrinsics included, which would break an error-free transformation that needs fl(a * b)
/// and then fl(fl(a * b) + c). An empty asm statement costs no instruction.
template <class B>
inline B rounded(B v) noexcept {
#if defined(__GNUC__) && defined(__aarch64__)
  typename B::register_type r = v;
  __asm__("" : "+w"(r));  // "w": an AArch64 SIMD and floating-point register
  return r;
#elif defined(__GNUC__)
  typename B::register_type r = v;
  __asm__("" : "+x"(r));
  return r;
#else
  return v;
#endif
}
template <class B, std::size_t N>
inline detail::multi<B, N> rounded(const detail::multi<B, N>& v) noexcept {
  return detail::each([](auto p) { return rounded(p); }, v);
}

/// a * b - p exactly, for p = a * b rounded to nearest (the rounding error of a product), as
/// long as a * b neither overflows nor comes near the subnormal range. With FMA one
/// instruction; without it Dekker's product from Veltkamp's split into halves of 12 (float)
/// or 26 (double) significant bits, whose partial products are exact.
template <class B>
inline B product_error(B a, B b, B p) noexcept {
  using T = typename B::value_type;
  if constexpr (has_fma<typename B::arch_type>) {
    return fused_sub(a, b, p);
  } else {
    const B splitter(std::is_same_v<T, float> ? T(4097) : T(134217729));  // 2^12 + 1, 2^27 + 1
    const auto split = [&](B v, B& hi, B& lo) {
      const B t = rounded(splitter * v);  // even where the compiler could contract
      hi = t - (t - v);
      lo = v - hi;
    };
    B ah, al, bh, bl;
    split(a, ah, al);
    split(b, bh, bl);
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  }
}

/// a + b - s exactly, for s = a + b rounded to nearest and |a| >= |b| (the rounding error of a
/// sum: Dekker's Fast2Sum, two subtractions, both exact).
template <class B>
inline B sum_error(B a, B b, B s) noexcept {
  return b - (s - a);
}

/// num - q * d exactly, for q = num / d rounded to nearest (the remainder of a division, which
/// is representable): one FMA, or the exact product error without one.
template <class B>
inline B division_remainder(B num, B d, B q) noexcept {
  if constexpr (has_fma<typename B::arch_type>) {
    return fused_negated(q, d, num);
  } else {
    const B p = rounded(q * d);
    return (num - p) - product_error(q, d, p);  // num - p is exact (Sterbenz)
  }
}

/// num / d from inv = 1 / d rounded to nearest, for a divisor shared by many quotients (inv
/// computed once): with FMA the product num inv corrected by its remainder, num inv + (num -
/// q d) inv, one multiply and two FMAs in place of a division, and the same result, num / d
/// rounded to nearest (Markstein's theorem: inv within half an ULP of 1 / d, num inv within
/// an ULP of num / d), for finite num (-0 gives +0) while no step underflows or overflows.
/// Without FMA the division.
template <class B>
inline B divide_by(B num, B d, B inv) noexcept {
  if constexpr (has_fma<typename B::arch_type>) {
    const B q = num * inv;
    return fused(division_remainder(num, d, q), inv, q);
  } else {
    return num / d;
  }
}

/// A parameter (a double) in the element type T as hi + lo: hi = T(p), lo = T(p - hi), so
/// that hi + lo carries p to about 2^-48 (float) relative. lo = 0 where p is representable.
template <class B>
struct parameter {
  B hi, lo;
  bool exact;  // lo == 0: the parameter is representable in T
  explicit parameter(double p, double p_lo = 0) noexcept {
    using T = typename B::value_type;
    const T h = static_cast<T>(p), l = static_cast<T>((p - static_cast<double>(h)) + p_lo);
    hi = B(h);
    lo = B(l);
    exact = l == 0;
  }
  /// 1 / a as hi + lo: the double quotient and its remainder's share (exact by fma), so that
  /// hi + lo is 1 / a to far more than double precision.
  static parameter reciprocal(double a) noexcept {
    const double q = 1 / a;
    return parameter(q, std::fma(-q, a, 1.0) / a);
  }
};

/// The rounding error of z = x * p.hi plus x * p.lo: x * (hi + lo) = z + the result, to first
/// order, for a product rounded to z. 0 where it is not a small correction (z or x infinite
/// or NaN, or p = 0), so that callers may add it unconditionally.
template <class B>
inline B product_correction(B x, const parameter<B>& p, B z) noexcept {
  const B dz = fused(x, p.lo, product_error(x, p.hi, z));
  return xsimd::select(xsimd::abs(dz) < xsimd::abs(z), dz, B(0));  // false for NaN and inf
}

/// 1 / d to a relative error below 2^-14, for a normal d whose reciprocal is normal: float on
/// AVX-512 the hardware's estimate (xsimd::reciprocal, VRCP14PS); elsewhere the rounded
/// quotient 1 / d. For kernels that correct a quotient num * reciprocal_estimate(d) from its
/// remainder (division_remainder), where a correctly rounded division would be wasted: on
/// AVX-512 a division costs several times the estimate. (On AVX2 the estimate has 12 bits and
/// needs a Newton step, two FMAs, and then measured slower than the division.)
template <class B>
inline B reciprocal_estimate(B d) noexcept {
  if constexpr (std::is_same_v<typename B::value_type, float> &&
                std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
    return xsimd::reciprocal(d);
  } else {
    return B(1) / d;
  }
}

}  // namespace actfn::math
