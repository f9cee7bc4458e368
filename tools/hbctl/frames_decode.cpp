// SPDX-License-Identifier: MIT
// hbctl frames decode: a capture (hex text, raw binary, logic analyser CSV) -> one line,
// or one JSON object, per frame.
#include "capture_pass.hpp"
#include "frames.hpp"
#include "options.hpp"
#include "reg_args.hpp"

#include <hashboard/bm13xx/describe.hpp>

#include <iostream>
#include <memory>

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

boost::json::object item_to_json(const bm::ScanItem &item, const std::string &stream)
{
	boost::json::object o;
	const auto common = [&](std::size_t offset, const std::optional<double> &time) {
		o["offset"] = offset;
		if (time)
			o["time"] = *time;
		if (!stream.empty())
			o["stream"] = stream;
	};
	if (const auto *j = std::get_if<bm::JunkRun>(&item)) {
		o["type"] = "junk";
		common(j->offset, j->time_s);
		o["count"] = j->bytes.size();
		o["truncated"] = j->truncated;
		o["bytes"] = hashboard::to_hex(j->bytes);
		return o;
	}
	const auto &f = std::get<bm::CapturedFrame>(item);
	o["type"] = "frame";
	common(f.offset, f.time_s);
	o["direction"] = std::string(bm::direction_name(f.direction));
	o["crc_ok"] = f.crc_ok;
	o["kind"] = f.meaning.kind;
	o["fields"] = fields_to_json(f.meaning.fields);
	o["bytes"] = hashboard::to_hex(f.bytes);
	return o;
}

bm::ScanOptions scan_options(const DecodeOptions &o, const hashboard::ChipFamily &family)
{
	bm::ScanOptions scan{&family, std::nullopt};
	if (o.direction == "tx")
		scan.direction = bm::Direction::tx;
	else if (o.direction == "rx")
		scan.direction = bm::Direction::rx;
	return scan;
}

void print_summary(const DecodeOptions &o, const hashboard::ChipFamily &family,
                   const CaptureSummary &s)
{
	if (o.json) {
		boost::json::object summary{{"type", "summary"},
		                            {"format", s.format},
		                            {"family", std::string(family.name)}};
		add_scan_counts(summary, s);
		std::cout << boost::json::serialize(summary) << "\n";
	} else {
		std::cout << "# " << s.format << ", " << family.name << ": " << scan_counts_text(s)
		          << "\n";
	}
	std::cout.flush();
}

int run_decode(const DecodeOptions &o)
{
	const auto &family = hashboard::family_by_name(o.family);
	const CapturePass pass{bm::capture_format_from_name(o.format), scan_options(o, family), {}};
	// Each item is printed as it is cut: the input may be a pipe that is still being written.
	const CaptureSummary s = scan_capture_file(
	    o.input, pass, [&](const bm::ScanItem &item, const std::string &stream) {
		    if (o.json)
			    std::cout << boost::json::serialize(item_to_json(item, stream)) << "\n";
		    else
			    std::cout << bm::format_item(item, o.bytes) << "\n";
	    });
	print_summary(o, family, s);
	const bool clean =
	    s.stats.crc_errors == 0 && s.stats.unknown == 0 && s.stats.junk_bytes == 0;
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
	    "--json prints one JSON object per line (type frame, junk, and a final summary).\n"
	    "The input is read as it arrives (a pipe from a UART works): each frame is printed\n"
	    "once it is whole, in bounded memory whatever the input's size.");
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
