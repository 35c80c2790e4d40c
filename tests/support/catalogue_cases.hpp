// Test cases over every function of actfn::catalogue, named by function.
//
//   ACTFN_CATALOGUE_TEST_CASE("title", "[tags]") { ... TestType ... }
//
// registers, for each function F of the catalogue, the Catch test case "<F::name>: title" with
// the tags given plus "[<F::name>]", whose body runs with TestType = F (as Catch's
// TEMPLATE_LIST_TEST_CASE, whose cases are named by index instead). ctest registers every
// Catch case under its name, so `ctest -R sigmoid` selects sigmoid's cases.
//
// A source compiled with -DACTFN_CHUNK=k -DACTFN_CHUNKS=n registers only the functions at
// catalogue positions i with i % n == k, and instantiates no others: the build compiles one
// large test source as n smaller translation units (tests/CMakeLists.txt, CHUNKS).
#pragma once

#include <actfn/catalogue.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <deque>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#ifndef ACTFN_CHUNKS
#define ACTFN_CHUNKS 1
#define ACTFN_CHUNK 0
#endif
static_assert(ACTFN_CHUNKS > 0 && ACTFN_CHUNK >= 0 && ACTFN_CHUNK < ACTFN_CHUNKS,
              "ACTFN_CHUNK must be in [0, ACTFN_CHUNKS)");

namespace actfn_test {

/// Registers body(std::type_identity<F>{}) as "<F::name>: title" for the F of this chunk.
template <class Body>
bool register_catalogue_cases(const char* file, std::size_t line, const char* title,
                              const char* tags, Body) {
  static std::deque<std::string> strings;  // the names and tags outlive the registration
  using list = actfn::catalogue;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          if constexpr (I % ACTFN_CHUNKS == ACTFN_CHUNK) {
            using F = std::tuple_element_t<I, list>;
            void (*run)() = [] { Body{}(std::type_identity<F>{}); };
            const std::string& name = strings.emplace_back(std::string(F::name) + ": " + title);
            const std::string& all_tags =
                strings.emplace_back(std::string(tags) + "[" + std::string(F::name) + "]");
            Catch::AutoReg(Catch::makeTestInvoker(run), Catch::SourceLineInfo(file, line),
                           Catch::StringRef(), Catch::NameAndTags(name, all_tags));
          }
        }(),
        ...);
  }(std::make_index_sequence<std::tuple_size_v<list>>{});
  return true;
}

}  // namespace actfn_test

#define ACTFN_CATALOGUE_TEST_CASE_IMPL(fn, title, tags)                                        \
  template <class TestType>                                                                    \
  static void fn();                                                                            \
  static const bool INTERNAL_CATCH_UNIQUE_NAME(actfn_catalogue_registered_) =                 \
      actfn_test::register_catalogue_cases(__FILE__, __LINE__, title, tags,                    \
                                           []<class F>(std::type_identity<F>) { fn<F>(); });   \
  template <class TestType>                                                                    \
  static void fn()

#define ACTFN_CATALOGUE_TEST_CASE(title, tags) \
  ACTFN_CATALOGUE_TEST_CASE_IMPL(INTERNAL_CATCH_UNIQUE_NAME(actfn_catalogue_case_), title, tags)
