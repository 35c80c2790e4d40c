// SPDX-License-Identifier: MIT
// Peer "torch": PyTorch's ATen CPU kernels (Debian libtorch-dev, 1.13), the code torch.nn runs
// on the CPU, single-threaded (at::set_num_threads(1)). The buffers are wrapped without a copy
// (at::from_blob) and each timed run is one call of the ATen operator's out= form, writing
// into the benchmark's output buffer: the vectorised kernel and the operator's dispatch, as a
// caller of ATen pays them.
//
// Forward: sigmoid, log_sigmoid, hardsigmoid, tanh, hardtanh, relu (threshold(x, 0, 0), as
// torch.relu's CPU kernel is a clamp), relu6 (hardtanh 0, 6), leaky_relu, prelu and rrelu
// (evaluation mode: leaky_relu with the weight / (lower + upper) / 2), threshold, silu, swish
// with beta 1 (silu), hardswish, softplus, elu, selu (elu with selu's alpha and scale), celu,
// gelu (approximate "none" and "tanh"), mish, hardshrink, softshrink.
// Backward: the operators autograd calls, dx = dy f'(x): sigmoid_backward and tanh_backward
// take the output y (autograd saves it), made in the setup, untimed; log_sigmoid_backward
// takes the buffer log_sigmoid_forward makes, likewise; the others take x.
// Row-wise: _softmax and _log_softmax over dim 1 of a rows x cols tensor (what torch.softmax
// calls), backward _softmax_backward_data / _log_softmax_backward_data from y and dy.
// Types: float and double, and bfloat16 / float16 (actfn's storage types: the same bits as
// at::kBFloat16 / at::kHalf) for the operators this ATen runs on them (probed once at
// registration; the others are left out with a note).
// Not here: softsign and tanhshrink (torch.nn composes them of other operators, not one
// kernel), mish backward (no out= form: it allocates its result), swish with beta != 1.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../bench.hpp"

namespace actfn_bench {
namespace {

constexpr std::string_view impl = "torch";

/// ATen's scalar type for buffers of T (actfn::bfloat16 / float16: the same bits).
template <class T>
constexpr at::ScalarType dtype_of = std::is_same_v<T, float>             ? at::kFloat
                                    : std::is_same_v<T, double>          ? at::kDouble
                                    : std::is_same_v<T, actfn::bfloat16> ? at::kBFloat16
                                                                         : at::kHalf;

template <class T>
at::Tensor wrap(const T* p, std::size_t n) {
  const auto opts = at::TensorOptions().dtype(dtype_of<T>);
  return at::from_blob(const_cast<T*>(p), {static_cast<std::int64_t>(n)}, opts);
}

/// Whether ATen runs try_on(x, y, dy, dx) on small tensors of T here: its CPU kernels lack some
/// operators for bfloat16 and float16 and throw (c10::Error); such an F is left out, with a note.
template <class F, class T, class Try>
bool runs_here(Try try_on) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    return true;
  } else {
    std::vector<T> x(64, T(0.5f)), y(64, T(0.0f)), dy(64, T(0.25f)), dx(64, T(0.0f));
    try {
      at::Tensor xt = wrap(x.data(), 64), yt = wrap(y.data(), 64), dyt = wrap(dy.data(), 64),
                 dxt = wrap(dx.data(), 64);
      try_on(xt, yt, dyt, dxt);
      return true;
    } catch (const c10::Error& e) {
      std::fprintf(stderr, "actfn_bench: torch: %s on %s: %s; left out\n", std::string(F::name).c_str(),
                   std::string(name_of(elem_of<T>)).c_str(), e.what_without_backtrace());
      return false;
    }
  }
}

/// Registers F's forward y = fwd(y, x) and backward dx = bwd(dx, dy, x) (tensors over the
/// benchmark's buffers); each callable runs one ATen out= operator.
template <class F, class T, class Fwd, class Bwd>
void entry(std::size_t n, Fwd fwd, Bwd bwd) {
  if (!runs_here<F, T>([&](at::Tensor& x, at::Tensor& y, at::Tensor& dy, at::Tensor& dx) {
        fwd(y, x);
        bwd(dx, dy, x);
      }))
    return;
  add_peer<F, T>(impl, pass::forward, n, [fwd](const T* x, const T*, T* y, std::size_t m) {
    return [fwd, xt = wrap(x, m), yt = wrap(y, m)]() mutable { fwd(yt, xt); };
  });
  add_peer<F, T>(impl, pass::backward, n, [bwd](const T* x, const T* dy, T* dx, std::size_t m) {
    return [bwd, xt = wrap(x, m), dyt = wrap(dy, m), dxt = wrap(dx, m)]() mutable { bwd(dxt, dyt, xt); };
  });
}

/// F's backward from what autograd saves beside x: saved(x), computed once in the setup.
template <class F, class T, class Fwd, class Saved, class Bwd>
void entry_saved(std::size_t n, Fwd fwd, Saved saved, Bwd bwd) {
  if (!runs_here<F, T>([&](at::Tensor& x, at::Tensor& y, at::Tensor& dy, at::Tensor& dx) {
        fwd(y, x);
        bwd(dx, dy, x, saved(x));
      }))
    return;
  add_peer<F, T>(impl, pass::forward, n, [fwd](const T* x, const T*, T* y, std::size_t m) {
    return [fwd, xt = wrap(x, m), yt = wrap(y, m)]() mutable { fwd(yt, xt); };
  });
  add_peer<F, T>(impl, pass::backward, n, [saved, bwd](const T* x, const T* dy, T* dx, std::size_t m) {
    const at::Tensor xt = wrap(x, m);
    return [bwd, xt, s = saved(xt), dyt = wrap(dy, m), dxt = wrap(dx, m)]() mutable { bwd(dxt, dyt, xt, s); };
  });
}

/// leaky_relu-like F with negative slope s.
template <class F, class T>
void leaky(std::size_t n, double s) {
  entry<F, T>(
      n, [s](at::Tensor& y, const at::Tensor& x) { at::leaky_relu_out(y, x, s); },
      [s](at::Tensor& dx, const at::Tensor& dy, const at::Tensor& x) { at::leaky_relu_backward_out(dx, dy, x, s, false); });
}

/// elu's kernel with alpha, scale, input_scale: elu, selu, celu.
template <class F, class T>
void elu_like(std::size_t n, double alpha, double scale, double input_scale) {
  entry<F, T>(
      n, [=](at::Tensor& y, const at::Tensor& x) { at::elu_out(y, x, alpha, scale, input_scale); },
      [=](at::Tensor& dx, const at::Tensor& dy, const at::Tensor& x) {
        at::elu_backward_out(dx, dy, alpha, scale, input_scale, false, x);
      });
}

template <class T>
void typed(std::size_t n) {
  using t = at::Tensor;
  entry_saved<actfn::sigmoid, T>(
      n, [](t& y, const t& x) { at::sigmoid_out(y, x); }, [](const t& x) { return at::sigmoid(x); },
      [](t& dx, const t& dy, const t&, const t& y) { at::sigmoid_backward_out(dx, dy, y); });
  entry_saved<actfn::log_sigmoid, T>(
      n, [](t& y, const t& x) { at::log_sigmoid_out(y, x); },
      [](const t& x) { return std::get<1>(at::log_sigmoid_forward(x)); },
      [](t& dx, const t& dy, const t& x, const t& buffer) { at::log_sigmoid_backward_out(dx, dy, x, buffer); });
  entry<actfn::hardsigmoid, T>(
      n, [](t& y, const t& x) { at::hardsigmoid_out(y, x); },
      [](t& dx, const t& dy, const t& x) { at::hardsigmoid_backward_out(dx, dy, x); });
  entry_saved<actfn::tanh, T>(
      n, [](t& y, const t& x) { at::tanh_out(y, x); }, [](const t& x) { return at::tanh(x); },
      [](t& dx, const t& dy, const t&, const t& y) { at::tanh_backward_out(dx, dy, y); });
  const actfn::hardtanh ht{};
  entry<actfn::hardtanh, T>(
      n, [ht](t& y, const t& x) { at::hardtanh_out(y, x, ht.min_val, ht.max_val); },
      [ht](t& dx, const t& dy, const t& x) { at::hardtanh_backward_out(dx, dy, x, ht.min_val, ht.max_val); });
  entry<actfn::relu, T>(
      n, [](t& y, const t& x) { at::threshold_out(y, x, 0, 0); },
      [](t& dx, const t& dy, const t& x) { at::threshold_backward_out(dx, dy, x, 0); });
  entry<actfn::relu6, T>(
      n, [](t& y, const t& x) { at::hardtanh_out(y, x, 0, 6); },
      [](t& dx, const t& dy, const t& x) { at::hardtanh_backward_out(dx, dy, x, 0, 6); });
  leaky<actfn::leaky_relu, T>(n, actfn::leaky_relu{}.negative_slope);
  leaky<actfn::prelu, T>(n, actfn::prelu{}.weight);
  const actfn::rrelu rr{};
  leaky<actfn::rrelu, T>(n, (rr.lower + rr.upper) / 2);
  const actfn::threshold th{};
  entry<actfn::threshold, T>(
      n, [th](t& y, const t& x) { at::threshold_out(y, x, th.thresh, th.value); },
      [th](t& dx, const t& dy, const t& x) { at::threshold_backward_out(dx, dy, x, th.thresh); });
  const auto silu_fwd = [](t& y, const t& x) { at::silu_out(y, x); };
  const auto silu_bwd = [](t& dx, const t& dy, const t& x) { at::silu_backward_out(dx, dy, x); };
  if (actfn::swish{}.beta == 1) entry<actfn::swish, T>(n, silu_fwd, silu_bwd);
  entry<actfn::silu, T>(n, silu_fwd, silu_bwd);
  entry<actfn::hardswish, T>(
      n, [](t& y, const t& x) { at::hardswish_out(y, x); },
      [](t& dx, const t& dy, const t& x) { at::hardswish_backward_out(dx, dy, x); });
  const actfn::softplus sp{};
  entry<actfn::softplus, T>(
      n, [sp](t& y, const t& x) { at::softplus_out(y, x, sp.beta, sp.threshold); },
      [sp](t& dx, const t& dy, const t& x) { at::softplus_backward_out(dx, dy, x, sp.beta, sp.threshold); });
  elu_like<actfn::elu, T>(n, actfn::elu{}.alpha, 1, 1);
  const actfn::selu se{};
  elu_like<actfn::selu, T>(n, se.alpha, se.scale, 1);
  const double celu_alpha = actfn::celu{}.alpha;
  elu_like<actfn::celu, T>(n, celu_alpha, 1, 1 / celu_alpha);
  entry<actfn::gelu, T>(
      n, [](t& y, const t& x) { at::gelu_out(y, x, "none"); },
      [](t& dx, const t& dy, const t& x) { at::gelu_backward_out(dx, dy, x, "none"); });
  entry<actfn::gelu_tanh, T>(
      n, [](t& y, const t& x) { at::gelu_out(y, x, "tanh"); },
      [](t& dx, const t& dy, const t& x) { at::gelu_backward_out(dx, dy, x, "tanh"); });
  if (runs_here<actfn::mish, T>([](t& x, t& y, t&, t&) { at::mish_out(y, x); }))
    add_peer<actfn::mish, T>(impl, pass::forward, n, [](const T* x, const T*, T* y, std::size_t m) {
      return [xt = wrap(x, m), yt = wrap(y, m)]() mutable { at::mish_out(yt, xt); };
    });
  const double hl = actfn::hardshrink{}.lambd, sl = actfn::softshrink{}.lambd;
  entry<actfn::hardshrink, T>(
      n, [hl](t& y, const t& x) { at::hardshrink_out(y, x, hl); },
      [hl](t& dx, const t& dy, const t& x) { at::hardshrink_backward_out(dx, dy, x, hl); });
  entry<actfn::softshrink, T>(
      n, [sl](t& y, const t& x) { at::softshrink_out(y, x, sl); },
      [sl](t& dx, const t& dy, const t& x) { at::softshrink_backward_out(dx, dy, x, sl); });
}

void elementwise(elem e, std::size_t n) {
  at::set_num_threads(1);
  if (e == elem::f32) typed<float>(n);
  else if (e == elem::f64) typed<double>(n);
  else if (e == elem::bf16) typed<actfn::bfloat16>(n);
  else typed<actfn::float16>(n);
}

void rowwise(shape s) {
  at::set_num_threads(1);
  const auto as_matrix = [s](const float* p) {
    return at::from_blob(const_cast<float*>(p),
                         {static_cast<std::int64_t>(s.rows), static_cast<std::int64_t>(s.cols)},
                         at::TensorOptions().dtype(at::kFloat));
  };
  for (std::string_view function : rowwise_functions) {
    const bool log = function == "log_softmax";
    add_rowwise_peer(function, impl, pass::forward, s, [as_matrix, log](float* x, const float*, float* y, std::size_t) {
      return [log, xt = as_matrix(x), yt = as_matrix(y)]() mutable {
        if (log) at::_log_softmax_out(yt, xt, 1, false); else at::_softmax_out(yt, xt, 1, false);
      };
    });
    add_rowwise_peer(function, impl, pass::backward, s,
                     [as_matrix, log, f = std::string(function), cols = s.cols](float* x, float* dy, float* dx, std::size_t n) {
                       auto y = std::make_shared<std::vector<float>>(rowwise_output<float>(f, x, n, cols));
                       return [log, y, yt = as_matrix(y->data()), dyt = as_matrix(dy), dxt = as_matrix(dx)]() mutable {
                         if (log) at::_log_softmax_backward_data_out(dxt, dyt, yt, 1, at::kFloat);
                         else at::_softmax_backward_data_out(dxt, dyt, yt, 1, at::kFloat);
                       };
                     });
  }
}

const peer_registration registered{peer{impl, &elementwise, &rowwise}};

}  // namespace
}  // namespace actfn_bench
