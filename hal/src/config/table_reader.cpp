// SPDX-License-Identifier: MIT
#include <hashboard/config_file.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

namespace hashboard::config {
namespace {

std::string type_name(const toml::node &node)
{
	switch (node.type()) {
	case toml::node_type::string:
		return "a string";
	case toml::node_type::integer:
		return "an integer";
	case toml::node_type::floating_point:
		return "a number";
	case toml::node_type::boolean:
		return "a boolean";
	case toml::node_type::array:
		return "an array";
	case toml::node_type::table:
		return "a table";
	default:
		return "a date or time";
	}
}

std::string format_number(double x)
{
	return fmt::format("{:g}", x);
}

} // namespace

TableReader::TableReader(const toml::table &table, std::string path, std::string file)
    : table_(table), path_(std::move(path)), file_(std::move(file))
{
}

std::string TableReader::key_path(std::string_view key) const
{
	return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool TableReader::has(std::string_view key) const
{
	return table_.contains(key);
}

void TableReader::fail_at(const toml::source_region &where, const std::string &key_path,
                          const std::string &message) const
{
	throw ConfigError(file_, where.begin.line, where.begin.column, key_path, message);
}

void TableReader::fail(std::string_view key, const std::string &message) const
{
	fail_at(where(key), key_path(key), message);
}

void TableReader::missing(std::string_view key) const
{
	fail_at(table_.source(), key_path(key), "missing required key");
}

toml::source_region TableReader::where(std::string_view key) const
{
	if (const toml::node *n = table_.get(key))
		return n->source();
	return table_.source();
}

const toml::node *TableReader::get(std::string_view key)
{
	read_.emplace(key);
	return table_.get(key);
}

std::optional<std::string> TableReader::optional_string(std::string_view key)
{
	const toml::node *n = get(key);
	if (!n)
		return std::nullopt;
	if (const auto *s = n->as_string())
		return s->get();
	fail(key, "expected a string, got " + type_name(*n));
}

std::string TableReader::string(std::string_view key)
{
	if (auto s = optional_string(key)) {
		if (s->empty())
			fail(key, "must not be empty");
		return *s;
	}
	missing(key);
}

std::optional<std::int64_t> TableReader::optional_integer(std::string_view key, std::int64_t min,
                                                          std::int64_t max)
{
	const toml::node *n = get(key);
	if (!n)
		return std::nullopt;
	const auto *i = n->as_integer();
	if (!i)
		fail(key, "expected an integer " + std::to_string(min) + ".." +
		              std::to_string(max) + ", got " + type_name(*n));
	if (i->get() < min || i->get() > max)
		fail(key, "expected an integer " + std::to_string(min) + ".." +
		              std::to_string(max) + ", got " + std::to_string(i->get()));
	return i->get();
}

std::int64_t TableReader::integer(std::string_view key, std::int64_t min, std::int64_t max)
{
	if (auto v = optional_integer(key, min, max))
		return *v;
	missing(key);
}

std::optional<double> TableReader::optional_number(std::string_view key, double min, double max)
{
	const toml::node *n = get(key);
	if (!n)
		return std::nullopt;
	const std::string range = format_number(min) + ".." + format_number(max);
	double v = 0;
	if (const auto *i = n->as_integer())
		v = double(i->get());
	else if (const auto *f = n->as_floating_point())
		v = f->get();
	else
		fail(key, "expected a number " + range + ", got " + type_name(*n));
	if (!std::isfinite(v) || v < min || v > max)
		fail(key, "expected a number " + range + ", got " + format_number(v));
	return v;
}

double TableReader::number(std::string_view key, double min, double max)
{
	if (auto v = optional_number(key, min, max))
		return *v;
	missing(key);
}

std::vector<double> TableReader::numbers(std::string_view key, double min, double max)
{
	std::vector<double> out;
	const toml::node *n = get(key);
	if (!n)
		return out;
	const auto *arr = n->as_array();
	if (!arr)
		fail(key, "expected an array of numbers, got " + type_name(*n));
	const std::string range = format_number(min) + ".." + format_number(max);
	std::size_t i = 0;
	for (const toml::node &e : *arr) {
		const std::string at = key_path(key) + "[" + std::to_string(i++) + "]";
		double v = 0;
		if (const auto *iv = e.as_integer())
			v = double(iv->get());
		else if (const auto *f = e.as_floating_point())
			v = f->get();
		else
			fail_at(e.source(), at,
			        "expected a number " + range + ", got " + type_name(e));
		if (!std::isfinite(v) || v < min || v > max)
			fail_at(e.source(), at,
			        "expected a number " + range + ", got " + format_number(v));
		out.push_back(v);
	}
	return out;
}

std::optional<bool> TableReader::optional_boolean(std::string_view key)
{
	const toml::node *n = get(key);
	if (!n)
		return std::nullopt;
	if (const auto *b = n->as_boolean())
		return b->get();
	fail(key, "expected true or false, got " + type_name(*n));
}

std::size_t TableReader::choice(std::string_view key, std::span<const std::string_view> names)
{
	const std::string value = string(key);
	for (std::size_t i = 0; i < names.size(); ++i)
		if (names[i] == value)
			return i;
	fail(key, fmt::format("unknown value '{}'; valid: {}", value, fmt::join(names, ", ")));
}

std::vector<std::pair<std::string, toml::source_region>> TableReader::strings(std::string_view key)
{
	std::vector<std::pair<std::string, toml::source_region>> out;
	const toml::node *n = get(key);
	if (!n)
		missing(key);
	if (const auto *s = n->as_string()) {
		out.emplace_back(s->get(), s->source());
		return out;
	}
	const auto *arr = n->as_array();
	if (!arr)
		fail(key, "expected a string or an array of strings, got " + type_name(*n));
	for (const toml::node &e : *arr) {
		const auto *s = e.as_string();
		if (!s)
			fail_at(e.source(), key_path(key), "expected strings, got " + type_name(e));
		out.emplace_back(s->get(), s->source());
	}
	if (out.empty())
		fail(key, "must not be empty");
	return out;
}

std::optional<TableReader> TableReader::optional_table(std::string_view key)
{
	const toml::node *n = get(key);
	if (!n)
		return std::nullopt;
	const auto *t = n->as_table();
	if (!t)
		fail(key, "expected a table, got " + type_name(*n));
	return TableReader(*t, key_path(key), file_);
}

std::vector<TableReader> TableReader::table_array(std::string_view key)
{
	std::vector<TableReader> out;
	const toml::node *n = get(key);
	if (!n)
		return out;
	const auto *arr = n->as_array();
	if (!arr || !arr->is_array_of_tables())
		fail(key, "expected [[" + key_path(key) + "]] tables, got " + type_name(*n));
	std::size_t i = 0;
	for (const toml::node &e : *arr)
		out.emplace_back(*e.as_table(), key_path(key) + "[" + std::to_string(i++) + "]",
		                 file_);
	return out;
}

void TableReader::finish() const
{
	for (auto &&[k, v] : table_) {
		if (!read_.contains(k.str()))
			fail_at(k.source(), key_path(k.str()), "unknown key");
	}
}

} // namespace hashboard::config
