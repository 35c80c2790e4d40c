// SPDX-License-Identifier: MIT
// The swish family: swish (learnable beta), silu = swish with beta = 1, hardswish.
// The span-level backward that also returns d(loss)/d(beta): actfn/rowwise/swish.hpp.
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// swish(x) = x * sigmoid(beta * x)                       (Ramachandran et al. 2017), beta = 1
/// f'(x) = s + beta x s (1 - s) with s = sigmoid(beta x), as math::sigmoid_plus_slope (one
/// quotient, where sigmoid's hi + lo and sigmoid' would take a second). Far left (z = beta x
/// < -87.3 for float, -708.4 for double) f' = (1 + z) exp(z) to working precision, computed by
/// math::exp_times so that it stays accurate while the result is a normal number.
/// Limits (beta > 0): f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1; beta = 0 gives
/// x / 2 everywhere (f(+-inf) = +-inf, f' = 1/2).
struct swish : unary<swish> {
  static constexpr std::string_view name = "swish";
  static constexpr accuracy bound{2, 7.5, 2, 6.5};
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
    const B zx = z(x);
    const math::sigmoid_value<B> s = math::sigmoid_split_of(zx, math::exp_in_range(math::minus_abs(zx)));
    // hi > 0 and x finite where |zx| is in range (beta = 0 gives zx = 0 also for x = +-inf,
    // whose hi = 1/2 and lo = 0: inf * 0 would be NaN, so that case takes the edge path).
    const B fast = math::times_split_positive(x, s.split());
    return math::plain_or(math::in_plain_range(zx) && math::in_plain_range(x), fast,
                          [&] { return math::x_times_sigmoid(x, zx); });
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B zx = z(x);
    const B fast = math::sigmoid_plus_slope(
        zx, math::exp_in_range<math::exp_use::derivative>(math::minus_abs(zx)));
    // x itself must be in range too: with beta = 0, z is 0 also for x = NaN, whose f' is NaN.
    const auto plain = math::in_plain_range(zx) && math::in_plain_range(x);
    return math::plain_or(plain, fast, [&] {
      using T = typename B::value_type;
      const math::sigmoid_value<B> se = math::sigmoid_split(zx);
      const B d = (se.hi + se.lo) + math::times_vanishing(zx, math::sigmoid_slope_of(se.e));
      const auto deep = zx < B(math::exp_normal_min<T>) &&
                        zx != B(-std::numeric_limits<T>::infinity());
      return detail::keep_nan(x, xsimd::select(deep, math::exp_times(B(1) + zx, zx), d));
    });
  }

 private:
  // beta * x, with beta = 0 giving 0 also for x = +-inf; x itself for the default beta = 1
  // (the same bits, without the product and the select).
  template <class B> B z(B x) const noexcept {
    return beta == 1 ? x : math::times_vanishing(x, detail::splat<B>(beta));
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
    // 1); NaN passes both clamps (maxps/minps return their second operand when either is NaN).
    using T = typename B::value_type;
    const B xc = xsimd::max(B(-3), x);
    return xc * (xsimd::min(xc + B(3), B(6)) * B(T(1) / T(6)));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    x = detail::in_register(x);
    // (2x + 3) / 6 rather than x / 3 + 1/2: no cancellation near the zero at x = -1.5.
    const B mid = (B(2) * x + B(3)) / B(6);
    return xsimd::select(x < B(-3), B(0), xsimd::select(x <= B(3), mid, detail::keep_nan(x, B(1))));
  }
};

}  // namespace actfn
