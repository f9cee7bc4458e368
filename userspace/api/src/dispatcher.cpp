// SPDX-License-Identifier: MIT
#include <hashboardd/api/dispatcher.hpp>

#include "codes.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "params.hpp"
#include "reply.hpp"
#include "reports.hpp"
#include "request.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace hashboardd::api {

namespace {

struct CommandInfo {
	std::string_view name;
	bool privileged;
	bool joinable; // a report without parameters (cgminer joins only those)
};

// cgminer's table, the part hashboardd serves, plus LuxOS-style logon/logoff.
constexpr std::array<CommandInfo, 23> kCommands = {{
    {"version", false, true},    {"summary", false, true},     {"devs", false, true},
    {"edevs", false, true},      {"pools", false, true},       {"stats", false, true},
    {"estats", false, true},     {"config", false, true},      {"devdetails", false, true},
    {"coin", false, true},       {"lcd", false, true},         {"check", false, false},
    {"privileged", true, false}, {"addpool", true, false},     {"switchpool", true, false},
    {"enablepool", true, false}, {"disablepool", true, false}, {"removepool", true, false},
    {"ascset", true, false},     {"restart", true, false},     {"quit", true, false},
    {"logon", false, false},     {"logoff", false, false},
}};

const CommandInfo *find_command(std::string_view name)
{
	for (const CommandInfo &c : kCommands)
		if (c.name == name)
			return &c;
	return nullptr;
}

// Compares without stopping at the first difference, so the time taken does not tell
// a guesser how much of the secret they have right.
bool same_secret(std::string_view a, std::string_view b)
{
	if (a.size() != b.size())
		return false;
	unsigned diff = 0;
	for (std::size_t i = 0; i < a.size(); ++i)
		diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
	return diff == 0;
}

Reply denied(std::string_view cmd, std::string_view why)
{
	return error_reply(code::kAccessDenied,
	                   why.empty()
	                       ? fmt::format("Access denied to '{}' command", cmd)
	                       : fmt::format("Access denied to '{}' command: {}", cmd, why));
}

} // namespace

Dispatcher::Dispatcher(DaemonControl &control, const PrivilegeOptions &options)
    : control_(control), allow_(options.allow), token_free_(options.token_free),
      logon_secret_(options.logon_secret),
      sessions_(options.session_idle, options.max_sessions, options.now)
{
}

namespace {

struct Context {
	DaemonControl &control;
	const AccessList &allow;
	const AccessList &token_free;
	const std::string &logon_secret;
	SessionTable &sessions;
	const IpAddress &peer;
	const DaemonStatus &status;
};

// Whether the peer may run a privileged command now. Takes the session token off the
// front of the parameters when there is one.
std::optional<Reply> privilege_check(const Context &x, std::string_view cmd,
                                     std::vector<std::string> &params)
{
	if (!x.allow.contains(x.peer))
		return denied(cmd, "");
	const bool has_token = !params.empty() && SessionTable::looks_like_token(params[0]);
	if (x.token_free.contains(x.peer)) {
		if (has_token)
			params.erase(params.begin());
		return std::nullopt;
	}
	if (!has_token)
		return denied(cmd, "logon first and pass the SessionID as the first parameter");
	if (!x.sessions.use(params[0]))
		return denied(cmd, "the session is unknown or has expired; logon again");
	params.erase(params.begin());
	return std::nullopt;
}

Reply run_report(std::string_view cmd, const DaemonStatus &s)
{
	if (cmd == "version")
		return version_report(s);
	if (cmd == "summary")
		return summary_report(s);
	if (cmd == "devs")
		return devs_report(s, false);
	if (cmd == "edevs")
		return devs_report(s, true);
	if (cmd == "pools")
		return pools_report(s);
	if (cmd == "stats" || cmd == "estats")
		return stats_report(s);
	if (cmd == "config")
		return config_report(s);
	if (cmd == "devdetails")
		return devdetails_report(s);
	if (cmd == "coin")
		return coin_report(s);
	return lcd_report(s);
}

Reply run_check(const Context &x, const std::string &param)
{
	if (param.empty())
		return error_reply(code::kMissingCheck, "Missing check cmd");
	const CommandInfo *info = find_command(param);
	const bool access =
	    info != nullptr &&
	    (!info->privileged || (x.allow.contains(x.peer) && x.token_free.contains(x.peer)));
	boost::json::object o;
	o["Exists"] = info != nullptr ? "Y" : "N";
	o["Access"] = access ? "Y" : "N";
	Reply r = ok_reply(code::kCheck, "Check command");
	r.sections.push_back(Section{"CHECK", boost::json::array{std::move(o)}, true});
	return r;
}

Reply run_logon(const Context &x, const std::string &param, std::chrono::seconds idle)
{
	if (!x.allow.contains(x.peer))
		return denied("logon", "");
	if (!x.logon_secret.empty() && !same_secret(param, x.logon_secret))
		return denied("logon", "wrong logon secret");
	boost::json::object o;
	o["SessionID"] = x.sessions.create();
	o["Timeout"] = idle.count();
	Reply r = ok_reply(code::kLogon, "Session created");
	r.sections.push_back(Section{"SESSION", boost::json::array{std::move(o)}, true});
	return r;
}

std::pair<Reply, AfterReply> run_one(const Context &x, std::string_view cmd,
                                     const std::string &param, std::chrono::seconds idle)
{
	const CommandInfo *info = find_command(cmd);
	if (info == nullptr)
		return {error_reply(code::kInvalidCommand, "Invalid command"), AfterReply::nothing};
	if (!info->privileged) {
		if (cmd == "check")
			return {run_check(x, param), AfterReply::nothing};
		if (cmd == "logon")
			return {run_logon(x, param, idle), AfterReply::nothing};
		if (cmd == "logoff") {
			if (x.sessions.remove(param))
				return {ok_reply(code::kLogoff, "Session ended"),
				        AfterReply::nothing};
			return {error_reply(code::kNoSession, "No such session"),
			        AfterReply::nothing};
		}
		return {run_report(cmd, x.status), AfterReply::nothing};
	}
	std::vector<std::string> params = split_params(param);
	if (params.size() == 1 && params[0].empty())
		params.clear();
	if (auto no = privilege_check(x, cmd, params))
		return {std::move(*no), AfterReply::nothing};
	if (cmd == "privileged")
		return {ok_reply(code::kAccessOk, "Privileged access OK"), AfterReply::nothing};
	if (cmd == "restart" || cmd == "quit") {
		Reply r;
		r.bare = cmd == "restart" ? "RESTART" : "BYE";
		return {std::move(r), cmd == "restart" ? AfterReply::restart : AfterReply::quit};
	}
	if (cmd == "addpool")
		return {addpool_command(x.control, x.status, params), AfterReply::nothing};
	if (cmd == "switchpool")
		return {switchpool_command(x.control, x.status, params), AfterReply::nothing};
	if (cmd == "enablepool")
		return {enablepool_command(x.control, x.status, params), AfterReply::nothing};
	if (cmd == "disablepool")
		return {disablepool_command(x.control, x.status, params), AfterReply::nothing};
	if (cmd == "removepool")
		return {removepool_command(x.control, x.status, params), AfterReply::nothing};
	return {ascset_command(x.control, x.status, params), AfterReply::nothing};
}

Reply internal_error(std::string_view what, std::string_view cmd)
{
	Reply r;
	r.severity = 'F';
	r.code = code::kInternal;
	r.msg = fmt::format("Internal error in '{}': {}", shown(cmd), what);
	return r;
}

// cgminer's joined reply: each command's whole reply, in a list of one, under its name.
std::string run_joined(const Context &x, const Request &req, const Stamp &stamp,
                       std::chrono::seconds idle)
{
	std::vector<std::string> names;
	std::string_view rest = req.command;
	while (!rest.empty()) {
		const auto plus = rest.find('+');
		const std::string name(rest.substr(0, plus));
		rest = plus == std::string_view::npos ? std::string_view() : rest.substr(plus + 1);
		if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
			names.push_back(name);
	}
	if (names.empty())
		return render_json(error_reply(code::kInvalidCommand, "Invalid command"), stamp);
	boost::json::object out;
	for (const std::string &name : names) {
		const CommandInfo *info = find_command(name);
		Reply r;
		if (info == nullptr) {
			r = error_reply(code::kInvalidCommand, "Invalid command");
		} else if (!info->joinable) {
			r = error_reply(code::kInvalidCommand,
			                fmt::format("Command '{}' cannot be joined", name));
		} else {
			try {
				r = run_one(x, name, req.parameter, idle).first;
			} catch (const std::exception &e) {
				r = internal_error(e.what(), name);
			}
		}
		out[name] = boost::json::array{reply_object(r, stamp)};
	}
	out["id"] = 1;
	return json_text(out);
}

} // namespace

Response Dispatcher::handle(std::string_view request, const IpAddress &peer)
{
	const auto parsed = parse_request(request);
	DaemonStatus status;
	Stamp stamp{0, kFirmwareName};
	std::optional<Reply> failure;
	try {
		status = control_.status();
		stamp.when = unix_seconds(status.now);
		stamp.description = firmware_description(status);
	} catch (const std::exception &e) {
		failure = internal_error(fmt::format("no daemon status: {}", e.what()), "status");
	}
	if (const auto *err = std::get_if<RequestError>(&parsed)) {
		const Reply r = error_reply(err->code, err->msg);
		return {err->json ? render_json(r, stamp) : render_plain(r, stamp),
		        AfterReply::nothing};
	}
	const Request &req = std::get<Request>(parsed);
	const auto render = [&](const Reply &r) {
		return req.json ? render_json(r, stamp) : render_plain(r, stamp);
	};
	if (failure)
		return {render(*failure), AfterReply::nothing};
	const auto idle = std::chrono::duration_cast<std::chrono::seconds>(sessions_.idle());
	const Context x{control_, allow_, token_free_, logon_secret_, sessions_, peer, status};
	if (req.command.find('+') != std::string::npos) {
		// cgminer joins commands in JSON requests only.
		if (!req.json)
			return {render(error_reply(code::kInvalidCommand, "Invalid command")),
			        AfterReply::nothing};
		return {run_joined(x, req, stamp, idle), AfterReply::nothing};
	}
	try {
		auto [reply, after] = run_one(x, req.command, req.parameter, idle);
		return {render(reply), after};
	} catch (const std::exception &e) {
		return {render(internal_error(e.what(), req.command)), AfterReply::nothing};
	}
}

std::string Dispatcher::refuse(std::string_view so_far, std::string_view why) const
{
	Stamp stamp{0, kFirmwareName};
	try {
		const DaemonStatus s = control_.status();
		stamp.when = unix_seconds(s.now);
		stamp.description = firmware_description(s);
	} catch (const std::exception &) {
		// The refusal goes out without the daemon's time and version.
	}
	const Reply r = error_reply(code::kRequestRefused, std::string(why));
	return looks_like_json(so_far) ? render_json(r, stamp) : render_plain(r, stamp);
}

} // namespace hashboardd::api
