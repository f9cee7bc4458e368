// SPDX-License-Identifier: MIT
#include "hbfp_chip.hpp"

#include "Vbm13xx_chip.h"
#include "verilated.h"

namespace hbfp {

Chip::Chip(unsigned div) : top_(std::make_unique<Vbm13xx_chip>()), div_(div)
{
	top_->us_rx = 1;
	top_->ds_rx = 1;
	top_->rst = 1;
	for (int i = 0; i < 8; ++i)
		tick();
	top_->rst = 0;
}

Chip::~Chip()
{
	top_->final();
}

void Chip::write(const std::uint8_t *data, std::size_t len)
{
	tx_q_.insert(tx_q_.end(), data, data + len);
}

std::vector<std::uint8_t> Chip::read()
{
	std::vector<std::uint8_t> out;
	out.swap(rx_);
	return out;
}

void Chip::tick()
{
	// host transmitter: one bit every div_ + 1 clocks
	if (tx_bit_ < 0 && !tx_q_.empty()) {
		tx_byte_ = tx_q_.front();
		tx_q_.pop_front();
		tx_bit_ = 0;
		tx_tick_ = 0;
	}
	if (tx_bit_ >= 0) {
		top_->us_rx = tx_bit_ == 0 ? 0 : tx_bit_ == 9 ? 1 : (tx_byte_ >> (tx_bit_ - 1)) & 1;
		if (++tx_tick_ > div_) {
			tx_tick_ = 0;
			if (++tx_bit_ > 9)
				tx_bit_ = -1;
		}
	} else {
		top_->us_rx = 1;
	}
	top_->clk = 0;
	top_->eval();
	top_->clk = 1;
	top_->eval();
	++clocks_;
	// host receiver: sample mid-bit
	const bool line = top_->us_tx;
	if (rx_bit_ < 0) {
		if (!line) {
			rx_bit_ = 0;
			rx_tick_ = div_ / 2;
		}
	} else if (rx_tick_ > 0) {
		--rx_tick_;
	} else {
		rx_tick_ = div_;
		if (rx_bit_ == 0 && line) {
			rx_bit_ = -1;  // glitch
		} else if (rx_bit_ >= 1 && rx_bit_ <= 8) {
			rx_byte_ = std::uint8_t((rx_byte_ >> 1) | (line ? 0x80 : 0));
			++rx_bit_;
		} else if (rx_bit_ == 9) {
			if (line)
				rx_.push_back(rx_byte_);
			rx_bit_ = -1;
		} else {
			++rx_bit_;
		}
	}
	quiet_ = (line && rx_bit_ < 0 && tx_bit_ < 0 && tx_q_.empty()) ? quiet_ + 1 : 0;
}

void Chip::run(std::uint64_t clocks)
{
	for (std::uint64_t i = 0; i < clocks; ++i)
		tick();
}

void Chip::run_until_quiet(std::uint64_t idle_clocks, std::uint64_t limit)
{
	for (std::uint64_t i = 0; i < limit && !(quiet_ >= idle_clocks && tx_q_.empty()); ++i)
		tick();
}

} // namespace hbfp
