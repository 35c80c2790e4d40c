// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "actfn/core/unary.hpp"
#include "actfn/fn/swish.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// mish(x) = x * tanh(softplus(x))                        torch.nn.Mish (Misra 2019)
/// With e = exp(x) and n = e (e + 2): tanh(softplus(x)) = n / (n + 2), one exp and one
/// division, accurate in both tails (no log1p(exp) to round, no cancellation for x << 0), the
/// quotient kept as hi + lo (see eval).
/// For x > 20, tanh(softplus(x)) is 1 to double precision and f(x) = x, f'(x) = 1.
/// f'(x) = t + x * sigmoid(x) * sech^2(softplus(x)), t = n / (n + 2),
///   sech^2(softplus(x)) = 1 - t^2 = 4 (n + 1) / (n + 2)^2.
/// Far left (x < -87.3 for float, -708.4 for double) both mish and mish' equal silu's to working
/// precision (x exp(x) and (1 + x) exp(x)), and silu's tail code keeps them accurate while the
/// results are normal numbers.
/// Limits: f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1.
struct mish : unary<mish> {
  static constexpr std::string_view name = "mish";
  static constexpr accuracy bound{3, 7.5, 2.5, 6};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 4;
  static constexpr std::size_t derivative_interleave = 2;

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    // Every lane above -87.3 / -708.3 (false for NaN), the common case: exp_in_range and none
    // of the checks for the far left tail; those lanes get the same bits on the edge path.
    const B xc = xsimd::select(x > B(k_linear), B(k_linear), x);
    const math::split_value<B> t = tanh_softplus(math::exp_in_range(xc));
    // hi > 0 and x finite where x is in range (x > k_linear is x itself).
    const B fast = math::times_split_positive(x, t);
    return math::plain_or(x > B(-math::exp_plain<T>), xsimd::select(x > B(k_linear), x, fast), [&] {
      const B body = math::times_split(x, tanh_softplus(math::exp_fast(xc)));
      // Where exp(x) underflows, n / (n + 2) = exp(x) = sigmoid(x) to working precision, and
      // x * sigmoid(x) keeps the product accurate while it is still a normal number.
      const auto deep = x < B(math::exp_normal_min<T>);
      return xsimd::select(x > B(k_linear), x,
                           xsimd::select(deep, math::x_times_sigmoid(x, x), body));
    });
  }
  template <class B> B eval_derivative(B x) const noexcept {
    // With e = exp(x) and d = e (e + 2) + 2: t = e (e + 2) / d, sigmoid(x) sech^2(sp) =
    // 4 e (e + 1) / d^2, so f' = e ((e + 2) d + 4 x (e + 1)) / d^2: one sum that cancels near
    // the zero crossing (instead of two rounded terms), the rest products and one division.
    const B e = math::exp_fast(xsimd::select(x > B(k_linear), B(k_linear), x));
    const B ep2 = e + B(2);
    const B d = math::fused(e, ep2, B(2));
    // (e + 2) d + 4 x (e + 1) cancels by up to a factor of 3.3 left of the window: both
    // products are summed with their exact rounding errors.
    const B ep1 = e + B(1);
    const B a = math::rounded(ep2 * d);
    const B b = math::rounded(B(4) * x * ep1);
    const B ab_err = math::product_error(ep2, d, a) + math::product_error(B(4) * x, ep1, b);
    const B p = (a + b) + ab_err;
    const B slope = math::times_vanishing(p, e) / (d * d);
    using T = typename B::value_type;
    const auto deep = x < B(math::exp_normal_min<T>);
    const B tail = xsimd::any(deep) ? xsimd::select(deep, silu{}.eval_derivative(x), slope) : slope;
    return xsimd::select(x > B(k_linear), B(1), tail);
  }
  /// dy f'(x); where f' is below the normal range (far left), silu's: dy (1 + x) exp(x).
  template <class B> B eval_backward(B x, B dy) const noexcept {
    using T = typename B::value_type;
    return math::backward_tail(dy, eval_derivative(x), x < B(math::exp_normal_min<T>),
                               [&] { return silu{}.eval_backward(x, dy); });
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: from t = exp(-|x|) by math::fast's short
  /// exp (no overflow on either side), rho = tanh(softplus(x)) = (1 + 2t) / (1 + 2t + 2t^2)
  /// for x >= 0 and t (t + 2) / (t (t + 2) + 2) below, and q = 1 - rho = 2t^2 / D or 2 / D,
  /// one reciprocal of D: no cancellation on either side. f = x rho, 0 where rho is 0
  /// (x = -inf); f' = rho + x q (1 + rho) sigmoid(x) (sech^2 = q (1 + rho)), x clamped to
  /// [-110, 110] there (beyond, f' is 0 or 1 to far below the floor, and exp(-110) is 0).
  /// Double: the precise kernels. Bound in the fast measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{3, 4, 2.5, 6};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      B rho, q, t;
      fast_parts(x, rho, q, t);
      return math::times_vanishing(x, rho);
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B xc = xsimd::min(B(110), xsimd::max(B(-110), x));
      B rho, q, t;
      fast_parts(xc, rho, q, t);
      const B r = math::fast::reciprocal(B(1) + t);
      const B sig = xsimd::select(xc < B(0), t * r, r);
      return math::fused(xc * q, (B(1) + rho) * sig, rho);
    } else {
      return eval_derivative(x);
    }
  }

 private:
  static constexpr double k_linear = 20;

  /// rho = tanh(softplus(x)), q = 1 - rho and t = exp(-|x|) for the fast tier (see there).
  template <class B> static void fast_parts(B x, B& rho, B& q, B& t) noexcept {
    t = math::fast::exp_nonpositive(math::minus_abs(x));
    const auto neg = x < B(0);
    const B two_t2 = B(2) * (t * t);
    const B num = xsimd::select(neg, math::fused(t, t, B(2) * t), math::fused(B(2), t, B(1)));
    const B rest = xsimd::select(neg, B(2), two_t2);
    const B r = math::fast::reciprocal(num + rest);
    rho = num * r;
    q = rest * r;
  }

  /// tanh(softplus(x)) = n / (n + 2), n = e (e + 2), from e = exp(x), as hi + lo: n is rounded
  /// once; the quotient comes from math::reciprocal_estimate, and d = n + 2's exact error and
  /// the quotient's remainder are recovered as in math::sigmoid_split; so x t is rounded once
  /// more, not five times.
  template <class B> static math::split_value<B> tanh_softplus(B e) noexcept {
    const B n = math::fused(e, e, B(2) * e);
    const B d = n + B(2);
    // n + 2 = d + d_err exactly, the larger of the two terms first (n >= 0 here).
    const B d_err = math::sum_error(xsimd::max(n, B(2)), xsimd::min(n, B(2)), d);
    const B inv_d = math::reciprocal_estimate(d);
    const B q = math::rounded(n * inv_d);
    return {q, (math::division_remainder(n, d, q) - q * d_err) * inv_d};
  }
};

}  // namespace actfn
