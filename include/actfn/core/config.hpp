// actfn: neural-network activation functions for scalars, xsimd batches and spans.
// SPDX-License-Identifier: MIT
#pragma once

#include <xsimd/xsimd.hpp>

#define ACTFN_VERSION_MAJOR 0
#define ACTFN_VERSION_MINOR 1
#define ACTFN_VERSION_PATCH 0

static_assert(XSIMD_VERSION_MAJOR >= 8, "actfn needs xsimd 8.1 or newer");

#include "actfn/core/multi.hpp"  // after xsimd: it overloads xsimd's functions for multi
