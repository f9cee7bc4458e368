// SPDX-License-Identifier: MIT
//
// The BM13xx chain protocol: the one frame codec that the HAL, the simulator, hbctl and
// the tests share. docs/protocol.md gives the facts and their sources.
#pragma once

#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/bytes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

namespace hashboard::bm13xx {

inline constexpr std::uint8_t kCmdPreamble[2] = {0x55, 0xAA};
inline constexpr std::uint8_t kReplyPreamble[2] = {0xAA, 0x55};

// CRC5: poly x^5+x^2+1, init 0x1F, MSB first, no reflection, no final xor.
std::uint8_t crc5(ByteSpan data);
// Bit-level variant over the first nbits bits of data (the reply check covers the
// five CRC bits that sit in the low bits of the last byte).
std::uint8_t crc5_bits(ByteSpan data, std::size_t nbits);
// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF.
std::uint16_t crc16(ByteSpan data);

// HDR byte fields.
inline constexpr std::uint8_t kTypeJob = 0x20;
inline constexpr std::uint8_t kTypeCommand = 0x40;
inline constexpr std::uint8_t kFlagAll = 0x10;

enum class Command : std::uint8_t {
	set_address = 0,
	write_register = 1,
	read_register = 2,
	chain_inactive = 3,
};

// ---- host -> chip ------------------------------------------------------------------

Bytes encode_set_address(std::uint8_t address);
Bytes encode_write_register(bool all, std::uint8_t chip, std::uint8_t reg, std::uint32_t value);
Bytes encode_read_register(bool all, std::uint8_t chip, std::uint8_t reg);
Bytes encode_chain_inactive();

// BM1397: the host computes midstates. Fields hold header bytes as they sit in the
// header (little-endian numbers); midstates are SHA-256 states, sent as their eight
// words last-first, each big-endian: BE(h7) .. BE(h0), as open firmware does.
struct MidstateJob {
	std::uint8_t job_id = 0;
	std::uint32_t starting_nonce = 0;
	std::uint32_t nbits = 0;
	std::uint32_t ntime = 0;
	std::uint32_t merkle_tail = 0; // header bytes 64..67, read little-endian
	std::vector<std::array<std::uint32_t, 8>> midstates; // 1 or 4
	bool operator==(const MidstateJob &) const = default;
};

// BM1366/68/70: the chip computes midstates and rolls the version itself.
// merkle_root and prev_hash are in header byte order here; on the wire their eight
// 4-byte words go in reverse order (docs/protocol.md).
struct HeaderJob {
	std::uint8_t job_id = 0;
	std::uint32_t starting_nonce = 0;
	std::uint32_t nbits = 0;
	std::uint32_t ntime = 0;
	Hash256 merkle_root{};
	Hash256 prev_hash{};
	std::uint32_t version = 0;
	bool operator==(const HeaderJob &) const = default;
};

Bytes encode_job(const MidstateJob &job);
Bytes encode_job(const HeaderJob &job);

// A decoded host->chip frame (the simulator's and the frame decoder's view).
struct SetAddress {
	std::uint8_t address;
	bool operator==(const SetAddress &) const = default;
};
struct WriteRegister {
	bool all;
	std::uint8_t chip;
	std::uint8_t reg;
	std::uint32_t value;
	bool operator==(const WriteRegister &) const = default;
};
struct ReadRegister {
	bool all;
	std::uint8_t chip;
	std::uint8_t reg;
	bool operator==(const ReadRegister &) const = default;
};
struct ChainInactive {
	bool operator==(const ChainInactive &) const = default;
};
using HostFrame =
    std::variant<SetAddress, WriteRegister, ReadRegister, ChainInactive, MidstateJob, HeaderJob>;

// A decoded host frame of any kind back to its bytes: what HostParser delivers encodes to
// exactly what it was cut from.
Bytes encode_host_frame(const HostFrame &frame);

// ---- chip -> host ------------------------------------------------------------------

struct RegisterReply {
	std::uint32_t value = 0;
	std::uint8_t chip = 0;
	std::uint8_t reg = 0;
	bool operator==(const RegisterReply &) const = default;
};

// nonce: the four wire bytes read little-endian, i.e. the value that goes in the header.
// excess_difficulty: byte 4. On BM1366+ how far the hash beat the ticket, in half-bit
// units (capture: 0x0C at ticket 2^8 hashes to 2^14 x 2^32); on BM1397 its meaning is
// not settled by any capture (docs/protocol.md).
// job_byte: byte 5, the "result header": the job id the host sent and the midstate
// index or small-core id, packed per family (decode_nonce_reply in chip_family.hpp).
struct NonceReply {
	std::uint32_t nonce = 0;
	std::uint8_t excess_difficulty = 0;
	std::uint8_t job_byte = 0;
	std::optional<std::uint16_t> version_bits; // present in 11-byte replies
	bool operator==(const NonceReply &) const = default;
};

using ChipFrame = std::variant<RegisterReply, NonceReply>;

// Reply length is 9 (no version rolling) or 11 bytes, preamble and LAST included.
// For 11-byte register replies the two extra bytes are zero.
Bytes encode_reply(const RegisterReply &reply, std::size_t reply_len);
Bytes encode_reply(const NonceReply &reply, std::size_t reply_len);
Bytes encode_reply(const ChipFrame &reply, std::size_t reply_len);

// ---- incremental parsers -----------------------------------------------------------

struct ParserStats {
	std::uint64_t frames = 0;     // frames with a good CRC, delivered
	std::uint64_t crc_errors = 0; // frames that looked whole but failed the CRC
	std::uint64_t junk_bytes = 0; // bytes discarded while hunting for a preamble
	std::uint64_t bad_frames = 0; // good CRC but impossible content (bad LEN, type)
	bool operator==(const ParserStats &) const = default;
};

// Chip -> host stream. Feed any chunking of the byte stream; every complete frame with
// a good CRC comes out once, in order. After garbage or a CRC failure the parser
// resynchronises on the next preamble (a bad frame's bytes are rescanned, so a real
// preamble inside it is not lost). Never throws on input.
class ReplyParser {
public:
	explicit ReplyParser(std::size_t reply_len);
	void set_reply_len(std::size_t reply_len);
	std::size_t reply_len() const { return reply_len_; }

	// Calls sink for each frame completed by data.
	void feed(ByteSpan data, const std::function<void(const ChipFrame &)> &sink);
	// Drops any partial frame (after a baud change or reset).
	void reset();
	const ParserStats &stats() const { return stats_; }
	// Bytes held back as the start of a frame not yet complete: fewer than one frame
	// between feed() calls, whatever was fed (endless garbage included).
	std::size_t buffered() const { return buf_.size(); }

private:
	std::size_t reply_len_;
	Bytes buf_;
	ParserStats stats_;
};

// Host -> chip stream (simulator side; also hbctl frames decode). Lengths come from LEN;
// a LEN that does not fit the HDR type is a bad frame and the parser resynchronises.
class HostParser {
public:
	void feed(ByteSpan data, const std::function<void(const HostFrame &)> &sink);
	void reset();
	const ParserStats &stats() const { return stats_; }
	// Bytes held back as the start of a frame not yet complete: fewer than one frame
	// between feed() calls, whatever was fed (endless garbage included).
	std::size_t buffered() const { return buf_.size(); }

private:
	Bytes buf_;
	ParserStats stats_;
};

// Ticket mask register value for difficulty 2^k: 2^k - 1 with each byte bit-reversed.
std::uint32_t ticket_mask_for_difficulty_log2(unsigned k);
// Inverse; nullopt when the value is not such a mask.
std::optional<unsigned> ticket_mask_difficulty_log2(std::uint32_t mask);

} // namespace hashboard::bm13xx
