// SPDX-License-Identifier: MIT
#include "chain_log.hpp"

#include <cstdio>
#include <string>

namespace hbsim::detail {
namespace {

template <class... Ts> struct Overloaded : Ts... {
	using Ts::operator()...;
};

std::string change_note(const ChipView &a, const ChipView &b)
{
	std::string out;
	char text[64];
	auto add = [&] {
		if (!out.empty())
			out += ", ";
		out += text;
	};
	if (b.addressed != a.addressed || b.address != a.address) {
		if (b.addressed)
			std::snprintf(text, sizeof text, "address 0x%02x", b.address);
		else
			std::snprintf(text, sizeof text, "waiting for an address");
		add();
	}
	if (b.freq_mhz != a.freq_mhz) {
		if (b.freq_mhz > 0)
			std::snprintf(text, sizeof text, "PLL %.2f MHz", b.freq_mhz);
		else
			std::snprintf(text, sizeof text, "PLL setting invalid, hashing stopped");
		add();
	}
	if (b.baud != a.baud) {
		std::snprintf(text, sizeof text, "baud %.0f -> %.0f", a.baud, b.baud);
		add();
	}
	if (b.ticket_mask != a.ticket_mask) {
		std::snprintf(text, sizeof text, "ticket mask 0x%08x", b.ticket_mask);
		add();
	}
	if (b.version_rolling != a.version_rolling) {
		std::snprintf(text, sizeof text, "version rolling %s", b.version_rolling ? "on" : "off");
		add();
	}
	return out;
}

} // namespace

void log_frame(const SimLog &log, Duration t, const hashboard::bm13xx::HostFrame &frame)
{
	using namespace hashboard::bm13xx;
	char to[16] = "all";
	auto target = [&](bool all, std::uint8_t chip) {
		if (!all)
			std::snprintf(to, sizeof to, "chip 0x%02x", chip);
		return to;
	};
	std::visit(Overloaded{
			   [&](const SetAddress &f) {
				   log.line(t, "frame: set address 0x%02x", f.address);
			   },
			   [&](const WriteRegister &f) {
				   log.line(t, "frame: write reg 0x%02x = 0x%08x to %s", f.reg,
					    f.value, target(f.all, f.chip));
			   },
			   [&](const ReadRegister &f) {
				   log.line(t, "frame: read reg 0x%02x from %s", f.reg,
					    target(f.all, f.chip));
			   },
			   [&](const ChainInactive &) { log.line(t, "frame: chain inactive"); },
			   [&](const MidstateJob &f) {
				   log.line(t, "frame: job 0x%02x, %zu midstate(s)", f.job_id,
					    f.midstates.size());
			   },
			   [&](const HeaderJob &f) {
				   log.line(t, "frame: job 0x%02x, version 0x%08x", f.job_id,
					    f.version);
			   },
		   },
		   frame);
}

void log_changes(const SimLog &log, Duration t, const std::vector<ChipView> &before,
		 const std::vector<ChipView> &after)
{
	std::string run_note;
	std::size_t run_start = 0;
	auto flush = [&](std::size_t end) {
		if (run_note.empty())
			return;
		if (end - run_start == 1)
			log.line(t, "chip %zu: %s", run_start, run_note.c_str());
		else
			log.line(t, "chips %zu-%zu: %s", run_start, end - 1, run_note.c_str());
	};
	for (std::size_t i = 0; i < after.size(); ++i) {
		std::string note = change_note(before[i], after[i]);
		if (note != run_note) {
			flush(i);
			run_note = std::move(note);
			run_start = i;
		}
	}
	flush(after.size());
}

} // namespace hbsim::detail
