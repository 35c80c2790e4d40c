// ULP error of a float or double result against a long double reference (see README,
// "Accuracy"): |got - ref| divided by the spacing of T at the reference, where the spacing
// is taken at the correctly rounded reference's exponent and never below the smallest
// subnormal step. NaN against NaN and equal infinities are exact; any other mismatch of
// class (NaN vs number, infinity vs finite) is an infinite error.
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
  if (std::isnan(ref) || std::isnan(got))
    return (std::isnan(ref) && std::isnan(got)) ? 0.0L : std::numeric_limits<long double>::infinity();
  if (std::isinf(ref) || std::isinf(got))
    return (static_cast<long double>(got) == ref) ? 0.0L : std::numeric_limits<long double>::infinity();
  return std::fabs(static_cast<long double>(got) - ref) / ulp_of<T>(ref);
}

}  // namespace actfn_test
