// SPDX-License-Identifier: MIT
// hbctl frames decode: a capture (hex text, raw binary, logic analyser CSV) -> one line,
// or one JSON object, per frame.
#include "capture_input.hpp"
#include "frames.hpp"
#include "options.hpp"
#include "reg_args.hpp"

#include <hashboard/bm13xx/capture.hpp>
#include <hashboard/bm13xx/describe.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

namespace hbctl {
namespace {

namespace bm = hashboard::bm13xx;

struct DecodeOptions {
	std::string input = "-";
	std::string format = "auto";
	std::string family = kDefaultFamily;
	std::string direction;
	bool json = false;
	bool bytes = false;
	bool strict = false;
};

struct Tagged {
	const bm::ScanItem *item;
	const bm::CaptureStream *stream;
};

std::optional<double> time_of(const bm::ScanItem &item)
{
	return std::visit([](const auto &i) { return i.time_s; }, item);
}

boost::json::object item_to_json(const Tagged &t)
{
	boost::json::object o;
	const auto common = [&](std::size_t offset, const std::optional<double> &time) {
		o["offset"] = offset;
		if (time)
			o["time"] = *time;
		if (!t.stream->name.empty())
			o["stream"] = t.stream->name;
	};
	if (const auto *j = std::get_if<bm::JunkRun>(t.item)) {
		o["type"] = "junk";
		common(j->offset, j->time_s);
		o["count"] = j->bytes.size();
		o["truncated"] = j->truncated;
		o["bytes"] = hashboard::to_hex(j->bytes);
		return o;
	}
	const auto &f = std::get<bm::CapturedFrame>(*t.item);
	o["type"] = "frame";
	common(f.offset, f.time_s);
	o["direction"] = std::string(bm::direction_name(f.direction));
	o["crc_ok"] = f.crc_ok;
	o["kind"] = f.meaning.kind;
	o["fields"] = fields_to_json(f.meaning.fields);
	o["bytes"] = hashboard::to_hex(f.bytes);
	return o;
}

int run_decode(const DecodeOptions &o)
{
	const auto &family = hashboard::family_by_name(o.family);
	bm::ScanOptions scan{&family, std::nullopt};
	if (o.direction == "tx")
		scan.direction = bm::Direction::tx;
	else if (o.direction == "rx")
		scan.direction = bm::Direction::rx;

	const std::string contents = read_capture_input(o.input);
	const bm::Capture capture =
	    bm::read_capture(contents, bm::capture_format_from_name(o.format));

	bm::ScanStats stats;
	bm::DescribeState state;
	const bm::ScannedCapture scanned = bm::scan_capture(capture, scan, state, stats);
	const auto &per_stream = scanned.streams;
	const std::uint64_t flagged = scanned.flagged;
	const bool all_timed = scanned.all_timed;
	std::vector<Tagged> items;
	for (std::size_t s = 0; s < per_stream.size(); ++s)
		for (const auto &item : per_stream[s])
			items.push_back({&item, &capture.streams[s]});
	// Several analyser lines (TX and RX) interleave by time, as they happened.
	if (all_timed && per_stream.size() > 1)
		std::stable_sort(items.begin(), items.end(), [](const Tagged &a, const Tagged &b) {
			return time_of(*a.item).value_or(0) < time_of(*b.item).value_or(0);
		});

	for (const auto &t : items) {
		if (o.json)
			std::cout << boost::json::serialize(item_to_json(t)) << "\n";
		else
			std::cout << bm::format_item(*t.item, o.bytes) << "\n";
	}
	if (o.json) {
		boost::json::object summary{{"type", "summary"},
		                            {"format", capture.format},
		                            {"family", std::string(family.name)},
		                            {"frames", stats.frames},
		                            {"crc_errors", stats.crc_errors},
		                            {"unknown", stats.unknown},
		                            {"junk_bytes", stats.junk_bytes},
		                            {"truncated", stats.truncated},
		                            {"flagged_bytes", flagged}};
		std::cout << boost::json::serialize(summary) << "\n";
	} else {
		std::printf("# %s, %s: %llu frames ok, %llu BAD CRC, %llu unknown, %llu junk bytes",
		            capture.format.c_str(), std::string(family.name).c_str(),
		            (unsigned long long)stats.frames, (unsigned long long)stats.crc_errors,
		            (unsigned long long)stats.unknown,
		            (unsigned long long)stats.junk_bytes);
		if (stats.truncated)
			std::printf(" (%llu truncated frame)", (unsigned long long)stats.truncated);
		if (flagged)
			std::printf(", %llu bytes flagged by the analyser",
			            (unsigned long long)flagged);
		std::printf("\n");
	}
	std::cout.flush();
	const bool clean = stats.crc_errors == 0 && stats.unknown == 0 && stats.junk_bytes == 0;
	return o.strict && !clean ? 1 : 0;
}

} // namespace

Runner add_frames_decode(CLI::App &frames)
{
	auto o = std::make_shared<DecodeOptions>();
	auto *cmd = frames.add_subcommand(
	    "decode",
	    "decode a captured byte stream into frames: direction, CRC verdict and meaning");
	cmd->footer(
	    "Formats (auto-detected unless --format is given):\n"
	    "  hex     bytes as hex, separated by whitespace or commas, optional 0x, '#' comments\n"
	    "  binary  the raw bytes (anything that is not printable text)\n"
	    "  csv     a Saleae UART export, by header:\n"
	    "            Logic 2 'Async Serial' data table: name,type,start_time,duration,data\n"
	    "              (data as 0xNN; rows whose type is not 'data' are skipped; each\n"
	    "              analyser name is one line, so name the TX and RX analysers apart;\n"
	    "              lines are merged by start_time; an 'error' column flags bytes)\n"
	    "            Logic 1.x: Time [s],Value,Parity Error,Framing Error\n"
	    "          values in hex (0xNN), binary (0bNNNNNNNN) or decimal; not ASCII.\n"
	    "Both directions are decoded from one stream (55 AA host frames, AA 55 replies)\n"
	    "unless --direction is given. Frames with a bad CRC are shown as BAD CRC with the\n"
	    "CRC they should have had; bytes that fit no frame are shown as junk runs.\n"
	    "--json prints one JSON object per line (type frame, junk, and a final summary).");
	cmd->add_option("input", o->input, "capture file, or - for stdin (default)");
	cmd->add_option("--format", o->format, "auto, hex, binary or csv (default auto)")
	    ->check(CLI::IsMember({"auto", "hex", "binary", "csv"}));
	cmd->add_option("-f,--family", o->family,
	                std::string("chip family: register names, reply length, nonce layout "
	                            "(default ") +
	                    kDefaultFamily + ")");
	cmd->add_option("--direction", o->direction, "decode only tx (host->chip) or rx frames")
	    ->check(CLI::IsMember({"tx", "rx"}));
	cmd->add_flag("--json", o->json,
	              "JSON lines: one object per frame or junk run, then a summary");
	cmd->add_flag("--bytes", o->bytes,
	              "show every frame's bytes (bad frames always show them)");
	cmd->add_flag("--strict", o->strict, "exit 1 when anything but good frames was found");
	return [o]() { return run_decode(*o); };
}

} // namespace hbctl
