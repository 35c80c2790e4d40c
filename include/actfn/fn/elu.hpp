// SPDX-License-Identifier: MIT
// The exponential linear units: elu, selu, celu.
#pragma once

#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/exp.hpp"
#include "actfn/math/fma.hpp"

namespace actfn {

/// elu(x) = x for x > 0, alpha * (exp(x) - 1) otherwise (computed with expm1).
///                                                        torch.nn.ELU(alpha=1.0)
/// f'(x) = 1 for x > 0, alpha * exp(x) for x <= 0 (alpha at the kink, as PyTorch).
/// derivative_from_output(y) = 1 for y > 0, y + alpha otherwise; needs alpha >= 0 (PyTorch's
/// rule for backward from the result) and throws otherwise. Limits: f(-inf) = -alpha.
/// Odd at zero: elu(-0) = -0 (x itself is returned for x >= 0, where alpha expm1(x) would give +0).
struct elu : unary<elu> {
  static constexpr std::string_view name = "elu";
  static constexpr accuracy bound{1.5, 2.5, 1, 1};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double alpha = 1.0;

  elu() = default;
  explicit elu(double alpha_) : alpha(alpha_) { detail::require_finite(name, "alpha", alpha); }

  template <class B> B eval(B x) const noexcept {
    // min(0, x): expm1_fast is for x <= 0, and this operand order keeps x's NaN.
    const B em = math::expm1_fast(xsimd::min(B(0), x));
    return xsimd::select(x >= B(0), x, alpha == 1 ? em : detail::splat<B>(alpha) * em);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B e = math::exp_fast<math::exp_use::derivative>(x);
    return xsimd::select(x > B(0), B(1), alpha == 1 ? e : detail::splat<B>(alpha) * e);
  }
  template <class B> B eval_derivative_from_output(B y) const {
    if (alpha < 0)
      detail::fail(name, "derivative_from_output needs alpha >= 0 (got ", alpha, ")");
    return xsimd::select(y > B(0), B(1), y + detail::splat<B>(alpha));
  }
};

/// selu(x) = scale * elu(x) with PyTorch's fixed alpha and scale (Klambauer et al. 2017).
///                                                        torch.nn.SELU
/// f'(x) = scale for x > 0, scale * alpha * exp(x) for x <= 0.
/// derivative_from_output(y) = scale for y > 0, y + scale * alpha otherwise. selu(-0) = -0.
/// Far left, where exp(x) is no longer a normal number but scale alpha exp(x) still is
/// (x < -87.3 for float, -708.4 for double), f' is math::exp_times(scale alpha, x).
struct selu : unary<selu> {
  static constexpr std::string_view name = "selu";
  static constexpr accuracy bound{2, 3, 2, 2};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;

  static constexpr double alpha = 1.6732632423543772848170429916717;
  static constexpr double scale = 1.0507009873554804934193349852946;
  /// scale * alpha, rounded once (the product of the rounded constants can be 1 ULP off).
  static constexpr double scale_alpha = 1.7580993408473768599402175208123;

  template <class B> B eval(B x) const noexcept {
    // scale alpha as hi + lo: expm1(x) scale alpha rounded once where there is FMA.
    using T = typename B::value_type;
    constexpr bool f32 = sizeof(T) == 4;
    const B sa_hi(static_cast<T>(f32 ? 1.7580993175506592 : 1.7580993408473768));
    const B sa_lo(static_cast<T>(f32 ? 2.3296717444054593e-08 : 1.41535193800845e-17));
    const B em = math::expm1_fast(xsimd::min(B(0), x));  // as elu
    const B neg = math::fused(em, sa_hi, em * sa_lo);
    return xsimd::select(x >= B(0), scaled(x), neg);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    using T = typename B::value_type;
    const B sa = detail::splat<B>(scale_alpha);
    B neg = sa * math::exp_fast<math::exp_use::derivative>(x);
    const auto deep = x < B(math::exp_normal_min<T>);
    if (xsimd::any(deep)) {
      neg = xsimd::select(deep, math::exp_times(sa, x), neg);
    }
    return xsimd::select(x > B(0), detail::splat<B>(scale), neg);
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return xsimd::select(y > B(0), detail::splat<B>(scale), y + detail::splat<B>(scale_alpha));
  }

 private:
  /// scale * x for x >= 0 with scale as hi + lo (hi rounded down, so lo > 0 and +inf stays
  /// +inf): rounded once where there is FMA, and so also overflowing exactly where the true
  /// product does (scale rounded to float is 0.55 ULP above it).
  template <class B> static B scaled(B x) noexcept {
    using T = typename B::value_type;
    constexpr bool f32 = sizeof(T) == 4;
    const B hi(static_cast<T>(f32 ? 1.0507009029388428 : 1.0507009873554805));
    const B lo(static_cast<T>(f32 ? 8.441664078873146e-08 : 3.9874847667154144e-17));
    return math::fused(x, hi, x * lo);
  }
};

/// celu(x) = x for x > 0, alpha * (exp(x / alpha) - 1) otherwise.
///                                                        torch.nn.CELU(alpha=1.0)
/// f'(x) = 1 for x > 0, exp(x / alpha) for x <= 0 (1 at the kink).
/// derivative_from_output(y) = 1 for y > 0, y / alpha + 1 otherwise. Requires alpha != 0.
/// celu(-0) = -0. The bound holds for any alpha: alpha = 1 gives elu's results; other alpha
/// add the rounding of x / alpha and of the product.
struct celu : unary<celu> {
  static constexpr std::string_view name = "celu";
  static constexpr accuracy bound{2, 2.5, 2, 1};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double alpha = 1.0;

  celu() = default;
  explicit celu(double alpha_) : alpha(alpha_) {
    detail::require(alpha != 0, name, "alpha", alpha, "nonzero");
  }

  template <class B> B eval(B x) const noexcept {
    if (alpha == 1) return elu{}.eval(x);  // the default: the same bits without a division
    const B a = detail::splat<B>(alpha);
    const B z = x / a;  // <= 0 where it is used if alpha > 0 (as elu); else any sign
    return xsimd::select(x >= B(0), x, a * (alpha > 0 ? math::expm1_fast(xsimd::min(B(0), z)) : math::expm1(z)));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B z = alpha == 1 ? x : x / detail::splat<B>(alpha);
    return xsimd::select(x > B(0), B(1), math::exp_fast<math::exp_use::derivative>(z));
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return xsimd::select(y > B(0), B(1), (alpha == 1 ? y : y / detail::splat<B>(alpha)) + B(1));
  }
};

}  // namespace actfn
