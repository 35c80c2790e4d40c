// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "actfn/core/unary.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// mish(x) = x * tanh(softplus(x))                        torch.nn.Mish (Misra 2019)
/// With e = exp(x) and n = e (e + 2): tanh(softplus(x)) = n / (n + 2), one exp and one
/// division, accurate in both tails (no log1p(exp) to round, no cancellation for x << 0).
/// For x > 20, tanh(softplus(x)) is 1 to double precision and f(x) = x, f'(x) = 1.
/// f'(x) = t + x * sigmoid(x) * sech^2(softplus(x)), t = n / (n + 2),
///   sech^2(softplus(x)) = 1 - t^2 = 4 (n + 1) / (n + 2)^2.
/// Limits: f(-inf) = 0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1.
struct mish : unary<mish> {
  static constexpr std::string_view name = "mish";
  static constexpr accuracy bound{4, 3, 4, 3};

  template <class B> B eval(B x) const noexcept {
    const B n = exp_term(x);
    const B body = math::times_vanishing(x, n / (n + B(2)));
    // Where exp(x) underflows, n / (n + 2) = exp(x) = sigmoid(x) to working precision, and
    // x * sigmoid(x) keeps the product accurate while it is still a normal number.
    using T = typename B::value_type;
    const B tail = xsimd::select(x < B(sizeof(T) == 4 ? T(-80) : T(-700)), math::x_times_sigmoid(x, x), body);
    return xsimd::select(x > B(k_linear), x, tail);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B n = exp_term(x);
    const B d = n + B(2);
    const B sech2 = B(4) * (n + B(1)) / (d * d);
    const B slope = n / d + math::times_vanishing(x, math::sigmoid(x) * sech2);
    return xsimd::select(x > B(k_linear), B(1), slope);
  }

 private:
  static constexpr double k_linear = 20;
  template <class B> static B exp_term(B x) noexcept {
    const B e = xsimd::exp(xsimd::select(x > B(k_linear), B(k_linear), x));
    return e * (e + B(2));
  }
};

}  // namespace actfn
