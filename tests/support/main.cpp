// Catch2's main for every actfn test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
