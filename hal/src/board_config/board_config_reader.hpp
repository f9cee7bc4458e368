// SPDX-License-Identifier: MIT
//
// Typed, located access to one table of a board file. Every read is checked (type and
// range) and remembered, so finish() can reject keys nobody asked for: a misspelt key is
// an error, never a silent default. Every error is a BoardConfigError at the place in
// the file that is wrong (the value, the key, or the table when a key is missing).
#pragma once

#include <hashboard/board/board_config.hpp>

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard::board_file {

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

} // namespace hashboard::board_file
