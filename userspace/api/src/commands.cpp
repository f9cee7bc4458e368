// SPDX-License-Identifier: MIT
#include "commands.hpp"

#include "codes.hpp"
#include "params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>
#include <variant>

namespace hashboardd::api {

namespace {

bool empty_params(const std::vector<std::string> &p)
{
	return p.empty() || (p.size() == 1 && p[0].empty());
}

// The pool a pool command names, or the reply that says why there is none.
std::variant<unsigned, Reply> pool_index(const DaemonStatus &s, const std::vector<std::string> &p)
{
	if (empty_params(p))
		return error_reply(code::kMissingPoolId, "Missing pool id parameter");
	const auto id = parse_index(p[0]);
	const std::size_t n = s.pools.size();
	if (!id || *id >= n || p.size() > 1) {
		if (n == 0)
			return error_reply(code::kNoPool, "No pools");
		return error_reply(
		    code::kInvalidPoolId,
		    fmt::format("Invalid pool id '{}' - range is 0 - {}", shown(p[0]), n - 1));
	}
	return *id;
}

std::string pool_url(const DaemonStatus &s, unsigned index)
{
	for (const PoolStatus &pool : s.pools)
		if (pool.index == index)
			return pool.url;
	return index < s.pools.size() ? s.pools[index].url : std::string();
}

Reply pool_change(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p,
                  void (DaemonControl::*call)(unsigned), int ok_code, const char *verb)
{
	auto idx = pool_index(s, p);
	if (auto *r = std::get_if<Reply>(&idx))
		return std::move(*r);
	const unsigned i = std::get<unsigned>(idx);
	const std::string url = pool_url(s, i);
	try {
		std::invoke(call, c, i);
	} catch (const ControlError &e) {
		return error_reply(code::kPoolSetError,
		                   fmt::format("Pool set error: {}", e.what()));
	}
	return ok_reply(ok_code, fmt::format("{} pool {}:'{}'", verb, i, url));
}

constexpr std::string_view kTuneModes[] = {"off",   "hashrate", "efficiency",
                                           "fixed", "heat",     "quiet"};

// ascset's tune-mode and tune-target: the whole board's goal (the ASC only has to be
// valid), the values checked here before the daemon checks the goal.
Reply tune_option(DaemonControl &c, unsigned asc, const std::string &opt,
                  const std::vector<std::string> &p)
{
	const auto failed = [&](const std::string &why) {
		return error_reply(code::kAscSetError,
		                   fmt::format("ASC {} set failed: {}", asc, why));
	};
	if (p.size() < 3 || p[2].empty())
		return failed(fmt::format("missing value for '{}'", opt));
	if (p.size() > 3)
		return failed("too many fields: want <asc>," + opt + ",<value>");
	std::string mode;
	std::optional<double> target;
	if (opt == "tune-mode") {
		if (std::find(std::begin(kTuneModes), std::end(kTuneModes), p[2]) ==
		    std::end(kTuneModes))
			return failed(fmt::format("unknown tuning mode '{}' (off, hashrate, "
			                          "efficiency, fixed, heat, quiet)",
			                          shown(p[2])));
		mode = p[2];
	} else {
		target = parse_number(p[2]);
		if (!target)
			return failed(fmt::format("'{}' is not a finite number", shown(p[2])));
		if (*target < 0 || *target > kMaxTuneTarget)
			return failed(fmt::format("tune-target {} is outside 0..{}", *target,
			                          kMaxTuneTarget));
	}
	try {
		c.tune(mode, target);
	} catch (const ControlError &e) {
		return failed(e.what());
	}
	return ok_reply(code::kAscSetOk, fmt::format("ASC {} set OK", asc));
}

bool valid_pool_url(std::string_view url)
{
	return url.starts_with("stratum+tcp://") || url.starts_with("stratum+ssl://") ||
	       url.starts_with("stratum2+tcp://");
}

} // namespace

Reply addpool_command(DaemonControl &c, const DaemonStatus &, const std::vector<std::string> &p)
{
	if (empty_params(p))
		return error_reply(code::kMissingPoolDetails, "Missing addpool details");
	if (p.size() != 3 || p[0].empty() || p[1].empty())
		return error_reply(code::kInvalidPoolDetails,
		                   "Invalid addpool details: want url,user,password");
	if (!valid_pool_url(p[0]) || p[0].size() > 512 || p[1].size() > 256 || p[2].size() > 256)
		return error_reply(code::kInvalidPoolDetails,
		                   fmt::format("Invalid addpool details '{}': the URL must be "
		                               "stratum+tcp:// or stratum+ssl://",
		                               shown(p[0])));
	NewPool pool;
	pool.url = p[0];
	pool.user = p[1];
	pool.password = p[2];
	unsigned index = 0;
	try {
		index = c.add_pool(pool);
	} catch (const ControlError &e) {
		return error_reply(
		    code::kInvalidPoolDetails,
		    fmt::format("Invalid addpool details '{}': {}", shown(p[0]), e.what()));
	}
	return ok_reply(code::kAddPool, fmt::format("Added pool {}: '{}'", index, p[0]));
}

Reply switchpool_command(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p)
{
	return pool_change(c, s, p, &DaemonControl::switch_pool, code::kSwitchPool, "Switching to");
}

Reply enablepool_command(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p)
{
	return pool_change(c, s, p, &DaemonControl::enable_pool, code::kEnablePool, "Enabling");
}

Reply disablepool_command(DaemonControl &c, const DaemonStatus &s,
                          const std::vector<std::string> &p)
{
	return pool_change(c, s, p, &DaemonControl::disable_pool, code::kDisablePool, "Disabling");
}

Reply removepool_command(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p)
{
	return pool_change(c, s, p, &DaemonControl::remove_pool, code::kRemovePool, "Removed");
}

Reply ascset_command(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p)
{
	const std::size_t n = s.chains.size();
	if (empty_params(p))
		return error_reply(code::kMissingAscOption, "Missing ASC id parameter");
	const auto asc = parse_index(p[0]);
	if (!asc || *asc >= n) {
		if (n == 0)
			return error_reply(code::kInvalidAsc, "No ASCs");
		return error_reply(
		    code::kInvalidAsc,
		    fmt::format("Invalid ASC id '{}' - range is 0 - {}", shown(p[0]), n - 1));
	}
	const ChainStatus &chain = s.chains[*asc];
	const auto failed = [&](const std::string &why) {
		return error_reply(code::kAscSetError,
		                   fmt::format("ASC {} set failed: {}", *asc, why));
	};
	if (p.size() < 2 || p[1].empty())
		return error_reply(code::kMissingAscOption, "Missing option after ASC number");
	const std::string &opt = p[1];
	if (opt == "help") {
		Reply r;
		r.severity = 'I';
		r.code = code::kAscSetInfo;
		r.msg = fmt::format("ASC {} set info: freq,<MHz>[,chip=<n>] | volt,<mV> | "
		                    "tune-mode,<off|hashrate|efficiency|fixed|heat|quiet> | "
		                    "tune-target,<W|TH/s|MHz>",
		                    *asc);
		return r;
	}
	if (opt == "tune-mode" || opt == "tune-target")
		return tune_option(c, *asc, opt, p);
	const bool freq = opt == "freq" || opt == "frequency";
	const bool volt = opt == "volt" || opt == "voltage";
	if (!freq && !volt)
		return failed(fmt::format("unknown option '{}' (freq, volt, tune-mode, "
		                          "tune-target, help)",
		                          shown(opt)));
	if (p.size() < 3 || p[2].empty())
		return failed(fmt::format("missing value for '{}'", opt));
	const auto value = parse_number(p[2]);
	if (!value)
		return failed(fmt::format("'{}' is not a finite number", shown(p[2])));
	const double limit = freq ? kMaxFrequencyMhz : kMaxVoltageMv;
	if (*value <= 0 || *value > limit)
		return failed(fmt::format("{} {} is outside 0..{} {}", opt, *value, limit,
		                          freq ? "MHz" : "mV"));
	std::optional<unsigned> chip;
	if (p.size() == 4) {
		if (!p[3].starts_with("chip="))
			return failed(
			    fmt::format("fourth field '{}' is not chip=<n>", shown(p[3])));
		chip = parse_index(std::string_view(p[3]).substr(5));
		if (!chip)
			return failed(fmt::format("'{}' is not a chip position", shown(p[3])));
		if (volt)
			return failed(
			    "voltage is set per chain (one regulator domain), not per chip");
	} else if (p.size() > 4) {
		return failed("too many fields: want <asc>,<option>,<value>[,chip=<n>]");
	}
	try {
		if (freq && chip)
			c.set_chip_frequency(chain.id, *chip, *value);
		else if (freq)
			c.set_chain_frequency(chain.id, *value);
		else
			c.set_chain_voltage(chain.id, *value);
	} catch (const ControlError &e) {
		return failed(e.what());
	}
	return ok_reply(code::kAscSetOk, fmt::format("ASC {} set OK", *asc));
}

} // namespace hashboardd::api
