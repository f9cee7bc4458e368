// SPDX-License-Identifier: MIT
// hbctl regs: read and write chip registers by name or number, on one chip or all.
#include "commands.hpp"
#include "reg_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

namespace hbctl {
namespace {

namespace bm = hashboard::bm13xx;
namespace json = boost::json;

struct RegsOptions {
	CommonOptions common;
	std::string reg;
	std::string value;
	std::string chip;
	bool read_back = false;
};

std::string hex_value(std::uint32_t v)
{
	return fmt::format("0x{:08x}", v);
}

std::string reg_label(const hashboard::ChipFamily &family, std::uint8_t reg)
{
	const auto name = hashboard::register_name(family, reg);
	return name.empty() ? fmt::format("0x{:02x}", reg) : fmt::format("{}(0x{:02x})", name, reg);
}

// Enumerates first: addresses exist only after it, and reads are answered per address.
struct Target {
	Session session;
	hashboard::ScanResult scan;
	std::uint8_t reg = 0;
	std::optional<std::uint8_t> address;
};

Target open_target(const RegsOptions &o)
{
	Target t{open_session(o.common), {}, 0, std::nullopt};
	const auto &family = t.session.chain->family();
	t.reg = parse_register(family, o.reg);
	if (!o.chip.empty())
		t.address = parse_address(o.chip);
	t.scan = t.session.chain->enumerate();
	if (t.scan.found() == 0)
		throw hashboard::OperationalError("no chip answered enumeration on " +
		                                  t.session.transport->describe());
	return t;
}

// One row per chip read, as a table line and a JSON object; whether every chip answered
// (and, for a read-back, matched).
class ReadReport {
public:
	ReadReport(const Target &t, const std::map<std::uint8_t, std::uint32_t> &values,
	           bool json_out, std::optional<std::uint32_t> expect)
	    : t_(t), values_(values), json_(json_out), expect_(expect)
	{
	}

	void header(const char *action) const
	{
		if (json_)
			return;
		fmt::print("chain: {}\n{} {}\n", t_.session.transport->describe(), action,
		           reg_label(t_.session.chain->family(), t_.reg));
		fmt::print("{:<4} {:<8} {:<11} {}\n", "pos", "address", "value", "meaning");
	}

	void row(std::optional<unsigned> position, std::uint8_t address)
	{
		const auto it = values_.find(address);
		json::object row{{"address", address}};
		if (position)
			row["position"] = *position;
		else
			row["position"] = nullptr;
		const std::string pos_text = position ? std::to_string(*position) : "-";
		if (it == values_.end()) {
			ok_ = false;
			row["value"] = nullptr;
			if (!json_)
				fmt::print("{:<4} 0x{:02x}     {:<11} no reply\n", pos_text,
				           address, "-");
		} else {
			const auto fields = bm::describe_register_value(t_.session.chain->family(),
			                                                t_.reg, it->second, {});
			const bool match = !expect_ || *expect_ == it->second;
			ok_ = ok_ && match;
			row["value"] = hex_value(it->second);
			row["fields"] = fields_to_json(fields);
			if (expect_)
				row["matches"] = match;
			if (!json_)
				fmt::print("{:<4} 0x{:02x}     {:<11} {}{}\n", pos_text, address,
				           hex_value(it->second), fields_to_text(fields),
				           match ? "" : "  MISMATCH");
		}
		chips_.push_back(std::move(row));
	}

	bool ok() const { return ok_; }

	void print_json() const
	{
		const auto &family = t_.session.chain->family();
		json::object doc{
		    {"family", std::string(family.name)},
		    {"transport", t_.session.transport->describe()},
		    {"reg", t_.reg},
		    {"reg_name", std::string(hashboard::register_name(family, t_.reg))},
		    {"chips", chips_},
		    {"ok", ok_}};
		if (t_.address)
			doc["address"] = *t_.address;
		if (expect_)
			doc["written"] = hex_value(*expect_);
		std::cout << json::serialize(doc) << "\n";
	}

private:
	const Target &t_;
	const std::map<std::uint8_t, std::uint32_t> &values_;
	bool json_;
	std::optional<std::uint32_t> expect_;
	bool ok_ = true;
	json::array chips_;
};

// Reads reg from the target chips; prints a table or JSON; 1 when a chip did not answer.
int read_and_report(Target &t, bool json_out, const char *action,
                    std::optional<std::uint32_t> expect)
{
	auto &chain = *t.session.chain;
	const auto values = chain.read_register(t.address, t.reg);
	ReadReport report(t, values, json_out, expect);
	report.header(action);
	const auto answered = [&](std::uint8_t address) {
		return std::any_of(chain.chips().begin(), chain.chips().end(), [&](const auto &c) {
			return c.answered && c.address == address;
		});
	};
	if (t.address) {
		std::optional<unsigned> position;
		for (const auto &c : chain.chips())
			if (c.answered && c.address == *t.address)
				position = c.position;
		report.row(position, *t.address);
	} else {
		for (const auto &c : chain.chips())
			if (c.answered)
				report.row(c.position, c.address);
		// Replies from addresses no chip was given (a miscounted chain) are worth seeing.
		for (const auto &[address, value] : values)
			if (!answered(address))
				report.row(std::nullopt, address);
	}
	if (json_out)
		report.print_json();
	return report.ok() ? 0 : 1;
}

int run_read(const RegsOptions &o)
{
	Target t = open_target(o);
	return read_and_report(t, o.common.json, "read", std::nullopt);
}

int run_write(const RegsOptions &o)
{
	Target t = open_target(o);
	const auto value = std::uint32_t(parse_number(o.value, "value", 0xFFFFFFFF));
	t.session.chain->write_register(t.address, t.reg, value);
	if (o.read_back)
		return read_and_report(t, o.common.json, "wrote and read back", value);
	const auto &family = t.session.chain->family();
	const auto fields = bm::describe_register_value(family, t.reg, value, {});
	if (o.common.json) {
		json::object doc{{"family", std::string(family.name)},
		                 {"transport", t.session.transport->describe()},
		                 {"reg", t.reg},
		                 {"reg_name", std::string(hashboard::register_name(family, t.reg))},
		                 {"written", hex_value(value)},
		                 {"fields", fields_to_json(fields)}};
		if (t.address)
			doc["address"] = *t.address;
		else
			doc["address"] = "all";
		std::cout << json::serialize(doc) << "\n";
	} else {
		const std::string target =
		    t.address ? fmt::format("chip 0x{:02x}", *t.address) : "all chips";
		fmt::print("chain: {}\nwrote {} = {} to {}  {}\n", t.session.transport->describe(),
		           reg_label(family, t.reg), hex_value(value), target,
		           fields_to_text(fields));
	}
	return 0;
}

} // namespace

Runner add_regs_command(CLI::App &app)
{
	auto o = std::make_shared<RegsOptions>();
	auto *cmd = app.add_subcommand("regs", "read or write chip registers by name or number");
	cmd->require_subcommand(1);
	cmd->footer("REG: a register name of the family (chip_id, pll0, chip_nonce_offset, "
	            "hash_counting, ticket_mask, misc_control, uart_baud, core_control, "
	            "nonce_error_counter, pll0_divider, hash_counter_total, version_rolling, "
	            "soft_reset, as the family has them) or a number (0x for hex). The chain is "
	            "enumerated first; without --chip every answering chip is addressed.");

	auto *read = cmd->add_subcommand("read", "read a register from every chip or one");
	read->add_option("reg", o->reg, "register name or number")->required();
	read->add_option("--chip", o->chip, "one chip, by address (default: all)");
	add_common_options(*read, o->common);

	auto *write = cmd->add_subcommand("write", "write a register on every chip or one");
	write->add_option("reg", o->reg, "register name or number")->required();
	write->add_option("value", o->value, "32-bit value")->required();
	write->add_option("--chip", o->chip, "one chip, by address (default: all, broadcast)");
	write->add_flag("--read-back", o->read_back, "read the register back and compare");
	add_common_options(*write, o->common);

	return [o, read]() { return *read ? run_read(*o) : run_write(*o); };
}

} // namespace hbctl
