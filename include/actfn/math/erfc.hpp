// SPDX-License-Identifier: MIT
// The standard normal CDF for gelu, one lane at a time through the C library.
//
// xsimd 8.1's batch erfc is far from correctly rounded in the tails (measured on this project's
// machine: up to 70 ULP for float near erfc(9), 3e4 ULP for double near erfc(2) and 1e6+ beyond
// erfc(10), NaN for erfc(-1e308)), and gelu needs Phi(x) = erfc(-x / sqrt 2) / 2 for every
// negative x. Besides, rounding t = x / sqrt 2 to the element type already costs 2 t^2 ULPs of
// erfc(t) (about 150 ULP at x = -12 in float). So, until actfn has its own SIMD kernel, each
// lane is computed in the next wider type with the C library: float lanes in double, double
// lanes in long double. That is slow (one libm call per element) but accurate, and it is the
// same code for scalars and batches, so scalar and SIMD results still agree bit for bit.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "actfn/core/config.hpp"

namespace actfn::math {

/// m * Phi(x), Phi(x) = erfc(-x / sqrt(2)) / 2, per lane in a wider type and rounded once
/// (so x * Phi(x) stays accurate where Phi(x) alone would be subnormal). Where Phi(x) is 0 the
/// result is 0 (the limit of x * Phi(x) as x -> -inf), not m * 0.
template <class B>
inline B normal_cdf_times(B x, B m) noexcept {
  using T = typename B::value_type;
  using wide = std::conditional_t<sizeof(T) == 4, double, long double>;
  constexpr wide inv_sqrt2 = static_cast<wide>(0.707106781186547524400844362104849039L);
  std::array<T, B::size> xs, ms;
  x.store_unaligned(xs.data());
  m.store_unaligned(ms.data());
  for (std::size_t i = 0; i < B::size; ++i) {
    const wide p = std::erfc(-static_cast<wide>(xs[i]) * inv_sqrt2) / 2;
    xs[i] = p == 0 ? T(0) : static_cast<T>(static_cast<wide>(ms[i]) * p);
  }
  return B::load_unaligned(xs.data());
}

}  // namespace actfn::math
