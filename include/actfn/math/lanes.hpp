// SPDX-License-Identifier: MIT
// Float batches computed in double lanes, for kernels that need the extra precision.
#pragma once

#include <cstddef>

#include "actfn/core/config.hpp"

namespace actfn::math {

/// Runs a double-lane kernel on a float batch: the lanes are widened, computed and rounded once.
/// (xsimd 8.1 has no widening conversion; these fixed-length loops compile to the conversion
/// instructions.)
template <class B, class Kernel>
inline B in_double_lanes(B x, Kernel kernel) noexcept {
  using A = typename B::arch_type;
  using D = xsimd::batch<double, A>;
  alignas(A::alignment()) float f[B::size];
  alignas(A::alignment()) double d[B::size];
  x.store_aligned(f);
  for (std::size_t i = 0; i < B::size; ++i) d[i] = f[i];
  for (std::size_t i = 0; i < B::size; i += D::size) {
    kernel(D::load_aligned(d + i)).store_aligned(d + i);
  }
  for (std::size_t i = 0; i < B::size; ++i) f[i] = static_cast<float>(d[i]);
  return B::load_aligned(f);
}

}  // namespace actfn::math
