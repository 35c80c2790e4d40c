// Outputs larger than detail::stream_bytes: the span algorithms write them with non-temporal
// stores for the memory-bound functions (actfn/core/span.hpp). The results must still be the
// scalar loop's, bit for bit, with nothing outside the spans written, at an aligned and a
// misaligned start, out of place and in place.
#include <actfn/catalogue.hpp>
#include <actfn/core/span.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <span>
#include <vector>

#include "support/inputs.hpp"
#include "support/ulp.hpp"

using namespace actfn_test;

TEMPLATE_TEST_CASE("outputs past stream_bytes equal the scalar loop", "[span][stream]", actfn::relu,
                   actfn::leaky_relu, actfn::softshrink, actfn::hardswish) {
  STATIC_REQUIRE(actfn::detail::streams<TestType>);
  const TestType f{};
  auto check = [&](auto zero, std::size_t offset) {
    using T = decltype(zero);
    constexpr std::size_t W = xsimd::batch<T>::size;
    const std::size_t n = actfn::detail::stream_bytes / sizeof(T) + 2 * W + 3;
    INFO(TestType::name << ": n = " << n << ", offset = " << offset << ", sizeof(T) = " << sizeof(T));
    const T guard = T(-12345.25);
    std::vector<T> x(offset + n + W, guard), dy(x.size(), guard), out(x.size(), guard);
    const auto values = random_inputs<T>(4099, T(-8), T(8), 11);
    const auto grads = random_inputs<T>(4091, T(-2), T(2), 12);
    for (std::size_t i = 0; i < n; ++i) {
      x[offset + i] = values[i % values.size()];
      dy[offset + i] = grads[i % grads.size()];
    }
    const std::span<const T> xs(x.data() + offset, n), dys(dy.data() + offset, n);
    const std::span<T> outs(out.data() + offset, n);
    // One failure report per pass, not millions.
    auto first_mismatch = [&](auto expected) {
      for (std::size_t i = 0; i < n; ++i)
        if (!same_bits(outs[i], expected(i))) return i;
      return n;
    };
    auto guards_intact = [&] {
      for (std::size_t i = 0; i < offset; ++i)
        if (out[i] != guard) return false;
      for (std::size_t i = offset + n; i < out.size(); ++i)
        if (out[i] != guard) return false;
      return true;
    };

    actfn::forward(f, xs, outs);
    CHECK(first_mismatch([&](std::size_t i) { return f(xs[i]); }) == n);
    CHECK(guards_intact());

    actfn::backward(f, xs, dys, outs);
    CHECK(first_mismatch([&](std::size_t i) { return T(dys[i] * f.derivative(xs[i])); }) == n);
    CHECK(guards_intact());

    std::copy(xs.begin(), xs.end(), outs.begin());
    actfn::forward(f, outs, outs);  // in place
    CHECK(first_mismatch([&](std::size_t i) { return f(xs[i]); }) == n);
    CHECK(guards_intact());
  };
  for (const std::size_t offset : {0, 1}) {
    check(0.0f, offset);
    check(0.0, offset);
  }
}
