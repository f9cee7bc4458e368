// SPDX-License-Identifier: MIT
//
// Host -> chip command frames: 55 AA | HDR | LEN | DATA | CRC5, LEN = len(DATA) + 3.

#include <hashboard/bm13xx/codec.hpp>

namespace hashboard::bm13xx {
namespace {

std::uint8_t command_hdr(Command cmd, bool all)
{
	return std::uint8_t(kTypeCommand | (all ? kFlagAll : 0) | std::uint8_t(cmd));
}

Bytes command_frame(std::uint8_t hdr, ByteSpan data)
{
	Bytes frame;
	frame.reserve(data.size() + 5);
	frame.push_back(kCmdPreamble[0]);
	frame.push_back(kCmdPreamble[1]);
	frame.push_back(hdr);
	frame.push_back(std::uint8_t(data.size() + 3));
	frame.insert(frame.end(), data.begin(), data.end());
	// The CRC covers HDR..DATA, i.e. everything after the preamble so far.
	frame.push_back(crc5(ByteSpan(frame).subspan(2)));
	return frame;
}

} // namespace

Bytes encode_set_address(std::uint8_t address)
{
	const std::uint8_t data[] = {address, 0x00};
	return command_frame(command_hdr(Command::set_address, false), data);
}

Bytes encode_write_register(bool all, std::uint8_t chip, std::uint8_t reg, std::uint32_t value)
{
	std::uint8_t data[6] = {chip, reg};
	store_be32(data + 2, value);
	return command_frame(command_hdr(Command::write_register, all), data);
}

Bytes encode_read_register(bool all, std::uint8_t chip, std::uint8_t reg)
{
	const std::uint8_t data[] = {chip, reg};
	return command_frame(command_hdr(Command::read_register, all), data);
}

Bytes encode_chain_inactive()
{
	// Chain inactive only makes sense for every chip at once, so it is always broadcast.
	const std::uint8_t data[] = {0x00, 0x00};
	return command_frame(command_hdr(Command::chain_inactive, true), data);
}

} // namespace hashboard::bm13xx
