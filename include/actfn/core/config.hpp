// actfn: neural-network activation functions for scalars, xsimd batches and spans.
// SPDX-License-Identifier: MIT
#pragma once

#include <xsimd/xsimd.hpp>

#define ACTFN_VERSION_MAJOR 0
#define ACTFN_VERSION_MINOR 1
#define ACTFN_VERSION_PATCH 0

static_assert(XSIMD_VERSION_MAJOR >= 8, "actfn needs xsimd 8.1 or newer");

#if defined(__aarch64__) && XSIMD_WITH_NEON64
// xsimd 8.1 divides float batches on neon64 as on 32-bit NEON, which has no division: a
// reciprocal estimate and two Newton steps, a few ULPs off (and x / inf is not 0). AArch64 has
// FDIV, the correctly rounded quotient the kernels assume (DIVPS on x86): this specialisation
// of xsimd's kernel gives it to float's operator/. It has to precede the first float division
// on neon64 in a translation unit, which including actfn before using xsimd ensures.
namespace xsimd::kernel {
template <>
inline batch<float, neon64> div<neon64>(batch<float, neon64> const& lhs,
                                        batch<float, neon64> const& rhs,
                                        requires_arch<neon>) noexcept {
  return vdivq_f32(lhs, rhs);
}
}  // namespace xsimd::kernel
#endif

#include "actfn/core/multi.hpp"  // after xsimd: it overloads xsimd's functions for multi
