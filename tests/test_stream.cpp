// Outputs larger than detail::stream_bytes: the span algorithms write them with non-temporal
// stores in the backward passes and, for the memory-bound functions, in forward too
// (actfn/core/span.hpp; sigmoid here is one that streams in backward only, through the
// interleaved loop). The results must be the bits
// the same algorithms give below the threshold (where test_properties.cpp holds them to the
// scalar loop), with nothing outside the spans written, at an aligned and a misaligned start,
// out of place and in place. The reference is computed in chunks below the threshold (a
// result does not depend on where its element sits) and compared with memcmp, which keeps the
// test to seconds under the sanitizers at -O0.
#include <actfn/catalogue.hpp>
#include <actfn/core/span.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "support/inputs.hpp"

using namespace actfn_test;

TEMPLATE_TEST_CASE("outputs past stream_bytes equal the chunked results below it", "[span][stream]",
                   actfn::relu, actfn::leaky_relu, actfn::softshrink, actfn::hardswish,
                   actfn::sigmoid) {
  STATIC_REQUIRE(actfn::detail::streams<TestType, 2>);
  STATIC_REQUIRE(actfn::detail::streams<TestType> == !std::is_same_v<TestType, actfn::sigmoid>);
  const TestType f{};
  auto check = [&](auto zero, std::size_t offset) {
    using T = decltype(zero);
    constexpr std::size_t W = xsimd::batch<T>::size;
    const std::size_t n = actfn::detail::stream_bytes / sizeof(T) + 2 * W + 3;
    const std::size_t chunk = (std::size_t{1} << 20) / sizeof(T);  // 1 MiB of output: no streaming
    REQUIRE(n * sizeof(T) > actfn::detail::stream_bytes);
    INFO(TestType::name << ": n = " << n << ", offset = " << offset << ", sizeof(T) = " << sizeof(T));
    const T guard = T(-12345.25);
    std::vector<T> x(offset + n + W, guard), dy(x.size(), guard), out(x.size(), guard), ref(n);
    const auto values = random_inputs<T>(4099, T(-8), T(8), 11);
    const auto grads = random_inputs<T>(4091, T(-2), T(2), 12);
    for (std::size_t i = 0; i < n; ++i) {
      x[offset + i] = values[i % values.size()];
      dy[offset + i] = grads[i % grads.size()];
    }
    const std::span<const T> xs(x.data() + offset, n), dys(dy.data() + offset, n);
    const std::span<T> outs(out.data() + offset, n), refs(ref);
    auto in_chunks = [&](auto pass) {
      for (std::size_t k = 0; k < n; k += chunk) pass(k, std::min(chunk, n - k));
    };
    auto same = [&] { return std::memcmp(outs.data(), ref.data(), n * sizeof(T)) == 0; };
    auto guards_intact = [&] {
      return std::all_of(out.begin(), out.begin() + offset, [&](T v) { return v == guard; }) &&
             std::all_of(out.begin() + offset + n, out.end(), [&](T v) { return v == guard; });
    };

    if constexpr (actfn::detail::streams<TestType>) {
      in_chunks([&](std::size_t k, std::size_t m) { actfn::forward(f, xs.subspan(k, m), refs.subspan(k, m)); });
      actfn::forward(f, xs, outs);
      CHECK(same());
      CHECK(guards_intact());
      std::copy(xs.begin(), xs.end(), outs.begin());
      actfn::forward(f, outs, outs);  // in place
      CHECK(same());
      CHECK(guards_intact());
    }

    in_chunks([&](std::size_t k, std::size_t m) {
      actfn::backward(f, xs.subspan(k, m), dys.subspan(k, m), refs.subspan(k, m));
    });
    actfn::backward(f, xs, dys, outs);
    CHECK(same());
    CHECK(guards_intact());
  };
  // A misaligned start in float, an aligned one in double: each case moves 2 x 32 MiB three
  // times, and under the sanitizers at -O0 that takes seconds.
  check(0.0f, 1);
  check(0.0, 0);
}
