// SPDX-License-Identifier: MIT
// multi<B, N>: N xsimd batches that a kernel written for one batch evaluates in lockstep, so
// that each of its operations becomes N independent instructions side by side.
//
// Why: the exp-based kernels are chains of 20-40 dependent operations per batch. The span
// loop's batches are independent, but the out-of-order core did not overlap enough of them:
// unrolling the loop (whole batches one after another) did not make sigmoid faster, while
// the same formula with each operation written out for four batches in a row did. The span
// algorithms (span.hpp, transform) use multi for the functors that declare `interleave`
// (unary.hpp), on AVX-512 and on AVX2 with FMA (span.hpp's detail::interleave); the kernels
// themselves are unchanged.
//
// Which functors declare it, and with which number, is measured: docs/design.md#interleave.
//
// A multi behaves as a batch for everything these kernels use: arithmetic, comparison and
// logical operators, B(scalar), value_type, arch_type and batch_bool_type, and the xsimd
// functions below, which are overloaded for multi inside namespace xsimd (the kernels call
// them qualified, so that is where they are looked up); math::fused, math::rounded,
// math::in_double_lanes and detail::zero_where have multi overloads beside them. Each
// operation applies the batch operation to every part, so the results are those of the
// batches one by one, bit for bit (test_properties checks that the span algorithms' results
// equal the scalar ones for every functor).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "actfn/core/config.hpp"

namespace actfn::detail {

template <class B, std::size_t N>
struct multi;

template <class T>
inline constexpr bool is_multi = false;
template <class B, std::size_t N>
inline constexpr bool is_multi<multi<B, N>> = true;

template <class T>
struct batch_traits {  // B::batch_bool_type and B::arch_type for a batch; a batch_bool has neither
  using bool_type = void;
  using arch_type = void;
};
template <class T>
  requires requires { typename T::batch_bool_type; }
struct batch_traits<T> {
  using bool_type = typename T::batch_bool_type;
  using arch_type = typename T::arch_type;
};

struct parts_tag {};

template <class B, std::size_t N>
struct multi {
  using batch_type = B;
  using value_type = typename B::value_type;
  using arch_type = typename batch_traits<B>::arch_type;
  using batch_bool_type = multi<typename batch_traits<B>::bool_type, N>;
  static constexpr std::size_t parts = N;

  B part[N];

  multi() = default;
  /// Batches narrower than AVX-512's are copied part by part: as an aggregate copy (the
  /// implicit one) GCC 12 copies a multi of AVX2 batches inside another aggregate through
  /// 64-bit integer moves, which costs more than interleaving gains. AVX-512 keeps the
  /// implicit copy, which measured faster there.
  multi(const multi&) requires(sizeof(B) >= 64) = default;
  multi& operator=(const multi&) requires(sizeof(B) >= 64) = default;
  multi(const multi& o) noexcept requires(sizeof(B) < 64) : multi(o, std::make_index_sequence<N>{}) {}
  multi& operator=(const multi& o) noexcept requires(sizeof(B) < 64) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { ((part[I] = o.part[I]), ...); }(
        std::make_index_sequence<N>{});
    return *this;
  }
  /// Every lane v, as B(v).
  explicit multi(value_type v) noexcept
      : multi(parts_tag{}, std::make_index_sequence<N>{}, B(v)) {}
  template <class... P>
  multi(parts_tag, const P&... p) noexcept : part{p...} {}

 private:
  template <std::size_t... I>
  multi(parts_tag, std::index_sequence<I...>, const B& b) noexcept : part{(void(I), b)...} {}
  template <std::size_t... I>
  multi(const multi& o, std::index_sequence<I...>) noexcept : part{o.part[I]...} {}
};

/// B's batch type with elements of type T: xsimd::batch<T, B::arch_type>, or for a multi of
/// batches a multi of those (the integer view of a float batch, say).
template <class B, class T>
struct rebind_batch {
  using type = xsimd::batch<T, typename B::arch_type>;
};
template <class B, std::size_t N, class T>
struct rebind_batch<multi<B, N>, T> {
  using type = multi<xsimd::batch<T, typename B::arch_type>, N>;
};
template <class B, class T>
using rebind = typename rebind_batch<B, T>::type;

/// Part I of v, or v itself for a non-multi operand (a shift count, say).
template <std::size_t I, class T>
[[gnu::always_inline]] inline const auto& part_of(const T& v) noexcept {
  if constexpr (is_multi<T>) {
    return v.part[I];
  } else {
    return v;
  }
}

template <class T, class... R>
inline constexpr std::size_t parts_of = [] {
  if constexpr (is_multi<T>) {
    return T::parts;
  } else {
    return parts_of<R...>;
  }
}();

/// The multi whose part i is f(part i of each argument): one operation on every part, each
/// with constant indices, so the compiler keeps the parts in registers.
template <class F, class... M>
[[gnu::always_inline]] inline auto each(F f, const M&... m) noexcept {
  constexpr std::size_t N = parts_of<M...>;
  const auto at = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
    return f(part_of<I>(m)...);
  };
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    using R = decltype(f(part_of<0>(m)...));
    return multi<R, N>(parts_tag{}, at(std::integral_constant<std::size_t, I>{})...);
  }(std::make_index_sequence<N>{});
}

/// Lane-wise operators, for multi operands on either side (a scalar shift count too).
#define ACTFN_MULTI_BINARY(op)                                                           \
  template <class L, class R>                                                             \
    requires(is_multi<L> || is_multi<R>)                                                  \
  [[gnu::always_inline]] inline auto operator op(const L& l, const R& r) noexcept {       \
    return each([](const auto& a, const auto& b) { return a op b; }, l, r);               \
  }
ACTFN_MULTI_BINARY(+)
ACTFN_MULTI_BINARY(-)
ACTFN_MULTI_BINARY(*)
ACTFN_MULTI_BINARY(/)
ACTFN_MULTI_BINARY(&)
ACTFN_MULTI_BINARY(|)
ACTFN_MULTI_BINARY(^)
ACTFN_MULTI_BINARY(<<)
ACTFN_MULTI_BINARY(>>)
ACTFN_MULTI_BINARY(&&)
ACTFN_MULTI_BINARY(||)
ACTFN_MULTI_BINARY(==)
ACTFN_MULTI_BINARY(!=)
ACTFN_MULTI_BINARY(<)
ACTFN_MULTI_BINARY(<=)
ACTFN_MULTI_BINARY(>)
ACTFN_MULTI_BINARY(>=)
#undef ACTFN_MULTI_BINARY

#define ACTFN_MULTI_UNARY(op)                                                         \
  template <class B, std::size_t N>                                                    \
  [[gnu::always_inline]] inline auto operator op(const multi<B, N>& v) noexcept {      \
    return each([](const auto& a) { return op a; }, v);                                \
  }
ACTFN_MULTI_UNARY(-)
ACTFN_MULTI_UNARY(!)
ACTFN_MULTI_UNARY(~)
#undef ACTFN_MULTI_UNARY

}  // namespace actfn::detail

namespace xsimd {

/// xsimd's functions on multi, part by part (see the top of the file).
#define ACTFN_MULTI_FUNCTION(name)                                                             \
  template <class... M>                                                                         \
    requires(actfn::detail::is_multi<M> || ...)                                                 \
  [[gnu::always_inline]] inline auto name(const M&... m) noexcept {                             \
    return actfn::detail::each([](const auto&... p) { return xsimd::name(p...); }, m...);     \
  }
ACTFN_MULTI_FUNCTION(select)
ACTFN_MULTI_FUNCTION(abs)
ACTFN_MULTI_FUNCTION(min)
ACTFN_MULTI_FUNCTION(max)
ACTFN_MULTI_FUNCTION(isnan)
ACTFN_MULTI_FUNCTION(bitwise_and)
ACTFN_MULTI_FUNCTION(bitwise_or)
ACTFN_MULTI_FUNCTION(bitwise_xor)
ACTFN_MULTI_FUNCTION(bitwise_andnot)
ACTFN_MULTI_FUNCTION(fma)
ACTFN_MULTI_FUNCTION(fms)
ACTFN_MULTI_FUNCTION(fnma)
ACTFN_MULTI_FUNCTION(reciprocal)
ACTFN_MULTI_FUNCTION(floor)
ACTFN_MULTI_FUNCTION(copysign)
ACTFN_MULTI_FUNCTION(exp)
ACTFN_MULTI_FUNCTION(expm1)
ACTFN_MULTI_FUNCTION(log1p)
ACTFN_MULTI_FUNCTION(tanh)
#undef ACTFN_MULTI_FUNCTION

/// To a batch type: a multi of it; to a multi type: that multi.
template <class To, class B, std::size_t N>
[[gnu::always_inline]] inline auto bitwise_cast(const actfn::detail::multi<B, N>& v) noexcept {
  if constexpr (actfn::detail::is_multi<To>) {
    return actfn::detail::each(
        [](const auto& p) { return xsimd::bitwise_cast<typename To::batch_type>(p); }, v);
  } else {
    return actfn::detail::each([](const auto& p) { return xsimd::bitwise_cast<To>(p); }, v);
  }
}

template <class B, std::size_t N>
[[gnu::always_inline]] inline bool all(const actfn::detail::multi<B, N>& m) noexcept {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (xsimd::all(m.part[I]) & ...);  // one branch for all parts
  }(std::make_index_sequence<N>{});
}
template <class B, std::size_t N>
[[gnu::always_inline]] inline bool any(const actfn::detail::multi<B, N>& m) noexcept {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (xsimd::any(m.part[I]) | ...);
  }(std::make_index_sequence<N>{});
}

}  // namespace xsimd
