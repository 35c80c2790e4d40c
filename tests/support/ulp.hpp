// ULP error of a float or double result against a higher-precision reference
// (docs/accuracy.md). THE measure: tests/ and tools/ulp_sweep.cpp all go through ulp_error.
//
//   error = |got - ref| / ulp(max(|ref|, scale))      scale = 0: relative ULPs
//
// ulp(ref) is the distance between the two T values around ref correctly rounded to T, i.e.
// 2^(e - p + 1) with e the exponent of round(ref) and p the precision of T. Below the normal
// range it is the spacing of the subnormal numbers, 2^(emin - p + 1) (2^-149 for float,
// 2^-1074 for double): subnormal results are results, measured like any other, so a result
// flushed to zero where the reference is 2^-130 is 2^19 ULPs off.
// Special values: NaN against NaN is exact; a reference that rounds to +-inf in T (overflow)
// must be met by that infinity exactly; any other class mismatch is an infinite error.
// scale > 0 states the error in ULPs of a larger local scale instead of the result's own: used
// only for derivatives inside the documented windows around their zero crossings
// (reference.hpp, derivative_error).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace actfn_test {

/// ulp(ref) for results of type T, in R.
template <class T, class R = long double>
R ulp_of(std::type_identity_t<R> ref) {
  // 2^e from the exponent bits of round(ref) (0 below the normal range), times 2^(1 - p).
  using lim = std::numeric_limits<T>;
  using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr bits exponent_mask = std::bit_cast<bits>(lim::infinity());
  const T power = std::bit_cast<T>(bits(std::bit_cast<bits>(static_cast<T>(ref)) & exponent_mask));
  return static_cast<R>(std::max(power, lim::min()) * lim::epsilon());
}

/// The error of `got` against `ref` in ULPs of T (see the file comment). R is the precision the
/// reference was computed in (long double unless told; the tool measures float against double,
/// where the difference and the quotient below are exact to 2^-50 relative).
template <class T, class R = long double>
R ulp_error(T got, std::type_identity_t<R> ref, std::type_identity_t<R> scale = 0) {
  constexpr R inf = std::numeric_limits<R>::infinity();
  if (std::isnan(ref) || std::isnan(got)) return (std::isnan(ref) && std::isnan(got)) ? R(0) : inf;
  const T rounded = static_cast<T>(ref);
  if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? R(0) : inf;
  const R diff = std::fabs(static_cast<R>(got) - ref);
  return diff / ulp_of<T, R>(std::max(std::fabs(ref), scale));
}

}  // namespace actfn_test
