// SPDX-License-Identifier: MIT
// Reading and parsing a TOML configuration file, and the located error every reader
// throws.
#include <hashboard/config_file.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace hashboard {
namespace {

std::string error_text(const std::string &file, unsigned line, unsigned column,
                       const std::string &key, const std::string &message)
{
	std::string s = file;
	if (line)
		s += ":" + std::to_string(line) + (column ? ":" + std::to_string(column) : "");
	s += ": ";
	if (!key.empty())
		s += key + ": ";
	return s + message;
}

// The first byte offset where text stops being UTF-8 (TOML files must be UTF-8), or npos.
// Checked before toml++ sees the text: Debian's toml++ 3.x reaches an unreachable point
// in its Unicode tables on some invalid sequences (found by tests/fuzz).
std::size_t invalid_utf8_at(std::string_view text)
{
	std::size_t i = 0;
	while (i < text.size()) {
		const auto c = static_cast<unsigned char>(text[i]);
		std::size_t len = 0;
		std::uint32_t cp = 0;
		if (c < 0x80) {
			++i;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + len > text.size())
			return i;
		for (std::size_t k = 1; k < len; ++k) {
			const auto cc = static_cast<unsigned char>(text[i + k]);
			if ((cc & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (cc & 0x3F);
		}
		// Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
		static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return i;
		i += len;
	}
	return std::string_view::npos;
}

// The first non-ASCII byte outside strings and comments, or npos. TOML allows none
// there (bare keys are ASCII), and Debian's toml++ 3.x reaches an unreachable point in
// its Unicode whitespace table on some such characters (U+00A1..U+0499, found by
// tests/fuzz): they are refused before toml++ sees them.
std::size_t non_ascii_outside_strings_at(std::string_view t)
{
	enum class In { code, comment, basic, literal, ml_basic, ml_literal } in = In::code;
	const auto starts = [&](std::size_t i, std::string_view w) {
		return t.substr(i, w.size()) == w;
	};
	for (std::size_t i = 0; i < t.size(); ++i) {
		const char c = t[i];
		switch (in) {
		case In::code:
			if (static_cast<unsigned char>(c) >= 0x80)
				return i;
			if (c == '#') {
				in = In::comment;
			} else if (starts(i, "\"\"\"")) {
				in = In::ml_basic;
				i += 2;
			} else if (starts(i, "'''")) {
				in = In::ml_literal;
				i += 2;
			} else if (c == '"') {
				in = In::basic;
			} else if (c == '\'') {
				in = In::literal;
			}
			break;
		case In::comment:
			if (c == '\n')
				in = In::code;
			break;
		case In::basic:
			if (c == '\\')
				++i;
			else if (c == '"' || c == '\n')
				in = In::code;
			break;
		case In::literal:
			if (c == '\'' || c == '\n')
				in = In::code;
			break;
		case In::ml_basic:
			if (c == '\\') {
				++i;
			} else if (starts(i, "\"\"\"")) {
				in = In::code;
				i += 2;
			}
			break;
		case In::ml_literal:
			if (starts(i, "'''")) {
				in = In::code;
				i += 2;
			}
			break;
		}
	}
	return std::string_view::npos;
}

void refuse_at(std::string_view text, std::size_t at, const std::string &source,
               const std::string &why)
{
	const std::string_view before = text.substr(0, at);
	const auto line = std::size_t(std::count(before.begin(), before.end(), '\n')) + 1;
	const std::size_t nl = before.rfind('\n');
	const std::size_t column = at - (nl == std::string_view::npos ? 0 : nl + 1) + 1;
	throw ConfigError(source, unsigned(line), unsigned(column), "", why);
}

} // namespace

ConfigError::ConfigError(std::string file, unsigned line, unsigned column, std::string key,
                         std::string message)
    : std::invalid_argument(error_text(file, line, column, key, message)), file_(std::move(file)),
      line_(line), column_(column), key_(std::move(key)), message_(std::move(message))
{
}

namespace config {

std::string read_text_file(const std::filesystem::path &file, std::size_t max_bytes,
                           std::string_view what)
{
	const std::string name = file.string();
	const std::string cannot = "cannot read the " + std::string(what) + ": ";
	std::error_code ec;
	if (std::filesystem::is_directory(file, ec))
		throw ConfigError(name, 0, 0, "", cannot + "it is a directory");
	std::ifstream in(file, std::ios::binary);
	if (!in)
		throw ConfigError(name, 0, 0, "", cannot + std::strerror(errno));
	std::string text;
	char block[1 << 14];
	while (in) {
		in.read(block, sizeof block);
		text.append(block, std::size_t(in.gcount()));
		if (text.size() > max_bytes)
			throw ConfigError(name, 0, 0, "",
			                  "the " + std::string(what) + " is larger than " +
			                      std::to_string(max_bytes >> 10) + " KiB; not a " +
			                      std::string(what));
	}
	if (in.bad())
		throw ConfigError(name, 0, 0, "", cannot + std::strerror(errno));
	return text;
}

toml::table parse_toml(std::string_view text, const std::string &source_name, std::string_view what)
{
	if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos)
		refuse_at(text, bad, source_name,
		          "not UTF-8 text (" + std::string(what) + " must be UTF-8)");
	if (const std::size_t bad = non_ascii_outside_strings_at(text);
	    bad != std::string_view::npos)
		refuse_at(text, bad, source_name,
		          "a non-ASCII character outside a string or comment");
	try {
		return toml::parse(text, source_name);
	} catch (const toml::parse_error &e) {
		throw ConfigError(source_name, e.source().begin.line, e.source().begin.column, "",
		                  "syntax error: " + std::string(e.description()));
	}
}

} // namespace config
} // namespace hashboard
