// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// softplus(x) = log1p(exp(beta x)) / beta, and x where beta x > threshold.
///                                                        torch.nn.Softplus(beta=1, threshold=20)
/// f'(x) = sigmoid(beta x), and 1 where beta x > threshold (the log1p branch at the switch);
/// sigmoid as math::sigmoid_short (one quotient, cheaper than sigmoid's hi + lo and within the
/// derivative's target).
/// derivative_from_output(y) = 1 - exp(-beta y), and 1 where beta y > threshold (PyTorch's
/// formula from the output; just above the switch, within exp(-threshold), y cannot tell
/// which branch made it). Requires beta > 0. The documented bounds are for beta = 1 (any power
/// of two): other values round beta * x, which costs up to |beta x| ULPs in the left tail.
/// Limits: f(-inf) = 0, f(+inf) = +inf; softplus(100) = 100.
struct softplus : unary<softplus> {
  static constexpr std::string_view name = "softplus";
  static constexpr accuracy bound{2, 3.5, 1.5, 2.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 4;

  double beta = 1.0;
  double threshold = 20.0;

  softplus() = default;
  explicit softplus(double beta_, double threshold_ = 20.0) : beta(beta_), threshold(threshold_) {
    detail::require(beta > 0, name, "beta", beta, "> 0");
    detail::require_finite(name, "threshold", threshold);
  }

  template <class B> B eval(B x) const noexcept {
    // The default beta = 1 skips the product and the quotient (the same bits).
    const B z = beta == 1 ? x : detail::splat<B>(beta) * x;
    // max(z, 0) + log1p(exp(-|z|)): log(1 + e^z) without overflow for any threshold.
    const B sum = xsimd::max(z, B(0)) + math::log1p_unit(math::exp_fast(math::minus_abs(z)));
    const B smooth = beta == 1 ? sum : sum / detail::splat<B>(beta);
    return xsimd::select(z > detail::splat<B>(threshold), x, smooth);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    const B z = beta == 1 ? x : detail::splat<B>(beta) * x;
    return xsimd::select(z > detail::splat<B>(threshold), B(1), math::sigmoid_short(z));
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    const B z = detail::splat<B>(beta) * y;
    return xsimd::select(z > detail::splat<B>(threshold), B(1), -math::expm1(-z));
  }
};

}  // namespace actfn
