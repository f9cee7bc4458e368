// SPDX-License-Identifier: MIT
//
// A whole board in the simulator: every chain an in-process SimChain, every device its
// twin, wired together as on the real board. One thermal model per board; regulators
// whose load follows their domain's chips (C V^2 f + leakage per chip by the chips'
// physics, at the PLLs the simulated chips really run at); chips that run at their
// rail's voltage and at their temperature along the airflow, live (docs/physics.md);
// chains that hold their chips in reset while the reset line is asserted or their rails
// are not up; fans whose airflow cools the board. The journal and the frequency history
// let tests check the order things happened in.
#pragma once

#include <hashboard/board/board.hpp>
#include <hashboard/board/sim_devices.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hbsim {
class SimChain;
}

namespace hashboard {

// One change on a twin: "gpio:reset0 active", "regulator:core vout 1150 mV",
// "regulator:core output on", "chain:0 powered", "chain:0 reset released".
struct SimEvent {
	Duration t{};
	std::string device;
	std::string what;
};

// The slowest and fastest chip of a chain, each time a chip's PLL moved.
struct FrequencySample {
	Duration t{};
	double min_mhz = 0;
	double max_mhz = 0;
};

class SimDeviceFactory final : public DeviceFactory {
public:
	// Faults from the board's [sim] table: chain faults apply when a chain is opened,
	// device faults when update() sees their time come.
	SimDeviceFactory(const BoardConfig &config, const Clock &clock);
	~SimDeviceFactory() override;
	SimDeviceFactory(const SimDeviceFactory &) = delete;
	SimDeviceFactory &operator=(const SimDeviceFactory &) = delete;

	ChainLink open_chain(const ChainSpec &spec, Clock &clock) override;
	std::shared_ptr<Regulator> make_regulator(const RegulatorSpec &spec) override;
	std::shared_ptr<TemperatureSensor> make_sensor(const SensorSpec &spec) override;
	std::shared_ptr<Fan> make_fan(const FanSpec &spec) override;
	std::shared_ptr<GpioLine> make_gpio(const GpioSpec &spec) override;
	// Holds [sim] serial at the spec's serial offset.
	std::shared_ptr<Eeprom> make_eeprom(const EepromSpec &spec) override;
	void update(Duration now) override;

	// The twins, for fault injection and inspection (std::invalid_argument if absent).
	SimThermalModel &thermal();
	SimRegulator &regulator(std::string_view name);
	SimTemperatureSensor &sensor(std::string_view name);
	SimFan &fan(std::string_view name);
	SimGpioLine &gpio(std::string_view name);
	// The PLL frequency a simulated chip runs at now (what the chip decoded, not what
	// the host asked for).
	double chip_frequency_mhz(unsigned chain_id, unsigned position) const;
	bool chain_powered(unsigned chain_id) const;

	// The physics model's outputs (docs/physics.md). A real board shows none of these
	// per chip: they are for tests and benches, never for a tuner, which must work from
	// nonces, counters, sensors and regulator readings as on hardware.
	double chip_temperature_c(unsigned chain_id, unsigned position) const;
	double chip_voltage_mv(unsigned chain_id, unsigned position) const;
	double chip_power_w(unsigned chain_id, unsigned position) const;
	double chip_wrong_nonce_probability(unsigned chain_id, unsigned position) const;
	// The fans' noise, dB(A), by the model (fan laws from [sim] fan_noise_db): what a
	// sound meter next to the machine would read, for home-mode caps.
	double noise_db() const;
	// The air at the inlet: the board drifts to its new steady state from now on.
	void set_ambient_c(double celsius);
	bool chain_in_reset(unsigned chain_id) const;

	const std::vector<SimEvent> &journal() const;
	const std::vector<FrequencySample> &frequency_history(unsigned chain_id) const;

private:
	const hbsim::SimChain &sim_chain(unsigned chain_id) const;
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace hashboard
