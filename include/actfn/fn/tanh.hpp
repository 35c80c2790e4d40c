// SPDX-License-Identifier: MIT
// The tanh family: tanh, softsign, hardtanh.
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// tanh(x)                                                torch.nn.Tanh
/// f'(x) = 1 - tanh(x)^2, computed as 4 sigmoid'(2x) (no cancellation where tanh rounds to 1);
/// far out, where exp(-2|x|) is no longer a normal number but f' still is (|x| > 43 for float,
/// 354 for double), as (2h)^2 with h = exp(-|x|).
/// derivative_from_output(y) = (1 - y)(1 + y). Odd: tanh(-0) = -0.
struct tanh : unary<tanh> {
  static constexpr std::string_view name = "tanh";
  static constexpr accuracy bound{1.5, 5.5, 1.5, 3.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t derivative_interleave = 4;

  template <class B> B eval(B x) const noexcept { return math::tanh(x); }
  template <class B> B eval_derivative(B x) const noexcept {
    using T = typename B::value_type;
    const B a = xsimd::abs(x);
    // |x| <= 43 / 354 in every lane (false for NaN): 2|x| is in exp_in_range's range.
    const auto near = a <= B(sizeof(T) == 4 ? T(43) : T(354));
    const B e = math::exp_in_range<math::exp_use::derivative>(B(-2) * a);
    const B d = B(4) * math::sigmoid_slope_of(e);
    return math::plain_or(near, d, [&] {
      const B two_h = B(2) * math::exp(-a);
      return xsimd::select(a > B(sizeof(T) == 4 ? T(43) : T(354)), two_h * two_h,
                           B(4) * math::sigmoid_slope(B(2) * x));
    });
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return (B(1) - y) * (B(1) + y);
  }
};

/// softsign(x) = x / (1 + |x|)                            torch.nn.Softsign
/// f'(x) = 1 / (1 + |x|)^2; derivative_from_output(y) = (1 - |y|)^2.
/// Limits: f(+-inf) = +-1. Odd: softsign(-0) = -0.
struct softsign : unary<softsign> {
  static constexpr std::string_view name = "softsign";
  static constexpr accuracy bound{2, 4, 2, 4};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  template <class B> B eval(B x) const noexcept {
    // +-inf clamped to +-max, where 1 + |x| rounds to |x| and the quotient is exactly +-1 (as
    // for every |x| >= 2^24 in float, 2^53 in double) instead of inf / inf. NaN passes the
    // clamp as it is (maxps/minps return their second operand when either is NaN).
    const B big(std::numeric_limits<typename B::value_type>::max());
    const B c = xsimd::min(big, xsimd::max(-big, x));
    return c / (B(1) + xsimd::abs(c));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B d = B(1) + xsimd::abs(x);
    return B(1) / (d * d);
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    const B d = B(1) - xsimd::abs(y);
    return d * d;
  }
};

/// hardtanh(x) = min_val for x < min_val, max_val for x > max_val, else x.
///                                                        torch.nn.Hardtanh(min_val=-1, max_val=1)
/// f'(x) = 1 strictly inside (min_val, max_val), 0 elsewhere (also at the kinks, as PyTorch).
/// derivative_from_output(y) = 1 where min_val < y < max_val, else 0.
/// Requires min_val < max_val. Inside the interval x is returned as is (so -0 stays -0).
struct hardtanh : unary<hardtanh> {
  static constexpr std::string_view name = "hardtanh";
  static constexpr accuracy bound{0, 0, 0, 0};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double min_val = -1.0;
  double max_val = 1.0;

  hardtanh() = default;
  hardtanh(double min_val_, double max_val_) : min_val(min_val_), max_val(max_val_) {
    detail::require_finite(name, "min_val", min_val);
    detail::require_finite(name, "max_val", max_val);
    if (!(min_val < max_val))
      detail::fail(name, "min_val must be less than max_val (got min_val = ", min_val,
                   ", max_val = ", max_val, ")");
  }

  template <class B> B eval(B x) const noexcept {
    const B lo = detail::splat<B>(min_val), hi = detail::splat<B>(max_val);
    // x86 maxps/minps return their second operand when either is NaN or both are zero: x
    // passes through both, NaN and signed zeros as they are (x = -0 with min_val = 0 stays -0).
    return xsimd::min(hi, xsimd::max(lo, x));
  }
  template <class B> B eval_derivative(B x) const noexcept { return inside(x); }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return inside(y); }

 private:
  template <class B> B inside(B v) const noexcept {
    const B lo = detail::splat<B>(min_val), hi = detail::splat<B>(max_val);
    v = detail::in_register(v);
    return detail::keep_nan(v, B(v > lo && v < hi));  // B(mask): 1 or 0
  }
};

}  // namespace actfn
