// SPDX-License-Identifier: MIT
// Every control device a twin, every chain on its own link: hbctl board --sim-devices and
// hashboardd with --chain-transport on a simulated board, against hbsim --board processes.
#pragma once

#include <hashboard/board/board.hpp>
#include <hashboard/board/sim_board.hpp>

#include <map>
#include <memory>

namespace hashboard {

// Regulators, sensors, fans and GPIO lines are the simulator's twins (as with --sim);
// chains open their transport URIs in real time, so a board can run against hbsim
// processes (hbsim --board) over ptys or sockets. Chains left at "sim" run in-process on
// the same clock.
//
// A reset line's twin also drives the reset of every link it serves that has its own
// (an hbsim control socket): the simulated chips then see the board's reset order, held
// through power-up and released once power is good, as the in-process twin's chips do.
// The twins cannot see chips in another process, so regulators report no load (0 A)
// and the thermal model stays at ambient.
class LinkedSimDevices final : public hashboard::DeviceFactory {
public:
	// clock must outlive the factory; it must be a real clock for tty: and unix: links.
	LinkedSimDevices(const hashboard::BoardConfig &config, const hashboard::Clock &clock);
	~LinkedSimDevices() override;

	hashboard::ChainLink open_chain(const hashboard::ChainSpec &spec,
	                                hashboard::Clock &clock) override;
	std::shared_ptr<hashboard::Regulator>
	make_regulator(const hashboard::RegulatorSpec &spec) override
	{
		return twins_.make_regulator(spec);
	}
	std::shared_ptr<hashboard::TemperatureSensor>
	make_sensor(const hashboard::SensorSpec &spec) override
	{
		return twins_.make_sensor(spec);
	}
	std::shared_ptr<hashboard::Fan> make_fan(const hashboard::FanSpec &spec) override
	{
		return twins_.make_fan(spec);
	}
	std::shared_ptr<hashboard::GpioLine> make_gpio(const hashboard::GpioSpec &spec) override;
	std::shared_ptr<hashboard::Eeprom> make_eeprom(const hashboard::EepromSpec &spec) override
	{
		return twins_.make_eeprom(spec);
	}
	void update(hashboard::Duration now) override { twins_.update(now); }

private:
	class ResetLine;
	class TrackedLink;

	hashboard::SimDeviceFactory twins_;
	// Opens the URIs (and reads a sim: URI's zero bits) as on real hardware.
	std::shared_ptr<hashboard::DeviceFactory> links_;
	// Open links that have a reset line, by chain id; each removes itself when closed.
	std::map<unsigned, hashboard::Transport *> resettable_;
};

} // namespace hashboard
