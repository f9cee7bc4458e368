// SPDX-License-Identifier: MIT
// JUnit XML as Jenkins and GitLab read it: one testsuite for the board, one testcase
// per step, a failure element with the findings, skipped for steps that could not run.
#include <station/reports.hpp>
#include <station/runner.hpp>

#include <markup/xml_escape.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace station {

using markup::xml_escape;

std::string report_junit(const RunResult &run)
{
	const auto count = [&](Verdict v) {
		return std::count_if(run.steps.begin(), run.steps.end(),
		                     [&](const StepResult &s) { return s.verdict == v; });
	};
	const std::string suite = xml_escape("hbctl test " + run.board + " " + run.serial);
	std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	out += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" "
	                   "time=\"{:.3f}\">\n",
	                   suite, run.steps.size(), count(Verdict::fail), count(Verdict::skipped),
	                   run.board_seconds);
	out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" "
	                   "time=\"{:.3f}\" timestamp=\"{}\">\n",
	                   suite, run.steps.size(), count(Verdict::fail), count(Verdict::skipped),
	                   run.board_seconds, xml_escape(run.started_utc));
	out += "    <properties>\n";
	for (const auto &[k, v] : {std::pair<std::string, std::string>{"serial", run.serial},
	                           {"board", run.board},
	                           {"plan", run.plan},
	                           {"verdict", std::string(verdict_name(run.verdict))}})
		out +=
		    fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", k, xml_escape(v));
	out += "    </properties>\n";
	for (const auto &s : run.steps) {
		out += fmt::format(
		    "    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3f}\">\n",
		    xml_escape(run.board), step_kind_name(s.kind), xml_escape(s.name), s.seconds);
		if (s.verdict == Verdict::fail) {
			std::string body;
			for (const auto &f : s.findings)
				body += format_finding(f) + "\n";
			const std::string first =
			    s.findings.empty() ? s.measured : format_finding(s.findings.front());
			out += fmt::format(
			    "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
			    xml_escape(first), step_kind_name(s.kind), xml_escape(body));
		} else if (s.verdict == Verdict::skipped) {
			out += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(s.note));
		}
		out +=
		    fmt::format("      <system-out>measured: {}&#10;threshold: {}</system-out>\n",
		                xml_escape(s.measured), xml_escape(s.threshold));
		out += "    </testcase>\n";
	}
	out += "  </testsuite>\n</testsuites>\n";
	return out;
}

} // namespace station
