// SPDX-License-Identifier: MIT
// hbctl regs: read and write chip registers by name or number, on one chip or all.
#include "commands.hpp"
#include "reg_args.hpp"

#include <cstdio>
#include <iostream>
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
	char buf[16];
	std::snprintf(buf, sizeof buf, "0x%08x", unsigned(v));
	return buf;
}

std::string reg_label(const hashboard::ChipFamily &family, std::uint8_t reg)
{
	char hex[8];
	std::snprintf(hex, sizeof hex, "0x%02x", unsigned(reg));
	const auto name = hashboard::register_name(family, reg);
	return name.empty() ? hex : std::string(name) + "(" + hex + ")";
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

// Reads reg from the target chips; prints a table or JSON; 1 when a chip did not answer.
int read_and_report(Target &t, bool json_out, const char *action,
                    std::optional<std::uint32_t> expect)
{
	auto &chain = *t.session.chain;
	const auto &family = chain.family();
	const auto values = chain.read_register(t.address, t.reg);
	bool ok = true;
	json::array chips;
	if (!json_out) {
		std::printf("chain: %s\n%s %s\n", t.session.transport->describe().c_str(), action,
		            reg_label(family, t.reg).c_str());
		std::printf("%-4s %-8s %-11s %s\n", "pos", "address", "value", "meaning");
	}
	auto report = [&](std::optional<unsigned> position, std::uint8_t address) {
		const auto it = values.find(address);
		json::object row{{"address", address}};
		if (position)
			row["position"] = *position;
		else
			row["position"] = nullptr;
		std::string pos_text = position ? std::to_string(*position) : "-";
		if (it == values.end()) {
			ok = false;
			row["value"] = nullptr;
			if (!json_out)
				std::printf("%-4s 0x%02x     %-11s no reply\n", pos_text.c_str(),
				            unsigned(address), "-");
		} else {
			const auto fields =
			    bm::describe_register_value(family, t.reg, it->second, {});
			const bool match = !expect || *expect == it->second;
			ok = ok && match;
			row["value"] = hex_value(it->second);
			row["fields"] = fields_to_json(fields);
			if (expect)
				row["matches"] = match;
			if (!json_out)
				std::printf("%-4s 0x%02x     %-11s %s%s\n", pos_text.c_str(),
				            unsigned(address), hex_value(it->second).c_str(),
				            fields_to_text(fields).c_str(),
				            match ? "" : "  MISMATCH");
		}
		chips.push_back(std::move(row));
	};
	if (t.address) {
		std::optional<unsigned> position;
		for (const auto &c : chain.chips())
			if (c.answered && c.address == *t.address)
				position = c.position;
		report(position, *t.address);
	} else {
		for (const auto &c : chain.chips())
			if (c.answered)
				report(c.position, c.address);
	}
	// Replies from addresses no chip was given (a miscounted chain) are worth seeing.
	for (const auto &[address, value] : values) {
		bool known = false;
		for (const auto &c : chain.chips())
			known = known || (c.answered && c.address == address);
		if (!known && !t.address)
			report(std::nullopt, address);
	}
	if (json_out) {
		json::object doc{{"family", std::string(family.name)},
		                 {"transport", t.session.transport->describe()},
		                 {"reg", t.reg},
		                 {"reg_name", std::string(hashboard::register_name(family, t.reg))},
		                 {"chips", chips},
		                 {"ok", ok}};
		if (t.address)
			doc["address"] = *t.address;
		if (expect)
			doc["written"] = hex_value(*expect);
		std::cout << json::serialize(doc) << "\n";
	}
	return ok ? 0 : 1;
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
		char target[16] = "all chips";
		if (t.address)
			std::snprintf(target, sizeof target, "chip 0x%02x", unsigned(*t.address));
		std::printf("chain: %s\nwrote %s = %s to %s  %s\n",
		            t.session.transport->describe().c_str(),
		            reg_label(family, t.reg).c_str(), hex_value(value).c_str(), target,
		            fields_to_text(fields).c_str());
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
