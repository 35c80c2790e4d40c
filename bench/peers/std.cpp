// SPDX-License-Identifier: MIT
// Peer "std": the plain loop a user would write without actfn, over the <cmath> formulas of
// naive.hpp (std::exp, std::erf, std::tanh...), for every catalogue function, float and
// double; and the textbook two-pass softmax / log_softmax loops over rows. GCC vectorises the
// loops it can (relu, the clamps); the transcendental ones stay scalar calls into libm.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>

#include "../bench.hpp"
#include "../naive.hpp"

namespace actfn_bench {
namespace {

constexpr std::string_view impl = "std";

/// The forward and backward loops of F at one type and size. Each loop works on a local copy of
/// the functor (const F g = f), as a user's function would.
template <class F, class T>
void add_function(std::size_t n) {
  static_assert(has_naive<F>, "bench/naive.hpp has no naive<F> entry for this catalogue function");
  F f{};  // not const: a lambda copy of a const would be a const member, foldable as a constant
  add_peer<F, T>(impl, pass::forward, n, plain([f](const T* x, const T*, T* y, std::size_t m) {
                   const F g = f;
                   for (std::size_t i = 0; i < m; ++i) y[i] = naive<F>::f(g, x[i]);
                 }));
  add_peer<F, T>(impl, pass::backward, n, plain([f](const T* x, const T* dy, T* dx, std::size_t m) {
                   const F g = f;
                   for (std::size_t i = 0; i < m; ++i) dx[i] = dy[i] * naive<F>::df(g, x[i]);
                 }));
}

template <class T>
void add_all(std::size_t n) {
  [&]<class... F>(std::type_identity<std::tuple<F...>>) {
    (add_function<F, T>(n), ...);
  }(std::type_identity<actfn::catalogue>{});
}

void elementwise(elem t, std::size_t n) {
  if (t == elem::f32)
    add_all<float>(n);
  else if (t == elem::f64)
    add_all<double>(n);
}

// Row by row: the maximum, then exp(x - max) and its sum, then the scaling (softmax) or
// x - max - log(sum) (log_softmax). Backward: dx = y * (dy - sum(dy * y)) for softmax,
// dx = dy - exp(y) * sum(dy) for log_softmax.
void softmax_rows(const float* x, float* y, std::size_t n, std::size_t cols) {
  for (std::size_t r = 0; r < n; r += cols) {
    const float* xr = x + r;
    float* yr = y + r;
    const float m = *std::max_element(xr, xr + cols);
    float sum = 0;
    for (std::size_t i = 0; i < cols; ++i) sum += yr[i] = std::exp(xr[i] - m);
    const float scale = 1.0f / sum;
    for (std::size_t i = 0; i < cols; ++i) yr[i] *= scale;
  }
}
void log_softmax_rows(const float* x, float* y, std::size_t n, std::size_t cols) {
  for (std::size_t r = 0; r < n; r += cols) {
    const float* xr = x + r;
    float* yr = y + r;
    const float m = *std::max_element(xr, xr + cols);
    float sum = 0;
    for (std::size_t i = 0; i < cols; ++i) sum += std::exp(xr[i] - m);
    const float shift = m + std::log(sum);
    for (std::size_t i = 0; i < cols; ++i) yr[i] = xr[i] - shift;
  }
}
void softmax_backward_rows(const float* y, const float* dy, float* dx, std::size_t n, std::size_t cols) {
  for (std::size_t r = 0; r < n; r += cols) {
    float dot = 0;
    for (std::size_t i = 0; i < cols; ++i) dot += dy[r + i] * y[r + i];
    for (std::size_t i = 0; i < cols; ++i) dx[r + i] = y[r + i] * (dy[r + i] - dot);
  }
}
void log_softmax_backward_rows(const float* y, const float* dy, float* dx, std::size_t n, std::size_t cols) {
  for (std::size_t r = 0; r < n; r += cols) {
    float sum = 0;
    for (std::size_t i = 0; i < cols; ++i) sum += dy[r + i];
    for (std::size_t i = 0; i < cols; ++i) dx[r + i] = dy[r + i] - std::exp(y[r + i]) * sum;
  }
}

void rowwise(shape s) {
  const std::size_t cols = s.cols;
  add_rowwise_peer("softmax", impl, pass::forward, s,
                   plain([cols](const float* x, const float*, float* y, std::size_t n) { softmax_rows(x, y, n, cols); }));
  add_rowwise_peer("log_softmax", impl, pass::forward, s,
                   plain([cols](const float* x, const float*, float* y, std::size_t n) { log_softmax_rows(x, y, n, cols); }));
  add_rowwise_peer("softmax", impl, pass::backward, s,
                   [cols](const float* x, const float* dy, float* dx, std::size_t n) {
                     return [cols, y = rowwise_output<float>("softmax", x, n, cols), dy, dx, n] {
                       softmax_backward_rows(y.data(), dy, dx, n, cols);
                     };
                   });
  add_rowwise_peer("log_softmax", impl, pass::backward, s,
                   [cols](const float* x, const float* dy, float* dx, std::size_t n) {
                     return [cols, y = rowwise_output<float>("log_softmax", x, n, cols), dy, dx, n] {
                       log_softmax_backward_rows(y.data(), dy, dx, n, cols);
                     };
                   });
}

const peer_registration registered{peer{impl, &elementwise, &rowwise}};

}  // namespace
}  // namespace actfn_bench
