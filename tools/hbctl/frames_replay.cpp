// SPDX-License-Identifier: MIT
// hbctl frames replay: a capture with both directions -> every nonce re-checked against
// the job it answers, as the chain checks it (replay.hpp), one line group or one JSON
// object per nonce, then a summary.
#include "capture_input.hpp"
#include "frames.hpp"
#include "replay.hpp"
#include "validators.hpp"

#include <hashboard/bm13xx/capture.hpp>
#include <hashboard/bm13xx/describe.hpp>
#include <hashboard/chain.hpp>
#include <hashboard/target.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <type_traits>

namespace hbctl {
namespace {

namespace bm = hashboard::bm13xx;
namespace json = boost::json;
using hashboard::NonceVerdict;

struct ReplayOptions {
	std::string input;
	std::string format = "auto";
	std::string family;
	unsigned live_jobs = hashboard::ChainConfig{}.live_jobs;
	bool json = false;
};

struct Tagged {
	const bm::CapturedFrame *frame;
	const bm::CaptureStream *stream;
};

std::string hex32(std::uint32_t v)
{
	char buf[16];
	std::snprintf(buf, sizeof buf, "0x%08x", unsigned(v));
	return buf;
}

std::string hex8(unsigned v)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "0x%02x", v & 0xFFu);
	return buf;
}

// hw_error is split by cause here: a nonce that hashes below the ticket, or one naming a
// midstate its job never carried.
std::string verdict_text(const ReplayedNonce &n)
{
	if (n.verdict == NonceVerdict::hw_error)
		return n.check.hashed ? "below_ticket" : "bad_midstate";
	return std::string(hashboard::verdict_name(n.verdict));
}

const std::vector<NonceVerdict> kVerdicts{NonceVerdict::valid,       NonceVerdict::hw_error,
                                          NonceVerdict::duplicate,   NonceVerdict::stale,
                                          NonceVerdict::unknown_job, NonceVerdict::unattributed};

std::string summary_verdict_name(NonceVerdict v)
{
	return v == NonceVerdict::hw_error ? "below_ticket"
	                                   : std::string(hashboard::verdict_name(v));
}

std::string when(const bm::CapturedFrame &f)
{
	char buf[48];
	if (f.time_s)
		std::snprintf(buf, sizeof buf, "%.6f", *f.time_s);
	else
		std::snprintf(buf, sizeof buf, "@%zu", f.offset);
	return buf;
}

std::string excess_text(const hashboard::ChipFamily &family, const bm::NonceReply &reply,
                        const ReplayedNonce &n)
{
	std::string s = "excess=" + hex8(reply.excess_difficulty);
	if (!family.regs.version_rolling)
		return s + " (byte 4 not checked on " + std::string(family.name) + ")";
	if (!n.hash_excess_bits)
		return s;
	const int said = reply.excess_difficulty >> 1;
	if (n.excess_agrees)
		return s + " (" + std::to_string(said) +
		       " bits over the ticket: agrees with the hash)";
	return s + " (says " + std::to_string(said) + " bits over the ticket, the hash has " +
	       std::to_string(*n.hash_excess_bits) + ": DISAGREES)";
}

void print_nonce(const hashboard::ChipFamily &family, const Tagged &t, const bm::NonceReply &reply,
                 const ReplayedNonce &n)
{
	const auto &c = n.check;
	std::string l1 =
	    when(*t.frame) + " nonce=" + hex32(reply.nonce) + " job=" + hex8(c.fields.job_id) +
	    " sub=" + std::to_string(c.fields.sub_id) + " core=" + std::to_string(c.fields.core);
	if (n.chip)
		l1 += " chip=" + std::to_string(*n.chip) + " addr=" + hex8(n.address.value_or(0));
	std::printf("%s  %s\n", l1.c_str(), verdict_text(n).c_str());
	if (c.header)
		std::printf("    header=%s version=%s\n", hashboard::to_hex(*c.header).c_str(),
		            hex32(*c.version).c_str());
	if (c.midstate) {
		std::array<std::uint8_t, 32> mid;
		for (std::size_t i = 0; i < 8; ++i)
			hashboard::store_be32(mid.data() + 4 * i, (*c.midstate)[i]);
		std::printf("    midstate=%s tail=%s version=%s\n", hashboard::to_hex(mid).c_str(),
		            hashboard::to_hex(*c.tail).c_str(),
		            c.version ? hex32(*c.version).c_str() : "unknown");
	}
	if (c.verdict == NonceVerdict::stale)
		std::printf("    (job id retired: a newer job took its place in the table)\n");
	else if (c.verdict == NonceVerdict::unknown_job)
		std::printf("    (no job with this id was seen in the capture)\n");
	else if (!c.hashed)
		std::printf("    (the job carries no midstate %u)\n", c.fields.sub_id);
	if (c.hashed)
		std::printf("    hash=%s difficulty=%.2f zeros=%d ticket=2^%u %s\n",
		            hashboard::hash_display_hex(c.hash).c_str(), c.difficulty,
		            c.leading_zeros, n.ticket_log2, excess_text(family, reply, n).c_str());
}

json::object nonce_json(const Tagged &t, const bm::NonceReply &reply, const ReplayedNonce &n)
{
	const auto &c = n.check;
	json::object o{{"type", "nonce"},
	               {"offset", t.frame->offset},
	               {"bytes", hashboard::to_hex(t.frame->bytes)},
	               {"nonce", hex32(reply.nonce)},
	               {"job_id", c.fields.job_id},
	               {"sub_id", c.fields.sub_id},
	               {"core", c.fields.core},
	               {"small_core", c.fields.small_core},
	               {"excess_difficulty", reply.excess_difficulty},
	               {"ticket_log2", n.ticket_log2},
	               {"verdict", verdict_text(n)}};
	if (t.frame->time_s)
		o["time"] = *t.frame->time_s;
	if (!t.stream->name.empty())
		o["stream"] = t.stream->name;
	if (reply.version_bits)
		o["version_bits"] = hex32(*reply.version_bits);
	if (c.fields.address)
		o["address_field"] = *c.fields.address;
	else
		o["range_value"] = c.fields.range_value;
	if (n.chip) {
		o["chip"] = *n.chip;
		o["chip_address"] = n.address.value_or(0);
	}
	if (c.version)
		o["version"] = hex32(*c.version);
	if (c.header)
		o["header"] = hashboard::to_hex(*c.header);
	if (c.midstate) {
		std::array<std::uint8_t, 32> mid;
		for (std::size_t i = 0; i < 8; ++i)
			hashboard::store_be32(mid.data() + 4 * i, (*c.midstate)[i]);
		o["midstate"] = hashboard::to_hex(mid); // h0..h7, each big-endian
		o["tail"] = hashboard::to_hex(*c.tail);
	}
	if (c.hashed) {
		o["hash"] = hashboard::hash_display_hex(c.hash);
		o["difficulty"] = c.difficulty;
		o["leading_zeros"] = c.leading_zeros;
	}
	if (n.hash_excess_bits) {
		o["excess_bits_hash"] = *n.hash_excess_bits;
		o["excess_agrees"] = n.excess_agrees;
	}
	return o;
}

// What the chips were told to hash (both job kinds carry nbits and ntime).
json::object job_json(const Tagged &t, const ReplayedJob &j, const bm::HostFrame &frame)
{
	json::object o{{"type", "job"},
	               {"offset", t.frame->offset},
	               {"job_id", j.job_id},
	               {"kind", j.header_job ? "header_job" : "midstate_job"}};
	if (t.frame->time_s)
		o["time"] = *t.frame->time_s;
	std::visit(
	    [&](const auto &job) {
		    using T = std::decay_t<decltype(job)>;
		    if constexpr (std::is_same_v<T, bm::HeaderJob>) {
			    o["version"] = hex32(job.version);
			    o["version_mask"] = hex32(j.version_mask);
			    o["prev_hash"] = hashboard::to_hex(job.prev_hash);
			    o["merkle_root"] = hashboard::to_hex(job.merkle_root);
		    }
		    if constexpr (std::is_same_v<T, bm::MidstateJob>)
			    o["midstates"] = job.midstates.size();
		    if constexpr (std::is_same_v<T, bm::HeaderJob> ||
		                  std::is_same_v<T, bm::MidstateJob>) {
			    o["nbits"] = hex32(job.nbits);
			    o["ntime"] = hex32(job.ntime);
		    }
	    },
	    frame);
	return o;
}

std::string job_text(const Tagged &t, const ReplayedJob &j, const json::object &o)
{
	std::string s = when(*t.frame) + " job=" + hex8(j.job_id) + " " +
	                (j.header_job ? "header_job" : "midstate_job");
	for (const char *k : {"version", "version_mask", "midstates", "nbits", "ntime"})
		if (const auto *v = o.if_contains(k))
			s += std::string(" ") + k + "=" +
			     (v->is_string() ? std::string(v->as_string()) : json::serialize(*v));
	return s + ": into the job table";
}

// Whether the capture turns version rolling on itself: then replies before that write
// are 9 bytes long. Without such a write the chips were already rolling (a capture that
// starts mid-session): the family's length throughout.
std::optional<std::size_t> initial_reply_len(const hashboard::ChipFamily &family,
                                             const bm::Capture &capture)
{
	if (!family.regs.version_rolling || family.reply_len == 9)
		return std::nullopt;
	bm::ScanOptions tx{&family, bm::Direction::tx};
	for (const auto &stream : capture.streams) {
		bm::DescribeState st;
		bm::ScanStats stats;
		for (const auto &item :
		     bm::scan_stream(stream.bytes, stream.times, tx, st, stats)) {
			const auto *f = std::get_if<bm::CapturedFrame>(&item);
			if (f && f->crc_ok && f->meaning.kind == "write_register" &&
			    f->bytes.size() > 5 && f->bytes[5] == *family.regs.version_rolling)
				return std::size_t(9);
		}
	}
	return family.reply_len;
}

int run_replay(const ReplayOptions &o)
{
	const auto &family = hashboard::family_by_name(o.family);
	if (o.live_jobs == 0 || o.live_jobs > 128)
		throw std::invalid_argument("--live-jobs must be 1..128");
	const std::string contents = read_capture_input(o.input);
	const bm::Capture capture =
	    bm::read_capture(contents, bm::capture_format_from_name(o.format));

	bm::ScanOptions scan{&family, std::nullopt};
	bm::DescribeState state;
	// One interleaved stream: the scanner follows 0xA4 from the start. Separate TX and RX
	// lines are scanned one after the other, so the RX line cannot see when the TX line
	// switched: its replies are cut at the family's (rolling) length, where nonces are.
	if (capture.streams.size() == 1)
		state.reply_len = initial_reply_len(family, capture);
	bm::ScanStats stats;
	const bm::ScannedCapture scanned = bm::scan_capture(capture, scan, state, stats);
	const auto &per_stream = scanned.streams;
	const std::uint64_t flagged = scanned.flagged;
	const bool all_timed = scanned.all_timed;
	std::vector<Tagged> items;
	for (std::size_t s = 0; s < per_stream.size(); ++s)
		for (const auto &item : per_stream[s])
			if (const auto *f = std::get_if<bm::CapturedFrame>(&item); f && f->crc_ok)
				items.push_back({f, &capture.streams[s]});
	// TX and RX on separate analyser lines: jobs must enter the table before the nonces
	// that answer them, so lines are merged by time.
	if (all_timed && per_stream.size() > 1)
		std::stable_sort(items.begin(), items.end(), [](const Tagged &a, const Tagged &b) {
			return a.frame->time_s.value_or(0) < b.frame->time_s.value_or(0);
		});

	Replay replay(family, o.live_jobs);
	std::uint64_t register_replies = 0;
	for (const auto &t : items) {
		if (t.frame->direction == bm::Direction::tx) {
			bm::HostParser parser;
			parser.feed(t.frame->bytes, [&](const bm::HostFrame &hf) {
				const auto job = replay.host_frame(hf);
				if (!job)
					return;
				const json::object jo = job_json(t, *job, hf);
				if (o.json)
					std::cout << json::serialize(jo) << "\n";
				else
					std::printf("%s\n", job_text(t, *job, jo).c_str());
			});
			continue;
		}
		bm::ReplyParser parser(t.frame->bytes.size());
		parser.feed(t.frame->bytes, [&](const bm::ChipFrame &cf) {
			const auto *nr = std::get_if<bm::NonceReply>(&cf);
			if (!nr) {
				++register_replies;
				return;
			}
			const ReplayedNonce n = replay.nonce(*nr);
			if (o.json)
				std::cout << json::serialize(nonce_json(t, *nr, n)) << "\n";
			else
				print_nonce(family, t, *nr, n);
		});
	}

	const bool nothing = stats.frames == 0;
	if (o.json) {
		json::object verdicts;
		for (auto v : kVerdicts) {
			const auto it = replay.verdicts().find(v);
			verdicts[summary_verdict_name(v)] =
			    it == replay.verdicts().end() ? 0 : it->second;
		}
		json::array chips;
		for (const auto &[pos, tally] : replay.chips()) {
			json::object c{{"chip", pos}, {"address", tally.address.value_or(0)}};
			for (const auto &[v, count] : tally.verdicts)
				c[summary_verdict_name(v)] = count;
			chips.push_back(c);
		}
		json::object summary{{"type", "summary"},
		                     {"format", capture.format},
		                     {"family", std::string(family.name)},
		                     {"jobs", replay.jobs()},
		                     {"nonces", replay.nonces()},
		                     {"verdicts", verdicts},
		                     {"attributed", replay.attributing()},
		                     {"chips", chips},
		                     {"ticket_log2", replay.ticket_log2()},
		                     {"register_replies", register_replies},
		                     {"frames", stats.frames},
		                     {"crc_errors", stats.crc_errors},
		                     {"unknown", stats.unknown},
		                     {"junk_bytes", stats.junk_bytes},
		                     {"truncated", stats.truncated},
		                     {"flagged_bytes", flagged}};
		if (family.regs.version_rolling)
			summary["version_mask"] = hex32(replay.version_mask());
		if (replay.nonces() == 0)
			summary["note"] = nothing ? "nothing decodable in the capture"
			                          : "no nonce replies in the capture";
		std::cout << json::serialize(summary) << "\n";
	} else {
		std::string line = "# replay " + std::string(family.name) + ", " + capture.format +
		                   ": " + std::to_string(replay.jobs()) + " jobs, " +
		                   std::to_string(replay.nonces()) + " nonces:";
		for (auto v : kVerdicts) {
			const auto it = replay.verdicts().find(v);
			line += " " +
			        std::to_string(it == replay.verdicts().end() ? 0 : it->second) +
			        " " + summary_verdict_name(v) + (v == kVerdicts.back() ? "" : ",");
		}
		std::printf("%s\n", line.c_str());
		for (const auto &[pos, tally] : replay.chips()) {
			std::string c = "# chip " + std::to_string(pos) + " (addr " +
			                hex8(tally.address.value_or(0)) + "):";
			for (const auto &[v, count] : tally.verdicts)
				c += " " + std::to_string(count) + " " + summary_verdict_name(v);
			std::printf("%s\n", c.c_str());
		}
		if (replay.nonces() == 0)
			std::printf("# %s\n", nothing ? "nothing decodable in the capture"
			                              : "no nonce replies in the capture");
		const std::string mask = family.regs.version_rolling
		                             ? ", version mask " + hex32(replay.version_mask())
		                             : std::string();
		std::printf("# ticket 2^%u%s, %llu register replies; %llu frames ok, "
		            "%llu BAD CRC (not checked), %llu unknown, %llu junk bytes",
		            replay.ticket_log2(), mask.c_str(),
		            (unsigned long long)register_replies, (unsigned long long)stats.frames,
		            (unsigned long long)stats.crc_errors, (unsigned long long)stats.unknown,
		            (unsigned long long)stats.junk_bytes);
		if (stats.truncated)
			std::printf(" (%llu truncated frame)", (unsigned long long)stats.truncated);
		if (flagged)
			std::printf(", %llu bytes flagged by the analyser",
			            (unsigned long long)flagged);
		std::printf("\n");
	}
	std::cout.flush();
	std::fflush(stdout);
	if (nothing)
		std::fprintf(stderr, "hbctl: frames replay: no frame in '%s' decodes\n",
		             o.input.c_str());
	return nothing ? 1 : 0;
}

} // namespace

Runner add_frames_replay(CLI::App &frames)
{
	auto o = std::make_shared<ReplayOptions>();
	auto *cmd = frames.add_subcommand(
	    "replay", "re-check every nonce of a capture against the job it answers, as the "
	              "chain does");
	cmd->footer(
	    "The capture holds both directions (one stream, or a TX and an RX analyser line in\n"
	    "a CSV, merged by time), in any format frames decode reads. Job frames enter the\n"
	    "HAL's job table in stream order (a reused job id retires the old job; --live-jobs\n"
	    "bounds the table as the chain's live_jobs does); writes to 0xA4 (version mask,\n"
	    "11-byte replies), 0x14 (ticket: the below-ticket threshold) and 0x0C (nonce\n"
	    "offsets) and set-address commands (chip attribution) are followed.\n"
	    "Verdicts: valid, below_ticket, bad_midstate, duplicate, stale (the id's job was\n"
	    "retired), unknown_job (no job with that id in the capture), unattributed (no\n"
	    "enumerated chip owns it). Frames with a bad CRC are counted, not checked.\n"
	    "--json prints one object per job and per nonce, then a summary.\n"
	    "Exit: 0 replayed, 1 nothing in the capture decodes, 2 bad arguments or unreadable\n"
	    "input.");
	cmd->add_option("input", o->input, "capture file, or - for stdin")->required();
	cmd->add_option("--format", o->format, "auto, hex, binary or csv (default auto)")
	    ->check(CLI::IsMember({"auto", "hex", "binary", "csv"}));
	cmd->add_option("-f,--family", o->family,
	                "chip family: byte 5 packing, reply length, nonce layout")
	    ->required();
	cmd->add_option("--live-jobs", o->live_jobs,
	                "jobs the table keeps answerable (default: the chain's, 4)")
	    ->transform(whole_range(1, 128));
	cmd->add_flag("--json", o->json, "JSON lines: job and nonce objects, then a summary");
	return [o]() { return run_replay(*o); };
}

} // namespace hbctl
