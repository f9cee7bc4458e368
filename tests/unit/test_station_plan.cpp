// SPDX-License-Identifier: MIT
// Test plans: the shipped plans parse for every shipped board they name, and every error
// in a broken plan names the file, the line and the key.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"

#include <station/plan.hpp>

#include <hashboard/board/board_config.hpp>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using namespace station;

namespace {

const fs::path kPlans = hbtest::boards_dir().parent_path() / "plans";

hashboard::BoardConfig nano3()
{
	return hashboard::load_board_config(hbtest::boards_dir() / "nano3-class-sim.toml");
}

// The error a plan text gives, as ConfigError's parts.
hashboard::ConfigError plan_error(const std::string &text)
{
	try {
		parse_test_plan(text, "plans/broken.toml", nano3());
	} catch (const hashboard::ConfigError &e) {
		return e;
	}
	BOOST_FAIL("the plan was accepted:\n" << text);
	throw std::logic_error("unreachable");
}

} // namespace

BOOST_AUTO_TEST_CASE(the_default_plan_file_is_the_built_in_plan)
{
	const TestPlan file = load_test_plan(kPlans / "default.toml", nano3());
	const TestPlan built_in = default_test_plan();
	BOOST_TEST_REQUIRE(file.steps.size() == built_in.steps.size());
	for (std::size_t i = 0; i < file.steps.size(); ++i) {
		BOOST_TEST(step_kind_name(file.steps[i].kind) ==
		           step_kind_name(built_in.steps[i].kind));
		BOOST_TEST(file.steps[i].name == built_in.steps[i].name);
	}
	const auto &p = file.steps.at(4).pattern;
	BOOST_TEST(p.seconds == PatternStep{}.seconds);
	BOOST_TEST(p.min_expected == PatternStep{}.min_expected);
	BOOST_TEST(p.z == PatternStep{}.z);
	BOOST_TEST(file.steps.at(0).supply.tolerance_mv == SupplyStep{}.tolerance_mv);
}

BOOST_AUTO_TEST_CASE(every_shipped_plan_parses_for_its_board)
{
	for (const auto &entry : fs::directory_iterator(kPlans)) {
		BOOST_TEST_CONTEXT(entry.path())
		{
			// A plan that names a board is checked against that board, else against
			// each.
			for (const auto &b : fs::directory_iterator(hbtest::boards_dir())) {
				const auto cfg = hashboard::load_board_config(b.path());
				try {
					const TestPlan plan = load_test_plan(entry.path(), cfg);
					BOOST_TEST(!plan.steps.empty());
				} catch (const hashboard::ConfigError &e) {
					BOOST_TEST(e.key() == "board", e.what());
				}
			}
		}
	}
}

BOOST_AUTO_TEST_CASE(an_unknown_key_names_file_line_and_key)
{
	const auto e = plan_error("name = \"x\"\n[[step]]\ntype = \"supply\"\n\n[[step]]\n"
	                          "type = \"pattern\"\nsecond = 5\n");
	BOOST_TEST(e.file() == "plans/broken.toml");
	BOOST_TEST(e.line() == 7u);
	BOOST_TEST(e.key() == "step[1].second");
	BOOST_TEST(std::string(e.what()).find("plans/broken.toml:7:") == 0, e.what());
}

BOOST_AUTO_TEST_CASE(a_value_out_of_range_names_its_key)
{
	const auto e =
	    plan_error("name = \"x\"\n[[step]]\ntype = \"pattern\"\nmin_fraction = 1.5\n");
	BOOST_TEST(e.line() == 4u);
	BOOST_TEST(e.key() == "step[0].min_fraction");
}

BOOST_AUTO_TEST_CASE(an_unknown_step_type_is_refused_at_its_line)
{
	const auto e = plan_error("name = \"x\"\n\n[[step]]\ntype = \"smoke\"\n");
	BOOST_TEST(e.line() == 4u);
	BOOST_TEST(e.key() == "step[0].type");
}

BOOST_AUTO_TEST_CASE(counters_need_a_pattern_step_before_them)
{
	const auto e = plan_error("name = \"x\"\n[[step]]\ntype = \"counters\"\n[[step]]\n"
	                          "type = \"pattern\"\n");
	BOOST_TEST(e.line() == 3u);
	BOOST_TEST(e.key() == "step[0].type");
}

BOOST_AUTO_TEST_CASE(a_plan_for_another_board_is_refused)
{
	const auto e = plan_error("name = \"x\"\nboard = \"s19\"\n[[step]]\ntype = \"supply\"\n");
	BOOST_TEST(e.line() == 2u);
	BOOST_TEST(e.key() == "board");
}

BOOST_AUTO_TEST_CASE(a_plan_without_steps_is_refused)
{
	const auto e = plan_error("name = \"x\"\n");
	BOOST_TEST(e.key() == "step");
	const auto dup = plan_error("name = \"x\"\n[[step]]\ntype = \"fans\"\n[[step]]\n"
	                            "type = \"fans\"\n");
	BOOST_TEST(dup.key() == "step[1].name");
	BOOST_TEST(dup.line() == 4u);
}

BOOST_AUTO_TEST_CASE(a_syntax_error_names_the_file_and_line)
{
	const auto e = plan_error("name = \"x\"\n[[step]\ntype = \"supply\"\n");
	BOOST_TEST(e.file() == "plans/broken.toml");
	BOOST_TEST(e.line() == 2u);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_a_config_error)
{
	hbtest::TempDir dir;
	BOOST_CHECK_THROW(load_test_plan(dir.file("nope.toml"), nano3()), hashboard::ConfigError);
}
