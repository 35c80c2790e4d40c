// Inputs shared by the tests: the edge values every function must handle, fixed-seed random
// spreads (random_inputs rounds in T, uniform in double: different float values), even grids,
// the infinities and NaN, and the SIMD width and row lengths of the span and row-wise tests.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <vector>
#include <xsimd/xsimd.hpp>

namespace actfn_test {

template <class T>
constexpr T inf = std::numeric_limits<T>::infinity();
template <class T>
constexpr T qnan = std::numeric_limits<T>::quiet_NaN();

/// A round exponent z above log(smallest normal of T) (-87.3 for float, -708.4 for double):
/// e^z, and with it sigmoid(z), softplus(z), x e^x down to there, is still a normal number of T.
template <class T>
constexpr double exp_arg_lowest = sizeof(T) == 4 ? -80.0 : -700.0;

/// The lanes of xsimd::batch<T> (the architecture the test is built for).
template <class T>
constexpr std::size_t W = xsimd::batch<T>::size;

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

/// n values, uniform in [lo, hi], from a fixed seed: lo + (hi - lo) u computed in double and
/// rounded once to T (random_inputs computes in T; the two differ for float).
template <class T>
std::vector<T> uniform(std::size_t n, double lo, double hi, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<T> v(n);
  for (auto& x : v)
    x = static_cast<T>(lo + (hi - lo) * (static_cast<double>(gen() >> 11) * 0x1p-53));
  return v;
}

/// uniform<T>(n, lo, hi, seed) with every `every`-th element (from the first) an exact zero,
/// alternately -0 and +0.
template <class T>
std::vector<T> uniform_with_zeros(std::size_t n, double lo, double hi, std::uint64_t seed,
                                  std::size_t every) {
  auto x = uniform<T>(n, lo, hi, seed);
  for (std::size_t i = 0; i < n; i += every) x[i] = (i / every) % 2 ? T(0) : -T(0);
  return x;
}

/// n + 1 evenly spaced points from lo to hi (computed in double), rounded to T.
template <class T>
std::vector<T> grid(double lo, double hi, int n) {
  std::vector<T> v;
  for (int i = 0; i <= n; ++i) v.push_back(static_cast<T>(lo + (hi - lo) * i / n));
  return v;
}

/// random_inputs<T>(n, -30, 30), then t and -t for each t of `magnitudes` (in that order).
template <class T>
std::vector<T> dense_and_tails(std::size_t n, std::initializer_list<T> magnitudes) {
  auto v = random_inputs<T>(n, T(-30), T(30));
  for (T t : magnitudes) {
    v.push_back(t);
    v.push_back(-t);
  }
  return v;
}

/// v followed by +inf, -inf and NaN.
template <class T>
std::vector<T> with_inf_nan(std::vector<T> v) {
  v.insert(v.end(), {inf<T>, -inf<T>, qnan<T>});
  return v;
}

/// Row (or span) lengths from `first` through every tail up to 2W + 1, then 8W + 3 (past the
/// four-way unrolled reductions of rowwise/softmax.hpp, in float and in double lanes, with a
/// tail) and a long one (1000).
template <class T>
std::vector<std::size_t> row_lengths(std::size_t first) {
  std::vector<std::size_t> n;
  for (std::size_t c = first; c <= 2 * W<T> + 1; ++c) n.push_back(c);
  n.push_back(8 * W<T> + 3);
  n.push_back(1000);
  return n;
}

/// Bitwise equality (NaN equals NaN, +0 differs from -0).
template <class T>
bool same_bits(T a, T b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::signbit(a) == std::signbit(b) && (a == b || (std::isnan(a) && std::isnan(b)));
}

/// v and its k nearest neighbours on each side (2k + 1 values).
template <class T>
std::vector<T> around(T v, int k) {
  std::vector<T> out{v};
  T up = v, down = v;
  for (int i = 0; i < k; ++i) {
    up = std::nextafter(up, std::numeric_limits<T>::infinity());
    down = std::nextafter(down, -std::numeric_limits<T>::infinity());
    out.push_back(up);
    out.push_back(down);
  }
  return out;
}

}  // namespace actfn_test
