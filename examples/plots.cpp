// SPDX-License-Identifier: MIT
// Draws every function of actfn::catalogue with its derivative, and tabulates their shape.
//
//   plots <work-dir> <image-dir> <image-link-prefix>
//
// Each catalogue function, at its default parameters, and its derivative are evaluated with
// actfn::forward and actfn::derivative in double on a dense grid over [-7, 7]. Into <work-dir>
// go
//   <name>.dat  x, f(x), f'(x), one point a line (gnuplot's input);
//   plots.gp    a gnuplot script drawing one PNG per family into <image-dir>;
//   plots.md    Markdown for docs/functions.md: the images (linked as
//               <image-link-prefix><file>) and a table of properties computed here from
//               actfn's values, with their definitions.
// scripts/plots.sh builds and runs this, runs gnuplot and writes docs/functions.md.
//
// The functions and their families come from actfn::families (catalogue.hpp), so a function
// added there shows up without editing this file. ctest runs the program (into the build
// directory) to keep it working.
#include <actfn/actfn.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace {

// --- families ----------------------------------------------------------------------------------

/// A family of actfn::families (catalogue.hpp): one image each, its functions in catalogue order.
struct family_info {
  std::string_view id;     // the image is activations-<id>.png
  std::string_view title;
};

template <class... Family>
std::vector<family_info> family_list(std::type_identity<std::tuple<Family...>>) {
  return {family_info{Family::id, Family::title}...};
}
const std::vector<family_info> families = family_list(std::type_identity<actfn::families::all>{});

// --- what is measured --------------------------------------------------------------------------

constexpr double x_lo = -7, x_hi = 7;        // the plotted interval (relu6's cap at 6 shows)
constexpr std::size_t grid_points = 2801;    // step 0.005
constexpr double flat = 0.05;                // |f'| below this counts as saturated
constexpr double far = 1e3;                  // "towards infinity" for the saturation test
constexpr double kink_step = 1.0 / 1024;     // the fine grid of the kink search
constexpr double min_slope_jump = 0.01;      // smaller jumps of the slope are not reported
constexpr double max_slope = 100;            // a difference quotient beyond this: f jumps
constexpr double inf = std::numeric_limits<double>::infinity();

struct interval {
  double lo, hi;
};

struct profile {
  std::string_view name;
  std::size_t of;                        // index into families
  std::vector<double> f, df;             // on the plot grid
  double f_min, f_max;                   // over the plot grid
  double f_neg_inf, f_pos_inf;           // f(-inf), f(+inf)
  bool zero_centred;
  double df_far_left, df_far_right;      // f'(-far), f'(far)
  double df_edge_left, df_edge_right;    // f'(x_lo), f'(x_hi)
  std::vector<interval> steep;           // where |f'| >= flat, within [x_lo, x_hi]
  std::vector<interval> saturated;       // the rest of [x_lo, x_hi]: the grey bands
  bool monotonic;
  std::vector<double> kinks;             // where f' jumps (f continuous)
  std::vector<double> jumps;             // where f itself jumps
};

/// x_i = x_lo + (x_hi - x_lo) i / (grid_points - 1), with the ends and the multiples of the
/// step that are representable (0, +-0.5, +-3 ...) exact.
std::vector<double> plot_grid() {
  std::vector<double> x(grid_points);
  const double n = grid_points - 1;
  for (std::size_t i = 0; i < grid_points; ++i) {
    const double k = static_cast<double>(i);
    x[i] = (x_lo * (n - k) + x_hi * k) / n;
  }
  return x;
}

bool steep_at(double derivative) { return std::abs(derivative) >= flat; }

/// Splits [x_lo, x_hi] into the runs where |f'| >= flat and where it is not. A boundary lies
/// between two neighbouring grid points; it is placed by bisection on f.derivative.
template <class F>
void split_by_slope(const F& f, const std::vector<double>& x, profile& p) {
  double start = x.front();
  bool steep = steep_at(p.df.front());
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (steep_at(p.df[i]) == steep) continue;
    double a = x[i - 1], b = x[i];
    for (double m = (a + b) / 2; a < m && m < b; m = (a + b) / 2)
      (steep_at(f.derivative(m)) == steep ? a : b) = m;
    (steep ? p.steep : p.saturated).push_back({start, b});
    start = b;
    steep = !steep;
  }
  (steep ? p.steep : p.saturated).push_back({start, x.back()});
}

/// Kinks and jumps from f alone: on a grid of step h = kink_step that reaches one step beyond
/// [x_lo, x_hi], the right difference quotient minus the left one, (f(x+h) - 2f(x) + f(x-h))/h,
/// is about f''(x) h where f is smooth (at most about 0.002 for these functions) and the jump
/// of the slope at a kink. Neighbouring points above min_slope_jump form one kink, placed at
/// their centre weighted by that difference (exact for a kink between two grid points of a
/// piecewise linear f); it is a jump of f when a difference quotient there exceeds max_slope.
template <class F>
void find_kinks(const F& f, profile& p) {
  const auto n = static_cast<std::size_t>((x_hi - x_lo) / kink_step) + 3;
  std::vector<double> x(n), y(n);
  for (std::size_t j = 0; j < n; ++j) x[j] = x_lo + (static_cast<double>(j) - 1) * kink_step;
  actfn::forward(f, x, y);
  auto quotient = [&](std::size_t j) { return (y[j + 1] - y[j]) / kink_step; };  // x[j]..x[j+1]
  auto bend = [&](std::size_t j) { return std::abs(quotient(j) - quotient(j - 1)); };
  for (std::size_t j = 1; j + 1 < n;) {
    if (!(bend(j) > min_slope_jump)) {
      ++j;
      continue;
    }
    double weight = 0, centre = 0;
    bool jump = false;
    for (; j + 1 < n && bend(j) > min_slope_jump; ++j) {
      weight += bend(j);
      centre += bend(j) * x[j];
      jump = jump || std::abs(quotient(j)) > max_slope || std::abs(quotient(j - 1)) > max_slope;
    }
    (jump ? p.jumps : p.kinks).push_back(centre / weight);
  }
}

template <class F>
profile analyse(std::size_t family) {
  const F f{};
  profile p{};
  p.name = F::name;
  p.of = family;

  const std::vector<double> x = plot_grid();
  p.f.resize(x.size());
  p.df.resize(x.size());
  actfn::forward(f, x, p.f);
  actfn::derivative(f, x, p.df);

  // Every value here is a number for these functions: a NaN is a bug in actfn, not data.
  auto require_number = [](double v, const char* what, double at) {
    if (!std::isnan(v)) return;
    std::ostringstream msg;
    msg << F::name << ": " << what << " is NaN at x = " << at;
    throw std::runtime_error(msg.str());
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    require_number(p.f[i], "f", x[i]);
    require_number(p.df[i], "f'", x[i]);
  }

  const auto [lo, hi] = std::ranges::minmax(p.f);
  p.f_min = lo;
  p.f_max = hi;
  p.f_neg_inf = f(-inf);
  p.f_pos_inf = f(inf);
  p.zero_centred = f(0.0) == 0 && p.f_min < 0 && p.f_max > 0;
  p.df_far_left = f.derivative(-far);
  p.df_far_right = f.derivative(far);
  require_number(p.f_neg_inf, "f", -inf);
  require_number(p.f_pos_inf, "f", inf);
  require_number(p.df_far_left, "f'", -far);
  require_number(p.df_far_right, "f'", far);
  p.df_edge_left = p.df.front();
  p.df_edge_right = p.df.back();
  p.monotonic = std::ranges::all_of(p.df, [](double d) { return d >= 0; }) ||
                std::ranges::all_of(p.df, [](double d) { return d <= 0; });
  split_by_slope(f, x, p);
  find_kinks(f, p);
  return p;
}

/// Every function of the catalogue, family by family.
template <class... Family>
std::vector<profile> analyse_catalogue(std::type_identity<std::tuple<Family...>>) {
  std::vector<profile> all;
  std::size_t family = 0;
  auto add = [&]<class... F>(std::type_identity<std::tuple<F...>>) {
    (all.push_back(analyse<F>(family)), ...);
    ++family;
  };
  (add(std::type_identity<typename Family::functions>{}), ...);
  return all;
}

// --- formatting --------------------------------------------------------------------------------

/// printf-style formatting of one value; "-0" becomes "0".
std::string format(const char* spec, double v) {
  if (v == 0) v = 0;  // drops the sign of -0
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

/// 3 significant digits, infinities as +∞ and -∞.
std::string sig3(double v) {
  if (std::isinf(v)) return v > 0 ? "+∞" : "-∞";
  return format("%.3g", v);
}

/// Rounded to 2 decimals, without trailing zeros: 2.98, 0.5, -6.
std::string dec2(double v) {
  std::string s = format("%.2f", std::round(v * 100) / 100);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

/// Points (in the ascending order they were found), each pair -a, a written once as ±a:
/// "0", "±3", "0, 6".
std::string points(const std::vector<double>& xs) {
  std::vector<std::string> out;
  std::vector<std::string> text;
  for (double v : xs) text.push_back(dec2(v));
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i].empty()) continue;
    if (text[i][0] == '-') {
      const std::string positive = text[i].substr(1);
      const auto twin = std::ranges::find(text, positive);
      if (twin != text.end()) {
        out.push_back("±" + positive);
        twin->clear();
        continue;
      }
    }
    out.push_back(text[i]);
  }
  std::string s;
  for (const std::string& t : out) s += (s.empty() ? "" : ", ") + t;
  return s;
}

std::string intervals(const std::vector<interval>& runs) {
  if (runs.empty()) return "nowhere";
  std::string s;
  for (const interval& r : runs) {
    if (!s.empty()) s += " ∪ ";
    s += '[';
    s += dec2(r.lo);
    s += ", ";
    s += dec2(r.hi);
    s += ']';
  }
  return s;
}

std::string saturation(double far_value, double edge_value) {
  const std::string v = " (" + sig3(far_value) + ")";
  if (steep_at(far_value)) return "no" + v;
  return (steep_at(edge_value) ? "yes, beyond the plot" : "yes") + v;
}

std::string image_file(std::size_t fam) {
  return "activations-" + std::string(families[fam].id) + ".png";
}

// --- outputs -----------------------------------------------------------------------------------

void write_data(const std::filesystem::path& file, const profile& p) {
  std::ofstream out(file);
  const std::vector<double> x = plot_grid();
  for (std::size_t i = 0; i < x.size(); ++i)
    out << format("%.6f", x[i]) << ' ' << format("%.10g", p.f[i]) << ' '
        << format("%.10g", p.df[i]) << '\n';
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

// Panel colours (f and f' of one function share one); the grey is kept for the bands.
constexpr std::string_view colours[] = {"#1f5fbf", "#c8321e", "#1e8c3c", "#8c3cb4", "#d2780a",
                                        "#0a8c96", "#b4286e", "#5a5a14", "#3c3c3c", "#6e4614"};
constexpr std::string_view band_colour = "#dcdcdc";
constexpr int columns = 3, panel_width = 330, panel_height = 250, header_height = 40;

// One image per family: a grid of panels, one per function (its f and f' in one colour, the
// grey bands behind), under a title and one legend for the whole image.
void write_gnuplot(const std::filesystem::path& file, const std::vector<profile>& all,
                   const std::filesystem::path& work, const std::filesystem::path& images) {
  std::ofstream out(file);
  out << "# Generated by examples/plots.cpp: one PNG per family of actfn's catalogue.\n";
  const std::string flat_s = format("%g", flat);
  for (std::size_t fam = 0; fam < families.size(); ++fam) {
    std::vector<const profile*> panel;
    for (const profile& p : all)
      if (p.of == fam) panel.push_back(&p);
    if (panel.empty()) continue;
    const int n = static_cast<int>(panel.size());
    const int rows = (n + columns - 1) / columns;
    const int width = columns * panel_width, height = rows * panel_height + header_height;
    out << "\nreset\n"
        << "set terminal pngcairo size " << width << ',' << height
        << " font 'DejaVu Sans,9' noenhanced\n"
        << "set output '" << (images / image_file(fam)).string() << "'\n"
        // The empty second line of the title leaves room for the legend.
        << "set multiplot layout " << rows << ',' << columns << " title \"" << families[fam].title
        << " (actfn, parameters at their defaults)\\n\" font ',12'\n"
        << "set xrange [" << format("%g", x_lo) << ':' << format("%g", x_hi) << "]\n"
        << "set xtics 2\nset mxtics 2\nset xlabel 'x' offset 0,0.4\n"
        << "set offsets 0, 0, graph 0.05, graph 0.05\n"
        << "set grid xtics ytics lc rgb '#c0c0c0' lw 0.5 dt 3\n"
        << "set xzeroaxis lc rgb '#808080' lw 1\nset yzeroaxis lc rgb '#808080' lw 1\n"
        << "set style fill solid noborder\n"
        // The legend, drawn once (with the first panel) below the title, in neutral black.
        << "set key at screen 0.5, screen " << format("%.4f", 1.0 - 26.0 / height)
        << " center top vertical maxrows 1 Left reverse samplen 3 width -4\n";
    for (int i = 0; i < n; ++i) {
      const profile& p = *panel[static_cast<std::size_t>(i)];
      const std::string_view colour = colours[static_cast<std::size_t>(i) % std::size(colours)];
      out << "\nunset object\n";
      int id = 1;
      for (const interval& r : p.saturated)
        out << "set object " << id++ << " rectangle from first " << format("%.6g", r.lo)
            << ", graph 0 to first " << format("%.6g", r.hi) << ", graph 1 back fc rgb '"
            << band_colour << "' fs solid noborder\n";
      out << "set title '" << p.name << "' font ',11' textcolor rgb '" << colour
          << "' offset 0,-0.4\n"
          << "plot '" << (work / (std::string(p.name) + ".dat")).string()
          << "' using 1:2 with lines lw 2 lc rgb '" << colour << "' notitle, \\\n"
          << "     '' using 1:3 with lines lw 2 dt (7,4) lc rgb '" << colour << "' notitle";
      if (i == 0)
        out << ", \\\n"
            << "     keyentry with lines lw 2 lc black title 'f(x)', \\\n"
            << "     keyentry with lines lw 2 dt (7,4) lc black title \"f'(x)\", \\\n"
            << "     keyentry with boxes fc rgb '" << band_colour
            << "' fs solid border lc rgb '#a0a0a0' title \"|f'(x)| < " << flat_s << "\"";
      out << '\n';
    }
    out << "unset multiplot\n";
  }
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

void write_markdown(const std::filesystem::path& file, const std::vector<profile>& all,
                    std::string_view link_prefix) {
  std::ostringstream md;
  const std::string range = "[" + format("%g", x_lo) + ", " + format("%g", x_hi) + "]";
  const std::string flat_s = format("%g", flat), far_s = format("%g", far);
  md << "**Curves, derivatives and saturation.** Every function of the catalogue at its default "
     << "parameters on " << range << ": f(x) solid, f'(x) dashed in the same colour, and "
     << "grey bands where |f'(x)| < "
     << flat_s << ", where gradients all but vanish. Generated by `scripts/plots.sh` from "
     << "actfn itself: `examples/plots.cpp` evaluates each function of `actfn::catalogue` and "
     << "its derivative with `actfn::forward` and `actfn::derivative` (double, " << grid_points
     << " points), computes the table below from the same values, and gnuplot draws them.\n\n";
  for (std::size_t fam = 0; fam < families.size(); ++fam) {
    if (std::ranges::none_of(all, [&](const profile& p) { return p.of == fam; })) continue;
    md << "![" << families[fam].title << ": each function with its derivative](" << link_prefix
       << image_file(fam) << ")\n";
  }
  md << "\n| function | range on " << range << " | f(-∞) / f(+∞) | zero-centred | saturates "
     << "left (f'(-" << far_s << ")) | saturates right (f'(" << far_s << ")) | \\|f'\\| ≥ "
     << flat_s << " on | monotonic | kinks |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const profile& p : all) {
    std::string kinks = points(p.kinks);
    if (!p.jumps.empty()) kinks += (kinks.empty() ? "" : "; ") + points(p.jumps) + " (f jumps)";
    md << "| `" << p.name << "` | [" << sig3(p.f_min) << ", " << sig3(p.f_max) << "] | "
       << sig3(p.f_neg_inf) << " / " << sig3(p.f_pos_inf) << " | "
       << (p.zero_centred ? "yes" : "no") << " | "
       << saturation(p.df_far_left, p.df_edge_left) << " | "
       << saturation(p.df_far_right, p.df_edge_right) << " | " << intervals(p.steep) << " | "
       << (p.monotonic ? "yes" : "no") << " | " << (kinks.empty() ? "none" : kinks) << " |\n";
  }
  md << "\nHow each column is computed (`examples/plots.cpp`; nothing in the table is typed by "
        "hand):\n"
     << "- *range on " << range << "*: the smallest and largest f on the grid of " << grid_points
     << " evenly spaced points (3 significant digits); *f(-∞) / f(+∞)*: actfn evaluated at "
        "the infinities, which gives the limits.\n"
     << "- *zero-centred*: f(0) = 0 and f takes both signs on the grid.\n"
     << "- *saturates left / right*: |f'| < " << flat_s << " both at x = ∓" << far_s
     << " and at the edge of the plot (x = " << format("%g", x_lo) << " / "
     << format("%g", x_hi) << "); in brackets f'(∓" << far_s
     << "), the slope left in the tail (a leaky slope such as 0.01 counts as saturated by "
        "this threshold, though it never reaches 0).\n"
     << "- *|f'| ≥ " << flat_s << " on*: the parts of " << range
     << " where the slope is at least " << flat_s
     << " (outside them, the grey bands); each end is found by bisection on f' between two "
        "grid points and rounded to 2 decimals.\n"
     << "- *monotonic*: f' ≥ 0 at every grid point, or f' ≤ 0 at every grid point.\n"
     << "- *kinks*: where the slope jumps by more than " << format("%g", min_slope_jump)
     << ", found from f alone: on a grid of step h = 1/" << format("%g", 1 / kink_step)
     << " over " << range
     << ", the right difference quotient (f(x+h) - f(x))/h minus the left one "
        "(f(x) - f(x-h))/h is about f''(x) h where f is smooth and the jump of the slope at a "
        "kink; neighbouring points above the threshold are one kink, placed at their "
        "weighted centre and rounded to 2 decimals. \"f jumps\" marks a discontinuity of f "
        "itself (a difference quotient above "
     << format("%g", max_slope) << "). Kinks outside " << range << " are not searched for "
     << "(softplus switches formula at x = "
     << format("%g", actfn::softplus{}.threshold / actfn::softplus{}.beta) << ").\n";
  std::ofstream out(file);
  out << md.str();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <work-dir> <image-dir> <image-link-prefix>\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path work = std::filesystem::absolute(argv[1]);
    const std::filesystem::path images = std::filesystem::absolute(argv[2]);
    std::filesystem::create_directories(work);
    const std::vector<profile> all = analyse_catalogue(std::type_identity<actfn::families::all>{});
    for (const profile& p : all) write_data(work / (std::string(p.name) + ".dat"), p);
    write_gnuplot(work / "plots.gp", all, work, images);
    write_markdown(work / "plots.md", all, argv[3]);
    std::printf("plots: %zu functions in %zu families: %s/plots.gp, %s/plots.md\n", all.size(),
                families.size(), work.c_str(), work.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "plots: %s\n", e.what());
    return 1;
  }
  return 0;
}
