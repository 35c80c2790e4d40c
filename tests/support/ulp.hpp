// ULP error of a float or double result against a long double reference (README, "Accuracy").
//
//   error = |got - ref| / ulp(ref)
//
// ulp(ref) is the distance between the two T values around ref correctly rounded to T, i.e.
// 2^(e - p + 1) with e the exponent of round(ref) and p the precision of T. Below the normal
// range the spacing of the smallest normal number, 2^(emin - p + 1), is used as for normal
// numbers, but a result whose reference is below the smallest normal number counts as exact
// when it is within that smallest normal of the reference: a subnormal result may be flushed
// to zero (as FTZ/DAZ modes and most SIMD math libraries do), and nothing is claimed there.
// Special values: NaN against NaN is exact; a reference that rounds to +-inf in T (overflow)
// must be met by that infinity exactly; any other class mismatch is an infinite error.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace actfn_test {

template <class T>
long double ulp_of(long double ref) {
  using lim = std::numeric_limits<T>;
  const long double r = std::fabs(static_cast<long double>(static_cast<T>(ref)));
  const int e = (r == 0 || !std::isfinite(r)) ? lim::min_exponent - 1 : std::ilogb(r);
  return std::ldexp(1.0L, std::max(e, lim::min_exponent - 1) - (lim::digits - 1));
}

template <class T>
long double ulp_error(T got, long double ref) {
  using lim = std::numeric_limits<T>;
  constexpr long double inf = std::numeric_limits<long double>::infinity();
  if (std::isnan(ref) || std::isnan(got)) return (std::isnan(ref) && std::isnan(got)) ? 0.0L : inf;
  const T rounded = static_cast<T>(ref);
  if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0.0L : inf;
  const long double diff = std::fabs(static_cast<long double>(got) - ref);
  if (std::fabs(ref) < lim::min() && diff <= lim::min()) return 0.0L;  // subnormal range
  return diff / ulp_of<T>(ref);
}

}  // namespace actfn_test
