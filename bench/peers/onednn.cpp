// SPDX-License-Identifier: MIT
// Peer "onednn": oneDNN 2.6 (Debian libdnnl-dev) on the CPU engine, single-threaded
// (omp_set_num_threads(1): Debian builds oneDNN with OpenMP, and Google Benchmark's CPU time is
// the calling thread's, so other threads would go uncounted).
//
// Elementwise: one eltwise_forward primitive (forward_inference) and one eltwise_backward
// primitive (from the source x: diff_src = diff_dst * f'(x)) per function and size, made before
// timing; each timed run is one execute() on a 1-D tensor of n elements: f32, and bf16 and f16
// (actfn::bfloat16 / float16 buffers: the same bits) where this CPU's oneDNN has the primitive
// (bf16 from AVX-512, f16 from AVX-512 FP16; a function it refuses is left out, with a note). The pairs, with
// actfn's default parameters (oneDNN's alpha and beta as its documentation defines them):
//   sigmoid      eltwise_logistic
//   log_sigmoid  eltwise_logsigmoid
//   tanh         eltwise_tanh
//   hardtanh     eltwise_clip_v2, alpha = min_val -1, beta = max_val 1 (derivative 1 only
//                strictly inside, as PyTorch; eltwise_clip's would be 1 at x = max too)
//   relu         eltwise_relu, alpha = 0 (derivative 0 at x = 0)
//   relu6        eltwise_clip_v2, alpha = 0, beta = 6
//   leaky_relu   eltwise_relu, alpha = negative_slope 0.01 (derivative alpha at x = 0)
//   prelu        eltwise_relu, alpha = weight 0.25 (one weight: prelu is a leaky_relu)
//   rrelu        eltwise_relu, alpha = (lower + upper) / 2 = 11/48 (evaluation mode)
//   swish, silu  eltwise_swish, alpha = beta 1 (x * sigmoid(alpha x))
//   hardswish    eltwise_hardswish (x * relu6(x + 3) / 6; oneDNN 2.6 has no parameters)
//   softplus     eltwise_soft_relu (log(1 + e^x); beta 1; PyTorch's threshold 20 only switches
//                to x where log1p(e^x) rounds to x anyway)
//   elu          eltwise_elu, alpha = 1
//   celu         eltwise_elu, alpha = 1 (celu(alpha = 1) is elu(alpha = 1))
//   gelu         eltwise_gelu_erf
//   gelu_tanh    eltwise_gelu_tanh (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))))
//   mish         eltwise_mish
// Not in oneDNN 2.6: hardsigmoid, softsign, threshold, selu (no scale), the shrinks.
//
// Row-wise: softmax_v2_forward (softmax_accurate, softmax_log) over axis 1 of a rows x cols
// tensor, and softmax_v2_backward from the output y (dst) and dy (diff_dst).
#include <omp.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "../bench.hpp"

namespace actfn_bench {
namespace {

constexpr std::string_view impl = "onednn";
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dnnl::algorithm;

/// The engine and stream every primitive runs on (made on first use, after one thread is set).
struct context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};
context& ctx() {
  static context c = [] {
    omp_set_num_threads(1);
    return context{};
  }();
  return c;
}

/// A primitive bound to its buffers: run() executes it once and waits.
struct bound {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
  void operator()() {
    prim.execute(ctx().stream, args);
    ctx().stream.wait();
  }
};

/// oneDNN's data type for buffers of T.
template <class T>
constexpr dt data_type_of = std::is_same_v<T, float>             ? dt::f32
                            : std::is_same_v<T, actfn::bfloat16> ? dt::bf16
                                                                 : dt::f16;

template <class T>
dnnl::memory::desc vector_desc(std::size_t n) {
  return {{static_cast<dnnl::memory::dim>(n)}, data_type_of<T>, tag::a};
}

/// eltwise forward and backward of F on buffers of T with oneDNN's algorithm and alpha, beta.
template <class F, class T>
void eltwise(std::size_t n, algorithm alg, float alpha = 0, float beta = 0) {
  const auto md = vector_desc<T>(n);
  const dnnl::eltwise_forward::primitive_desc fwd(
      {dnnl::prop_kind::forward_inference, alg, md, alpha, beta}, ctx().engine);
  const dnnl::eltwise_forward::primitive_desc hint(
      {dnnl::prop_kind::forward_training, alg, md, alpha, beta}, ctx().engine);
  const dnnl::eltwise_backward::primitive_desc bwd({alg, md, md, alpha, beta}, ctx().engine, hint);

  add_peer<F, T>(impl, pass::forward, n, [fwd, md](T* x, const T*, T* y, std::size_t) {
    auto b = std::make_shared<bound>(bound{dnnl::eltwise_forward(fwd),
                                           {{DNNL_ARG_SRC, dnnl::memory(md, ctx().engine, x)},
                                            {DNNL_ARG_DST, dnnl::memory(md, ctx().engine, y)}}});
    return [b] { (*b)(); };
  });
  add_peer<F, T>(impl, pass::backward, n, [bwd, md](T* x, T* dy, T* dx, std::size_t) {
    auto b = std::make_shared<bound>(bound{dnnl::eltwise_backward(bwd),
                                           {{DNNL_ARG_SRC, dnnl::memory(md, ctx().engine, x)},
                                            {DNNL_ARG_DIFF_DST, dnnl::memory(md, ctx().engine, dy)},
                                            {DNNL_ARG_DIFF_SRC, dnnl::memory(md, ctx().engine, dx)}}});
    return [b] { (*b)(); };
  });
}

template <class T>
void typed(std::size_t n) {
  const actfn::hardtanh hardtanh{};
  const actfn::leaky_relu leaky{};
  const actfn::prelu prelu{};
  const actfn::rrelu rrelu{};
  const actfn::swish swish{};
  const actfn::elu elu{};
  const actfn::celu celu{};
  // Each function on its own: a type this CPU's oneDNN lacks for one algorithm leaves out
  // that one only.
  const auto one = [n](auto make) {
    try {
      make();
    } catch (const dnnl::error& e) {
      std::fprintf(stderr, "actfn_bench: oneDNN (%s, %zu elements): %s; left out\n",
                   std::string(name_of(elem_of<T>)).c_str(), n, e.what());
    }
  };
  one([&] { eltwise<actfn::sigmoid, T>(n, algorithm::eltwise_logistic); });
  one([&] { eltwise<actfn::log_sigmoid, T>(n, algorithm::eltwise_logsigmoid); });
  one([&] { eltwise<actfn::tanh, T>(n, algorithm::eltwise_tanh); });
  one([&] { eltwise<actfn::hardtanh, T>(n, algorithm::eltwise_clip_v2, float(hardtanh.min_val), float(hardtanh.max_val)); });
  one([&] { eltwise<actfn::relu, T>(n, algorithm::eltwise_relu, 0.0f); });
  one([&] { eltwise<actfn::relu6, T>(n, algorithm::eltwise_clip_v2, 0.0f, 6.0f); });
  one([&] { eltwise<actfn::leaky_relu, T>(n, algorithm::eltwise_relu, float(leaky.negative_slope)); });
  one([&] { eltwise<actfn::prelu, T>(n, algorithm::eltwise_relu, float(prelu.weight)); });
  one([&] { eltwise<actfn::rrelu, T>(n, algorithm::eltwise_relu, float((rrelu.lower + rrelu.upper) / 2)); });
  one([&] { eltwise<actfn::swish, T>(n, algorithm::eltwise_swish, float(swish.beta)); });
  one([&] { eltwise<actfn::silu, T>(n, algorithm::eltwise_swish, 1.0f); });
  one([&] { eltwise<actfn::hardswish, T>(n, algorithm::eltwise_hardswish); });
  one([&] { eltwise<actfn::softplus, T>(n, algorithm::eltwise_soft_relu); });
  one([&] { eltwise<actfn::elu, T>(n, algorithm::eltwise_elu, float(elu.alpha)); });
  if (celu.alpha == 1.0) one([&] { eltwise<actfn::celu, T>(n, algorithm::eltwise_elu, 1.0f); });
  one([&] { eltwise<actfn::gelu, T>(n, algorithm::eltwise_gelu_erf); });
  one([&] { eltwise<actfn::gelu_tanh, T>(n, algorithm::eltwise_gelu_tanh); });
  one([&] { eltwise<actfn::mish, T>(n, algorithm::eltwise_mish); });
}

void elementwise(elem t, std::size_t n) {
  if (t == elem::f32) typed<float>(n);
  if (t == elem::bf16) typed<actfn::bfloat16>(n);
  if (t == elem::f16) typed<actfn::float16>(n);
}

void rowwise(shape s) {
  const dnnl::memory::desc md({static_cast<dnnl::memory::dim>(s.rows), static_cast<dnnl::memory::dim>(s.cols)},
                              dt::f32, tag::ab);
  for (std::string_view function : rowwise_functions) {
    const algorithm alg = function == "log_softmax" ? algorithm::softmax_log : algorithm::softmax_accurate;
    const dnnl::softmax_v2_forward::primitive_desc fwd(
        {dnnl::prop_kind::forward_inference, alg, md, md, 1}, ctx().engine);
    const dnnl::softmax_v2_forward::primitive_desc hint(
        {dnnl::prop_kind::forward_training, alg, md, md, 1}, ctx().engine);
    const dnnl::softmax_v2_backward::primitive_desc bwd({alg, md, md, md, 1}, ctx().engine, hint);
    add_rowwise_peer(function, impl, pass::forward, s, [fwd, md](float* x, const float*, float* y, std::size_t) {
      auto b = std::make_shared<bound>(bound{dnnl::softmax_v2_forward(fwd),
                                             {{DNNL_ARG_SRC, dnnl::memory(md, ctx().engine, x)},
                                              {DNNL_ARG_DST, dnnl::memory(md, ctx().engine, y)}}});
      return [b] { (*b)(); };
    });
    add_rowwise_peer(function, impl, pass::backward, s,
                     [bwd, md, f = std::string(function), cols = s.cols](float* x, float* dy, float* dx, std::size_t n) {
                       auto y = std::make_shared<std::vector<float>>(rowwise_output<float>(f, x, n, cols));
                       auto b = std::make_shared<bound>(
                           bound{dnnl::softmax_v2_backward(bwd),
                                 {{DNNL_ARG_DST, dnnl::memory(md, ctx().engine, y->data())},
                                  {DNNL_ARG_DIFF_DST, dnnl::memory(md, ctx().engine, dy)},
                                  {DNNL_ARG_DIFF_SRC, dnnl::memory(md, ctx().engine, dx)}}});
                       return [b, y] { (*b)(); };
                     });
  }
}

/// Registers nothing (with a note) when oneDNN cannot make the primitives on this machine.
void guarded_elementwise(elem t, std::size_t n) {
  try {
    elementwise(t, n);
  } catch (const dnnl::error& e) {  // the engine or stream itself
    std::fprintf(stderr, "actfn_bench: oneDNN: %s; some of its benchmarks are left out\n", e.what());
  }
}
void guarded_rowwise(shape s) {
  try {
    rowwise(s);
  } catch (const dnnl::error& e) {
    std::fprintf(stderr, "actfn_bench: oneDNN: %s; some of its benchmarks are left out\n", e.what());
  }
}

const peer_registration registered{peer{impl, &guarded_elementwise, &guarded_rowwise}};

}  // namespace
}  // namespace actfn_bench
