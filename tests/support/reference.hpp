// Independent references for every function in actfn::catalogue: the textbook formulas in
// long double with the C library's functions (none of actfn's code), and their derivatives
// written out by hand. reference<F>::f(fn, x) and reference<F>::df(fn, x).
// Formulas are arranged only to avoid overflow and cancellation (e.g. log1p(exp(-|x|))), so
// they stay trustworthy in the tails that the accuracy sweeps visit.
#pragma once

#include <actfn/catalogue.hpp>
#include <cmath>
#include <limits>

namespace actfn_test {

using ld = long double;

inline ld ref_sigmoid(ld x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }
inline ld ref_sigmoid_slope(ld x) { const ld e = std::exp(-std::fabs(x)); return e / ((1 + e) * (1 + e)); }
inline ld ref_softplus(ld x) { return std::fmax(x, 0) + std::log1p(std::exp(-std::fabs(x))); }
/// x * g(x) with the limit 0 where g underflows to 0 (for x = -inf).
inline ld times_vanishing(ld x, ld g) { return g == 0 ? 0 : x * g; }
inline ld ref_tanh_slope(ld x) { const ld c = std::cosh(x); return std::isinf(c) ? 0 : 1 / (c * c); }

template <class F> struct reference;

template <> struct reference<actfn::sigmoid> {
  static ld f(const actfn::sigmoid&, ld x) { return ref_sigmoid(x); }
  static ld df(const actfn::sigmoid&, ld x) { return ref_sigmoid_slope(x); }
};
template <> struct reference<actfn::log_sigmoid> {
  static ld f(const actfn::log_sigmoid&, ld x) { return -ref_softplus(-x); }
  static ld df(const actfn::log_sigmoid&, ld x) { return ref_sigmoid(-x); }
};
template <> struct reference<actfn::hardsigmoid> {
  static ld f(const actfn::hardsigmoid&, ld x) { return x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6; }
  static ld df(const actfn::hardsigmoid&, ld x) { return (x > -3 && x < 3) ? 1.0L / 6 : 0; }
};
template <> struct reference<actfn::tanh> {
  static ld f(const actfn::tanh&, ld x) { return std::tanh(x); }
  static ld df(const actfn::tanh&, ld x) { return ref_tanh_slope(x); }
};
template <> struct reference<actfn::softsign> {
  static ld f(const actfn::softsign&, ld x) { return std::isinf(x) ? std::copysign(1.0L, x) : x / (1 + std::fabs(x)); }
  static ld df(const actfn::softsign&, ld x) { return 1 / ((1 + std::fabs(x)) * (1 + std::fabs(x))); }
};
template <> struct reference<actfn::hardtanh> {
  static ld f(const actfn::hardtanh& p, ld x) { return x < p.min_val ? p.min_val : x > p.max_val ? p.max_val : x; }
  static ld df(const actfn::hardtanh& p, ld x) { return (x > p.min_val && x < p.max_val) ? 1 : 0; }
};
template <> struct reference<actfn::relu> {
  static ld f(const actfn::relu&, ld x) { return x > 0 ? x : 0; }
  static ld df(const actfn::relu&, ld x) { return x > 0 ? 1 : 0; }
};
template <> struct reference<actfn::relu6> {
  static ld f(const actfn::relu6&, ld x) { return x <= 0 ? 0 : x >= 6 ? 6 : x; }
  static ld df(const actfn::relu6&, ld x) { return (x > 0 && x < 6) ? 1 : 0; }
};
template <> struct reference<actfn::leaky_relu> {
  // Exact slope: the functor rounds it to the element type, which costs up to 1 ULP (its bound).
  static ld f(const actfn::leaky_relu& p, ld x) { return x < 0 ? x * p.negative_slope : x; }
  static ld df(const actfn::leaky_relu& p, ld x) { return x > 0 ? 1 : p.negative_slope; }
};
template <> struct reference<actfn::prelu> {
  static ld f(const actfn::prelu& p, ld x) { return x < 0 ? x * p.weight : x; }
  static ld df(const actfn::prelu& p, ld x) { return x > 0 ? 1 : p.weight; }
};
template <> struct reference<actfn::rrelu> {
  static ld slope(const actfn::rrelu& p) { return (static_cast<ld>(p.lower) + p.upper) / 2; }
  static ld f(const actfn::rrelu& p, ld x) { return x < 0 ? x * slope(p) : x; }
  static ld df(const actfn::rrelu& p, ld x) { return x > 0 ? 1 : slope(p); }
};
template <> struct reference<actfn::threshold> {
  static ld f(const actfn::threshold& p, ld x) { return x > p.thresh ? x : p.value; }
  static ld df(const actfn::threshold& p, ld x) { return x > p.thresh ? 1 : 0; }
};
template <> struct reference<actfn::swish> {
  static ld f(const actfn::swish& p, ld x) { return times_vanishing(x, ref_sigmoid(p.beta * x)); }
  static ld df(const actfn::swish& p, ld x) {
    const ld z = p.beta * x;
    return ref_sigmoid(z) + times_vanishing(z, ref_sigmoid_slope(z));
  }
};
template <> struct reference<actfn::silu> {
  static ld f(const actfn::silu&, ld x) { return times_vanishing(x, ref_sigmoid(x)); }
  static ld df(const actfn::silu&, ld x) { return ref_sigmoid(x) + times_vanishing(x, ref_sigmoid_slope(x)); }
};
template <> struct reference<actfn::hardswish> {
  static ld f(const actfn::hardswish&, ld x) { return x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6; }
  static ld df(const actfn::hardswish&, ld x) { return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5L : 1; }
};
template <> struct reference<actfn::softplus> {
  static ld f(const actfn::softplus& p, ld x) {
    return p.beta * x > p.threshold ? x : ref_softplus(p.beta * x) / p.beta;
  }
  static ld df(const actfn::softplus& p, ld x) { return p.beta * x > p.threshold ? 1 : ref_sigmoid(p.beta * x); }
};
template <> struct reference<actfn::elu> {
  static ld f(const actfn::elu& p, ld x) { return x > 0 ? x : p.alpha * std::expm1(x); }
  static ld df(const actfn::elu& p, ld x) { return x > 0 ? 1 : p.alpha * std::exp(x); }
};
template <> struct reference<actfn::selu> {
  static constexpr ld alpha = 1.6732632423543772848170429916717L;
  static constexpr ld scale = 1.0507009873554804934193349852946L;
  static ld f(const actfn::selu&, ld x) { return scale * (x > 0 ? x : alpha * std::expm1(x)); }
  static ld df(const actfn::selu&, ld x) { return x > 0 ? scale : scale * alpha * std::exp(x); }
};
template <> struct reference<actfn::celu> {
  static ld f(const actfn::celu& p, ld x) { return x > 0 ? x : p.alpha * std::expm1(x / p.alpha); }
  static ld df(const actfn::celu& p, ld x) { return x > 0 ? 1 : std::exp(x / p.alpha); }
};
template <> struct reference<actfn::gelu> {
  static ld cdf(ld x) { return std::erfc(-x / std::sqrt(2.0L)) / 2; }
  static ld pdf(ld x) { return std::exp(-x * x / 2) / std::sqrt(2 * 3.14159265358979323846264338327950288L); }
  static ld f(const actfn::gelu&, ld x) { return times_vanishing(x, cdf(x)); }
  static ld df(const actfn::gelu&, ld x) { return cdf(x) + times_vanishing(x, pdf(x)); }
};
template <> struct reference<actfn::gelu_tanh> {
  static constexpr ld k = 0.79788456080286535587989211986876L;  // sqrt(2 / pi)
  static constexpr ld c = 0.044715L;
  static ld u(ld x) { return k * (x + c * x * x * x); }
  // 0.5 (1 + tanh(u)) = sigmoid(2u)
  static ld f(const actfn::gelu_tanh&, ld x) { return times_vanishing(x, ref_sigmoid(2 * u(x))); }
  static ld df(const actfn::gelu_tanh&, ld x) {
    const ld s = ref_sigmoid_slope(2 * u(x));
    const ld du = k * (1 + 3 * c * x * x);
    return ref_sigmoid(2 * u(x)) + times_vanishing(x, times_vanishing(du, 2 * s));
  }
};
template <> struct reference<actfn::mish> {
  static ld f(const actfn::mish&, ld x) { return times_vanishing(x, std::tanh(ref_softplus(x))); }
  static ld df(const actfn::mish&, ld x) {
    const ld sp = ref_softplus(x);
    return std::tanh(sp) + times_vanishing(x, ref_sigmoid(x) * ref_tanh_slope(sp));
  }
};
template <> struct reference<actfn::hardshrink> {
  static ld f(const actfn::hardshrink& p, ld x) { return std::fabs(x) > p.lambd ? x : 0; }
  static ld df(const actfn::hardshrink& p, ld x) { return std::fabs(x) > p.lambd ? 1 : 0; }
};
template <> struct reference<actfn::softshrink> {
  static ld f(const actfn::softshrink& p, ld x) { return x > p.lambd ? x - p.lambd : x < -p.lambd ? x + p.lambd : 0; }
  static ld df(const actfn::softshrink& p, ld x) { return std::fabs(x) > p.lambd ? 1 : 0; }
};
template <> struct reference<actfn::tanhshrink> {
  // Near 0, x - tanh(x) cancels even in long double, so |x| < 0.1 uses the Taylor series of
  // x - tanh x (coefficients 2^2n (2^2n - 1) |B_2n| / (2n)!, B the Bernoulli numbers), whose
  // ninth term is below long double's rounding there; at |x| = 0.1 the subtraction loses
  // 8 of long double's 64 bits, still 3 more than double has.
  static ld f(const actfn::tanhshrink&, ld x) {
    if (std::fabs(x) < 0.1L) {
      static constexpr ld c[] = {1.0L / 3, -2.0L / 15, 17.0L / 315, -62.0L / 2835, 1382.0L / 155925,
                                 -21844.0L / 6081075, 929569.0L / 638512875,
                                 -6404582.0L / 10854718875, 443861162.0L / 1856156927625};
      const ld x2 = x * x;
      ld sum = 0;
      for (int i = 8; i >= 0; --i) sum = sum * x2 + c[i];
      return x * x2 * sum;
    }
    return x - std::tanh(x);
  }
  static ld df(const actfn::tanhshrink&, ld x) { const ld t = std::tanh(x); return t * t; }
};

}  // namespace actfn_test
