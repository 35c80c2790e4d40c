// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// softplus(x) = log1p(exp(beta x)) / beta, and x where beta x > threshold.
///                                                        torch.nn.Softplus(beta=1, threshold=20)
/// f'(x) = sigmoid(beta x), and 1 where beta x > threshold (the log1p branch at the switch);
/// sigmoid as math::sigmoid_short (one quotient, cheaper than sigmoid's hi + lo and within the
/// derivative's target).
/// derivative_from_output(y) = 1 - exp(-beta y), and 1 where beta y > threshold (PyTorch's
/// formula from the output; just above the switch, within exp(-threshold), y cannot tell
/// which branch made it). Requires beta > 0.
/// A beta that is not a power of two: z = beta x is rounded, which would cost up to |z| ULPs
/// where softplus(z) ~ exp(z), so z's rounding error dz (with beta's own, beta held as
/// hi + lo) is carried to first order: softplus(z + dz) = softplus(z) + dz sigmoid(z) and
/// sigmoid(z + dz) = sigmoid(z) (1 + dz (1 - sigmoid(z))); the quotient by beta is corrected
/// for beta's low part. The default beta = 1 skips all of it (the same bits).
/// Far left, where exp(z) is below the normal range (z < -87.3 / -708.4), f = exp(z) / beta
/// and f' = exp(z) to working precision, rounded to subnormal numbers by exp_times, not flushed;
/// dy f' likewise (eval_backward).
/// Limits: f(-inf) = 0, f(+inf) = +inf; softplus(100) = 100.
struct softplus : unary<softplus> {
  static constexpr std::string_view name = "softplus";
  static constexpr accuracy bound{2, 3.5, 1.5, 2.5};
  /// For beta other than 1: the quotient by beta and the correction round once more each.
  static constexpr accuracy parameter_bound{3.5, 4, 3, 3};
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
    using T = typename B::value_type;
    if (beta == 1) {  // the default: no product, no quotient, no correction
      // max(x, 0) + log1p(exp(-|x|)): log(1 + e^x) without overflow for any threshold.
      const B sum = xsimd::max(x, B(0)) + math::log1p_unit(math::exp_fast(math::minus_abs(x)));
      const B r = xsimd::select(x > detail::splat<B>(threshold), x, sum);
      const auto deep = x < B(math::exp_normal_min<T>);  // false for NaN
      if (!xsimd::any(deep)) return r;
      return xsimd::select(deep, math::exp_times(B(1), x), r);
    }
    const math::parameter<B> b(beta);
    const B z = b.hi * x;
    const B dz = math::product_correction(x, b, z);
    const B e = math::exp_fast(math::minus_abs(z));
    const B sum = xsimd::max(z, B(0)) + math::log1p_unit(e);
    // + dz sigmoid(z), sigmoid(z) = num / (1 + e)
    const B num = xsimd::select(z >= B(0), B(1), e);
    const B corrected = math::fused(dz, num / (B(1) + e), sum);
    // / (hi + lo) = / hi (1 - lo / hi) to first order
    const B q = corrected / b.hi;
    const B smooth = b.exact ? q : math::fused(q, detail::splat<B>(-beta_lo_ratio<T>()), q);
    const B r = xsimd::select(z > detail::splat<B>(threshold), x, smooth);
    const auto deep = z < B(math::exp_normal_min<T>);
    if (!xsimd::any(deep)) return r;
    // exp(z + dz) / beta
    return xsimd::select(deep, math::exp_times(B(1) / detail::splat<B>(beta), z, dz), r);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    if (beta == 1) {
      return xsimd::select(x > detail::splat<B>(threshold), B(1), math::sigmoid_short(x));
    }
    const math::parameter<B> b(beta);
    const B z = b.hi * x;
    const B dz = math::product_correction(x, b, z);
    const B s = math::sigmoid_short(z);
    return xsimd::select(z > detail::splat<B>(threshold), B(1),
                         math::fused(s, dz * (B(1) - s), s));
  }
  /// dy f'(x); where f' is below the normal range, dy exp(z + dz) rounded once (exp_times).
  template <class B> B eval_backward(B x, B dy) const noexcept {
    if (beta == 1) {
      return math::backward_tail(dy, eval_derivative(x), x < B(-20),
                                 [&] { return math::exp_times(dy, x); });
    }
    const math::parameter<B> b(beta);
    const B z = b.hi * x;
    return math::backward_tail(dy, eval_derivative(x), z < B(-20), [&] {
      return math::exp_times(dy, z, math::product_correction(x, b, z));
    });
  }
  /// Fast tier (actfn::fast, core/fast.hpp): the value is the precise one; f' in float is
  /// math::fast::sigmoid_alone(z), z = beta x rounded, 1 above the threshold, without the
  /// correction for z's rounding dz: |dz| <= 2^-24 |z| and sigmoid'(z) |z| <= 0.23, so it adds
  /// at most 0.23 units of 2^-24. Double: the precise kernels. Bounds in the fast measure (ULPs
  /// of max(|f|, 1/2)); the value's are the precise ones.
  static constexpr accuracy fast_bound{2, 2, 1.5, 2.5};
  static constexpr accuracy fast_parameter_bound{3.5, 2.5, 3, 3};
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B z = beta == 1 ? x : detail::splat<B>(beta) * x;
      return xsimd::select(z > detail::splat<B>(threshold), B(1), math::fast::sigmoid_alone(z));
    } else {
      return eval_derivative(x);
    }
  }

  template <class B> B eval_derivative_from_output(B y) const noexcept {
    const B z = detail::splat<B>(beta) * y;
    return xsimd::select(z > detail::splat<B>(threshold), B(1), -math::expm1(-z));
  }

 private:
  /// lo / hi of beta in T (beta = hi + lo, see math::parameter).
  template <class T> T beta_lo_ratio() const noexcept {
    const T hi = static_cast<T>(beta);
    return static_cast<T>((beta - static_cast<double>(hi)) / static_cast<double>(hi));
  }
};

}  // namespace actfn
