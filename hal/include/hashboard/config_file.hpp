// SPDX-License-Identifier: MIT
//
// TOML configuration files read the one way this project reads them (board files,
// hashboardd's config): bounded in size, checked to be UTF-8 before the parser sees them,
// and read through a TableReader, whose every access is typed, range-checked and
// remembered, so that finish() rejects keys nobody asked for: a misspelt key is an
// error, never a silent default. Every error is a ConfigError at the place in the file
// that is wrong (the value, the key, or the table when a key is missing).
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashboard {

// what() reads "boards/x.toml:12:9: chain[1].chips: expected an integer 1..256".
// line and column are 1-based; 0 when the error has no single place (a missing table).
class ConfigError : public std::invalid_argument {
public:
	ConfigError(std::string file, unsigned line, unsigned column, std::string key,
	            std::string message);
	const std::string &file() const { return file_; }
	unsigned line() const { return line_; }
	unsigned column() const { return column_; }
	const std::string &key() const { return key_; }
	const std::string &message() const { return message_; }

private:
	std::string file_;
	unsigned line_;
	unsigned column_;
	std::string key_;
	std::string message_;
};

namespace config {

// The whole file, refused (ConfigError) when it is a directory, cannot be read or is
// larger than max_bytes; what names the kind of file in messages ("board file"). Read
// in blocks, so a device (/dev/zero) or a pipe cannot grow it without bound.
std::string read_text_file(const std::filesystem::path &file, std::size_t max_bytes,
                           std::string_view what);

// Parses TOML text, refusing invalid UTF-8 and non-ASCII outside strings and comments
// first; what names the file in messages ("a board file"). ConfigError on any error.
toml::table parse_toml(std::string_view text, const std::string &source_name,
                       std::string_view what);

class TableReader {
public:
	// path: the table's key path in messages ("chain[1]", "limits"); empty for the root.
	TableReader(const toml::table &table, std::string path, std::string file);

	const std::string &file() const { return file_; }
	const std::string &path() const { return path_; }
	std::string key_path(std::string_view key) const;
	bool has(std::string_view key) const;

	[[noreturn]] void fail(std::string_view key, const std::string &message) const;
	[[noreturn]] void fail_at(const toml::source_region &where, const std::string &key_path,
	                          const std::string &message) const;
	// At the table (the key has no place of its own), naming the key.
	[[noreturn]] void missing(std::string_view key) const;

	std::string string(std::string_view key);
	std::optional<std::string> optional_string(std::string_view key);
	std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
	std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
	                                             std::int64_t max);
	// Integers are taken as numbers too: "vout_max_mv = 1400" needs no ".0".
	double number(std::string_view key, double min, double max);
	std::optional<double> optional_number(std::string_view key, double min, double max);
	std::optional<bool> optional_boolean(std::string_view key);
	// An array of numbers, each in [min, max] (an error points at the element); empty
	// when the key is absent.
	std::vector<double> numbers(std::string_view key, double min, double max);
	// One of names; returns its index.
	std::size_t choice(std::string_view key, std::span<const std::string_view> names);

	// A value that is a string or an array of strings ("0-2" or ["0-2", "5"]).
	std::vector<std::pair<std::string, toml::source_region>> strings(std::string_view key);
	std::optional<TableReader> optional_table(std::string_view key);
	// An array of tables ([[chain]]); empty when the key is absent.
	std::vector<TableReader> table_array(std::string_view key);

	// Rejects every key that was not read.
	void finish() const;

	// Where a key's value is (the table when it is absent), for later semantic errors.
	toml::source_region where(std::string_view key) const;
	// Where the table itself is (its header).
	toml::source_region source() const { return table_.source(); }

private:
	const toml::node *get(std::string_view key);
	const toml::table &table_;
	std::string path_;
	std::string file_;
	std::set<std::string, std::less<>> read_;
};

} // namespace config
} // namespace hashboard
