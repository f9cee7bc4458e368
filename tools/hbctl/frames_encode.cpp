// SPDX-License-Identifier: MIT
// hbctl frames encode: the exact bytes the HAL sends for a command or a job, through
// the same code (codec encoders, encode_chain_job, JobBuilder) the chain uses.
#include "frames.hpp"
#include "options.hpp"
#include "reg_args.hpp"
#include "terminal_text.hpp"
#include "validators.hpp"

#include <hashboard/bm13xx/describe.hpp>
#include <hashboard/chain_job.hpp>
#include <hashboard/job_builder.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <memory>

namespace hbctl {
namespace {

namespace bm = hashboard::bm13xx;
namespace json = boost::json;
using hashboard::Bytes;

struct EncodeOptions {
	std::string family = kDefaultFamily;
	bool json = false;
	// set-address / write / read
	std::string address;
	std::string reg;
	std::string value;
	std::string chip;
	bool all = false;
	// job
	std::string job_id;
	std::string version, prev_hash, merkle_root, ntime, nbits, header;
	std::string notify, extranonce1, extranonce2;
	std::optional<std::size_t> extranonce2_size;
	std::string version_mask = "1fffe000";
};

// Extra lines a job prints beside its frame (what it was built from).
struct Output {
	Bytes frame;
	std::vector<std::pair<std::string, std::string>> notes;
	json::object extra;
};

std::string hex32(std::uint32_t v)
{
	return fmt::format("0x{:08x}", v);
}

Bytes parse_bytes(const std::string &text, const std::string &what)
{
	try {
		return hashboard::from_hex(text);
	} catch (const std::invalid_argument &e) {
		throw std::invalid_argument(what + ": " + e.what());
	}
}

hashboard::Hash256 parse_hash(const std::string &text, const std::string &what)
{
	const Bytes b = parse_bytes(text, what);
	if (b.size() != 32)
		throw std::invalid_argument(what + ": expected 32 bytes (64 hex digits), got " +
		                            std::to_string(b.size()));
	hashboard::Hash256 h;
	std::copy(b.begin(), b.end(), h.begin());
	return h;
}

std::string json_string(const json::value &v, const std::string &what)
{
	if (!v.is_string())
		throw std::invalid_argument("--notify: " + what + " must be a string");
	return std::string(v.as_string());
}

// The params array of mining.notify, or a whole notify message with "params".
hashboard::StratumNotify parse_notify(const std::string &text)
{
	json::value doc;
	try {
		doc = json::parse(text);
	} catch (const std::exception &e) {
		throw std::invalid_argument(std::string("--notify: not JSON: ") + e.what());
	}
	if (doc.is_object() && doc.as_object().contains("params"))
		doc = doc.as_object().at("params");
	if (!doc.is_array() || doc.as_array().size() < 9)
		throw std::invalid_argument("--notify: expected the mining.notify params array "
		                            "[job_id, prevhash, coinb1, coinb2, merkle_branch, "
		                            "version, nbits, ntime, clean_jobs]");
	const auto &p = doc.as_array();
	hashboard::StratumNotify n;
	n.job_id = json_string(p[0], "job_id");
	n.prev_hash = json_string(p[1], "prevhash");
	n.coinb1 = json_string(p[2], "coinb1");
	n.coinb2 = json_string(p[3], "coinb2");
	if (!p[4].is_array())
		throw std::invalid_argument("--notify: merkle_branch must be an array");
	for (const auto &b : p[4].as_array())
		n.merkle_branch.push_back(json_string(b, "merkle_branch entry"));
	n.version = json_string(p[5], "version");
	n.nbits = json_string(p[6], "nbits");
	n.ntime = json_string(p[7], "ntime");
	if (!p[8].is_bool())
		throw std::invalid_argument("--notify: clean_jobs must be true or false");
	n.clean_jobs = p[8].as_bool();
	return n;
}

// --version --prev-hash --merkle-root --ntime --nbits, all of them.
hashboard::Work work_from_fields(const EncodeOptions &o)
{
	for (const auto &[v, name] : {std::pair{&o.version, "--version"},
	                              {&o.prev_hash, "--prev-hash"},
	                              {&o.merkle_root, "--merkle-root"},
	                              {&o.ntime, "--ntime"},
	                              {&o.nbits, "--nbits"}})
		if (v->empty())
			throw std::invalid_argument(std::string("job: header fields need ") + name);
	hashboard::Work w;
	w.version = parse_hex32(o.version, "--version");
	w.prev_hash = parse_hash(o.prev_hash, "--prev-hash");
	w.merkle_root = parse_hash(o.merkle_root, "--merkle-root");
	w.ntime = parse_hex32(o.ntime, "--ntime");
	w.nbits = parse_hex32(o.nbits, "--nbits");
	return w;
}

// --header: the serialised 80 bytes, nonce ignored.
hashboard::Work work_from_header(const EncodeOptions &o)
{
	const Bytes h = parse_bytes(o.header, "--header");
	if (h.size() != 80)
		throw std::invalid_argument("--header: expected 80 bytes, got " +
		                            std::to_string(h.size()));
	hashboard::Work w;
	w.version = hashboard::load_le32(h.data());
	std::copy(h.begin() + 4, h.begin() + 36, w.prev_hash.begin());
	std::copy(h.begin() + 36, h.begin() + 68, w.merkle_root.begin());
	w.ntime = hashboard::load_le32(h.data() + 68);
	w.nbits = hashboard::load_le32(h.data() + 72);
	return w;
}

// --notify with the session's extranonces, through the job builder; what it built goes
// into the notes.
hashboard::Work work_from_notify(const EncodeOptions &o, std::uint32_t mask, Output &out)
{
	if (o.notify.empty() || o.extranonce1.empty() || o.extranonce2.empty())
		throw std::invalid_argument("job: --notify needs --extranonce1 and --extranonce2");
	const Bytes en2 = parse_bytes(o.extranonce2, "--extranonce2");
	const hashboard::JobBuilder builder(parse_notify(o.notify), o.extranonce1,
	                                    o.extranonce2_size.value_or(en2.size()), mask);
	hashboard::Work w = builder.work(en2);
	const Bytes coinbase = builder.coinbase(en2);
	const auto header = w.header(0, w.version);
	out.notes.push_back({"stratum_job_id", builder.job_id()});
	out.notes.push_back({"coinbase", hashboard::to_hex(coinbase)});
	out.notes.push_back({"header", hashboard::to_hex(header) + " (nonce 0, job version)"});
	out.extra["stratum_job_id"] = builder.job_id();
	out.extra["coinbase"] = hashboard::to_hex(coinbase);
	out.extra["header"] = hashboard::to_hex(header);
	return w;
}

void describe_work(const hashboard::Work &w, Output &out)
{
	out.notes.push_back(
	    {"work", fmt::format("version={} version_mask={} ntime={} nbits={}", hex32(w.version),
	                         hex32(w.version_mask), hex32(w.ntime), hex32(w.nbits))});
	out.notes.push_back({"merkle_root", hashboard::to_hex(w.merkle_root)});
	out.notes.push_back({"prev_hash", hashboard::to_hex(w.prev_hash)});
	out.extra["work"] = json::object{{"version", hex32(w.version)},
	                                 {"version_mask", hex32(w.version_mask)},
	                                 {"prev_hash", hashboard::to_hex(w.prev_hash)},
	                                 {"merkle_root", hashboard::to_hex(w.merkle_root)},
	                                 {"ntime", hex32(w.ntime)},
	                                 {"nbits", hex32(w.nbits)}};
}

// The job from exactly one source: header fields, --header, or a Stratum notify.
hashboard::Work work_from_options(const EncodeOptions &o, Output &out)
{
	const bool fields = !o.version.empty() || !o.prev_hash.empty() || !o.merkle_root.empty() ||
	                    !o.ntime.empty() || !o.nbits.empty();
	const bool notify = !o.notify.empty() || !o.extranonce1.empty() || !o.extranonce2.empty();
	if (int(fields) + int(!o.header.empty()) + int(notify) != 1)
		throw std::invalid_argument("job: give exactly one of header fields (--version "
		                            "--prev-hash --merkle-root --ntime --nbits), --header, "
		                            "or --notify with --extranonce1 --extranonce2");
	const std::uint32_t mask = parse_hex32(o.version_mask, "--version-mask");
	hashboard::Work w = fields              ? work_from_fields(o)
	                    : !o.header.empty() ? work_from_header(o)
	                                        : work_from_notify(o, mask, out);
	w.version_mask = mask;
	describe_work(w, out);
	return w;
}

// The frame's meaning, through the decoder: what the engineer compares with a capture.
bm::FrameMeaning describe(const hashboard::ChipFamily &family, const Bytes &frame)
{
	bm::DescribeState state;
	bm::ScanStats stats;
	const auto items = bm::scan_stream(frame, {}, {&family, bm::Direction::tx}, state, stats);
	if (items.size() != 1 || !std::holds_alternative<bm::CapturedFrame>(items[0]))
		throw std::logic_error("encoded frame does not decode as one frame");
	return std::get<bm::CapturedFrame>(items[0]).meaning;
}

std::string spaced_hex(const Bytes &b)
{
	return fmt::format("{:02x}", fmt::join(b, " "));
}

int print(const EncodeOptions &o, const hashboard::ChipFamily &family, const Output &out)
{
	const bm::FrameMeaning meaning = describe(family, out.frame);
	if (o.json) {
		json::object doc{{"family", std::string(family.name)},
		                 {"kind", meaning.kind},
		                 {"frame", hashboard::to_hex(out.frame)},
		                 {"length", out.frame.size()},
		                 {"fields", fields_to_json(meaning.fields)}};
		for (const auto &kv : out.extra)
			doc[kv.key()] = kv.value();
		std::cout << json::serialize(doc) << "\n";
		return 0;
	}
	// Comments first, so the output feeds straight back into frames decode.
	// A pool's job id is the pool's text: shown escaped.
	for (const auto &[k, v] : out.notes)
		std::cout << "# " << k << ": " << terminal_safe(v) << "\n";
	std::cout << "# " << family.name << " " << bm::format_meaning(meaning) << "\n";
	std::cout << spaced_hex(out.frame) << "\n";
	return 0;
}

void add_common(CLI::App *cmd, EncodeOptions &o)
{
	cmd->add_option("-f,--family", o.family,
	                std::string("chip family (default ") + kDefaultFamily + ")");
	cmd->add_flag("--json", o.json, "print one JSON object");
}

void add_target(CLI::App *cmd, EncodeOptions &o)
{
	auto *chip = cmd->add_option("--chip", o.chip, "one chip, by address");
	auto *all = cmd->add_flag("--all", o.all, "every chip (broadcast, the default)");
	chip->excludes(all);
}

void add_job_options(CLI::App *job, EncodeOptions &o)
{
	job->add_option("--job-id", o.job_id, "chip job id, 0..127")->required();
	job->add_option("--version", o.version, "block version, hex (header fields)");
	job->add_option("--prev-hash", o.prev_hash,
	                "previous block hash, 64 hex digits in header "
	                "byte order (block explorers show it reversed)");
	job->add_option("--merkle-root", o.merkle_root, "merkle root, header byte order");
	job->add_option("--ntime", o.ntime, "ntime, hex");
	job->add_option("--nbits", o.nbits, "nbits, hex");
	job->add_option("--header", o.header,
	                "an 80-byte header in hex instead of the fields "
	                "(its nonce is ignored)");
	job->add_option("--notify", o.notify,
	                "mining.notify params as JSON: [job_id, prevhash, "
	                "coinb1, coinb2, [branches], version, nbits, ntime, "
	                "clean_jobs]");
	job->add_option("--extranonce1", o.extranonce1, "extranonce1 from mining.subscribe, hex");
	job->add_option("--extranonce2", o.extranonce2, "extranonce2, hex");
	job->add_option("--extranonce2-size", o.extranonce2_size,
	                "extranonce2 size from mining.subscribe (default: --extranonce2's length)")
	    ->transform(whole_range(1, 32));
	job->add_option("--version-mask", o.version_mask,
	                "version-rolling mask, hex (default 1fffe000; 0 for none)");
	add_common(job, o);
}

// Which subcommand ran.
struct EncodeCommands {
	CLI::App *set_address, *write, *read, *chain_inactive, *job;
};

// A job frame exactly as encode_chain_job makes it for the chain, with the versions each
// midstate was rolled to (BM1397).
Output job_output(const EncodeOptions &o, const hashboard::ChipFamily &family)
{
	Output out;
	const auto job_id = std::uint8_t(parse_number(o.job_id, "--job-id", 0x7F));
	const hashboard::Work w = work_from_options(o, out);
	const hashboard::ChainJob cj = hashboard::encode_chain_job(family, w, job_id);
	out.frame = cj.frame;
	if (!cj.versions.empty()) {
		json::array versions;
		std::vector<std::string> list;
		for (auto v : cj.versions) {
			list.push_back(hex32(v));
			versions.push_back(json::value(list.back()));
		}
		out.notes.push_back({"midstate_versions", fmt::format("{}", fmt::join(list, " "))});
		out.extra["midstate_versions"] = versions;
	}
	return out;
}

Bytes command_frame(const EncodeOptions &o, const hashboard::ChipFamily &family,
                    const EncodeCommands &c)
{
	const bool all = o.chip.empty();
	const std::uint8_t chip = all ? 0 : parse_address(o.chip);
	if (*c.set_address)
		return bm::encode_set_address(parse_address(o.address));
	if (*c.write)
		return bm::encode_write_register(
		    all, chip, parse_register(family, o.reg),
		    std::uint32_t(parse_number(o.value, "value", 0xFFFFFFFF)));
	if (*c.read)
		return bm::encode_read_register(all, chip, parse_register(family, o.reg));
	return bm::encode_chain_inactive();
}

int run_encode(const EncodeOptions &o, const EncodeCommands &c)
{
	const auto &family = hashboard::family_by_name(o.family);
	if (*c.job)
		return print(o, family, job_output(o, family));
	Output out;
	out.frame = command_frame(o, family, c);
	return print(o, family, out);
}

} // namespace

Runner add_frames_encode(CLI::App &frames)
{
	auto o = std::make_shared<EncodeOptions>();
	auto *cmd = frames.add_subcommand("encode", "print the exact bytes of a command or job");
	cmd->require_subcommand(1);
	cmd->footer("REG is a register name of the family (chip_id, pll0, chip_nonce_offset, "
	            "hash_counting, ticket_mask, misc_control, uart_baud, core_control, "
	            "nonce_error_counter, pll0_divider, hash_counter_total, version_rolling, "
	            "soft_reset, as the family has them) or a number; numbers take 0x for hex.\n"
	            "Text output: '#' comment lines (meaning, and for jobs what they were built "
	            "from), then the bytes; it can be fed back to 'hbctl frames decode'.");

	EncodeCommands c{};
	c.set_address = cmd->add_subcommand("set-address", "assign an address to the next chip");
	c.set_address->add_option("addr", o->address, "the address")->required();
	add_common(c.set_address, *o);

	c.write = cmd->add_subcommand("write", "write a register");
	c.write->add_option("reg", o->reg, "register name or number")->required();
	c.write->add_option("value", o->value, "32-bit value")->required();
	add_target(c.write, *o);
	add_common(c.write, *o);

	c.read = cmd->add_subcommand("read", "read a register");
	c.read->add_option("reg", o->reg, "register name or number")->required();
	add_target(c.read, *o);
	add_common(c.read, *o);

	c.chain_inactive = cmd->add_subcommand("chain-inactive", "stop chips relaying addresses");
	add_common(c.chain_inactive, *o);

	c.job = cmd->add_subcommand("job", "a job frame exactly as a chain of the family gets "
	                                   "it (BM1397: 4 midstates; BM1366+: header job)");
	add_job_options(c.job, *o);

	return [o, c]() { return run_encode(*o, c); };
}

} // namespace hbctl
