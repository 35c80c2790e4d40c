// SPDX-License-Identifier: MIT
// RReLU in training mode: a random negative slope per element, reproducible from a seed.
//                                                    torch.nn.RReLU(lower, upper), training=True
//
//   rrelu_train(f, x, y, noise, seed)   for x > 0 (and NaN):  y = x,      noise = 1
//                                       for x <= 0:           y = r * x,  noise = r,
//                                       r ~ U(f.lower, f.upper), one draw per such element
//   rrelu_backward(noise, dy, dx)       dx = dy * noise
//
// noise is what the backward pass needs (PyTorch's name for it): y = noise * x (one rounding),
// so dy/dx = noise everywhere, the drawn slope at x = 0 included (as PyTorch). In evaluation mode
// use the elementwise functor actfn::rrelu itself (slope (lower + upper) / 2, fn/relu.hpp).
//
// Reproducibility: the same seed, f and x give bit-identical y and noise on every platform and
// instruction set. The generator is std::mt19937_64 seeded with `seed` (its outputs are fixed by
// the C++ standard); elements x <= 0 take one draw each, in index order. A draw g becomes
// u = (g >> 11) * 2^-53, a double in [0, 1) with 53 random bits, and then
// r = min(fma(upper - lower, u, lower), upper) in double (one rounding, no contraction
// ambiguity), finally rounded to the element type. So lower <= r <= upper in double, and
// T(lower) <= noise <= T(upper) for the rounded float bounds. (std::uniform_real_distribution
// is not used: its algorithm is implementation-defined.) The loop is scalar: the generator is
// sequential, so there is nothing for SIMD to share; `Arch` is accepted for a uniform API.
//
// NaN and infinities: NaN in x takes the x > 0 branch (no draw; y = NaN, noise = 1), as
// PyTorch's kernel. x = -inf gives r * -inf (-inf for r > 0). A drawn slope of exactly 0
// (possible only when lower <= 0 <= upper) gives y = +0, also at x = -inf (the limit, as
// leaky_relu with a zero slope). rrelu_backward propagates NaN and infinities like a product.
//
// Throws std::invalid_argument (message naming the function, argument and sizes) when lower
// or upper is not finite or lower > upper (as actfn::rrelu's constructor), when the sizes of
// x, y and noise (noise, dy and dx) differ, when an output partly overlaps an input (the very
// same span is fine: in place), or when y and noise overlap at all. Empty spans are fine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <type_traits>

#include "actfn/fn/relu.hpp"
#include "actfn/rowwise/softmax.hpp"

namespace actfn {

namespace detail {

/// One slope in [lower, upper] from the next output of gen (see the file comment).
inline double draw_slope(std::mt19937_64& gen, double lower, double upper) {
  const double u = static_cast<double>(gen() >> 11) * 0x1p-53;
  return std::min(std::fma(upper - lower, u, lower), upper);
}

}  // namespace detail

/// Training-mode RReLU: y = noise * x with noise = 1 for x > 0 and a slope drawn from
/// U(f.lower, f.upper) for x <= 0. The same seed gives the same y and noise everywhere.
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_output Y,
          detail::real_output N>
void rrelu_train(const rrelu& f, X&& x, Y&& y, N&& noise, std::uint64_t seed) {
  using T = detail::range_value<X>;
  static_assert(real_scalar<T>, "actfn::rrelu takes float or double buffers only");
  static_assert(std::is_same_v<T, detail::range_value<Y>> &&
                    std::is_same_v<T, detail::range_value<N>>,
                "actfn::rrelu_train: x, y and noise must have the same element type");
  constexpr std::string_view where = "rrelu_train";
  const rrelu checked(f.lower, f.upper);  // the functor's own parameter checks
  auto xs = detail::in_span(x);
  auto ys = detail::out_span(y);
  auto ns = detail::out_span(noise);
  detail::require_elementwise<T>(where, {{"x", xs}}, {{"y", ys}, {"noise", ns}});
  std::mt19937_64 gen(seed);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const T xi = xs[i];
    const T r = xi <= 0 ? static_cast<T>(detail::draw_slope(gen, checked.lower, checked.upper))
                        : T(1);
    ys[i] = r == T(0) ? T(0) : r * xi;  // a zero slope gives 0 even at -inf, as leaky_relu
    ns[i] = r;
  }
}

/// dx = dy * noise, with noise from rrelu_train.
template <class Arch = xsimd::default_arch, detail::real_input N, detail::real_input DY,
          detail::real_output DX>
void rrelu_backward(N&& noise, DY&& dy, DX&& dx) {
  using T = detail::range_value<N>;
  static_assert(real_scalar<T>, "actfn::rrelu takes float or double buffers only");
  static_assert(std::is_same_v<T, detail::range_value<DY>> &&
                    std::is_same_v<T, detail::range_value<DX>>,
                "actfn::rrelu_backward: noise, dy and dx must have the same element type");
  constexpr std::string_view where = "rrelu_backward";
  auto ns = detail::in_span(noise);
  auto dys = detail::in_span(dy);
  auto dxs = detail::out_span(dx);
  detail::require_elementwise<T>(where, {{"noise", ns}, {"dy", dys}}, {{"dx", dxs}});
  detail::transform<Arch>(ns.size(), dxs.data(), [](auto nb, auto gb) { return gb * nb; },
                          ns.data(), dys.data());
}

}  // namespace actfn
