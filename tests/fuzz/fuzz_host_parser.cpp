// SPDX-License-Identifier: MIT
// HostParser on arbitrary bytes: no crash; every delivered frame encodes back to the
// very bytes it came from (found in order in the input); every input byte is
// accounted for; memory stays bounded; chunking does not change the outcome. The
// input also seeds one frame of each kind, which must survive encode -> parse.

#include "fuzz_common.hpp"

#include <hashboard/bm13xx/codec.hpp>

#include <algorithm>
#include <variant>

using namespace hashboard;
using namespace hashboard::bm13xx;

namespace {

constexpr std::size_t kMaxFrame = host_frame_size(kLenFourMidstates);

void check_stream(ByteSpan data)
{
	std::vector<HostFrame> whole_frames;
	HostParser whole;
	whole.feed(data, [&](const HostFrame &f) { whole_frames.push_back(f); });

	const ParserStats &s = whole.stats();
	FUZZ_CHECK(s.frames == whole_frames.size());
	FUZZ_CHECK(whole.buffered() < kMaxFrame);
	std::uint64_t frame_bytes = 0;
	auto at = data.begin();
	for (const auto &f : whole_frames) {
		const Bytes enc = encode_host_frame(f);
		frame_bytes += enc.size();
		auto hit = std::search(at, data.end(), enc.begin(), enc.end());
		if (hit == data.end() && std::holds_alternative<HeaderJob>(f)) {
			// Factory firmware's LEN 0x36 header job: the same bytes but LEN and CRC16.
			Bytes factory = enc;
			factory[3] = 0x36;
			const std::uint16_t crc =
			    crc16(ByteSpan(factory).subspan(2, factory.size() - 4));
			factory[factory.size() - 2] = std::uint8_t(crc >> 8);
			factory[factory.size() - 1] = std::uint8_t(crc);
			hit = std::search(at, data.end(), factory.begin(), factory.end());
		}
		FUZZ_CHECK(hit != data.end());
		at = hit + std::ptrdiff_t(enc.size());
	}
	FUZZ_CHECK(frame_bytes + s.junk_bytes + whole.buffered() == data.size());
	FUZZ_CHECK(s.crc_errors + s.bad_frames <= s.junk_bytes);

	std::vector<HostFrame> chunk_frames;
	HostParser chunked;
	for (ByteSpan piece : fuzz::chunks_of(data)) {
		chunked.feed(piece, [&](const HostFrame &f) { chunk_frames.push_back(f); });
		FUZZ_CHECK(chunked.buffered() < kMaxFrame);
	}
	FUZZ_CHECK(chunk_frames == whole_frames);
	FUZZ_CHECK(chunked.stats() == whole.stats());
	FUZZ_CHECK(chunked.buffered() == whole.buffered());
}

// Reads fields from the input, zero-padded when it runs out.
struct Reader {
	ByteSpan data;
	std::size_t pos = 0;
	std::uint8_t u8() { return pos < data.size() ? data[pos++] : 0; }
	std::uint32_t u32()
	{
		return std::uint32_t(u8()) | std::uint32_t(u8()) << 8 | std::uint32_t(u8()) << 16 |
		       std::uint32_t(u8()) << 24;
	}
};

void check_round_trip(const HostFrame &frame)
{
	const Bytes enc = encode_host_frame(frame);
	std::vector<HostFrame> out;
	HostParser p;
	p.feed(enc, [&](const HostFrame &f) { out.push_back(f); });
	FUZZ_CHECK(out.size() == 1 && out[0] == frame);
	FUZZ_CHECK(p.stats().junk_bytes == 0 && p.buffered() == 0);
}

void check_encoders(ByteSpan data)
{
	Reader r{data};
	check_round_trip(SetAddress{r.u8()});
	check_round_trip(WriteRegister{bool(r.u8() & 1), r.u8(), r.u8(), r.u32()});
	check_round_trip(ReadRegister{bool(r.u8() & 1), r.u8(), r.u8()});
	check_round_trip(ChainInactive{});

	MidstateJob m{std::uint8_t(r.u8() & 0x7F), r.u32(), r.u32(), r.u32(), r.u32(), {}};
	const std::size_t count = r.u8() & 1 ? 4 : 1;
	for (std::size_t i = 0; i < count; ++i) {
		std::array<std::uint32_t, 8> state;
		for (auto &w : state)
			w = r.u32();
		m.midstates.push_back(state);
	}
	check_round_trip(m);

	HeaderJob h{std::uint8_t(r.u8() & 0x7F), r.u32(), r.u32(), r.u32(), {}, {}, r.u32()};
	for (auto &b : h.merkle_root)
		b = r.u8();
	for (auto &b : h.prev_hash)
		b = r.u8();
	check_round_trip(h);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const ByteSpan input(data, size);
	check_stream(input);
	check_encoders(input);
	return 0;
}
