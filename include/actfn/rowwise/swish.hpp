// SPDX-License-Identifier: MIT
// Swish with a learnable beta: the backward pass that also returns the gradient of beta.
// (Ramachandran et al. 2017; PyTorch's nn.SiLU is beta = 1 fixed, with no beta gradient.)
//
//   dbeta = swish_backward(f, x, dy, dx)
//       dx    = dy * f'(x),  f'(x) = s + beta x s (1 - s),  s = sigmoid(beta x)
//               (exactly actfn::backward(f, x, dy, dx): the functor in fn/swish.hpp)
//       dbeta = sum_i dy_i * x_i^2 * s_i (1 - s_i)       (df/dbeta = x^2 sigmoid'(beta x))
//
// dbeta sums the whole span (one beta shared by every element, as a scalar parameter); it is
// returned in the element type. The terms are evaluated in double lanes (float input converted,
// with math::sigmoid_slope) and summed there (with compensation for double input), then
// rounded once: for float the error is far below one rounding unless the sum cancels badly;
// for double it does not grow with the span's length.
//
// NaN and infinities: NaN in x or dy makes dbeta NaN (and dx NaN where it is). x = +-inf
// contributes the limit 0 to dbeta for beta != 0 (x^2 sigmoid'(beta x) -> 0), and +inf * dy for
// beta = 0, where df/dbeta = x^2 / 4 (beta * x is taken as 0 there, as the functor does).
//
// Throws std::invalid_argument (message naming the function, argument and sizes) when x, dy
// and dx differ in size or dx partly overlaps x or dy (the very same span is fine: in place;
// dbeta is computed before dx is written). Empty spans give dbeta = 0.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "actfn/core/span.hpp"
#include "actfn/fn/swish.hpp"
#include "actfn/math/logistic.hpp"
#include "actfn/rowwise/softmax.hpp"

namespace actfn {

/// dx = dy * f'(x) elementwise; returns dbeta = sum of dy * x^2 * sigmoid'(beta x).
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_input DY,
          detail::real_output DX>
detail::range_value<X> swish_backward(const swish& f, X&& x, DY&& dy, DX&& dx) {
  using T = detail::range_value<X>;
  static_assert(real_scalar<T>, "actfn::swish takes float or double buffers only");
  static_assert(std::is_same_v<T, detail::range_value<DY>> &&
                    std::is_same_v<T, detail::range_value<DX>>,
                "actfn::swish_backward: x, dy and dx must have the same element type");
  constexpr std::string_view where = "swish_backward";
  auto xs = detail::in_span(x);
  auto dys = detail::in_span(dy);
  auto dxs = detail::out_span(dx);
  detail::require_elementwise<T>(where, {{"x", xs}, {"dy", dys}}, {{"dx", dxs}});
  const double dbeta = detail::sum_in_double<Arch, double>(xs.size(), [&f](auto xb, auto gb) {
    using D = decltype(xb);
    // beta * x as swish computes it: 0 for beta = 0 even at x = +-inf.
    const D slope = math::sigmoid_slope(math::times_vanishing(xb, detail::splat<D>(f.beta)));
    return gb * math::times_vanishing(xb * xb, slope);
  }, xs.data(), dys.data());
  actfn::backward<Arch>(f, xs, dys, dxs);
  return static_cast<T>(dbeta);
}

}  // namespace actfn
