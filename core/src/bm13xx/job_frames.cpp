// SPDX-License-Identifier: MIT
//
// Host -> chip job frames: 55 AA | 0x21 | LEN | DATA | CRC16 (big-endian),
// LEN = len(DATA) + 4. HDR 0x21 is the job type with the "write" command bits.
//
// Byte order on the wire, as the chips expect it (docs/protocol.md):
// - starting nonce, nbits, ntime, merkle tail and version go as the little-endian
//   bytes they are in the block header;
// - a BM1397 midstate is the SHA-256 state's eight words last-first, each word
//   big-endian: BE(h7) .. BE(h0);
// - a header job's merkle root and previous hash keep the bytes of each 4-byte word
//   but send the eight words last-first.

#include <hashboard/bm13xx/codec.hpp>

#include <stdexcept>
#include <string>

namespace hashboard::bm13xx {
namespace {

constexpr std::uint8_t kJobHdr = kTypeJob | std::uint8_t(Command::write_register);
constexpr std::uint8_t kMaxJobId = 0x7F;

void check_job_id(std::uint8_t job_id)
{
	// The chips echo a 7-bit job id; a larger one could never be matched to its reply.
	if (job_id > kMaxJobId)
		throw std::invalid_argument("job id " + std::to_string(job_id) +
		                            " does not fit in 7 bits");
}

void put_le32(Bytes &out, std::uint32_t v)
{
	std::uint8_t b[4];
	store_le32(b, v);
	out.insert(out.end(), b, b + 4);
}

void put_words_reversed(Bytes &out, const Hash256 &h)
{
	for (std::size_t word = 8; word-- > 0;)
		out.insert(out.end(), h.begin() + word * 4, h.begin() + word * 4 + 4);
}

void put_midstate(Bytes &out, const std::array<std::uint32_t, 8> &state)
{
	// Words last-first, each big-endian: BE(h7) .. BE(h0) (ESP-Miner's verifier frame,
	// gekko's stuff_reverse; docs/protocol.md).
	std::uint8_t b[32];
	for (std::size_t i = 0; i < 8; ++i)
		store_be32(b + (7 - i) * 4, state[i]);
	out.insert(out.end(), b, b + 32);
}

Bytes finish_job(Bytes frame)
{
	// frame holds preamble, HDR, a LEN placeholder and DATA.
	const std::size_t data_len = frame.size() - 4;
	frame[3] = std::uint8_t(data_len + 4);
	const std::uint16_t crc = crc16(ByteSpan(frame).subspan(2));
	frame.push_back(std::uint8_t(crc >> 8));
	frame.push_back(std::uint8_t(crc));
	return frame;
}

Bytes job_start(std::size_t data_len)
{
	Bytes frame;
	frame.reserve(4 + data_len + 2);
	frame.push_back(kCmdPreamble[0]);
	frame.push_back(kCmdPreamble[1]);
	frame.push_back(kJobHdr);
	frame.push_back(0); // LEN, filled in by finish_job
	return frame;
}

} // namespace

Bytes encode_job(const MidstateJob &job)
{
	check_job_id(job.job_id);
	if (job.midstates.size() != 1 && job.midstates.size() != 4)
		throw std::invalid_argument("a midstate job carries 1 or 4 midstates, not " +
		                            std::to_string(job.midstates.size()));
	Bytes frame = job_start(18 + 32 * job.midstates.size());
	frame.push_back(job.job_id);
	frame.push_back(std::uint8_t(job.midstates.size()));
	put_le32(frame, job.starting_nonce);
	put_le32(frame, job.nbits);
	put_le32(frame, job.ntime);
	put_le32(frame, job.merkle_tail);
	for (const auto &state : job.midstates)
		put_midstate(frame, state);
	return finish_job(std::move(frame));
}

Bytes encode_job(const HeaderJob &job)
{
	check_job_id(job.job_id);
	Bytes frame = job_start(82);
	frame.push_back(job.job_id);
	frame.push_back(1); // the chip computes its own midstates: always one "slot"
	put_le32(frame, job.starting_nonce);
	put_le32(frame, job.nbits);
	put_le32(frame, job.ntime);
	put_words_reversed(frame, job.merkle_root);
	put_words_reversed(frame, job.prev_hash);
	put_le32(frame, job.version);
	return finish_job(std::move(frame));
}

} // namespace hashboard::bm13xx
