// SPDX-License-Identifier: MIT
// PReLU with one learnable weight per channel, forward and backward, over a row-major
// [N, C, inner] buffer.                              torch.nn.PReLU(num_parameters=C)
//
//   prelu_forward(x, weight, y, inner)      y = x            for x >= 0
//                                           y = w[c] * x     otherwise
//   prelu_backward(x, weight, dy, dx, dweight, inner)
//                                           dx = dy          for x > 0
//                                           dx = w[c] * dy   otherwise (the weight at x = 0,
//                                                            as PyTorch's autograd)
//                                           dweight[c] = sum over n, i of (x > 0 ? 0 : x * dy)
//
// Layout (PyTorch's): C = weight.size() channels, and channel c of sample n is the `inner`
// contiguous elements starting at x[(n * C + c) * inner]; N = x.size() / (C * inner). For an
// [N, C] input inner = 1; for [N, C, H, W] inner = H * W. Each block of `inner` elements runs
// through the elementwise actfn::prelu functor (so the formulas are those of fn/relu.hpp, in
// xsimd batches with the usual tail handling).
//
// dweight is overwritten, not accumulated into. Its sums are kept in double lanes (float input
// is converted, so every product x * dy is exact; double input is summed with compensation),
// then rounded once to the element type: for float the error is far below one rounding unless
// the sum cancels badly, for double it does not grow with N * inner.
//
// NaN and infinities: NaN in x gives NaN in y, in dx (the derivative at NaN is NaN, as for
// every function) and in that channel's dweight; NaN in dy gives NaN in dx and dweight[c]. Weights are data:
// any value is accepted and propagates (a NaN weight gives NaN for that channel's negative
// inputs). x = -inf with dy = 0 adds -inf * 0 = NaN to dweight[c], as in PyTorch.
//
// Throws std::invalid_argument (message naming the function, argument and sizes) when weight is
// empty, inner is 0, x.size() is not a multiple of weight.size() * inner, y (dy, dx) and x
// differ in size, dweight.size() != weight.size(), an output partly overlaps x or dy (the very
// same span is fine: in place), or an output overlaps weight, or dweight overlaps anything.
// Empty x (N = 0) is fine: y and dx stay empty and dweight is set to 0.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "actfn/fn/relu.hpp"
#include "actfn/rowwise/softmax.hpp"

namespace actfn {

namespace detail {

/// x (of x_size elements) must be [N, C, inner] for C = channels and a whole N.
inline void require_channels(std::string_view where, std::size_t x_size, std::size_t channels,
                             std::size_t inner) {
  if (channels == 0) fail(where, "weight must not be empty (got 0 elements)");
  if (inner == 0) fail(where, "inner must be > 0 (got 0)");
  if (x_size % channels != 0 || (x_size / channels) % inner != 0)
    fail(where, "x has ", x_size, " elements, not a multiple of weight.size() * inner = ",
         channels, " * ", inner);
}

/// The elementwise functor for one channel (no finiteness check: weights are data).
inline actfn::prelu channel_prelu(double weight) {
  actfn::prelu f;
  f.weight = weight;
  return f;
}

/// Calls block(c, offset) for the block of `inner` elements at x[offset] of every (n, c).
template <class Block>
void for_each_channel_block(std::size_t size, std::size_t channels, std::size_t inner,
                            Block block) {
  for (std::size_t offset = 0, b = 0; offset < size; offset += inner, ++b)
    block(b % channels, offset);
}

}  // namespace detail

/// y = x >= 0 ? x : weight[c] * x over an [N, C, inner] buffer, C = weight.size().
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_input Wt,
          detail::real_output Y>
void prelu_forward(X&& x, Wt&& weight, Y&& y, std::size_t inner) {
  using T = detail::range_value<X>;
  static_assert(real_scalar<T>, "actfn::prelu takes float or double buffers only");
  static_assert(std::is_same_v<T, detail::range_value<Wt>> &&
                    std::is_same_v<T, detail::range_value<Y>>,
                "actfn::prelu_forward: x, weight and y must have the same element type");
  constexpr std::string_view where = "prelu_forward";
  auto xs = detail::in_span(x);
  auto ws = detail::in_span(weight);
  auto ys = detail::out_span(y);
  detail::require_channels(where, xs.size(), ws.size(), inner);
  detail::require_elementwise<T>(where, {{"x", xs}}, {{"y", ys}});
  detail::require_outputs<T>(where, {{"weight", ws}}, {});
  detail::require_disjoint(where, "weight", ws, "y", ys);
  detail::for_each_channel_block(xs.size(), ws.size(), inner, [&](std::size_t c, std::size_t at) {
    const auto f = detail::channel_prelu(ws[c]);
    detail::transform<Arch>(inner, ys.data() + at, [f](auto b) { return f(b); }, xs.data() + at);
  });
}

/// dx = dy * prelu'(x) with the channel's weight, and dweight[c] = sum of (x > 0 ? 0 : x * dy)
/// over channel c (overwritten).
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_input Wt,
          detail::real_input DY, detail::real_output DX, detail::real_output DW>
void prelu_backward(X&& x, Wt&& weight, DY&& dy, DX&& dx, DW&& dweight, std::size_t inner) {
  using T = detail::range_value<X>;
  static_assert(real_scalar<T>, "actfn::prelu takes float or double buffers only");
  static_assert(std::is_same_v<T, detail::range_value<Wt>> &&
                    std::is_same_v<T, detail::range_value<DY>> &&
                    std::is_same_v<T, detail::range_value<DX>> &&
                    std::is_same_v<T, detail::range_value<DW>>,
                "actfn::prelu_backward: x, weight, dy, dx and dweight must have the same "
                "element type");
  constexpr std::string_view where = "prelu_backward";
  auto xs = detail::in_span(x);
  auto ws = detail::in_span(weight);
  auto dys = detail::in_span(dy);
  auto dxs = detail::out_span(dx);
  auto dws = detail::out_span(dweight);
  detail::require_channels(where, xs.size(), ws.size(), inner);
  detail::require_elementwise<T>(where, {{"x", xs}, {"dy", dys}}, {{"dx", dxs}});
  detail::require_same_size(where, "weight", ws, "dweight", dws);
  // weight and dweight are read or written once per channel block: no sharing at all.
  detail::require_outputs<T>(where, {{"weight", ws}}, {{"dweight", dws}});
  for (const detail::named<T>& s : {detail::named<T>{"x", xs}, detail::named<T>{"weight", ws},
                                    detail::named<T>{"dy", dys}, detail::named<T>{"dx", dxs}})
    detail::require_disjoint(where, s.name, s.span, "dweight", std::span<const T>(dws));
  detail::require_disjoint(where, "weight", ws, "dx", dxs);

  std::vector<detail::compensated_sum<double>> sums(ws.size());
  detail::for_each_channel_block(xs.size(), ws.size(), inner, [&](std::size_t c, std::size_t at) {
    // Read the block for the weight gradient before dx (which may be x or dy) is written.
    sums[c].add(detail::sum_in_double<Arch, double>(inner, [](auto xb, auto gb) {
      using D = decltype(xb);
      return xsimd::select(xb > D(0), D(0), xb * gb);
    }, xs.data() + at, dys.data() + at));
    const auto f = detail::channel_prelu(ws[c]);
    detail::transform<Arch>(
        inner, dxs.data() + at, [f](auto xb, auto gb) { return gb * f.derivative(xb); },
        xs.data() + at, dys.data() + at);
  });
  std::ranges::transform(sums, dws.begin(),
                         [](const auto& s) { return static_cast<T>(detail::total(s)); });
}

}  // namespace actfn
