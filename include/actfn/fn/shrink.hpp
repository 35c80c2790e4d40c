// SPDX-License-Identifier: MIT
// The shrink functions: hardshrink, softshrink, tanhshrink.
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/lanes.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// hardshrink(x) = x for |x| > lambd, else 0.             torch.nn.Hardshrink(lambd=0.5)
/// f'(x) = 1 for |x| > lambd, else 0 (0 at the kinks). derivative_from_output(y) = [y != 0].
/// Requires lambd >= 0. Odd: inside the dead zone the result is a zero with x's sign.
/// |x| > lambd is decided exactly against the double lambd, also where it is not representable
/// in the element type T: l = T(lambd) rounded to nearest has no T strictly between it and
/// lambd, so |x| > lambd is |x| > l where l <= lambd and |x| >= l where l rounded upwards.
struct hardshrink : unary<hardshrink> {
  static constexpr std::string_view name = "hardshrink";
  static constexpr accuracy bound{0, 0, 0, 0};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double lambd = 0.5;

  hardshrink() = default;
  explicit hardshrink(double lambd_) : lambd(lambd_) {
    detail::require(lambd >= 0, name, "lambd", lambd, ">= 0");
  }

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    const T l = static_cast<T>(lambd);
    x = detail::in_register(x);
    if (l > lambd) return xsimd::select(xsimd::abs(x) < B(l), x * B(0), x);
    return xsimd::select(xsimd::abs(x) <= B(l), x * B(0), x);
  }
  template <class B> B eval_derivative(B x) const noexcept { return outside(x, lambd); }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return nonzero(y); }

  // Shared with softshrink, whose derivative is the same.
  template <class B> static B outside(B x, double lambd) noexcept {
    using T = typename B::value_type;
    const T l = static_cast<T>(lambd);
    x = detail::in_register(x);
    if (l > lambd) return detail::keep_nan(x, B(xsimd::abs(x) >= B(l)));
    return detail::keep_nan(x, B(xsimd::abs(x) > B(l)));  // B(mask): 1 or 0
  }
  template <class B> static B nonzero(B y) noexcept {
    y = detail::in_register(y);
    return detail::keep_nan(y, B(y != B(0)));
  }
};

/// softshrink(x) = x - lambd for x > lambd, x + lambd for x < -lambd, else 0.
///                                                        torch.nn.Softshrink(lambd=0.5)
/// f'(x) = 1 for |x| > lambd, else 0 (0 at the kinks). derivative_from_output(y) = [y != 0].
/// Requires lambd >= 0. NaN gives NaN (PyTorch 1.13 gives 0). Odd, signed zeros kept.
/// Where lambd is not representable in the element type T, the dead zone is decided exactly
/// (as hardshrink) and |x| - lambd is computed as (|x| - hi) - lo with lambd = hi + lo,
/// hi = T(lambd), lo = T(lambd - hi) (lambd - hi is exact in double): |x| - hi is exact near
/// the kink (Sterbenz), so where the difference cancels only lo's rounding (2^-24 of lo) and
/// the last subtraction's remain; far from it two roundings, within 1 ULP.
struct softshrink : unary<softshrink> {
  static constexpr std::string_view name = "softshrink";
  static constexpr accuracy bound{1, 0, 1, 0};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double lambd = 0.5;

  softshrink() = default;
  explicit softshrink(double lambd_) : lambd(lambd_) {
    detail::require(lambd >= 0, name, "lambd", lambd, ">= 0");
  }

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    const T l = static_cast<T>(lambd);
    x = detail::in_register(x);
    const B sign = x & B(T(-0.0));
    if (l == lambd) [[likely]] {
      // x - clamp(x, -lambd, lambd): x - lambd above, x + lambd below, x - x = +0 in between,
      // which the OR gives x's sign (the bits of x * 0; inf - inf and NaN also match x * 0).
      // max_or_x/min_or_x return their second operand when either is NaN: NaN passes the clamp.
      const B c = detail::min_or_x(B(l), detail::max_or_x(B(-l), x));
      return (x - c) | sign;
    }
    // lambd beyond T's range (l = inf): every finite x is in the dead zone, and inf - lambd
    // is inf; hi = lo = max gives that.
    const bool beyond = l > std::numeric_limits<T>::max();
    const T hi = beyond ? std::numeric_limits<T>::max() : l;
    const T lo = beyond ? hi : static_cast<T>(lambd - static_cast<double>(hi));
    const B a = xsimd::abs(x);
    // Outside the dead zone (|x| - hi) - lo is >= 0 (|x| - hi >= lo by monotonic rounding);
    // x's sign is ORed in. Comparisons are false for NaN, which passes through |x| - hi.
    const auto dead = l > lambd ? a < B(l) : a <= B(l);
    return xsimd::select(dead, x * B(0), ((a - B(hi)) - B(lo)) | sign);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    return hardshrink::outside(x, lambd);
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return hardshrink::nonzero(y);
  }
};

/// tanhshrink(x) = x - tanh(x)                            torch.nn.Tanhshrink
/// Float with FMA: for |x| < 1, where the difference cancels, x - tanh x = x^3 P(x^2), P of
/// degree 7 fitted for actfn (Lawson's iteration on the relative error of (x - tanh x) / x^3
/// over x^2 in [0, 1], coefficients rounded to float one at a time: 2^-25 relative, most of it
/// 1/3 rounded), evaluated as x (w P(w)) so that only the last product can fall into the
/// subnormal range. From 1 on, with e = exp(-2|x|): |x| - tanh|x| = (|x| - 1) + 2e / (1 + e),
/// two terms of one sign, |x| - 1 exact. |x| is clamped to 43 inside exp (beyond it the term
/// is far below one ULP), so no lane needs a range test, and NaN (whatever the clamp gives
/// for it: 43 from x86's MINPS, NaN from NEON's FMIN) and infinities pass through |x| - 1. Both are computed
/// and one is selected. 3.23 ULP over all floats, where the continued fraction below gives 3.42
/// with twice the operations and two divisions.
/// Double, and float without FMA: for |x| < 1.5 Lambert's continued fraction tanh x =
/// x / (1 + q), q = x^2 / (3 + x^2 / (5 + x^2 / (7 + ...))), which gives x - tanh x =
/// x q / (1 + q) with no subtraction; q is evaluated bottom-up as one fraction N / D of 11
/// levels (enough at |x| = 1.5), float without FMA in double lanes (where every level would
/// round twice); x - tanh(x) from 1.5 on.
/// f'(x) = tanh(x)^2, from expm1 (see minus_tanh_abs): within the 8-ULP target (6.06 ULP over
/// all floats) and cheaper than squaring math::tanh, whose extra accuracy is not needed here.
/// backward(x, dy) = (dy t) t with t = -tanh|x| (see eval_backward).
/// Odd; f(+-inf) = +-inf.
struct tanhshrink : unary<tanhshrink> {
  static constexpr std::string_view name = "tanhshrink";
  static constexpr accuracy bound{4, 6.5, 4, 6.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t derivative_interleave = 4;
  static constexpr std::size_t interleave = 2;

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    if constexpr (sizeof(T) == 4 && math::has_fma<typename B::arch_type>) {
      constexpr float p[] = {0x1.555556p-2f,  -0x1.11117cp-3f, 0x1.ba314p-5f,    -0x1.670fb8p-6f,
                             0x1.24b2c6p-7f,  -0x1.cfdc26p-9f, 0x1.2f9f24p-10f, -0x1.b4c528p-13f};
      x = detail::in_register(x);
      const B a = xsimd::abs(x);
      const B w = x * x;
      const B q = math::horner(w, p);
      const B near = x * (w * q);
      const B e = math::exp_in_range(B(-2) * xsimd::min(a, B(43)));
      const B far = math::fused(B(2), e / (B(1) + e), a - B(1));
      return xsimd::select(a < B(1), near, xsimd::bitwise_or(far, xsimd::bitwise_xor(x, a)));
    } else {
      B small;
      if constexpr (sizeof(T) == 4) {
        small = math::in_double_lanes(x, [](auto d) { return continued_fraction(d); });
      } else {
        small = continued_fraction(x);
      }
      return xsimd::select(xsimd::abs(x) < B(1.5), small, x - math::tanh(x));
    }
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B t = minus_tanh_abs(x);
    return t * t;
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: |x| - tanh|x| with tanh from
  /// math::fast::tanh_exp, the sign of x put back (so -0 gives -0); near 0, where the
  /// difference cancels, its absolute error is tanh's, a few 2^-25, which the floor 2^-22
  /// covers. f' = t^2, t the same fast tanh. Double: the precise kernels. Bound in the fast
  /// measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{3.5, 6.5, 4, 6.5};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B a = xsimd::abs(x);
      return xsimd::bitwise_or(a - math::fast::tanh_exp(a), xsimd::bitwise_and(x, B(-0.0f)));
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B t = math::fast::tanh_exp(x);
      return t * t;
    } else {
      return eval_derivative(x);
    }
  }

  /// dy f'(x) = (dy t) t, not dy (t t): below |x| = 2^-63 (float) / 2^-511 (double) t t is a
  /// subnormal of few bits or 0, while dy t t can be a normal number. The same two products.
  template <class B> B eval_backward(B x, B dy) const noexcept {
    const B t = minus_tanh_abs(x);
    return (dy * t) * t;
  }

 private:
  /// -tanh|x| = E / (2 + E), E = expm1(-2|x|): no cancellation near 0, one exp and one
  /// division where math::tanh computes a polynomial and the exp beside it. E's error reaches
  /// tanh up to twice (through 2 + E) and the square doubles it. |x| is clamped where
  /// tanh^2 rounds to 1 (43 for float, 354 for double: -2|x| stays in expm1_in_range's range);
  /// NaN passes the clamp (min_or_x returns its second operand when either is NaN). Near 0 the
  /// result is -|x| to within its rounding, so its square rounds into the subnormal range
  /// rather than being flushed.
  template <class B> static B minus_tanh_abs(B x) noexcept {
    using T = typename B::value_type;
    const B a = detail::min_or_x(B(sizeof(T) == 4 ? T(43) : T(354)), xsimd::abs(x));
    const B e = math::expm1_in_range(B(-2) * a);
    return e / (B(2) + e);
  }
  /// x q / (1 + q) for |x| < 1.5, double.
  template <class B> static B continued_fraction(B x) noexcept {
    using T = typename B::value_type;
    static_assert(sizeof(T) == 8);
    constexpr int levels = 11;
    // x^2 = x2 + x2_err exactly: the result is about x^3 / 3, so x2's rounding would be
    // carried whole into it.
    const B x2 = x * x;
    const B x2_err = math::product_error(x, x, x2);
    B num(0), den(1);
    for (int k = levels; k >= 1; --k) {
      const B next_den = math::fused(B(T(2 * k + 1)), den, num);
      num = math::fused(x2, den, x2_err * den);
      den = next_den;
    }
    return x * num / (den + num);
  }
};

}  // namespace actfn
