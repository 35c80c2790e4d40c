// SPDX-License-Identifier: MIT
// Maxout: the maximum over groups of k consecutive values (Goodfellow et al. 2013), and its
// gradient. PyTorch has no module for it; this is x.view(-1, k).max(dim=1) and its autograd.
//
//   maxout(x, y, k)                 y[g] = max(x[g*k], ..., x[g*k + k - 1]),  g < x.size() / k
//   maxout_backward(x, dy, dx, k)   dx[g*k + j] = dy[g] for j = argmax of group g, else 0
//
// The argmax is the first index holding the maximum (ties go to the first), and a group that
// holds a NaN has the NaN as its maximum: y[g] is NaN and the gradient goes to the group's
// first NaN. +-inf are ordinary values (max of {-inf, -inf} is -inf, at index 0). Among equal
// zeros the first wins, so the sign of y[g] is that of the first zero.
//
// Both loops are scalar: groups are short (k = 2..4 in practice) and strided across lanes, and
// the tie and NaN rules are clearest as one scan (detail::group_argmax, used by both passes so
// forward and backward cannot disagree). `Arch` is accepted for a uniform API.
//
// Throws std::invalid_argument (message naming the function, argument and sizes) when k is 0,
// x.size() is not a multiple of k, y.size() (dy.size()) != x.size() / k, dx.size() !=
// x.size(), or an output partly overlaps an input (the very same span is fine: in place).
// Empty x is fine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include "actfn/rowwise/softmax.hpp"

namespace actfn {

namespace detail {

/// The index in [0, k) of the maximum of p[0..k): the first on ties, the first NaN if any.
template <class T>
std::size_t group_argmax(const T* p, std::size_t k) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < k && !std::isnan(p[best]); ++j)
    if (std::isnan(p[j]) || p[j] > p[best]) best = j;
  return best;
}

/// x must split into groups of k > 0, and a per-group span must hold x.size() / k elements.
inline void require_groups(std::string_view where, std::size_t x_size, std::size_t k,
                           std::string_view group_name, std::size_t group_size) {
  if (k == 0) fail(where, "k must be > 0 (got 0; x has ", x_size, " elements)");
  if (x_size % k != 0) fail(where, "x has ", x_size, " elements, not a multiple of k = ", k);
  if (group_size != x_size / k)
    fail(where, group_name, " has ", group_size, " elements but x has ", x_size,
         " elements in groups of k = ", k, ", so ", group_name, " must have ", x_size / k);
}

}  // namespace detail

/// y[g] = max over x[g*k .. g*k + k).
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_output Y>
void maxout(X&& x, Y&& y, std::size_t k) {
  static_assert(std::is_same_v<detail::range_value<X>, detail::range_value<Y>>,
                "actfn::maxout: x and y must have the same element type");
  auto xs = detail::in_span(x);
  auto ys = detail::out_span(y);
  detail::require_groups("maxout", xs.size(), k, "y", ys.size());
  detail::require_outputs<detail::range_value<X>>("maxout", {{"x", xs}}, {{"y", ys}});
  for (std::size_t g = 0; g < ys.size(); ++g) {
    const auto* group = xs.data() + g * k;
    ys[g] = group[detail::group_argmax(group, k)];
  }
}

/// dx = dy[g] at the argmax of each group g of x, 0 elsewhere.
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_input DY,
          detail::real_output DX>
void maxout_backward(X&& x, DY&& dy, DX&& dx, std::size_t k) {
  using T = detail::range_value<X>;
  static_assert(real_scalar<T>, "actfn::maxout takes float or double buffers only");
  static_assert(std::is_same_v<T, detail::range_value<DY>> &&
                    std::is_same_v<T, detail::range_value<DX>>,
                "actfn::maxout_backward: x, dy and dx must have the same element type");
  constexpr std::string_view where = "maxout_backward";
  auto xs = detail::in_span(x);
  auto dys = detail::in_span(dy);
  auto dxs = detail::out_span(dx);
  detail::require_groups(where, xs.size(), k, "dy", dys.size());
  detail::require_same_size(where, "x", xs, "dx", dxs);
  detail::require_outputs<T>(where, {{"x", xs}, {"dy", dys}}, {{"dx", dxs}});
  for (std::size_t g = 0; g < dys.size(); ++g) {
    const std::size_t at = g * k + detail::group_argmax(xs.data() + g * k, k);
    const T grad = dys[g];  // read before dx (possibly dy itself when k = 1) is written
    std::fill_n(dxs.data() + g * k, k, T(0));
    dxs[at] = grad;
  }
}

}  // namespace actfn
