// SPDX-License-Identifier: MIT
//
// What the Board keeps per chain, shared by its source files.
#pragma once

#include <hashboard/board/board.hpp>

#include <memory>
#include <vector>

namespace hashboard {

// The chain's link as Chain sees it: every call passes through, but it has no reset
// line. The Board owns reset, because only the Board knows when power is good and
// which chains share a reset line; a Chain pulsing a shared line would reset the
// chains already brought up.
class ResetlessLink final : public Transport {
public:
	explicit ResetlessLink(Transport &inner) : inner_(inner) {}
	void write(ByteSpan data) override { inner_.write(data); }
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		return inner_.read(buf, timeout);
	}
	void set_baud(std::uint32_t baud) override { inner_.set_baud(baud); }
	std::uint32_t baud() const override { return inner_.baud(); }
	void flush_input() override { inner_.flush_input(); }
	std::string describe() const override { return inner_.describe(); }

private:
	Transport &inner_;
};

struct Board::ChainSlot {
	ChainSpec spec;
	ChainLink link;                      // the factory's transport
	std::unique_ptr<ResetlessLink> view; // what the Chain talks through
	std::unique_ptr<Chain> chain;
	std::vector<double> targets;    // per chip position, MHz
	GpioLine *reset_gpio = nullptr; // owned by Board::gpios_; else the link's own reset
	bool usable = false;            // chips answered at the last start_chains()
};

} // namespace hashboard
