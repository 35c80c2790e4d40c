// SPDX-License-Identifier: MIT
// The shape every elementwise activation shares.
//
// A function writes its formula once, over an xsimd batch B:
//
//   template <class B> B eval(B x) const;                          // f(x)
//   template <class B> B eval_derivative(B x) const;               // f'(x)
//   template <class B> B eval_derivative_from_output(B y) const;   // f'(x) from y = f(x);
//                                                                  // only where y determines it
//
// and derives from unary<Self>, which turns those into the public interface: f(x),
// f.derivative(x) and (only where eval_derivative_from_output exists)
// f.derivative_from_output(y), each accepting float, double and xsimd::batch<float|double, A>.
// A scalar is evaluated as a broadcast batch of xsimd::default_arch and lane 0 is returned, so
// the scalar result is the same bits as the corresponding batch lane: there is no second,
// scalar formula to drift.
//
// A function whose formula is a few instructions per element may also declare
//
//   static constexpr bool memory_bound = true;
//
// Over large buffers its time is then memory traffic, and forward and derivative write outputs
// from detail::stream_bytes (32 MiB) on with non-temporal stores (actfn/core/span.hpp), which
// save the read of each output line. The others leave it out: their time is arithmetic, which
// such stores do not shorten. The backward passes, which read two inputs, use them for every
// function (docs/design.md#non-temporal-stores).
//
// A function whose formula is a long chain of dependent operations (an exp, a division, a
// correction of their rounding) may declare
//
//   static constexpr std::size_t interleave = 4;  // or 2
//
// On AVX-512 and AVX2 the span algorithms then evaluate it on that many batches at a time, as one
// detail::multi (actfn/core/multi.hpp), so that its operations for independent batches stand
// side by side and the core overlaps their latencies; results are the same bits. Whether it
// pays depends on the formula (more batches in flight need more registers): it is set only
// where it measured faster (docs/design.md#interleave says how to choose).
// A function whose derivative gains from a different number than its value may also declare
//
//   static constexpr std::size_t derivative_interleave = 4;
//
// which the derivative and backward passes then use instead (backward_from_output, whose
// kernel is another formula, keeps interleave).
#pragma once

#include <cstddef>
#include <type_traits>

#include "actfn/core/concepts.hpp"
#include "actfn/math/fma.hpp"

namespace actfn {

/// Documented worst-case error in ULPs against a higher-precision reference (docs/accuracy.md),
/// enforced by the ULP sweep (tools/ulp_sweep.cpp) in the tests. Values are measured in relative
/// ULPs of the correctly rounded result. Derivatives likewise, except inside the documented
/// windows around the zero crossings of f' that is a sum of two cancelling terms (swish, gelu,
/// mish...), where the error is in ULPs of the terms' magnitude |A| + |B|.
/// Backward results, dx = dy f'(x), are measured against the exact product dy f'(x). An error
/// of b ULPs of f'(x) is a relative error of up to b 2^(1-p), which is up to 2b ULPs of a
/// product that sits lower in its binade than f'(x) does; with the product's own rounding the
/// bound is 2b + 1/2 (backward_ulp).
/// Results below the smallest normal number are measured in ULPs of it, 2^-149 for float and
/// 2^-1074 for double, as the spacing of the subnormal numbers is.
struct accuracy {
  double f32_ulp;             ///< forward, float
  double f32_derivative_ulp;  ///< derivative, float
  double f64_ulp;             ///< forward, double
  double f64_derivative_ulp;  ///< derivative, double

  /// The bound of backward (dx = dy f'(x)) for float (f32 = true) or double.
  constexpr double backward_ulp(bool f32) const noexcept {
    return 2 * (f32 ? f32_derivative_ulp : f64_derivative_ulp) + 0.5;
  }
};

/// The documented bound of F for its default parameters (F::bound), or for any others: a
/// functor whose parameter scales a rounded result (alpha exp(x), (...) / beta) may declare
/// `static constexpr accuracy parameter_bound`, since a factor that is not a power of two can
/// move a result to the other end of its binade, which doubles the error in ULPs at worst.
template <class F>
constexpr accuracy bound_for(bool default_parameters) noexcept {
  if constexpr (requires { F::parameter_bound; }) {
    return default_parameters ? F::bound : F::parameter_bound;
  } else {
    return F::bound;
  }
}

namespace detail {

/// Runs a batch body on a value: a batch goes straight through, a scalar as lane 0 of a
/// broadcast batch of the default architecture.
template <real_value T, class Body>
inline T on_value(T x, Body&& body) {
  if constexpr (real_scalar<T>) {
    return body(xsimd::batch<T>(x)).get(0);
  } else {
    return body(x);
  }
}

/// A parameter (kept as double) as a batch of B's element type.
template <class B>
inline B splat(double v) noexcept {
  return B(static_cast<typename B::value_type>(v));
}

/// r, except NaN where x is NaN (for branches built on comparisons, which are false for NaN).
/// Uses xsimd::isnan: in xsimd 8.1 `x != x` is an ordered compare on AVX-512 (false for NaN)
/// but unordered on SSE/AVX, so it cannot be used to detect NaN portably.
template <class B>
inline B keep_nan(B x, B r) noexcept {
  return xsimd::select(xsimd::isnan(x), x, r);
}

/// max(lo, x) and min(hi, x) that return x where the two compare equal (+0 and -0) or either
/// is NaN: x86's MAXPS(lo, x) and MINPS(hi, x), one instruction there, on which the clamps of
/// the piecewise functions rely to pass NaN and signed zeros through. NEON's FMAX/FMIN order
/// the zeros (FMAX(+0, -0) = +0), so there the same rule is a compare and a select.
template <class B>
inline B max_or_x(B lo, B x) noexcept {
#if defined(__SSE2__)
  return xsimd::max(lo, x);
#else
  return xsimd::select(lo > x, lo, x);
#endif
}
template <class B>
inline B min_or_x(B hi, B x) noexcept {
#if defined(__SSE2__)
  return xsimd::min(hi, x);
#else
  return xsimd::select(hi < x, hi, x);
#endif
}

/// x, held in a register. For a body that reads its argument more than once: GCC folds the
/// span loop's load of x into every instruction that reads it (x86 memory operands), so x is
/// loaded from memory once per use. Passing x through an empty asm statement makes it one
/// load: math::rounded's empty asm statement, which costs no instruction.
template <class B>
inline B in_register(B x) noexcept {
  return math::rounded(x);
}

/// x with +0 in the lanes where m holds: one ANDNPS/ANDNPD where comparison masks are vector
/// registers (SSE, AVX), where xsimd::select(m, B(0), x) costs GCC 12 an extra integer compare
/// (it rebuilds the mask from its sign bits). On NEON the select itself: GCC 12 makes it one BIC
/// (bit clear). xsimd::bitwise_andnot is not used: its operand order differs between its x86
/// and scalar versions and between xsimd releases.
template <class B>
inline B zero_where(typename B::batch_bool_type m, B x) noexcept {
  using T [[maybe_unused]] = typename B::value_type;  // unused where there is no x86 case
  constexpr std::size_t bytes = sizeof(typename B::register_type);
  if constexpr (sizeof(typename B::batch_bool_type::register_type) != bytes) {
    return xsimd::select(m, B(0), x);  // mask registers (AVX-512): a zeroing blend anyway
#if defined(__SSE2__)
  } else if constexpr (bytes == 16 && std::is_same_v<T, float>) {
    return _mm_andnot_ps(m, x);
  } else if constexpr (bytes == 16 && std::is_same_v<T, double>) {
    return _mm_andnot_pd(m, x);
#endif
#if defined(__AVX__)
  } else if constexpr (bytes == 32 && std::is_same_v<T, float>) {
    return _mm256_andnot_ps(m, x);
  } else if constexpr (bytes == 32 && std::is_same_v<T, double>) {
    return _mm256_andnot_pd(m, x);
#endif
  } else {
    return xsimd::select(m, B(0), x);
  }
}
template <class M, class B, std::size_t N>
inline multi<B, N> zero_where(const multi<M, N>& m, const multi<B, N>& x) noexcept {
  return each([](auto mp, auto xp) { return zero_where(mp, xp); }, m, x);
}

template <class F>
concept has_eval_derivative_from_output = requires(const F& f, xsimd::batch<float> b) {
  f.eval_derivative_from_output(b);
};

template <class F>
concept has_eval_backward = requires(const F& f, xsimd::batch<float> b) {
  f.eval_backward(b, b);
};

/// Runs a batch body on two values of one type, as on_value.
template <real_value T, class Body>
inline T on_values(T x, T y, Body&& body) {
  if constexpr (real_scalar<T>) {
    return body(xsimd::batch<T>(x), xsimd::batch<T>(y)).get(0);
  } else {
    return body(x, y);
  }
}

}  // namespace detail

/// Base of every elementwise functor (CRTP): see the comment at the top of this file.
template <class Derived>
struct unary {
  /// f(x).
  template <real_value T>
  T operator()(T x) const {
    return detail::on_value(x, [this](auto b) { return self().eval(b); });
  }

  /// f'(x), with the value PyTorch's autograd uses at kinks; NaN for NaN.
  template <real_value T>
  T derivative(T x) const {
    return detail::on_value(x, [this](auto b) { return self().eval_derivative(b); });
  }

  /// dy * f'(x), the gradient through f. Where f'(x) is below the smallest normal number but
  /// the product is not, functors with such tails (eval_backward) compute the product without
  /// rounding f'(x) first; the others give dy * derivative(x).
  template <real_value T>
  T backward(T x, T dy) const {
    return detail::on_values(x, dy, [this](auto xb, auto gb) {
      if constexpr (detail::has_eval_backward<Derived>) {
        return self().eval_backward(xb, gb);
      } else {
        return gb * self().eval_derivative(xb);
      }
    });
  }

  /// f'(x) computed from y = f(x); exists only where y determines the derivative.
  template <real_value T>
    requires detail::has_eval_derivative_from_output<Derived>
  T derivative_from_output(T y) const {
    return detail::on_value(y, [this](auto b) { return self().eval_derivative_from_output(b); });
  }

 private:
  const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }
};

}  // namespace actfn
