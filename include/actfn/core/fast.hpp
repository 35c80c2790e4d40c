// SPDX-License-Identifier: MIT
// actfn::fast(f): the fast accuracy tier of an elementwise activation, as an adaptor.
//
//   actfn::forward(actfn::fast(actfn::gelu{}), x, y);
//   float s = actfn::fast(actfn::sigmoid{})(0.5f);
//
// fast(f) is a functor with all of f's interface (f(x), f.derivative(x), f.backward(x, dy) and,
// where f has it, f.derivative_from_output(y); every span algorithm of core/span.hpp), computed
// with the cheaper kernels a function may write beside its precise ones, in its own header:
//
//   template <class B> B eval_fast(B x) const;              // f(x), fast tier
//   template <class B> B eval_derivative_fast(B x) const;   // f'(x), fast tier
//   template <class B> B eval_backward_fast(B x, B dy) const;  // dy f'(x), optional
//   static constexpr accuracy fast_bound;                   // measured, in the fast measure
//   static constexpr std::size_t fast_interleave;           // optional, docs/design.md#interleave
//   static constexpr std::size_t fast_derivative_interleave;   // optional
//
// Where a member is missing the precise one serves, unchanged: a function whose precise kernel
// is already as cheap as a fast one would be (relu, hardtanh, ...) is fast(f) = f bit for bit,
// with the same code. The plain functor is never affected.
//
// The fast contract (docs/accuracy.md#the-fast-tier), on every input: |y - f(x)| <=
// max(4 ulp(f(x)), 2^-22) forward and |y' - f'(x)| <= max(16 ulp(f'(x)), 2^-20) derivative for
// float (2^-51 and 2^-49 for double), with the precise tier's semantics (NaN gives NaN, the
// documented values at +-inf, +-0 and the kinks, no spurious overflow). fast_bound is stated in
// ULPs of max(|f(x)|, 1/2): that measure at most 4 (forward) and 16 (derivative) is the contract.
//
// fast(f) keeps f's name (the tier is in the type, fast_t<F>, and in `tier`), f's parameters
// (precise() returns the wrapped functor, validated when it was made) and f's memory_bound.
// fast(fast(f)) is fast(f).
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "actfn/core/concepts.hpp"
#include "actfn/core/unary.hpp"

namespace actfn {

namespace detail {

template <class F>
concept has_eval_fast = requires(const F& f, xsimd::batch<float> b) { f.eval_fast(b); };
template <class F>
concept has_eval_derivative_fast = requires(const F& f, xsimd::batch<float> b) {
  f.eval_derivative_fast(b);
};
template <class F>
concept has_eval_backward_fast = requires(const F& f, xsimd::batch<float> b) {
  f.eval_backward_fast(b, b);
};

/// The interleave F's precise value kernel runs with (span.hpp's rule for a type's members).
template <class F>
constexpr std::size_t precise_interleave() {
  if constexpr (requires { F::interleave; }) {
    return F::interleave;
  } else {
    return 1;
  }
}
template <class F>
constexpr std::size_t precise_derivative_interleave() {
  if constexpr (requires { F::derivative_interleave; }) {
    return F::derivative_interleave;
  } else {
    return precise_interleave<F>();
  }
}

}  // namespace detail

/// The fast tier of F: see the top of the file.
template <class F>
struct fast_t : unary<fast_t<F>> {
  using precise_type = F;
  static constexpr std::string_view name = F::name;
  static constexpr std::string_view tier = "fast";

  /// Whether F has a fast kernel of its own for the value and for the derivative (otherwise
  /// the precise one is used, and the results are F's bit for bit).
  static constexpr bool fast_value = detail::has_eval_fast<F>;
  static constexpr bool fast_derivative = detail::has_eval_derivative_fast<F>;

  /// F::fast_bound, or F::bound where F has no fast kernels (its relative errors, which bound
  /// the fast measure too).
  static constexpr accuracy bound = [] {
    if constexpr (requires { F::fast_bound; }) {
      return F::fast_bound;
    } else {
      return F::bound;
    }
  }();
  /// For parameters other than the defaults: F::fast_parameter_bound, else the fast bound where
  /// F has one (which then holds for every parameter), else F's own parameter bound.
  static constexpr accuracy parameter_bound = [] {
    if constexpr (requires { F::fast_parameter_bound; }) {
      return F::fast_parameter_bound;
    } else if constexpr (requires { F::fast_bound; }) {
      return F::fast_bound;
    } else {
      return bound_for<F>(false);
    }
  }();

  // The span algorithms' tuning (docs/design.md): the fast kernels' own choices where F
  // declares them, F's otherwise (its kernels are then the ones running).
  static constexpr std::size_t interleave = [] {
    if constexpr (fast_value && requires { F::fast_interleave; }) {
      return std::size_t{F::fast_interleave};
    } else if constexpr (fast_value) {
      return std::size_t{1};
    } else {
      return detail::precise_interleave<F>();
    }
  }();
  // The derivative passes keep F's interleave with fast kernels too, the value passes take 1
  // unless F says otherwise: measured, docs/design.md#interleave.
  static constexpr std::size_t derivative_interleave = [] {
    if constexpr (fast_derivative && requires { F::fast_derivative_interleave; }) {
      return std::size_t{F::fast_derivative_interleave};
    } else {
      return detail::precise_derivative_interleave<F>();
    }
  }();
  static constexpr bool memory_bound = [] {
    if constexpr (requires { F::memory_bound; }) {
      return bool(F::memory_bound);
    } else {
      return false;
    }
  }();

  fast_t() = default;
  explicit fast_t(const F& f) : fn(f) {}

  /// The wrapped functor, with its parameters.
  const F& precise() const noexcept { return fn; }

  template <class B> B eval(B x) const noexcept {
    if constexpr (fast_value) {
      return fn.eval_fast(x);
    } else {
      return fn.eval(x);
    }
  }
  template <class B> B eval_derivative(B x) const noexcept {
    if constexpr (fast_derivative) {
      return fn.eval_derivative_fast(x);
    } else {
      return fn.eval_derivative(x);
    }
  }
  /// dy f'(x): F's fast backward where it has one, else dy times the fast derivative; without a
  /// fast derivative, exactly what F's backward gives.
  template <class B> B eval_backward(B x, B dy) const noexcept {
    if constexpr (detail::has_eval_backward_fast<F>) {
      return fn.eval_backward_fast(x, dy);
    } else if constexpr (fast_derivative) {
      return dy * fn.eval_derivative_fast(x);
    } else if constexpr (detail::has_eval_backward<F>) {
      return fn.eval_backward(x, dy);
    } else {
      return dy * fn.eval_derivative(x);
    }
  }
  template <class B>
    requires detail::has_eval_derivative_from_output<F>
  B eval_derivative_from_output(B y) const {  // F may refuse its parameters here (and throw)
    return fn.eval_derivative_from_output(y);
  }

 private:
  F fn{};
};

template <class F>
inline constexpr bool is_fast = false;
template <class F>
inline constexpr bool is_fast<fast_t<F>> = true;

/// The fast tier of the row-wise functions that are not functors (softmax, log_softmax and
/// their backward passes, actfn/rowwise/softmax.hpp), taken as their first argument:
/// actfn::softmax(actfn::fast_tier, x, y, cols).
struct fast_tier_t {
  explicit constexpr fast_tier_t() = default;
};
inline constexpr fast_tier_t fast_tier{};

/// The fast tier of f (see the top of the file); fast(fast(f)) is fast(f).
template <class F>
  requires activation<F>
fast_t<F> fast(const F& f) {
  return fast_t<F>(f);
}
template <class F>
fast_t<F> fast(const fast_t<F>& f) {
  return f;
}

}  // namespace actfn
