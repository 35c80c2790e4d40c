// SPDX-License-Identifier: MIT
// A two-layer perceptron on plain std::vector buffers, forward and backward:
//
//   x (8) -> linear -> gelu -> h (16) -> linear -> softmax -> p (4) -> cross-entropy loss
//
// trained for a few steps of full-batch gradient descent. actfn computes the activations and
// their gradients; the linear layers are naive loops. The example checks itself and exits
// non-zero (ctest runs it) unless
//   - every parameter's gradient matches a central finite difference of the loss,
//   - the gradient at the logits equals the closed form of softmax + cross-entropy,
//     (p - onehot(label)) / N,
//   - training lowers the loss.
#include <actfn/actfn.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <random>
#include <vector>

namespace {

using real = double;  // float works the same way; double keeps the finite differences sharp
using vec = std::vector<real>;

constexpr std::size_t n_in = 8, n_hidden = 16, n_out = 4, n_samples = 64;

const actfn::gelu hidden_activation{};

/// The weights (row-major, w[i * outputs + o] links input i to output o) and biases; also used
/// for their gradients.
struct params {
  vec w1 = vec(n_in * n_hidden), b1 = vec(n_hidden);
  vec w2 = vec(n_hidden * n_out), b2 = vec(n_out);
  std::array<vec*, 4> all() { return {&w1, &b1, &w2, &b2}; }
};

struct dataset {
  vec x = vec(n_samples * n_in);                                   // one sample per row
  std::vector<std::size_t> label = std::vector<std::size_t>(n_samples);  // its class
};

/// What the forward pass keeps for the backward pass (one row per sample).
struct trace {
  vec z1 = vec(n_samples * n_hidden), h = vec(n_samples * n_hidden);  // pre-/post-gelu
  vec z2 = vec(n_samples * n_out), p = vec(n_samples * n_out);        // logits, probabilities
  vec dz2 = vec(n_samples * n_out);                                   // dloss/dlogits
};

/// y = x w + b, row by row (x: rows x in, w: in x out, y: rows x out).
void linear(const vec& x, const vec& w, const vec& b, vec& y, std::size_t in, std::size_t out) {
  for (std::size_t r = 0; r < x.size() / in; ++r)
    for (std::size_t o = 0; o < out; ++o) {
      real acc = b[o];
      for (std::size_t i = 0; i < in; ++i) acc += x[r * in + i] * w[i * out + o];
      y[r * out + o] = acc;
    }
}

/// The gradients of linear from dy = dloss/dy: dw = x^T dy, db = column sums of dy, and
/// (unless dx is null) dx = dy w^T.
void linear_backward(const vec& x, const vec& w, const vec& dy, vec& dw, vec& db, vec* dx,
                     std::size_t in, std::size_t out) {
  std::fill(dw.begin(), dw.end(), real(0));
  std::fill(db.begin(), db.end(), real(0));
  for (std::size_t r = 0; r < x.size() / in; ++r)
    for (std::size_t o = 0; o < out; ++o) {
      const real g = dy[r * out + o];
      db[o] += g;
      for (std::size_t i = 0; i < in; ++i) dw[i * out + o] += x[r * in + i] * g;
    }
  if (dx == nullptr) return;
  for (std::size_t r = 0; r < x.size() / in; ++r)
    for (std::size_t i = 0; i < in; ++i) {
      real acc = 0;
      for (std::size_t o = 0; o < out; ++o) acc += dy[r * out + o] * w[i * out + o];
      (*dx)[r * in + i] = acc;
    }
}

/// The mean cross-entropy loss; fills t.
real forward(const params& m, const dataset& d, trace& t) {
  linear(d.x, m.w1, m.b1, t.z1, n_in, n_hidden);
  actfn::forward(hidden_activation, t.z1, t.h);
  linear(t.h, m.w2, m.b2, t.z2, n_hidden, n_out);
  actfn::softmax(t.z2, t.p, n_out);  // each row of n_out logits -> probabilities
  real loss = 0;
  for (std::size_t r = 0; r < n_samples; ++r) loss -= std::log(t.p[r * n_out + d.label[r]]);
  return loss / n_samples;
}

/// The gradient of the loss with respect to every parameter, from forward's trace; also
/// stores dloss/dlogits in t.dz2.
params backward(const params& m, const dataset& d, trace& t) {
  // loss = -mean log p[label]: dloss/dp is -1 / (N p) at the label, 0 elsewhere.
  vec dp(n_samples * n_out, real(0));
  for (std::size_t r = 0; r < n_samples; ++r) {
    const std::size_t k = r * n_out + d.label[r];
    dp[k] = -1 / (n_samples * t.p[k]);
  }
  actfn::softmax_backward(t.p, dp, t.dz2, n_out);  // through softmax, from its output

  params g;
  vec dh(n_samples * n_hidden), dz1(n_samples * n_hidden);
  linear_backward(t.h, m.w2, t.dz2, g.w2, g.b2, &dh, n_hidden, n_out);
  actfn::backward(hidden_activation, t.z1, dh, dz1);  // dz1 = dh * gelu'(z1)
  linear_backward(d.x, m.w1, dz1, g.w1, g.b1, nullptr, n_in, n_hidden);
  return g;
}

/// Gaussian inputs labelled by a random linear "teacher": label = argmax of x T.
dataset make_data(std::mt19937& rng) {
  std::normal_distribution<real> normal;
  vec teacher(n_in * n_out);
  for (real& v : teacher) v = normal(rng);
  dataset d;
  for (real& v : d.x) v = normal(rng);
  for (std::size_t r = 0; r < n_samples; ++r) {
    std::array<real, n_out> score{};
    for (std::size_t o = 0; o < n_out; ++o)
      for (std::size_t i = 0; i < n_in; ++i) score[o] += d.x[r * n_in + i] * teacher[i * n_out + o];
    d.label[r] = static_cast<std::size_t>(std::ranges::max_element(score) - score.begin());
  }
  return d;
}

params init_params(std::mt19937& rng) {
  std::normal_distribution<real> normal;
  params m;
  for (real& v : m.w1) v = normal(rng) / std::sqrt(real(n_in));
  for (real& v : m.w2) v = normal(rng) / std::sqrt(real(n_hidden));
  return m;  // biases start at 0
}

}  // namespace

int main() {
  std::mt19937 rng(2026);
  const dataset data = make_data(rng);
  params model = init_params(rng);
  trace t;
  int failures = 0;

  // 1. Every parameter's gradient against a central finite difference of the loss.
  const real loss0 = forward(model, data, t);
  params grad = backward(model, data, t);
  constexpr real h = 1e-5;
  real worst = 0;
  std::size_t checked = 0;
  const auto grads = grad.all();
  const auto values = model.all();
  for (std::size_t k = 0; k < values.size(); ++k)
    for (std::size_t i = 0; i < values[k]->size(); ++i) {
      real& p = (*values[k])[i];
      const real saved = p;
      trace scratch;
      p = saved + h;
      const real up = forward(model, data, scratch);
      p = saved - h;
      const real down = forward(model, data, scratch);
      p = saved;
      const real numeric = (up - down) / (2 * h);
      const real analytic = (*grads[k])[i];
      const real err = std::abs(analytic - numeric);
      worst = std::max(worst, err);
      ++checked;
      if (err > 1e-7 + 1e-5 * std::abs(numeric)) {
        std::printf("gradient mismatch: parameter block %zu index %zu: backward %.12g, "
                    "finite difference %.12g\n", k, i, analytic, numeric);
        ++failures;
      }
    }
  std::printf("gradient check: %zu parameters, max |backward - finite difference| = %.3g\n",
              checked, worst);

  // 2. softmax + cross-entropy: dloss/dlogits = (p - onehot(label)) / N.
  real worst_logit = 0;
  for (std::size_t r = 0; r < n_samples; ++r)
    for (std::size_t o = 0; o < n_out; ++o) {
      const std::size_t k = r * n_out + o;
      const real expected = (t.p[k] - (o == data.label[r] ? 1 : 0)) / n_samples;
      worst_logit = std::max(worst_logit, std::abs(t.dz2[k] - expected));
    }
  std::printf("softmax_backward vs (p - onehot) / N: max difference %.3g\n", worst_logit);
  if (worst_logit > 1e-12) ++failures;

  // 3. Gradient descent lowers the loss.
  constexpr int steps = 50;
  constexpr real learning_rate = 0.5;
  std::printf("step %3d  loss %.6f\n", 0, loss0);
  real loss = loss0;
  for (int step = 1; step <= steps; ++step) {
    grad = backward(model, data, t);  // t holds the trace of the current parameters
    const auto gs = grad.all();
    const auto ps = model.all();
    for (std::size_t k = 0; k < ps.size(); ++k)
      for (std::size_t i = 0; i < ps[k]->size(); ++i) (*ps[k])[i] -= learning_rate * (*gs[k])[i];
    loss = forward(model, data, t);
    if (step % 10 == 0) std::printf("step %3d  loss %.6f\n", step, loss);
  }
  if (!(loss < 0.5 * loss0)) {
    std::printf("training did not halve the loss (%.6f -> %.6f)\n", loss0, loss);
    ++failures;
  }

  if (failures != 0) std::printf("mlp: %d checks failed\n", failures);
  return failures == 0 ? 0 : 1;
}
