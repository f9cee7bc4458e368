// SPDX-License-Identifier: MIT
//
// PMBus facts shared by every PMBus device: command codes, the LINEAR11 and ULINEAR16
// data formats, and the status registers' bit meanings (PMBus 1.3 Part II; TI TPS546
// family datasheets). Pure functions: the device classes do the I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hashboard::pmbus {

enum Command : std::uint8_t {
	OPERATION = 0x01,
	ON_OFF_CONFIG = 0x02,
	CLEAR_FAULTS = 0x03,
	VOUT_MODE = 0x20,
	VOUT_COMMAND = 0x21,
	STATUS_BYTE = 0x78,
	STATUS_WORD = 0x79,
	STATUS_VOUT = 0x7a,
	STATUS_IOUT = 0x7b,
	STATUS_INPUT = 0x7c,
	STATUS_TEMPERATURE = 0x7d,
	STATUS_CML = 0x7e,
	READ_VIN = 0x88,
	READ_VOUT = 0x8b,
	READ_IOUT = 0x8c,
	READ_TEMPERATURE_1 = 0x8d,
};

// OPERATION values: on (no margining) and immediate off.
constexpr std::uint8_t kOperationOn = 0x80;
constexpr std::uint8_t kOperationOff = 0x00;

// LINEAR11: bits 15..11 a two's complement exponent N, bits 10..0 a two's complement
// mantissa Y; value = Y * 2^N.
double decode_linear11(std::uint16_t raw);
// The finest exponent whose mantissa still fits; throws std::invalid_argument when the
// value is out of range or not finite.
std::uint16_t encode_linear11(double value);

// VOUT_MODE: bits 7..5 the mode (000 = linear; TI's bit 7 "relative" must be clear too),
// bits 4..0 the ULINEAR16 exponent as 5-bit two's complement. Throws
// std::invalid_argument for a mode this code does not speak.
int vout_mode_exponent(std::uint8_t vout_mode);
// ULINEAR16: an unsigned 16-bit mantissa with VOUT_MODE's exponent.
double decode_ulinear16(std::uint16_t raw, int exponent);
// Nearest code; throws std::invalid_argument when the value does not fit in 16 bits.
std::uint16_t encode_ulinear16(double value, int exponent);

// STATUS_WORD bits.
enum StatusWordBit : std::uint16_t {
	SW_NONE_OF_THE_ABOVE = 1u << 0,
	SW_CML = 1u << 1,
	SW_TEMPERATURE = 1u << 2,
	SW_VIN_UV = 1u << 3,
	SW_IOUT_OC = 1u << 4,
	SW_VOUT_OV = 1u << 5,
	SW_OFF = 1u << 6,
	SW_BUSY = 1u << 7,
	SW_UNKNOWN = 1u << 8,
	SW_OTHER = 1u << 9,
	SW_FANS = 1u << 10,
	SW_POWER_GOOD_N = 1u << 11,
	SW_MFR = 1u << 12,
	SW_INPUT = 1u << 13,
	SW_IOUT_POUT = 1u << 14,
	SW_VOUT = 1u << 15,
};

// Faults and warnings by name, e.g. "VOUT_OV" (a fault) or "VOUT_UV_WARN" (a warning).
// Names are pushed once each.
struct StatusNames {
	std::vector<std::string> faults;
	std::vector<std::string> warnings;
	void add_fault(const std::string &name);
	void add_warning(const std::string &name);
};

// Every bit of a STATUS_WORD by its PMBus name ("VOUT", "OFF", "POWER_GOOD#", ...), for
// logs; the state bits (OFF, POWER_GOOD#) are included.
std::vector<std::string> status_word_bit_names(std::uint16_t status_word);

// The faults the STATUS_WORD itself proves, before the detail bytes are read: the
// low-byte fault bits (VOUT_OV, IOUT_OC, VIN_UV), BUSY, and the high byte's MFR, FANS,
// OTHER and UNKNOWN. OFF and POWER_GOOD# are states, not faults; NONE_OF_THE_ABOVE only
// says "look at the high byte".
void decode_status_word(std::uint16_t status_word, StatusNames &out);
// The detail registers, read when their summary bit is set.
void decode_status_vout(std::uint8_t status_vout, StatusNames &out);
void decode_status_iout(std::uint8_t status_iout, StatusNames &out);
void decode_status_input(std::uint8_t status_input, StatusNames &out);
void decode_status_temperature(std::uint8_t status_temperature, StatusNames &out);
void decode_status_cml(std::uint8_t status_cml, StatusNames &out);

} // namespace hashboard::pmbus
