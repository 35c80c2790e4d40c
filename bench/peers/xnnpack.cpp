// SPDX-License-Identifier: MIT
// Peer "xnnpack": XNNPACK (Debian libxnnpack-dev, a 2022-02 snapshot) f32 and f16 operators,
// forward only (XNNPACK is an inference library), single-threaded (a null pthreadpool runs everything on
// the calling thread). Each operator is created and set up on the buffers before timing, as an
// NC tensor of one row of n channels; each timed run is one xnn_run_operator.
//
// The pairs, with actfn's default parameters:
//   sigmoid      xnn_create_sigmoid_nc_f32
//   hardtanh     xnn_create_clamp_nc_f32, [min_val, max_val] = [-1, 1]
//   relu         xnn_create_clamp_nc_f32, [0, +inf]
//   relu6        xnn_create_clamp_nc_f32, [0, 6]
//   leaky_relu   xnn_create_leaky_relu_nc_f32, negative_slope 0.01
//   prelu        xnn_create_leaky_relu_nc_f32, weight 0.25 (one weight: prelu is a leaky_relu)
//   rrelu        xnn_create_leaky_relu_nc_f32, (lower + upper) / 2 = 11/48 (evaluation mode)
//   hardswish    xnn_create_hardswish_nc_f32 (x * relu6(x + 3) / 6)
//   elu          xnn_create_elu_nc_f32, alpha 1 (x > 0 ? x : alpha (e^x - 1))
//   celu         xnn_create_elu_nc_f32, alpha 1 (celu(alpha = 1) is elu(alpha = 1))
// This snapshot has no f32 tanh, gelu, swish, softplus or mish operator.
// float16 buffers (actfn::float16: IEEE binary16, XNNPACK's f16), where this CPU runs XNNPACK's
// f16 kernels (on x86 they need F16C and FMA; probed once): hardtanh, relu, relu6 (clamp),
// leaky_relu, prelu, rrelu (leaky_relu) and hardswish, the snapshot's f16 elementwise operators.
// Row-wise: xnn_create_softmax_nc_f32 (forward; no log_softmax).
#include <xnnpack.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "../bench.hpp"

namespace actfn_bench {
namespace {

constexpr std::string_view impl = "xnnpack";

/// xnn_initialize once; false (after a note) when XNNPACK cannot run here.
bool ready() {
  static const bool ok = [] {
    const xnn_status s = xnn_initialize(nullptr);
    if (s != xnn_status_success)
      std::fprintf(stderr, "actfn_bench: xnn_initialize failed (status %d); XNNPACK is left out\n",
                   static_cast<int>(s));
    return s == xnn_status_success;
  }();
  return ok;
}

/// Aborts the benchmark run with a message naming the call (only when XNNPACK refuses a valid
/// operator, which would be a bug here).
void check(xnn_status s, const char* what) {
  if (s != xnn_status_success) {
    std::fprintf(stderr, "actfn_bench: XNNPACK %s failed (status %d)\n", what, static_cast<int>(s));
    std::abort();
  }
}

using op_ptr = std::shared_ptr<xnn_operator>;

/// The timed call: one run of an operator already set up on the buffers.
auto runner(xnn_operator_t op) {
  op_ptr p(op, [](xnn_operator_t o) { xnn_delete_operator(o); });
  return [p] { check(xnn_run_operator(p.get(), nullptr), "xnn_run_operator"); };
}

/// Whether XNNPACK makes f16 operators on this CPU (it answers xnn_status_unsupported_hardware
/// where its f16 kernels cannot run); probed once with a clamp, with a note when it does not.
bool f16_ready() {
  static const bool ok = [] {
    if (!ready()) return false;
    xnn_operator_t op = nullptr;
    const xnn_status s = xnn_create_clamp_nc_f16(1, 1, 1, 0.0f, 1.0f, 0, &op);
    if (s == xnn_status_success) {
      xnn_delete_operator(op);
      return true;
    }
    std::fprintf(stderr, "actfn_bench: XNNPACK makes no f16 operator on this CPU (status %d); its f16 rows are left out\n",
                 static_cast<int>(s));
    return false;
  }();
  return ok;
}

/// Registers F's forward pass on T buffers through the XNNPACK operator made by
/// create(channels, &op) and set up by setup(op, batch, x, y, threadpool).
template <class F, class T = float, class Create, class Setup>
void unary(std::size_t n, Create create, Setup setup) {
  add_peer<F, T>(impl, pass::forward, n, [create, setup](const T* x, const T*, T* y, std::size_t m) {
    xnn_operator_t op = nullptr;
    check(create(m, &op), "create");
    check(setup(op, 1, x, y, nullptr), "setup");
    return runner(op);
  });
}

/// The operators XNNPACK has for both T = float and T = actfn::float16 (see the top of the
/// file): the clamps, the leaky_relus and hardswish, with the same parameters.
template <class T>
void clamps_and_slopes(std::size_t n) {
  constexpr bool f32 = std::is_same_v<T, float>;
  const actfn::hardtanh hardtanh{};
  const actfn::leaky_relu leaky{};
  const actfn::prelu prelu{};
  const actfn::rrelu rrelu{};
  auto clamp = [](float lo, float hi) {
    return [lo, hi](std::size_t c, xnn_operator_t* op) {
      return f32 ? xnn_create_clamp_nc_f32(c, c, c, lo, hi, 0, op) : xnn_create_clamp_nc_f16(c, c, c, lo, hi, 0, op);
    };
  };
  auto leaky_relu = [](double slope) {
    return [s = float(slope)](std::size_t c, xnn_operator_t* op) {
      return f32 ? xnn_create_leaky_relu_nc_f32(c, c, c, s, 0, op) : xnn_create_leaky_relu_nc_f16(c, c, c, s, 0, op);
    };
  };
  auto hardswish = [](std::size_t c, xnn_operator_t* op) {
    return f32 ? xnn_create_hardswish_nc_f32(c, c, c, 0, op) : xnn_create_hardswish_nc_f16(c, c, c, 0, op);
  };
  // The setup functions take float pointers for f32 and void pointers for f16.
  auto setup_clamp = [](xnn_operator_t op, std::size_t b, const T* x, T* y, pthreadpool_t p) {
    if constexpr (f32) return xnn_setup_clamp_nc_f32(op, b, x, y, p);
    else return xnn_setup_clamp_nc_f16(op, b, x, y, p);
  };
  auto setup_leaky = [](xnn_operator_t op, std::size_t b, const T* x, T* y, pthreadpool_t p) {
    if constexpr (f32) return xnn_setup_leaky_relu_nc_f32(op, b, x, y, p);
    else return xnn_setup_leaky_relu_nc_f16(op, b, x, y, p);
  };
  auto setup_hardswish = [](xnn_operator_t op, std::size_t b, const T* x, T* y, pthreadpool_t p) {
    if constexpr (f32) return xnn_setup_hardswish_nc_f32(op, b, x, y, p);
    else return xnn_setup_hardswish_nc_f16(op, b, x, y, p);
  };
  unary<actfn::hardtanh, T>(n, clamp(float(hardtanh.min_val), float(hardtanh.max_val)), setup_clamp);
  unary<actfn::relu, T>(n, clamp(0.0f, std::numeric_limits<float>::infinity()), setup_clamp);
  unary<actfn::relu6, T>(n, clamp(0.0f, 6.0f), setup_clamp);
  unary<actfn::leaky_relu, T>(n, leaky_relu(leaky.negative_slope), setup_leaky);
  unary<actfn::prelu, T>(n, leaky_relu(prelu.weight), setup_leaky);
  unary<actfn::rrelu, T>(n, leaky_relu((rrelu.lower + rrelu.upper) / 2), setup_leaky);
  unary<actfn::hardswish, T>(n, hardswish, setup_hardswish);
}

void elementwise(elem t, std::size_t n) {
  if (t == elem::f16 && f16_ready()) clamps_and_slopes<actfn::float16>(n);
  if (t != elem::f32 || !ready()) return;
  const actfn::elu elu{};
  const actfn::celu celu{};
  auto elu_alpha = [](double alpha) {
    return [a = float(alpha)](std::size_t c, xnn_operator_t* op) { return xnn_create_elu_nc_f32(c, c, c, a, 0, op); };
  };
  unary<actfn::sigmoid>(
      n, [](std::size_t c, xnn_operator_t* op) { return xnn_create_sigmoid_nc_f32(c, c, c, 0, op); },
      xnn_setup_sigmoid_nc_f32);
  clamps_and_slopes<float>(n);
  unary<actfn::elu>(n, elu_alpha(elu.alpha), xnn_setup_elu_nc_f32);
  if (celu.alpha == 1.0) unary<actfn::celu>(n, elu_alpha(1.0), xnn_setup_elu_nc_f32);
}

void rowwise(shape s) {
  if (!ready()) return;
  add_rowwise_peer("softmax", impl, pass::forward, s,
                   [rows = s.rows, cols = s.cols](const float* x, const float*, float* y, std::size_t) {
                     xnn_operator_t op = nullptr;
                     check(xnn_create_softmax_nc_f32(cols, cols, cols, 0, &op), "create softmax");
                     check(xnn_setup_softmax_nc_f32(op, rows, x, y, nullptr), "setup softmax");
                     return runner(op);
                   });
}

const peer_registration registered{peer{impl, &elementwise, &rowwise}};

}  // namespace
}  // namespace actfn_bench
