// SPDX-License-Identifier: MIT
// The Board: construction, state checks, trips, frequency and voltage setters, device
// readings. Bring-up and bring-down are in board_bringup.cpp, mining in board_mining.cpp.
#include "board_slot.hpp"
#include "board_waker.hpp"
#include "link_poller.hpp"

#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/board/fan_pid.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace hashboard {
namespace {

std::string number(double x)
{
	return fmt::format("{:g}", x);
}

} // namespace

std::string_view board_state_name(BoardState state)
{
	static constexpr std::array<std::string_view, 5> kNames{"off", "powered", "enumerated",
	                                                        "mining", "tripped"};
	return kNames.at(std::size_t(state));
}

std::string_view trip_cause_name(TripCause cause)
{
	static constexpr std::array<std::string_view, 8> kNames{
	    "over_temperature", "fan_failure", "regulator_fault", "sensor_loss",
	    "over_power",       "watchdog",    "link_failure",    "operator_request"};
	return kNames.at(std::size_t(cause));
}

std::string TripReason::message() const
{
	std::string s(trip_cause_name(cause));
	if (!device.empty())
		s += ": " + device;
	if (!detail.empty())
		s += ": " + detail;
	return s;
}

Board::Board(BoardConfig config, Clock &clock, std::shared_ptr<DeviceFactory> devices)
    : devices_(std::move(devices)), config_(std::move(config)), clock_(clock),
      waker_(std::make_unique<BoardWaker>())
{
	if (!devices_)
		throw std::invalid_argument("board: no device factory");
	// GPIO lines first: reset must be held from the first instant the board is ours.
	for (const auto &g : config_.gpios)
		gpios_.push_back(devices_->make_gpio(g));
	for (const auto &spec : config_.chains) {
		auto slot = std::make_unique<ChainSlot>();
		slot->spec = spec;
		slot->clock = std::make_unique<ChainClock>(clock_);
		slot->link = devices_->open_chain(spec, *slot->clock);
		if (!slot->link.transport)
			throw std::logic_error("device factory opened no link for chain " +
			                       std::to_string(spec.id));
		slot->view = std::make_unique<ResetlessLink>(*slot->link.transport);
		ChainConfig cc;
		cc.family = spec.family;
		cc.expected_chips = spec.chips;
		cc.address_step = spec.address_step;
		cc.style = spec.bringup;
		cc.hash_counting = spec.hash_counting;
		cc.baud_base = spec.baud_base;
		cc.chips_per_domain = spec.chips_per_domain;
		cc.zero_bits = slot->link.zero_bits;
		cc.ramp_step_mhz = spec.ramp_step_mhz;
		cc.ramp_interval = spec.ramp_interval;
		slot->targets.assign(spec.chips, spec.frequency_mhz);
		cc.ticket_log2 = auto_ticket_log2(*slot);
		if (spec.baud > std::uint32_t(kResetBaud * (1 + kBaudTolerance)))
			cc.baud = spec.baud;
		slot->chain = std::make_unique<Chain>(*slot->view, *slot->clock, cc);
		slot->reset_gpio = gpio(GpioRole::reset, spec.id);
		chain_ids_.push_back(spec.id);
		chains_.push_back(std::move(slot));
	}
	for (const auto &r : config_.regulators)
		regulators_.push_back(devices_->make_regulator(r));
	for (const auto &s : config_.sensors)
		sensors_.push_back(devices_->make_sensor(s));
	if (config_.eeprom)
		eeprom_ = devices_->make_eeprom(*config_.eeprom);
	for (const auto &f : config_.fans) {
		fans_.push_back(devices_->make_fan(f));
		std::unique_ptr<FanPid> pid;
		if (f.target_c) {
			FanPid::Params p;
			p.target_c = *f.target_c;
			p.min_duty = f.min_duty;
			pid = std::make_unique<FanPid>(clock_, p);
		}
		fan_pids_.push_back(std::move(pid));
	}
}

Board::~Board()
{
	const BoardState s = state_.load();
	if (s == BoardState::off || s == BoardState::tripped)
		return;
	try {
		ramp_all_down_fast();
		assert_resets(true);
		switch_power_off();
	} catch (...) {
		// Nothing more can be done from a destructor; each step already logged.
	}
}

std::optional<TripReason> Board::trip_reason() const
{
	std::lock_guard lock(mutex_);
	return trip_reason_;
}

void Board::set_logger(Logger logger)
{
	TimedLogger timed;
	if (logger)
		timed = [plain = std::move(logger)](Duration, const std::string &line) {
			plain(line);
		};
	set_logger(std::move(timed));
}

void Board::set_logger(TimedLogger logger)
{
	std::lock_guard lock(log_mutex_);
	logger_ = std::move(logger);
}

void Board::set_progress(std::function<void(std::string_view)> progress)
{
	std::lock_guard lock(progress_mutex_);
	progress_ = std::move(progress);
}

void Board::log(const std::string &line)
{
	log_at(clock_.now(), line);
}

void Board::log_at(Duration when, const std::string &line)
{
	std::lock_guard lock(log_mutex_);
	if (logger_)
		logger_(when, line);
}

void Board::progress(std::string_view what)
{
	std::lock_guard lock(progress_mutex_);
	if (progress_)
		progress_(what);
}

void Board::require(std::initializer_list<BoardState> allowed, const char *operation) const
{
	const BoardState s = state_.load();
	if (std::find(allowed.begin(), allowed.end(), s) != allowed.end())
		return;
	std::vector<std::string_view> valid;
	for (BoardState a : allowed)
		valid.push_back(board_state_name(a));
	throw std::logic_error(fmt::format("board {}: {} needs state {}, the board is {}",
	                                   config_.name, operation, fmt::join(valid, " or "),
	                                   board_state_name(s)));
}

std::size_t Board::index_of(unsigned chain_id) const
{
	for (std::size_t i = 0; i < chains_.size(); ++i)
		if (chains_[i]->spec.id == chain_id)
			return i;
	throw std::invalid_argument("board " + config_.name + " has no chain " +
	                            std::to_string(chain_id));
}

Chain &Board::chain(unsigned chain_id)
{
	return *chains_[index_of(chain_id)]->chain;
}

const Chain &Board::chain(unsigned chain_id) const
{
	return *chains_[index_of(chain_id)]->chain;
}

std::string Board::link_description(unsigned chain_id) const
{
	return chains_[index_of(chain_id)]->link.transport->describe();
}

GpioLine *Board::gpio(GpioRole role, std::optional<unsigned> chain_id) const
{
	for (std::size_t i = 0; i < config_.gpios.size(); ++i) {
		const GpioSpec &g = config_.gpios[i];
		if (g.role == role && (!chain_id || g.serves(*chain_id)))
			return gpios_[i].get();
	}
	return nullptr;
}

bool Board::trip(TripReason reason, TripScope scope)
{
	{
		std::lock_guard lock(mutex_);
		if (state_.load() == BoardState::tripped)
			return false;
		if (reason.when == Duration::zero())
			reason.when = clock_.now();
		trip_reason_ = reason;
		state_.store(BoardState::tripped);
	}
	log("TRIP " + reason.message() + " (at " + number(to_seconds(reason.when)) +
	    " s); going to the safe state");
	if (scope == TripScope::full)
		ramp_all_down_fast();
	assert_resets(scope == TripScope::full);
	switch_power_off();
	set_fan_duty(1.0);
	// Another thread's trip (the watchdog's) leaves the chains to the control thread,
	// which may be inside one: its next poll, update or clear_trip tells them.
	if (scope == TripScope::full)
		chains_lost_power();
	log("safe state reached: reset asserted, regulators off");
	return true;
}

void Board::clear_trip()
{
	require({BoardState::tripped}, "clear_trip");
	std::lock_guard lock(mutex_);
	for (auto &r : regulators_) {
		try {
			r->clear_faults();
		} catch (const DeviceError &) {
			// A regulator that cannot be reached shows at the next power_up.
		}
	}
	trip_reason_.reset();
	chains_lost_power();
	state_.store(BoardState::off);
}

void Board::chains_lost_power()
{
	if (in_phase_.load())
		return;
	for (auto &slot : chains_) {
		slot->chain->power_lost();
		slot->usable = false;
	}
}

void Board::update(Duration now)
{
	if (state_.load() == BoardState::tripped)
		chains_lost_power(); // after a trip from another thread

	bool any_pid = false;
	for (const auto &p : fan_pids_)
		any_pid = any_pid || p;
	if (any_pid) {
		std::optional<double> hottest;
		for (const auto &r : read_sensors())
			if (r.celsius)
				hottest = std::max(hottest.value_or(*r.celsius), *r.celsius);
		std::lock_guard lock(mutex_);
		for (std::size_t i = 0; i < fans_.size() && hottest; ++i) {
			if (!fan_pids_[i])
				continue;
			try {
				fans_[i]->set_duty(fan_pids_[i]->update(*hottest));
			} catch (const DeviceError &e) {
				log("fan " + fans_[i]->name() + ": " + e.what());
			}
		}
	}
	std::lock_guard lock(mutex_);
	devices_->update(now);
}

void Board::set_chip_frequency(unsigned chain_id, unsigned position, double mhz)
{
	require({BoardState::powered, BoardState::enumerated, BoardState::mining},
	        "set_chip_frequency");
	ChainSlot &slot = *chains_[index_of(chain_id)];
	if (position >= slot.spec.chips)
		throw std::invalid_argument("chain " + std::to_string(chain_id) + " has no chip " +
		                            std::to_string(position) + " (it has " +
		                            std::to_string(slot.spec.chips) + ")");
	check_chain_frequency(config_, slot.spec, mhz);
	slot.targets[position] = mhz;
	if (state_.load() != BoardState::powered && slot.usable)
		slot.chain->ramp_chip_frequencies(slot.targets,
		                                  [&](double) { progress("frequency ramp"); });
}

void Board::set_chain_frequency(unsigned chain_id, double mhz)
{
	require({BoardState::powered, BoardState::enumerated, BoardState::mining},
	        "set_chain_frequency");
	ChainSlot &slot = *chains_[index_of(chain_id)];
	check_chain_frequency(config_, slot.spec, mhz);
	slot.targets.assign(slot.spec.chips, mhz);
	if (state_.load() != BoardState::powered && slot.usable)
		slot.chain->ramp_chip_frequencies(slot.targets,
		                                  [&](double) { progress("frequency ramp"); });
}

void Board::set_chip_frequencies(unsigned chain_id, const std::vector<double> &mhz)
{
	require({BoardState::powered, BoardState::enumerated, BoardState::mining},
	        "set_chip_frequencies");
	ChainSlot &slot = *chains_[index_of(chain_id)];
	if (mhz.size() != slot.spec.chips)
		throw std::invalid_argument("chain " + std::to_string(chain_id) + " has " +
		                            std::to_string(slot.spec.chips) + " chips, got " +
		                            std::to_string(mhz.size()) + " frequencies");
	for (double f : mhz)
		check_chain_frequency(config_, slot.spec, f);
	slot.targets = mhz;
	if (state_.load() != BoardState::powered && slot.usable)
		slot.chain->ramp_chip_frequencies(slot.targets,
		                                  [&](double) { progress("frequency ramp"); });
}

const std::vector<double> &Board::chip_targets(unsigned chain_id) const
{
	return chains_[index_of(chain_id)]->targets;
}

double Board::set_domain_voltage(std::string_view domain, double mv)
{
	require({BoardState::powered, BoardState::enumerated, BoardState::mining},
	        "set_domain_voltage");
	if (!std::isfinite(mv))
		throw std::invalid_argument("voltage must be a finite number of millivolts");
	const DomainSpec &d = config_.domain(domain);
	const RegulatorSpec &spec = config_.regulator(d.regulator);
	const double request = config_.vout_limits(spec).clamp(mv);
	if (request != mv)
		log("domain " + d.name + ": " + number(mv) + " mV clamped to " + number(request) +
		    " mV (regulator " + spec.name + " and board limits)");
	std::lock_guard lock(mutex_);
	return regulator(spec.name).set_vout_mv(request);
}

Regulator &Board::regulator(std::string_view name)
{
	for (std::size_t i = 0; i < config_.regulators.size(); ++i)
		if (config_.regulators[i].name == name)
			return *regulators_[i];
	throw std::invalid_argument("board " + config_.name + " has no regulator '" +
	                            std::string(name) + "'");
}

std::optional<std::string> Board::read_serial()
{
	std::lock_guard lock(mutex_);
	if (!eeprom_ || !config_.eeprom)
		return std::nullopt;
	const auto bytes =
	    eeprom_->read(config_.eeprom->serial_offset, config_.eeprom->serial_length);
	std::string serial;
	for (const std::uint8_t b : bytes) {
		if (b == 0 || b == 0xFF)
			break;
		if (b < 0x20 || b > 0x7E)
			throw DeviceError("eeprom: the serial field holds byte " +
			                  std::to_string(b) + ", not printable ASCII");
		serial += char(b);
	}
	const auto first = serial.find_first_not_of(' ');
	if (first == std::string::npos)
		return std::nullopt;
	return serial.substr(first, serial.find_last_not_of(' ') - first + 1);
}

std::vector<SensorReading> Board::read_sensors()
{
	std::lock_guard lock(mutex_);
	std::vector<SensorReading> out;
	for (auto &s : sensors_) {
		SensorReading r{s->name(), std::nullopt, {}};
		try {
			r.celsius = s->read_celsius();
		} catch (const DeviceError &e) {
			r.error = e.what();
		}
		out.push_back(std::move(r));
	}
	return out;
}

std::vector<FanReading> Board::read_fans()
{
	std::lock_guard lock(mutex_);
	std::vector<FanReading> out;
	for (auto &f : fans_) {
		FanReading r{f->name(), f->duty(), std::nullopt, {}};
		try {
			r.rpm = f->rpm();
		} catch (const DeviceError &e) {
			r.error = e.what();
		}
		out.push_back(std::move(r));
	}
	return out;
}

std::vector<RegulatorReading> Board::read_regulators()
{
	std::lock_guard lock(mutex_);
	std::vector<RegulatorReading> out;
	for (auto &reg : regulators_) {
		RegulatorReading r;
		r.name = reg->name();
		try {
			r.status = reg->status();
			r.vout_mv = reg->vout_mv();
			r.iout_a = reg->iout_a();
		} catch (const DeviceError &e) {
			r.error = e.what();
		}
		out.push_back(std::move(r));
	}
	return out;
}

bool Board::set_fan_loop_cap(double duty)
{
	std::lock_guard lock(mutex_);
	bool any = false;
	for (auto &pid : fan_pids_)
		if (pid) {
			pid->set_max_duty(duty);
			any = true;
		}
	return any;
}

void Board::set_fan_duty(double fraction)
{
	std::lock_guard lock(mutex_);
	for (auto &f : fans_) {
		try {
			f->set_duty(fraction);
		} catch (const DeviceError &e) {
			log("fan " + f->name() + ": " + e.what());
		}
	}
}

} // namespace hashboard
