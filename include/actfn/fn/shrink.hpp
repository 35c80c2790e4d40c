// SPDX-License-Identifier: MIT
// The shrink functions: hardshrink, softshrink, tanhshrink.
#pragma once

#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/lanes.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// hardshrink(x) = x for |x| > lambd, else 0.             torch.nn.Hardshrink(lambd=0.5)
/// f'(x) = 1 for |x| > lambd, else 0 (0 at the kinks). derivative_from_output(y) = [y != 0].
/// Requires lambd >= 0. Odd: inside the dead zone the result is a zero with x's sign.
struct hardshrink : unary<hardshrink> {
  static constexpr std::string_view name = "hardshrink";
  static constexpr accuracy bound{0, 0, 0, 0};

  double lambd = 0.5;

  hardshrink() = default;
  explicit hardshrink(double lambd_) : lambd(lambd_) {
    detail::require(lambd >= 0, name, "lambd", lambd, ">= 0");
  }

  template <class B> B eval(B x) const noexcept {
    x = detail::in_register(x);
    return xsimd::select(xsimd::abs(x) <= detail::splat<B>(lambd), x * B(0), x);
  }
  template <class B> B eval_derivative(B x) const noexcept { return outside(x, lambd); }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return nonzero(y); }

  // Shared with softshrink, whose derivative is the same.
  template <class B> static B outside(B x, double lambd) noexcept {
    x = detail::in_register(x);
    return detail::keep_nan(x, B(xsimd::abs(x) > detail::splat<B>(lambd)));  // B(mask): 1 or 0
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
struct softshrink : unary<softshrink> {
  static constexpr std::string_view name = "softshrink";
  static constexpr accuracy bound{1, 0, 1, 0};

  double lambd = 0.5;

  softshrink() = default;
  explicit softshrink(double lambd_) : lambd(lambd_) {
    detail::require(lambd >= 0, name, "lambd", lambd, ">= 0");
  }

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    const B l = detail::splat<B>(lambd);
    x = detail::in_register(x);
    // x - clamp(x, -lambd, lambd): x - lambd above, x + lambd below, x - x = +0 in between,
    // which the OR gives x's sign (the bits of x * 0; inf - inf and NaN also match x * 0).
    // maxps/minps return their second operand when either is NaN, so NaN passes the clamp.
    const B c = xsimd::min(l, xsimd::max(-l, x));
    return (x - c) | (x & B(T(-0.0)));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    return hardshrink::outside(x, lambd);
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return hardshrink::nonzero(y);
  }
};

/// tanhshrink(x) = x - tanh(x)                            torch.nn.Tanhshrink
/// For |x| < 1.5 the difference cancels, so it is computed from Lambert's continued fraction
/// tanh x = x / (1 + q), q = x^2 / (3 + x^2 / (5 + x^2 / (7 + ...))), which gives
/// x - tanh x = x q / (1 + q) with no subtraction at all; q is evaluated bottom-up as one
/// fraction N / D (7 levels for float, 11 for double: enough at |x| = 1.5).
/// f'(x) = tanh(x)^2. Odd; f(+-inf) = +-inf.
struct tanhshrink : unary<tanhshrink> {
  static constexpr std::string_view name = "tanhshrink";
  static constexpr accuracy bound{4, 4, 4, 3.5};

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    B small;
    if constexpr (sizeof(T) == 4 && !math::has_fma<typename B::arch_type>) {
      // Without FMA every level rounds twice (4.2 ULP in float): computed in double lanes.
      small = math::in_double_lanes(x, [](auto d) { return continued_fraction(d); });
    } else {
      small = continued_fraction(x);
    }
    return xsimd::select(xsimd::abs(x) < B(1.5), small, x - math::tanh(x));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B t = math::tanh(x);
    return t * t;
  }

 private:
  /// x q / (1 + q) for |x| < 1.5.
  template <class B> static B continued_fraction(B x) noexcept {
    using T = typename B::value_type;
    constexpr int levels = sizeof(T) == 4 ? 7 : 11;
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
