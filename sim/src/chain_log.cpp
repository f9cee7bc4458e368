// SPDX-License-Identifier: MIT
#include "chain_log.hpp"

#include <cstdio>
#include <string>

namespace hbsim::detail {
namespace {

namespace bm = hashboard::bm13xx;

std::string target(bool all, std::uint8_t chip)
{
	char text[16] = "all";
	if (!all)
		std::snprintf(text, sizeof text, "chip 0x%02x", chip);
	return text;
}

std::string frame_text(const bm::SetAddress &f)
{
	char text[32];
	std::snprintf(text, sizeof text, "set address 0x%02x", f.address);
	return text;
}

std::string frame_text(const bm::WriteRegister &f)
{
	char text[64];
	std::snprintf(text, sizeof text, "write reg 0x%02x = 0x%08x to %s", f.reg, f.value,
	              target(f.all, f.chip).c_str());
	return text;
}

std::string frame_text(const bm::ReadRegister &f)
{
	char text[64];
	std::snprintf(text, sizeof text, "read reg 0x%02x from %s", f.reg,
	              target(f.all, f.chip).c_str());
	return text;
}

std::string frame_text(const bm::ChainInactive &)
{
	return "chain inactive";
}

std::string frame_text(const bm::MidstateJob &f)
{
	char text[48];
	std::snprintf(text, sizeof text, "job 0x%02x, %zu midstate(s)", f.job_id,
	              f.midstates.size());
	return text;
}

std::string frame_text(const bm::HeaderJob &f)
{
	char text[48];
	std::snprintf(text, sizeof text, "job 0x%02x, version 0x%08x", f.job_id, f.version);
	return text;
}

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
		std::snprintf(text, sizeof text, "version rolling %s",
		              b.version_rolling ? "on" : "off");
		add();
	}
	return out;
}

} // namespace

void log_frame(const SimLog &log, Duration t, const bm::HostFrame &frame)
{
	const std::string text = std::visit([](const auto &f) { return frame_text(f); }, frame);
	log.line(t, "frame: %s", text.c_str());
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
