// SPDX-License-Identifier: MIT
#include "devices/pmbus.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace hashboard::pmbus {

namespace {

int sign_extend(unsigned value, unsigned bits)
{
	const unsigned sign = 1u << (bits - 1);
	value &= (1u << bits) - 1;
	return static_cast<int>(value ^ sign) - static_cast<int>(sign);
}

void push_unique(std::vector<std::string> &names, const std::string &name)
{
	if (std::find(names.begin(), names.end(), name) == names.end())
		names.push_back(name);
}

// One status register: bit 7 first. An empty name is a reserved bit.
struct BitMeaning {
	const char *name;
	bool warning;
};
using RegisterMeaning = std::array<BitMeaning, 8>;

void decode_register(std::uint8_t value, const RegisterMeaning &bits, StatusNames &out)
{
	for (unsigned i = 0; i < 8; ++i) {
		const BitMeaning &b = bits[i];
		if (!(value & (0x80u >> i)) || !*b.name)
			continue;
		if (b.warning)
			out.add_warning(b.name);
		else
			out.add_fault(b.name);
	}
}

constexpr RegisterMeaning kStatusVout{{
    {"VOUT_OV", false},
    {"VOUT_OV_WARN", true},
    {"VOUT_UV_WARN", true},
    {"VOUT_UV", false},
    {"VOUT_MAX_MIN_WARN", true}, // a VOUT_COMMAND beyond VOUT_MAX/VOUT_MIN was clipped
    {"TON_MAX", false},
    {"TOFF_MAX_WARN", true},
    {"VOUT_TRACKING", false},
}};

constexpr RegisterMeaning kStatusIout{{
    {"IOUT_OC", false},
    {"IOUT_OC_LV", false}, // over-current with low-voltage shutdown
    {"IOUT_OC_WARN", true},
    {"IOUT_UC", false},
    {"CURRENT_SHARE", false},
    {"POWER_LIMITING", true},
    {"POUT_OP", false},
    {"POUT_OP_WARN", true},
}};

constexpr RegisterMeaning kStatusInput{{
    {"VIN_OV", false},
    {"VIN_OV_WARN", true},
    {"VIN_UV_WARN", true},
    {"VIN_UV", false},
    {"LOW_VIN", false}, // unit off: input below VIN_ON
    {"IIN_OC", false},
    {"IIN_OC_WARN", true},
    {"PIN_OP_WARN", true},
}};

constexpr RegisterMeaning kStatusTemperature{{
    {"TEMP_OT", false},
    {"TEMP_OT_WARN", true},
    {"TEMP_UT_WARN", true},
    {"TEMP_UT", false},
    {"", false},
    {"", false},
    {"", false},
    {"", false},
}};

constexpr RegisterMeaning kStatusCml{{
    {"CML_INVALID_COMMAND", false},
    {"CML_INVALID_DATA", false},
    {"CML_PEC", false},
    {"CML_MEMORY", false},
    {"CML_PROCESSOR", false},
    {"", false},
    {"CML_OTHER_COMM", false},
    {"CML_OTHER_MEMORY_LOGIC", false},
}};

// STATUS_WORD, bit 15 first.
constexpr std::array<const char *, 16> kStatusWordNames{
    "VOUT",        "IOUT/POUT",   "INPUT",   "MFR_SPECIFIC",
    "POWER_GOOD#", "FANS",        "OTHER",   "UNKNOWN",
    "BUSY",        "OFF",         "VOUT_OV", "IOUT_OC",
    "VIN_UV",      "TEMPERATURE", "CML",     "NONE_OF_THE_ABOVE",
};

} // namespace

double decode_linear11(std::uint16_t raw)
{
	return std::ldexp(sign_extend(raw, 11), sign_extend(raw >> 11, 5));
}

std::uint16_t encode_linear11(double value)
{
	if (!std::isfinite(value))
		throw std::invalid_argument("LINEAR11: value is not finite");
	for (int exponent = -16; exponent <= 15; ++exponent) {
		const double mantissa = std::nearbyint(std::ldexp(value, -exponent));
		if (mantissa >= -1024 && mantissa <= 1023) {
			const auto m = static_cast<unsigned>(static_cast<int>(mantissa)) & 0x7ffu;
			const auto e = static_cast<unsigned>(exponent) & 0x1fu;
			return static_cast<std::uint16_t>(e << 11 | m);
		}
	}
	throw std::invalid_argument("LINEAR11: value out of range");
}

int vout_mode_exponent(std::uint8_t vout_mode)
{
	if (vout_mode & 0xe0)
		throw std::invalid_argument(
		    "VOUT_MODE: only the absolute linear format is supported");
	return sign_extend(vout_mode, 5);
}

double decode_ulinear16(std::uint16_t raw, int exponent)
{
	return std::ldexp(static_cast<double>(raw), exponent);
}

std::uint16_t encode_ulinear16(double value, int exponent)
{
	if (!std::isfinite(value))
		throw std::invalid_argument("ULINEAR16: value is not finite");
	const double mantissa = std::nearbyint(std::ldexp(value, -exponent));
	if (mantissa < 0 || mantissa > 65535)
		throw std::invalid_argument("ULINEAR16: value out of range");
	return static_cast<std::uint16_t>(mantissa);
}

void StatusNames::add_fault(const std::string &name)
{
	push_unique(faults, name);
}

void StatusNames::add_warning(const std::string &name)
{
	push_unique(warnings, name);
}

std::vector<std::string> status_word_bit_names(std::uint16_t status_word)
{
	std::vector<std::string> names;
	for (unsigned i = 0; i < 16; ++i)
		if (status_word & (0x8000u >> i))
			names.emplace_back(kStatusWordNames[i]);
	return names;
}

void decode_status_word(std::uint16_t status_word, StatusNames &out)
{
	if (status_word & SW_VOUT_OV)
		out.add_fault("VOUT_OV");
	if (status_word & SW_IOUT_OC)
		out.add_fault("IOUT_OC");
	if (status_word & SW_VIN_UV)
		out.add_fault("VIN_UV");
	if (status_word & SW_BUSY)
		out.add_fault("BUSY");
	if (status_word & SW_MFR)
		out.add_fault("MFR_SPECIFIC");
	if (status_word & SW_FANS)
		out.add_fault("FANS");
	if (status_word & SW_OTHER)
		out.add_fault("OTHER");
	if (status_word & SW_UNKNOWN)
		out.add_fault("UNKNOWN");
}

void decode_status_vout(std::uint8_t v, StatusNames &out)
{
	decode_register(v, kStatusVout, out);
}

void decode_status_iout(std::uint8_t v, StatusNames &out)
{
	decode_register(v, kStatusIout, out);
}

void decode_status_input(std::uint8_t v, StatusNames &out)
{
	decode_register(v, kStatusInput, out);
}

void decode_status_temperature(std::uint8_t v, StatusNames &out)
{
	decode_register(v, kStatusTemperature, out);
}

void decode_status_cml(std::uint8_t v, StatusNames &out)
{
	decode_register(v, kStatusCml, out);
}

} // namespace hashboard::pmbus
