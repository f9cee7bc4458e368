// SPDX-License-Identifier: MIT
//
// The Stratum V1 wire: one JSON-RPC object per line (docs/stratum.md). decode_line()
// turns any byte string into a typed message or an error string, without throwing, so
// the read loop can count a bad line and go on; LineReader splits a byte stream into
// lines and refuses to buffer a line past its cap (the connection is then dropped).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hashboardd::stratum {

// A call that wants an answer: id is a number or a string (never null).
struct Request {
	boost::json::value id;
	std::string method;
	boost::json::array params;
};
// A call without an answer: "id" null or absent.
struct Notification {
	std::string method;
	boost::json::array params;
};
// An answer to one of our requests. error is null when the call succeeded.
struct Response {
	boost::json::value id;
	boost::json::value result;
	boost::json::value error;
	// Some pools refuse a share with "result": false and a top-level "reject-reason".
	std::string reject_reason;
};
using Message = std::variant<Request, Notification, Response>;

// Exactly one of message and error is set.
struct Decoded {
	std::optional<Message> message;
	std::string error;
};

// One line without its "\n" (a trailing "\r" is forgiven). Never throws.
Decoded decode_line(std::string_view line);

// Lines as we send them, "\n" terminated.
std::string encode_request(std::uint64_t id, std::string_view method,
                           const boost::json::array &params);
std::string encode_notification(std::string_view method, const boost::json::array &params);
std::string encode_response(const boost::json::value &id, const boost::json::value &result,
                            const boost::json::value &error);

// A Stratum error as pools write it: [code, "message", traceback], or an object with
// code and message, or a bare string (code 20, "other").
struct RpcError {
	int code = 20;
	std::string message;
};
// nullopt when error is null (success).
std::optional<RpcError> rpc_error(const boost::json::value &error);
// [code, "message", null]: how we answer (the test pool, client.get_version errors).
boost::json::value make_error(int code, std::string_view message);

// Splits a byte stream into lines. A line longer than max_line bytes is an error that
// sticks: the peer is not speaking Stratum, or is trying to make us buffer forever.
class LineReader {
public:
	static constexpr std::size_t kDefaultMaxLine = 64 * 1024;
	explicit LineReader(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

	// False once a line went past the cap (and from then on).
	bool feed(std::string_view bytes);
	std::optional<std::string> next_line();
	bool overflowed() const { return overflowed_; }
	std::size_t buffered() const { return partial_.size(); }

private:
	std::size_t max_line_;
	std::string partial_;
	std::deque<std::string> lines_;
	bool overflowed_ = false;
};

} // namespace hashboardd::stratum
