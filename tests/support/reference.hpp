// Independent references for every function in actfn::catalogue: textbook formulas with the C
// library's functions (none of actfn's code), and their derivatives written out by hand.
//
//   reference<F, R>::f(fn, x), reference<F, R>::df(fn, x)     f(x) and f'(x) computed in R
//
// R is long double unless asked otherwise (every test in tests/ uses long double). Formulas are
// arranged only to avoid overflow and cancellation (e.g. log1p(exp(-|x|))), so they stay
// trustworthy in the tails that the accuracy sweeps visit.
//
// Which precision measures which type (`wide<T>`, used by tests/test_accuracy.cpp and
// tools/ulp_sweep.cpp, docs/accuracy.md):
// - float results against R = double. Every formula below is a handful of correctly or nearly
//   correctly rounded double operations (glibc's exp, log1p, tanh, erfc, cosh are within 1 ULP
//   of double), i.e. within ~2^-50 relative, 2^-26 ULP of float. The only cancellations are
//   (a) x - tanh x near 0, computed by its Taylor series below |x| < 1/2 and by the
//   subtraction above it, where at most 12 = 3 / 0.5^2 is lost: still 2^-49 relative;
//   (b) the derivative sums of swish/silu, gelu, gelu_tanh and mish that cross zero (window
//   below), whose error is measured in ULPs of the summands there: 2^-50 of them; elsewhere
//   the summands are within 4x of the sum;
//   (c) the rounding of an argument that is then exponentiated: exp(a (1 + d)) has relative
//   error |a| d, and the arguments that reach float results are at most ~104 in size
//   (silu'(-103) ~ 1e-43), so |a| 2^-53 < 2^-46.
//   Hence double is enough for every float function; long double is never needed there.
// - double results against R = long double (11 more bits). (a) and (b) as above leave
//   2^-60 or better. (c) is the real problem: double results reach exp(-745), where rounding
//   the argument costs 745 * 2^-64 = 2^-54.5, a third of a double ULP. So the three
//   formulas whose arguments are rounded before an exponential carry that rounding along
//   as a first-order correction: gelu (t = -x / sqrt(2) inside erfc and x^2 / 2 inside
//   exp, both split into a long double value plus its exact remainder with fma),
//   gelu_tanh (2u = 2 sqrt(2/pi) (x + 0.044715 x^3), computed as a pair of long doubles).
//   Everywhere else x itself is the argument (exact), so nothing needs more than long double.
//
// Derivative zero crossings (docs/accuracy.md): where f' is a sum of two terms that cancel,
// reference<F, R>::terms(fn, x) gives |A| + |B| and reference<F, R>::in_window(fn, x) says
// whether x is in the documented window around the zero crossing; derivative_error() below is
// THE derivative measure, shared by the tests and the tool.
#pragma once

#include <actfn/catalogue.hpp>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ulp.hpp"

namespace actfn_test {

using ld = long double;

/// The reference precision for results of type T: double for float, long double for double
/// (see the file comment for why that is enough).
template <class T>
using wide = std::conditional_t<sizeof(T) == 4, double, long double>;

// Helpers: R is given explicitly (ref_sigmoid<double>(x)); without it they work in long double.

/// exp(x), and 0 without calling the C library below -(|emin| + p + 2) ln 2, where exp rounds
/// to 0 anyway (the same value; the C library's underflow path is slow, and the exhaustive
/// sweep sends it half of all float inputs).
template <class R = ld> R ref_exp(std::type_identity_t<R> x) {
  using lim = std::numeric_limits<R>;
  constexpr R cutoff = R(-lim::min_exponent + lim::digits + 2) * R(0.6931471805599453094172321L);
  return x < -cutoff ? R(0) : std::exp(x);
}
template <class R = ld> R ref_exp_neg_abs(std::type_identity_t<R> x) { return ref_exp<R>(-std::fabs(x)); }
template <class R = ld> R ref_sigmoid(std::type_identity_t<R> x) {
  const R e = ref_exp_neg_abs<R>(x);
  return (x >= 0 ? R(1) : e) / (1 + e);
}
template <class R = ld> R ref_sigmoid_slope(std::type_identity_t<R> x) {
  const R e = ref_exp_neg_abs<R>(x);
  return e / ((1 + e) * (1 + e));
}
template <class R = ld> R ref_softplus(std::type_identity_t<R> x) {
  return std::fmax(x, R(0)) + std::log1p(ref_exp_neg_abs<R>(x));
}
/// x * g(x) with the limit 0 where g underflows to 0 (for x = -inf).
template <class R = ld> R times_vanishing(std::type_identity_t<R> x, std::type_identity_t<R> g) {
  return g == 0 ? R(0) : x * g;
}
/// sech^2 x = 4 e / (1 + e)^2 with e = exp(-2|x|).
template <class R = ld> R ref_tanh_slope(std::type_identity_t<R> x) {
  const R e = ref_exp_neg_abs<R>(2 * x);
  return 4 * e / ((1 + e) * (1 + e));
}

/// A constant known to more than R's precision: hi = the constant rounded to R, lo = the rest.
/// Written from the long double pair (hi, lo) of the constant; for R = double the long double
/// part below the double is moved into lo.
template <class R> struct split_constant {
  R hi, lo;
  constexpr split_constant(ld hi_ld, ld lo_ld) : hi(R(hi_ld)), lo(R((hi_ld - ld(R(hi_ld))) + lo_ld)) {}
};

/// A window [lo, hi] of x around a zero crossing of f' (see docs/accuracy.md).
struct window {
  ld lo, hi;
  constexpr bool contains(ld x) const { return x >= lo && x <= hi; }
};

/// A point where a function's value and derivative are documented exactly (README,
/// "Semantics"): the limits at +-inf, the values at +-0 and at the kinks, with PyTorch's
/// derivative there. An empty optional: nothing is documented beyond the ULP bound. A zero
/// expected for f at a zero input is compared with its sign; elsewhere zeros of either sign
/// match. Every reference<F> lists its points (special_points(f)); the sweep checks them, and
/// NaN in gives NaN out for every function.
struct special_point {
  double x;
  std::optional<double> f, df;
};
using points = std::vector<special_point>;
inline constexpr double infinity = std::numeric_limits<double>::infinity();
inline constexpr std::nullopt_t no = std::nullopt;
/// Points of a function with limits 0 / +inf and slopes 0 / 1 there, through 0 with slope d0.
inline points relu_like_points(double d0) {
  return {{-infinity, 0.0, 0.0}, {infinity, infinity, 1.0}, {-0.0, -0.0, d0}, {0.0, 0.0, d0}};
}
/// Points of a leaky ReLU of negative slope s (-0 stays -0: x itself is returned at zeros).
inline points leaky_points(double s) {
  const double left = s > 0 ? -infinity : s == 0 ? 0.0 : infinity;
  return {{-infinity, left, s}, {infinity, infinity, 1.0}, {-0.0, -0.0, s}, {0.0, 0.0, s}};
}

/// A functor with the parameters it was made with, for the tests and the sweep's rows.
template <class F>
struct parameter_set {
  std::string label;  // e.g. "beta=1.5"; empty for the defaults
  F f;
};

template <class F, class R = ld> struct reference;

template <class R> struct reference<actfn::sigmoid, R> {
  static points special_points(const actfn::sigmoid&) {
    return {{-infinity, 0.0, 0.0}, {infinity, 1.0, 0.0}, {-0.0, 0.5, 0.25}, {0.0, 0.5, 0.25}};
  }
  static R f(const actfn::sigmoid&, R x) { return ref_sigmoid<R>(x); }
  static R df(const actfn::sigmoid&, R x) { return ref_sigmoid_slope<R>(x); }
};
template <class R> struct reference<actfn::log_sigmoid, R> {
  static points special_points(const actfn::log_sigmoid&) {
    return {{-infinity, -infinity, 1.0}, {infinity, 0.0, 0.0}, {-0.0, no, 0.5}, {0.0, no, 0.5}};
  }
  static R f(const actfn::log_sigmoid&, R x) { return -ref_softplus<R>(-x); }
  static R df(const actfn::log_sigmoid&, R x) { return ref_sigmoid<R>(-x); }
};
template <class R> struct reference<actfn::hardsigmoid, R> {
  static points special_points(const actfn::hardsigmoid&) {
    return {{-infinity, 0.0, 0.0}, {infinity, 1.0, 0.0}, {-0.0, 0.5, 1.0 / 6}, {0.0, 0.5, 1.0 / 6}, {-3, 0.0, 0.0}, {3, 1.0, 0.0}};
  }
  static R f(const actfn::hardsigmoid&, R x) { return x <= -3 ? R(0) : x >= 3 ? R(1) : (x + 3) / 6; }
  static R df(const actfn::hardsigmoid&, R x) { return (x > -3 && x < 3) ? R(1) / 6 : R(0); }
};
template <class R> struct reference<actfn::tanh, R> {
  static points special_points(const actfn::tanh&) {
    return {{-infinity, -1.0, 0.0}, {infinity, 1.0, 0.0}, {-0.0, -0.0, 1.0}, {0.0, 0.0, 1.0}};
  }
  static R f(const actfn::tanh&, R x) { return std::tanh(x); }
  static R df(const actfn::tanh&, R x) { return ref_tanh_slope<R>(x); }
};
template <class R> struct reference<actfn::softsign, R> {
  static points special_points(const actfn::softsign&) {
    return {{-infinity, -1.0, 0.0}, {infinity, 1.0, 0.0}, {-0.0, -0.0, 1.0}, {0.0, 0.0, 1.0}};
  }
  static R f(const actfn::softsign&, R x) { return std::isinf(x) ? std::copysign(R(1), x) : x / (1 + std::fabs(x)); }
  static R df(const actfn::softsign&, R x) { return 1 / ((1 + std::fabs(x)) * (1 + std::fabs(x))); }
};
template <class R> struct reference<actfn::hardtanh, R> {
  static std::vector<parameter_set<actfn::hardtanh>> parameter_grid() {
    return {{"min_val=-0.3,max_val=0.7", actfn::hardtanh(-0.3, 0.7)}, {"min_val=-2.5,max_val=6", actfn::hardtanh(-2.5, 6)}, {"min_val=0.1,max_val=0.2", actfn::hardtanh(0.1, 0.2)}, {"min_val=-1000,max_val=0.001", actfn::hardtanh(-1000, 0.001)}};
  }
  // +-0 is inside the interval (x itself, slope 1), a kink (x itself, slope 0) or clamped. The
  // kinks are checked at k = float(bound), an input of both types: the bound itself where it
  // is representable, else the float beside it, on the side the exact comparison puts it.
  static points special_points(const actfn::hardtanh& p) {
    points v{{-infinity, p.min_val, 0.0}, {infinity, p.max_val, 0.0}};
    if (p.min_val < 0 && p.max_val > 0) {
      v.insert(v.end(), {{-0.0, -0.0, 1.0}, {0.0, 0.0, 1.0}});
    } else if (p.min_val > 0 || p.max_val < 0) {
      const double b = p.min_val > 0 ? p.min_val : p.max_val;
      v.insert(v.end(), {{-0.0, b, 0.0}, {0.0, b, 0.0}});
    } else {
      v.insert(v.end(), {{-0.0, -0.0, 0.0}, {0.0, 0.0, 0.0}});
    }
    for (const double bound : {p.min_val, p.max_val}) {
      const double k = static_cast<float>(bound);
      const bool inside = k > p.min_val && k < p.max_val;
      v.push_back({k, k < p.min_val ? p.min_val : k > p.max_val ? p.max_val : k, inside ? 1.0 : 0.0});
    }
    return v;
  }
  static R f(const actfn::hardtanh& p, R x) { return x < p.min_val ? R(p.min_val) : x > p.max_val ? R(p.max_val) : x; }
  static R df(const actfn::hardtanh& p, R x) { return (x > p.min_val && x < p.max_val) ? R(1) : R(0); }
};
template <class R> struct reference<actfn::relu, R> {
  static points special_points(const actfn::relu&) {
    return {{-infinity, 0.0, 0.0}, {infinity, infinity, 1.0}, {-0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}};
  }
  static R f(const actfn::relu&, R x) { return x > 0 ? x : R(0); }
  static R df(const actfn::relu&, R x) { return x > 0 ? R(1) : R(0); }
};
template <class R> struct reference<actfn::relu6, R> {
  static points special_points(const actfn::relu6&) {
    return {{-infinity, 0.0, 0.0}, {infinity, 6.0, 0.0}, {-0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}, {6, 6.0, 0.0}};
  }
  static R f(const actfn::relu6&, R x) { return x <= 0 ? R(0) : x >= 6 ? R(6) : x; }
  static R df(const actfn::relu6&, R x) { return (x > 0 && x < 6) ? R(1) : R(0); }
};
template <class R> struct reference<actfn::leaky_relu, R> {
  static std::vector<parameter_set<actfn::leaky_relu>> parameter_grid() {
    return {{"negative_slope=0.2", actfn::leaky_relu(0.2)}, {"negative_slope=0.3", actfn::leaky_relu(0.3)}, {"negative_slope=0.0001", actfn::leaky_relu(1e-4)}, {"negative_slope=-0.5", actfn::leaky_relu(-0.5)}, {"negative_slope=3", actfn::leaky_relu(3)}};
  }
  static points special_points(const actfn::leaky_relu& p) { return leaky_points(p.negative_slope); }
  // Exact slope: the functor rounds it to the element type, which costs up to 1 ULP (its bound).
  static R f(const actfn::leaky_relu& p, R x) { return x < 0 ? x * R(p.negative_slope) : x; }
  static R df(const actfn::leaky_relu& p, R x) { return x > 0 ? R(1) : R(p.negative_slope); }
};
template <class R> struct reference<actfn::prelu, R> {
  static std::vector<parameter_set<actfn::prelu>> parameter_grid() {
    return {{"weight=0.1", actfn::prelu(0.1)}, {"weight=-0.3", actfn::prelu(-0.3)}, {"weight=1.7", actfn::prelu(1.7)}, {"weight=0.0625", actfn::prelu(0.0625)}};
  }
  static points special_points(const actfn::prelu& p) { return leaky_points(p.weight); }
  static R f(const actfn::prelu& p, R x) { return x < 0 ? x * R(p.weight) : x; }
  static R df(const actfn::prelu& p, R x) { return x > 0 ? R(1) : R(p.weight); }
};
template <class R> struct reference<actfn::rrelu, R> {
  static std::vector<parameter_set<actfn::rrelu>> parameter_grid() {
    return {{"lower=0.1,upper=0.3", actfn::rrelu(0.1, 0.3)}, {"lower=0.01,upper=0.02", actfn::rrelu(0.01, 0.02)}, {"lower=0.25,upper=0.25", actfn::rrelu(0.25, 0.25)}};
  }
  static points special_points(const actfn::rrelu& p) { return leaky_points((p.lower + p.upper) / 2); }
  static R slope(const actfn::rrelu& p) { return (static_cast<ld>(p.lower) + p.upper) / 2; }
  static R f(const actfn::rrelu& p, R x) { return x < 0 ? x * slope(p) : x; }
  static R df(const actfn::rrelu& p, R x) { return x > 0 ? R(1) : slope(p); }
};
template <class R> struct reference<actfn::threshold, R> {
  static std::vector<parameter_set<actfn::threshold>> parameter_grid() {
    return {{"thresh=0.3,value=-1.7", actfn::threshold(0.3, -1.7)}, {"thresh=-2.5,value=0.1", actfn::threshold(-2.5, 0.1)}, {"thresh=1000,value=3", actfn::threshold(1000, 3)}};
  }
  // The kink is checked at k = float(thresh), an input of both types: thresh itself where it
  // is representable, else the float beside it, on the side the exact comparison puts it.
  static points special_points(const actfn::threshold& p) {
    const double k = static_cast<float>(p.thresh);
    const bool above = k > p.thresh;
    return {{-infinity, p.value, 0.0}, {infinity, infinity, 1.0}, {k, above ? k : p.value, above ? 1.0 : 0.0}};
  }
  static R f(const actfn::threshold& p, R x) { return x > p.thresh ? x : R(p.value); }
  static R df(const actfn::threshold& p, R x) { return x > p.thresh ? R(1) : R(0); }
};

/// swish'(x) = s + z s (1 - s), z = beta x, s = sigmoid(z): the two terms cancel at
/// z0 = -1.27846454276107379510935873902 (where 1 + z0 (1 - s(z0)) = 0).
template <class R> struct reference<actfn::swish, R> {
  static std::vector<parameter_set<actfn::swish>> parameter_grid() {
    return {{"beta=0.5", actfn::swish(0.5)}, {"beta=1.5", actfn::swish(1.5)}, {"beta=0.75", actfn::swish(0.75)}, {"beta=-1.3", actfn::swish(-1.3)}, {"beta=2", actfn::swish(2)}, {"beta=10.1", actfn::swish(10.1)}, {"beta=0.01", actfn::swish(0.01)}, {"beta=0", actfn::swish(0)}};
  }
  static points special_points(const actfn::swish& p) {
    if (p.beta > 0) return relu_like_points(0.5);
    if (p.beta == 0)  // x / 2
      return {{-infinity, -infinity, 0.5}, {infinity, infinity, 0.5}, {-0.0, -0.0, 0.5}, {0.0, 0.0, 0.5}};
    return {{-infinity, -infinity, 1.0}, {infinity, 0.0, 0.0}, {-0.0, -0.0, 0.5}, {0.0, 0.0, 0.5}};
  }
  static R z(const actfn::swish& p, R x) { return times_vanishing<R>(x, R(p.beta)); }
  /// The rounding error of z = beta x in R (exact by fma), carried to first order below:
  /// for double results exp(z) reaches 2^-1074, where |z| 2^-64 is a third of a double ULP.
  static R dz(const actfn::swish& p, R x) {
    const R zx = z(p, x);
    return std::isfinite(zx) && zx != 0 ? std::fma(x, R(p.beta), -zx) : R(0);
  }
  static R f(const actfn::swish& p, R x) {
    const R zx = z(p, x), s = ref_sigmoid<R>(zx);
    return times_vanishing<R>(x, s + dz(p, x) * ref_sigmoid_slope<R>(zx));
  }
  static R df(const actfn::swish& p, R x) {
    // g(z) = s + z s (1 - s); g'(z) = s (1 - s) (2 + z (1 - 2 s)).
    const R zx = z(p, x), s = ref_sigmoid<R>(zx), sl = ref_sigmoid_slope<R>(zx);
    const R g = s + times_vanishing<R>(zx, sl);
    const R d = dz(p, x);
    return d == 0 ? g : g + d * sl * (2 + zx * (1 - 2 * s));
  }
  static R terms(const actfn::swish& p, R x) {
    const R zx = z(p, x);
    return ref_sigmoid<R>(zx) + std::fabs(times_vanishing<R>(zx, ref_sigmoid_slope<R>(zx)));
  }
  /// In z = beta x: the terms exceed 4 |f'| for z in (-1.9128, -0.8551).
  static constexpr window z_window{-1.9375L, -0.8125L};
  static bool in_window(const actfn::swish& p, R x) { return z_window.contains(z(p, x)); }
};
template <class R> struct reference<actfn::silu, R> {
  static points special_points(const actfn::silu&) { return relu_like_points(0.5); }
  static R f(const actfn::silu&, R x) { return times_vanishing<R>(x, ref_sigmoid<R>(x)); }
  static R df(const actfn::silu&, R x) { return ref_sigmoid<R>(x) + times_vanishing<R>(x, ref_sigmoid_slope<R>(x)); }
  static R terms(const actfn::silu&, R x) { return ref_sigmoid<R>(x) + std::fabs(times_vanishing<R>(x, ref_sigmoid_slope<R>(x))); }
  static bool in_window(const actfn::silu&, R x) { return reference<actfn::swish, R>::z_window.contains(x); }
};
template <class R> struct reference<actfn::hardswish, R> {
  static points special_points(const actfn::hardswish&) {
    return {{-infinity, 0.0, 0.0}, {infinity, infinity, 1.0}, {0.0, 0.0, 0.5}, {-3, 0.0, -0.5}, {3, 3.0, 1.5}};
  }
  // f'(x) = (x + 3/2) / 3 vanishes at -3/2, where x + 3/2 is exact (Sterbenz), in R as in the
  // element types: a correctly rounded derivative is possible there, so it is measured
  // relatively everywhere (no window).
  static R f(const actfn::hardswish&, R x) { return x <= -3 ? R(0) : x >= 3 ? x : x * (x + 3) / 6; }
  static R df(const actfn::hardswish&, R x) { return x < -3 ? R(0) : x <= 3 ? (x + R(1.5)) / 3 : R(1); }
};
template <class R> struct reference<actfn::softplus, R> {
  static std::vector<parameter_set<actfn::softplus>> parameter_grid() {
    return {{"beta=0.5", actfn::softplus(0.5)}, {"beta=2", actfn::softplus(2)}, {"beta=0.3", actfn::softplus(0.3)}, {"beta=3.7,threshold=10", actfn::softplus(3.7, 10)}, {"beta=100", actfn::softplus(100)}, {"beta=0.01", actfn::softplus(0.01)}};
  }
  static points special_points(const actfn::softplus&) {
    return {{-infinity, 0.0, 0.0}, {infinity, infinity, 1.0}, {-0.0, no, 0.5}, {0.0, no, 0.5}};
  }
  /// z = beta x and its rounding error in R (exact by fma), carried to first order.
  static R dz(const actfn::softplus& p, R x, R z) {
    return std::isfinite(z) && z != 0 ? std::fma(R(p.beta), x, -z) : R(0);
  }
  static R f(const actfn::softplus& p, R x) {
    const R z = R(p.beta) * x;
    if (z > p.threshold) return x;
    return (ref_softplus<R>(z) + dz(p, x, z) * ref_sigmoid<R>(z)) / R(p.beta);
  }
  static R df(const actfn::softplus& p, R x) {
    const R z = R(p.beta) * x;
    return z > p.threshold ? R(1) : ref_sigmoid<R>(z) + dz(p, x, z) * ref_sigmoid_slope<R>(z);
  }
};
template <class R> struct reference<actfn::elu, R> {
  static std::vector<parameter_set<actfn::elu>> parameter_grid() {
    return {{"alpha=0.3", actfn::elu(0.3)}, {"alpha=3", actfn::elu(3)}, {"alpha=0.025", actfn::elu(0.025)}, {"alpha=-0.7", actfn::elu(-0.7)}, {"alpha=2", actfn::elu(2)}};
  }
  static points special_points(const actfn::elu& p) {
    return {{-infinity, -p.alpha, 0.0}, {infinity, infinity, 1.0}, {-0.0, -0.0, p.alpha}, {0.0, 0.0, p.alpha}};
  }
  static R f(const actfn::elu& p, R x) { return x > 0 ? x : R(p.alpha) * std::expm1(x); }
  static R df(const actfn::elu& p, R x) { return x > 0 ? R(1) : R(p.alpha) * ref_exp<R>(x); }
};
template <class R> struct reference<actfn::selu, R> {
  static points special_points(const actfn::selu&) {
    return {{-infinity, -scale_alpha, 0.0}, {infinity, infinity, scale_d}, {-0.0, -0.0, scale_alpha}, {0.0, 0.0, scale_alpha}};
  }
  static constexpr R alpha = R(1.6732632423543772848170429916717L);
  static constexpr R scale = R(1.0507009873554804934193349852946L);
  static constexpr double scale_d = 1.0507009873554804934193349852946;
  static constexpr double scale_alpha = 1.7580993408473768599402175208123;
  static R f(const actfn::selu&, R x) { return scale * (x > 0 ? x : alpha * std::expm1(x)); }
  static R df(const actfn::selu&, R x) { return x > 0 ? scale : scale * alpha * ref_exp<R>(x); }
};
template <class R> struct reference<actfn::celu, R> {
  static std::vector<parameter_set<actfn::celu>> parameter_grid() {
    return {{"alpha=3", actfn::celu(3)}, {"alpha=0.3", actfn::celu(0.3)}, {"alpha=0.05", actfn::celu(0.05)}, {"alpha=-2", actfn::celu(-2)}, {"alpha=4", actfn::celu(4)}};
  }
  static points special_points(const actfn::celu& p) {
    // alpha < 0: x / alpha -> +inf as x -> -inf, so f -> -inf and f' -> +inf there.
    const double left = p.alpha > 0 ? -p.alpha : -infinity, left_slope = p.alpha > 0 ? 0.0 : infinity;
    return {{-infinity, left, left_slope}, {infinity, infinity, 1.0}, {-0.0, -0.0, 1.0}, {0.0, 0.0, 1.0}};
  }
  /// z = x / alpha and its rounding error in R ((x - z alpha) / alpha, the remainder exact by
  /// fma), carried to first order.
  static R dz(const actfn::celu& p, R x, R z) {
    return std::isfinite(z) && z != 0 ? std::fma(-z, R(p.alpha), x) / R(p.alpha) : R(0);
  }
  static R f(const actfn::celu& p, R x) {
    if (x > 0) return x;
    const R z = x / R(p.alpha), e = ref_exp<R>(z);
    return R(p.alpha) * (std::isinf(e) ? std::expm1(z) : std::expm1(z) + dz(p, x, z) * e);
  }
  static R df(const actfn::celu& p, R x) {
    if (x > 0) return R(1);
    const R z = x / R(p.alpha);
    return ref_exp<R>(z) * (1 + dz(p, x, z));
  }
};

/// gelu(x) = x Phi(x), gelu'(x) = Phi(x) + x phi(x); the terms cancel at
/// x0 = -0.751791524693564457457904947 (gelu's minimum).
template <class R> struct reference<actfn::gelu, R> {
  static points special_points(const actfn::gelu&) { return relu_like_points(0.5); }
  static constexpr split_constant<R> inv_sqrt2{0.707106781186547524381894036516L, 1.895032558893257079621272e-20L};
  static constexpr R two_over_sqrt_pi = R(1.12837916709551257384794992200L);
  static constexpr R inv_sqrt_2pi = R(0.398942280401432677926568115545L);
  /// Phi(x) = erfc(t) / 2, t = -x / sqrt(2). t is rounded to R; its exact remainder dt
  /// (fma, and the constant's own remainder) is added to first order:
  /// erfc(t + dt) = erfc(t) - dt 2 / sqrt(pi) exp(-t^2).
  static R cdf(R x) {
    const R t = -x * inv_sqrt2.hi;
    if (std::isnan(t)) return t;
    if (std::isinf(t)) return t > 0 ? R(0) : R(1);
    const R dt = std::fma(-x, inv_sqrt2.hi, -t) - x * inv_sqrt2.lo;
    return (std::erfc(t) - dt * two_over_sqrt_pi * ref_exp<R>(-t * t)) / 2;
  }
  /// phi(x) = exp(-x^2 / 2) / sqrt(2 pi), with x^2 = h + l exactly (fma):
  /// exp(-(h + l) / 2) = exp(-h / 2) (1 - l / 2) to first order.
  static R pdf(R x) {
    const R h = x * x;
    if (!std::isfinite(h)) return R(0);
    const R l = std::fma(x, x, -h);
    return ref_exp<R>(-h / 2) * (1 - l / 2) * inv_sqrt_2pi;
  }
  static R f(const actfn::gelu&, R x) { return times_vanishing<R>(x, cdf(x)); }
  static R df(const actfn::gelu&, R x) { return cdf(x) + times_vanishing<R>(x, pdf(x)); }
  static R terms(const actfn::gelu&, R x) { return cdf(x) + std::fabs(times_vanishing<R>(x, pdf(x))); }
  /// The terms exceed 4 |f'| for x in (-1.0595, -0.5194).
  static constexpr window x_window{-1.0625L, -0.5L};
  static bool in_window(const actfn::gelu&, R x) { return x_window.contains(x); }
};

/// gelu_tanh(x) = x sigmoid(2u), 2u = 2 sqrt(2/pi) (x + 0.044715 x^3) (0.5 (1 + tanh u) =
/// sigmoid(2u)); gelu_tanh'(x) = sigmoid(2u) + x 2 sigmoid'(2u) u'(x), whose terms cancel at
/// x0 = -0.752461422071016 (gelu_tanh's minimum).
/// 2u is computed as a pair s + ds of R values (products split exactly with fma, the constants
/// as pairs), and sigmoid(s + ds), sigmoid'(s + ds) take ds to first order: far left,
/// x sigmoid(2u) ~ x exp(2u) with |2u| up to ~745, so the rounding of 2u matters.
template <class R> struct reference<actfn::gelu_tanh, R> {
  static points special_points(const actfn::gelu_tanh&) { return relu_like_points(0.5); }
  static constexpr split_constant<R> k{0.797884560802865355853136231090L, 2.675588877860239145961788e-20L};
  static constexpr split_constant<R> c{0.0447149999999999999994882565746L, 5.117434254131580928367065e-22L};
  struct pair { R s, ds; };
  static pair two_u(R x) {
    // x^3 = p + q
    const R h = x * x, l = std::fma(x, x, -h);
    const R p = x * h, q = std::fma(x, h, -p) + x * l;
    // c x^3 = cp + cq
    const R cp = c.hi * p, cq = std::fma(c.hi, p, -cp) + c.hi * q + c.lo * p;
    // x + c x^3 = a + da (two-sum of x and cp)
    const R a = x + cp, bv = a - x, da = ((x - (a - bv)) + (cp - bv)) + cq;
    // 2 k (a + da)
    const R s = 2 * k.hi * a, ds = 2 * (std::fma(k.hi, a, -(s / 2)) + k.hi * da + k.lo * a);
    return {s, ds};
  }
  static R sig(pair u) {  // sigmoid(s + ds) ~ sigmoid(s) + ds sigmoid'(s)
    return ref_sigmoid<R>(u.s) + (std::isfinite(u.s) ? u.ds * ref_sigmoid_slope<R>(u.s) : R(0));
  }
  static R sig_slope(pair u) {  // sigmoid'(s + ds) ~ sigmoid'(s) + ds sigmoid'(s) (1 - 2 sigmoid(s))
    const R sl = ref_sigmoid_slope<R>(u.s);
    return sl + (std::isfinite(u.s) ? u.ds * sl * (1 - 2 * ref_sigmoid<R>(u.s)) : R(0));
  }
  static R du(R x) { return k.hi * (1 + 3 * c.hi * x * x); }
  static R slope_term(R x) {
    return times_vanishing<R>(x, times_vanishing<R>(du(x), 2 * sig_slope(two_u(x))));
  }
  static R f(const actfn::gelu_tanh&, R x) { return times_vanishing<R>(x, sig(two_u(x))); }
  static R df(const actfn::gelu_tanh&, R x) { return sig(two_u(x)) + slope_term(x); }
  static R terms(const actfn::gelu_tanh&, R x) { return sig(two_u(x)) + std::fabs(slope_term(x)); }
  /// The terms exceed 4 |f'| for x in (-1.0608, -0.5196).
  static constexpr window x_window{-1.0625L, -0.5L};
  static bool in_window(const actfn::gelu_tanh&, R x) { return x_window.contains(x); }
};

/// mish(x) = x tanh(softplus(x)); mish'(x) = tanh(sp) + x sigmoid(x) sech^2(sp), whose terms
/// cancel at x0 = -1.19243121451549521 (mish's minimum).
template <class R> struct reference<actfn::mish, R> {
  static points special_points(const actfn::mish&) {
    return {{-infinity, 0.0, 0.0}, {infinity, infinity, 1.0}, {-0.0, -0.0, no}, {0.0, 0.0, no}};
  }
  static R slope_term(R x) { return times_vanishing<R>(x, ref_sigmoid<R>(x) * ref_tanh_slope<R>(ref_softplus<R>(x))); }
  static R f(const actfn::mish&, R x) { return times_vanishing<R>(x, std::tanh(ref_softplus<R>(x))); }
  static R df(const actfn::mish&, R x) { return std::tanh(ref_softplus<R>(x)) + slope_term(x); }
  static R terms(const actfn::mish&, R x) { return std::tanh(ref_softplus<R>(x)) + std::fabs(slope_term(x)); }
  /// The terms exceed 4 |f'| for x in (-1.8217, -0.7886).
  static constexpr window x_window{-1.875L, -0.75L};
  static bool in_window(const actfn::mish&, R x) { return x_window.contains(x); }
};
template <class R> struct reference<actfn::hardshrink, R> {
  static std::vector<parameter_set<actfn::hardshrink>> parameter_grid() {
    return {{"lambd=0.3", actfn::hardshrink(0.3)}, {"lambd=0", actfn::hardshrink(0)}, {"lambd=2.7", actfn::hardshrink(2.7)}, {"lambd=0.001", actfn::hardshrink(1e-3)}};
  }
  // The kinks are checked at +-k, k = float(lambd), inputs of both types: lambd itself where it
  // is representable, else the float beside it, on the side the exact comparison puts it.
  static points special_points(const actfn::hardshrink& p) {
    const double k = static_cast<float>(p.lambd);
    const bool out = k > p.lambd;
    return {{-infinity, -infinity, 1.0}, {infinity, infinity, 1.0}, {-0.0, -0.0, 0.0}, {0.0, 0.0, 0.0},
            {-k, out ? -k : -0.0, out ? 1.0 : 0.0}, {k, out ? k : 0.0, out ? 1.0 : 0.0}};
  }
  static R f(const actfn::hardshrink& p, R x) { return std::fabs(x) > p.lambd ? x : R(0); }
  static R df(const actfn::hardshrink& p, R x) { return std::fabs(x) > p.lambd ? R(1) : R(0); }
};
template <class R> struct reference<actfn::softshrink, R> {
  static std::vector<parameter_set<actfn::softshrink>> parameter_grid() {
    return {{"lambd=0.3", actfn::softshrink(0.3)}, {"lambd=0", actfn::softshrink(0)}, {"lambd=2.7", actfn::softshrink(2.7)}, {"lambd=0.001", actfn::softshrink(1e-3)}};
  }
  // The kinks are checked at +-k, k = float(lambd), inputs of both types: lambd itself where it
  // is representable, else the float beside it, on the side the exact comparison puts it
  // (k - lambd is exact in double, and rounded once to the element type by the check).
  static points special_points(const actfn::softshrink& p) {
    const double k = static_cast<float>(p.lambd);
    const bool out = k > p.lambd;
    return {{-infinity, -infinity, 1.0}, {infinity, infinity, 1.0}, {-0.0, -0.0, 0.0}, {0.0, 0.0, 0.0},
            {-k, out ? p.lambd - k : -0.0, out ? 1.0 : 0.0}, {k, out ? k - p.lambd : 0.0, out ? 1.0 : 0.0}};
  }
  static R f(const actfn::softshrink& p, R x) { return x > p.lambd ? x - R(p.lambd) : x < -p.lambd ? x + R(p.lambd) : R(0); }
  static R df(const actfn::softshrink& p, R x) { return std::fabs(x) > p.lambd ? R(1) : R(0); }
};
template <class R> struct reference<actfn::tanhshrink, R> {
  static points special_points(const actfn::tanhshrink&) {
    return {{-infinity, -infinity, 1.0}, {infinity, infinity, 1.0}, {-0.0, -0.0, 0.0}, {0.0, 0.0, 0.0}};
  }
  /// x - tanh x = -sum_{n >= 1} a_n x^(2n+1) with tanh x = sum_{n >= 0} a_n x^(2n+1); the a_n
  /// follow from tanh' = 1 - tanh^2: a_0 = 1, (2n + 1) a_n = -sum_{k < n} a_k a_{n-1-k}
  /// (all products of one sign: no cancellation). Below |x| = 1/2 the terms shrink by
  /// (2x / pi)^2 < 0.102 each, so 24 of them reach 2^-79 of the first; above, the subtraction
  /// loses at most log2(3 / x^2) < 3.6 bits.
  static constexpr int n_terms = 25;
  static const std::array<ld, n_terms>& coefficients() {
    static const std::array<ld, n_terms> a = [] {
      std::array<ld, n_terms> c{};
      c[0] = 1;
      for (int n = 1; n < n_terms; ++n) {
        ld sum = 0;
        for (int k = 0; k < n; ++k) sum += c[k] * c[n - 1 - k];
        c[n] = -sum / (2 * n + 1);
      }
      return c;
    }();
    return a;
  }
  static R f(const actfn::tanhshrink&, R x) {
    if (std::fabs(x) < R(0.5)) {
      const auto& a = coefficients();
      const R x2 = x * x;
      R sum = 0;
      for (int n = n_terms - 1; n >= 1; --n) sum = sum * x2 + R(a[n]);
      return -x * x2 * sum;
    }
    return x - std::tanh(x);
  }
  static R df(const actfn::tanhshrink&, R x) { const R t = std::tanh(x); return t * t; }
};

/// reference<F>::special_points(f), or a compile error naming what is missing.
template <class F>
points special_points_of(const F& f) {
  static_assert(requires { { reference<F, ld>::special_points(f) } -> std::convertible_to<points>; },
                "tests/support/reference.hpp: reference<F> must list special_points(f), the "
                "documented values at +-inf, +-0 and the kinks (F: see 'required from' below)");
  return reference<F, ld>::special_points(f);
}

// --- the derivative measure -----------------------------------------------------------------

template <class F, class R>
concept has_derivative_window = requires(const F& f, R x) {
  { reference<F, R>::in_window(f, x) } -> std::convertible_to<bool>;
  { reference<F, R>::terms(f, x) } -> std::convertible_to<R>;
};

/// The scale a derivative error at x is measured against (docs/accuracy.md): 0 (i.e. |f'(x)|
/// itself: relative ULPs) except inside the documented window around a zero crossing of f',
/// where it is the size of the cancelling terms, |A(x)| + |B(x)|.
template <class F, class R>
R derivative_scale(const F& f, R x) {
  if constexpr (has_derivative_window<F, R>) {
    if (reference<F, R>::in_window(f, x)) return reference<F, R>::terms(f, x);
  }
  return R(0);
}

/// The error of a computed derivative `got` of f at x, in ULPs of T: THE measure the tests and
/// tools/ulp_sweep.cpp apply. R is the reference precision (wide<T> unless told).
template <class T, class F, class R = wide<T>>
R derivative_error(const F& f, T x, T got) {
  const R xr = static_cast<R>(x);
  return ulp_error<T, R>(got, reference<F, R>::df(f, xr), derivative_scale(f, xr));
}

/// The error of a computed backward result `got` = dy f'(x), in ULPs of T, against the exact
/// product: relative, or inside a derivative window in ULPs of |dy| (|A| + |B|).
template <class T, class F, class R = wide<T>>
R backward_error(const F& f, T x, T dy, T got) {
  const R xr = static_cast<R>(x), g = static_cast<R>(dy);
  const R want = std::isinf(g) && reference<F, R>::df(f, xr) == 0 ? std::numeric_limits<R>::quiet_NaN()
                                                                   : g * reference<F, R>::df(f, xr);
  return ulp_error<T, R>(got, want, std::fabs(g) * derivative_scale(f, xr));
}

/// The error of a computed value `got` of f at x, in ULPs of T.
template <class T, class F, class R = wide<T>>
R forward_error(const F& f, T x, T got) {
  return ulp_error<T, R>(got, reference<F, R>::f(f, static_cast<R>(x)));
}

// --- the fast tier's measure ---------------------------------------------------------------

/// The errors of actfn::fast(f) (docs/accuracy.md#the-fast-tier): in ULPs of T at
/// max(|reference|, 1/2), i.e. relative ULPs where the result is at least 1/2 in size and units
/// of 2^-24 (float) / 2^-53 (double) below. The fast contract is forward <= 4 (|err| <=
/// max(4 ulp, 2^-22) in float, 2^-51 in double) and derivative <= 16 (max(16 ulp, 2^-20),
/// 2^-49); no derivative windows. Backward: against the exact product dy f'(x), in ULPs of
/// max(|dy f'(x)|, |dy| / 2). Special values as ulp_error: NaN must meet NaN and an infinite
/// reference its infinity exactly.
inline constexpr long double fast_scale = 0.5L;
template <class T, class F, class R = wide<T>>
R fast_forward_error(const F& f, T x, T got) {
  return ulp_error<T, R>(got, reference<F, R>::f(f, static_cast<R>(x)), R(fast_scale));
}
template <class T, class F, class R = wide<T>>
R fast_derivative_error(const F& f, T x, T got) {
  return ulp_error<T, R>(got, reference<F, R>::df(f, static_cast<R>(x)), R(fast_scale));
}
template <class T, class F, class R = wide<T>>
R fast_backward_error(const F& f, T x, T dy, T got) {
  const R xr = static_cast<R>(x), g = static_cast<R>(dy);
  const R want = std::isinf(g) && reference<F, R>::df(f, xr) == 0 ? std::numeric_limits<R>::quiet_NaN()
                                                                   : g * reference<F, R>::df(f, xr);
  return ulp_error<T, R>(got, want, std::fabs(g) * R(fast_scale));
}
/// The fast contract in that measure: forward, derivative.
inline constexpr double fast_contract_ulp = 4, fast_contract_derivative_ulp = 16;

// --- parameters -----------------------------------------------------------------------------

/// Whether F takes parameters (a constructor from one or two doubles).
template <class F>
inline constexpr bool parameterised =
    std::is_constructible_v<F, double> || std::is_constructible_v<F, double, double>;

/// The parameter grid F's accuracy is checked over: the defaults first, then
/// reference<F>::parameter_grid() (powers of two and not, both signs where valid, small and
/// large). A parameterised function without a grid is a compile error.
template <class F>
std::vector<parameter_set<F>> parameter_grid_of() {
  std::vector<parameter_set<F>> grid{{"", F{}}};
  if constexpr (parameterised<F>) {
    static_assert(requires { reference<F, ld>::parameter_grid(); },
                  "tests/support/reference.hpp: a function with parameters needs "
                  "reference<F>::parameter_grid() (F: see 'required from' below)");
    for (auto& p : reference<F, ld>::parameter_grid()) grid.push_back(std::move(p));
  }
  return grid;
}

}  // namespace actfn_test
