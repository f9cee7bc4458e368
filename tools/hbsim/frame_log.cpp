// SPDX-License-Identifier: MIT
#include "frame_log.hpp"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <variant>

namespace hbsim_tool {

namespace bm = hashboard::bm13xx;

namespace {

template <class... Ts> struct Overloaded : Ts... {
	using Ts::operator()...;
};
template <class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

__attribute__((format(printf, 1, 2))) std::string format(const char *fmt, ...)
{
	char buf[192];
	std::va_list args;
	va_start(args, fmt);
	std::vsnprintf(buf, sizeof buf, fmt, args);
	va_end(args);
	return buf;
}

std::string target(bool all, std::uint8_t chip)
{
	return all ? "all" : format("chip 0x%02x", chip);
}

std::string describe(const bm::HostFrame &frame)
{
	return std::visit(
	    Overloaded{
	        [](const bm::SetAddress &f) { return format("set address 0x%02x", f.address); },
	        [](const bm::WriteRegister &f) {
		        return "write " + target(f.all, f.chip) +
		               format(" reg 0x%02x = 0x%08" PRIx32, f.reg, f.value);
	        },
	        [](const bm::ReadRegister &f) {
		        return "read " + target(f.all, f.chip) + format(" reg 0x%02x", f.reg);
	        },
	        [](const bm::ChainInactive &) { return std::string("chain inactive"); },
	        [](const bm::MidstateJob &f) {
		        return format("job 0x%02x midstates %zu nbits 0x%08" PRIx32
		                      " ntime 0x%08" PRIx32,
		                      f.job_id, f.midstates.size(), f.nbits, f.ntime);
	        },
	        [](const bm::HeaderJob &f) {
		        return format("job 0x%02x version 0x%08" PRIx32 " nbits 0x%08" PRIx32
		                      " ntime 0x%08" PRIx32,
		                      f.job_id, f.version, f.nbits, f.ntime);
	        },
	    },
	    frame);
}

std::string describe(const bm::ChipFrame &frame)
{
	return std::visit(Overloaded{
	                      [](const bm::RegisterReply &f) {
		                      return format("reply chip 0x%02x reg 0x%02x = 0x%08" PRIx32,
		                                    f.chip, f.reg, f.value);
	                      },
	                      [](const bm::NonceReply &f) {
		                      std::string s =
		                          format("nonce 0x%08" PRIx32 " job byte 0x%02x sub 0x%02x",
		                                 f.nonce, f.job_byte, f.excess_difficulty);
		                      if (f.version_bits)
			                      s += format(" version bits 0x%04x", *f.version_bits);
		                      return s;
	                      },
	                  },
	                  frame);
}

} // namespace

void FrameLog::host_bytes(hashboard::ByteSpan data)
{
	host_.feed(data, [&](const bm::HostFrame &f) { log_.line("host> " + describe(f)); });
	report_junk("host>", host_.stats(), host_seen_);
}

void FrameLog::chip_bytes(hashboard::ByteSpan data, std::size_t reply_len)
{
	if (reply_len != replies_.reply_len())
		replies_.set_reply_len(reply_len);
	replies_.feed(data, [&](const bm::ChipFrame &f) { log_.line("chip< " + describe(f)); });
	report_junk("chip<", replies_.stats(), replies_seen_);
}

void FrameLog::restart()
{
	host_.reset();
	replies_.reset();
}

void FrameLog::report_junk(const char *side, const bm::ParserStats &now,
                           bm::ParserStats &seen) const
{
	if (now.crc_errors != seen.crc_errors || now.junk_bytes != seen.junk_bytes ||
	    now.bad_frames != seen.bad_frames)
		log_.line(format("%s undecodable: %" PRIu64 " CRC errors, %" PRIu64
		                 " junk bytes, %" PRIu64 " bad frames so far",
		                 side, now.crc_errors, now.junk_bytes, now.bad_frames));
	seen = now;
}

} // namespace hbsim_tool
