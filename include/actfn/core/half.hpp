// SPDX-License-Identifier: MIT
// Half-width storage types, bfloat16 and float16, and their conversions to and from float.
//
//   actfn::bfloat16 h{0.1f};             // rounded to nearest, ties to even
//   float f = static_cast<float>(h);     // exact
//
// Both are 2 bytes, trivially copyable, and hold the bits PyTorch and oneDNN use:
// bfloat16 is the upper half of an IEEE binary32 (8 exponent bits, 7 fraction bits), float16 is
// IEEE binary16 (5 and 10). std::bit_cast<std::uint16_t>(h) gives them. Only conversion and
// comparison of bits is offered: they are storage types, arithmetic is done in float.
//
// Conversion from float rounds to nearest even; a NaN stays a NaN and becomes quiet (the
// quiet bit set, the sign and the leading payload bits kept), a value beyond the largest
// finite one rounds to infinity as IEEE rounding says (float16: from 65520 on), subnormal
// results are kept. Conversion to float is exact (a signalling float16 NaN comes out quiet).
//
// The span algorithms (span.hpp, rowwise/softmax.hpp) take buffers of these types: each batch
// is loaded and widened to a float batch (load_widen), the functor runs on it as on float data,
// and the float result is rounded once to the storage type and stored (narrow_store). The
// functors never see the storage types. The vector conversions use the instructions the
// target has, checked at compile time: AVX-512 BF16 (VCVTNEPS2BF16) to round to bfloat16,
// F16C / AVX-512F (VCVTPH2PS, VCVTPS2PH) for float16; elsewhere integer operations that round
// exactly as the scalar functions here do. Every path gives the same bits (tests/test_half.cpp
// checks them against each other and against an independent rounding).
//
// Where the compiler has C++23's std::bfloat16_t and std::float16_t, buffers of those are
// accepted too (storage_of maps them to these types, whose bits they share).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#if defined(__STDCPP_BFLOAT16_T__) || defined(__STDCPP_FLOAT16_T__)
#include <stdfloat>
#endif

#include "actfn/core/config.hpp"

namespace actfn {

namespace detail {

/// float -> bfloat16 bits, rounded to nearest even: the upper half of x's bits after adding
/// 0x7fff plus the lowest bit kept (a carry into the exponent is the right result, up to
/// infinity). A NaN keeps its upper bits with the quiet bit set (VCVTNEPS2BF16's result).
constexpr std::uint16_t bfloat16_bits(float x) noexcept {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  return static_cast<std::uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/// float -> binary16 bits, rounded to nearest even, with integer operations only.
/// - NaN: quiet, sign and the upper 10 fraction bits kept (VCVTPS2PH's result).
/// - |x| >= 65520 (the midpoint above the largest finite value, 65504): infinity.
/// - normal results: the exponent rebiased (127 -> 15) and 13 fraction bits rounded off, a carry
///   moving into the exponent as it should.
/// - below 2^-14: the subnormal multiple of 2^-24, the 24-bit significand shifted right by
///   126 - e (14 to 24 places), rounded on the bits shifted out.
constexpr std::uint16_t float16_bits(float x) noexcept {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const std::uint32_t a = u & 0x7fffffffu;
  std::uint32_t r;
  if (a > 0x7f800000u) {
    r = 0x7e00u | ((a >> 13) & 0x3ffu);
  } else if (a >= 0x477ff000u) {
    r = 0x7c00u;
  } else if (a >= 0x38800000u) {
    const std::uint32_t n = a - 0x38000000u;
    r = (n + 0xfffu + ((n >> 13) & 1u)) >> 13;
  } else if (a <= 0x33000000u) {  // at most 2^-25, the midpoint between 0 and 2^-24
    r = 0;
  } else {
    const std::uint32_t shift = 126u - (a >> 23);
    const std::uint32_t m = (a & 0x7fffffu) | 0x800000u;
    const std::uint32_t q = m >> shift, rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    r = q + (rest > half || (rest == half && (q & 1u)) ? 1u : 0u);
  }
  return static_cast<std::uint16_t>(sign | r);
}

/// binary16 bits -> float, exactly; a NaN comes out quiet (as VCVTPH2PS gives it).
constexpr float float16_value(std::uint16_t h) noexcept {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 31)
    return std::bit_cast<float>(sign | 0x7f800000u | (m != 0 ? 0x400000u : 0u) | (m << 13));
  if (e == 0) {  // zero or subnormal: m 2^-24, exact in float
    const float v = static_cast<float>(m) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<std::uint32_t>(v));
  }
  return std::bit_cast<float>(sign | ((e + 112u) << 23) | (m << 13));
}

}  // namespace detail

/// bfloat16: the upper 16 bits of an IEEE binary32 (see the file comment).
struct bfloat16 {
  std::uint16_t bits;

  bfloat16() = default;
  /// x rounded to nearest even.
  constexpr explicit bfloat16(float x) noexcept : bits(detail::bfloat16_bits(x)) {}
  /// The value, exactly.
  constexpr explicit operator float() const noexcept {
    return std::bit_cast<float>(std::uint32_t(bits) << 16);
  }
  static constexpr bfloat16 from_bits(std::uint16_t b) noexcept {
    return std::bit_cast<bfloat16>(b);
  }
  friend constexpr bool operator==(bfloat16, bfloat16) = default;  // the same bits
};

/// float16: IEEE binary16 (see the file comment).
struct float16 {
  std::uint16_t bits;

  float16() = default;
  /// x rounded to nearest even.
  constexpr explicit float16(float x) noexcept : bits(detail::float16_bits(x)) {}
  /// The value, exactly.
  constexpr explicit operator float() const noexcept { return detail::float16_value(bits); }
  static constexpr float16 from_bits(std::uint16_t b) noexcept {
    return std::bit_cast<float16>(b);
  }
  friend constexpr bool operator==(float16, float16) = default;  // the same bits
};

static_assert(sizeof(bfloat16) == 2 && alignof(bfloat16) == 2 &&
              std::is_trivially_copyable_v<bfloat16> && std::is_standard_layout_v<bfloat16>);
static_assert(sizeof(float16) == 2 && alignof(float16) == 2 &&
              std::is_trivially_copyable_v<float16> && std::is_standard_layout_v<float16>);

/// The storage type a buffer element stands for: bfloat16 and float16 themselves, and C++23's
/// std::bfloat16_t / std::float16_t where the compiler has them; void for anything else.
template <class T>
struct storage_of {
  using type = void;
};
template <>
struct storage_of<bfloat16> {
  using type = bfloat16;
};
template <>
struct storage_of<float16> {
  using type = float16;
};
#if defined(__STDCPP_BFLOAT16_T__)
template <>
struct storage_of<std::bfloat16_t> {
  using type = bfloat16;
};
#endif
#if defined(__STDCPP_FLOAT16_T__)
template <>
struct storage_of<std::float16_t> {
  using type = float16;
};
#endif

/// A half-width storage type the span algorithms accept (computing in float).
template <class T>
concept storage_scalar = !std::is_void_v<typename storage_of<std::remove_cv_t<T>>::type>;

namespace detail {

/// The type a buffer element is computed in: float for the storage types, itself otherwise.
template <class T>
struct compute_of {
  using type = T;
};
template <storage_scalar T>
struct compute_of<T> {
  using type = float;
};
template <class T>
using compute_t = typename compute_of<std::remove_cv_t<T>>::type;

/// The element of a buffer as actfn's own storage type (C++23's types share its bits).
template <class T>
using storage_t = typename storage_of<std::remove_cv_t<T>>::type;

template <class A>
inline constexpr bool is_avx512 = std::is_base_of_v<xsimd::avx512f, A>;
template <class A>
inline constexpr bool is_avx = std::is_base_of_v<xsimd::avx, A> && !is_avx512<A>;
template <class A>
inline constexpr bool is_sse = std::is_base_of_v<xsimd::sse2, A> && !is_avx<A> && !is_avx512<A>;

/// The W 16-bit values at p, zero-extended into the 32-bit lanes of an integer batch.
template <class A>
xsimd::batch<std::int32_t, A> load_u16(const void* p) noexcept {
  using I = xsimd::batch<std::int32_t, A>;
#if defined(__AVX512F__)
  if constexpr (is_avx512<A>) {
    return _mm512_cvtepu16_epi32(_mm256_loadu_si256(static_cast<const __m256i*>(p)));
  }
#endif
#if defined(__AVX2__)
  if constexpr (is_avx<A>) {
    return _mm256_cvtepu16_epi32(_mm_loadu_si128(static_cast<const __m128i*>(p)));
  }
#endif
#if defined(__SSE2__)
  if constexpr (is_sse<A>) {
    return _mm_unpacklo_epi16(_mm_loadl_epi64(static_cast<const __m128i*>(p)), _mm_setzero_si128());
  }
#endif
  std::array<std::uint16_t, I::size> h;
  std::memcpy(h.data(), p, sizeof(h));
  alignas(sizeof(I)) std::array<std::int32_t, I::size> v;
  for (std::size_t i = 0; i < I::size; ++i) v[i] = h[i];
  return I::load_aligned(v.data());
}

/// The low 16 bits of each 32-bit lane of v, stored as W consecutive 16-bit values at p.
/// Stream: with non-temporal stores (p then aligned to the stored width, as the span loop's
/// stores are).
template <bool Stream = false, class A>
void store_u16(xsimd::batch<std::int32_t, A> v, void* p) noexcept {
  using I = xsimd::batch<std::int32_t, A>;
#if defined(__AVX512F__)
  if constexpr (is_avx512<A>) {
    const __m256i h = _mm512_cvtepi32_epi16(v);  // VPMOVDW: truncates each lane
    if constexpr (Stream) _mm256_stream_si256(static_cast<__m256i*>(p), h);
    else _mm256_storeu_si256(static_cast<__m256i*>(p), h);
    return;
  }
#endif
#if defined(__AVX2__)
  if constexpr (is_avx<A>) {
    // Lanes sign-extended from their low 16 bits, so that the signed saturating pack is exact.
    const __m256i s = _mm256_srai_epi32(_mm256_slli_epi32(v, 16), 16);
    const __m128i h = _mm_packs_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    if constexpr (Stream) _mm_stream_si128(static_cast<__m128i*>(p), h);
    else _mm_storeu_si128(static_cast<__m128i*>(p), h);
    return;
  }
#endif
#if defined(__SSE2__)
  if constexpr (is_sse<A>) {
    const __m128i s = _mm_srai_epi32(_mm_slli_epi32(v, 16), 16);
    _mm_storel_epi64(static_cast<__m128i*>(p), _mm_packs_epi32(s, s));
    return;
  }
#endif
  alignas(sizeof(I)) std::array<std::int32_t, I::size> lanes;
  v.store_aligned(lanes.data());
  std::array<std::uint16_t, I::size> h;
  for (std::size_t i = 0; i < I::size; ++i) h[i] = static_cast<std::uint16_t>(lanes[i]);
  std::memcpy(p, h.data(), sizeof(h));
}

/// bfloat16 bits (zero-extended in 32-bit lanes) to float: shifted into the upper half.
template <class A>
xsimd::batch<float, A> widen_bfloat16(xsimd::batch<std::int32_t, A> h) noexcept {
  return xsimd::bitwise_cast<xsimd::batch<float, A>>(h << 16);
}

/// binary16 bits to float with integer operations (and one exact multiplication): the
/// exponent and fraction moved into place, (h & 0x7fff) << 13 read as a float is the value
/// times 2^-112 for normal and subnormal inputs alike, so a multiplication by 2^112 (exact)
/// finishes them; infinities and NaN (exponent 31) get float's all-ones exponent, NaN the
/// quiet bit.
/// The selections are made on float batches: xsimd 8.1's select of 32-bit integer batches on
/// AVX-512BW does not compile without optimisation (the sanitizer build).
template <class A>
xsimd::batch<float, A> widen_float16(xsimd::batch<std::int32_t, A> h) noexcept {
  using I = xsimd::batch<std::int32_t, A>;
  using F = xsimd::batch<float, A>;
  const I magnitude = h & I(0x7fff);
  const I sign = (h & I(0x8000)) << 16;
  // Exponent 31 comes out as 2^16 (infinity) or more (NaN).
  const F finite = xsimd::bitwise_cast<F>(magnitude << 13) * F(0x1p112f);
  const F inf_or_nan = xsimd::bitwise_cast<F>(I(0x7f800000) | (magnitude << 13));
  const F quiet = xsimd::bitwise_cast<F>(I(0x7fc00000) | (magnitude << 13));
  F v = xsimd::select(finite >= F(0x1p16f), inf_or_nan, finite);
  v = xsimd::select(finite > F(0x1p16f), quiet, v);
  return xsimd::bitwise_cast<F>(xsimd::bitwise_cast<I>(v) | sign);
}

/// float to bfloat16 bits in 32-bit lanes, as bfloat16_bits.
template <class A>
xsimd::batch<std::int32_t, A> narrow_bfloat16(xsimd::batch<float, A> x) noexcept {
  using I = xsimd::batch<std::int32_t, A>;
  const I u = xsimd::bitwise_cast<I>(x);
  using F = xsimd::batch<float, A>;
  const I nan = (u >> 16) | I(0x40);
  const I rounded = (u + I(0x7fff) + ((u >> 16) & I(1))) >> 16;  // only the low 16 bits kept
  return xsimd::bitwise_cast<I>(xsimd::select(xsimd::isnan(x), xsimd::bitwise_cast<F>(nan),
                                              xsimd::bitwise_cast<F>(rounded)));
}

/// float to binary16 bits in 32-bit lanes, as float16_bits, with the subnormal results rounded
/// by one float addition: |x| + 1/2 (for |x| < 2^-14) puts the multiple of 2^-24 nearest to |x|,
/// ties to even, in the low bits of the sum's significand (round to nearest is the default
/// mode; a subnormal x that flush-to-zero would drop rounds to 0 anyway).
template <class A>
xsimd::batch<std::int32_t, A> narrow_float16(xsimd::batch<float, A> x) noexcept {
  using I = xsimd::batch<std::int32_t, A>;
  using F = xsimd::batch<float, A>;
  const I u = xsimd::bitwise_cast<I>(x);
  const I a = u & I(0x7fffffff);
  const I sign = (u >> 16) & I(0x8000);
  const I n = a - I(0x38000000);
  const I normal = (n + I(0xfff) + ((n >> 13) & I(1))) >> 13;
  const F ax = xsimd::bitwise_cast<F>(a);
  const I small = xsimd::bitwise_cast<I>(ax + F(0.5f)) - I(0x3f000000);
  const auto as_float = [](I v) { return xsimd::bitwise_cast<F>(v); };
  // Selections on float batches (see widen_float16), on |x|: below 2^-14 (0x38800000), from
  // 65520 on (0x477ff000), NaN.
  F r = xsimd::select(ax < F(0x1p-14f), as_float(small), as_float(normal));
  r = xsimd::select(ax >= F(65520.0f), as_float(I(0x7c00)), r);
  r = xsimd::select(xsimd::isnan(x), as_float(I(0x7e00) | ((a >> 13) & I(0x3ff))), r);
  return xsimd::bitwise_cast<I>(r) | sign;
}

}  // namespace detail

/// The float batch of W values of storage type S at p (S: bfloat16 or float16, or a C++23
/// type of the same bits), widened exactly.
template <class Arch, class S>
  requires storage_scalar<S>
xsimd::batch<float, Arch> load_widen(const S* p) noexcept {
  using H = detail::storage_t<S>;
  if constexpr (std::is_same_v<H, float16>) {
#if defined(__AVX512F__)
    if constexpr (detail::is_avx512<Arch>)
      return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
#endif
#if defined(__F16C__)
    if constexpr (detail::is_avx<Arch>)
      return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if constexpr (detail::is_sse<Arch>)
      return _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
#endif
    return detail::widen_float16(detail::load_u16<Arch>(p));
  } else {
    return detail::widen_bfloat16(detail::load_u16<Arch>(p));
  }
}

/// x rounded to storage type S (nearest even) and stored as W consecutive values at p.
/// Stream: with non-temporal stores (p aligned to the W values' width).
template <bool Stream = false, class Arch, class S>
  requires storage_scalar<S>
void narrow_store(xsimd::batch<float, Arch> x, S* p) noexcept {
  using H = detail::storage_t<S>;
  if constexpr (std::is_same_v<H, float16>) {
#if defined(__AVX512F__)
    if constexpr (detail::is_avx512<Arch>) {
      const __m256i h = _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      if constexpr (Stream) _mm256_stream_si256(reinterpret_cast<__m256i*>(p), h);
      else _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), h);
      return;
    }
#endif
#if defined(__F16C__)
    if constexpr (detail::is_avx<Arch>) {
      const __m128i h = _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      if constexpr (Stream) _mm_stream_si128(reinterpret_cast<__m128i*>(p), h);
      else _mm_storeu_si128(reinterpret_cast<__m128i*>(p), h);
      return;
    }
    if constexpr (detail::is_sse<Arch>) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p),
                       _mm_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      return;
    }
#endif
    detail::store_u16<Stream>(detail::narrow_float16(x), p);
  } else {
#if defined(__AVX512BF16__)
    if constexpr (detail::is_avx512<Arch>) {
      // VCVTNEPS2BF16 rounds to nearest even and quiets NaN as bfloat16_bits does, but treats
      // subnormal inputs as zero: lanes holding one (rare) take the integer rounding instead.
      __m256i h = std::bit_cast<__m256i>(_mm512_cvtneps_pbh(x));
      const __mmask16 sub = _mm512_fpclass_ps_mask(x, 0x20);  // VFPCLASSPS: denormal
      if (sub != 0) [[unlikely]]
        h = _mm256_mask_mov_epi16(h, sub, _mm512_cvtepi32_epi16(detail::narrow_bfloat16(x)));
      if constexpr (Stream) _mm256_stream_si256(reinterpret_cast<__m256i*>(p), h);
      else _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), h);
      return;
    }
#endif
    detail::store_u16<Stream>(detail::narrow_bfloat16(x), p);
  }
}

/// load_widen of the first `count` (< W) values at p, the other lanes 0; nothing past them is
/// read.
template <class Arch, class S>
  requires storage_scalar<S>
xsimd::batch<float, Arch> load_widen_partial(const S* p, std::size_t count) noexcept {
  std::array<S, xsimd::batch<float, Arch>::size> buf{};
  std::memcpy(buf.data(), p, count * sizeof(S));
  return load_widen<Arch>(buf.data());
}

/// narrow_store of the first `count` (< W) lanes of x; nothing past them is written.
template <class Arch, class S>
  requires storage_scalar<S>
void narrow_store_partial(xsimd::batch<float, Arch> x, S* p, std::size_t count) noexcept {
  std::array<S, xsimd::batch<float, Arch>::size> buf;
  narrow_store(x, buf.data());
  std::memcpy(p, buf.data(), count * sizeof(S));
}

}  // namespace actfn
