// SPDX-License-Identifier: MIT
// An I2C bus test double: devices attached by address answer from register files, every
// transfer is logged (so tests can check what reached the bus), a missing device or an
// injected failure NAKs with a DeviceError, as LinuxI2cBus would.
#pragma once

#include "devices/i2c.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hbtest {

struct I2cOp {
	enum class Kind { read_byte, write_byte, read_word, write_word, read_block, send_byte };
	Kind kind;
	std::uint8_t address;
	std::uint8_t command;
	std::uint16_t value; // written value, or the value read
};

// Thrown by a device for a command it does not have; the bus turns it into a NAK.
struct Nak {};

class FakeI2cDevice {
public:
	virtual ~FakeI2cDevice() = default;
	virtual std::uint8_t read_byte(std::uint8_t) { throw Nak{}; }
	virtual void write_byte(std::uint8_t, std::uint8_t) { throw Nak{}; }
	virtual std::uint16_t read_word(std::uint8_t) { throw Nak{}; }
	virtual void write_word(std::uint8_t, std::uint16_t) { throw Nak{}; }
	virtual std::vector<std::uint8_t> read_block(std::uint8_t) { throw Nak{}; }
	virtual void send_byte(std::uint8_t) { throw Nak{}; }
};

class FakeI2cBus final : public hashboard::I2cBus {
public:
	void attach(std::uint8_t address, std::shared_ptr<FakeI2cDevice> device)
	{
		devices_[address] = std::move(device);
	}
	// The next `count` transfers NAK whatever the device would say.
	void nak_next(int count = 1) { nak_ = count; }

	const std::vector<I2cOp> &log() const { return log_; }
	void clear_log() { log_.clear(); }
	std::vector<I2cOp> writes_to(std::uint8_t address, std::uint8_t command) const
	{
		std::vector<I2cOp> out;
		for (const auto &op : log_)
			if (op.address == address && op.command == command &&
			    (op.kind == I2cOp::Kind::write_byte ||
			     op.kind == I2cOp::Kind::write_word))
				out.push_back(op);
		return out;
	}
	int reads_of(std::uint8_t address, std::uint8_t command) const
	{
		int n = 0;
		for (const auto &op : log_)
			if (op.address == address && op.command == command &&
			    (op.kind == I2cOp::Kind::read_byte ||
			     op.kind == I2cOp::Kind::read_word ||
			     op.kind == I2cOp::Kind::read_block))
				++n;
		return n;
	}

	const std::string &name() const override { return name_; }
	std::uint8_t read_byte(std::uint8_t a, std::uint8_t c) override
	{
		return static_cast<std::uint8_t>(
		    run(I2cOp::Kind::read_byte, a, c, 0,
		        [&](FakeI2cDevice &d) -> std::uint16_t { return d.read_byte(c); }));
	}
	void write_byte(std::uint8_t a, std::uint8_t c, std::uint8_t v) override
	{
		run(I2cOp::Kind::write_byte, a, c, v, [&](FakeI2cDevice &d) -> std::uint16_t {
			d.write_byte(c, v);
			return v;
		});
	}
	std::uint16_t read_word(std::uint8_t a, std::uint8_t c) override
	{
		return run(I2cOp::Kind::read_word, a, c, 0,
		           [&](FakeI2cDevice &d) { return d.read_word(c); });
	}
	void write_word(std::uint8_t a, std::uint8_t c, std::uint16_t v) override
	{
		run(I2cOp::Kind::write_word, a, c, v, [&](FakeI2cDevice &d) -> std::uint16_t {
			d.write_word(c, v);
			return v;
		});
	}
	std::vector<std::uint8_t> read_block(std::uint8_t a, std::uint8_t c) override
	{
		std::vector<std::uint8_t> block;
		run(I2cOp::Kind::read_block, a, c, 0, [&](FakeI2cDevice &d) -> std::uint16_t {
			block = d.read_block(c);
			return static_cast<std::uint16_t>(block.size());
		});
		return block;
	}
	void send_byte(std::uint8_t a, std::uint8_t c) override
	{
		run(I2cOp::Kind::send_byte, a, c, 0, [&](FakeI2cDevice &d) -> std::uint16_t {
			d.send_byte(c);
			return 0;
		});
	}

private:
	template <class F>
	std::uint16_t run(I2cOp::Kind kind, std::uint8_t a, std::uint8_t c, std::uint16_t v, F &&f)
	{
		hashboard::check_i2c_address(a);
		log_.push_back({kind, a, c, v});
		auto it = devices_.find(a);
		try {
			if (nak_ > 0) {
				--nak_;
				throw Nak{};
			}
			if (it == devices_.end())
				throw Nak{};
			const std::uint16_t result = f(*it->second);
			log_.back().value = result;
			return result;
		} catch (const Nak &) {
			char buf[64];
			std::snprintf(buf, sizeof buf, " addr 0x%02x cmd 0x%02x: NAK", a, c);
			throw hashboard::DeviceError(name_ + buf, ENXIO);
		}
	}

	std::string name_ = "fake-i2c";
	std::map<std::uint8_t, std::shared_ptr<FakeI2cDevice>> devices_;
	std::vector<I2cOp> log_;
	int nak_ = 0;
};

} // namespace hbtest
