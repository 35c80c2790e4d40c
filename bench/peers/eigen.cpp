// SPDX-License-Identifier: MIT
// Peer "eigen": Eigen 3.4 (Debian libeigen3-dev) array expressions over Map'ed float buffers:
// one fused, vectorised loop per expression, built from Eigen's packet math (logistic, tanh,
// exp, expm1, log1p, erf from unsupported/Eigen/SpecialFunctions, max/min, abs). Each function
// is written the way an Eigen user would write it: the definition in Eigen's vocabulary, in the
// numerically stable form where the textbook one overflows (log_sigmoid, softplus, mish use
// max(x, 0) + log1p(exp(-|x|))), with max/min for the clamps (vectorised) and select() for
// the piecewise derivatives (Eigen 3.4 evaluates select() one element at a time).
// Backward passes are dx = dy * f'(x) as one expression, the way TensorFlow's Eigen kernels
// write gradients.
//
// Parameters are actfn's defaults, read from its functors. Pairs that only hold for some
// parameters are registered only then: leaky_relu, prelu, rrelu as max(x, slope x) need
// 0 <= slope <= 1.
// Not here: nothing; every catalogue function has an Eigen expression.
#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string_view>
#include <unsupported/Eigen/SpecialFunctions>

#include "../bench.hpp"

namespace actfn_bench {
namespace {

constexpr std::string_view impl = "eigen";

using in_t = Eigen::Map<const Eigen::ArrayXf>;
using out_t = Eigen::Map<Eigen::ArrayXf>;

/// Registers F's forward pass y = fwd(x) and backward pass dx = bwd(x, dy): fwd(x, y) and
/// bwd(x, dy, dx) assign an expression to their last argument.
template <class F, class Fwd, class Bwd>
void entry(std::size_t n, Fwd fwd, Bwd bwd) {
  add_peer<F, float>(impl, pass::forward, n, plain([fwd](const float* x, const float*, float* y, std::size_t m) {
                       const auto e = static_cast<Eigen::Index>(m);
                       out_t out(y, e);
                       fwd(in_t(x, e), out);
                     }));
  add_peer<F, float>(impl, pass::backward, n, plain([bwd](const float* x, const float* dy, float* dx, std::size_t m) {
                       const auto e = static_cast<Eigen::Index>(m);
                       out_t out(dx, e);
                       bwd(in_t(x, e), in_t(dy, e), out);
                     }));
}

/// leaky_relu-like F with negative slope s: max(x, s x), registered when 0 <= s <= 1.
template <class F>
void leaky(std::size_t n, double slope) {
  if (!(slope >= 0 && slope <= 1)) return;
  const float s = float(slope);
  entry<F>(
      n, [s](const in_t& x, out_t& y) { y = x.max(s * x); },
      [s](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > 0.0f).select(dy, s * dy); });
}

void elementwise(elem t, std::size_t n) {
  if (t != elem::f32) return;
  constexpr float third = 1.0f / 3.0f, sixth = 1.0f / 6.0f;
  constexpr float inv_sqrt2 = float(1 / std::numbers::sqrt2);
  constexpr float inv_sqrt_2pi = float(std::numbers::inv_sqrtpi / std::numbers::sqrt2);

  entry<actfn::sigmoid>(
      n, [](const in_t& x, out_t& y) { y = x.logistic(); },
      [](const in_t& x, const in_t& dy, out_t& dx) {
        const auto s = x.logistic();
        dx = dy * s * (1.0f - s);
      });
  entry<actfn::log_sigmoid>(
      n, [](const in_t& x, out_t& y) { y = x.min(0.0f) - (-x.abs()).exp().log1p(); },
      [](const in_t& x, const in_t& dy, out_t& dx) { dx = dy * (-x).logistic(); });
  entry<actfn::hardsigmoid>(
      n, [=](const in_t& x, out_t& y) { y = (x + 3.0f).max(0.0f).min(6.0f) * sixth; },
      [=](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > -3.0f && x < 3.0f).select(dy * sixth, 0.0f); });
  entry<actfn::tanh>(
      n, [](const in_t& x, out_t& y) { y = x.tanh(); },
      [](const in_t& x, const in_t& dy, out_t& dx) {
        const auto th = x.tanh();
        dx = dy * (1.0f - th * th);
      });
  entry<actfn::softsign>(
      n, [](const in_t& x, out_t& y) { y = x / (1.0f + x.abs()); },
      [](const in_t& x, const in_t& dy, out_t& dx) {
        const auto d = 1.0f + x.abs();
        dx = dy / (d * d);
      });
  {
    const actfn::hardtanh p{};
    const float lo = float(p.min_val), hi = float(p.max_val);
    entry<actfn::hardtanh>(
        n, [lo, hi](const in_t& x, out_t& y) { y = x.max(lo).min(hi); },
        [lo, hi](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > lo && x < hi).select(dy, 0.0f); });
  }
  entry<actfn::relu>(
      n, [](const in_t& x, out_t& y) { y = x.max(0.0f); },
      [](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > 0.0f).select(dy, 0.0f); });
  entry<actfn::relu6>(
      n, [](const in_t& x, out_t& y) { y = x.max(0.0f).min(6.0f); },
      [](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > 0.0f && x < 6.0f).select(dy, 0.0f); });
  leaky<actfn::leaky_relu>(n, actfn::leaky_relu{}.negative_slope);
  leaky<actfn::prelu>(n, actfn::prelu{}.weight);
  {
    const actfn::rrelu p{};
    leaky<actfn::rrelu>(n, (p.lower + p.upper) / 2);
  }
  {
    const actfn::threshold p{};
    const float th = float(p.thresh), v = float(p.value);
    entry<actfn::threshold>(
        n, [th, v](const in_t& x, out_t& y) { y = (x > th).select(x, v); },
        [th](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > th).select(dy, 0.0f); });
  }
  {
    const float b = float(actfn::swish{}.beta);
    entry<actfn::swish>(
        n, [b](const in_t& x, out_t& y) { y = x * (b * x).logistic(); },
        [b](const in_t& x, const in_t& dy, out_t& dx) {
          const auto s = (b * x).logistic();
          dx = dy * (s + b * x * s * (1.0f - s));
        });
  }
  entry<actfn::silu>(
      n, [](const in_t& x, out_t& y) { y = x * x.logistic(); },
      [](const in_t& x, const in_t& dy, out_t& dx) {
        const auto s = x.logistic();
        dx = dy * s * (1.0f + x * (1.0f - s));
      });
  entry<actfn::hardswish>(
      n, [=](const in_t& x, out_t& y) { y = x * (x + 3.0f).max(0.0f).min(6.0f) * sixth; },
      [=](const in_t& x, const in_t& dy, out_t& dx) {
        dx = (x < -3.0f).select(0.0f, (x <= 3.0f).select(dy * (x * third + 0.5f), dy));
      });
  {
    const actfn::softplus p{};
    const float b = float(p.beta), inv_b = float(1 / p.beta);
    entry<actfn::softplus>(
        n, [b, inv_b](const in_t& x, out_t& y) { y = ((b * x).max(0.0f) + (-(b * x).abs()).exp().log1p()) * inv_b; },
        [b](const in_t& x, const in_t& dy, out_t& dx) { dx = dy * (b * x).logistic(); });
  }
  {
    const float a = float(actfn::elu{}.alpha);
    entry<actfn::elu>(
        n, [a](const in_t& x, out_t& y) { y = x.max(0.0f) + a * x.min(0.0f).expm1(); },
        [a](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > 0.0f).select(dy, (a * dy) * x.exp()); });
  }
  {
    const float scale = float(actfn::selu::scale), a = float(actfn::selu::alpha);
    entry<actfn::selu>(
        n, [=](const in_t& x, out_t& y) { y = scale * (x.max(0.0f) + a * x.min(0.0f).expm1()); },
        [=](const in_t& x, const in_t& dy, out_t& dx) {
          dx = (x > 0.0f).select(scale * dy, (scale * a * dy) * x.exp());
        });
  }
  {
    const actfn::celu p{};
    const float a = float(p.alpha), inv_a = float(1 / p.alpha);
    entry<actfn::celu>(
        n, [a, inv_a](const in_t& x, out_t& y) { y = x.max(0.0f) + a * (x.min(0.0f) * inv_a).expm1(); },
        [inv_a](const in_t& x, const in_t& dy, out_t& dx) { dx = (x > 0.0f).select(dy, dy * (x * inv_a).exp()); });
  }
  entry<actfn::gelu>(
      n, [=](const in_t& x, out_t& y) { y = 0.5f * x * (1.0f + (x * inv_sqrt2).erf()); },
      [=](const in_t& x, const in_t& dy, out_t& dx) {
        dx = dy * (0.5f * (1.0f + (x * inv_sqrt2).erf()) + x * (-0.5f * x * x).exp() * inv_sqrt_2pi);
      });
  {
    constexpr float k = float(std::numbers::sqrt2 * std::numbers::inv_sqrtpi), c = 0.044715f;
    entry<actfn::gelu_tanh>(
        n, [=](const in_t& x, out_t& y) { y = 0.5f * x * (1.0f + (k * (x + c * x * x * x)).tanh()); },
        [=](const in_t& x, const in_t& dy, out_t& dx) {
          const auto th = (k * (x + c * x * x * x)).tanh();
          dx = dy * (0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * k * (1.0f + 3.0f * c * x * x));
        });
  }
  entry<actfn::mish>(
      n, [](const in_t& x, out_t& y) { y = x * (x.max(0.0f) + (-x.abs()).exp().log1p()).tanh(); },
      [](const in_t& x, const in_t& dy, out_t& dx) {
        const auto th = (x.max(0.0f) + (-x.abs()).exp().log1p()).tanh();
        dx = dy * (th + x * (1.0f - th * th) * x.logistic());
      });
  {
    const float l = float(actfn::hardshrink{}.lambd);
    entry<actfn::hardshrink>(
        n, [l](const in_t& x, out_t& y) { y = (x.abs() > l).select(x, 0.0f); },
        [l](const in_t& x, const in_t& dy, out_t& dx) { dx = (x.abs() > l).select(dy, 0.0f); });
  }
  {
    const float l = float(actfn::softshrink{}.lambd);
    entry<actfn::softshrink>(
        n, [l](const in_t& x, out_t& y) { y = x - x.max(-l).min(l); },
        [l](const in_t& x, const in_t& dy, out_t& dx) { dx = (x.abs() > l).select(dy, 0.0f); });
  }
  entry<actfn::tanhshrink>(
      n, [](const in_t& x, out_t& y) { y = x - x.tanh(); },
      [](const in_t& x, const in_t& dy, out_t& dx) {
        const auto th = x.tanh();
        dx = dy * th * th;
      });
}

void rowwise(shape) {}  // Eigen has no softmax

const peer_registration registered{peer{impl, &elementwise, &rowwise}};

}  // namespace
}  // namespace actfn_bench
