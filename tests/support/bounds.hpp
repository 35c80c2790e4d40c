// The documented error bounds of a function (F::bound, docs/accuracy.md) looked up for an
// element type, and the tolerances the tests in tests/fn/ and tests/rowwise/ build from them.
// Each helper states its measure; where two measures differ they have different names:
//
//   fwd_ulps<F, T>, der_ulps<F, T>   F's documented forward and derivative bounds for T, in ULPs
//   eps<T>, rel<T>(b)                machine epsilon; b ULPs as a relative tolerance for Catch's
//                                    WithinRel against a long double value rounded to double
//   err<T>(b, v)                     b ULPs of T at a computed value v, doubled (see below)
//   near<T>(want, margin)            Catch matcher |got - want| <= margin (plus double rounding)
//   product_ulps<T>                  what one product of two T values may cost after rounding
//                                    through long double
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ulp.hpp"

namespace actfn_test {

/// F's documented forward and derivative bounds for element type T (float or double), in ULPs.
template <class F, class T>
constexpr double fwd_ulps = sizeof(T) == 4 ? F::bound.f32_ulp : F::bound.f64_ulp;
template <class F, class T>
constexpr double der_ulps =
    sizeof(T) == 4 ? F::bound.f32_derivative_ulp : F::bound.f64_derivative_ulp;

/// Machine epsilon of T, as a double.
template <class T>
constexpr double eps = std::numeric_limits<T>::epsilon();

/// An error of b ULPs is a relative error of at most b * eps (an ULP of y is at most eps |y|);
/// rounding a long double right-hand side to double for Catch's WithinRel costs up to half an
/// ULP more of a double result: rel<T>(b) = (b + 1/2) eps.
template <class T>
double rel(double ulps) { return (ulps + 0.5) * eps<T>; }

/// `ulps` ULPs of T at v, doubled because v may be a computed value that sits one binade below
/// the exact one.
template <class T>
long double err(double ulps, long double v) { return 2 * ulps * ulp_of<T>(v); }

/// |got - want| <= margin. WithinAbs works in double: rounding want (and want +- margin) to
/// double costs at most one more ULP of T, which is added here.
template <class T>
auto near(long double want, long double margin) {
  return Catch::Matchers::WithinAbs(static_cast<double>(want),
                                    static_cast<double>(margin + ulp_of<T>(want)));
}

/// One product of T values, rounded to T through long double: exact for float (the product is
/// exact in long double), at most one double-rounding ULP for double.
template <class T>
constexpr std::uint64_t product_ulps = std::is_same_v<T, float> ? 0 : 1;

}  // namespace actfn_test
