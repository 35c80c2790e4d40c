// SPDX-License-Identifier: MIT
// The span algorithms: forward, derivative, backward and backward_from_output run any
// elementwise activation over contiguous buffers. They are the only loops in the library.
//
// Every element goes through the same batch code, and a lane's result depends on that lane's
// inputs only: spans of at least one batch are covered by whole (unaligned) batches, the first
// and the last overlapping the aligned ones in between; a shorter span is copied into a
// zero-padded batch, computed, and only its results are copied back. So an element's result
// never depends on where it sits in the buffer, and nothing outside the spans is read or
// written. Any alignment is fine.
//
// Buffers may hold float, double, or a half-width storage type (bfloat16, float16: half.hpp),
// all buffers of one call the same type. A storage type is computed in float: each batch is
// loaded and widened to a float batch, the functor runs on it exactly as on float data, and
// the result is rounded once to the storage type as it is stored (load_batch, store_batch), so
// each result is the float path's result rounded to nearest even. The loop, its ends and its
// tail are the same code for every element type.
//
// Inputs and outputs must have the same size; an output may be the very same memory as an
// input (in place) but must not partly overlap one. Violations throw std::invalid_argument.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>
#if __has_include(<unistd.h>)
#include <unistd.h>  // sysconf: the level-1 data cache's size (runs_down)
#endif

#include "actfn/core/check.hpp"
#include "actfn/core/concepts.hpp"
#include "actfn/core/half.hpp"
#include "actfn/core/unary.hpp"

namespace actfn {

namespace detail {

template <class R>
using range_value = std::remove_cv_t<std::ranges::range_value_t<R>>;

/// A contiguous range of float, double or a storage type (bfloat16, float16; half.hpp):
/// std::vector, std::array, std::span, C array...
template <class R>
concept real_input = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
                     (real_scalar<range_value<R>> || storage_scalar<range_value<R>>);

/// A contiguous range of float, double or a storage type whose elements can be written.
template <class R>
concept real_output =
    real_input<R> && !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<R>>>;

template <class R>
std::span<const range_value<R>> in_span(R&& r) {
  return {std::ranges::data(r), std::ranges::size(r)};
}

template <class R>
std::span<range_value<R>> out_span(R&& r) {
  return {std::ranges::data(r), std::ranges::size(r)};
}

/// Whether the span algorithms may write F's outputs with non-temporal stores (from
/// stream_bytes on): always in the backward passes, which read two inputs; in forward and
/// derivative F::memory_bound (see unary), false for a type without it. A backward pass moves
/// three streams, so at such sizes even the exp-based ones wait on memory more than on
/// arithmetic, and the read of each output line that an ordinary store makes is a quarter of
/// their traffic (docs/design.md#non-temporal-stores).
template <class F, std::size_t Inputs = 1>
inline constexpr bool streams = [] {
  if constexpr (Inputs > 1) {
    return true;
  } else if constexpr (requires { F::memory_bound; }) {
    return bool(F::memory_bound);
  } else {
    return false;
  }
}();

/// How many batches the span algorithms evaluate F on at a time on Arch, as a multi
/// (multi.hpp): F::interleave (see unary) on AVX-512 and on AVX2 with FMA, where it was
/// measured (docs/design.md#interleave), and on NEON (neon64); for the derivative and backward
/// passes (Derivative) F::derivative_interleave where F has it; 1 for a type without them and
/// on the other architectures. NEON's is unmeasured, a reasoned default: its kernels are the
/// same chains of dependent FMAs, and with 32 vector registers (AVX2 has 16) K batches of
/// their live values fit without the spills that limit K on x86.
template <class F, class Arch, bool Derivative = false>
inline constexpr std::size_t interleave = [] {
  constexpr bool measured = std::is_base_of_v<xsimd::avx512f, Arch> ||
                            std::is_base_of_v<xsimd::fma3<xsimd::avx2>, Arch>;
  constexpr bool reasoned = std::is_base_of_v<xsimd::neon64, Arch>;  // unmeasured, see above
  if constexpr (!measured && !reasoned) {
    return std::size_t{1};
  } else if constexpr (Derivative && requires { F::derivative_interleave; }) {
    return std::size_t{F::derivative_interleave};
  } else if constexpr (requires { F::interleave; }) {
    return std::size_t{F::interleave};
  } else {
    return std::size_t{1};
  }
}();

/// Outputs of this size and larger are written with non-temporal stores (store_stream), which go to
/// memory without first reading each cache line in and without evicting the caches' contents:
/// about a third less memory traffic for the memory-bound functions, as memcpy does at such
/// sizes. 32 MiB: more than one core's share of the last-level cache on current x86 machines,
/// so an output this large would not stay in cache for its reader anyway.
inline constexpr std::size_t stream_bytes = std::size_t{32} << 20;

/// v stored at p, which is aligned to sizeof(B), with a non-temporal store on x86 (SSE2, AVX,
/// AVX-512: MOVNTPS / MOVNTPD); an ordinary aligned store elsewhere. A loop of them ends with
/// stream_fence. On AArch64 (NEON) the ordinary store is a reasoned default, unmeasured: its
/// non-temporal store, STNP, is a hint for a pair of registers that GCC has no intrinsic for,
/// and Cortex-A and Neoverse cores detect runs of whole-line stores (write streaming mode) and
/// write them without reading the lines first: the read that MOVNTPS saves on x86.
template <class B, class T>
void store_stream(B v, T* p) {
  using A [[maybe_unused]] = typename B::arch_type;  // unused where there is no x86 case
  [[maybe_unused]] constexpr bool f32 = std::is_same_v<T, float>;
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
    if constexpr (f32) _mm512_stream_ps(p, v); else _mm512_stream_pd(p, v);
    return;
  }
#endif
#if defined(__AVX__)
  if constexpr (std::is_base_of_v<xsimd::avx, A>) {
    if constexpr (f32) _mm256_stream_ps(p, v); else _mm256_stream_pd(p, v);
    return;
  }
#endif
#if defined(__SSE2__)
  if constexpr (std::is_base_of_v<xsimd::sse2, A>) {
    if constexpr (f32) _mm_stream_ps(p, v); else _mm_stream_pd(p, v);
    return;
  }
#endif
  v.store_aligned(p);
}

/// Orders the non-temporal stores before everything after it (they are weakly ordered).
/// Nothing where store_stream makes ordinary stores (AArch64).
inline void stream_fence() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

/// B::size elements at p as a batch B of their compute type: loaded, or for a storage type
/// loaded and widened to float (load_widen).
template <class B, class T>
[[gnu::always_inline]] inline B load_batch(const T* p) noexcept {
  if constexpr (storage_scalar<T>) {
    return load_widen<typename B::arch_type>(p);
  } else {
    return B::load_unaligned(p);
  }
}

/// v stored as B::size elements at p, aligned to their width (B::size * sizeof(T)); a storage
/// type rounded to it first (narrow_store). Stream: with non-temporal stores (store_stream).
template <bool Stream = false, class B, class T>
[[gnu::always_inline]] inline void store_batch(B v, T* p) noexcept {
  if constexpr (storage_scalar<T>) {
    narrow_store<Stream>(v, p);
  } else if constexpr (Stream) {
    store_stream(v, p);
  } else {
    v.store_aligned(p);
  }
}

/// out[i] = op(in[i]...) for i < start + count, i >= start, through one zero-padded batch
/// (count <= the batch size): transform for a span shorter than one batch.
template <class B, class T, class Op, class... In>
void transform_partial(std::size_t start, std::size_t count, T* out, Op& op, const In*... in) {
  auto load = [&](const auto* p) {
    using S = std::remove_cv_t<std::remove_pointer_t<decltype(p)>>;
    alignas(sizeof(B)) std::array<S, B::size> buf{};
    std::copy_n(p + start, count, buf.begin());
    return load_batch<B>(buf.data());
  };
  alignas(sizeof(B)) std::array<T, B::size> res;
  store_batch(op(load(in)...), res.data());
  std::copy_n(res.begin(), count, out + start);
}

/// transform's loop over K batches at a time, evaluated together as a multi<B, K>: over as many
/// runs of K batches as fit in [lo, hi) (out + lo aligned to a batch, hi - lo a multiple of
/// W), upwards from lo or, when down, downwards from hi; then narrows [lo, hi) to the batches
/// left over (fewer than K). Flattened: the kernel's operations, K times as many as for one
/// batch, would otherwise exceed GCC's inlining limits, and a multi passed to a call goes
/// through memory.
template <class B, std::size_t K, bool Stream, class T, class Op, class... In>
[[gnu::flatten]] void transform_interleaved(std::size_t& lo, std::size_t& hi, bool down, T* out,
                                            Op& op, const In*... in) {
  constexpr std::size_t W = B::size, C = K * W;
  const std::size_t runs = (hi - lo) / C;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto load = [&](const auto* p) {
      return multi<B, K>(parts_tag{}, in_register(load_batch<B>(p + I * W))...);
    };
    const std::size_t step = down ? std::size_t{0} - C : C;  // unsigned: wraps to a subtraction
    std::size_t i = down ? hi - C : lo;
    for (std::size_t r = 0; r < runs; ++r, i += step) {
      const multi<B, K> v = op(load(in + i)...);
      (store_batch<Stream>(v.part[I], out + i + I * W), ...);
    }
  }(std::make_index_sequence<K>{});
  if (down) hi -= runs * C; else lo += runs * C;
}

/// Whether a span algorithm's loop over batches of B runs downwards: one that fits in the
/// level-1 data cache (all its buffers together), when more of its inputs start less
/// than 2 KiB below the output modulo 4 KiB than less than 2 KiB above it, counting only inputs
/// not aligned like the output (whose loads straddle cache lines, the loop aligning the
/// stores). Upwards, the loads of the next batches then fall on the same addresses modulo
/// 4 KiB as the stores just made, and the core holds them back as if they depended on those
/// stores; downwards, the aliasing stores are the older ones, already done. Buffers allocated
/// one after the other (std::vectors of 4 Ki floats: 16 bytes apart modulo 4 KiB) are such a
/// case. Beyond the cache the loop stays upwards, the direction the hardware prefetchers
/// follow best. The order changes no result. On AArch64 the same rule, a default left
/// unmeasured: it only reorders spans that fit in the level-1 cache. B: the batch computed, of
/// T's compute type; a stored batch of out is B::size elements of T.
template <class B, class T, class... In>
bool runs_down(std::size_t n, const T* out, const In*... in) {
  static const std::size_t cached_bytes = [] {
    long l1 = 0;
#if defined(_SC_LEVEL1_DCACHE_SIZE)
    l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
#endif
    return l1 > 0 ? static_cast<std::size_t>(l1) : std::size_t{32} << 10;
  }();
  if ((sizeof...(In) + 1) * n * sizeof(T) > cached_bytes) return false;
  int below = 0;  // inputs below the output minus inputs above it, modulo 4 KiB
  auto vote = [&](const auto* p) {
    const std::uintptr_t d =
        (reinterpret_cast<std::uintptr_t>(out) - reinterpret_cast<std::uintptr_t>(p)) % 4096;
    below += d % (B::size * sizeof(T)) == 0 ? 0 : d < 2048 ? 1 : -1;
  };
  (vote(in), ...);
  return below > 0;
}

/// out[i] = op(in[i]...) for i < n, batch by batch, head and tail included (see the file
/// comment). Speed, none of which changes a result:
/// - op is taken by value, and callers capture their functor by value: a parameter read
///   through a reference (leaky_relu's slope) would be reloaded and converted on every batch,
///   since the compiler cannot prove the stores to out leave it alone.
/// - From n = one batch on, the first and the last batch of elements are whole unaligned
///   batches, computed before the loop writes anything (in place, the loop overwrites inputs
///   they read) and stored after it, over elements the loop also wrote, with the same bits: no
///   copies through a padded buffer. The loop starts at out's first register-aligned address,
///   so its stores never straddle two cache lines, and it says so (store_aligned): GCC's
///   tuning for some CPUs splits each 256-bit store not known to be aligned into two halves.
///   With Stream (detail::streams), from stream_bytes of output on they are non-temporal stores.
/// - Small spans laid out so that running upwards would make loads wait on stores to the same
///   addresses modulo 4 KiB run downwards instead (runs_down).
/// - Each input batch passes through detail::in_register once: otherwise GCC folds the load
///   into every instruction that reads it, loading x again for each use.
/// - The loop is unrolled four times by the compiler (#pragma GCC unroll): for the cheap
///   functions the loop's own bookkeeping is a fair share. One loop body keeps one call site
///   of op, which GCC then inlines the same way for every functor.
/// - The two end batches are kept in memory across the loop: held in registers they cost the
///   exp-based loops spills.
/// Element types: out and in may be float, double or a storage type (computed in float), as
/// long as all are computed in the same type; op takes and returns batches of it.
template <class Arch, bool Stream = false, std::size_t K = 1, class T, class Op, class... In>
void transform(std::size_t n, T* out, Op op, const In*... in) {
  using B = xsimd::batch<compute_t<T>, Arch>;
  static_assert((std::is_same_v<compute_t<In>, compute_t<T>> && ...),
                "transform: every buffer must be computed in the same type");
  constexpr std::size_t W = B::size;
  constexpr std::size_t width = W * sizeof(T);  // the bytes of one stored batch of out
  if (n < W) {
    if (n != 0) transform_partial<B>(0, n, out, op, in...);
    return;
  }
  auto at = [&](std::size_t k) { return op(in_register(load_batch<B>(in + k))...); };
  alignas(sizeof(B)) std::array<T, 2 * W> ends;
  store_batch(at(0), ends.data());
  store_batch(at(n - W), ends.data() + W);
  // The whole aligned batches between the ends: [lo, hi). out is aligned to T (the entry
  // points refuse a pointer that is not), so its first batch-aligned element exists.
  const std::size_t misalign = reinterpret_cast<std::uintptr_t>(out) % width;
  std::size_t lo = misalign == 0 ? W : (width - misalign) / sizeof(T);
  std::size_t hi = lo + (n - lo) / W * W;
  if (Stream && n * sizeof(T) >= stream_bytes) {  // upwards: beyond the cache (runs_down)
    if constexpr (K > 1) transform_interleaved<B, K, true>(lo, hi, false, out, op, in...);
#pragma GCC unroll 4
    for (std::size_t i = lo; i != hi; i += W) store_batch<true>(at(i), out + i);
    stream_fence();
  } else if (runs_down<B>(n, out, in...)) {
    if constexpr (K > 1) transform_interleaved<B, K, false>(lo, hi, true, out, op, in...);
#pragma GCC unroll 4
    for (std::size_t i = hi; i != lo; i -= W) store_batch(at(i - W), out + i - W);
  } else {
    if constexpr (K > 1) transform_interleaved<B, K, false>(lo, hi, false, out, op, in...);
#pragma GCC unroll 4
    for (std::size_t i = lo; i != hi; i += W) store_batch(at(i), out + i);
  }
  std::copy_n(ends.data(), W, out);
  std::copy_n(ends.data() + W, W, out + n - W);
}

/// The span algorithms' bodies, instantiated once per architecture, functor and element type:
/// the public templates below take any contiguous range and pass std::spans on, so that the
/// closures here (and the transform loops they instantiate) are not new types, and new copies
/// of the loop, for every combination of range types a caller uses.
template <class Arch, class F, class T>
void forward_spans(const F& f, std::span<const T> x, std::span<T> y) {
  require_elementwise<T>("forward", {{"x", x}}, {{"y", y}});
  transform<Arch, streams<F>, interleave<F, Arch>>(
      x.size(), y.data(), [f](auto b) { return f(b); }, x.data());
}

template <class Arch, class F, class T>
void derivative_spans(const F& f, std::span<const T> x, std::span<T> dydx) {
  require_elementwise<T>("derivative", {{"x", x}}, {{"dydx", dydx}});
  transform<Arch, streams<F>, interleave<F, Arch, true>>(
      x.size(), dydx.data(), [f](auto b) { return f.derivative(b); }, x.data());
}

template <class Arch, class F, class T>
void backward_spans(const F& f, std::span<const T> x, std::span<const T> dy, std::span<T> dx) {
  require_elementwise<T>("backward", {{"x", x}, {"dy", dy}}, {{"dx", dx}});
  transform<Arch, streams<F, 2>, interleave<F, Arch, true>>(
      x.size(), dx.data(), [f](auto xb, auto gb) { return f.backward(xb, gb); }, x.data(),
      dy.data());
}

template <class Arch, class F, class T>
void backward_from_output_spans(const F& f, std::span<const T> y, std::span<const T> dy,
                                std::span<T> dx) {
  require_elementwise<T>("backward_from_output", {{"y", y}, {"dy", dy}}, {{"dx", dx}});
  transform<Arch, streams<F, 2>, interleave<F, Arch>>(
      y.size(), dx.data(), [f](auto yb, auto gb) { return gb * f.derivative_from_output(yb); },
      y.data(), dy.data());
}

}  // namespace detail

/// y = f(x), elementwise.
template <class Arch = xsimd::default_arch, activation F, detail::real_input X,
          detail::real_output Y>
void forward(const F& f, X&& x, Y&& y) {
  static_assert(std::is_same_v<detail::range_value<X>, detail::range_value<Y>>,
                "actfn::forward: x and y must have the same element type");
  detail::forward_spans<Arch>(f, detail::in_span(x), detail::out_span(y));
}

/// dydx = f'(x), elementwise.
template <class Arch = xsimd::default_arch, activation F, detail::real_input X,
          detail::real_output D>
void derivative(const F& f, X&& x, D&& dydx) {
  static_assert(std::is_same_v<detail::range_value<X>, detail::range_value<D>>,
                "actfn::derivative: x and dydx must have the same element type");
  detail::derivative_spans<Arch>(f, detail::in_span(x), detail::out_span(dydx));
}

/// dx = dy * f'(x), elementwise: the gradient through f from the input.
template <class Arch = xsimd::default_arch, activation F, detail::real_input X,
          detail::real_input DY, detail::real_output DX>
void backward(const F& f, X&& x, DY&& dy, DX&& dx) {
  static_assert(std::is_same_v<detail::range_value<X>, detail::range_value<DY>> &&
                    std::is_same_v<detail::range_value<X>, detail::range_value<DX>>,
                "actfn::backward: x, dy and dx must have the same element type");
  detail::backward_spans<Arch>(f, detail::in_span(x), detail::in_span(dy), detail::out_span(dx));
}

/// dx = dy * f'(x) computed from the output y = f(x), for functions whose output determines
/// the derivative (a compile error for the others).
template <class Arch = xsimd::default_arch, derivative_from_output_capable F,
          detail::real_input Yr, detail::real_input DY, detail::real_output DX>
void backward_from_output(const F& f, Yr&& y, DY&& dy, DX&& dx) {
  static_assert(std::is_same_v<detail::range_value<Yr>, detail::range_value<DY>> &&
                    std::is_same_v<detail::range_value<Yr>, detail::range_value<DX>>,
                "actfn::backward_from_output: y, dy and dx must have the same element type");
  detail::backward_from_output_spans<Arch>(f, detail::in_span(y), detail::in_span(dy),
                                           detail::out_span(dx));
}

}  // namespace actfn
