// Inputs shared by the catalogue-wide tests: the edge values every function must handle and a
// fixed-seed random spread over the interesting range.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace actfn_test {

/// Zeros, tiny and huge values, the usual kinks and thresholds, infinities and NaN.
template <class T>
std::vector<T> edge_inputs() {
  using lim = std::numeric_limits<T>;
  std::vector<T> v = {T(0), -T(0), lim::denorm_min(), -lim::denorm_min(), lim::min(), -lim::min(),
                      lim::epsilon(), -lim::epsilon(), T(1e-7), T(-1e-7), T(0.5), T(-0.5),
                      T(1), T(-1), T(1.5), T(-1.5), T(3), T(-3), T(6), T(-6), T(20), T(-20),
                      T(88.5), T(-88.5), T(100), T(-100), T(710), T(-710), T(1e30), T(-1e30),
                      lim::max(), lim::lowest(), lim::infinity(), -lim::infinity(),
                      lim::quiet_NaN()};
  return v;
}

/// n values, uniform in [lo, hi], from a fixed seed.
template <class T>
std::vector<T> random_inputs(std::size_t n, T lo, T hi, std::uint64_t seed = 42) {
  std::mt19937_64 gen(seed);
  std::vector<T> v(n);
  for (auto& x : v) {
    const T u = static_cast<T>(static_cast<double>(gen() >> 11) * 0x1p-53);
    x = lo + (hi - lo) * u;
  }
  return v;
}

/// Bitwise equality (NaN equals NaN, +0 differs from -0).
template <class T>
bool same_bits(T a, T b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::signbit(a) == std::signbit(b) && (a == b || (std::isnan(a) && std::isnan(b)));
}

}  // namespace actfn_test
