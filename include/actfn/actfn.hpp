// SPDX-License-Identifier: MIT
// actfn: neural-network activation functions, forward and backward, over scalars, xsimd
// batches and spans. One include gives everything.
#pragma once

#include "actfn/catalogue.hpp"
#include "actfn/core/fast.hpp"
#include "actfn/core/half.hpp"
#include "actfn/core/span.hpp"
#include "actfn/rowwise/maxout.hpp"
#include "actfn/rowwise/prelu.hpp"
#include "actfn/rowwise/rrelu.hpp"
#include "actfn/rowwise/softmax.hpp"
#include "actfn/rowwise/swish.hpp"
