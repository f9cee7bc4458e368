// SPDX-License-Identifier: MIT
// The HTML report: one file a technician opens anywhere (no network: inline CSS, inline
// SVG, no script), the verdict first, then each chain's chips where they sit on the
// board (its file's [chain.layout], else chain order; a failing chip red, values on
// hover), then the steps.
#include <station/reports.hpp>
#include <station/runner.hpp>

#include <markup/xml_escape.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace station {
namespace {

using markup::xml_escape;

constexpr unsigned kPerRow = 20; // chips per row of the map
constexpr unsigned kCell = 30;   // px per chip, with its gap

const char *kStyle = R"(
body{font-family:sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{margin:0 0 .2em 0} .meta{color:#555;margin-bottom:1em}
.verdict{display:inline-block;padding:.2em .8em;border-radius:.3em;color:#fff;font-weight:bold}
.v-pass{background:#2e7d32} .v-fail{background:#c62828} .v-skipped{background:#757575}
table{border-collapse:collapse;margin:1em 0} td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top} th{background:#eee}
svg .chip.pass{fill:#43a047} svg .chip.fail{fill:#e53935;stroke:#000;stroke-width:2}
svg .chip.skipped{fill:#9e9e9e} svg text{font-size:10px;fill:#fff;pointer-events:none}
svg .dom{fill:#555;font-size:10px} .findings li{margin:.2em 0}
svg .route{fill:none;stroke:#bbb;stroke-width:2}
.legend span{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle}
)";

std::string chip_title(const ChipResult &c)
{
	std::string t = fmt::format("chain {} chip {}", c.chain, c.position);
	if (!c.domain.empty())
		t += fmt::format(", domain {}", c.domain);
	t += fmt::format("\nverdict: {}", verdict_name(c.verdict));
	if (!c.reason.empty())
		t += "\n" + c.reason;
	t += c.answered ? fmt::format("\n{:.0f} MHz", c.freq_mhz) : "\ndoes not answer";
	if (c.valid)
		t += fmt::format(
		    "\nvalid {} of {:.1f} expected (min {:g})\nhw errors {} ({:.2f} %)", *c.valid,
		    c.expected, c.min_valid, c.hw_errors, 100 * c.hw_error_rate());
	if (c.chip_hashes)
		t += fmt::format("\nhashes: host {:.3g}, chip {:.3g}", c.host_hashes,
		                 *c.chip_hashes);
	return t;
}

// The chips' cells: the board file's layout, else chain order in rows of kPerRow.
std::vector<hashboard::ChipCell> map_cells(const ChainSummary &chain, unsigned n, unsigned &cols,
                                           unsigned &rows)
{
	if (!chain.cells.empty() && chain.cells.size() == n) {
		cols = chain.columns;
		rows = chain.rows;
		return chain.cells;
	}
	const hashboard::ChainLayout l = hashboard::chain_order_layout(n, kPerRow);
	cols = l.columns;
	rows = l.rows;
	return hashboard::chip_cells(l, n);
}

std::string chain_map(const RunResult &run, const ChainSummary &chain)
{
	std::vector<const ChipResult *> chips;
	for (const auto &c : run.chips)
		if (c.chain == chain.id)
			chips.push_back(&c);
	const unsigned n = unsigned(chips.size());
	unsigned cols = 1, rows = 1;
	const auto cells = map_cells(chain, n, cols, rows);
	// Which chip sits in each cell, to label a domain where it begins along a row.
	std::vector<int> at(std::size_t(cols) * rows, -1);
	for (unsigned i = 0; i < n; ++i)
		at[std::size_t(cells[i].row) * cols + cells[i].column] = int(i);
	const auto left = [&](unsigned i) { return 5 + cells[i].column * kCell; };
	const auto top = [&](unsigned i) { return 3 + cells[i].row * (kCell + 14); };
	const unsigned w = cols * kCell + 10, h = rows * (kCell + 14) + 6;
	std::string out =
	    fmt::format("<h3>chain {} &mdash; {} of {} chips answer ({}){}</h3>\n"
	                "<svg class=\"chainmap\" data-chain=\"{}\" data-layout=\"{}\" "
	                "xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
	                "viewBox=\"0 0 {} {}\">\n",
	                chain.id, chain.found, chain.expected_chips, xml_escape(chain.family),
	                chain.cells.empty() ? " &mdash; chain order" : " &mdash; as on the board",
	                chain.id, chain.cells.empty() ? "chain-order" : "board", w, h, w, h);
	// The chain's route, chip to chip, under the chips: where a break sits on the board.
	if (n > 1) {
		std::string points;
		for (unsigned i = 0; i < n; ++i)
			points += fmt::format("{}{},{}", i ? " " : "", left(i) + (kCell - 4) / 2,
			                      top(i) + 12 + (kCell - 4) / 2);
		out += fmt::format("<polyline class=\"route\" points=\"{}\"/>\n", points);
	}
	for (unsigned i = 0; i < n; ++i) {
		const ChipResult &c = *chips[i];
		const unsigned x = left(i), y = top(i);
		// The domain's name above its first chip along each row: a break reads as a place.
		const int prev = cells[i].column == 0
		                     ? -1
		                     : at[std::size_t(cells[i].row) * cols + cells[i].column - 1];
		if (prev < 0 || chips[std::size_t(prev)]->domain != c.domain)
			out += fmt::format("<text class=\"dom\" x=\"{}\" y=\"{}\">{}</text>\n", x,
			                   y + 9, xml_escape(c.domain));
		out += fmt::format(
		    "<g><rect class=\"chip {}\" data-chain=\"{}\" data-position=\"{}\" "
		    "data-verdict=\"{}\" data-column=\"{}\" data-row=\"{}\" x=\"{}\" y=\"{}\" "
		    "width=\"{}\" height=\"{}\" rx=\"3\"><title>{}</title></rect>"
		    "<text x=\"{}\" y=\"{}\">{}</text></g>\n",
		    verdict_name(c.verdict), c.chain, c.position, verdict_name(c.verdict),
		    cells[i].column, cells[i].row, x, y + 12, kCell - 4, kCell - 4,
		    xml_escape(chip_title(c)), x + 4, y + 12 + 17, c.position);
	}
	out += "</svg>\n";
	return out;
}

} // namespace

std::string report_html(const RunResult &run)
{
	const std::string v(verdict_name(run.verdict));
	std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
	out += fmt::format("<title>hbctl test {} {}: {}</title>\n<style>{}</style></head><body>\n",
	                   xml_escape(run.board), xml_escape(run.serial),
	                   v == "pass" ? "PASS" : "FAIL", kStyle);
	out += fmt::format("<h1>{} <span id=\"verdict\" class=\"verdict v-{}\">{}</span></h1>\n",
	                   xml_escape(run.board), v, v == "pass" ? "PASS" : "FAIL");
	out += fmt::format("<div class=\"meta\">serial <b>{}</b> &middot; plan {} &middot; {} "
	                   "&middot; {:.1f} s board time{}</div>\n",
	                   xml_escape(run.serial.empty() ? "(none)" : run.serial),
	                   xml_escape(run.plan), xml_escape(run.started_utc), run.board_seconds,
	                   run.simulated ? " &middot; simulated" : "");
	out += "<h2>Chips</h2>\n<div class=\"legend\">as on the board where its file gives the "
	       "layout (the grey line runs chip to chip along the chain), else chain order from "
	       "the top left"
	       "<span style=\"background:#43a047\"></span>pass<span style=\"background:#e53935\">"
	       "</span>fail<span style=\"background:#9e9e9e\"></span>not tested</div>\n";
	for (const auto &chain : run.chains)
		out += chain_map(run, chain);
	if (run.chains.empty())
		out += "<p>No chain was started.</p>\n";
	if (!run.domains.empty()) {
		out += "<h2>Voltage domains</h2>\n<table id=\"domains\"><tr><th>chain</th>"
		       "<th>domain</th><th>chips</th><th>failed</th><th>GH/s</th>"
		       "<th>nominal GH/s</th><th>valid / expected</th></tr>\n";
		for (const auto &d : run.domains)
			out += fmt::format(
			    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
			    "<td>{:.1f}</td><td>{:.1f}</td><td>{:.0f} / {:.0f}</td></tr>\n",
			    d.chain, xml_escape(d.name), d.chips, d.failed, d.ghs, d.nominal_ghs,
			    d.valid, d.expected);
		out += "</table>\n";
	}
	out += "<h2>Steps</h2>\n<table id=\"steps\"><tr><th>step</th><th>verdict</th>"
	       "<th>measured</th><th>threshold</th><th>what to look at</th></tr>\n";
	for (const auto &s : run.steps) {
		std::string findings;
		for (const auto &f : s.findings)
			findings += "<li>" + xml_escape(format_finding(f)) + "</li>";
		if (!findings.empty())
			findings = "<ul class=\"findings\">" + findings + "</ul>";
		else if (!s.note.empty())
			findings = xml_escape(s.note);
		out += fmt::format("<tr><td>{}</td><td><span class=\"verdict v-{}\">{}</span></td>"
		                   "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
		                   xml_escape(s.name), verdict_name(s.verdict),
		                   verdict_name(s.verdict), xml_escape(s.measured),
		                   xml_escape(s.threshold), findings);
	}
	out += "</table>\n</body></html>\n";
	return out;
}

} // namespace station
