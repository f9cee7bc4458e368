// SPDX-License-Identifier: MIT
// hbctl tune --plot's SVG (tools/hbctl/tune_plot.cpp, built into this test): one
// well-formed, self-contained document with a cell per chip, whatever the result holds
// (NaN values, an empty sweep, text that needs escaping).
#include <boost/test/unit_test.hpp>

#include "tune_plot.hpp"

#include <markup/xml_escape.hpp>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

using namespace hashboard;
using hbctl::tune_plot_svg;

namespace {

TuneResult made_up_result()
{
	TuneResult r;
	r.mode = TuneMode::efficiency;
	r.converged = true;
	r.stop_reason = "converged";
	r.rail_mv = {{"vcore", 1225}};
	std::vector<double> chain0, chain1;
	for (int i = 0; i < 10; ++i)
		chain0.push_back(450 + 7.5 * i);
	for (int i = 0; i < 7; ++i)
		chain1.push_back(520 - 3 * i);
	r.chip_mhz = {{0, chain0}, {1, chain1}};
	for (double mv = 1150; mv <= 1300; mv += 25)
		r.sweep.push_back(SweepPoint{
		    mv, 480 + (mv - 1150) / 2, 450, 530, 1.0 + (mv - 1150) / 300,
		    80 + (mv - 1150) / 3, (80 + (mv - 1150) / 3) / (1.0 + (mv - 1150) / 300), 60});
	r.hashrate_ths = 1.25;
	r.power_w = 88;
	r.j_per_th = 70.4;
	return r;
}

std::size_t count(const std::string &s, const std::string &needle)
{
	std::size_t n = 0;
	for (auto at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1))
		++n;
	return n;
}

// Tags nest: every opening tag closed in order, self-closing ones aside.
bool tags_balance(const std::string &svg)
{
	std::vector<std::string> open;
	static const std::regex tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>)");
	for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag);
	     it != std::sregex_iterator(); ++it) {
		const auto &m = *it;
		if (m[3] == "/")
			continue;
		if (m[1] == "/") {
			if (open.empty() || open.back() != m[2])
				return false;
			open.pop_back();
		} else {
			open.push_back(m[2]);
		}
	}
	return open.empty();
}

void well_formed(const std::string &svg)
{
	BOOST_TEST(svg.rfind("<svg ", 0) == 0u);
	BOOST_TEST(svg.find("</svg>") == svg.size() - 7); // then the last newline
	BOOST_TEST(count(svg, "<g") == count(svg, "</g>"));
	BOOST_TEST(tags_balance(svg));
	for (const char *bad : {"<script", "@import", "href=\"http", "url(http"})
		BOOST_TEST(svg.find(bad) == std::string::npos, bad);
	// No number fmt could not write ("nan", "inf"), as a word of its own.
	static const std::regex not_a_number(R"((^|[^a-z])-?(nan|inf)([^a-z]|$))",
	                                     std::regex::icase);
	BOOST_TEST(!std::regex_search(svg, not_a_number));
	// Every & starts an entity.
	static const std::regex raw_amp(R"(&(?!amp;|lt;|gt;|quot;|apos;))");
	BOOST_TEST(!std::regex_search(svg, raw_amp));
}

} // namespace

BOOST_AUTO_TEST_CASE(a_result_draws_one_cell_per_chip_and_both_charts)
{
	const std::string svg = tune_plot_svg(made_up_result(), "nano3-class-sim (SN-1)");
	well_formed(svg);
	BOOST_TEST(count(svg, "class=\"chip\"") == 17u);
	BOOST_TEST(count(svg, "<polyline") == 2u);
	BOOST_TEST(count(svg, "<circle") == 2 * made_up_result().sweep.size());
	BOOST_TEST(count(svg, "class=\"chosen\"") == 2u); // the rail's voltage on each chart
	BOOST_TEST(svg.find("min 450.0 MHz") != std::string::npos);
	BOOST_TEST(svg.find("max 520.0 MHz") != std::string::npos);
	BOOST_TEST(svg.find("1225 mV") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nan_values_and_an_empty_sweep_still_draw)
{
	TuneResult r = made_up_result();
	r.chip_mhz[0][3] = std::nan("");
	r.chip_mhz[1][0] = std::numeric_limits<double>::infinity();
	r.sweep[2].j_per_th = std::nan("");
	r.j_per_th = std::nan("");
	r.converged = false;
	r.stop_reason = "trip: <hot> & \"bothered\"";
	const std::string svg = tune_plot_svg(r, "a & b <c>");
	well_formed(svg);
	BOOST_TEST(count(svg, "class=\"chip\"") == 17u);
	BOOST_TEST(svg.find("a &amp; b &lt;c&gt;") != std::string::npos);

	r.sweep.clear();
	r.chip_mhz.clear();
	r.rail_mv.clear();
	const std::string empty = tune_plot_svg(r, "empty");
	well_formed(empty);
	BOOST_TEST(count(empty, "class=\"chip\"") == 0u);
	BOOST_TEST(empty.find("no chips") != std::string::npos);
	BOOST_TEST(empty.find("no voltage sweep") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_frequency_everywhere_and_a_wide_board)
{
	TuneResult r = made_up_result();
	r.chip_mhz = {{0, std::vector<double>(126, 500)},
	              {1, std::vector<double>(126, 500)},
	              {2, std::vector<double>(126, 500)}};
	r.sweep.resize(1);
	const std::string svg = tune_plot_svg(r, "s19-class");
	well_formed(svg);
	BOOST_TEST(count(svg, "class=\"chip\"") == 378u);
}

BOOST_AUTO_TEST_CASE(escaping)
{
	BOOST_TEST(markup::xml_escape("<a href='x'>&\"</a>") ==
	           "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
	BOOST_TEST(markup::xml_escape(std::string("a\x01"
	                                          "b\tc",
	                                          5)) == "a?b\tc");
}
