// SPDX-License-Identifier: MIT
#include <station/reports.hpp>
#include <station/runner.hpp>

#include <boost/json.hpp>

namespace station {
namespace {

boost::json::object finding_json(const Finding &f)
{
	boost::json::object o{{"what", f.what}, {"cause", f.cause}, {"text", format_finding(f)}};
	o["chain"] = f.chain ? boost::json::value(*f.chain) : nullptr;
	o["position"] = f.position ? boost::json::value(*f.position) : nullptr;
	o["domain"] = f.domain;
	o["device"] = f.device;
	return o;
}

boost::json::object step_json(const StepResult &s)
{
	boost::json::array findings;
	for (const auto &f : s.findings)
		findings.push_back(finding_json(f));
	return {{"name", s.name},
	        {"kind", step_kind_name(s.kind)},
	        {"verdict", verdict_name(s.verdict)},
	        {"measured", s.measured},
	        {"threshold", s.threshold},
	        {"note", s.note},
	        {"seconds", s.seconds},
	        {"findings", std::move(findings)}};
}

boost::json::object chip_json(const ChipResult &c)
{
	boost::json::object o{{"chain", c.chain},       {"position", c.position},
	                      {"domain", c.domain},     {"answered", c.answered},
	                      {"freq_mhz", c.freq_mhz}, {"verdict", verdict_name(c.verdict)},
	                      {"reason", c.reason}};
	o["valid"] = c.valid ? boost::json::value(*c.valid) : nullptr;
	o["hw_errors"] = c.hw_errors;
	o["cores_seen"] = c.cores_seen;
	o["cores"] = c.cores;
	o["hw_error_rate"] = c.hw_error_rate();
	o["expected"] = c.expected;
	o["min_valid"] = c.min_valid;
	o["host_hashes"] = c.host_hashes;
	o["chip_hashes"] = c.chip_hashes ? boost::json::value(*c.chip_hashes) : nullptr;
	return o;
}

} // namespace

boost::json::value report_json(const RunResult &run)
{
	boost::json::array steps, chips, chains;
	for (const auto &s : run.steps)
		steps.push_back(step_json(s));
	for (const auto &c : run.chips)
		chips.push_back(chip_json(c));
	for (const auto &c : run.chains)
		chains.push_back({{"id", c.id},
		                  {"family", c.family},
		                  {"expected_chips", c.expected_chips},
		                  {"found", c.found},
		                  {"ticket_log2", c.ticket_log2}});
	boost::json::array domains;
	for (const auto &d : run.domains)
		domains.push_back({{"name", d.name},
		                   {"chain", d.chain},
		                   {"chips", d.chips},
		                   {"failed", d.failed},
		                   {"valid", d.valid},
		                   {"expected", d.expected},
		                   {"ghs", d.ghs},
		                   {"nominal_ghs", d.nominal_ghs}});
	return {{"verdict", verdict_name(run.verdict)},
	        {"serial", run.serial},
	        {"board", run.board},
	        {"board_file", run.board_file},
	        {"plan", run.plan},
	        {"started_utc", run.started_utc},
	        {"simulated", run.simulated},
	        {"board_seconds", run.board_seconds},
	        {"steps", std::move(steps)},
	        {"chains", std::move(chains)},
	        {"chips", std::move(chips)},
	        {"domains", std::move(domains)}};
}

} // namespace station
