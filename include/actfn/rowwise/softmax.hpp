// SPDX-License-Identifier: MIT
// softmax and log_softmax over the last axis of a row-major [rows x cols] buffer, and their
// gradients computed from the output.               torch.nn.Softmax(dim=-1), nn.LogSoftmax(dim=-1)
//
//   softmax(x, y, cols)                  y_j = exp(x_j - m) / sum_i exp(x_i - m),  m = max_i x_i
//   log_softmax(x, y, cols)              y_j = (x_j - m) - log(sum_i exp(x_i - m))
//   softmax_backward(y, dy, dx, cols)    dx_j = y_j (dy_j - sum_i dy_i y_i)
//                                        (the Jacobian dy_i/dx_j = y_i (delta_ij - y_j))
//   log_softmax_backward(y, dy, dx, cols)  dx_j = dy_j - exp(y_j) sum_i dy_i
//                                        (the Jacobian dy_i/dx_j = delta_ij - softmax_j)
//
// Each row of `cols` consecutive elements is one independent vector; a plain vector is the
// single row cols = x.size(). Every row goes through xsimd batches, the tail of each row
// through the same zero-padded batch code as actfn::forward (nothing outside the spans is
// read or written).
//
// Accuracy. Subtracting the row maximum first means nothing overflows:
// softmax({1000, 1001, 1002}) is as accurate as softmax({0, 1, 2}). exp(x_j - m) is corrected for
// the rounding of the subtraction (see exp_of_difference), so the error does not grow with the
// spread of the row. The forward passes' sums are accumulated in double lanes, in four
// independent chains: with compensation for double rows; plainly for float rows, whose terms
// are exact in double (softmax forms its terms in double; log_softmax forms its exp terms in
// float, where exp runs at full width), so that a row of n floats sums to within about n 2^-55
// of its magnitudes, far below float's rounding. The backward passes subtract their sums from
// values they can nearly equal, so there a sum must be known far beyond T's precision: it is
// accumulated in two (float rows) or three (double rows) words of double, exact products
// included, and kept as a pair hi + lo of T (see sum_as_pair and the backward functions).
// log_softmax takes log(sum) as log1p(n_max - 1 + rest), where n_max counts the entries equal to
// the maximum (in the data's own lanes, exact) and rest sums the others (both in one pass), so a
// row dominated by one entry still gets its small log-probability (about -rest) to full relative
// accuracy. Bounds enforced by tests/rowwise/test_softmax.cpp against a long double reference:
// softmax within 4 ULP (float) and 6 ULP (double), log_softmax within 3 ULP (float) and 4 ULP
// (double), on random rows of every length up to 2W + 1, of 8W + 3 (the unrolled loops and a
// tail) and of 1000; the backward passes' bounds (at the functions) on rows of 7 to 4096
// elements built to cancel, against exact sums in 113-bit arithmetic. exp is math::exp_in_range
// (actfn/math/exp.hpp), math::exp for the lanes out of its range. Results below the smallest
// normal number may be flushed to 0 (exp does not produce subnormals); log_softmax's results
// of a row dominated by one entry lose their relative accuracy as they approach that range (the
// terms of their sum are flushed).
//
// NaN and infinities (as PyTorch's CPU kernels): entries equal to -inf in a row with a finite
// maximum give exactly 0 (softmax) and -inf (log_softmax). A row that is entirely -inf, or
// holds +inf or NaN anywhere, gives NaN in every entry of that row (exp(inf - inf) poisons the
// sum). The backward passes propagate NaN in y or dy to the row of dx through the sums.
//
// Storage types (bfloat16, float16; actfn/core/half.hpp): rows of them are widened into float
// rows, the float computation runs on those as it does on float data, and each result is
// rounded once to the storage type: the float path's result rounded to nearest even. The float
// rows live in thread-local buffers, reused from call to call (they keep the longest row's size).
//
// Throws std::invalid_argument (message naming the function, argument and sizes) when cols is
// 0, the size is not a whole number of rows, the sizes of x and y (or y, dy and dx) differ, or
// an output partly overlaps an input. An output may be the very same span as an input (in
// place). Empty buffers (zero rows) are fine.
//
// The detail helpers at the top (lane folds, row checks, disjointness) are shared by the other
// headers in actfn/rowwise/.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "actfn/core/check.hpp"
#include "actfn/core/fast.hpp"
#include "actfn/core/span.hpp"
#include "actfn/core/unary.hpp"
#include "actfn/math/exp.hpp"
#include "actfn/math/fast.hpp"
#include "actfn/math/fma.hpp"

namespace actfn {

namespace detail {

// ---- Shared by actfn/rowwise/*.hpp ------------------------------------------------------------

/// The lanes of a B whose index is below `count`.
template <class B>
typename B::batch_bool_type lanes_below(std::size_t count) {
  using T = typename B::value_type;
  std::array<T, B::size> index;
  std::iota(index.begin(), index.end(), T(0));
  return B::load_unaligned(index.data()) < B(static_cast<T>(count));
}

/// B::size consecutive values at p as a B. Floats into double lanes: one converting load
/// (VCVTPS2PD from memory) on x86; for other conversions the values are converted one by one.
/// Not xsimd 8.1's converting load, which copies through a buffer and stalls on store
/// forwarding; nor one by one for floats, which GCC 12 builds from two half-width conversions
/// and an insertion per batch.
template <class B, class In>
B load_as(const In* p) {
  using A [[maybe_unused]] = typename B::arch_type;
  if constexpr (std::is_same_v<In, typename B::value_type>) {
    return B::load_unaligned(p);
#if defined(__AVX512F__)
  } else if constexpr (std::is_same_v<In, float> && std::is_base_of_v<xsimd::avx512f, A>) {
    return _mm512_cvtps_pd(_mm256_loadu_ps(p));
#endif
#if defined(__AVX__)
  } else if constexpr (std::is_same_v<In, float> && std::is_base_of_v<xsimd::avx, A>) {
    return _mm256_cvtps_pd(_mm_loadu_ps(p));
#endif
#if defined(__SSE2__)
  } else if constexpr (std::is_same_v<In, float> && std::is_base_of_v<xsimd::sse2, A>) {
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
  } else if constexpr (std::is_same_v<In, float> && std::is_base_of_v<xsimd::neon64, A>) {
    return vcvt_f64_f32(vld1_f32(p));  // FCVTL: two floats widened by one instruction
#endif
  } else {
    return [p]<std::size_t... I>(std::index_sequence<I...>) {
      return B{static_cast<typename B::value_type>(p[I])...};
    }(std::make_index_sequence<B::size>());
  }
}

/// v's lanes where keep is set, pad in the others; for a pair of batches, in both.
template <class M, class B>
B pad_lanes(M keep, B v, B pad) {
  return xsimd::select(keep, v, pad);
}
template <class M, class B>
std::pair<B, B> pad_lanes(M keep, std::pair<B, B> v, B pad) {
  return {xsimd::select(keep, v.first, pad), xsimd::select(keep, v.second, pad)};
}

/// Folds map(in[i]...) over i < n lane by lane (map returns a batch or a pair of batches): state =
/// combine(state, map(batches)), in four independent states that take every fourth batch (so that a
/// combine with a long latency, a running sum, does not chain from one batch to the next), merged
/// at the end by merge(state, state). The inputs are loaded as batches of Acc (so float data can be
/// summed in double lanes). The tail goes through a zero-padded batch whose lanes past n are
/// replaced by `pad` (the identity of combine) after map; nothing past n is read.
template <class Arch, class Acc, class State, class Map, class Combine, class Merge,
          class... In>
State fold(std::size_t n, State init, Acc pad, Map map, Combine combine, Merge merge,
           const In*... in) {
  using B = xsimd::batch<Acc, Arch>;
  constexpr std::size_t W = B::size;
  State s0 = init, s1 = init, s2 = init, s3 = init;
  std::size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    s0 = combine(s0, map(load_as<B>(in + i)...));
    s1 = combine(s1, map(load_as<B>(in + i + W)...));
    s2 = combine(s2, map(load_as<B>(in + i + 2 * W)...));
    s3 = combine(s3, map(load_as<B>(in + i + 3 * W)...));
  }
  for (; i + W <= n; i += W) s0 = combine(s0, map(load_as<B>(in + i)...));
  if (const std::size_t rest = n - i; rest != 0) {
    auto load_tail = [&](const auto* p) {
      std::array<Acc, W> buf{};
      std::copy_n(p + i, rest, buf.begin());
      return B::load_unaligned(buf.data());
    };
    s1 = combine(s1, pad_lanes(lanes_below<B>(rest), map(load_tail(in)...), B(pad)));
  }
  return merge(merge(s0, s1), merge(s2, s3));
}

/// A running sum over double or a batch of doubles. Compensated: it also keeps the exact
/// rounding error of its additions (Knuth's two-sum), so the error of the total does not grow
/// with the count. Plain: the sum alone (err stays 0), for terms that are exact in double
/// (float data, products of two floats), where a float result needs no more: n such terms
/// summed in k chains are off by at most about (n / k) 2^-53 of the sum of their magnitudes.
template <class V, bool Compensated = true>
struct running_sum {
  V sum = V(0.0);
  V err = V(0.0);
  void add(V v) {
    if constexpr (Compensated) {
      const V t = sum + v;
      const V v_part = t - sum;
      err += (sum - (t - v_part)) + (v - v_part);
      sum = t;
    } else {
      sum += v;
    }
  }
  void add(const running_sum& other) {
    add(other.sum);
    err += other.err;
  }
};
template <class V>
using compensated_sum = running_sum<V, true>;

/// The total (compensated: sum + err); an infinite or NaN sum is returned as the plain sum
/// gives it.
template <bool Compensated>
double total(const running_sum<double, Compensated>& s) {
  return std::isfinite(s.sum) ? s.sum + s.err : s.sum;
}

/// Adds a batch to double lanes: a double batch as is, a float batch as its two halves.
template <class D, bool Compensated, class B>
void add_lanes(running_sum<D, Compensated>& s, B v) {
  if constexpr (std::is_same_v<B, D>) {
    s.add(v);
  } else {
    static_assert(B::size == 2 * D::size, "a float batch holds two double batches");
    std::array<typename B::value_type, B::size> lanes;
    v.store_unaligned(lanes.data());
    s.add(load_as<D>(lanes.data()));
    s.add(load_as<D>(lanes.data() + D::size));
  }
}

/// sum over i < n of map(in[i]...) in double: map runs on batches of Lane (double, to evaluate
/// in double, e.g. exact products of floats; or the data's own type, to keep float's width and
/// float's fast exp) and the results are summed in double lanes (running_sum): compensated
/// for double data, plain for float data, whose terms are exact in double.
template <class Arch, class Lane, class Map, class... In>
double sum_in_double(std::size_t n, Map map, const In*... in) {
  constexpr bool compensated = (std::is_same_v<In, double> || ...);
  using S = running_sum<xsimd::batch<double, Arch>, compensated>;
  const auto add = [](S s, auto v) {
    add_lanes(s, v);
    return s;
  };
  const auto merge = [](S a, const S& b) {
    a.add(b);
    return a;
  };
  const S lanes = fold<Arch, Lane>(n, S{}, Lane(0), map, add, merge, in...);
  return total(running_sum<double, compensated>{xsimd::hadd(lanes.sum), xsimd::hadd(lanes.err)});
}

/// The largest of x[0..n) (-inf for n = 0). With a NaN in x the result may or may not be NaN.
template <class Arch, class T>
T row_max(const T* x, std::size_t n) {
  using B = xsimd::batch<T, Arch>;
  constexpr T lowest = -std::numeric_limits<T>::infinity();
  const auto max = [](B a, B b) { return xsimd::max(a, b); };
  const B lanes = fold<Arch, T>(n, B(lowest), lowest, [](B b) { return b; }, max, max, x);
  std::array<T, B::size> v;
  lanes.store_unaligned(v.data());
  return std::ranges::max(v);
}

/// A buffer of `size` elements must be a whole number of rows of `cols` > 0 elements.
inline void require_rows(std::string_view where, std::string_view name, std::size_t size,
                         std::size_t cols) {
  if (cols == 0) fail(where, "cols must be > 0 (got 0; ", name, " has ", size, " elements)");
  if (size % cols != 0)
    fail(where, name, " has ", size, " elements, not a whole number of rows of cols = ", cols);
}

// ---- softmax ----------------------------------------------------------------------------------

/// exp(x - m), accurate to exp's own error even where x - m is inexact: the rounding error of
/// the subtraction, err (exact, by Knuth's two-sum), goes into exp as exp(d + err)
/// (math::exp_in_range(d, err)). m is the row's maximum, so d <= 0: lanes with d <= -87.3, -inf
/// and NaN included, take the cold path: exp(d) (1 + err), and plain exp(d) where d is
/// infinite (x or m infinite); NaN propagates. Always inlined: without it GCC 12 (-O3
/// -march=x86-64-v3) emitted it as a function called from transform's unrolled loop (objdump
/// -dr of a translation unit that calls softmax shows 15 such calls; with it, none).
template <class B>
[[gnu::always_inline]] inline B exp_of_difference(B x, B m) {
  const B d = x - m;
  const B x_part = d + m;
  const B m_part = x_part - d;  // -(the part of -m that went into d)
  const B err = (x - x_part) - (m - m_part);
  const B plain(-math::exp_plain<typename B::value_type>);
  return math::plain_or(d > plain, math::exp_in_range(d, err), [&] {
    const B e = math::exp(d);
    return xsimd::select(xsimd::isinf(d), e, math::fused(e, err, e));
  });
}

/// exp(x - m) for a row with maximum m: exp_of_difference, or in the fast tier (Fast, float)
/// math::fast::exp_nonpositive of the rounded difference (its 0.9-ULP variant): for x - m
/// inexact, |x - m| >= 1 and exp(x - m) <= 1/e, where the rounding's effect stays below the
/// absolute floor of the fast contract. -inf gives 0 and NaN NaN, as exp_of_difference.
template <bool Fast, class B>
[[gnu::always_inline]] inline B row_exp(B x, B m) {
  if constexpr (Fast && math::fast::is_float<B>) {
    return math::fast::exp_nonpositive<math::exp_use::value>(x - m);
  } else {
    return exp_of_difference(x, m);
  }
}

template <class Arch, class T, bool Fast = false>
void softmax_row(const T* x, T* y, std::size_t n) {
  using B = xsimd::batch<T, Arch>;
  const B m(row_max<Arch>(x, n));
  transform<Arch>(n, y, [m](B xb) { return row_exp<Fast>(xb, m); }, x);
  const T s = static_cast<T>(sum_in_double<Arch, double>(n, [](auto e) { return e; }, y));
  // e / s as e (1 / s) corrected by its remainder: the same quotients (math::divide_by); the
  // fast tier takes e (1 / s), one more rounding.
  const B sb(s), inv(T(1) / s);
  if constexpr (Fast && std::is_same_v<T, float>) {
    transform<Arch>(n, y, [inv](B e) { return e * inv; }, y);
  } else {
    transform<Arch>(n, y, [sb, inv](B e) { return math::divide_by(e, sb, inv); }, y);
  }
}

template <class Arch, class T, bool Fast = false>
void log_softmax_row(const T* x, T* y, std::size_t n) {
  const T m = row_max<Arch>(x, n);
  // sum_i exp(x_i - m) = n_max + rest: the n_max entries with x_i - m == 0 contribute exactly 1
  // each. x_i - m is NaN (never 0) for +inf entries and in all -inf rows, which makes rest NaN.
  // Both sums in one pass over x, over chunks of at most 2^24 elements: n_max is counted in
  // lanes of T (no conversion to double lanes, which rest needs), exactly, as no lane of a
  // chunk counts past 2^24.
  using B = xsimd::batch<T, Arch>;
  using S = running_sum<xsimd::batch<double, Arch>, std::is_same_v<T, double>>;
  struct sums {
    B ones;
    S rest;
  };
  const auto terms = [m](B xb) {
    const auto top = xb - B(m) == B(0);
    return std::pair{xsimd::select(top, B(1), B(0)),
                     xsimd::select(top, B(0), row_exp<Fast>(xb, B(m)))};
  };
  const auto add = [](sums s, std::pair<B, B> v) {
    s.ones += v.first;
    add_lanes(s.rest, v.second);
    return s;
  };
  const auto merge = [](sums a, const sums& b) {
    a.ones += b.ones;
    a.rest.add(b.rest);
    return a;
  };
  constexpr std::size_t chunk = std::size_t{1} << 24;
  double n_max = 0;
  running_sum<double, std::is_same_v<T, double>> rest;
  for (std::size_t start = 0; start < n; start += chunk) {
    const sums lanes = fold<Arch, T>(std::min(chunk, n - start), sums{B(0), S{}}, T(0), terms,
                                     add, merge, x + start);
    std::array<T, B::size> ones;
    lanes.ones.store_unaligned(ones.data());
    for (const T c : ones) n_max += c;  // exact: counts
    rest.add(running_sum<double, std::is_same_v<T, double>>{xsimd::hadd(lanes.rest.sum),
                                                            xsimd::hadd(lanes.rest.err)});
  }
  const B log_sum = splat<B>(std::log1p((n_max - 1) + total(rest)));
  transform<Arch>(n, y, [m, log_sum](B xb) { return (xb - B(m)) - log_sum; }, x);
}

/// acc += v, returning the exact rounding error of that addition (Knuth's two-sum: six
/// additions, no ordering of |acc| and |v| needed).
template <class V>
V add_exactly(V& acc, V v) {
  const V s = acc + v;
  const V v_part = s - acc;
  const V err = (acc - (s - v_part)) + (v - v_part);
  acc = s;
  return err;
}

/// A sum carried in Words = 2 or 3 parts, sum + err (+ err2), for the backward passes: the
/// rounding errors of the additions to sum (add_exactly) go to err, with Words = 3 themselves
/// added exactly, their own errors to err2. Terms that are exact errors of other operations
/// (a product's, math::product_error) join err through add_error. Two words leave an error of
/// about k 2^-106 of the partial sums' size after k terms, three about k 2^-159.
template <class V, int Words>
struct accurate_sum {
  V sum = V(0.0), err = V(0.0), err2 = V(0.0);
  void add_error(V e) {
    if constexpr (Words == 3) {
      err2 += add_exactly(err, e);
    } else {
      err += e;
    }
  }
  void add(V v) { add_error(add_exactly(sum, v)); }
  void add(const accurate_sum& other) {
    add(other.sum);
    add_error(other.err);
    err2 += other.err2;
  }
};

/// The backward passes' sums, sum over i < n of map(in[i]...), as a double-double hi + lo
/// (|lo| at most half an ULP of hi): the passes subtract the sum from values it can nearly
/// equal, where a rounded sum would leave little but its rounding error. map runs on batches of
/// double and gives each term exact in double (float data: values and products of two floats)
/// or as a pair, the term rounded and its exact rounding error (products of doubles,
/// math::product_error). The terms go into an accurate_sum in double lanes, of two words for
/// float data (the sum's error, about n 2^-106 of its terms' magnitudes, is then far below what
/// a float result can show) and of three for double data; then the lanes one by one, likewise.
/// A sum that overflows or is NaN comes back as hi, with lo = 0.
template <class Arch, class Map, class... In>
std::pair<double, double> sum_as_pair(std::size_t n, Map map, const In*... in) {
  using D = xsimd::batch<double, Arch>;
  constexpr int words = (std::is_same_v<In, double> || ...) ? 3 : 2;
  using S = accurate_sum<D, words>;
  const auto add = [](S s, auto v) {
    if constexpr (std::is_same_v<decltype(v), std::pair<D, D>>) {
      s.add(v.first);
      s.add_error(v.second);
    } else {
      s.add(v);
    }
    return s;
  };
  const auto merge = [](S a, const S& b) {
    a.add(b);
    return a;
  };
  const S lanes = fold<Arch, double>(n, S{}, 0.0, map, add, merge, in...);
  std::array<double, D::size> sums, errs, errs2;
  lanes.sum.store_unaligned(sums.data());
  lanes.err.store_unaligned(errs.data());
  lanes.err2.store_unaligned(errs2.data());
  accurate_sum<double, words> total;
  for (std::size_t k = 0; k < D::size; ++k) {
    total.add(sums[k]);
    total.add_error(errs[k]);
    total.err2 += errs2[k];
  }
  // sum + err + err2 as hi + lo: hi = sum + err rounded, its exact error plus err2 in lo
  // (rounded: lo to 2^-53 of itself), then hi + lo normalised. A NaN error beside a finite sum
  // comes from Dekker's split overflowing (product_error on SSE2, doubles beyond 2^996): the
  // sum is then taken as it is.
  double hi = total.sum;
  if (!std::isfinite(total.err + total.err2)) return {hi, 0.0};
  const double lo = add_exactly(hi, total.err) + total.err2;
  if (!std::isfinite(hi)) return {hi, 0.0};
  const double rest = add_exactly(hi, lo);
  return {hi, rest};
}

/// A double-double hi + lo as a pair of the element type T: itself for double; for float hi
/// rounded to float and the rest, (hi - float(hi)) + lo (the subtraction exact), rounded to
/// float, so that the pair holds the sum to about 2^-48 of itself. A float hi that overflows
/// comes with lo = 0.
template <class T>
std::pair<T, T> as_pair_of(std::pair<double, double> v) {
  if constexpr (std::is_same_v<T, double>) {
    return v;
  } else {
    const T hi = static_cast<T>(v.first);
    if (!std::isfinite(hi)) return {hi, T(0)};
    return {hi, static_cast<T>((v.first - static_cast<double>(hi)) + v.second)};
  }
}

/// sum_i dy_i y_i as a pair of T (sum_as_pair): float products are exact in double lanes;
/// double products are split into the rounded product and its exact error.
template <class Arch, class T>
std::pair<T, T> dot_as_pair(const T* y, const T* dy, std::size_t n) {
  const auto products = [](auto yb, auto gb) {
    if constexpr (std::is_same_v<T, float>) {
      return yb * gb;
    } else {
      const auto p = math::rounded(yb * gb);  // not contracted into the sum that takes it
      return std::pair{p, math::product_error(yb, gb, p)};
    }
  };
  return as_pair_of<T>(sum_as_pair<Arch>(n, products, y, dy));
}

template <class Arch, class T>
void softmax_backward_row(const T* y, const T* dy, T* dx, std::size_t n) {
  using B = xsimd::batch<T, Arch>;
  // y (dy - (hi + lo)): where dy is close to the sum, dy - hi is exact (Sterbenz) and lo
  // carries what hi alone would have rounded away.
  const auto [hi, lo] = dot_as_pair<Arch>(y, dy, n);
  const B h(hi), l(lo);
  transform<Arch>(n, dx, [h, l](B yb, B gb) { return yb * ((gb - h) - l); }, y, dy);
}

/// c - a h - extra without rounding a h on its own: with FMA, c - a h rounded once, then extra
/// subtracted; without, a h = q + e exactly (math::product_error) and (c - q) - (extra + e),
/// where c - q is exact (Sterbenz) wherever the result cancels.
template <class B>
[[gnu::always_inline]] inline B minus_product(B c, B a, B h, B extra) {
  if constexpr (math::has_fma<typename B::arch_type>) {
    return math::fused_negated(a, h, c) - extra;
  } else {
    const B q = math::rounded(a * h);
    return (c - q) - (extra + math::product_error(a, h, q));
  }
}

/// -ln 2, where exp is 1/2, in B's element type.
template <class B>
inline constexpr typename B::value_type minus_ln2 =
    static_cast<typename B::value_type>(-0.6931471805599453094);

/// dy - exp(y) S for S = h + l (a pair of T). Where exp(y) <= 1/2 and y > -87.3 (float) /
/// -708.3 (double), the log-probabilities of every entry but the largest as a rule:
/// dy - exp(y) h - exp(y) l without rounding exp(y) h on its own (minus_product), so that where
/// dy nearly equals exp(y) S only exp's own error remains, an ULP of exp(y) S. Elsewhere, out
/// of line (one test per batch, as math::plain_or; a row of log-probabilities has at most one
/// entry with exp(y) > 1/2): for y > -ln 2, (dy - S) - expm1(y) S with dy - h taken exactly
/// (two-sum), so that the error left is expm1's, an ULP of (1 - exp(y)) S, small where exp(y)
/// is close to 1 (the target of a confident prediction under dy = -onehot); below the range
/// above, and for NaN, dy - exp(y) h - exp(y) l with each product rounded once
/// (math::exp_times), not flushed where exp(y) is subnormal but the products are not; where
/// exp(y) overflows, dy - exp(y) h.
template <class B, class R = typename B::register_type>
[[gnu::noinline, gnu::cold]] R log_softmax_gradient_edge(R y, R g, R hi, R lo) {
  using T = typename B::value_type;
  const B yb(y), gb(g), h(hi), l(lo);
  const B e = math::exp(yb);
  const B m = math::expm1(yb);
  const B via_exp = minus_product(gb, e, h, e * l);
  B a = gb;
  const B a_err = add_exactly(a, math::negated(h));  // dy - h = a + a_err exactly
  const B via_expm1 = minus_product(a, m, h, math::fused(m, l, l) - a_err);
  // Far out, exp(y) h and exp(y) l each rounded once (math::exp_times), as normal numbers also
  // where exp(y) alone is not. NaN goes here too and propagates.
  const B via_tail = (gb - math::exp_times(h, yb)) - math::exp_times(l, yb);
  const B in_range = xsimd::select(yb > B(-math::exp_plain<T>), via_exp, via_tail);
  const B finite = xsimd::select(yb > B(minus_ln2<B>), via_expm1, in_range);
  return xsimd::select(xsimd::isinf(e), gb - e * h, finite).data;
}
template <class B>
[[gnu::always_inline]] inline B log_softmax_gradient(B yb, B gb, const B& h, const B& l) {
  using T = typename B::value_type;
  const auto fast = (yb > B(-math::exp_plain<T>)) & (yb <= B(minus_ln2<B>));  // false for NaN
  const B p = math::exp_in_range(yb);
  const B result = minus_product(gb, p, h, p * l);
  if (xsimd::all(fast)) [[likely]] return result;
  // Not math::plain_or: GCC 12 stores the captures of its lambda to the stack on every batch.
  return xsimd::select(fast, result, B(log_softmax_gradient_edge<B>(yb, gb, h, l)));
}

template <class Arch, class T>
void log_softmax_backward_row(const T* y, const T* dy, T* dx, std::size_t n) {
  using B = xsimd::batch<T, Arch>;
  const auto [hi, lo] = as_pair_of<T>(sum_as_pair<Arch>(n, [](auto gb) { return gb; }, dy));
  const B h(hi), l(lo);
  transform<Arch>(n, dx, [h, l](B yb, B gb) { return log_softmax_gradient(yb, gb, h, l); }, y,
                  dy);
}

/// The identity on batches: transform with it converts between element types (widens a
/// storage type to float, rounds float to a storage type).
inline constexpr auto converted = [](auto b) { return b; };

/// A forward row function of float data (softmax_row<Arch, float>...) for rows of storage
/// type S: the row widened into a float buffer, computed there in place, rounded into y.
template <class Arch, class S, auto Row>
void widened_row(const S* x, S* y, std::size_t n) {
  thread_local std::vector<float> row;
  row.resize(n);
  transform<Arch>(n, row.data(), converted, x);
  Row(row.data(), row.data(), n);
  transform<Arch>(n, y, converted, row.data());
}

/// A backward row function of float data for rows of storage type S, as widened_row.
template <class Arch, class S, auto Row>
void widened_row(const S* y, const S* dy, S* dx, std::size_t n) {
  thread_local std::vector<float> y_row, g_row;
  y_row.resize(n);
  g_row.resize(n);
  transform<Arch>(n, y_row.data(), converted, y);
  transform<Arch>(n, g_row.data(), converted, dy);
  Row(y_row.data(), g_row.data(), g_row.data(), n);
  transform<Arch>(n, dx, converted, g_row.data());
}

/// Row<Arch, T> for T float or double; for a storage type T, Row<Arch, float> on widened rows.
template <class Arch, class T, template <class, class> class Row>
inline constexpr auto row_of = [] {
  if constexpr (storage_scalar<T>) {
    return [](const T* a, auto... rest) {
      widened_row<Arch, T, Row<Arch, float>::run>(a, rest...);
    };
  } else {
    return [](const T* a, auto... rest) { Row<Arch, T>::run(a, rest...); };
  }
}();

template <class Arch, class T>
struct softmax_rows {
  static constexpr auto run = softmax_row<Arch, T>;
};
template <class Arch, class T>
struct log_softmax_rows {
  static constexpr auto run = log_softmax_row<Arch, T>;
};
template <class Arch, class T>
struct softmax_fast_rows {
  static constexpr auto run = softmax_row<Arch, T, true>;
};
template <class Arch, class T>
struct log_softmax_fast_rows {
  static constexpr auto run = log_softmax_row<Arch, T, true>;
};
template <class Arch, class T>
struct softmax_backward_rows {
  static constexpr auto run = softmax_backward_row<Arch, T>;
};
template <class Arch, class T>
struct log_softmax_backward_rows {
  static constexpr auto run = log_softmax_backward_row<Arch, T>;
};

/// Checks a forward call and runs row(x_row, y_row, cols) over every row.
template <class T, class Row>
void for_rows(std::string_view where, std::span<const T> x, std::span<T> y, std::size_t cols,
              Row row) {
  require_rows(where, "x", x.size(), cols);
  require_elementwise<T>(where, {{"x", x}}, {{"y", y}});
  for (std::size_t r = 0; r < x.size(); r += cols) row(x.data() + r, y.data() + r, cols);
}

/// Checks a backward call and runs row(y_row, dy_row, dx_row, cols) over every row.
template <class T, class Row>
void for_rows(std::string_view where, std::span<const T> y, std::span<const T> dy,
              std::span<T> dx, std::size_t cols, Row row) {
  require_rows(where, "y", y.size(), cols);
  require_elementwise<T>(where, {{"y", y}, {"dy", dy}}, {{"dx", dx}});
  for (std::size_t r = 0; r < y.size(); r += cols)
    row(y.data() + r, dy.data() + r, dx.data() + r, cols);
}

/// Checks the types of a forward call and runs Rows over every row (for_rows).
template <class Arch, template <class, class> class Rows, class X, class Y>
void forward_rows(std::string_view where, X&& x, Y&& y, std::size_t cols) {
  using T = range_value<X>;
  static_assert(std::is_same_v<T, range_value<Y>>,
                "actfn::softmax / log_softmax: x and y must have the same element type");
  for_rows<T>(where, in_span(x), out_span(y), cols, row_of<Arch, T, Rows>);
}

/// Checks the types of a backward call and runs Rows over every row (for_rows).
template <class Arch, template <class, class> class Rows, class Yr, class DY, class DX>
void backward_rows(std::string_view where, Yr&& y, DY&& dy, DX&& dx, std::size_t cols) {
  using T = range_value<Yr>;
  static_assert(std::is_same_v<T, range_value<DY>> && std::is_same_v<T, range_value<DX>>,
                "actfn::softmax_backward / log_softmax_backward: y, dy and dx must have the "
                "same element type");
  for_rows<T>(where, in_span(y), in_span(dy), out_span(dx), cols, row_of<Arch, T, Rows>);
}

}  // namespace detail

/// y = softmax(x) over each row of `cols` elements.
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_output Y>
void softmax(X&& x, Y&& y, std::size_t cols) {
  detail::forward_rows<Arch, detail::softmax_rows>("softmax", x, y, cols);
}

/// y = log_softmax(x) over each row of `cols` elements.
template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_output Y>
void log_softmax(X&& x, Y&& y, std::size_t cols) {
  detail::forward_rows<Arch, detail::log_softmax_rows>("log_softmax", x, y, cols);
}

/// dx = y * (dy - sum(dy * y)) per row, from the softmax output y and the gradient dy.
/// Within 2.5 ULP (float and double) of the exact result for the given y and dy, also where
/// dy_j nearly equals the sum, whose rounding to T would otherwise be all that is left of
/// dy_j - sum: the sum is kept as a pair hi + lo of T, and (dy_j - hi) - lo has dy_j - hi
/// exact where the two are close. On top comes the sum's own error, y_j times about
/// n 2^-106 (float: two words of double) / n 2^-159 (double: three words) of sum |dy_i y_i|,
/// which shows only where dy_j and the sum agree to within about n 2^-80 / n 2^-104 of that.
template <class Arch = xsimd::default_arch, detail::real_input Yr, detail::real_input DY,
          detail::real_output DX>
void softmax_backward(Yr&& y, DY&& dy, DX&& dx, std::size_t cols) {
  detail::backward_rows<Arch, detail::softmax_backward_rows>("softmax_backward", y, dy, dx, cols);
}

/// dx = dy - exp(y) * sum(dy) per row, from the log_softmax output y and the gradient dy.
/// Within 2.5 ULP (float) / 2 ULP (double) of max(|dx_j|, |S| min(p_j, |1 - p_j|)) of the
/// exact result for the given y and dy, S = sum(dy), p_j = exp(y_j). The second term is exp's
/// own error, which no exp(y_j) rounded to T avoids where dy_j nearly equals p_j S; for
/// p_j > 1/2 the pass takes (dy_j - S) - expm1(y_j) S, where that term is (1 - p_j) |S|, so
/// that the gradient of a confident prediction's target (dy = -1 there, dx = p_j - 1) keeps its
/// relative accuracy. S is computed and kept as softmax_backward's sum is, and its own error
/// comes on top likewise: p_j times about n 2^-106 / n 2^-159 of sum |dy_i|.
template <class Arch = xsimd::default_arch, detail::real_input Yr, detail::real_input DY,
          detail::real_output DX>
void log_softmax_backward(Yr&& y, DY&& dy, DX&& dx, std::size_t cols) {
  detail::backward_rows<Arch, detail::log_softmax_backward_rows>("log_softmax_backward", y, dy,
                                                                 dx, cols);
}

// ---- The fast tier (actfn::fast_tier, core/fast.hpp) -------------------------------------------
// The same functions with actfn::fast_tier as their first argument. Forward, float (and the
// storage types, computed in float): exp(x_j - m) by math::fast::exp_nonpositive without the
// subtraction's correction (row_exp), and y = e (1 / s) without the quotient's correction; the
// sums as in the precise tier. Within the fast contract, max(4 ulp, 2^-22) of each result, on
// every row (tests/rowwise/test_softmax.cpp). Double, and the backward passes (a sum and one
// pass over the row, as cheap as a fast form would be): the precise code, bit for bit.

template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_output Y>
void softmax(fast_tier_t, X&& x, Y&& y, std::size_t cols) {
  detail::forward_rows<Arch, detail::softmax_fast_rows>("softmax", x, y, cols);
}

template <class Arch = xsimd::default_arch, detail::real_input X, detail::real_output Y>
void log_softmax(fast_tier_t, X&& x, Y&& y, std::size_t cols) {
  detail::forward_rows<Arch, detail::log_softmax_fast_rows>("log_softmax", x, y, cols);
}

template <class Arch = xsimd::default_arch, detail::real_input Yr, detail::real_input DY,
          detail::real_output DX>
void softmax_backward(fast_tier_t, Yr&& y, DY&& dy, DX&& dx, std::size_t cols) {
  softmax_backward<Arch>(y, dy, dx, cols);
}

template <class Arch = xsimd::default_arch, detail::real_input Yr, detail::real_input DY,
          detail::real_output DX>
void log_softmax_backward(fast_tier_t, Yr&& y, DY&& dy, DX&& dx, std::size_t cols) {
  log_softmax_backward<Arch>(y, dy, dx, cols);
}

}  // namespace actfn
