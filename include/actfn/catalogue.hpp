// SPDX-License-Identifier: MIT
// The catalogue: every elementwise activation, as one type list. Tests and benchmarks iterate
// it, so adding a function means its header, one entry here, and its test file.
#pragma once

#include <tuple>

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

using catalogue = std::tuple<                        //
    sigmoid, log_sigmoid, hardsigmoid,               // fn/sigmoid.hpp
    tanh, softsign, hardtanh,                        // fn/tanh.hpp
    relu, relu6, leaky_relu, prelu, rrelu, threshold,  // fn/relu.hpp
    swish, silu, hardswish,                          // fn/swish.hpp
    softplus,                                        // fn/softplus.hpp
    elu, selu, celu,                                 // fn/elu.hpp
    gelu, gelu_tanh,                                 // fn/gelu.hpp
    mish,                                            // fn/mish.hpp
    hardshrink, softshrink, tanhshrink>;             // fn/shrink.hpp

}  // namespace actfn
