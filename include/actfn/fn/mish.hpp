// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "actfn/core/unary.hpp"
#include "actfn/fn/swish.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// mish(x) = x * tanh(softplus(x))                        torch.nn.Mish (Misra 2019)
/// With e = exp(x) and n = e (e + 2): tanh(softplus(x)) = n / (n + 2), one exp and one
/// division, accurate in both tails (no log1p(exp) to round, no cancellation for x << 0).
/// For x > 20, tanh(softplus(x)) is 1 to double precision and f(x) = x, f'(x) = 1.
/// f'(x) = t + x * sigmoid(x) * sech^2(softplus(x)), t = n / (n + 2),
///   sech^2(softplus(x)) = 1 - t^2 = 4 (n + 1) / (n + 2)^2.
/// Far left (x < -87.3 for float, -708.4 for double) both mish and mish' equal silu's to working
/// precision (x exp(x) and (1 + x) exp(x)), and silu's tail code keeps them accurate while the
/// results are normal numbers.
/// Limits: f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1.
struct mish : unary<mish> {
  static constexpr std::string_view name = "mish";
  static constexpr accuracy bound{4.5, 8, 4.5, 8};

  template <class B> B eval(B x) const noexcept {
    const B n = exp_term(x);
    const B body = math::times_vanishing(x, n / (n + B(2)));
    // Where exp(x) underflows, n / (n + 2) = exp(x) = sigmoid(x) to working precision, and
    // x * sigmoid(x) keeps the product accurate while it is still a normal number.
    using T = typename B::value_type;
    const B tail = xsimd::select(x < B(math::exp_normal_min<T>), math::x_times_sigmoid(x, x), body);
    return xsimd::select(x > B(k_linear), x, tail);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    // With e = exp(x) and d = e (e + 2) + 2: t = e (e + 2) / d, sigmoid(x) sech^2(sp) =
    // 4 e (e + 1) / d^2, so f' = e ((e + 2) d + 4 x (e + 1)) / d^2: one sum that cancels near
    // the zero crossing (instead of two rounded terms), the rest products and one division.
    const B e = math::exp(xsimd::select(x > B(k_linear), B(k_linear), x));
    const B ep2 = e + B(2);
    const B d = math::fused(e, ep2, B(2));
    const B p = math::fused(B(4) * x, e + B(1), ep2 * d);
    const B slope = math::times_vanishing(p, e) / (d * d);
    using T = typename B::value_type;
    const auto deep = x < B(math::exp_normal_min<T>);
    const B tail = xsimd::any(deep) ? xsimd::select(deep, silu{}.eval_derivative(x), slope) : slope;
    return xsimd::select(x > B(k_linear), B(1), tail);
  }

 private:
  static constexpr double k_linear = 20;
  template <class B> static B exp_term(B x) noexcept {
    const B e = math::exp(xsimd::select(x > B(k_linear), B(k_linear), x));
    return e * (e + B(2));
  }
};

}  // namespace actfn
