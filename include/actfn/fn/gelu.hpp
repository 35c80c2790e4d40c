// SPDX-License-Identifier: MIT
// The Gaussian error linear units: gelu (exact, erf form) and gelu_tanh (tanh approximation).
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/unary.hpp"
#include "actfn/math/erfc.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// gelu(x) = x * Phi(x), Phi the standard normal CDF      torch.nn.GELU(approximate='none')
/// f'(x) = Phi(x) + x * phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
/// Both come from actfn/math/erfc.hpp, a SIMD kernel (see there for the method); measured worst
/// errors 0.61 / 0.60 ULP (float value / derivative) and 0.67 / 0.74 ULP (double).
/// Limits: f(-inf) = -0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1; f has the sign of x
/// (f(-0) = -0).
struct gelu : unary<gelu> {
  static constexpr std::string_view name = "gelu";
  static constexpr accuracy bound{1, 1, 1, 1};

  template <class B> B eval(B x) const noexcept { return math::x_times_normal_cdf(x); }
  template <class B> B eval_derivative(B x) const noexcept {
    return math::x_times_normal_cdf_slope(x);
  }
};

/// gelu_tanh(x) = x/2 * (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
///                                                        torch.nn.GELU(approximate='tanh')
/// Evaluated as x * sigmoid(2u) (the same value; no cancellation for negative x).
/// f'(x) = sigmoid(2u) + x * 2 sigmoid'(2u) * u'(x), u'(x) = sqrt(2/pi) (1 + 3 * 0.044715 x^2).
/// Known weakness: for x < about -5, rounding u to the element type costs |2u| ULPs of the
/// tiny result (up to ~130 ULP in float near x = -9.6, ~1500 ULP in double near x = -20), hence
/// the loose forward bound; the derivative is unaffected at its O(1) scale.
struct gelu_tanh : unary<gelu_tanh> {
  static constexpr std::string_view name = "gelu_tanh";
  static constexpr accuracy bound{160, 3, 2000, 3};

  template <class B> B eval(B x) const noexcept { return math::x_times_sigmoid(x, B(2) * u(x)); }
  template <class B> B eval_derivative(B x) const noexcept {
    const B two_u = B(2) * u(x);
    const B du = detail::splat<B>(k_sqrt_2_over_pi) *
                 (B(1) + detail::splat<B>(3 * k_cubic) * x * x);
    // sigmoid'(2u) vanishes (exactly 0) before du overflows, so both products take the limit.
    const B tail = math::times_vanishing(du, B(2) * math::sigmoid_slope(two_u));
    return math::sigmoid(two_u) + math::times_vanishing(x, tail);
  }

 private:
  static constexpr double k_sqrt_2_over_pi = 0.79788456080286535587989211986876;
  static constexpr double k_cubic = 0.044715;
  template <class B> static B u(B x) noexcept {
    return detail::splat<B>(k_sqrt_2_over_pi) * (x + detail::splat<B>(k_cubic) * x * x * x);
  }
};

}  // namespace actfn
