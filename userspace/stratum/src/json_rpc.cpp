// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/json_rpc.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace hashboardd::stratum {
namespace json = boost::json;

namespace {

// Pools nest a few levels at most; a deeper line is hostile, and refusing it keeps the
// parser's recursion small.
constexpr std::size_t kMaxDepth = 16;

bool usable_id(const json::value &id)
{
	return id.is_int64() || id.is_uint64() || id.is_string() || id.is_double();
}

// "params" absent or null is an empty list (some pools send no params for
// client.get_version); an object is kept as the single element so the handler can
// reject it with a reason.
std::optional<json::array> params_of(const json::object &obj, std::string &error)
{
	const json::value *p = obj.if_contains("params");
	if (!p || p->is_null())
		return json::array{};
	if (p->is_array())
		return p->as_array();
	error = "\"params\" is not a list";
	return std::nullopt;
}

} // namespace

Decoded decode_line(std::string_view line)
{
	Decoded out;
	if (!line.empty() && line.back() == '\r')
		line.remove_suffix(1);
	if (line.find_first_not_of(" \t") == std::string_view::npos) {
		out.error = "empty line";
		return out;
	}
	json::parse_options opt;
	opt.max_depth = kMaxDepth;
	std::error_code ec;
	json::value v = json::parse(line, ec, {}, opt);
	if (ec) {
		out.error = "not JSON: " + ec.message();
		return out;
	}
	if (!v.is_object()) {
		out.error = "not a JSON object";
		return out;
	}
	const json::object &obj = v.as_object();
	const json::value *method = obj.if_contains("method");
	const json::value *id = obj.if_contains("id");
	if (method) {
		if (!method->is_string() || method->as_string().empty()) {
			out.error = "\"method\" is not a non-empty string";
			return out;
		}
		auto params = params_of(obj, out.error);
		if (!params)
			return out;
		std::string name(method->as_string());
		if (!id || id->is_null()) {
			out.message = Notification{std::move(name), std::move(*params)};
			return out;
		}
		if (!usable_id(*id)) {
			out.error = "\"id\" is neither a number nor a string";
			return out;
		}
		out.message = Request{*id, std::move(name), std::move(*params)};
		return out;
	}
	if (!id || !usable_id(*id)) {
		out.error = "a response without a usable \"id\"";
		return out;
	}
	const json::value *result = obj.if_contains("result");
	const json::value *error = obj.if_contains("error");
	if (!result && !error) {
		out.error = "neither \"method\" nor \"result\"/\"error\"";
		return out;
	}
	Response r{*id, result ? *result : json::value(), error ? *error : json::value(), {}};
	if (const auto *why = obj.if_contains("reject-reason"); why && why->is_string())
		r.reject_reason = std::string(why->as_string());
	out.message = std::move(r);
	return out;
}

std::string encode_request(std::uint64_t id, std::string_view method, const json::array &params)
{
	json::object o;
	o["id"] = id;
	o["method"] = method;
	o["params"] = params;
	return json::serialize(o) + "\n";
}

std::string encode_notification(std::string_view method, const json::array &params)
{
	json::object o;
	o["id"] = nullptr;
	o["method"] = method;
	o["params"] = params;
	return json::serialize(o) + "\n";
}

std::string encode_response(const json::value &id, const json::value &result,
                            const json::value &error)
{
	json::object o;
	o["id"] = id;
	o["result"] = result;
	o["error"] = error;
	return json::serialize(o) + "\n";
}

std::optional<RpcError> rpc_error(const json::value &error)
{
	if (error.is_null())
		return std::nullopt;
	RpcError e;
	auto code_of = [](const json::value &c, int fallback) {
		if (c.is_int64() && c.as_int64() > -1000000 && c.as_int64() < 1000000)
			return int(c.as_int64());
		if (c.is_uint64() && c.as_uint64() < 1000000)
			return int(c.as_uint64());
		return fallback;
	};
	if (error.is_array()) {
		const auto &a = error.as_array();
		if (!a.empty())
			e.code = code_of(a[0], 20);
		if (a.size() > 1 && a[1].is_string())
			e.message = std::string(a[1].as_string());
	} else if (error.is_object()) {
		const auto &o = error.as_object();
		if (const auto *c = o.if_contains("code"))
			e.code = code_of(*c, 20);
		if (const auto *m = o.if_contains("message"); m && m->is_string())
			e.message = std::string(m->as_string());
	} else if (error.is_string()) {
		e.message = std::string(error.as_string());
	} else {
		e.message = json::serialize(error);
	}
	if (e.message.empty())
		e.message = "error " + std::to_string(e.code);
	return e;
}

json::value make_error(int code, std::string_view message)
{
	return json::array{code, message, nullptr};
}

bool LineReader::feed(std::string_view bytes)
{
	if (overflowed_)
		return false;
	while (!bytes.empty()) {
		const auto nl = bytes.find('\n');
		const std::string_view piece = bytes.substr(0, nl);
		if (partial_.size() + piece.size() > max_line_) {
			overflowed_ = true;
			partial_.clear();
			return false;
		}
		partial_.append(piece);
		if (nl == std::string_view::npos)
			break;
		lines_.push_back(std::move(partial_));
		partial_.clear();
		bytes.remove_prefix(nl + 1);
	}
	return true;
}

std::optional<std::string> LineReader::next_line()
{
	if (lines_.empty())
		return std::nullopt;
	std::string l = std::move(lines_.front());
	lines_.pop_front();
	return l;
}

} // namespace hashboardd::stratum
