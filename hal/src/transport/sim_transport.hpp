// SPDX-License-Identifier: MIT
#pragma once

#include "uri.hpp"

#include <hashboard/transport.hpp>
#include <hbsim/sim_chain.hpp>

#include <array>
#include <memory>
#include <string_view>

namespace hashboard::transport {

// The simulated chain in-process:
//   sim:<family>[?chips=N&zero_bits=Z&seed=S&dead=K&mute=K&ber=R&flimit=MHZ]
// It runs on the caller's clock: with a virtual clock, reads move time forward
// themselves (to the next byte, or in small steps while the chips hash), so a run is
// as fast as the CPU and deterministic; with a real clock it waits in real time.
class SimTransport final : public Transport {
public:
	SimTransport(hbsim::SimChainConfig config, Clock &clock);

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override;
	bool has_reset() const override { return true; }
	void set_reset(bool asserted) override;
	std::string describe() const override;

	// For tests and hbctl: what the simulated chips did.
	hbsim::SimChain &chain() { return chain_; }
	const hbsim::SimChain &chain() const { return chain_; }

private:
	Clock &clock_;
	hbsim::SimChain chain_;
	std::uint32_t baud_;
};

inline constexpr std::array<std::string_view, 7> kSimOptions{"chips", "zero_bits", "seed",  "dead",
                                                             "mute",  "ber",       "flimit"};

// Builds the chain configuration from a sim: URI; what it leaves out is the simulator's
// default (hbsim::SimChainConfig{}).
hbsim::SimChainConfig sim_chain_config(const TransportUri &uri);
std::unique_ptr<Transport> open_sim_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
