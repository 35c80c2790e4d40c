// Accuracy sweeps: every function's forward value and derivative, float and double, against the
// long double reference of tests/support/reference.hpp, in ULPs as README "Accuracy" defines.
//
// float: a stride over all 2^32 bit patterns (both signs, every exponent) plus the edge inputs.
// double: the same idea over the 2^64 patterns, restricted to |x| < 2^11 (beyond that every
// function here is saturated or linear, and the edge inputs cover it), plus a dense uniform
// sweep of [-40, 40] where the functions bend.
// The forward must stay within F::bound; the derivative within F::bound's derivative entry,
// measured in ULPs of max(|f'(x)|, derivative_floor): near a zero crossing of f' (gelu', mish',
// swish', ...) the true derivative is tiny but an error of a few ULPs of the derivative's O(1)
// scale is all any float formula can promise, so errors there are counted against that floor.
// NaN inputs are left out (NaN propagation is checked in test_properties.cpp).
// The worst input for each is reported, so a failure names it.
#include <actfn/catalogue.hpp>
#include <actfn/core/span.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using namespace actfn_test;

namespace {

/// Derivatives are measured in ULPs of max(|f'|, this): see the file comment.
constexpr long double derivative_floor = 0.25L;

struct worst {
  long double ulp = 0;
  long double at = 0;
  void add(long double e, long double x) {
      if (!(e <= ulp)) { ulp = e; at = x; }  // NaN errors are the worst
  }
};

template <class T>
std::vector<T> sweep_inputs() {
  std::vector<T> xs;
  for (const T x : edge_inputs<T>())
    if (!std::isnan(x)) xs.push_back(x);
  if constexpr (sizeof(T) == 4) {
    // 2^18 patterns: stride 2^14 through all 2^32, offset so the stride does not only hit
    // round numbers. NaN patterns are skipped (NaN propagation is test_properties').
    for (std::uint64_t bits = 977; bits < (std::uint64_t{1} << 32); bits += (1u << 14)) {
      const auto b = static_cast<std::uint32_t>(bits);
      float x;
      std::memcpy(&x, &b, sizeof x);
      if (!std::isnan(x)) xs.push_back(x);
    }
  } else {
    // |x| < 2^11: exponent field below 0x40A; 2^18 patterns across that range, both signs.
    const std::uint64_t top = std::uint64_t{0x40A} << 52;
    const std::uint64_t step = top / (1u << 16);
    for (std::uint64_t bits = 12345; bits < top; bits += step) {
      for (const std::uint64_t sign : {std::uint64_t{0}, std::uint64_t{1} << 63}) {
        const std::uint64_t b = bits | sign;
        double x;
        std::memcpy(&x, &b, sizeof x);
        xs.push_back(x);
      }
    }
    const auto dense = random_inputs<double>(1 << 16, -40.0, 40.0, 99);
    xs.insert(xs.end(), dense.begin(), dense.end());
  }
  return xs;
}

template <class F, class T>
std::pair<worst, worst> measure(const F& f) {
  // Through the span algorithms (that scalar calls give the same bits is test_properties').
  const std::vector<T> xs = sweep_inputs<T>();
  std::vector<T> y(xs.size()), d(xs.size());
  actfn::forward(f, xs, y);
  actfn::derivative(f, xs, d);
  worst fwd, der;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const T x = xs[i];
    fwd.add(ulp_error(y[i], reference<F>::f(f, x)), x);
    const long double dref = reference<F>::df(f, x);
    if (std::isfinite(dref) && std::fabs(dref) < derivative_floor) {
      // In ULPs of the floor: see the file comment.
      der.add(std::fabs(static_cast<long double>(d[i]) - dref) / ulp_of<T>(derivative_floor), x);
    } else {
      der.add(ulp_error(d[i], dref), x);
    }
  }
  return {fwd, der};
}

std::string describe(const worst& w) {
  std::ostringstream s;
  s << std::setprecision(3) << static_cast<double>(w.ulp) << " ULP at x = " << std::setprecision(9)
    << static_cast<double>(w.at);
  return s.str();
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("float: forward and derivative within the documented ULP bound",
                        "[accuracy]", actfn::catalogue) {
  const TestType f{};
  const auto [fwd, der] = measure<TestType, float>(f);
  INFO(TestType::name << " float forward: " << describe(fwd) << "; derivative: " << describe(der));
  CHECK(fwd.ulp <= TestType::bound.f32_ulp);
  CHECK(der.ulp <= TestType::bound.f32_derivative_ulp);
  if (std::getenv("ACTFN_PRINT_ULP"))
    std::printf("%-12s f32 fwd %s | der %s\n", std::string(TestType::name).c_str(), describe(fwd).c_str(),
                describe(der).c_str());
}

TEMPLATE_LIST_TEST_CASE("double: forward and derivative within the documented ULP bound",
                        "[accuracy]", actfn::catalogue) {
  const TestType f{};
  const auto [fwd, der] = measure<TestType, double>(f);
  INFO(TestType::name << " double forward: " << describe(fwd) << "; derivative: " << describe(der));
  CHECK(fwd.ulp <= TestType::bound.f64_ulp);
  CHECK(der.ulp <= TestType::bound.f64_derivative_ulp);
  if (std::getenv("ACTFN_PRINT_ULP"))
    std::printf("%-12s f64 fwd %s | der %s\n", std::string(TestType::name).c_str(), describe(fwd).c_str(),
                describe(der).c_str());
}
