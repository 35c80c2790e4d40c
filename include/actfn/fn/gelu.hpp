// SPDX-License-Identifier: MIT
// The Gaussian error linear units: gelu (exact, erf form) and gelu_tanh (tanh approximation).
#pragma once

#include <limits>
#include <string_view>
#include <type_traits>

#include "actfn/core/unary.hpp"
#include "actfn/math/erfc.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/fma.hpp"
#include "actfn/math/lanes.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// gelu(x) = x * Phi(x), Phi the standard normal CDF      torch.nn.GELU(approximate='none')
/// f'(x) = Phi(x) + x * phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
/// Both come from actfn/math/erfc.hpp, a SIMD kernel (see there for the method): the value is
/// rounded essentially once; the float derivative is computed in float arithmetic where there is
/// FMA (its 8-ULP target allows it) and in double lanes without. Measured errors:
/// docs/accuracy.md.
/// Limits: f(-inf) = -0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1; f has the sign of x
/// (f(-0) = -0).
struct gelu : unary<gelu> {
  static constexpr std::string_view name = "gelu";
  static constexpr accuracy bound{1, 6.5, 1, 1};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t derivative_interleave = 2;

  template <class B> B eval(B x) const noexcept { return math::x_times_normal_cdf(x); }
  template <class B> B eval_derivative(B x) const noexcept {
    return math::x_times_normal_cdf_slope(x);
  }
  /// dy f'(x); where f' is below the normal range (x < -13.2 / -37.5), formed with dy before
  /// the final rounding (math::times_normal_cdf_slope).
  template <class B> B eval_backward(B x, B dy) const noexcept {
    return math::backward_tail(dy, eval_derivative(x), x < B(0),
                               [&] { return math::times_normal_cdf_slope(x, dy); });
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: c = Phi(-|x|) and e = exp(-x^2 / 2) by
  /// math::fast::normal_tail (a Mills-ratio rational times a short exp, one reciprocal);
  /// f = x c for x < 0 and x (1 - c) above, 0 where c is 0 (x = -inf); f' = Phi(x) + x e /
  /// sqrt(2 pi), x e taken as 0 where e is 0 (x = +-inf). Double: the precise kernels. Bound in
  /// the fast measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{2, 3.5, 1, 1};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      B c, e;
      math::fast::normal_tail(x, c, e);
      return math::times_vanishing(x, xsimd::select(x < B(0), c, B(1) - c));
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      B c, e;
      math::fast::normal_tail(x, c, e);
      const B cdf = xsimd::select(x < B(0), c, B(1) - c);
      const B inv_sqrt_2pi(float(0.3989422804014327));
      return math::fused(math::times_vanishing(x, e), inv_sqrt_2pi, cdf);
    } else {
      return eval_derivative(x);
    }
  }
};

/// gelu_tanh(x) = x/2 * (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
///                                                        torch.nn.GELU(approximate='tanh')
/// Evaluated as x * sigmoid(z), z = 2u (the same value; no cancellation for negative x).
/// f'(x) = s + x s (1 - s) z'(x) = s (1 + x z'(x) (1 - s)) with s = sigmoid(z),
/// z'(x) = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2); 1 - s = sigmoid(-z) from the same exp.
/// float: computed in double lanes (math::in_double_lanes), where no error needs carrying
/// because the final rounding to float dominates. With x clamped to [-20, 20] for z (beyond,
/// f rounds to -0 or x and f' to -0 or 1 in float), E = exp(-z) = 2^(-z log2 e) is formed by
/// math::exp2_short (2^-28.9 relative; |-z log2 e| <= 870); then
/// f = x / (1 + E) and f' = ((1 + E) + x z' E) / (1 + E)^2, each rounded to float once (float
/// subnormals included). Far left f and f' underflow gradually as the values do; (1 + E)^2
/// overflowing below x = -16.6 gives f' = -0, which it is in float there.
/// double: far left f is about x exp(z) with |z| up to ~745, so rounding z would cost |z| ULPs
/// of the result: z is formed as z + dz, dz its rounding error (exact products with FMA, or
/// Dekker's without; the constants as two parts), and both f and f' take dz to first order.
/// Where exp(z) leaves the normal range (z < -708.4) f' = (1 + x z'(x)) exp(z) to working
/// precision, computed by math::exp_times so that it stays accurate while f' is a normal number.
/// Limits: f(-inf) = -0, f(+inf) = +inf, f'(-inf) = 0, f'(+inf) = 1; f has the sign of x
/// (f(-0) = -0); NaN propagates.
struct gelu_tanh : unary<gelu_tanh> {
  static constexpr std::string_view name = "gelu_tanh";
  static constexpr accuracy bound{2.5, 7, 2, 5.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t interleave = 2;

  template <class B> B eval(B x) const noexcept {
    if constexpr (std::is_same_v<typename B::value_type, float>) {
      return math::in_double_lanes(x, [](auto d) {
        const lanes<decltype(d)> l = in_lanes(d);
        return l.x / l.d;
      });
    } else {
      const argument<B> z = two_u(x);
      return math::x_times_sigmoid(x, z.value, z.error);
    }
  }
  template <class B> B eval_derivative(B x) const noexcept {
    if constexpr (std::is_same_v<typename B::value_type, float>) {
      return math::in_double_lanes(x, [](auto d) { return derivative_lanes(d); });
    } else {
      return derivative_double(x, B(1));
    }
  }
  /// dy f'(x); where f' is below the normal range, dy joins before the final rounding: in the
  /// double lanes (float), or as exp_times's factor (double).
  template <class B> B eval_backward(B x, B dy) const noexcept {
    return math::backward_tail(dy, eval_derivative(x), x < B(0), [&] {
      if constexpr (std::is_same_v<typename B::value_type, float>) {
        return math::in_double_lanes(x, dy, [](auto d, auto g) { return g * derivative_lanes(d); });
      } else {
        return derivative_double(x, dy);
      }
    });
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: in float lanes, z = x (a + b x^2) rounded
  /// (which moves s = sigmoid(z) by |z| 2^-24 relative, below the absolute floor where s is
  /// small), f = x s by math::fast::sigmoid, 0 where s is 0 (x = -inf); f' = s (1 + x z' (1 -
  /// s)), z' = a + 3 b x^2, with x clamped to [-20, 20] (beyond, f' is 0 or 1 in float, and
  /// the clamp keeps inf * 0 out). Double: the precise kernels. Bound in the fast measure
  /// (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{2.5, 3.5, 2, 5.5};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B z = x * math::fused(B(float(k_b<float>.hi)), x * x, B(float(k_a<float>.hi)));
      return math::times_vanishing(x, math::fast::sigmoid(z));
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      const B xc = xsimd::min(B(20), xsimd::max(B(-20), x));
      const B x2 = xc * xc;
      const B a(float(k_a<float>.hi)), b(float(k_b<float>.hi));
      const B z = xc * math::fused(b, x2, a);
      B s, c;
      math::fast::logistic(z, s, c);
      const B xdz = xc * math::fused(B(3) * b, x2, a);
      return s * math::fused(xdz, c, B(1));
    } else {
      return eval_derivative(x);
    }
  }

 private:
  /// f'(x) for float x in double lanes.
  template <class D> static D derivative_lanes(D x) noexcept {
    const lanes<D> l = in_lanes(x);
    // x z'(x), z' = a + 3 b x^2 (a, b as below)
    const D xdz = l.xc * math::fused(D(3 * k_b<double>.hi), l.xc * l.xc, D(k_a<double>.hi));
    return math::fused(xdz, l.e, l.d) / (l.d * l.d);
  }
  /// factor f'(x) in double: factor is 1 (the derivative) or dy (backward), applied in the far
  /// left tail before exp_times's rounding (elsewhere f' is a normal number, and the caller
  /// multiplies).
  template <class B> static B derivative_double(B x, B factor) noexcept {
    using T = typename B::value_type;
    const argument<B> z = two_u(x);
    const B dz = z.error;
    // f' = s (1 + x z' (1 - s)) at z + dz: s (1 + dz (1 - s)) for s; the correction to 1 - s
    // (-dz s (1 - s)) is far below one ULP of the second factor and left out.
    const math::sigmoid_value<B> s = math::sigmoid_split(z.value);
    const B t = math::sigmoid_complement(z.value, s);  // 1 - s
    const B s_at = s.hi + math::fused(s.hi * dz, t, s.lo);
    const B dzdx = math::fused(detail::splat<B>(3 * k_b<T>.hi) * x, x, detail::splat<B>(k_a<T>.hi));
    // x z' = xdz + xdz_err exactly; 1 + x z' t cancels near the window (by up to a factor of
    // 2.5), so its product's rounding is kept.
    const B xdz = math::rounded(x * dzdx);
    const B xdz_err = math::product_error(x, dzdx, xdz);
    // t = 0 (x far right, +inf included) gives 1, and s = 0 (far left, -inf) gives 0, the
    // limits, where x z' may be infinite.
    const B slope_factor =
        xsimd::select(t == B(0), B(1), math::fused(xdz, t, math::fused(xdz_err, t, B(1))));
    const B d = math::times_vanishing(slope_factor, s_at);
    // Where exp(z) leaves the normal range: (1 + x z') (1 + dz) exp(z).
    // Below z = -1024 (-inf included) f' is 0 as computed.
    const auto deep = z.value < B(math::exp_normal_min<T>) && z.value > B(-1024);
    if (!xsimd::any(deep)) return factor * d;
    const B g = xdz + B(1);
    return xsimd::select(deep, math::exp_times(factor * math::fused(g, dz, g), z.value), factor * d);
  }

  // ---- float, in double lanes ----
  static constexpr double k_neg_a_log2e = -0x1.26aec21bce759p+1;  // -a log2 e
  static constexpr double k_neg_b_log2e = -0x1.a5a7cf7572a98p-4;  // -b log2 e
  static constexpr double k_x_max = 20;  // z(20) = 603: f = x, f' = 1, -0 at -20 (in float)
  template <class D>
  struct lanes {
    D x;   // x, raised to -20 (f rounds to -0 in float for all x below)
    D xc;  // x clamped to [-20, 20]
    D e;   // exp(-z(xc)), 2^-28.9 relative
    D d;   // 1 + e
  };
  // For x a float in double lanes. NaN passes through both clamps (MAXPD/MINPD return their
  // second operand when either is NaN, and xsimd passes them in this order), so f, f' are NaN.
  template <class D> static lanes<D> in_lanes(D x) noexcept {
    const D xm = xsimd::max(D(-k_x_max), x);
    const D xc = xsimd::min(D(k_x_max), xm);
    // exp(-z) = 2^w, w = -z log2 e = x (-a log2 e - b log2 e x^2), |w| <= 870.
    const D e = math::exp2_short(xc * math::fused(D(k_neg_b_log2e), xc * xc, D(k_neg_a_log2e)));
    return {xm, xc, e, e + D(1)};
  }

  // ---- double ----
  // z = 2u = x (a + b x^2), a = 2 sqrt(2/pi), b = 2 sqrt(2/pi) 0.044715, each as the value
  // rounded to T and the rest.
  struct split {
    double hi, lo;
  };
  template <class T>
  static constexpr split k_a = sizeof(T) == 4 ? split{1.5957691669464111, -4.534068054340423e-08}
                                              : split{1.5957691216057308, -9.96930880911092e-17};
  template <class T>
  static constexpr split k_b = sizeof(T) == 4 ? split{0.07135481387376785, 2.3988324659995897e-09}
                                              : split{0.07135481627260025, -6.175149918155315e-19};
  template <class B>
  struct argument {
    B value, error;  // z rounded, and z - value to first order
  };
  template <class B> static argument<B> two_u(B x) noexcept {
    using T = typename B::value_type;
    const B a(static_cast<T>(k_a<T>.hi)), b(static_cast<T>(k_b<T>.hi));
    const B w = x * x;
    const B w_err = math::product_error(x, x, w);
    const B m = math::rounded(b * w);  // q below is fl(a + fl(b w)), not an FMA
    const B m_err = math::product_error(b, w, m) + b * w_err + detail::splat<B>(k_b<T>.lo) * w;
    const B q = a + m;  // two-sum
    const B q_back = q - a;
    const B q_err = ((a - (q - q_back)) + (m - q_back)) + m_err + detail::splat<B>(k_a<T>.lo);
    const B z = x * q;
    const B z_err = math::product_error(x, q, z) + x * q_err;
    // Beyond |z| = 1024 (f and f' are 0, x or 1 there) the error terms may overflow: unused.
    return {z, xsimd::select(xsimd::abs(z) < B(1024), z_err, B(0))};
  }
};

}  // namespace actfn
