// SPDX-License-Identifier: MIT
//
// The two CRCs of the BM13xx chain protocol.
//
// CRC5 bit convention, and why the golden frames all pass with it: the register is fed
// MSB first with no reflection and no final xor, and a CRC5 sits in the low five bits
// of the frame's last byte. A command's CRC covers whole bytes (HDR..DATA), so its last
// byte is simply 000ccccc. A reply's LAST byte carries three flag bits above the CRC
// (bit 7: nonce), so the chip computes the CRC over the payload bits plus those three
// flag bits, a bit stream that ends exactly where the CRC begins. Feeding a message
// followed by its own CRC through a non-reflected CRC without final xor leaves zero,
// which is why "CRC5 over every byte after the preamble, LAST included, is zero" is
// the reply check, and why crc5_bits exists: the encoder needs the CRC of the first
// 8n-5 bits.

#include <hashboard/bm13xx/codec.hpp>

#include <array>
#include <stdexcept>

namespace hashboard::bm13xx {
namespace {

constexpr std::uint8_t kCrc5Poly = 0x05;
constexpr std::uint8_t kCrc5Init = 0x1F;
constexpr std::uint16_t kCrc16Poly = 0x1021;
constexpr std::uint16_t kCrc16Init = 0xFFFF;

constexpr std::uint8_t crc5_step(std::uint8_t crc, unsigned bit)
{
	const unsigned feedback = ((crc >> 4) & 1U) ^ (bit & 1U);
	crc = std::uint8_t((crc << 1) & 0x1F);
	return feedback ? std::uint8_t(crc ^ kCrc5Poly) : crc;
}

// Next CRC5 state for each (state, byte) pair, so the byte-wise path costs one lookup.
constexpr auto kCrc5Table = [] {
	std::array<std::array<std::uint8_t, 256>, 32> table{};
	for (unsigned state = 0; state < 32; ++state)
		for (unsigned byte = 0; byte < 256; ++byte) {
			auto crc = std::uint8_t(state);
			for (int bit = 7; bit >= 0; --bit)
				crc = crc5_step(crc, byte >> bit);
			table[state][byte] = crc;
		}
	return table;
}();

constexpr auto kCrc16Table = [] {
	std::array<std::uint16_t, 256> table{};
	for (unsigned byte = 0; byte < 256; ++byte) {
		auto crc = std::uint16_t(byte << 8);
		for (int bit = 0; bit < 8; ++bit)
			crc = (crc & 0x8000) ? std::uint16_t((crc << 1) ^ kCrc16Poly)
			                     : std::uint16_t(crc << 1);
		table[byte] = crc;
	}
	return table;
}();

} // namespace

std::uint8_t crc5(ByteSpan data)
{
	std::uint8_t crc = kCrc5Init;
	for (std::uint8_t byte : data)
		crc = kCrc5Table[crc][byte];
	return crc;
}

std::uint8_t crc5_bits(ByteSpan data, std::size_t nbits)
{
	if (nbits > data.size() * 8)
		throw std::invalid_argument("crc5_bits: more bits requested than data holds");
	std::uint8_t crc = kCrc5Init;
	const std::size_t whole = nbits / 8;
	for (std::size_t i = 0; i < whole; ++i)
		crc = kCrc5Table[crc][data[i]];
	for (std::size_t bit = 0; bit < nbits % 8; ++bit)
		crc = crc5_step(crc, data[whole] >> (7 - bit));
	return crc;
}

std::uint16_t crc16(ByteSpan data)
{
	std::uint16_t crc = kCrc16Init;
	for (std::uint8_t byte : data)
		crc = std::uint16_t((crc << 8) ^ kCrc16Table[(crc >> 8) ^ byte]);
	return crc;
}

} // namespace hashboard::bm13xx
