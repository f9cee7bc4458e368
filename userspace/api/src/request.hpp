// SPDX-License-Identifier: MIT
//
// One cgminer API request from its bytes: JSON when it starts with '{'
// ({"command":"summary","parameter":"0"}; the parameter may be a string or a number),
// plain text otherwise (summary|0). Trailing NULs and line ends are not part of it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hashboardd::api {

struct Request {
	bool json = false;
	std::string command;
	std::string parameter;
};

struct RequestError {
	bool json = false; // answer in JSON when the request was meant to be JSON
	int code = 0;
	std::string msg;
};

std::variant<Request, RequestError> parse_request(std::string_view text);

// The request without what clients append (NUL, CR, LF, spaces) and leading spaces.
std::string_view trimmed_request(std::string_view text);
bool looks_like_json(std::string_view text);

// How many bytes of what a connection has received so far make one whole request, or
// nullopt while it may still grow: up to the first NUL; for JSON, up to the '}' that
// closes the first object (strings and escapes respected); for plain text, up to the
// first line end. The server also ends a request at EOF and, for plain text, after a
// quiet time (cgminer_server.hpp).
std::optional<std::size_t> request_end(std::string_view received);

} // namespace hashboardd::api
