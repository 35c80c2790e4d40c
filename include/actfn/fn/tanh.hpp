// SPDX-License-Identifier: MIT
// The tanh family: tanh, softsign, hardtanh.
#pragma once

#include <limits>
#include <string_view>

#include "actfn/core/check.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/logistic.hpp"

namespace actfn {

/// tanh(x)                                                torch.nn.Tanh
/// f'(x) = 1 - tanh(x)^2, computed as 4 sigmoid'(2x) (no cancellation where tanh rounds to 1);
/// far out, where exp(-2|x|) is no longer a normal number but f' still is (|x| > 43 for float,
/// 354 for double), as (2h)^2 with h = exp(-|x|).
/// derivative_from_output(y) = (1 - y)(1 + y). Odd: tanh(-0) = -0.
/// backward(x, dy) = dy f'(x); where f'(x) is below the smallest normal number (|x| > 44.4 for
/// float, 354.9 for double) it is dy 4 exp(-2|x|) rounded once (math::exp_times), since dy f'
/// can still be a normal number there while f' alone has lost its bits.
struct tanh : unary<tanh> {
  static constexpr std::string_view name = "tanh";
  static constexpr accuracy bound{1.5, 5.5, 1.5, 3.5};
  // measured; see docs/design.md#interleave
  static constexpr std::size_t derivative_interleave = 4;

  template <class B> B eval(B x) const noexcept { return math::tanh(x); }
  template <class B> B eval_derivative(B x) const noexcept {
    const B a = xsimd::abs(x);
    const auto in_range = near(a);
    const B d = near_slope(a);
    return math::plain_or(in_range, d, [&] {
      const B two_h = B(2) * math::exp(-a);
      return xsimd::select(a > B(far<B>), two_h * two_h, B(4) * math::sigmoid_slope(B(2) * x));
    });
  }
  template <class B> B eval_backward(B x, B dy) const noexcept {
    // The derivative's own test serves: where |x| <= 43 / 354 in every lane, f' is a normal
    // number and dy f' one product (math::backward_tail would add a second test on f' to
    // every batch). Beyond, f' = 4e / (1 + e)^2 with e = exp(-2|x|) below 2^-124 / 2^-1021,
    // where (1 + e)^2 is 1 to far below an ULP: dy 4e, rounded once by exp_times (the cold
    // path recomputes |x|, so that only x and dy are captured). 2|x| is exact (or inf, where
    // exp_times gives a zero, or NaN for an infinite dy); NaN in x takes dy f'(x), and NaN in
    // dy propagates either way. exp_times forms a m with m up to 1.42 before its scalings, so
    // a = 4 dy must stay below max / 1.42: for |dy| >= 2^125 / 2^1021 it takes dy / 2 and the
    // result is multiplied by 8 (exact where dy e / 2 is a normal number; a subnormal one
    // costs at most 4 units of the smallest subnormal there).
    const B a = xsimd::abs(x);
    const auto in_range = near(a);
    const B d = near_slope(a);
    return math::plain_or(in_range, dy * d, [&x, &dy, this] {
      using T = typename B::value_type;
      const B ax = xsimd::abs(x);
      const auto huge = xsimd::abs(dy) >= B(std::numeric_limits<T>::max() / 8);
      const B r = math::exp_times(dy * xsimd::select(huge, B(0.5), B(4)), B(-2) * ax);
      return xsimd::select(ax > B(far<B>), xsimd::select(huge, B(8) * r, r),
                           dy * eval_derivative(x));
    });
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept {
    return (B(1) - y) * (B(1) + y);
  }

  /// Fast tier (actfn::fast, core/fast.hpp), float: math::fast::tanh_exp, 2 r - 1 with r = 1 / (1 +
  /// exp(-2|x|)) by the short exp and one reciprocal; f' = 4 r (1 - r) from the same r (its
  /// cancellation where r is near 1 stays far below the 2^-20 floor). Odd: -0 gives -0. Double: the
  /// precise kernels. Bound in the fast measure (ULPs of max(|f|, 1/2)).
  static constexpr accuracy fast_bound{3.5, 6.5, 1.5, 5.5};
  template <class B> B eval_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      return math::fast::tanh_exp(x);
    } else {
      return eval(x);
    }
  }
  template <class B> B eval_derivative_fast(B x) const noexcept {
    if constexpr (math::fast::is_float<B>) {
      B slope;
      math::fast::tanh_exp(x, slope);
      return slope;
    } else {
      return eval_derivative(x);
    }
  }

 private:
  /// 43 (float) / 354 (double): up to there 2|x| is in exp_in_range's range and f' is a normal
  /// number.
  template <class B>
  static constexpr typename B::value_type far = sizeof(typename B::value_type) == 4 ? 43 : 354;
  /// Lane by lane, |x| <= far (false for NaN).
  template <class B> static auto near(B a) noexcept { return a <= B(far<B>); }
  /// f' = 4 sigmoid'(2|x|) from e = exp(-2|x|), for |x| <= far.
  template <class B> static B near_slope(B a) noexcept {
    const B e = math::exp_in_range<math::exp_use::derivative>(B(-2) * a);
    return B(4) * math::sigmoid_slope_of(e);
  }
};

/// softsign(x) = x / (1 + |x|)                            torch.nn.Softsign
/// f'(x) = 1 / (1 + |x|)^2, backward(x, dy) = dy / (1 + |x|)^2, both rounded into the
/// subnormal range rather than flushed far out (see eval_derivative and eval_backward);
/// derivative_from_output(y) = (1 - |y|)^2.
/// Limits: f(+-inf) = +-1. Odd: softsign(-0) = -0.
struct softsign : unary<softsign> {
  static constexpr std::string_view name = "softsign";
  static constexpr accuracy bound{2, 4, 2, 4};
  // few operations per element: see docs/design.md#non-temporal-stores
  static constexpr bool memory_bound = true;

  template <class B> B eval(B x) const noexcept {
    // +-inf clamped to +-max, where 1 + |x| rounds to |x| and the quotient is exactly +-1 (as
    // for every |x| >= 2^24 in float, 2^53 in double) instead of inf / inf. NaN passes the
    // clamp as it is (max_or_x/min_or_x return their second operand when either is NaN).
    const B big(std::numeric_limits<typename B::value_type>::max());
    const B c = detail::min_or_x(big, detail::max_or_x(-big, x));
    return c / (B(1) + xsimd::abs(c));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    // 1 / d^2, d = 1 + |x|, as (1 / (d (d c))) c with c = 2^-64 (float) / 2^-512 (double): the
    // scalings are exact wherever 1 / d^2 is a normal number, so the bits are those of
    // 1 / (d d) there; beyond (|x| > 2^63 / 2^511), where d d overflows or its reciprocal is a
    // subnormal of few bits, the reciprocal is formed as a normal number and rounded once into
    // the subnormal range by the last product.
    using T = typename B::value_type;
    const B c(sizeof(T) == 4 ? T(0x1p-64) : T(0x1p-512));
    const B d = B(1) + xsimd::abs(x);
    return (B(1) / (d * (d * c))) * c;
  }
  template <class B> B eval_backward(B x, B dy) const noexcept {
    // (dy r) r with r = 1 / d: no overflow (r <= 1), and r is a normal number up to
    // |x| = 2^126 / 2^1022, so dy f' is rounded into the subnormal range from full-precision
    // factors where dy / d^2 would round d^2 to inf first (|x| >= 2^64 / 2^512). A quotient and
    // two products, as dy (1 / (d d)). Infinities and NaN give what dy times f'(x) does (dy inf
    // and x inf: NaN).
    const B r = B(1) / (B(1) + xsimd::abs(x));
    return (dy * r) * r;
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
/// The bounds are doubles; in the element type T the result outside the interval is the bound
/// rounded to T: exact for the defaults and for double, half an ULP of float at most for other
/// bounds (parameter_bound). Where a bound is not representable in T, f' still decides against
/// the double bound exactly: no T lies strictly between a bound and its rounding
/// lo = T(min_val), so x > min_val is x > lo where lo <= min_val and x >= lo where lo rounded
/// inwards (likewise at max_val). The clamp needs no such care: where lo rounded inwards,
/// x = lo is inside and returns itself, which is lo. derivative_from_output compares with the
/// rounded bounds: y = lo comes from every clamped x (f' = 0) and, where lo rounded inwards,
/// from x = lo (f' = 1); the output no longer tells, and it gives 0.
struct hardtanh : unary<hardtanh> {
  static constexpr std::string_view name = "hardtanh";
  static constexpr accuracy bound{0, 0, 0, 0};
  static constexpr accuracy parameter_bound{0.5, 0, 0, 0};  // T(min_val), T(max_val): see above
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
    // max_or_x/min_or_x return their second operand when either is NaN or both are zero: x
    // passes through both, NaN and signed zeros as they are (x = -0 with min_val = 0 stays -0).
    return detail::min_or_x(hi, detail::max_or_x(lo, x));
  }
  template <class B> B eval_derivative(B x) const noexcept {
    using T = typename B::value_type;
    const T lo = static_cast<T>(min_val), hi = static_cast<T>(max_val);
    if (lo <= min_val && hi >= max_val) return inside(x);  // rounded outwards or exact
    x = detail::in_register(x);
    const auto above = lo > min_val ? x >= B(lo) : x > B(lo);
    const auto below = hi < max_val ? x <= B(hi) : x < B(hi);
    return detail::keep_nan(x, B(above && below));
  }
  template <class B> B eval_derivative_from_output(B y) const noexcept { return inside(y); }

 private:
  template <class B> B inside(B v) const noexcept {
    const B lo = detail::splat<B>(min_val), hi = detail::splat<B>(max_val);
    v = detail::in_register(v);
    return detail::keep_nan(v, B(v > lo && v < hi));  // B(mask): 1 or 0
  }
};

}  // namespace actfn
