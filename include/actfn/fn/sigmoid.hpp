// SPDX-License-Identifier: MIT
// The sigmoid family: sigmoid, log_sigmoid, hardsigmoid.
#pragma once

#include <string_view>

#include "actfn/core/unary.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// sigmoid(x) = 1 / (1 + exp(-x))                         torch.nn.Sigmoid
/// f'(x) = f(x) (1 - f(x)), computed as e / (1 + e)^2 with e = exp(-|x|).
/// derivative_from_output(y) = y (1 - y).
/// Limits: f(-inf) = 0, f(+inf) = 1, f'(+-inf) = 0. No overflow for any x. Below the range
/// where exp(x) is a normal number (x < -87.3 for float, -708.4 for double) sigmoid(x) = exp(x) is
/// computed by math::exp_times(1, x), so its subnormal values are rounded, not flushed to 0;
/// likewise f'(x) = exp(-|x|) for |x| beyond those bounds.
struct sigmoid : unary<sigmoid> {
  static constexpr std::string_view name = "sigmoid";
  static constexpr accuracy bound{2, 5.5, 1.5, 4};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;
  static constexpr std::size_t derivative_interleave = 4;

  template <class B> B eval(B x) const noexcept {
    const math::sigmoid_value<B> s = math::sigmoid_split_of(x, math::exp_in_range(math::minus_abs(x)));
    return math::plain_or(math::in_plain_range(x), s.hi + s.lo, [&] {
      using T = typename B::value_type;
      const auto deep = x < B(math::exp_normal_min<T>);
      return xsimd::select(deep, math::exp_times(B(1), x), math::sigmoid(x));
    });
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B a = xsimd::abs(x);
    const B e = math::exp_in_range<math::exp_use::derivative>(math::negated(a));
    return math::plain_or(math::in_plain_range(x), math::sigmoid_slope_of(e), [&] {
      using T = typename B::value_type;
      const auto deep = math::negated(a) < B(math::exp_normal_min<T>);
      return xsimd::select(deep, math::exp_times(B(1), math::negated(a)), math::sigmoid_slope(x));
    });
  }
  /// dy f'(x); where f' is below the normal range (|x| > 87.3 / 708.3), dy exp(-|x|) rounded
  /// once (exp_times), which stays accurate while the product is a normal number.
  template <class B> B eval_backward(B x, B dy) const noexcept {
    const B a = xsimd::abs(x);
    return math::backward_tail(dy, eval_derivative(x), a > B(20),
                               [&] { return math::exp_times(dy, math::negated(a)); });
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return y * (B(1) - y); }

  /// Fast tier (actfn::fast, core/fast.hpp), float: r = 1 / (1 + exp(-|x|)) by math::fast's
  /// short exp (only 1 + e formed) and one reciprocal, no rounding errors carried; f = r for
  /// x >= 0 and 1 - r below (absolute accuracy, which the floor asks for there, f < 1/2);
  /// f' = r (1 - r). 0 and 1 at -inf and +inf. Double: the precise kernels. Bound in the fast
  /// measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{2, 2, 1.5, 4};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      return math::fast::sigmoid_alone(x);
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      B slope;
      math::fast::sigmoid_alone(x, slope);
      return slope;
    } else {
      return eval_derivative(x);
    }
  }
};

/// log_sigmoid(x) = log(1 / (1 + exp(-x))) = min(x, 0) - log1p(exp(-|x|))   torch.nn.LogSigmoid
/// f'(x) = sigmoid(-x) as math::sigmoid_short (one quotient, cheaper than sigmoid's hi + lo and
/// within the derivative's target); derivative_from_output(y) = 1 - exp(y) = -expm1(y).
/// Far right, where exp(-x) is below the normal range (x > 87.3 / 708.3), f = -exp(-x) and
/// f' = exp(-x) to working precision, rounded to subnormal numbers by exp_times, as is dy f'.
/// Limits: f(-inf) = -inf, f(+inf) = 0; log_sigmoid(-100) = -100 (no overflow).
struct log_sigmoid : unary<log_sigmoid> {
  static constexpr std::string_view name = "log_sigmoid";
  static constexpr accuracy bound{2, 3.5, 1.5, 2.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 4;

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    const B lower = xsimd::select(x < B(0), x, B(0));
    const B r = lower - math::log1p_unit(math::exp_fast(math::minus_abs(x)));
    const auto deep = math::negated(x) < B(math::exp_normal_min<T>);  // false for NaN
    if (!xsimd::any(deep)) return r;
    return xsimd::select(deep, math::negated(math::exp_times(B(1), math::negated(x))), r);
  }
  template <class B> B eval_derivative(B x) const noexcept { return math::sigmoid_short(math::negated(x)); }
  template <class B> B eval_backward(B x, B dy) const noexcept {
    return math::backward_tail(dy, eval_derivative(x), x > B(20),
                               [&] { return math::exp_times(dy, math::negated(x)); });
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return -math::expm1(y); }

  /// Fast tier (actfn::fast, core/fast.hpp): the value is the precise one; f' in float is
  /// math::fast::sigmoid_alone(-x) (sigmoid's fast value). Double: the precise kernels. Bound
  /// in the fast measure (ULPs of max(|f|, 1/2)); the value's is the precise one.
  static constexpr accuracy fast_bound{2, 2, 1.5, 2.5};
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      return math::fast::sigmoid_alone(math::negated(x));
    } else {
      return eval_derivative(x);
    }
  }
};

/// hardsigmoid(x) = relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, else (x + 3) / 6.
///                                                        torch.nn.Hardsigmoid
/// f'(x) = 1/6 strictly inside (-3, 3), 0 elsewhere (also at the kinks, as PyTorch).
/// derivative_from_output(y) = 1/6 where 0 < y < 1, else 0. Just inside the kinks, where
/// (x + 3) / 6 rounds to exactly 0 or 1, the output no longer tells and it gives 0 (e.g. for
/// x = nextafter(3, 0), where derivative(x) is 1/6).
struct hardsigmoid : unary<hardsigmoid> {
  static constexpr std::string_view name = "hardsigmoid";
  static constexpr accuracy bound{1.5, 1, 1.5, 1};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  template <class B> B eval(B x) const noexcept {
    // (x + 3) / 6, not x / 6 + 1/2: x + 3 is exact near -3, so there is no cancellation.
    // x clamped to [-3, 3] first gives exactly 0 and 1 outside; NaN passes the clamp as it is
    // (max_or_x/min_or_x return their second operand when either is NaN). Times 1/6 rounded, not
    // divided by 6: the roundings of x + 3, of 1/6 and of the product add up to 1.33 ULP at
    // most (all floats), within the 4-ULP target, and a correctly rounded quotient (Markstein's
    // correction) would cost two more FMAs per batch.
    using T = typename B::value_type;
    return (detail::min_or_x(B(3), detail::max_or_x(B(-3), x)) + B(3)) * B(T(1) / T(6));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    x = detail::in_register(x);
    return detail::keep_nan(x, xsimd::select(x > B(-3) && x < B(3), B(1) / B(6), B(0)));
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    y = detail::in_register(y);
    return detail::keep_nan(y, xsimd::select(y > B(0) && y < B(1), B(1) / B(6), B(0)));
  }
};

}  // namespace actfn
