// SPDX-License-Identifier: MIT
// The catalogue: every elementwise activation, grouped in families. The tests, the accuracy
// sweep, the plots and the benchmarks iterate over it, so a new function is one entry here
// (see CONTRIBUTING.md, "Adding a function", for the whole checklist).
#pragma once

#include <string_view>
#include <tuple>
#include <utility>

#include "actfn/fn/elu.hpp"
#include "actfn/fn/gelu.hpp"
#include "actfn/fn/mish.hpp"
#include "actfn/fn/relu.hpp"
#include "actfn/fn/shrink.hpp"
#include "actfn/fn/sigmoid.hpp"
#include "actfn/fn/softplus.hpp"
#include "actfn/fn/swish.hpp"
#include "actfn/fn/tanh.hpp"

namespace actfn {

/// Functions of a similar shape, drawn together (docs/functions.md: one image per family).
/// `id` names the image, `title` heads it; `functions` is the family's part of the catalogue.
namespace families {

struct sigmoid {
  static constexpr std::string_view id = "sigmoid", title = "Sigmoid family";
  using functions = std::tuple<actfn::sigmoid, log_sigmoid, hardsigmoid>;
};
struct tanh {
  static constexpr std::string_view id = "tanh", title = "Tanh family";
  using functions = std::tuple<actfn::tanh, softsign, hardtanh>;
};
struct relu {
  static constexpr std::string_view id = "relu", title = "ReLU family";
  using functions = std::tuple<actfn::relu, relu6, leaky_relu, prelu, rrelu, threshold>;
};
struct smooth_relu {
  static constexpr std::string_view id = "smooth-relu", title = "Smooth ReLU-likes";
  using functions = std::tuple<swish, silu, hardswish, softplus, elu, selu, celu, gelu,
                               gelu_tanh, mish>;
};
struct shrink {
  static constexpr std::string_view id = "shrink", title = "Shrink functions";
  using functions = std::tuple<hardshrink, softshrink, tanhshrink>;
};

using all = std::tuple<sigmoid, tanh, relu, smooth_relu, shrink>;

}  // namespace families

namespace detail {
template <class Families>
struct concat_functions;
template <class... Family>
struct concat_functions<std::tuple<Family...>> {
  using type = decltype(std::tuple_cat(std::declval<typename Family::functions>()...));
};
}  // namespace detail

/// Every elementwise function, family by family, as one type list.
using catalogue = typename detail::concat_functions<families::all>::type;

}  // namespace actfn
