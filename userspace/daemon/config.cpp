// SPDX-License-Identifier: MIT
#include "config.hpp"

#include <hashboard/config_file.hpp>
#include <hashboardd/api/access_list.hpp>
#include <hashboardd/stratum/pool_url.hpp>

#include <hashboard/tuning/profile.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <tuple>

namespace hashboardd {
namespace {

using hashboard::config::TableReader;

constexpr std::size_t kMaxConfigBytes = std::size_t(1) << 20;
constexpr std::array kLevelNames = {std::string_view("error"), std::string_view("warning"),
                                    std::string_view("notice"), std::string_view("info"),
                                    std::string_view("debug")};

hashboard::Duration seconds(TableReader &t, std::string_view key, double min, double max,
                            hashboard::Duration fallback)
{
	const auto s = t.optional_number(key, min, max);
	if (!s)
		return fallback;
	return std::chrono::duration_cast<hashboard::Duration>(std::chrono::duration<double>(*s));
}

// Why url is not a pool URL, or empty when it is one.
std::string pool_url_error(const std::string &url)
{
	try {
		stratum::parse_pool_url(url);
		return {};
	} catch (const std::invalid_argument &e) {
		return e.what();
	}
}

void read_pools(TableReader &root, DaemonConfig &c)
{
	for (auto &t : root.table_array("pool")) {
		PoolConfig p;
		p.url = t.string("url");
		if (const std::string why = pool_url_error(p.url); !why.empty())
			t.fail("url", why);
		p.user = t.string("user");
		if (p.user.empty())
			t.fail("user", "must not be empty (the pool's account or worker name)");
		p.password = t.optional_string("password").value_or("x");
		p.tls_verify = t.optional_boolean("tls_verify").value_or(true);
		p.ca_file = t.optional_string("ca_file");
		t.finish();
		c.pools.push_back(std::move(p));
	}
}

std::uint16_t port(TableReader &t, std::string_view key, std::uint16_t fallback)
{
	return std::uint16_t(t.optional_integer(key, 0, 65535).value_or(fallback));
}

void read_api(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("api");
	if (!t)
		return;
	c.api.enabled = t->optional_boolean("enabled").value_or(true);
	c.api.listen = t->optional_string("listen").value_or(c.api.listen);
	c.api.port = port(*t, "port", c.api.port);
	if (t->has("privileged_from")) {
		c.api.privileged_from.clear();
		for (auto &[text, where] : t->strings("privileged_from")) {
			try {
				api::Cidr::parse(text);
			} catch (const std::invalid_argument &e) {
				t->fail_at(where, t->key_path("privileged_from"), e.what());
			}
			c.api.privileged_from.push_back(text);
		}
	}
	c.api.logon_secret = t->optional_string("logon_secret").value_or("");
	t->finish();
}

void read_metrics(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("metrics");
	if (!t)
		return;
	c.metrics.enabled = t->optional_boolean("enabled").value_or(true);
	c.metrics.listen = t->optional_string("listen").value_or(c.metrics.listen);
	c.metrics.port = port(*t, "port", c.metrics.port);
	t->finish();
}

void read_web(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("web");
	if (!t)
		return;
	c.web.enabled = t->optional_boolean("enabled").value_or(true);
	c.web.listen = t->optional_string("listen").value_or(c.web.listen);
	c.web.port = port(*t, "port", c.web.port);
	c.web.public_status = t->optional_boolean("public_status").value_or(c.web.public_status);
	c.web.password_file = t->optional_string("password_file").value_or("");
	t->finish();
}

void read_failover(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("failover");
	if (!t)
		return;
	PoolPolicy &p = c.pool_policy;
	p.silent_after = seconds(*t, "silent_after_s", 5, 86400, p.silent_after);
	p.submit_timeout = seconds(*t, "submit_timeout_s", 1, 3600, p.submit_timeout);
	p.retry_min = seconds(*t, "retry_min_s", 0.1, 3600, p.retry_min);
	p.retry_max = seconds(*t, "retry_max_s", 0.1, 86400, p.retry_max);
	if (p.retry_max < p.retry_min)
		t->fail("retry_max_s", "must not be below retry_min_s");
	p.failback_after = seconds(*t, "failback_after_s", 0, 86400, p.failback_after);
	t->finish();
}

void read_mining(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("mining");
	if (!t)
		return;
	c.mining.frequency_mhz = t->optional_number("frequency_mhz", 1, 2000);
	c.mining.idle_after_no_pool =
	    seconds(*t, "idle_after_no_pool_s", 0, 86400, c.mining.idle_after_no_pool);
	c.mining.nonces_per_chip_s =
	    t->optional_number("nonces_per_chip_s", 0, 1e6).value_or(c.mining.nonces_per_chip_s);
	t->finish();
}

constexpr std::array kTuneModeNames = {std::string_view("off"),        std::string_view("hashrate"),
                                       std::string_view("efficiency"), std::string_view("fixed"),
                                       std::string_view("heat"),       std::string_view("quiet")};

// One goal field checked alone by validate_goal (an efficiency goal needs nothing
// else), so a bad value is reported at its own key, in validate_goal's words.
void check_goal_field(TableReader &t, std::string_view key,
                      const std::function<void(hashboard::TuneGoal &)> &set)
{
	hashboard::TuneGoal g;
	g.mode = hashboard::TuneMode::efficiency;
	set(g);
	try {
		hashboard::validate_goal(g);
	} catch (const std::invalid_argument &e) {
		t.fail(key, e.what());
	}
}

void read_tuning(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("tuning");
	if (!t)
		return;
	TuningConfig &tc = c.tuning;
	hashboard::TuneGoal &g = tc.goal;
	// Wide ranges first (type, NaN), then validate_goal's own words for each field.
	if (const auto v = t->optional_number("power_limit_w", -1e9, 1e9)) {
		check_goal_field(*t, "power_limit_w", [&](auto &x) { x.power_limit_w = *v; });
		g.power_limit_w = *v;
	}
	if (const auto v = t->optional_number("min_ths", -1e9, 1e9)) {
		check_goal_field(*t, "min_ths", [&](auto &x) { x.min_ths = *v; });
		g.min_ths = *v;
	}
	if (const auto v = t->optional_number("temp_ceiling_c", -1e9, 1e9)) {
		check_goal_field(*t, "temp_ceiling_c", [&](auto &x) { x.temp_ceiling_c = *v; });
		g.temp_ceiling_c = *v;
	}
	if (const auto v = t->optional_number("heat_w", -1e9, 1e9)) {
		check_goal_field(*t, "heat_w", [&](auto &x) { x.heat_w = *v; });
		g.heat_w = *v;
	}
	if (const auto v = t->optional_number("fan_cap", -1e9, 1e9)) {
		check_goal_field(*t, "fan_cap", [&](auto &x) { x.fan_cap = *v; });
		g.fan_cap = *v;
	}
	if (const auto v = t->optional_number("fixed_mhz", -1e9, 1e9)) {
		check_goal_field(*t, "fixed_mhz", [&](auto &x) { x.fixed_mhz = *v; });
		g.fixed_mhz = *v;
	}
	if (t->has("mode")) {
		const std::size_t m = t->choice("mode", kTuneModeNames);
		if (m > 0) {
			tc.mode = hashboard::parse_tune_mode(kTuneModeNames[m]);
			g.mode = *tc.mode;
			// What the mode needs of the other keys (heat_w, fixed_mhz) is its error.
			try {
				hashboard::validate_goal(g);
			} catch (const std::invalid_argument &e) {
				t->fail("mode", e.what());
			}
		}
	}
	if (auto dir = t->optional_string("profile_dir")) {
		if (dir->empty())
			t->fail("profile_dir", "must not be empty (leave it out for the default)");
		std::filesystem::path path(*dir);
		if (path.is_relative() && !c.source.empty())
			path = std::filesystem::path(c.source).parent_path() / path;
		tc.profile_dir = path.string();
	}
	if (auto serial = t->optional_string("serial")) {
		try {
			hashboard::check_serial(*serial);
		} catch (const std::invalid_argument &e) {
			t->fail("serial", e.what());
		}
		tc.serial = *serial;
	}
	tc.apply_profile = t->optional_boolean("apply_profile").value_or(tc.apply_profile);
	tc.tune_when_missing =
	    t->optional_boolean("tune_when_missing").value_or(tc.tune_when_missing);
	if (tc.tune_when_missing && !tc.mode)
		t->fail("tune_when_missing", "needs a tuning mode (mode = \"efficiency\", ...)");
	t->finish();
}

void read_board(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("board");
	if (!t)
		return;
	if (auto file = t->optional_string("file")) {
		if (file->empty())
			t->fail("file", "must not be empty (leave it out for the simulated board)");
		std::filesystem::path path(*file);
		// A relative board file is relative to the config file, as people expect of
		// a file that names another.
		if (path.is_relative() && !c.source.empty())
			path = std::filesystem::path(c.source).parent_path() / path;
		c.board_file = path;
	}
	t->finish();
}

void read_log(TableReader &root, DaemonConfig &c)
{
	auto t = root.optional_table("log");
	if (!t)
		return;
	if (t->has("level"))
		c.log_level = LogLevel(t->choice("level", kLevelNames));
	t->finish();
}

} // namespace

std::optional<LogLevel> parse_log_level(std::string_view name)
{
	for (std::size_t i = 0; i < kLevelNames.size(); ++i)
		if (kLevelNames[i] == name)
			return LogLevel(i);
	return std::nullopt;
}

std::string_view log_level_name(LogLevel level)
{
	return kLevelNames.at(std::size_t(level));
}

DaemonConfig parse_daemon_config(std::string_view text, const std::string &source_name)
{
	const toml::table doc = hashboard::config::parse_toml(text, source_name, "a config file");
	DaemonConfig c;
	c.source = source_name;
	TableReader root(doc, "", source_name);
	read_pools(root, c);
	read_board(root, c);
	read_api(root, c);
	read_metrics(root, c);
	read_web(root, c);
	read_failover(root, c);
	read_mining(root, c);
	read_tuning(root, c);
	read_log(root, c);
	root.finish();
	return c;
}

DaemonConfig load_daemon_config(const std::filesystem::path &file)
{
	return parse_daemon_config(
	    hashboard::config::read_text_file(file, kMaxConfigBytes, "config file"), file.string());
}

void validate(const DaemonConfig &c)
{
	if (c.pools.empty())
		throw std::invalid_argument(
		    "no pool: give one with --pool URL or a [[pool]] table in the config file");
	for (const auto &p : c.pools) {
		if (const std::string why = pool_url_error(p.url); !why.empty())
			throw std::invalid_argument(why);
		if (p.user.empty())
			throw std::invalid_argument(
			    "pool '" + p.url + "': no user (give --user or user = in [[pool]])");
	}
	if (c.api.enabled && c.metrics.enabled && c.api.port != 0 && c.api.port == c.metrics.port)
		throw std::invalid_argument("the API and the metrics server both want port " +
		                            std::to_string(c.api.port));
	for (const auto &[enabled, port, name] :
	     {std::tuple{c.api.enabled, c.api.port, "the API"},
	      std::tuple{c.metrics.enabled, c.metrics.port, "the metrics server"}})
		if (enabled && c.web.enabled && port != 0 && port == c.web.port)
			throw std::invalid_argument(std::string(name) +
			                            " and the web dashboard both want port " +
			                            std::to_string(port));
}

} // namespace hashboardd
