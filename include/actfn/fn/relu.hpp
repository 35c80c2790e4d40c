// SPDX-License-Identifier: MIT
// The ReLU family (elementwise): relu, relu6, leaky_relu, prelu (one shared weight),
// rrelu (evaluation mode), threshold. Per-channel prelu and training-mode rrelu work on whole
// buffers: see actfn/rowwise/prelu.hpp and actfn/rowwise/rrelu.hpp.
#pragma once

#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// relu(x) = max(x, 0)                                    torch.nn.ReLU
/// f'(x) = 1 for x > 0, else 0 (0 at the kink, as PyTorch). derivative_from_output(y) = [y > 0].
/// relu(-0) = +0; NaN propagates (unlike a max-based clamp).
struct relu : unary<relu> {
  static constexpr std::string_view name = "relu";
  static constexpr accuracy bound{0, 0, 0, 0};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  template <class B> B eval(B x) const noexcept {
    x = detail::in_register(x);
    return detail::zero_where(x <= B(0), x);  // not max(x, 0): that gives 0 for NaN
  }
  template <class B> B eval_derivative(B x) const noexcept { return positive(x); }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return positive(y); }

 private:
  template <class B> static B positive(B v) noexcept {
    v = detail::in_register(v);
    return detail::keep_nan(v, B(v > B(0)));  // B(mask): 1 where it holds, else 0
  }
};

/// relu6(x) = min(max(x, 0), 6)                           torch.nn.ReLU6
/// f'(x) = 1 strictly inside (0, 6), else 0 (0 at both kinks, as PyTorch).
/// derivative_from_output(y) = [0 < y < 6]. relu6(-0) = +0.
struct relu6 : unary<relu6> {
  static constexpr std::string_view name = "relu6";
  static constexpr accuracy bound{0, 0, 0, 0};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  template <class B> B eval(B x) const noexcept {
    // relu, then min(6, r), which returns its second operand r when either is NaN.
    return detail::min_or_x(B(6), relu{}.eval(x));
  }
  template <class B> B eval_derivative(B x) const noexcept { return inside(x); }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return inside(y); }

 private:
  template <class B> static B inside(B v) noexcept {
    v = detail::in_register(v);
    return detail::keep_nan(v, B(v > B(0) && v < B(6)));
  }
};

/// leaky_relu(x) = x for x >= 0, negative_slope * x otherwise.
///                                                        torch.nn.LeakyReLU(negative_slope=0.01)
/// f'(x) = 1 for x > 0, negative_slope for x <= 0 (the slope at the kink, as PyTorch).
/// derivative_from_output(y) = 1 for y > 0, else negative_slope; it needs
/// negative_slope >= 0 (otherwise y's sign does not tell the branch) and throws otherwise.
/// leaky_relu(-0) = -0.
struct leaky_relu : unary<leaky_relu> {
  static constexpr std::string_view name = "leaky_relu";
  static constexpr accuracy bound{1, 1, 1, 1};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double negative_slope = 0.01;

  leaky_relu() = default;
  explicit leaky_relu(double negative_slope_) : negative_slope(negative_slope_) {
    detail::require_finite(name, "negative_slope", negative_slope);
  }

  template <class B> B eval(B x) const noexcept {
    // x < 0 ? s * x : x as one max (s <= 1) or min (s > 1): for s <= 1, s * x >= x where x < 0
    // and s * x <= x where x > 0 (rounding cannot carry |s * x| past |x|); for s > 1 both flip.
    // max_or_x/min_or_x return their second operand x when either is NaN or both are zero, so
    // NaN and +-0 come through as x. A zero slope gives +0 for every x < 0, -inf included (the
    // limit, not -inf * 0 = NaN); a NaN slope (weights are data, actfn/rowwise/prelu.hpp) gives
    // NaN there. The branch on the slope is the same for every batch.
    using T = typename B::value_type;
    const T s = static_cast<T>(negative_slope);
    x = detail::in_register(x);
    if (s == 0) return detail::max_or_x(B(0), x);
    if (s <= 1) return detail::max_or_x(x * B(s), x);
    if (s > 1) return detail::min_or_x(x * B(s), x);
    return xsimd::select(x < B(0), x * B(s), x);
  }
  template <class B> B eval_derivative(B x) const noexcept {
    x = detail::in_register(x);
    return detail::keep_nan(x, xsimd::select(x > B(0), B(1), detail::splat<B>(negative_slope)));
  }
  template <class B> B eval_derivative_from_output(B y) const {
    if (negative_slope < 0)
      detail::fail(name, "derivative_from_output needs negative_slope >= 0 (got ",
                   negative_slope, ")");
    return eval_derivative(y);
  }
};

/// prelu(x) = x for x >= 0, weight * x otherwise, with one weight shared by all elements.
///                                                      torch.nn.PReLU(num_parameters=1, init=0.25)
/// Same formulas as leaky_relu with negative_slope = weight; derivative_from_output needs
/// weight >= 0. Per-channel weights and the weight gradient: actfn/rowwise/prelu.hpp.
struct prelu : unary<prelu> {
  static constexpr std::string_view name = "prelu";
  static constexpr accuracy bound{1, 1, 1, 1};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double weight = 0.25;

  prelu() = default;
  explicit prelu(double weight_) : weight(weight_) {
    detail::require_finite(name, "weight", weight);
  }

  template <class B> B eval(B x) const noexcept { return as_leaky().eval(x); }
  template <class B> B eval_derivative(B x) const noexcept { return as_leaky().eval_derivative(x); }
  template <class B> B eval_derivative_from_output(B y) const {
    if (weight < 0)
      detail::fail(name, "derivative_from_output needs weight >= 0 (got ", weight, ")");
    return as_leaky().eval_derivative(y);
  }

 private:
  leaky_relu as_leaky() const noexcept {
    leaky_relu l;
    l.negative_slope = weight;
    return l;
  }
};

/// rrelu in evaluation mode: leaky_relu with negative_slope = (lower + upper) / 2.
///                                                        torch.nn.RReLU(lower=1/8, upper=1/3)
/// Requires lower <= upper. Training mode (a random slope per element drawn from
/// U(lower, upper)) works on whole buffers: actfn/rowwise/rrelu.hpp.
struct rrelu : unary<rrelu> {
  static constexpr std::string_view name = "rrelu";
  static constexpr accuracy bound{1, 1, 1, 1};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double lower = 1.0 / 8.0;
  double upper = 1.0 / 3.0;

  rrelu() = default;
  rrelu(double lower_, double upper_) : lower(lower_), upper(upper_) {
    detail::require_finite(name, "lower", lower);
    detail::require_finite(name, "upper", upper);
    if (!(lower <= upper))
      detail::fail(name, "lower must not exceed upper (got lower = ", lower, ", upper = ", upper,
                   ")");
  }

  /// The slope used for negative inputs in evaluation mode.
  double eval_slope() const noexcept { return (lower + upper) / 2; }

  template <class B> B eval(B x) const noexcept { return as_leaky().eval(x); }
  template <class B> B eval_derivative(B x) const noexcept { return as_leaky().eval_derivative(x); }
  template <class B> B eval_derivative_from_output(B y) const {
    if (eval_slope() < 0)
      detail::fail(name, "derivative_from_output needs (lower + upper) / 2 >= 0 (got ",
                   eval_slope(), ")");
    return as_leaky().eval_derivative(y);
  }

 private:
  leaky_relu as_leaky() const noexcept {
    leaky_relu l;
    l.negative_slope = eval_slope();
    return l;
  }
};

/// threshold(x) = x for x > threshold, else value.       torch.nn.Threshold(threshold, value)
/// PyTorch has no defaults; actfn's are threshold = 0, value = 0 (which is relu).
/// f'(x) = 1 for x > threshold, else 0 (0 at the kink). derivative_from_output(y) = [y > threshold]
/// is only right when value <= threshold, and throws otherwise (and where value and threshold
/// round to the same element above threshold, that y is also an x above it: it gives 1).
/// x > threshold is decided exactly against the double parameter, also where it is not
/// representable in the element type T: with t = T(threshold) rounded to nearest, no T lies
/// strictly between t and threshold, so x > threshold is x > t where t <= threshold and x >= t
/// where t rounded upwards. The value below it is value rounded to T: exact for the defaults
/// and for double, half an ULP of float at most for other values (parameter_bound).
struct threshold : unary<threshold> {
  static constexpr std::string_view name = "threshold";
  static constexpr accuracy bound{0, 0, 0, 0};
  static constexpr accuracy parameter_bound{0.5, 0, 0, 0};  // T(value): see above
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  double thresh = 0.0;  // PyTorch's "threshold" (a member cannot share the type's name)
  double value = 0.0;   // PyTorch's "value"

  threshold() = default;
  threshold(double thresh_, double value_) : thresh(thresh_), value(value_) {
    detail::require_finite(name, "threshold", thresh);
    detail::require_finite(name, "value", value);
  }

  template <class B> B eval(B x) const noexcept {
    using T = typename B::value_type;
    const T t = static_cast<T>(thresh);
    // Comparisons are false for NaN, which passes as x.
    if (t > thresh) return xsimd::select(x < B(t), detail::splat<B>(value), x);
    return xsimd::select(x <= B(t), detail::splat<B>(value), x);
  }
  template <class B> B eval_derivative(B x) const noexcept { return above(x); }
  template <class B> B eval_derivative_from_output(B y) const {
    if (value > thresh)
      detail::fail(name, "derivative_from_output needs value <= threshold (got threshold = ",
                   thresh, ", value = ", value, ")");
    return above(y);
  }

 private:
  template <class B> B above(B v) const noexcept {
    using T = typename B::value_type;
    const T t = static_cast<T>(thresh);
    v = detail::in_register(v);
    if (t > thresh) return detail::keep_nan(v, B(v >= B(t)));  // B(mask): 1 or 0
    return detail::keep_nan(v, B(v > B(t)));
  }
};

}  // namespace actfn
