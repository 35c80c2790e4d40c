// SPDX-License-Identifier: MIT
// The exponential linear units: elu, selu, celu.
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/exp.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/fma.hpp"

namespace actfn {

/// elu(x) = x for x > 0, alpha * (exp(x) - 1) otherwise (computed with expm1).
///                                                        torch.nn.ELU(alpha=1.0)
/// f'(x) = 1 for x > 0, alpha * exp(x) for x <= 0 (alpha at the kink, as PyTorch).
/// derivative_from_output(y) = 1 for y > 0, y + alpha otherwise; needs alpha >= 0 (PyTorch's
/// rule for backward from the result) and throws otherwise. Limits: f(-inf) = -alpha.
/// Odd at zero: elu(-0) = -0 (x itself is returned for x >= 0, where alpha expm1(x) would give +0).
/// An alpha not representable in T multiplies as hi + lo (one FMA: the product rounded once).
/// Far left (x < -87.3 / -708.4) f' = alpha exp(x) and dy f' are rounded to subnormal numbers
/// by exp_times, not flushed.
struct elu : unary<elu> {
  static constexpr std::string_view name = "elu";
  static constexpr accuracy bound{1.5, 2.5, 1, 1};
  /// For alpha other than 1: alpha times a rounded result (docs/accuracy.md).
  static constexpr accuracy parameter_bound{2, 3.5, 1.5, 1.5};
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
    return xsimd::select(x >= B(0), x, alpha == 1 ? em : scaled(em));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    using T = typename B::value_type;
    const B e = math::exp_fast<math::exp_use::derivative>(x);
    B neg = alpha == 1 ? e : scaled(e);
    const auto deep = x < B(math::exp_normal_min<T>);  // false for NaN
    if (xsimd::any(deep)) neg = xsimd::select(deep, math::exp_times(detail::splat<B>(alpha), x), neg);
    return xsimd::select(x > B(0), B(1), neg);
  }
  template <class B> B eval_backward(B x, B dy) const noexcept {
    return math::backward_tail(dy, eval_derivative(x), x < B(-20), [&] {
      return math::exp_times(dy * detail::splat<B>(alpha), x);
    });
  }
  template <class B> B eval_derivative_from_output(B y) const {
    if (alpha < 0)
      detail::fail(name, "derivative_from_output needs alpha >= 0 (got ", alpha, ")");
    return xsimd::select(y > B(0), B(1), y + detail::splat<B>(alpha));
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: for |alpha| <= 1, alpha expm1(min(0, x)) by
  /// math::fast::expm1_nonpositive (on AVX-512 the table-driven exp, whose absolute error of
  /// about 2^-24, times |alpha| <= 1, stays within the 2^-22 floor wherever |f| < 1/2, and
  /// relative where f is near 0; a larger alpha would scale it past 4 ULP of f, so other alphas
  /// take the precise value); f' = alpha exp(x) by math::fast::exp_nonpositive for every alpha.
  /// Double: the precise kernels. Bound in the fast measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{2, 2.5, 1, 1};
  static constexpr accuracy fast_parameter_bound{2, 3.5, 1.5, 1.5};
  static constexpr std::size_t fast_interleave = 2;
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      if (alpha >= -1 && alpha <= 1) {
        const B em = math::fast::expm1_nonpositive(xsimd::min(B(0), x));  // keeps x's NaN
        return xsimd::select(x >= B(0), x, alpha == 1 ? em : em * detail::splat<B>(alpha));
      }
    }
    return eval(x);
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B e = math::fast::exp_nonpositive(xsimd::min(B(0), x));
      return xsimd::select(x > B(0), B(1), alpha == 1 ? e : e * detail::splat<B>(alpha));
    } else {
      return eval_derivative(x);
    }
  }

 private:
  /// alpha v, rounded once (alpha as hi + lo where it is not representable).
  template <class B> B scaled(B v) const noexcept {
    const math::parameter<B> a(alpha);
    return a.exact ? a.hi * v : math::fused(v, a.hi, v * a.lo);
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
  template <class B> B eval_backward(B x, B dy) const noexcept {
    return math::backward_tail(dy, eval_derivative(x), x < B(-20), [&] {
      return math::exp_times(dy * detail::splat<B>(scale_alpha), x);
    });
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return xsimd::select(y > B(0), detail::splat<B>(scale), y + detail::splat<B>(scale_alpha));
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: f' = scale alpha exp(x) by
  /// math::fast::exp_nonpositive. The value stays the precise one: scale alpha = 1.76 would
  /// scale the fast expm1's absolute error past 4 ULP of f where f is near -1/2. Double: the
  /// precise kernels. Bound in the fast measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{2, 3.5, 2, 2};
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B e = math::fast::exp_nonpositive(xsimd::min(B(0), x));
      return xsimd::select(x > B(0), detail::splat<B>(scale), e * detail::splat<B>(scale_alpha));
    } else {
      return eval_derivative(x);
    }
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
/// celu(-0) = -0. alpha = 1 gives elu's results. Another alpha: z = x / alpha is formed as
/// x (1 / alpha), 1 / alpha held as hi + lo, and the product's rounding error dz carried to
/// first order (exp(z + dz) = exp(z) (1 + dz)), so that exp's argument is not off by |z| ULPs;
/// the product by alpha is rounded once (alpha as hi + lo). Far left f' and dy f' are rounded
/// to subnormal numbers by exp_times, not flushed.
struct celu : unary<celu> {
  static constexpr std::string_view name = "celu";
  static constexpr accuracy bound{2, 2.5, 2, 1};
  /// For alpha other than 1: x / alpha's correction and alpha's product round once more each.
  static constexpr accuracy parameter_bound{2.5, 3, 2.5, 1.5};
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
    if (alpha == 1) return elu{}.eval(x);  // the default: the same bits without the products
    const auto inv = math::parameter<B>::reciprocal(alpha);
    const math::parameter<B> a(alpha);
    const B z = x * inv.hi;  // <= 0 where it is used if alpha > 0 (as elu); else any sign
    const B dz = math::product_correction(x, inv, z);
    const B em = alpha > 0 ? math::expm1_fast(xsimd::min(B(0), z)) : math::expm1(z);
    // alpha (expm1(z) + dz exp(z)), exp(z) = em + 1, alpha as hi + lo: rounded once. An
    // infinite em (alpha < 0, x -> -inf) is taken as it is (inf - inf would be NaN).
    const auto finite = xsimd::abs(em) < B(std::numeric_limits<typename B::value_type>::infinity());
    const B m = xsimd::select(finite, math::fused(dz, em + B(1), em), em);
    const B neg = xsimd::select(finite, math::fused(a.hi, m, a.lo * m), a.hi * m);
    // Where z is below the normal range, alpha expm1(z) is x to working precision (z would
    // have lost bits to the subnormal spacing).
    using T = typename B::value_type;
    const B tiny = xsimd::select(xsimd::abs(z) < B(std::numeric_limits<T>::min()), x, neg);
    return xsimd::select(x >= B(0), x, tiny);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    using T = typename B::value_type;
    if (alpha == 1) return elu{}.eval_derivative(x);
    const auto inv = math::parameter<B>::reciprocal(alpha);
    const B z = x * inv.hi;
    const B dz = math::product_correction(x, inv, z);
    const B e = math::exp_fast<math::exp_use::derivative>(z);
    B neg = xsimd::select(e < B(std::numeric_limits<T>::infinity()), math::fused(e, dz, e), e);
    const auto deep = z < B(math::exp_normal_min<T>);  // false for NaN
    if (xsimd::any(deep)) {
      neg = xsimd::select(deep, math::exp_times(B(1), z, dz), neg);
    }
    return xsimd::select(x > B(0), B(1), neg);
  }
  template <class B> B eval_backward(B x, B dy) const noexcept {
    if (alpha == 1) {
      return math::backward_tail(dy, eval_derivative(x), x < B(-20),
                                 [&] { return math::exp_times(dy, x); });
    }
    // Far left for alpha > 0; for alpha < 0 f' = exp(z) grows without bound as x -> -inf and
    // may overflow while dy f' does not: exp_times scales by two powers of two, exact below
    // z = 2 * 88.7 / 2 * 709.8.
    using T = typename B::value_type;
    const auto inv = math::parameter<B>::reciprocal(alpha);
    const B z = x * inv.hi;
    const B z_max(-2 * math::exp_normal_min<T>);
    const auto far = (z < B(-20)) || (z > B(20) && z < z_max);
    return math::backward_tail(dy, eval_derivative(x), far, [&] {
      return math::exp_times(dy, z, math::product_correction(x, inv, z));
    });
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return xsimd::select(y > B(0), B(1), (alpha == 1 ? y : y / detail::splat<B>(alpha)) + B(1));
  }

  /// Fast tier (actfn::fast, core/fast.hpp): for alpha = 1 elu's fast kernels (the same
  /// function); for other alphas, and in double, the precise kernels.
  static constexpr accuracy fast_bound = elu::fast_bound;
  static constexpr accuracy fast_parameter_bound = parameter_bound;
  static constexpr std::size_t fast_interleave = 2;
  template <class B> B eval_fast(B x) const noexcept {
    return alpha == 1 ? elu{}.eval_fast(x) : eval(x);
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    return alpha == 1 ? elu{}.eval_derivative_fast(x) : eval_derivative(x);
  }
  template <class B> B eval_backward_fast(B x, B dy) const noexcept {
    return alpha == 1 ? dy * elu{}.eval_derivative_fast(x) : eval_backward(x, dy);
  }
};

}  // namespace actfn
