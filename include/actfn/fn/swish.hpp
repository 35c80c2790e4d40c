// SPDX-License-Identifier: MIT
// The swish family: swish (learnable beta), silu = swish with beta = 1, hardswish.
// The span-level backward that also returns d(loss)/d(beta): actfn/rowwise/swish.hpp.
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// swish(x) = x * sigmoid(beta * x)                       (Ramachandran et al. 2017), beta = 1
/// f'(x) = s + beta x s (1 - s) with s = sigmoid(beta x), as math::sigmoid_plus_slope (one
/// quotient, where sigmoid's hi + lo and sigmoid' would take a second). Far left (z = beta x
/// < -87.3 for float, -708.4 for double) f' = (1 + z) exp(z) to working precision, computed by
/// math::exp_times so that it stays accurate while the result is a normal number; dy f' too.
/// A beta that is not 1: z = beta x is rounded, which would cost up to |z| ULPs where
/// sigmoid(z) ~ exp(z), so its rounding error dz (with beta's own: beta as hi + lo) is carried:
/// into exp's reduced argument on the common path (exp(-|z| -+ dz)), and to first order
/// elsewhere.
/// Limits (beta > 0): f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1; beta = 0 gives
/// x / 2 everywhere (f(+-inf) = +-inf, f' = 1/2).
struct swish : unary<swish> {
  static constexpr std::string_view name = "swish";
  static constexpr accuracy bound{2, 7.5, 2, 6.5};
  /// For beta other than 1: exp's argument takes dz, one rounding more (docs/accuracy.md).
  static constexpr accuracy parameter_bound{3, 7.5, 3, 6.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;
  static constexpr std::size_t derivative_interleave = 4;

  double beta = 1.0;

  swish() = default;
  explicit swish(double beta_) : beta(beta_) { detail::require_finite(name, "beta", beta); }

  // Where |beta x| and |x| are below 87.3 (float) / 708.3 (double) in every lane, the common
  // case, one exp_in_range and none of the checks for infinities and far tails; those lanes get
  // the same bits on the edge path, which handles the rest (math::plain_or).
  template <class B> B eval(B x) const noexcept {
    const argument<B> z = arg(x);
    const B e = beta == 1 ? math::exp_in_range(math::minus_abs(x)) : exp_minus_abs(z);
    const math::sigmoid_value<B> s = math::sigmoid_split_of(z.value, e);
    // hi > 0 and x finite where |zx| is in range (beta = 0 gives zx = 0 also for x = +-inf,
    // whose hi = 1/2 and lo = 0: inf * 0 would be NaN, so that case takes the edge path).
    const B fast = math::times_split_positive(x, s.split());
    return math::plain_or(math::in_plain_range(z.value) && math::in_plain_range(x), fast, [&] {
      return beta == 1 ? math::x_times_sigmoid(x, z.value)
                       : math::x_times_sigmoid(x, z.value, z.error);
    });
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const argument<B> z = arg(x);
    const B e = beta == 1 ? math::exp_in_range<math::exp_use::derivative>(math::minus_abs(x))
                          : exp_minus_abs(z);
    const B fast = math::sigmoid_plus_slope(z.value, e);
    // x itself must be in range too: with beta = 0, z is 0 also for x = NaN, whose f' is NaN.
    const auto plain = math::in_plain_range(z.value) && math::in_plain_range(x);
    return math::plain_or(plain, fast, [&] {
      using T = typename B::value_type;
      const B zx = z.value;
      const math::sigmoid_value<B> se = math::sigmoid_split(zx);
      const B slope = math::sigmoid_slope_of(se.e);
      const B g = (se.hi + se.lo) + math::times_vanishing(zx, slope);
      // g(z + dz) = g(z) + dz s (1 - s) (2 + z (1 - 2 s)) to first order
      const B one_minus_2s = math::sigmoid_complement(zx, se) - (se.hi + se.lo);
      const B corrected = math::fused(z.error * slope, math::fused(zx, one_minus_2s, B(2)), g);
      const B d = beta == 1 ? g : xsimd::select(z.error == B(0), g, corrected);
      const auto deep = zx < B(math::exp_normal_min<T>) &&
                        zx != B(-std::numeric_limits<T>::infinity());
      return detail::keep_nan(x, xsimd::select(deep, math::exp_times(deep_factor(z), zx), d));
    });
  }
  /// dy f'(x); where f' is below the normal range, dy (1 + z) exp(z) rounded once.
  template <class B> B eval_backward(B x, B dy) const noexcept {
    const argument<B> z = arg(x);
    return math::backward_tail(dy, eval_derivative(x), z.value < B(-20), [&] {
      return math::exp_times(dy * deep_factor(z), z.value);
    });
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: s = sigmoid(z) by math::fast (short exp, one
  /// reciprocal), z = beta x; f = x s, 0 where s is 0 (x = -inf). For beta other than 1 the
  /// rounding error dz of beta x (beta as hi + lo) is carried to first order, s (1 + dz (1 - s)):
  /// it moves s by |z| 2^-24 relative, which x s does not absorb where |x| is large (7.9 ULP at
  /// beta = 0.01, x = -654 without it), and exp takes its degree-4 polynomial there: with a small
  /// beta, x s reaches the relative regime while sigmoid(z) is e / (1 + e), whose relative error is
  /// exp's (4.4 ULP at beta = 0.01, x = -386 with the shorter one). f' = s (1 + z (1 - s)) with z
  /// clamped to [-128, 128] (beyond, f' is 0 or 1 to far below the floor; the clamp keeps inf * 0
  /// out); there dz costs |g'(z) z| 2^-24 at most, within the floor. Double: the precise kernels.
  /// Bound in the fast measure (ULPs of max(|f|, 1/2)); fast_parameter_bound for beta other than 1
  /// (double: the precise parameter_bound).
  static constexpr accuracy fast_bound{2.5, 3.5, 2, 6.5};
  static constexpr accuracy fast_parameter_bound{4, 4, 3, 6.5};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      if (beta == 1) return math::times_vanishing(x, math::fast::sigmoid(x));
      const math::parameter<B> b(beta);
      const B z = math::times_vanishing(x, b.hi);
      const B dz = math::product_correction(x, b, z);
      B s, c;
      math::fast::logistic<math::exp_use::value>(z, s, c);
      return math::times_vanishing(x, math::fused(s * dz, c, s));
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      if (beta == 1) return slope_fast(x);
      // beta = 0 makes z = 0 also for x = NaN, whose f' is NaN.
      return detail::keep_nan(x, slope_fast(math::times_vanishing(x, detail::splat<B>(beta))));
    } else {
      return eval_derivative(x);
    }
  }

 private:
  /// s (1 + z (1 - s)), s = sigmoid(z), z clamped to [-128, 128] (fast tier).
  template <class B> static B slope_fast(B z) noexcept {
    const B zc = xsimd::min(B(128), xsimd::max(B(-128), z));
    B s, c;
    math::fast::logistic(zc, s, c);
    return s * math::fused(zc, c, B(1));
  }
  template <class B>
  struct argument {
    B value, error;  // z = beta x rounded, and the rest of beta x to first order
  };
  // beta * x, with beta = 0 giving 0 also for x = +-inf; x itself for the default beta = 1
  // (the same bits, without the product, the select and the error).
  template <class B> argument<B> arg(B x) const noexcept {
    if (beta == 1) return {x, B(0)};
    const math::parameter<B> b(beta);
    const B z = math::times_vanishing(x, b.hi);
    return {z, math::product_correction(x, b, z)};
  }
  /// exp(-|z + dz|) for the common path: dz joins exp's reduced argument.
  template <class B> static B exp_minus_abs(const argument<B>& z) noexcept {
    const B lo = xsimd::select(z.value < B(0), z.error, math::negated(z.error));
    return math::exp_in_range(math::minus_abs(z.value), lo);
  }
  /// (1 + z + dz) exp(dz) = (1 + z) + dz (2 + z) to first order: f' / exp(z) far left. z is
  /// raised to twice exp's normal range first (beyond, exp_times gives 0 whatever the factor,
  /// which must stay finite even when multiplied by dy).
  template <class B> static B deep_factor(const argument<B>& z) noexcept {
    using T = typename B::value_type;
    const B zc = xsimd::max(B(2 * math::exp_normal_min<T>), z.value);  // keeps z's NaN
    const B dz = xsimd::select(zc == z.value, z.error, B(0));
    return math::fused(dz, zc + B(2), zc + B(1));
  }
};

/// silu(x) = x * sigmoid(x)                               torch.nn.SiLU
/// swish with beta = 1: the same code, without a parameter.
struct silu : unary<silu> {
  static constexpr std::string_view name = "silu";
  static constexpr accuracy bound{2, 7.5, 2, 6.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;
  static constexpr std::size_t derivative_interleave = 4;

  template <class B> B eval(B x) const noexcept { return swish{}.eval(x); }
  template <class B> B eval_derivative(B x) const noexcept { return swish{}.eval_derivative(x); }
  template <class B> B eval_backward(B x, B dy) const noexcept { return swish{}.eval_backward(x, dy); }

  /// Fast tier: swish's with beta = 1 (actfn::fast, core/fast.hpp).
  static constexpr accuracy fast_bound = swish::fast_bound;
  template <class B> B eval_fast(B x) const noexcept { return swish{}.eval_fast(x); }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    return swish{}.eval_derivative_fast(x);
  }
};

/// hardswish(x) = x * relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3, else x (x + 3) / 6.
///                                                        torch.nn.Hardswish
/// f'(x) = 0 for x < -3, x / 3 + 1/2 for -3 <= x <= 3, 1 for x > 3 (PyTorch's branches, so
/// -1/2 at x = -3 and 3/2 at x = 3).
struct hardswish : unary<hardswish> {
  static constexpr std::string_view name = "hardswish";
  static constexpr accuracy bound{3, 1, 3, 1};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  template <class B> B eval(B x) const noexcept {
    // xc min(xc + 3, 6) / 6 with xc = max(-3, x): -3 * 0 = -0 at and below -3 (-inf
    // included), xc * 1 = x at and above 3 (6 times 1/6 rounded is 1 + 2^-25, which rounds to
    // 1); NaN passes the clamp (max_or_x returns its second operand when either is NaN).
    using T = typename B::value_type;
    const B xc = detail::max_or_x(B(-3), x);
    return xc * (xsimd::min(xc + B(3), B(6)) * B(T(1) / T(6)));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    x = detail::in_register(x);
    // (2x + 3) / 6 rather than x / 3 + 1/2: no cancellation near the zero at x = -1.5.
    return slope_with(x, (B(2) * x + B(3)) / B(6));
  }

  /// Fast tier (actfn::fast, core/fast.hpp): f' with x / 3 + 1/2 as one multiply-add in place
  /// of the division (an error of about 2^-25 in absolute terms near the zero at -1.5, where the
  /// precise form is exact); the value is the precise one, already a few operations. Bound in
  /// the fast measure (ULPs of max(|f'|, 1/2)). Float only (at the kinks, -1/2 and 3/2 come
  /// out exact there); double: the precise kernel.
  static constexpr accuracy fast_bound{3, 1.5, 3, 1};
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      return slope_with(x, math::fused(x, B(1.0f / 3.0f), B(0.5f)));
    } else {
      return eval_derivative(x);
    }
  }

 private:
  /// f' from its middle piece mid = x / 3 + 1/2: 0 below -3, mid on [-3, 3], 1 above (NaN for
  /// NaN), PyTorch's branches.
  template <class B> static B slope_with(B x, B mid) noexcept {
    return xsimd::select(x < B(-3), B(0), xsimd::select(x <= B(3), mid, detail::keep_nan(x, B(1))));
  }
};

}  // namespace actfn
