// SPDX-License-Identifier: MIT
#include "tune_plot.hpp"

#include <markup/xml_escape.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <set>
#include <vector>

namespace hbctl {
namespace {

using hashboard::SweepPoint;
using hashboard::TuneResult;
using markup::xml_escape;

constexpr double kWidth = 980, kHeight = 440;
constexpr double kMargin = 20, kTitleH = 34;
// Left panel: the frequency map; right panel: the two charts.
constexpr double kMapX = kMargin, kMapW = 440;
constexpr double kChartX = 540, kChartW = 410;
constexpr double kLegendH = 14;

struct Range {
	double lo = std::numeric_limits<double>::infinity();
	double hi = -std::numeric_limits<double>::infinity();
	void add(double v)
	{
		if (std::isfinite(v)) {
			lo = std::min(lo, v);
			hi = std::max(hi, v);
		}
	}
	bool empty() const { return !(lo <= hi); }
	// A zero-width range drawn as one around its value, so nothing divides by zero.
	Range padded() const
	{
		if (empty())
			return {0, 1};
		if (hi - lo > 1e-9 * std::max(1.0, std::abs(hi)))
			return *this;
		const double d = std::max(1.0, std::abs(lo) * 0.05);
		return {lo - d, hi + d};
	}
	double frac(double v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.5; }
};

// A perceptually even dark-blue to yellow ramp (viridis' stops): readable in grey too.
std::string ramp(double t)
{
	static constexpr std::array<std::array<int, 3>, 5> kStops{
	    {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
	t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (kStops.size() - 1);
	const auto i = std::min<std::size_t>(std::size_t(t), kStops.size() - 2);
	const double f = t - double(i);
	const auto mix = [&](int c) {
		return int(std::lround(kStops[i][c] + f * (kStops[i + 1][c] - kStops[i][c])));
	};
	return fmt::format("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2));
}

// Axis ticks at 1, 2 or 5 times a power of ten, about n of them.
std::vector<double> ticks(Range r, int n)
{
	std::vector<double> out;
	const double span = r.hi - r.lo;
	if (!(span > 0) || !std::isfinite(span))
		return out;
	const double raw = span / n;
	const double mag = std::pow(10, std::floor(std::log10(raw)));
	double step = mag;
	for (double m : {1.0, 2.0, 5.0, 10.0})
		if (m * mag >= raw) {
			step = m * mag;
			break;
		}
	for (double v = std::ceil(r.lo / step) * step; v <= r.hi + step * 1e-9; v += step)
		out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
	return out;
}

std::string num(double v)
{
	return fmt::format("{:.1f}", v);
}

class Svg {
public:
	void raw(std::string_view s) { out_ += s; }
	template <typename... A> void line(fmt::format_string<A...> f, A &&...a)
	{
		fmt::format_to(std::back_inserter(out_), f, std::forward<A>(a)...);
		out_ += '\n';
	}
	void text(double x, double y, std::string_view s, std::string_view attrs = "")
	{
		line("<text x=\"{}\" y=\"{}\" {}>{}</text>", num(x), num(y), attrs, xml_escape(s));
	}
	std::string take() { return std::move(out_); }

private:
	std::string out_;
};

void chip_map(Svg &svg, const TuneResult &r)
{
	Range mhz;
	std::size_t widest = 0;
	for (const auto &[id, chips] : r.chip_mhz) {
		widest = std::max(widest, chips.size());
		for (double f : chips)
			mhz.add(f);
	}
	const double top = kTitleH + 24, bottom = kHeight - kMargin - kLegendH - 40;
	svg.line("<g id=\"chip-map\">");
	svg.text(kMapX, top - 8, "chip frequency (MHz), chains by chip order",
	         "font-size=\"13\" font-weight=\"bold\"");
	if (widest == 0) {
		svg.text(kMapX, top + 20, "no chips");
		svg.line("</g>");
		return;
	}
	const double label_w = 54;
	const double cell_w = std::min(28.0, (kMapW - label_w) / double(widest));
	const double cell_h =
	    std::min(28.0, (bottom - top) / double(std::max<std::size_t>(1, r.chip_mhz.size())));
	const Range scale = mhz.padded();
	double y = top;
	for (const auto &[id, chips] : r.chip_mhz) {
		svg.text(kMapX, y + cell_h / 2 + 4, fmt::format("chain {}", id),
		         "font-size=\"11\"");
		for (std::size_t p = 0; p < chips.size(); ++p) {
			const double f = chips[p];
			const bool ok = std::isfinite(f);
			svg.line(
			    "<rect class=\"chip\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
			    "fill=\"{}\" stroke=\"#fff\" "
			    "stroke-width=\"{}\"><title>{}</title></rect>",
			    num(kMapX + label_w + p * cell_w), num(y), num(cell_w), num(cell_h),
			    ok ? ramp(scale.frac(f)) : "#bbbbbb", cell_w > 6 ? "1" : "0",
			    xml_escape(ok ? fmt::format("chain {} chip {}: {:.1f} MHz", id, p, f)
			                  : fmt::format("chain {} chip {}: no value", id, p)));
		}
		y += cell_h;
	}
	// Chip order, under the widest chain's first and last cells.
	svg.text(kMapX + label_w, y + 12, "chip 0", "font-size=\"10\" fill=\"#555\"");
	if (widest > 1)
		svg.text(kMapX + label_w + widest * cell_w, y + 12,
		         fmt::format("chip {}", widest - 1),
		         "font-size=\"10\" fill=\"#555\" text-anchor=\"end\"");
	// The legend: the ramp with its ends labelled by the map's lowest and highest.
	const double ly = y + 22, lw = kMapW - label_w;
	svg.line("<defs><linearGradient id=\"mhz-ramp\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">");
	for (int i = 0; i <= 4; ++i)
		svg.line("<stop offset=\"{}\" stop-color=\"{}\"/>", i / 4.0, ramp(i / 4.0));
	svg.line("</linearGradient></defs>");
	svg.line("<rect class=\"legend\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
	         "fill=\"url(#mhz-ramp)\"/>",
	         num(kMapX + label_w), num(ly), num(lw), num(kLegendH));
	if (!mhz.empty()) {
		svg.text(kMapX + label_w, ly + kLegendH + 14, fmt::format("min {:.1f} MHz", mhz.lo),
		         "font-size=\"11\"");
		svg.text(kMapX + label_w + lw, ly + kLegendH + 14,
		         fmt::format("max {:.1f} MHz", mhz.hi),
		         "font-size=\"11\" text-anchor=\"end\"");
	}
	svg.line("</g>");
}

// One chart of y against the sweep's millivolts, with the chosen voltages marked.
void sweep_chart(Svg &svg, const std::vector<SweepPoint> &pts, double SweepPoint::*field,
                 std::string_view label, std::string_view colour, double top, double h,
                 const std::set<double> &chosen_mv)
{
	constexpr double kAxisW = 48;
	const double x0 = kChartX + kAxisW, w = kChartW - kAxisW, y0 = top, y1 = top + h;
	Range xs, ys;
	for (const auto &p : pts)
		if (std::isfinite(p.mv) && std::isfinite(p.*field)) {
			xs.add(p.mv);
			ys.add(p.*field);
		}
	for (double mv : chosen_mv)
		xs.add(mv);
	const Range xr = xs.padded(), yr = ys.padded();
	const auto px = [&](double v) { return x0 + xr.frac(v) * w; };
	const auto py = [&](double v) { return y1 - yr.frac(v) * h; };

	svg.line("<g class=\"chart\">");
	svg.text(x0, top - 6, label,
	         fmt::format("font-size=\"12\" font-weight=\"bold\" fill=\"{}\"", colour));
	svg.line("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" "
	         "stroke=\"#888\"/>",
	         num(x0), num(y0), num(w), num(h));
	// No y scale without points: it would label values nobody measured.
	for (double t : ys.empty() ? std::vector<double>{} : ticks(yr, 4)) {
		svg.line("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>", num(x0),
		         num(py(t)), num(x0 + w), num(py(t)));
		svg.text(x0 - 4, py(t) + 4, fmt::format("{:g}", t),
		         "font-size=\"10\" text-anchor=\"end\"");
	}
	for (double t : ticks(xr, 5))
		svg.text(px(t), y1 + 13, fmt::format("{:g}", t),
		         "font-size=\"10\" text-anchor=\"middle\"");
	for (double mv : chosen_mv) {
		svg.line("<line class=\"chosen\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
		         "stroke=\"#d62728\" "
		         "stroke-dasharray=\"4 3\"/>",
		         num(px(mv)), num(y0), num(px(mv)), num(y1));
		svg.text(px(mv) + 3, y0 + 11, fmt::format("{:g} mV", mv),
		         "font-size=\"10\" fill=\"#d62728\"");
	}
	if (ys.empty()) {
		svg.text(x0 + 8, y0 + h / 2, "no voltage sweep", "font-size=\"11\"");
		svg.line("</g>");
		return;
	}
	std::vector<std::pair<double, double>> xy;
	for (const auto &p : pts)
		if (std::isfinite(p.mv) && std::isfinite(p.*field))
			xy.emplace_back(p.mv, p.*field);
	std::sort(xy.begin(), xy.end());
	std::string poly;
	for (const auto &[x, y] : xy)
		poly += fmt::format("{},{} ", num(px(x)), num(py(y)));
	svg.line("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", poly,
	         colour);
	for (const auto &[x, y] : xy)
		svg.line("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"><title>{:g} mV: "
		         "{:.4g}</title></circle>",
		         num(px(x)), num(py(y)), colour, x, y);
	svg.line("</g>");
}

} // namespace

std::string tune_plot_svg(const TuneResult &r, std::string_view title)
{
	Svg svg;
	svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
	         "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\">",
	         kWidth, kHeight);
	svg.line("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
	svg.text(kMargin, 22, title, "font-size=\"16\" font-weight=\"bold\"");
	const auto value = [](double v, int digits) {
		return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string("n/a");
	};
	svg.text(kWidth - kMargin, 22,
	         fmt::format("{} | {} | {} TH/s, {} W, {} J/TH", hashboard::tune_mode_name(r.mode),
	                     r.converged             ? "converged"
	                     : r.stop_reason.empty() ? "not converged"
	                                             : r.stop_reason,
	                     value(r.hashrate_ths, 3), value(r.power_w, 1), value(r.j_per_th, 2)),
	         "font-size=\"12\" text-anchor=\"end\"");
	chip_map(svg, r);

	std::set<double> chosen;
	for (const auto &[rail, mv] : r.rail_mv)
		if (std::isfinite(mv))
			chosen.insert(mv);
	const double top = kTitleH + 24, h = (kHeight - top - kMargin - 2 * 24) / 2;
	svg.line("<g id=\"sweep\">");
	sweep_chart(svg, r.sweep, &SweepPoint::hashrate_ths, "hashrate (TH/s) against rail mV",
	            "#1f77b4", top, h, chosen);
	sweep_chart(svg, r.sweep, &SweepPoint::j_per_th, "efficiency (J/TH) against rail mV",
	            "#2ca02c", top + h + 40, h, chosen);
	svg.line("</g>");
	svg.line("</svg>");
	return svg.take();
}

} // namespace hbctl
