// SPDX-License-Identifier: MIT
#include "validators.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace hbctl {
namespace {

// As a stream writes it (%g): "1e+10", "0.01".
std::string text(double x)
{
	return fmt::format("{:g}", x);
}

// The whole string as a double, or an error message.
std::string parse_double(const std::string &s, double &v)
{
	if (s.empty())
		return "expected a number, got nothing";
	char *end = nullptr;
	errno = 0;
	v = std::strtod(s.c_str(), &end);
	if (end != s.c_str() + s.size())
		return "'" + s + "' is not a number";
	if (!std::isfinite(v) || errno == ERANGE)
		return "'" + s + "' is not a finite number";
	return {};
}

} // namespace

CLI::Validator finite_range(double min, double max)
{
	return CLI::Validator(
	    [min, max](std::string &s) -> std::string {
		    double v = 0;
		    if (auto err = parse_double(s, v); !err.empty())
			    return err;
		    if (v < min || v > max)
			    return s + " is outside " + text(min) + ".." + text(max);
		    return {};
	    },
	    "NUMBER in [" + text(min) + " - " + text(max) + "]", "finite_range");
}

CLI::Validator positive_up_to(double max)
{
	return CLI::Validator(
	    [max](std::string &s) -> std::string {
		    double v = 0;
		    if (auto err = parse_double(s, v); !err.empty())
			    return err;
		    if (!(v > 0))
			    return s + " must be above 0";
		    if (v > max)
			    return s + " is above the limit " + text(max);
		    return {};
	    },
	    "NUMBER in (0 - " + text(max) + "]", "positive_up_to");
}

CLI::Validator whole_range(std::uint64_t min, std::uint64_t max)
{
	return CLI::Validator(
	    [min, max](std::string &s) -> std::string {
		    std::string_view d = s;
		    int base = 10;
		    if (d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
			    d.remove_prefix(2);
			    base = 16;
		    }
		    std::uint64_t v = 0;
		    const auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v, base);
		    if (d.empty() || p != d.data() + d.size() ||
		        (ec != std::errc() && ec != std::errc::result_out_of_range))
			    return "'" + s + "' is not a whole number " + std::to_string(min) +
			           ".." + std::to_string(max);
		    if (ec == std::errc::result_out_of_range || v < min || v > max)
			    return s + " is outside " + std::to_string(min) + ".." +
			           std::to_string(max);
		    // CLI11's own conversion reads a leading 0 as octal: hand it decimal.
		    s = std::to_string(v);
		    return {};
	    },
	    "UINT in [" + std::to_string(min) + " - " + std::to_string(max) + "]", "whole_range");
}

} // namespace hbctl
