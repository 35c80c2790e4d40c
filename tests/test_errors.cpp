// Bad arguments to the span algorithms: clear std::invalid_argument messages naming the
// arguments and their sizes, nothing written; in place and empty spans are fine.
#include <actfn/catalogue.hpp>
#include <actfn/core/span.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "support/catalogue_cases.hpp"

using Catch::Matchers::Contains;

TEST_CASE("spans of different sizes are refused with both sizes in the message", "[errors]") {
  const actfn::sigmoid f;
  std::vector<float> x(10, 1.0f), y(12, -7.0f), dy(10, 1.0f), dx(9, -7.0f);
  REQUIRE_THROWS_AS(actfn::forward(f, x, y), std::invalid_argument);
  REQUIRE_THROWS_WITH(actfn::forward(f, x, y),
                      Contains("forward") && Contains("x has 10 elements") && Contains("y has 12"));
  REQUIRE_THROWS_WITH(actfn::derivative(f, x, y), Contains("derivative") && Contains("dydx has 12"));
  REQUIRE_THROWS_WITH(actfn::backward(f, x, dy, dx), Contains("backward") && Contains("dx has 9"));
  REQUIRE_THROWS_WITH(actfn::backward(f, x, y, dy), Contains("dy has 12"));
  REQUIRE_THROWS_WITH(actfn::backward_from_output(f, x, dy, dx),
                      Contains("backward_from_output") && Contains("y has 10") && Contains("dx has 9"));
  for (const float v : y) CHECK(v == -7.0f);  // nothing was written
  for (const float v : dx) CHECK(v == -7.0f);
}

TEST_CASE("partly overlapping input and output are refused; identical ones are in place", "[errors]") {
  const actfn::tanh f;
  std::vector<double> buf(64, 0.5);
  const std::span<const double> x(buf.data(), 32);
  const std::span<double> shifted(buf.data() + 1, 32);
  REQUIRE_THROWS_WITH(actfn::forward(f, x, shifted), Contains("partly overlap") && Contains("x (32 elements)"));
  REQUIRE_THROWS_WITH(actfn::backward(f, x, std::span<const double>(buf.data() + 32, 32), shifted),
                      Contains("partly overlap"));
  const std::vector<double> elsewhere(32, 0.25);
  REQUIRE_THROWS_WITH(actfn::backward(f, elsewhere, x, shifted),
                      Contains("dy (32 elements)") && Contains("dx (32 elements)"));
  // Adjacent (touching, not overlapping) spans are fine.
  REQUIRE_NOTHROW(actfn::forward(f, x, std::span<double>(buf.data() + 32, 32)));
  REQUIRE_NOTHROW(actfn::forward(f, x, std::span<double>(buf.data(), 32)));
}

TEST_CASE("spans not aligned to their element type are refused, naming the span", "[errors]") {
  // Only a cast makes such a pointer; the span algorithms refuse it rather than read it.
  alignas(16) std::uint8_t bytes[16 * sizeof(float) + 1] = {};
  const std::span<float> odd(reinterpret_cast<float*>(bytes + 1), 16);
  std::vector<float> x(16, 0.5f), y(16, -7.0f);
  REQUIRE_THROWS_WITH(actfn::forward(actfn::relu{}, x, odd),
                      Contains("forward") && Contains("y starts at address") &&
                          Contains("not a multiple of 4"));
  REQUIRE_THROWS_WITH(actfn::backward(actfn::relu{}, odd, x, y), Contains("x starts at address"));
  REQUIRE_THROWS_WITH(actfn::softmax(x, odd, 4), Contains("softmax") && Contains("y starts"));
  for (const float v : y) CHECK(v == -7.0f);  // nothing was written
}

TEST_CASE("empty spans are fine", "[errors]") {
  std::vector<float> none;
  REQUIRE_NOTHROW(actfn::forward(actfn::gelu{}, none, none));
  REQUIRE_NOTHROW(actfn::backward(actfn::elu{}, none, none, none));
  REQUIRE_NOTHROW(actfn::backward_from_output(actfn::sigmoid{}, none, none, none));
}

TEST_CASE("backward_from_output refuses parameters for which y does not determine f'", "[errors]") {
  std::vector<float> y(5, 0.5f), dy(5, 1.0f), dx(5, -3.0f);
  REQUIRE_THROWS_WITH(actfn::backward_from_output(actfn::leaky_relu(-0.5), y, dy, dx),
                      Contains("negative_slope") && Contains("-0.5"));
  REQUIRE_THROWS_WITH(actfn::backward_from_output(actfn::elu(-1.0), y, dy, dx), Contains("alpha") && Contains("-1"));
  REQUIRE_THROWS_WITH(actfn::backward_from_output(actfn::threshold(0.0, 2.0), y, dy, dx),
                      Contains("value <= threshold"));
  for (const float v : dx) CHECK(v == -3.0f);
}

ACTFN_CATALOGUE_TEST_CASE("parameters that are NaN or infinite are refused", "[errors]") {
  // Every parameterised functor validates on construction; the default one must be valid.
  REQUIRE_NOTHROW(TestType{});
  if constexpr (std::is_constructible_v<TestType, double>) {
    REQUIRE_THROWS_WITH(TestType(std::numeric_limits<double>::quiet_NaN()),
                        Contains(std::string(TestType::name)) && Contains("finite"));
    REQUIRE_THROWS_WITH(TestType(std::numeric_limits<double>::infinity()), Contains("inf"));
  }
  if constexpr (std::is_constructible_v<TestType, double, double>) {
    REQUIRE_THROWS_WITH(TestType(0.5, std::numeric_limits<double>::quiet_NaN()), Contains("finite"));
    REQUIRE_THROWS_WITH(TestType(std::numeric_limits<double>::infinity(), 1.0), Contains("finite"));
  }
}
