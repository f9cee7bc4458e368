// SPDX-License-Identifier: MIT
// Test plans read the way board files are (hashboard/config_file.hpp): an unknown or
// misspelt key is an error at its line, never a silent default on a factory line.
#include <station/plan.hpp>

#include <hashboard/config_file.hpp>

#include <algorithm>
#include <array>

namespace station {
namespace {

using hashboard::config::TableReader;

constexpr std::array<std::string_view, 7> kKindNames{
    "supply", "sensors", "fans", "enumeration", "pattern", "counters", "temperature"};

// Plans are a few KiB.
constexpr std::size_t kMaxPlanBytes = std::size_t(1) << 20;

void read_step_keys(TableReader &t, PlanStep &s)
{
	switch (s.kind) {
	case StepKind::supply:
		s.supply.tolerance_mv =
		    t.optional_number("tolerance_mv", 0.1, 1000).value_or(s.supply.tolerance_mv);
		break;
	case StepKind::sensors:
		s.sensors.min_c = t.optional_number("min_c", -100, 200).value_or(s.sensors.min_c);
		s.sensors.max_c = t.optional_number("max_c", -100, 200);
		if (s.sensors.max_c && *s.sensors.max_c <= s.sensors.min_c)
			t.fail("max_c", "must be above min_c");
		break;
	case StepKind::fans:
		s.fans.duty = t.optional_number("duty", 0.05, 1).value_or(s.fans.duty);
		s.fans.settle_s = t.optional_number("settle_s", 0, 600).value_or(s.fans.settle_s);
		s.fans.min_rpm = t.optional_number("min_rpm", 0, 100000);
		break;
	case StepKind::enumeration:
		break;
	case StepKind::pattern: {
		PatternStep &p = s.pattern;
		p.seconds = t.optional_number("seconds", 0.1, 86400).value_or(p.seconds);
		p.max_seconds = t.optional_number("max_seconds", 0.1, 86400)
		                    .value_or(std::max(p.max_seconds, p.seconds));
		if (p.max_seconds < p.seconds)
			t.fail("max_seconds", "must be at least seconds");
		p.min_expected = t.optional_number("min_expected", 0, 1e9).value_or(p.min_expected);
		p.min_fraction = t.optional_number("min_fraction", 0, 1).value_or(p.min_fraction);
		p.z = t.optional_number("z", 0, 20).value_or(p.z);
		p.max_hw_error_rate =
		    t.optional_number("max_hw_error_rate", 0, 1).value_or(p.max_hw_error_rate);
		p.min_core_fraction =
		    t.optional_number("min_core_fraction", 0, 1).value_or(p.min_core_fraction);
		break;
	}
	case StepKind::counters:
		s.counters.tolerance =
		    t.optional_number("tolerance", 0.001, 10).value_or(s.counters.tolerance);
		break;
	case StepKind::temperature:
		s.temperature.max_rise_c =
		    t.optional_number("max_rise_c", 0, 200).value_or(s.temperature.max_rise_c);
		s.temperature.max_c = t.optional_number("max_c", -100, 200);
		break;
	}
}

PlanStep read_step(TableReader &t, bool pattern_before)
{
	PlanStep s;
	s.kind = StepKind(t.choice("type", kKindNames));
	s.name = t.optional_string("name").value_or(std::string(step_kind_name(s.kind)));
	if ((s.kind == StepKind::counters || s.kind == StepKind::temperature) && !pattern_before)
		t.fail("type",
		       "a " + std::string(step_kind_name(s.kind)) +
		           " step measures over the pattern run: put a pattern step before it");
	read_step_keys(t, s);
	t.finish();
	return s;
}

} // namespace

std::string_view step_kind_name(StepKind kind)
{
	return kKindNames.at(std::size_t(kind));
}

TestPlan parse_test_plan(std::string_view text, const std::string &source_name,
                         const hashboard::BoardConfig &config)
{
	const toml::table doc = hashboard::config::parse_toml(text, source_name, "a test plan");
	TableReader root(doc, "", source_name);
	TestPlan plan;
	plan.file = source_name;
	plan.name = root.string("name");
	plan.description = root.optional_string("description").value_or("");
	plan.board = root.optional_string("board");
	if (plan.board && *plan.board != config.name)
		root.fail("board", "the plan is for board '" + *plan.board + "', not '" +
		                       config.name + "' (" + config.file + ")");
	if (!root.has("step"))
		root.missing("step");
	auto steps = root.table_array("step");
	bool pattern = false;
	for (std::size_t i = 0; i < steps.size(); ++i) {
		PlanStep s = read_step(steps[i], pattern);
		pattern = pattern || s.kind == StepKind::pattern;
		for (const auto &other : plan.steps)
			if (other.name == s.name)
				steps[i].fail("name", "another step is called '" + s.name +
				                          "': give each its own name");
		plan.steps.push_back(std::move(s));
	}
	if (plan.steps.empty())
		root.fail("step", "a plan needs at least one [[step]]");
	root.finish();
	return plan;
}

TestPlan load_test_plan(const std::filesystem::path &file, const hashboard::BoardConfig &config)
{
	return parse_test_plan(hashboard::config::read_text_file(file, kMaxPlanBytes, "test plan"),
	                       file.string(), config);
}

TestPlan default_test_plan()
{
	TestPlan plan;
	plan.name = "default";
	plan.description = "every step, thresholds from the board file";
	for (std::size_t k = 0; k < kKindNames.size(); ++k) {
		PlanStep s;
		s.kind = StepKind(k);
		s.name = std::string(kKindNames[k]);
		plan.steps.push_back(s);
	}
	return plan;
}

} // namespace station
