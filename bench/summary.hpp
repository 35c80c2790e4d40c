// SPDX-License-Identifier: MIT
// The summary printed after a benchmark run (see actfn_bench.cpp for what is measured).
//
// summary_reporter wraps the display reporter that --benchmark_format chose: every result goes
// on to it unchanged (so the usual console/JSON/CSV output and --benchmark_out still work) and is
// also recorded here. print() then writes Markdown tables, padded so that they also read well in
// a terminal:
//   1. actfn vs. the peers, float: per function, pass and size, the Gelem/s of actfn and of
//      every peer, the best peer, actfn/best (above 1: actfn is faster than every peer) and
//      actfn/memcpy (actfn's bytes/s over memcpy's at the same size: 1 = as fast as copying).
//   2. per size: the geometric mean of actfn/best over the functions, and memcpy's GB/s.
//   3. the rows where actfn is slower than the best peer, slowest first.
//   4. the project's speed targets (target_* below), met or not.
//   5. double: actfn vs. the std loop.
//   6. bfloat16 and float16: actfn's Gelem/s beside its float Gelem/s for the same function,
//      pass and size (half/f32), and its bytes/s over memcpy's of the same bytes
//      (half/memcpy), with the storage targets (target_half_*).
// "-" means the peer does not compute that function; "n/a" that its benchmark did not run
// (left out by --benchmark_filter) or failed (the errors are listed at the end).
// scripts/bench_doc.sh makes the tables of docs/benchmarks.md from a run's JSON with the same
// definitions (median, best peer, actfn/memcpy).
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
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bench.hpp"

namespace actfn_bench {

/// The project's speed targets, which the summary checks.
inline constexpr double target_geomean_small = 1.25;  // geomean actfn/best peer at 4096, f32
inline constexpr double target_memcpy_large = 0.9;    // actfn/memcpy at 16 Mi elements, f32
/// Storage types (bfloat16, float16) at 16 Mi elements: actfn's elements per second over its
/// float ones (half the bytes to move), and its bytes per second over memcpy's.
inline constexpr double target_half_vs_float = 1.7;
inline constexpr double target_half_memcpy = 0.9;
/// The fast tier's targets: fast/precise on the forward pass in float, single
/// thread, per function, for AVX-512 and AVX2 builds.
struct fast_target {
  std::string_view function;
  double avx512, avx2;
};
inline constexpr fast_target fast_targets[] = {
    {"sigmoid", 1.95, 1.86}, {"tanh", 2.05, 2.75}, {"gelu", 3.35, 4.2},
    {"gelu_tanh", 2.15, 2.5}, {"silu", 1.35, 2.0},
};
/// The sizes the fast/precise targets were set at (XNNPACK's kernels measured in cache); at
/// 16 Mi the memory bounds both tiers, and the memcpy target below applies instead.
inline constexpr std::size_t fast_target_sizes[] = {4096, 262144};
/// The fast tier against the peers: geomean fast/best at 4096 elements, fast/memcpy at 16 Mi.
inline constexpr double target_fast_geomean_small = 1.5;
inline constexpr double target_fast_memcpy_large = 0.9;
/// Whether impl is actfn's (either tier) rather than a peer's.
inline bool is_ours(const std::string& impl) { return impl == "actfn" || impl == "actfn_fast"; }

/// A peer whose results stay within this many ULPs of actfn's counts as comparably accurate
/// (actfn itself is within its documented bound, at most a few ULPs, of the exact result).
inline constexpr double close_ulps = 8;

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
    if (results_.empty() && errors_.empty()) return;
    const table t = collect();
    std::ostringstream s;
    print_peers(s, t);
    print_fast(s, t);
    print_accuracy(s);
    print_double(s, t);
    print_half(s, t);
    if (!errors_.empty()) {
      s << "\n### Benchmarks that failed\n\n";
      for (const auto& [name, message] : errors_) s << "- " << name << ": " << message << '\n';
    }
    if (t.memcpy.empty())
      s << "\nmemcpy did not run: add |memcpy to --benchmark_filter for the memcpy columns.\n";
    out << s.str() << std::flush;
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
  /// One row: a function, pass, type and size (and row length for row-wise functions).
  struct row_key {
    std::size_t order;
    std::string function;
    pass direction;
    elem type;
    std::size_t size, cols;
    auto operator<=>(const row_key&) const = default;
  };
  struct row {
    std::map<std::string, throughput> by_impl;  // "actfn" and the peers that ran
    std::set<std::string> registered;           // every impl registered for this row
    std::map<std::string, double> ulps;         // each peer's largest distance from actfn
  };
  struct table {
    std::map<row_key, row> rows;
    std::map<std::pair<elem, std::size_t>, throughput> memcpy;  // (type, size)
  };

  void record(const Run& run) {
    const std::string name = run.run_name.function_name;
    if (run.error_occurred) {
      errors_[name] = run.error_message;
      return;
    }
    const auto items = run.counters.find("items_per_second");
    const auto bytes = run.counters.find("bytes_per_second");
    if (items == run.counters.end() || bytes == run.counters.end()) return;
    if (const auto u = run.counters.find("ulp_vs_actfn"); u != run.counters.end())
      ulps_[name] = std::max(ulps_[name], u->second.value);
    const throughput t{items->second.value, bytes->second.value};
    samples& s = results_[name];
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

  static row_key key_of(const case_id& c) {
    return {function_order(c.function), c.function, c.direction, c.type, c.size, c.cols};
  }

  table collect() const {
    table t;
    // Rows exist for whatever actfn ran; every registered impl of such a row is listed, so a
    // peer that was filtered out or failed shows as n/a rather than vanishing.
    for (const auto& [name, s] : results_) {
      const auto id = cases_.find(name);
      const auto v = value(s);
      if (id == cases_.end() || !v) continue;
      const case_id& c = id->second;
      if (c.impl == "memcpy")
        t.memcpy[{c.type, c.size}] = *v;
      else
        t.rows[key_of(c)].by_impl[c.impl] = *v;
    }
    for (const auto& [name, c] : cases_) {
      if (c.impl == "memcpy") continue;
      const auto r = t.rows.find(key_of(c));
      if (r != t.rows.end()) r->second.registered.insert(c.impl);
    }
    // Each peer's distance from actfn per function, pass and type: the largest over the sizes
    // it ran (as the accuracy table below), given to every row of that function and pass.
    std::map<std::tuple<std::string, pass, elem, std::string>, double> worst;
    for (const auto& [name, u] : ulps_)
      if (const auto id = cases_.find(name); id != cases_.end()) {
        double& w = worst[{id->second.function, id->second.direction, id->second.type, id->second.impl}];
        w = std::max(w, u);
      }
    for (auto& [k, r] : t.rows)
      for (const auto& [impl, v] : r.by_impl)
        if (const auto w = worst.find({k.function, k.direction, k.type, impl}); w != worst.end())
          r.ulps[impl] = w->second;
    return t;
  }

  // --- numbers and cells -----------------------------------------------------------------------

  static std::optional<double> ratio(std::optional<double> a, std::optional<double> b) {
    if (!a || !b || !(*b > 0)) return std::nullopt;
    return *a / *b;
  }
  static std::string number(std::optional<double> v) {
    if (!v) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, *v < 10 ? "%.3f" : *v < 100 ? "%.2f" : "%.1f", *v);
    return buf;
  }
  static std::string size_label(std::size_t n, std::size_t cols) {
    if (cols != 0) return std::to_string(n / cols) + "x" + std::to_string(cols);
    if (n % (1u << 20) == 0) return std::to_string(n >> 20) + "Mi";
    if (n % (1u << 10) == 0) return std::to_string(n >> 10) + "Ki";
    return std::to_string(n);
  }
  static std::string size_label(const row_key& k) { return size_label(k.size, k.cols); }

  /// Gelem/s of impl in row r: nothing when it did not run.
  static std::optional<double> gelem(const row& r, const std::string& impl) {
    const auto it = r.by_impl.find(impl);
    if (it == r.by_impl.end()) return std::nullopt;
    return it->second.items_per_s / 1e9;
  }
  /// The cell of impl in row r: its Gelem/s, "-" when not registered, "n/a" when it did not run.
  static std::string cell(const row& r, const std::string& impl) {
    if (!r.registered.contains(impl) && !r.by_impl.contains(impl)) return "-";
    return number(gelem(r, impl));
  }
  /// The fastest peer that ran in row r (any impl but actfn), as (name, Gelem/s).
  static std::optional<std::pair<std::string, double>> best_peer(const row& r) {
    std::optional<std::pair<std::string, double>> best;
    for (const auto& [impl, t] : r.by_impl) {
      if (is_ours(impl)) continue;
      const double g = t.items_per_s / 1e9;
      if (!best || g > best->second) best = {impl, g};
    }
    return best;
  }
  /// The fastest peer whose results were within close_ulps of actfn's, as (name, Gelem/s).
  static std::optional<std::pair<std::string, double>> best_close_peer(const row& r) {
    std::optional<std::pair<std::string, double>> best;
    for (const auto& [impl, t] : r.by_impl) {
      const auto u = r.ulps.find(impl);
      if (is_ours(impl) || u == r.ulps.end() || !(u->second <= close_ulps)) continue;
      const double g = t.items_per_s / 1e9;
      if (!best || g > best->second) best = {impl, g};
    }
    return best;
  }
  static std::optional<double> versus_best(const row& r) {
    const auto best = best_peer(r);
    if (!best) return std::nullopt;
    return ratio(gelem(r, "actfn"), best->second);
  }
  std::optional<double> versus_memcpy(const table& t, const row_key& k, const row& r,
                                      const std::string& impl = "actfn") const {
    const auto a = r.by_impl.find(impl);
    const auto m = t.memcpy.find({k.type, k.size});
    if (a == r.by_impl.end() || m == t.memcpy.end()) return std::nullopt;
    return ratio(a->second.bytes_per_s, m->second.bytes_per_s);
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

  /// Geometric mean of positive values.
  struct logs {
    double sum = 0;
    std::size_t count = 0;
    void add(double v) {
      sum += std::log(v);
      ++count;
    }
    std::optional<double> geomean() const {
      if (count == 0) return std::nullopt;
      return std::exp(sum / static_cast<double>(count));
    }
  };

  // --- the float tables ------------------------------------------------------------------------

  void print_peers(std::ostream& out, const table& t) const {
    std::set<std::string> peer_set;
    for (const auto& [k, r] : t.rows) {
      if (k.type != elem::f32) continue;
      for (const auto& impl : r.registered)
        if (!is_ours(impl)) peer_set.insert(impl);
      for (const auto& [impl, v] : r.by_impl)
        if (!is_ours(impl)) peer_set.insert(impl);
    }
    const std::vector<std::string> peer_names(peer_set.begin(), peer_set.end());

    out << "\n## actfn vs. its peers (float, single-threaded)\n\n"
           "Gelem/s: 10^9 elements per second (CPU time; higher is better). best: the fastest\n"
           "peer. actfn/best: above 1, actfn beats every peer. actfn/memcpy: actfn's bytes\n"
           "(read + written) per second over memcpy's at the same size (1 = as fast as copying).\n"
           "actfn/close: actfn over the fastest peer whose results stay within "
        << close_ulps
        << " ULP of actfn's\n"
           "(the comparably accurate ones; - when there is none).\n"
           "-: the peer does not have the function; n/a: it did not run (filtered out or failed).\n\n";
    std::vector<std::string> header{"function", "pass", "size", "actfn"};
    for (const auto& p : peer_names) header.push_back(p);
    for (const char* h : {"best", "best Gelem/s", "actfn/best", "actfn/memcpy", "actfn/close"})
      header.push_back(h);
    std::vector<bool> right(header.size(), true);
    right[0] = right[1] = false;
    right[4 + peer_names.size()] = false;  // best

    // per size label: [forward, backward, all] geomeans of actfn/best, and of actfn/close
    std::map<std::pair<std::size_t, std::size_t>, std::array<logs, 3>> means;  // (cols, size)
    std::map<std::pair<std::size_t, std::size_t>, logs> close_means;
    struct loss {
      double ratio;
      std::string function, pass, size, best;
      double actfn, peer;
    };
    std::vector<loss> losses;
    std::vector<std::vector<std::string>> body;
    std::vector<std::string> slow_large;  // 16 Mi rows below the memcpy target
    std::size_t rows_with_peer = 0, rows_with_close = 0;
    std::vector<std::string> behind_close;  // rows slower than a comparably accurate peer
    for (const auto& [k, r] : t.rows) {
      if (k.type != elem::f32) continue;
      const auto best = best_peer(r);
      const auto q = versus_best(r);
      const auto m = versus_memcpy(t, k, r);
      std::vector<std::string> cells{k.function, std::string(name_of(k.direction)), size_label(k),
                                     cell(r, "actfn")};
      for (const auto& p : peer_names) cells.push_back(cell(r, p));
      cells.push_back(best ? best->first : "-");
      cells.push_back(best ? number(best->second) : "-");
      cells.push_back(best ? number(q) : "-");
      cells.push_back(number(m));
      const auto close = best_close_peer(r);
      const auto qc = close ? ratio(gelem(r, "actfn"), close->second) : std::nullopt;
      cells.push_back(close ? number(qc) : "-");
      if (qc && *qc > 0) {
        close_means[{k.cols, k.size}].add(*qc);
        ++rows_with_close;
        if (*qc < 1) behind_close.push_back(k.function + " " + std::string(name_of(k.direction)) + " " + size_label(k));
      }
      body.push_back(std::move(cells));
      if (q && *q > 0) {
        ++rows_with_peer;
        auto& g = means[{k.cols, k.size}];
        g[k.direction == pass::forward ? 0 : 1].add(*q);
        g[2].add(*q);
        if (*q < 1)
          losses.push_back({*q, k.function, std::string(name_of(k.direction)), size_label(k),
                            best->first, *gelem(r, "actfn"), best->second});
      }
      if (k.cols == 0 && k.size == sizes[std::size(sizes) - 1] && m && *m < target_memcpy_large) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %.3f", *m);
        slow_large.push_back(k.function + " " + std::string(name_of(k.direction)) + buf);
      }
    }
    print_table(out, header, right, body);

    out << "\n### Geometric mean of actfn/best per size (float)\n\n";
    std::vector<std::vector<std::string>> mean_rows;
    for (const auto& [key, g] : means) {
      const auto memcpy = t.memcpy.find({elem::f32, key.second});
      mean_rows.push_back({size_label(key.second, key.first), number(g[0].geomean()),
                           number(g[1].geomean()), number(g[2].geomean()), std::to_string(g[2].count),
                           memcpy == t.memcpy.end() ? "n/a" : number(memcpy->second.bytes_per_s / 1e9)});
    }
    print_table(out, {"size", "forward", "backward", "all", "rows", "memcpy GB/s"},
                {false, true, true, true, true, true}, mean_rows);

    out << "\n### Geometric mean of actfn/close per size (float)\n\n"
           "Against the fastest peer within "
        << close_ulps << " ULP of actfn's results, over the rows that have one.\n\n";
    std::vector<std::vector<std::string>> close_rows;
    for (const auto& [key, g] : close_means)
      close_rows.push_back({size_label(key.second, key.first), number(g.geomean()), std::to_string(g.count)});
    print_table(out, {"size", "actfn/close", "rows"}, {false, true, true}, close_rows);

    std::sort(losses.begin(), losses.end(), [](const loss& a, const loss& b) { return a.ratio < b.ratio; });
    out << "\n### Where actfn is slower than the best peer (float)\n\n";
    if (losses.empty()) {
      out << (rows_with_peer ? "Nowhere: actfn is at least as fast as every peer in every row.\n"
                             : "No row had both actfn and a peer.\n");
    } else {
      std::vector<std::vector<std::string>> loss_rows;
      for (const loss& l : losses)
        loss_rows.push_back({l.function, l.pass, l.size, number(l.actfn), l.best, number(l.peer),
                             number(l.ratio)});
      print_table(out, {"function", "pass", "size", "actfn", "best", "best Gelem/s", "actfn/best"},
                  {false, false, true, true, false, true, true}, loss_rows);
    }

    // The targets.
    out << "\n### Targets (float)\n\n";
    auto verdict = [](bool met) { return met ? "met" : "NOT met"; };
    out << "- every row at least as fast as every peer as accurate (actfn/close >= 1): "
        << verdict(behind_close.empty()) << " (" << behind_close.size() << " of " << rows_with_close
        << " rows slower";
    if (!behind_close.empty()) out << ":";
    for (const auto& b : behind_close) out << ' ' << b << ';';
    out << ")\n";
    out << "- every row at least as fast as the best peer: " << verdict(losses.empty()) << " ("
        << losses.size() << " of " << rows_with_peer << " rows slower)\n";
    const auto small = means.find({0, sizes[0]});
    const auto small_mean = small == means.end() ? std::nullopt : small->second[2].geomean();
    out << "- geometric mean of actfn/best at " << sizes[0] << " elements >= " << target_geomean_small
        << ": " << (small_mean ? verdict(*small_mean >= target_geomean_small) : "n/a") << " ("
        << number(small_mean) << ")\n";
    const std::size_t large = sizes[std::size(sizes) - 1];
    const bool large_ran = t.memcpy.contains({elem::f32, large});
    out << "- actfn/memcpy at " << size_label(large, 0) << " elements >= " << target_memcpy_large << ": "
        << (large_ran ? verdict(slow_large.empty()) : "n/a");
    if (!slow_large.empty()) {
      out << " (" << slow_large.size() << " rows below:";
      for (const auto& s : slow_large) out << ' ' << s << ';';
      out << ")";
    }
    out << '\n';
  }

  // --- the fast tier ---------------------------------------------------------------------------

  /// Per float row where actfn::fast ran: precise, fast, the best peer, fast/best,
  /// fast/precise, and the fast tier's target where the issue sets one (forward rows).
  void print_fast(std::ostream& out, const table& t) const {
    const bool avx512 = std::string_view(xsimd::default_arch::name()).starts_with("avx512");
    out << "\n## The fast tier, actfn::fast(f) (float, single-threaded)\n\n"
           "Gelem/s as above. precise: actfn's plain functor; fast: actfn::fast(f), the same run.\n"
           "fast/precise: the fast tier's speedup; target: the issue's fast/precise target for\n"
           "this build ("
        << (avx512 ? "AVX-512" : "AVX2 targets; other builds have none") << ").\n\n";
    std::vector<std::vector<std::string>> body;
    std::vector<std::string> missed, behind, slow_large;
    std::size_t rows_with_peer = 0;
    logs small_mean;
    const std::size_t large = sizes[std::size(sizes) - 1];
    for (const auto& [k, r] : t.rows) {
      if (k.type != elem::f32 || !r.by_impl.contains("actfn_fast")) continue;
      const auto best = best_peer(r);
      const auto fp = ratio(gelem(r, "actfn_fast"), gelem(r, "actfn"));
      const auto fb = best ? ratio(gelem(r, "actfn_fast"), best->second) : std::nullopt;
      if (fb && *fb > 0) {
        ++rows_with_peer;
        if (*fb < 1) behind.push_back(k.function + " " + std::string(name_of(k.direction)) + " " + size_label(k));
        if (k.cols == 0 && k.size == sizes[0]) small_mean.add(*fb);
      }
      const auto m = versus_memcpy(t, k, r, "actfn_fast");
      if (k.cols == 0 && k.size == large && m && *m < target_fast_memcpy_large) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %.3f", *m);
        slow_large.push_back(k.function + " " + std::string(name_of(k.direction)) + buf);
      }
      std::string target = "-";
      for (const fast_target& ft : fast_targets) {
        if (ft.function != k.function || k.direction != pass::forward || k.cols != 0 ||
            std::find(std::begin(fast_target_sizes), std::end(fast_target_sizes), k.size) ==
                std::end(fast_target_sizes))
          continue;
        const double want = avx512 ? ft.avx512 : ft.avx2;
        char buf[64];
        const bool met = fp && *fp >= want;
        std::snprintf(buf, sizeof buf, "%.2f %s", want, met ? "met" : "NOT met");
        target = buf;
        if (!met) missed.push_back(k.function + " " + size_label(k));
      }
      body.push_back({k.function, std::string(name_of(k.direction)), size_label(k), cell(r, "actfn"),
                      cell(r, "actfn_fast"), best ? best->first : "-", best ? number(best->second) : "-",
                      best ? number(fb) : "-", number(fp), target});
    }
    if (body.empty()) {
      out << "actfn_fast did not run (add |actfn_fast to --benchmark_filter).\n";
      return;
    }
    print_table(out, {"function", "pass", "size", "precise", "fast", "best", "best Gelem/s", "fast/best",
                      "fast/precise", "target"},
                {false, false, true, true, true, false, true, true, true, false}, body);
    auto verdict = [](bool met) { return met ? "met" : "NOT met"; };
    auto list = [&](const std::vector<std::string>& v) {
      for (const auto& e : v) out << ' ' << e << ';';
    };
    out << "\n### Fast-tier targets (float)\n\n- fast/precise (forward, 4Ki and 256Ki): "
        << (missed.empty() ? "all met" : "NOT met for");
    list(missed);
    out << "\n- every row at least as fast as the best peer: " << verdict(behind.empty()) << " ("
        << behind.size() << " of " << rows_with_peer << " rows slower";
    if (!behind.empty()) out << ":";
    list(behind);
    const auto g = small_mean.geomean();
    out << ")\n- geometric mean of fast/best at " << sizes[0] << " elements >= " << target_fast_geomean_small
        << ": " << (g ? verdict(*g >= target_fast_geomean_small) : "n/a") << " (" << number(g) << ")\n";
    out << "- fast/memcpy at " << size_label(large, 0) << " elements >= " << target_fast_memcpy_large << ": "
        << (t.memcpy.contains({elem::f32, large}) ? verdict(slow_large.empty()) : "n/a");
    if (!slow_large.empty()) {
      out << " (" << slow_large.size() << " rows below:";
      list(slow_large);
      out << ")";
    }
    out << '\n';
  }

  // --- how close the peers come to actfn's results ----------------------------------------------

  /// Per function and pass (float), each peer's largest distance from actfn's result over every
  /// size it ran, in ULPs: the accuracy each peer's speed is bought with.
  void print_accuracy(std::ostream& out) const {
    std::map<std::tuple<std::size_t, std::string, pass>, std::map<std::string, double>> worst;
    std::set<std::string> peer_set;
    for (const auto& [name, u] : ulps_) {
      const auto id = cases_.find(name);
      if (id == cases_.end() || id->second.type != elem::f32) continue;
      const case_id& c = id->second;
      double& w = worst[{function_order(c.function), c.function, c.direction}][c.impl];
      w = std::max(w, u);
      peer_set.insert(c.impl);
    }
    if (worst.empty()) return;
    const std::vector<std::string> peer_names(peer_set.begin(), peer_set.end());
    out << "\n### How far each peer's results are from actfn's (float)\n\n"
           "The largest distance over the first "
        << check_prefix
        << " outputs of each size, in ULPs of the result (actfn is within\n"
           "a few ULPs of the exact result, README: accuracy): the accuracy each peer's speed comes\n"
           "with. Every peer stayed within 1e-4 * max(1, |y|) of actfn, or its benchmark failed.\n\n";
    std::vector<std::string> header{"function", "pass"};
    for (const auto& p : peer_names) header.push_back(p);
    std::vector<bool> right(header.size(), true);
    right[0] = right[1] = false;
    std::vector<std::vector<std::string>> body;
    for (const auto& [key, by_peer] : worst) {
      std::vector<std::string> cells{std::get<1>(key), std::string(name_of(std::get<2>(key)))};
      for (const auto& p : peer_names) {
        const auto it = by_peer.find(p);
        if (it == by_peer.end()) {
          cells.push_back("-");
          continue;
        }
        char buf[32];
        std::snprintf(buf, sizeof buf, it->second < 1e6 ? "%.0f" : "%.1e", it->second);
        cells.push_back(buf);
      }
      body.push_back(std::move(cells));
    }
    print_table(out, header, right, body);
  }

  // --- the double table ------------------------------------------------------------------------

  void print_double(std::ostream& out, const table& t) const {
    std::vector<std::vector<std::string>> body;
    std::map<std::size_t, logs> means;
    for (const auto& [k, r] : t.rows) {
      if (k.type != elem::f64) continue;
      const auto q = ratio(gelem(r, "actfn"), gelem(r, "std"));
      body.push_back({k.function, std::string(name_of(k.direction)), size_label(k), cell(r, "actfn"),
                      cell(r, "std"), number(q), number(versus_memcpy(t, k, r))});
      if (q && *q > 0) means[k.size].add(*q);
    }
    if (body.empty()) return;
    out << "\n## double: actfn vs. the std loop\n\n";
    print_table(out, {"function", "pass", "size", "actfn", "std", "actfn/std", "actfn/memcpy"},
                {false, false, true, true, true, true, true}, body);
    out << '\n';
    std::vector<std::vector<std::string>> mean_rows;
    for (const auto& [size, g] : means)
      mean_rows.push_back({size_label(size, 0), number(g.geomean()), std::to_string(g.count)});
    print_table(out, {"size", "geomean actfn/std (double)", "rows"}, {false, true, true}, mean_rows);
  }

  // --- the storage types ------------------------------------------------------------------------

  void print_half(std::ostream& out, const table& t) const {
    std::vector<std::vector<std::string>> body;
    std::map<std::pair<elem, std::size_t>, std::array<logs, 2>> means;  // half/f32, half/memcpy
    std::vector<std::string> slow_float, slow_memcpy, behind_peer, fast_behind_peer;
    std::size_t rows_with_peer = 0;
    std::size_t large_rows = 0;
    const std::size_t large = sizes[std::size(sizes) - 1];
    for (const auto& [k, r] : t.rows) {
      if (k.type != elem::bf16 && k.type != elem::f16) continue;
      row_key f32 = k;
      f32.type = elem::f32;
      const auto fr = t.rows.find(f32);
      const auto versus_float =
          fr == t.rows.end() ? std::nullopt : ratio(gelem(r, "actfn"), gelem(fr->second, "actfn"));
      const auto versus_copy = versus_memcpy(t, k, r);
      const auto best = best_peer(r);
      const auto versus_peer = versus_best(r);
      const auto fast_versus_peer =
          best ? ratio(gelem(r, "actfn_fast"), best->second) : std::optional<double>{};
      body.push_back({k.function, std::string(name_of(k.direction)), std::string(name_of(k.type)),
                      size_label(k), cell(r, "actfn"), cell(r, "actfn_fast"),
                      fr == t.rows.end() ? "n/a" : cell(fr->second, "actfn"), number(versus_float),
                      number(versus_copy), best ? best->first : "-",
                      best ? number(best->second) : "-", number(versus_peer),
                      number(fast_versus_peer)});
      if (best) {
        ++rows_with_peer;
        const std::string label = k.function + "/" + std::string(name_of(k.direction)) + "/" +
                                  std::string(name_of(k.type)) + "/" + size_label(k);
        if (!versus_peer || *versus_peer < 1) behind_peer.push_back(label);
        if (!fast_versus_peer || *fast_versus_peer < 1) fast_behind_peer.push_back(label);
      }
      if (versus_float && *versus_float > 0) means[{k.type, k.size}][0].add(*versus_float);
      if (versus_copy && *versus_copy > 0) means[{k.type, k.size}][1].add(*versus_copy);
      if (k.size == large) {
        ++large_rows;
        const std::string label = k.function + "/" + std::string(name_of(k.direction)) + "/" +
                                  std::string(name_of(k.type));
        if (!versus_float || *versus_float < target_half_vs_float) slow_float.push_back(label);
        if (!versus_copy || *versus_copy < target_half_memcpy) slow_memcpy.push_back(label);
      }
    }
    if (body.empty()) return;
    out << "\n## bfloat16 and float16: actfn vs. its own float rows\n\n"
           "half/f32: elements per second over actfn's float rows (same function, pass, size).\n"
           "half/memcpy: bytes (read + written) per second over memcpy's of the same bytes.\n"
           "fast: actfn::fast(f) on the same buffers. best: the fastest peer on the same type\n"
           "(oneDNN's bf16 / f16 eltwise where it runs); actfn/best, fast/best: over it.\n\n";
    print_table(out, {"function", "pass", "type", "size", "actfn", "fast", "actfn f32", "half/f32",
                      "half/memcpy", "best", "best Gelem/s", "actfn/best", "fast/best"},
                {false, false, false, true, true, true, true, true, true, false, true, true, true},
                body);
    out << '\n';
    std::vector<std::vector<std::string>> mean_rows;
    for (const auto& [key, g] : means)
      mean_rows.push_back({std::string(name_of(key.first)), size_label(key.second, 0),
                           number(g[0].geomean()), number(g[1].geomean()), std::to_string(g[0].count)});
    print_table(out, {"type", "size", "geomean half/f32", "geomean half/memcpy", "rows"},
                {false, false, true, true, true}, mean_rows);
    const auto peer_verdict = [&](const std::vector<std::string>& behind) {
      return rows_with_peer == 0 ? std::string("no peer ran")
                                 : std::string(behind.empty() ? "met" : "NOT met") + " (" +
                                       std::to_string(behind.size()) + " of " +
                                       std::to_string(rows_with_peer) + " rows behind)";
    };
    out << "\n- every row with a peer at least as fast as the best peer: precise "
        << peer_verdict(behind_peer) << "; fast " << peer_verdict(fast_behind_peer) << '\n';
    if (large_rows == 0) return;
    const auto list = [&](const std::vector<std::string>& slow) {
      std::string s = std::string(slow.empty() ? "met" : "NOT met") + " (" +
                      std::to_string(slow.size()) + " of " +
                      std::to_string(large_rows) + " rows below";
      for (const auto& l : slow) s += " " + l + ";";
      return s + ")";
    };
    out << "\n### Storage-type targets at " << size_label(large, 0) << " elements\n\n"
        << "- half/f32 >= " << target_half_vs_float << ": " << list(slow_float) << '\n'
        << "- half/memcpy >= " << target_half_memcpy << ": " << list(slow_memcpy) << '\n';
  }

  benchmark::BenchmarkReporter* display_;  // not owned (the library keeps it)
  std::map<std::string, case_id> cases_;
  std::map<std::string, samples> results_;
  std::map<std::string, std::string> errors_;
  std::map<std::string, double> ulps_;  // peer benchmark -> its largest distance from actfn, in ULPs
};

}  // namespace actfn_bench
