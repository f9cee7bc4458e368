// SPDX-License-Identifier: MIT
//
// One command's reply as cgminer shapes it: a STATUS line, then at most a few named
// sections of records, rendered as JSON ({"STATUS":[...],"SUMMARY":[...],"id":1}) or as
// cgminer's plain text (STATUS=S,When=...,Description=...|SUMMARY,Elapsed=5,...|).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashboardd::api {

struct Section {
	std::string name; // "SUMMARY", "POOLS" ...
	boost::json::array records;
	// In plain text a record of a list section starts with its own index key
	// ("POOL=0,URL=..."); a single-record section is named first ("SUMMARY,Elapsed=").
	bool plain_named = true;
};

struct Reply {
	char severity = 'S'; // S, I, W, E, F
	int code = 0;
	std::string msg;
	std::vector<Section> sections;
	// restart and quit answer {"STATUS":"RESTART"} / BYE without the envelope.
	std::optional<std::string> bare;
};

Reply error_reply(int code, std::string msg);
Reply ok_reply(int code, std::string msg);

// What every reply's STATUS says besides the command's own part.
struct Stamp {
	std::int64_t when = 0;   // Unix seconds (DaemonStatus::now)
	std::string description; // "HASHBOARD 0.1.0"
};

boost::json::object reply_object(const Reply &r, const Stamp &s);
std::string render_json(const Reply &r, const Stamp &s);
std::string render_plain(const Reply &r, const Stamp &s);

} // namespace hashboardd::api
