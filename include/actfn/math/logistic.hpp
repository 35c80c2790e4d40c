// SPDX-License-Identifier: MIT
// The logistic function and its slope, shared by sigmoid, log_sigmoid, swish/silu, softplus,
// gelu_tanh and mish. Written once over an xsimd batch.
#pragma once

#include <limits>

#include "actfn/core/config.hpp"
#include "actfn/math/fma.hpp"

namespace actfn::math {

/// sigma(z) = 1 / (1 + exp(-z)), from e = exp(-|z|) so nothing overflows:
/// z >= 0: 1 / (1 + e); z < 0: e / (1 + e). One exp, one division; NaN propagates.
template <class B>
inline B sigmoid(B z) noexcept {
  const B one(1);
  const B e = xsimd::exp(-xsimd::abs(z));
  return xsimd::select(z >= B(0), one, e) / (one + e);
}

/// sigma(z) and 1 - sigma(z) = sigma(-z), both without cancellation, from one exp.
template <class B>
struct sigmoid_pair {
  B s, complement;
};
template <class B>
inline sigmoid_pair<B> sigmoid_and_complement(B z) noexcept {
  const B one(1);
  const B e = xsimd::exp(-xsimd::abs(z));
  const B d = one + e;
  const auto positive = z >= B(0);
  return {xsimd::select(positive, one, e) / d, xsimd::select(positive, e, one) / d};
}

/// sigma'(z) = sigma(z) (1 - sigma(z)) = e / (1 + e)^2 with e = exp(-|z|): no cancellation
/// where sigma(z) rounds to 1, and exactly 0 for |z| = inf.
template <class B>
inline B sigmoid_slope(B z) noexcept {
  const B e = xsimd::exp(-xsimd::abs(z));
  const B d = B(1) + e;
  return e / (d * d);
}

/// x * t where t -> 0 faster than x grows: 0 where t is exactly 0 (so -inf * 0 gives the
/// limit 0, not NaN); NaN still propagates through t.
template <class B>
inline B times_vanishing(B x, B t) noexcept {
  return xsimd::select(t == B(0), B(0), x * t);
}

/// x * s for s = sigmoid(z), accurate also where s underflows but the product does not
/// (z below about -87 for float, -708 for double, x large: silu(-95) = -5e-40 * 95... is a
/// normal float). There sigmoid(z) = exp(z) to working precision, and x * exp(z) is computed
/// as (x * h) * h with h = exp(z / 2), so no intermediate leaves the normal range too early.
/// That path costs a second exp and runs only when some lane needs it.
template <class B>
inline B times_sigmoid(B x, B z, B s) noexcept {
  using T = typename B::value_type;
  const B result = times_vanishing(x, s);
  const B deep(sizeof(T) == 4 ? T(-80) : T(-700));
  const auto in_tail = z < deep && xsimd::abs(x) != B(std::numeric_limits<T>::infinity());
  if (!xsimd::any(in_tail)) return result;
  const B h = xsimd::exp(z * B(0.5));
  return xsimd::select(in_tail, (x * h) * h, result);
}

/// x * sigmoid(z), accurate also where sigmoid(z) underflows (see times_sigmoid).
template <class B>
inline B x_times_sigmoid(B x, B z) noexcept {
  return times_sigmoid(x, z, sigmoid(z));
}

/// x * sigmoid(z + dz) where z + dz is an argument held as a rounded value z and a small
/// correction dz (its rounding error, |dz| < 2^-10 |z|), to first order in dz:
/// sigmoid(z + dz) = sigmoid(z) (1 + dz (1 - sigmoid(z))). 1 - sigmoid(z) may be formed by
/// subtraction: where it cancels (z > 0) the correction it scales is far below one ULP.
template <class B>
inline B x_times_sigmoid(B x, B z, B dz) noexcept {
  const B s = sigmoid(z);
  const B p = times_sigmoid(x, z, s);
  const B c = dz * (B(1) - s);
  return xsimd::select(c == B(0), p, fused(p, c, p));  // p = inf with c = 0 stays inf
}

}  // namespace actfn::math
