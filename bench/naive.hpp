// SPDX-License-Identifier: MIT
// The baseline actfn is measured against: for every function in actfn::catalogue, the formula
// a user would write in a plain loop with <cmath> (std::exp, std::erf, std::tanh...), forward
// f(fn, x) and derivative df(fn, x), in the element type T, reading the functor's parameters.
// These are deliberately the obvious textbook forms, not numerically careful ones: they are
// only timed (peer "std", bench/peers/std.cpp), never used to check actfn's results
// (tests/support/reference.hpp does that); like every peer, they are compared with actfn's
// results before timing, loosely enough for their rounding (bench.hpp).
//
// Adding a function to the catalogue = one naive<F> entry here; a catalogue function without
// one fails to compile (the static_assert in peers/std.cpp names it).
#pragma once

#include <actfn/catalogue.hpp>
#include <algorithm>
#include <cmath>
#include <concepts>

namespace actfn_bench {

template <class F>
struct naive;  // one specialisation per catalogue function, below

/// naive<F> exists and gives f and df for float and double.
template <class F>
concept has_naive = requires(const F& fn, float xf, double xd) {
  { naive<F>::f(fn, xf) } -> std::same_as<float>;
  { naive<F>::df(fn, xf) } -> std::same_as<float>;
  { naive<F>::f(fn, xd) } -> std::same_as<double>;
  { naive<F>::df(fn, xd) } -> std::same_as<double>;
};

// Every entry is `template <class T> static T f(const F&, T x)` and `... df(...)`. Constants are
// written T(...) and parameters are converted to T first, outside any branch, as float code
// holding float parameters would be (a conversion inside a ?: branch stops GCC from
// vectorising the loop, which would make the baseline look worse than a user's loop).

template <> struct naive<actfn::sigmoid> {
  template <class T> static T f(const actfn::sigmoid&, T x) { return T(1) / (T(1) + std::exp(-x)); }
  template <class T> static T df(const actfn::sigmoid& fn, T x) { const T s = f(fn, x); return s * (T(1) - s); }
};
template <> struct naive<actfn::log_sigmoid> {
  template <class T> static T f(const actfn::log_sigmoid&, T x) { return -std::log1p(std::exp(-x)); }
  template <class T> static T df(const actfn::log_sigmoid&, T x) { return T(1) / (T(1) + std::exp(x)); }
};
template <> struct naive<actfn::hardsigmoid> {
  template <class T> static T f(const actfn::hardsigmoid&, T x) { return std::clamp(x + T(3), T(0), T(6)) / T(6); }
  template <class T> static T df(const actfn::hardsigmoid&, T x) { return x > T(-3) && x < T(3) ? T(1) / T(6) : T(0); }
};
template <> struct naive<actfn::tanh> {
  template <class T> static T f(const actfn::tanh&, T x) { return std::tanh(x); }
  template <class T> static T df(const actfn::tanh&, T x) { const T t = std::tanh(x); return T(1) - t * t; }
};
template <> struct naive<actfn::softsign> {
  template <class T> static T f(const actfn::softsign&, T x) { return x / (T(1) + std::abs(x)); }
  template <class T> static T df(const actfn::softsign&, T x) { const T d = T(1) + std::abs(x); return T(1) / (d * d); }
};
template <> struct naive<actfn::hardtanh> {
  template <class T> static T f(const actfn::hardtanh& p, T x) { const T lo = T(p.min_val), hi = T(p.max_val); return std::clamp(x, lo, hi); }
  template <class T> static T df(const actfn::hardtanh& p, T x) { const T lo = T(p.min_val), hi = T(p.max_val); return x > lo && x < hi ? T(1) : T(0); }
};
template <> struct naive<actfn::relu> {
  template <class T> static T f(const actfn::relu&, T x) { return std::max(x, T(0)); }
  template <class T> static T df(const actfn::relu&, T x) { return x > T(0) ? T(1) : T(0); }
};
template <> struct naive<actfn::relu6> {
  template <class T> static T f(const actfn::relu6&, T x) { return std::min(std::max(x, T(0)), T(6)); }
  template <class T> static T df(const actfn::relu6&, T x) { return x > T(0) && x < T(6) ? T(1) : T(0); }
};
template <> struct naive<actfn::leaky_relu> {
  template <class T> static T f(const actfn::leaky_relu& p, T x) { const T s = T(p.negative_slope); return x >= T(0) ? x : s * x; }
  template <class T> static T df(const actfn::leaky_relu& p, T x) { const T s = T(p.negative_slope); return x > T(0) ? T(1) : s; }
};
template <> struct naive<actfn::prelu> {
  template <class T> static T f(const actfn::prelu& p, T x) { const T w = T(p.weight); return x >= T(0) ? x : w * x; }
  template <class T> static T df(const actfn::prelu& p, T x) { const T w = T(p.weight); return x > T(0) ? T(1) : w; }
};
template <> struct naive<actfn::rrelu> {
  template <class T> static T f(const actfn::rrelu& p, T x) { const T s = T((p.lower + p.upper) / 2); return x >= T(0) ? x : s * x; }
  template <class T> static T df(const actfn::rrelu& p, T x) { const T s = T((p.lower + p.upper) / 2); return x > T(0) ? T(1) : s; }
};
template <> struct naive<actfn::threshold> {
  template <class T> static T f(const actfn::threshold& p, T x) { const T t = T(p.thresh), v = T(p.value); return x > t ? x : v; }
  template <class T> static T df(const actfn::threshold& p, T x) { const T t = T(p.thresh); return x > t ? T(1) : T(0); }
};
template <> struct naive<actfn::swish> {
  template <class T> static T f(const actfn::swish& p, T x) { return x / (T(1) + std::exp(-T(p.beta) * x)); }
  template <class T> static T df(const actfn::swish& p, T x) {
    const T b = T(p.beta), s = T(1) / (T(1) + std::exp(-b * x));
    return s + b * x * s * (T(1) - s);
  }
};
template <> struct naive<actfn::silu> {
  template <class T> static T f(const actfn::silu&, T x) { return x / (T(1) + std::exp(-x)); }
  template <class T> static T df(const actfn::silu&, T x) {
    const T s = T(1) / (T(1) + std::exp(-x));
    return s * (T(1) + x * (T(1) - s));
  }
};
template <> struct naive<actfn::hardswish> {
  template <class T> static T f(const actfn::hardswish&, T x) { return x * std::clamp(x + T(3), T(0), T(6)) / T(6); }
  template <class T> static T df(const actfn::hardswish&, T x) { return x < T(-3) ? T(0) : x <= T(3) ? x / T(3) + T(0.5) : T(1); }
};
template <> struct naive<actfn::softplus> {
  template <class T> static T f(const actfn::softplus& p, T x) {
    const T b = T(p.beta);
    return b * x > T(p.threshold) ? x : std::log1p(std::exp(b * x)) / b;
  }
  template <class T> static T df(const actfn::softplus& p, T x) {
    const T b = T(p.beta);
    return b * x > T(p.threshold) ? T(1) : T(1) / (T(1) + std::exp(-b * x));
  }
};
template <> struct naive<actfn::elu> {
  template <class T> static T f(const actfn::elu& p, T x) { const T a = T(p.alpha); return x > T(0) ? x : a * (std::exp(x) - T(1)); }
  template <class T> static T df(const actfn::elu& p, T x) { const T a = T(p.alpha); return x > T(0) ? T(1) : a * std::exp(x); }
};
template <> struct naive<actfn::selu> {
  template <class T> static T f(const actfn::selu&, T x) {
    return T(actfn::selu::scale) * (x > T(0) ? x : T(actfn::selu::alpha) * (std::exp(x) - T(1)));
  }
  template <class T> static T df(const actfn::selu&, T x) {
    return T(actfn::selu::scale) * (x > T(0) ? T(1) : T(actfn::selu::alpha) * std::exp(x));
  }
};
template <> struct naive<actfn::celu> {
  template <class T> static T f(const actfn::celu& p, T x) { const T a = T(p.alpha); return x > T(0) ? x : a * (std::exp(x / a) - T(1)); }
  template <class T> static T df(const actfn::celu& p, T x) { const T a = T(p.alpha); return x > T(0) ? T(1) : std::exp(x / a); }
};
template <> struct naive<actfn::gelu> {
  template <class T> static T f(const actfn::gelu&, T x) { return x * T(0.5) * (T(1) + std::erf(x / std::sqrt(T(2)))); }
  template <class T> static T df(const actfn::gelu&, T x) {
    const T cdf = T(0.5) * (T(1) + std::erf(x / std::sqrt(T(2))));
    const T pdf = std::exp(T(-0.5) * x * x) / std::sqrt(T(2) * T(3.14159265358979323846));
    return cdf + x * pdf;
  }
};
template <> struct naive<actfn::gelu_tanh> {
  static constexpr double k = 0.7978845608028654;  // sqrt(2 / pi)
  static constexpr double c = 0.044715;
  template <class T> static T f(const actfn::gelu_tanh&, T x) {
    return T(0.5) * x * (T(1) + std::tanh(T(k) * (x + T(c) * x * x * x)));
  }
  template <class T> static T df(const actfn::gelu_tanh&, T x) {
    const T t = std::tanh(T(k) * (x + T(c) * x * x * x));
    return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * T(k) * (T(1) + T(3 * c) * x * x);
  }
};
template <> struct naive<actfn::mish> {
  template <class T> static T f(const actfn::mish&, T x) { return x * std::tanh(std::log1p(std::exp(x))); }
  template <class T> static T df(const actfn::mish&, T x) {
    const T t = std::tanh(std::log1p(std::exp(x)));
    return t + x * (T(1) - t * t) / (T(1) + std::exp(-x));
  }
};
template <> struct naive<actfn::hardshrink> {
  template <class T> static T f(const actfn::hardshrink& p, T x) { const T l = T(p.lambd); return std::abs(x) > l ? x : T(0); }
  template <class T> static T df(const actfn::hardshrink& p, T x) { const T l = T(p.lambd); return std::abs(x) > l ? T(1) : T(0); }
};
template <> struct naive<actfn::softshrink> {
  template <class T> static T f(const actfn::softshrink& p, T x) {
    const T l = T(p.lambd);
    return x > l ? x - l : x < -l ? x + l : T(0);
  }
  template <class T> static T df(const actfn::softshrink& p, T x) { const T l = T(p.lambd); return std::abs(x) > l ? T(1) : T(0); }
};
template <> struct naive<actfn::tanhshrink> {
  template <class T> static T f(const actfn::tanhshrink&, T x) { return x - std::tanh(x); }
  template <class T> static T df(const actfn::tanhshrink&, T x) { const T t = std::tanh(x); return t * t; }
};

}  // namespace actfn_bench
