// SPDX-License-Identifier: MIT
// Float batches computed in double lanes, for kernels that need the extra precision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "actfn/core/config.hpp"
#include "actfn/math/fma.hpp"

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
/// The same for a multi of float batches: one kernel call on a multi of all their double halves.
template <class B, std::size_t N, class Kernel>
inline detail::multi<B, N> in_double_lanes(const detail::multi<B, N>& x, Kernel kernel) noexcept {
  using A = typename B::arch_type;
  using D = xsimd::batch<double, A>;
  constexpr std::size_t lanes = N * B::size, halves = lanes / D::size;
  alignas(A::alignment()) float f[lanes];
  alignas(A::alignment()) double d[lanes];
  for (std::size_t j = 0; j < N; ++j) x.part[j].store_aligned(f + j * B::size);
  for (std::size_t i = 0; i < lanes; ++i) d[i] = f[i];
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const detail::multi<D, halves> r =
        kernel(detail::multi<D, halves>(detail::parts_tag{}, D::load_aligned(d + I * D::size)...));
    (r.part[I].store_aligned(d + I * D::size), ...);
  }(std::make_index_sequence<halves>{});
  for (std::size_t i = 0; i < lanes; ++i) f[i] = static_cast<float>(d[i]);
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return detail::multi<B, N>(detail::parts_tag{}, B::load_aligned(f + I * B::size)...);
  }(std::make_index_sequence<N>{});
}

/// in_double_lanes for a kernel of two float batches (x, y), e.g. dy * f'(x) formed in double.
template <class B, class Kernel>
inline B in_double_lanes(B x, B y, Kernel kernel) noexcept {
  using A = typename B::arch_type;
  using D = xsimd::batch<double, A>;
  alignas(A::alignment()) float f[2][B::size];
  alignas(A::alignment()) double d[2][B::size];
  x.store_aligned(f[0]);
  y.store_aligned(f[1]);
  for (std::size_t i = 0; i < B::size; ++i) d[0][i] = f[0][i], d[1][i] = f[1][i];
  for (std::size_t i = 0; i < B::size; i += D::size) {
    kernel(D::load_aligned(d[0] + i), D::load_aligned(d[1] + i)).store_aligned(d[0] + i);
  }
  for (std::size_t i = 0; i < B::size; ++i) f[0][i] = static_cast<float>(d[0][i]);
  return B::load_aligned(f[0]);
}
/// The same for multis: part by part.
template <class B, std::size_t N, class Kernel>
inline detail::multi<B, N> in_double_lanes(const detail::multi<B, N>& x,
                                           const detail::multi<B, N>& y, Kernel kernel) noexcept {
  return detail::each([&](B xp, B yp) { return in_double_lanes(xp, yp, kernel); }, x, y);
}

/// 2^f on |f| <= 1/2, degree 6, relative error below 2^-28.9: enough for float kernels in
/// double lanes, whose results are rounded to float. Fitted for actfn with mpmath (least squares
/// on Chebyshev nodes in 200-bit arithmetic, coefficients rounded to double one at a time).
inline constexpr double k_exp2_short[] = {
    0x1.000000028af18p+0, 0x1.62e430c6bd06fp-1, 0x1.ebfbda7bcea8cp-3, 0x1.c6aed5e797346p-5,
    0x1.3b2dfd6ca5019p-7, 0x1.5f44f13e7a284p-10, 0x1.41a6fcbd2f5bap-13,
};

/// 2^w for a batch of doubles with |w| <= 1000, to 2^-28.9 relative (k_exp2_short): w = k + f,
/// k = round(w) by the 1.5 * 2^52 trick, 2^k added to the exponent field of 2^f (normal for
/// such k). NaN gives NaN (for the NaN of a widened float, whose low bits are 0). For float
/// kernels in double lanes: exp(x) = exp2_short(x log2 e).
template <class D>
inline D exp2_short(D w) noexcept {
  using I = detail::rebind<D, std::int64_t>;
  const D magic(0x1.8p52);  // adding it rounds to an integer, kept in the low bits
  const D t = w + magic;
  const D f = w - (t - magic);
  const D p = horner(f, k_exp2_short);
  return xsimd::bitwise_cast<D>(xsimd::bitwise_cast<I>(p) + (xsimd::bitwise_cast<I>(t) << 52));
}

}  // namespace actfn::math
