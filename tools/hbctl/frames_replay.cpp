// SPDX-License-Identifier: MIT
// hbctl frames replay: a capture with both directions -> every nonce re-checked against
// the job it answers, as the chain checks it (replay.hpp), one line group or one JSON
// object per nonce, then a summary.
#include "capture_input.hpp"
#include "capture_pass.hpp"
#include "frames.hpp"
#include "replay.hpp"
#include "terminal_text.hpp"
#include "validators.hpp"

#include <hashboard/bm13xx/describe.hpp>
#include <hashboard/chain.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
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

// A good frame as the capture pass gave it, with the analyser line it came on.
struct Tagged {
	const bm::CapturedFrame *frame;
	const std::string *stream;
};

std::string hex32(std::uint32_t v)
{
	return fmt::format("0x{:08x}", v);
}

std::string hex8(unsigned v)
{
	return fmt::format("0x{:02x}", v & 0xFFu);
}

// hw_error is split by cause here: a nonce that hashes below the ticket, or one naming a
// midstate its job never carried.
std::string verdict_text(const ReplayedNonce &n)
{
	if (n.verdict == NonceVerdict::hw_error)
		return n.check.hashed ? "below_ticket" : "bad_midstate";
	return std::string(hashboard::verdict_name(n.verdict));
}

constexpr std::array kVerdicts{NonceVerdict::valid,       NonceVerdict::hw_error,
                               NonceVerdict::duplicate,   NonceVerdict::stale,
                               NonceVerdict::unknown_job, NonceVerdict::unattributed};

std::string summary_verdict_name(NonceVerdict v)
{
	return v == NonceVerdict::hw_error ? "below_ticket"
	                                   : std::string(hashboard::verdict_name(v));
}

std::string when(const bm::CapturedFrame &f)
{
	return f.time_s ? fmt::format("{:.6f}", *f.time_s) : fmt::format("@{}", f.offset);
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

// h0..h7, each big-endian: the state words as the SHA-256 standard writes them.
std::string midstate_hex(const hashboard::NonceCheck &c)
{
	return hashboard::to_hex(hashboard::sha256::state_bytes(*c.midstate));
}

void print_nonce(const hashboard::ChipFamily &family, const Tagged &t, const bm::NonceReply &reply,
                 const ReplayedNonce &n)
{
	const auto &c = n.check;
	std::string l1 =
	    fmt::format("{} nonce={} job={} sub={} core={}", when(*t.frame), hex32(reply.nonce),
	                hex8(c.fields.job_id), c.fields.sub_id, c.fields.core);
	if (n.chip)
		l1 += fmt::format(" chip={} addr={}", *n.chip, hex8(n.address.value_or(0)));
	fmt::print("{}  {}\n", l1, verdict_text(n));
	if (c.header)
		fmt::print("    header={} version={}\n", hashboard::to_hex(*c.header),
		           hex32(*c.version));
	if (c.midstate)
		fmt::print("    midstate={} tail={} version={}\n", midstate_hex(c),
		           hashboard::to_hex(*c.tail), c.version ? hex32(*c.version) : "unknown");
	if (c.verdict == NonceVerdict::stale)
		fmt::print("    (job id retired: a newer job took its place in the table)\n");
	else if (c.verdict == NonceVerdict::unknown_job)
		fmt::print("    (no job with this id was seen in the capture)\n");
	else if (!c.hashed)
		fmt::print("    (the job carries no midstate {})\n", c.fields.sub_id);
	if (c.hashed)
		fmt::print("    hash={} difficulty={:.2f} zeros={} ticket=2^{} {}\n",
		           hashboard::hash_display_hex(c.hash), c.difficulty, c.leading_zeros,
		           n.ticket_log2, excess_text(family, reply, n));
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
	if (!t.stream->empty())
		o["stream"] = *t.stream;
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
		o["midstate"] = midstate_hex(c);
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
// starts mid-session): the family's length throughout. Only one interleaved stream is
// followed from the start: separate TX and RX lines are cut apart, so the RX line cannot
// see when the TX line switched; its replies are cut at the family's (rolling) length,
// where nonces are.
std::optional<std::size_t> initial_reply_len(const hashboard::ChipFamily &family,
                                             std::string_view contents, const CapturePass &pass)
{
	if (!family.regs.version_rolling || family.reply_len == 9)
		return std::nullopt;
	CapturePass tx = pass;
	tx.scan.direction = bm::Direction::tx;
	bool rolling_write = false;
	const CaptureSummary s =
	    scan_capture_text(contents, tx, [&](const bm::ScanItem &item, const std::string &) {
		    const auto *f = std::get_if<bm::CapturedFrame>(&item);
		    rolling_write =
		        rolling_write ||
		        (f && f->crc_ok && f->meaning.kind == "write_register" &&
		         f->bytes.size() > 5 && f->bytes[5] == *family.regs.version_rolling);
	    });
	if (s.streams != 1)
		return std::nullopt;
	return rolling_write ? std::size_t(9) : family.reply_len;
}

// One capture frame through the job table (host frames) or the nonce check (replies),
// each job and nonce printed as it is seen.
class ReplayPrinter {
public:
	ReplayPrinter(const hashboard::ChipFamily &family, const ReplayOptions &o)
	    : family_(family), o_(o), replay_(family, o.live_jobs)
	{
	}

	void frame(const Tagged &t)
	{
		if (t.frame->direction == bm::Direction::tx)
			host(t);
		else
			reply(t);
	}
	const Replay &replay() const { return replay_; }
	std::uint64_t register_replies() const { return register_replies_; }

private:
	void host(const Tagged &t)
	{
		bm::HostParser parser;
		parser.feed(t.frame->bytes, [&](const bm::HostFrame &hf) {
			const auto job = replay_.host_frame(hf);
			if (!job)
				return;
			const json::object jo = job_json(t, *job, hf);
			if (o_.json)
				std::cout << json::serialize(jo) << "\n";
			else
				std::cout << job_text(t, *job, jo) << "\n";
		});
	}
	void reply(const Tagged &t)
	{
		bm::ReplyParser parser(t.frame->bytes.size());
		parser.feed(t.frame->bytes, [&](const bm::ChipFrame &cf) {
			const auto *nr = std::get_if<bm::NonceReply>(&cf);
			if (!nr) {
				++register_replies_;
				return;
			}
			const ReplayedNonce n = replay_.nonce(*nr);
			if (o_.json)
				std::cout << json::serialize(nonce_json(t, *nr, n)) << "\n";
			else
				print_nonce(family_, t, *nr, n);
		});
	}

	const hashboard::ChipFamily &family_;
	const ReplayOptions &o_;
	Replay replay_;
	std::uint64_t register_replies_ = 0;
};

std::uint64_t verdict_count(const Replay &replay, NonceVerdict v)
{
	const auto it = replay.verdicts().find(v);
	return it == replay.verdicts().end() ? 0 : it->second;
}

const char *nothing_note(const CaptureSummary &s)
{
	return s.stats.frames == 0 ? "nothing decodable in the capture"
	                           : "no nonce replies in the capture";
}

void print_summary_json(const hashboard::ChipFamily &family, const ReplayPrinter &p,
                        const CaptureSummary &s)
{
	const Replay &replay = p.replay();
	json::object verdicts;
	for (auto v : kVerdicts)
		verdicts[summary_verdict_name(v)] = verdict_count(replay, v);
	json::array chips;
	for (const auto &[pos, tally] : replay.chips()) {
		json::object c{{"chip", pos}, {"address", tally.address.value_or(0)}};
		for (const auto &[v, count] : tally.verdicts)
			c[summary_verdict_name(v)] = count;
		chips.push_back(c);
	}
	json::object summary{{"type", "summary"},
	                     {"format", s.format},
	                     {"family", std::string(family.name)},
	                     {"jobs", replay.jobs()},
	                     {"nonces", replay.nonces()},
	                     {"verdicts", verdicts},
	                     {"attributed", replay.attributing()},
	                     {"chips", chips},
	                     {"ticket_log2", replay.ticket_log2()},
	                     {"register_replies", p.register_replies()}};
	add_scan_counts(summary, s);
	if (family.regs.version_rolling)
		summary["version_mask"] = hex32(replay.version_mask());
	if (replay.nonces() == 0)
		summary["note"] = nothing_note(s);
	std::cout << json::serialize(summary) << "\n";
}

void print_summary_text(const hashboard::ChipFamily &family, const ReplayPrinter &p,
                        const CaptureSummary &s)
{
	const Replay &replay = p.replay();
	std::vector<std::string> counts;
	counts.reserve(kVerdicts.size());
	for (auto v : kVerdicts)
		counts.push_back(
		    fmt::format("{} {}", verdict_count(replay, v), summary_verdict_name(v)));
	fmt::print("# replay {}, {}: {} jobs, {} nonces: {}\n", family.name, s.format,
	           replay.jobs(), replay.nonces(), fmt::join(counts, ", "));
	for (const auto &[pos, tally] : replay.chips()) {
		std::string c =
		    fmt::format("# chip {} (addr {}):", pos, hex8(tally.address.value_or(0)));
		for (const auto &[v, count] : tally.verdicts)
			c += fmt::format(" {} {}", count, summary_verdict_name(v));
		fmt::print("{}\n", c);
	}
	if (replay.nonces() == 0)
		fmt::print("# {}\n", nothing_note(s));
	const std::string mask = family.regs.version_rolling
	                             ? ", version mask " + hex32(replay.version_mask())
	                             : std::string();
	fmt::print("# ticket 2^{}{}, {} register replies; {}\n", replay.ticket_log2(), mask,
	           p.register_replies(), scan_counts_text(s, " (not checked)"));
}

int run_replay(const ReplayOptions &o)
{
	const auto &family = hashboard::family_by_name(o.family);
	if (o.live_jobs == 0 || o.live_jobs > 128)
		throw std::invalid_argument("--live-jobs must be 1..128");
	// Read whole (bounded): the reply length is settled by a first look at the host side.
	const std::string contents = read_capture_input(o.input);
	CapturePass pass{bm::capture_format_from_name(o.format), {&family, std::nullopt}, {}};
	pass.initial.reply_len = initial_reply_len(family, contents, pass);

	ReplayPrinter printer(family, o);
	// Frames with a bad CRC are counted, not replayed: the chips would not have taken them.
	const CaptureSummary s = scan_capture_text(
	    contents, pass, [&](const bm::ScanItem &item, const std::string &stream) {
		    if (const auto *f = std::get_if<bm::CapturedFrame>(&item); f && f->crc_ok)
			    printer.frame({f, &stream});
	    });
	if (o.json)
		print_summary_json(family, printer, s);
	else
		print_summary_text(family, printer, s);
	std::cout.flush();
	std::fflush(stdout);
	const bool nothing = s.stats.frames == 0;
	if (nothing)
		std::fprintf(stderr, "hbctl: frames replay: no frame in '%s' decodes\n",
		             terminal_safe(o.input).c_str());
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
