// Printing for Catch's INFO messages and checks that several tests in tests/fn/ share.
//
//   show(v)                     every digit of a float or double (T's max_digits10)
//   digits                      17, for std::setprecision: enough to print any float or double
//   check_nan_in_nan_out<T>(f)  NaN (both signs) in gives NaN out
//   check_backward_grid(f, xs, dys)  f' and dy f' within F's bounds against the references on a
//                               grid, and the span backward equal to the scalar calls
#pragma once

#include <actfn/core/concepts.hpp>
#include <actfn/core/span.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "bounds.hpp"
#include "inputs.hpp"
#include "reference.hpp"

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

/// For every x of xs: f.derivative(x) within F's derivative bound of the reference and, for
/// every dy of dys, f.backward(x, dy) within the backward bound of the exact product; then
/// actfn::backward over all those (x, dy) pairs (interleaved batches where the build has them)
/// gives the scalar results bit for bit.
template <class F, class T>
void check_backward_grid(const F& f, const std::vector<T>& xs, const std::vector<T>& dys) {
  const bool f32 = sizeof(T) == 4;
  std::vector<T> span_x, span_dy;
  for (const T x : xs) {
    INFO("x = " << show(x) << ", derivative = " << show(f.derivative(x)));
    CHECK(derivative_error<T>(f, x, f.derivative(x)) <= der_ulps<F, T>);
    for (const T dy : dys) {
      INFO("dy = " << show(dy) << ", backward = " << show(f.backward(x, dy)));
      CHECK(backward_error<T>(f, x, dy, f.backward(x, dy)) <= F::bound.backward_ulp(f32));
      span_x.push_back(x);
      span_dy.push_back(dy);
    }
  }
  std::vector<T> dx(span_x.size());
  actfn::backward(f, span_x, span_dy, dx);
  for (std::size_t i = 0; i < dx.size(); ++i)
    CHECK(same_bits(dx[i], f.backward(span_x[i], span_dy[i])));
}

}  // namespace actfn_test
