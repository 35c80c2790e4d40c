// Printing for Catch's INFO messages and checks that several tests in tests/fn/ share.
//
//   show(v)                     every digit of a float or double (T's max_digits10)
//   digits                      17, for std::setprecision: enough to print any float or double
//   check_nan_in_nan_out<T>(f)  NaN (both signs) in gives NaN out
#pragma once

#include <actfn/core/concepts.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace actfn_test {

/// Catch prints floating-point values in fixed notation (1e-30 as 0.0); this keeps every digit.
template <class T>
std::string show(T v) {
  std::ostringstream s;
  s.precision(std::numeric_limits<T>::max_digits10);
  s << v;
  return s.str();
}

constexpr int digits = 17;  // enough to print any float or double exactly

/// For +NaN and -NaN: f(x) and f.derivative(x) are NaN, and so is f.derivative_from_output(y)
/// where F offers it (the test files STATIC_REQUIRE which functions do).
template <class T, class F>
void check_nan_in_nan_out(const F& f) {
  for (T nan : {std::numeric_limits<T>::quiet_NaN(), -std::numeric_limits<T>::quiet_NaN()}) {
    INFO(f.name);
    CHECK(std::isnan(f(nan)));
    CHECK(std::isnan(f.derivative(nan)));
    if constexpr (actfn::derivative_from_output_capable<F>) {
      CHECK(std::isnan(f.derivative_from_output(nan)));
    }
  }
}

}  // namespace actfn_test
