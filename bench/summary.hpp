// SPDX-License-Identifier: MIT
// The summary table printed after a benchmark run (see actfn_bench.cpp for what is measured).
//
// summary_reporter wraps the display reporter that --benchmark_format chose: every result goes
// on to it unchanged (so the usual console/JSON/CSV output and --benchmark_out still work) and is
// also recorded here. print() then writes a Markdown table, padded so that it also reads well in
// a terminal. Whatever a --benchmark_filter left out, or a run that failed, shows as "n/a".
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace actfn_bench {

enum class impl { actfn, naive, memcpy };
enum class pass { forward, backward };

/// What one registered benchmark measures; memcpy rows leave function and direction unset.
struct case_id {
  std::size_t function_index = 0;  // position in actfn::catalogue (for the row order)
  std::string function;
  pass direction = pass::forward;
  bool is_double = false;
  std::size_t size = 0;  // elements
  impl kind = impl::actfn;
};

class summary_reporter : public benchmark::BenchmarkReporter {
 public:
  /// display: the reporter that prints as usual (benchmark::CreateDefaultDisplayReporter());
  /// cases: every registered benchmark's name and what it measures.
  summary_reporter(benchmark::BenchmarkReporter* display, std::map<std::string, case_id> cases)
      : display_(display), cases_(std::move(cases)) {}

  bool ReportContext(const Context& context) override { return display_->ReportContext(context); }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) record(run);
    display_->ReportRuns(runs);
  }

  void Finalize() override { display_->Finalize(); }

  /// Where the summary goes: stdout under the console format, stderr when stdout carries JSON
  /// or CSV (so that output stays machine-readable).
  std::ostream& summary_stream() const {
    return dynamic_cast<benchmark::ConsoleReporter*>(display_) != nullptr ? std::cout : std::cerr;
  }

  /// Writes the summary of everything that ran (nothing when nothing ran).
  void print(std::ostream& out) const {
    if (results_.empty()) return;
    table rows = collect();
    out << "\n## actfn vs. a plain std:: loop\n\n"
        << "Gelem/s: 10^9 elements per second; GB/s: 10^9 bytes read + written per second;\n"
           "both from CPU time, higher is better. actfn/naive: how many times faster actfn is\n"
           "than the plain loop a user would write (bench/naive.hpp). actfn/memcpy: actfn's GB/s\n"
           "over memcpy's at the same type and size (1 = as fast as copying the data).\n\n";
    std::ostringstream tables;
    print_rows(tables, rows);
    tables << '\n';
    print_per_size(tables, rows);
    out << tables.str();
    if (tables.str().find("n/a") != std::string::npos)
      out << "\nn/a: a benchmark it needs did not run (left out by --benchmark_filter, or failed).\n";
    if (rows.memcpy.empty())
      out << "memcpy did not run: add |memcpy to --benchmark_filter for the memcpy columns.\n";
    out << std::flush;
  }

 private:
  struct throughput {
    double items_per_s = 0;
    double bytes_per_s = 0;
  };
  /// The samples of one benchmark: one per repetition, and the median aggregate if reported.
  struct samples {
    std::vector<throughput> runs;
    std::optional<throughput> median;
  };
  struct row {
    std::optional<throughput> actfn, naive;
  };
  // (function index, pass, is_double, size) -> row; (is_double, size) -> memcpy.
  using row_key = std::tuple<std::size_t, pass, bool, std::size_t>;
  struct table {
    std::map<row_key, row> rows;
    std::map<std::pair<bool, std::size_t>, throughput> memcpy;
    std::map<std::size_t, std::string> functions;
  };

  void record(const Run& run) {
    if (run.error_occurred) return;
    const auto items = run.counters.find("items_per_second");
    const auto bytes = run.counters.find("bytes_per_second");
    if (items == run.counters.end() || bytes == run.counters.end()) return;
    const throughput t{items->second.value, bytes->second.value};
    samples& s = results_[run.run_name.function_name];
    if (run.run_type == Run::RT_Iteration)
      s.runs.push_back(t);
    else if (run.aggregate_name == "median")
      s.median = t;
  }

  /// The median aggregate if there is one, else the median of the runs (the run, usually).
  static std::optional<throughput> value(const samples& s) {
    if (s.median) return s.median;
    if (s.runs.empty()) return std::nullopt;
    std::vector<throughput> v = s.runs;
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end(), [](const throughput& a, const throughput& b) {
      return a.items_per_s < b.items_per_s;
    });
    return *mid;
  }

  table collect() const {
    table t;
    for (const auto& [name, s] : results_) {
      const auto id = cases_.find(name);
      const auto v = value(s);
      if (id == cases_.end() || !v) continue;
      const case_id& c = id->second;
      if (c.kind == impl::memcpy) {
        t.memcpy[{c.is_double, c.size}] = *v;
        continue;
      }
      row& r = t.rows[{c.function_index, c.direction, c.is_double, c.size}];
      (c.kind == impl::actfn ? r.actfn : r.naive) = *v;
      t.functions[c.function_index] = c.function;
    }
    return t;
  }

  /// a / b, or nothing when either is missing or b is not positive.
  static std::optional<double> ratio(std::optional<double> a, std::optional<double> b) {
    if (!a || !b || !(*b > 0)) return std::nullopt;
    return *a / *b;
  }
  static std::optional<double> gelem(const std::optional<throughput>& t) {
    if (!t) return std::nullopt;
    return t->items_per_s / 1e9;
  }
  static std::optional<double> gbytes(const std::optional<throughput>& t) {
    if (!t) return std::nullopt;
    return t->bytes_per_s / 1e9;
  }
  static std::string number(std::optional<double> v) {
    if (!v) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, *v < 10 ? "%.3f" : *v < 100 ? "%.2f" : "%.1f", *v);
    return buf;
  }
  static std::string size_label(std::size_t n) {
    if (n % (1u << 20) == 0) return std::to_string(n >> 20) + "Mi";
    if (n % (1u << 10) == 0) return std::to_string(n >> 10) + "Ki";
    return std::to_string(n);
  }

  /// A Markdown table with padded columns; right_aligned[i] marks numeric columns.
  static void print_table(std::ostream& out, const std::vector<std::string>& header,
                          const std::vector<bool>& right_aligned,
                          const std::vector<std::vector<std::string>>& body) {
    std::vector<std::size_t> width(header.size(), 3);
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = std::max(width[i], header[i].size());
    for (const auto& cells : body)
      for (std::size_t i = 0; i < cells.size(); ++i) width[i] = std::max(width[i], cells[i].size());
    auto line = [&](const std::vector<std::string>& cells) {
      out << '|';
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string pad(width[i] - cells[i].size(), ' ');
        out << ' ' << (right_aligned[i] ? pad + cells[i] : cells[i] + pad) << " |";
      }
      out << '\n';
    };
    line(header);
    out << '|';
    for (std::size_t i = 0; i < header.size(); ++i)
      out << ' ' << std::string(width[i] - 1, '-') << (right_aligned[i] ? ':' : '-') << " |";
    out << '\n';
    for (const auto& cells : body) line(cells);
  }

  void print_rows(std::ostream& out, const table& t) const {
    std::vector<std::vector<std::string>> body;
    for (const auto& [key, r] : t.rows) {
      const auto& [fi, direction, is_double, size] = key;
      const auto copy = t.memcpy.find({is_double, size});
      const std::optional<double> memcpy_gb =
          copy == t.memcpy.end() ? std::nullopt : std::optional<double>(copy->second.bytes_per_s / 1e9);
      body.push_back({t.functions.at(fi), direction == pass::forward ? "forward" : "backward",
                      is_double ? "f64" : "f32", size_label(size), number(gelem(r.actfn)),
                      number(gelem(r.naive)), number(ratio(gelem(r.actfn), gelem(r.naive))),
                      number(gbytes(r.actfn)), number(ratio(gbytes(r.actfn), memcpy_gb))});
    }
    print_table(out,
                {"function", "pass", "type", "size", "actfn Gelem/s", "naive Gelem/s",
                 "actfn/naive", "actfn GB/s", "actfn/memcpy"},
                {false, false, false, true, true, true, true, true, true}, body);
  }

  /// Per size: the geometric mean of actfn/naive over the rows that have both, and memcpy's GB/s.
  void print_per_size(std::ostream& out, const table& t) const {
    struct logs {
      double sum = 0;
      std::size_t count = 0;
      std::optional<double> geomean() const {
        if (count == 0) return std::nullopt;
        return std::exp(sum / static_cast<double>(count));
      }
    };
    std::map<std::size_t, std::array<logs, 3>> by_size;  // [f32, f64, both]
    for (const auto& [key, r] : t.rows) {
      const auto& [fi, direction, is_double, size] = key;
      auto& g = by_size[size];
      if (const auto q = ratio(gelem(r.actfn), gelem(r.naive)); q && *q > 0) {
        for (logs* l : {&g[is_double ? 1 : 0], &g[2]}) {
          l->sum += std::log(*q);
          ++l->count;
        }
      }
    }
    for (const auto& [key, m] : t.memcpy) by_size[key.second];
    std::vector<std::vector<std::string>> body;
    for (const auto& [size, g] : by_size) {
      auto memcpy_gb = [&](bool is_double) -> std::optional<double> {
        const auto it = t.memcpy.find({is_double, size});
        if (it == t.memcpy.end()) return std::nullopt;
        return it->second.bytes_per_s / 1e9;
      };
      body.push_back({size_label(size), number(g[0].geomean()), number(g[1].geomean()),
                      number(g[2].geomean()), std::to_string(g[2].count),
                      number(memcpy_gb(false)), number(memcpy_gb(true))});
    }
    print_table(out,
                {"size", "geomean actfn/naive f32", "f64", "all", "rows", "memcpy f32 GB/s",
                 "memcpy f64 GB/s"},
                {false, true, true, true, true, true, true}, body);
  }

  benchmark::BenchmarkReporter* display_;  // not owned (the library keeps it)
  std::map<std::string, case_id> cases_;
  std::map<std::string, samples> results_;
};

}  // namespace actfn_bench
