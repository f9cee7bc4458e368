// SPDX-License-Identifier: MIT
// The hardware device factory: each board-file type name to its Linux device class.
#include "transport/sim_transport.hpp"
#include "transport/uri.hpp"

#include "devices/at24.hpp"
#include "devices/emc2101.hpp"
#include "devices/gpiod_line.hpp"
#include "devices/hwmon.hpp"
#include "devices/i2c.hpp"
#include "devices/lm75.hpp"
#include "devices/tps546.hpp"
#include <hashboard/board/board.hpp>
#include <hashboard/board/sim_board.hpp>

#include <map>
#include <utility>

namespace hashboard {
namespace {

class HardwareDeviceFactory final : public DeviceFactory {
public:
	HardwareDeviceFactory(const BoardConfig &config, const Clock &clock)
	    : config_(config), clock_(clock)
	{
	}

	ChainLink open_chain(const ChainSpec &spec, Clock &clock) override
	{
		if (spec.transport == kSimTransport)
			return sim().open_chain(spec, clock);
		const auto uri = transport::parse_transport_uri(spec.transport);
		ChainLink link;
		link.zero_bits = uri.scheme == "sim" ? transport::sim_chain_config(uri).zero_bits
		                                     : spec.zero_bits;
		link.transport = open_transport(spec.transport, clock);
		return link;
	}

	std::shared_ptr<Regulator> make_regulator(const RegulatorSpec &spec) override
	{
		switch (spec.type) {
		case RegulatorType::tps546: {
			Tps546Regulator::Config c;
			c.name = spec.name;
			c.address = spec.address;
			// The board's limits go into the device object itself, so no request
			// outside them can reach the regulator whoever makes it.
			c.limits = config_.vout_limits(spec);
			c.on_off_config = spec.on_off_config;
			return std::make_shared<Tps546Regulator>(bus(spec.bus), c);
		}
		case RegulatorType::sim:
			break;
		}
		return sim().make_regulator(spec);
	}

	std::shared_ptr<TemperatureSensor> make_sensor(const SensorSpec &spec) override
	{
		switch (spec.type) {
		case SensorType::lm75:
			return std::make_shared<Lm75Sensor>(spec.name, bus(spec.bus), spec.address,
			                                    9);
		case SensorType::tmp75:
			return std::make_shared<Lm75Sensor>(spec.name, bus(spec.bus), spec.address,
			                                    12);
		case SensorType::emc2101:
			return std::make_shared<Emc2101Temperature>(
			    spec.name, emc2101(spec.bus, spec.address),
			    spec.internal ? Emc2101Temperature::Channel::internal
			                  : Emc2101Temperature::Channel::external);
		case SensorType::hwmon:
			return HwmonTemperature::by_hwmon_name(spec.name, spec.hwmon, spec.index);
		case SensorType::sim:
			break;
		}
		return sim().make_sensor(spec);
	}

	std::shared_ptr<Fan> make_fan(const FanSpec &spec) override
	{
		switch (spec.type) {
		case FanType::hwmon:
			return std::make_shared<HwmonPwmFan>(
			    spec.name, find_hwmon_by_name(spec.hwmon), spec.pwm, spec.tach);
		case FanType::emc2101:
			return std::make_shared<Emc2101Fan>(spec.name,
			                                    emc2101(spec.bus, spec.address));
		case FanType::sim:
			break;
		}
		return sim().make_fan(spec);
	}

	std::shared_ptr<GpioLine> make_gpio(const GpioSpec &spec) override
	{
		if (spec.chip == kSimGpioChip)
			return sim().make_gpio(spec);
		GpiodLine::Config c;
		c.chip = spec.chip;
		c.offset = spec.offset;
		c.active_low = spec.active_low;
		c.direction = spec.role == GpioRole::plug_detect ? GpiodLine::Direction::input
		                                                 : GpiodLine::Direction::output;
		// Chips stay in reset from the moment the line is ours; power stays off.
		c.initial_active = spec.role == GpioRole::reset;
		return std::make_shared<GpiodLine>(spec.name, c);
	}

	std::shared_ptr<Eeprom> make_eeprom(const EepromSpec &spec) override
	{
		if (spec.type == EepromType::at24)
			return std::make_shared<At24Eeprom>(bus(spec.bus), spec.address);
		return sim().make_eeprom(spec);
	}

	void update(Duration now) override
	{
		if (sim_)
			sim_->update(now);
	}

private:
	std::shared_ptr<I2cBus> bus(const std::string &path)
	{
		auto &b = buses_[path];
		if (!b)
			b = std::make_shared<LinuxI2cBus>(path);
		return b;
	}

	// One Emc2101 object per chip, shared by its temperature and fan views.
	std::shared_ptr<Emc2101> emc2101(const std::string &bus_path, std::uint8_t address)
	{
		auto &chip = emc2101s_[{bus_path, address}];
		if (!chip) {
			Emc2101::Config c;
			c.address = address;
			chip = std::make_shared<Emc2101>(bus(bus_path), c);
		}
		return chip;
	}

	SimDeviceFactory &sim()
	{
		if (!sim_)
			sim_ = std::make_unique<SimDeviceFactory>(config_, clock_);
		return *sim_;
	}

	const BoardConfig config_;
	const Clock &clock_;
	std::map<std::string, std::shared_ptr<I2cBus>> buses_;
	std::map<std::pair<std::string, std::uint8_t>, std::shared_ptr<Emc2101>> emc2101s_;
	std::unique_ptr<SimDeviceFactory> sim_; // twins for the board's "sim" parts
};

} // namespace

std::shared_ptr<DeviceFactory> make_hardware_device_factory(const BoardConfig &config,
                                                            const Clock &clock)
{
	return std::make_shared<HardwareDeviceFactory>(config, clock);
}

} // namespace hashboard
