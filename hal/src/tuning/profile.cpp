// SPDX-License-Identifier: MIT
// Tuning profiles as TOML: the scalars and the goal through TableReader, so every error
// has its file, line and key; the per-chip frequencies as arrays, which TableReader has
// no reader for, checked here element by element.
#include <hashboard/config_file.hpp>
#include <hashboard/tuning/profile.hpp>

#include <toml++/toml.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace hashboard {
namespace {

// A profile is a few kilobytes even for a large board.
constexpr std::size_t kMaxProfileBytes = std::size_t(1) << 20;
constexpr double kMaxMhz = 10000;
constexpr double kMaxMv = 100000;

std::string utc_now()
{
	const std::time_t t =
	    std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
	std::tm tm{};
	gmtime_r(&t, &tm);
	char buf[32];
	std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

toml::table goal_table(const TuneGoal &g)
{
	toml::table t;
	if (g.power_limit_w)
		t.insert("power_limit_w", *g.power_limit_w);
	t.insert("min_ths", g.min_ths);
	if (g.temp_ceiling_c)
		t.insert("temp_ceiling_c", *g.temp_ceiling_c);
	t.insert("heat_w", g.heat_w);
	t.insert("fan_cap", g.fan_cap);
	t.insert("fixed_mhz", g.fixed_mhz);
	return t;
}

std::vector<double> read_mhz(const toml::table &raw, config::TableReader &t)
{
	const toml::node *n = raw.get("mhz");
	if (n == nullptr)
		t.missing("mhz");
	const toml::array *a = n->as_array();
	if (a == nullptr)
		t.fail("mhz", "expected an array of frequencies in MHz");
	std::vector<double> out;
	for (const auto &e : *a) {
		const auto v = e.value<double>();
		if (!v || !std::isfinite(*v) || *v <= 0 || *v > kMaxMhz)
			t.fail_at(e.source(), t.key_path("mhz"),
			          fmt::format("expected a frequency in MHz (0, {:g}]", kMaxMhz));
		out.push_back(*v);
	}
	return out;
}

} // namespace

void check_serial(std::string_view serial)
{
	const bool chars_ok = std::all_of(serial.begin(), serial.end(), [](char c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		       c == '.' || c == '_' || c == '-';
	});
	if (serial.empty() || serial.size() > 64 || serial.front() == '.' || !chars_ok)
		throw std::invalid_argument("board serial '" + std::string(serial) +
		                            "': want 1 to 64 of A-Z a-z 0-9 . _ -, not starting "
		                            "with '.'");
}

std::filesystem::path profile_path(const std::filesystem::path &dir, std::string_view serial)
{
	check_serial(serial);
	return dir / (std::string(serial) + ".toml");
}

TuneProfile profile_from_result(const TuneResult &result, std::string serial, std::string board,
                                const TuneGoal &goal)
{
	TuneProfile p;
	p.serial = std::move(serial);
	p.board = std::move(board);
	p.mode = result.mode;
	p.goal = goal;
	p.goal.mode = result.mode;
	p.saved_at = utc_now();
	p.rail_mv = result.rail_mv;
	p.chip_mhz = result.chip_mhz;
	p.hashrate_ths = result.hashrate_ths;
	p.power_w = result.power_w;
	p.j_per_th = result.j_per_th;
	return p;
}

void save_profile(const std::filesystem::path &file, const TuneProfile &p)
{
	check_serial(p.serial);
	toml::table doc;
	doc.insert("serial", p.serial);
	doc.insert("board", p.board);
	doc.insert("mode", std::string(tune_mode_name(p.mode)));
	doc.insert("saved_at", p.saved_at);
	doc.insert("hashrate_ths", p.hashrate_ths);
	doc.insert("power_w", p.power_w);
	doc.insert("j_per_th", p.j_per_th);
	doc.insert("goal", goal_table(p.goal));
	toml::table rails;
	for (const auto &[name, mv] : p.rail_mv)
		rails.insert(name, mv);
	doc.insert("rails", std::move(rails));
	toml::array chains;
	for (const auto &[id, mhz] : p.chip_mhz) {
		toml::array f;
		for (double x : mhz)
			f.push_back(x);
		chains.push_back(toml::table{{"id", std::int64_t(id)}, {"mhz", std::move(f)}});
	}
	doc.insert("chain", std::move(chains));

	std::error_code ec;
	if (file.has_parent_path())
		std::filesystem::create_directories(file.parent_path(), ec);
	if (ec)
		throw std::runtime_error("profile " + file.string() + ": " + ec.message());
	// A crash mid-write leaves the old profile, never half of a new one.
	const std::filesystem::path tmp = file.string() + fmt::format(".tmp{}", ::getpid());
	{
		std::ofstream out(tmp, std::ios::trunc);
		out << "# hashboard tuning profile (docs/tuning.md)\n" << doc << "\n";
		out.flush();
		if (!out)
			throw std::runtime_error("profile " + tmp.string() + ": cannot write");
	}
	std::filesystem::rename(tmp, file, ec);
	if (ec) {
		std::filesystem::remove(tmp, ec);
		throw std::runtime_error("profile " + file.string() + ": " + ec.message());
	}
}

TuneProfile load_profile(const std::filesystem::path &file)
{
	const std::string name = file.string();
	const toml::table doc = config::parse_toml(
	    config::read_text_file(file, kMaxProfileBytes, "profile"), name, "a profile");
	config::TableReader root(doc, "", name);
	TuneProfile p;
	p.serial = root.string("serial");
	try {
		check_serial(p.serial);
	} catch (const std::invalid_argument &e) {
		root.fail("serial", e.what());
	}
	p.board = root.string("board");
	const std::string mode = root.string("mode");
	try {
		p.mode = parse_tune_mode(mode);
	} catch (const std::invalid_argument &e) {
		root.fail("mode", e.what());
	}
	p.saved_at = root.optional_string("saved_at").value_or("");
	p.hashrate_ths = root.optional_number("hashrate_ths", 0, 1e9).value_or(0);
	p.power_w = root.optional_number("power_w", 0, 1e9).value_or(0);
	p.j_per_th = root.optional_number("j_per_th", 0, 1e9).value_or(0);
	p.goal.mode = p.mode;
	if (auto g = root.optional_table("goal")) {
		p.goal.power_limit_w = g->optional_number("power_limit_w", 0, 1e9);
		p.goal.min_ths = g->optional_number("min_ths", 0, 1e9).value_or(0);
		p.goal.temp_ceiling_c = g->optional_number("temp_ceiling_c", 0, 150);
		p.goal.heat_w = g->optional_number("heat_w", 0, 1e9).value_or(0);
		p.goal.fan_cap = g->optional_number("fan_cap", 0, 1).value_or(1);
		p.goal.fixed_mhz = g->optional_number("fixed_mhz", 0, kMaxMhz).value_or(0);
		try {
			validate_goal(p.goal);
		} catch (const std::invalid_argument &e) {
			root.fail("mode", e.what());
		}
		g->finish();
	}
	if (auto r = root.optional_table("rails")) {
		for (const auto &[key, node] : *doc["rails"].as_table())
			p.rail_mv[std::string(key.str())] = r->number(key.str(), 0, kMaxMv);
		r->finish();
	}
	const toml::array *raw_chains = doc["chain"].as_array();
	auto chains = root.table_array("chain");
	for (std::size_t i = 0; i < chains.size(); ++i) {
		auto &t = chains[i];
		const toml::table &raw = *raw_chains->at(i).as_table();
		const auto id = unsigned(t.integer("id", 0, 255));
		if (p.chip_mhz.contains(id))
			t.fail("id", fmt::format("chain {} appears twice", id));
		p.chip_mhz[id] = read_mhz(raw, t);
		for (const auto &[key, node] : raw)
			if (key.str() != "id" && key.str() != "mhz")
				t.fail_at(key.source(), t.key_path(key.str()), "unknown key");
	}
	root.finish();
	return p;
}

} // namespace hashboard
