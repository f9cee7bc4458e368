// SPDX-License-Identifier: MIT
// The simulated board: twins for every device of a board file, wired as on the board.
#include "sim_board_parts.hpp"
#include "twins/sim_chain_config.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

namespace hashboard {
namespace {

// The regulators that feed a chain: those of its domains; every regulator when no
// domain names the chain (a single-rail board needs no [[domain]]).
std::vector<std::string> rails_of(const BoardConfig &config, unsigned chain_id)
{
	std::vector<std::string> out;
	for (const auto &d : config.domains)
		if (d.chain == chain_id &&
		    std::find(out.begin(), out.end(), d.regulator) == out.end())
			out.push_back(d.regulator);
	if (out.empty())
		for (const auto &r : config.regulators)
			out.push_back(r.name);
	return out;
}

} // namespace

hbsim::SimChainConfig board_sim_chain_config(const BoardConfig &config, const ChainSpec &spec)
{
	hbsim::SimChainConfig c;
	c.family = std::string(spec.family->name);
	c.chips = spec.chips;
	c.zero_bits = config.sim.zero_bits;
	// Each chain its own process variation and its own nonces.
	c.seed = config.sim.seed.value_or(c.seed) + 7919 * std::uint64_t(spec.id);
	c.temperature_c = config.sim.thermal.ambient_c;
	if (const auto rails = rails_of(config, spec.id); !rails.empty())
		c.voltage_mv = config.regulator(rails.front()).default_mv;
	for (const auto &f : config.sim.faults) {
		if (f.chain != spec.id)
			continue;
		switch (f.type) {
		case SimFaultType::dead_chip:
			c.faults.dead_chip = f.position;
			break;
		case SimFaultType::mute_chip:
			c.faults.mute_chip = f.position;
			break;
		case SimFaultType::bit_errors:
			c.faults.bit_error_rate = f.value;
			break;
		case SimFaultType::freq_limit:
			c.freq_limit_mhz = f.value;
			break;
		case SimFaultType::dead_cores:
			c.faults.dead_cores.push_back({f.position, unsigned(f.value)});
			break;
		default:
			break;
		}
	}
	const SimPhysics &ph = config.sim.physics;
	hbsim::ProcessSpec p;
	for (const auto &f : config.sim.faults)
		if (f.chain == spec.id && f.type == SimFaultType::weak_chip)
			p.error_floors.push_back({f.position, f.value});
	p.spread = ph.process_spread;
	p.weak_chips = ph.weak_chips;
	p.weak_speed = ph.weak_speed;
	p.dyn_w_per_mhz_v2 = config.sim.chip_w_per_mhz_v2;
	p.leak_w = ph.leak_w;
	p.fault_limit_mhz = c.freq_limit_mhz;
	p.fault_slope = c.error_slope;
	c.physics = std::make_shared<hbsim::ProcessPhysics>(c.family, p, c.seed, c.chips);
	return c;
}

std::shared_ptr<const hbsim::ProcessPhysics> board_chain_physics(const BoardConfig &config,
                                                                 const ChainSpec &spec)
{
	return std::dynamic_pointer_cast<const hbsim::ProcessPhysics>(
	    board_sim_chain_config(config, spec).physics);
}

std::vector<std::string> chip_rails(const BoardConfig &config, const ChainSpec &spec)
{
	const auto rails = rails_of(config, spec.id);
	std::vector<std::string> out(spec.chips, rails.empty() ? std::string() : rails.front());
	for (const auto &d : config.domains)
		if (d.chain == spec.id)
			for (const auto &r : d.chips)
				for (unsigned p = r.first; p <= r.last && p < spec.chips; ++p)
					out[p] = d.regulator;
	return out;
}

struct SimDeviceFactory::Impl final : simboard::Wiring {
	Impl(const BoardConfig &c, const Clock &clk)
	    : config(c), clock(clk), created(clk.now()),
	      thermal(std::make_shared<SimThermalModel>(clk, c.sim.thermal))
	{
		for (const auto &f : config.sim.faults)
			if (f.type == SimFaultType::fan_stall ||
			    f.type == SimFaultType::sensor_failure ||
			    f.type == SimFaultType::regulator_fault ||
			    f.type == SimFaultType::vout_droop)
				pending.push_back(f);
		// What each chain's power and each regulator's load depend on, found once: a
		// link asks on every read and write, so a scan of every domain there made a
		// board's cost grow with the square of its chains.
		for (const auto &g : config.gpios)
			if (g.role == GpioRole::power_enable)
				power_enables.push_back(g.name);
		for (const auto &chain : config.chains)
			chain_rails[chain.id] = rails_of(config, chain.id);
		for (const auto &d : config.domains)
			for (const auto &r : d.chips)
				regulator_chips[d.regulator].push_back({d.chain, r});
		for (const auto &chain : config.chains)
			if (std::none_of(config.domains.begin(), config.domains.end(),
			                 [&](const DomainSpec &d) { return d.chain == chain.id; }))
				shared_chains.emplace_back(chain.id, chain.chips);
	}

	const BoardConfig config;
	const Clock &clock;
	const Duration created;
	std::shared_ptr<SimThermalModel> thermal;
	std::map<unsigned, std::shared_ptr<transport::SimTransport>> sims;
	std::map<unsigned, simboard::SimChainLink *> links; // the Board owns them
	std::map<std::string, std::shared_ptr<SimRegulator>, std::less<>> regulators;
	std::map<std::string, std::shared_ptr<SimTemperatureSensor>, std::less<>> sensors;
	std::map<std::string, std::shared_ptr<SimFan>, std::less<>> fans;
	std::map<std::string, std::shared_ptr<SimGpioLine>, std::less<>> gpios;
	std::vector<SimEvent> journal;
	std::map<unsigned, std::vector<FrequencySample>> frequencies;
	std::vector<SimFault> pending;
	std::vector<std::string> power_enables;
	std::map<unsigned, std::vector<std::string>> chain_rails;
	std::map<std::string, std::vector<std::pair<unsigned, ChipRange>>, std::less<>>
	    regulator_chips;
	// Chains no domain names (id, chips): every regulator feeds them.
	std::vector<std::pair<unsigned, unsigned>> shared_chains;
	// What each open chain's chips run under, written here, read by the chips.
	struct ChainConditions {
		std::shared_ptr<hbsim::LiveConditions> live;
		std::vector<std::string> rails; // per chip
		std::optional<Duration> last;
	};
	std::map<unsigned, ChainConditions> conditions;
	// Temperatures move with a time constant of tens of seconds: a second between looks
	// is plenty, and keeps a link's every read from walking every chip.
	static constexpr Duration kConditionsPeriod = std::chrono::seconds(1);

	void refresh_conditions(unsigned chain_id, Duration now, bool force) override
	{
		std::lock_guard lock(mutex());
		const auto it = conditions.find(chain_id);
		if (it == conditions.end())
			return;
		ChainConditions &cc = it->second;
		if (!force && cc.last && now >= *cc.last && now - *cc.last < kConditionsPeriod)
			return;
		cc.last = now;
		const unsigned n = cc.live->chips();
		std::vector<double> mv(n, 0.0);
		std::vector<double> tc(n, 0.0);
		for (unsigned p = 0; p < n; ++p) {
			const auto r = regulators.find(cc.rails[p]);
			mv[p] = r == regulators.end() ? 0.0 : r->second->vout_mv();
			// Chain order is airflow order: the first chip sits at the inlet.
			tc[p] =
			    thermal->chip_temperature_c(n > 1 ? double(p) / double(n - 1) : 0.5);
		}
		for (unsigned p = 0; p < n; ++p)
			cc.live->set(p, mv[p], tc[p]);
	}

	void voltage_changed() override
	{
		std::lock_guard lock(mutex());
		for (const auto &[id, cc] : conditions)
			refresh_conditions(id, clock.now(), true);
	}

	bool rails_up(unsigned chain_id) const override
	{
		std::lock_guard lock(mutex());
		for (const auto &name : power_enables) {
			const auto it = gpios.find(name);
			if (it == gpios.end() || !it->second->is_active())
				return false;
		}
		const auto rails = chain_rails.find(chain_id);
		for (const auto &name :
		     rails != chain_rails.end() ? rails->second : rails_of(config, chain_id)) {
			const auto it = regulators.find(name);
			if (it == regulators.end() || !it->second->status().power_good)
				return false;
		}
		return true;
	}

	void record(const std::string &device, const std::string &what) override
	{
		record_at(clock.now(), device, what);
	}

	void record_at(Duration t, const std::string &device, const std::string &what) override
	{
		std::lock_guard lock(mutex());
		journal.push_back({t, device, what});
	}

	void record_frequency(unsigned chain_id, const FrequencySample &sample) override
	{
		std::lock_guard lock(mutex());
		frequencies[chain_id].push_back(sample);
	}

	void detach(unsigned chain_id) override
	{
		std::lock_guard lock(mutex());
		links.erase(chain_id);
	}

	// Amps a regulator delivers at vout: the power of the chips it feeds (C V^2 f plus
	// leakage at their temperature, by the chips' physics) over V.
	double load_amps(const std::string &regulator, double vout_mv) const
	{
		std::lock_guard lock(mutex());
		if (vout_mv <= 0)
			return 0.0;
		double watts = 0;
		const auto add_chip = [&](unsigned chain_id, unsigned pos) {
			const auto it = sims.find(chain_id);
			if (it != sims.end() && pos < it->second->chain().chip_count())
				watts += it->second->chain().chip_power_w(pos, vout_mv);
		};
		if (const auto it = regulator_chips.find(regulator); it != regulator_chips.end()) {
			for (const auto &[chain_id, r] : it->second)
				for (unsigned p = r.first; p <= r.last; ++p)
					add_chip(chain_id, p);
		} else {
			// Chains without a domain share every regulator equally.
			for (const auto &[id, chips] : shared_chains)
				for (unsigned p = 0; p < chips; ++p)
					add_chip(id, p);
			watts /= double(std::max<std::size_t>(1, config.regulators.size()));
		}
		return watts / (vout_mv / 1000.0);
	}

	void apply(const SimFault &f)
	{
		switch (f.type) {
		case SimFaultType::fan_stall:
			fans.at(f.device)->inject_stall(true);
			break;
		case SimFaultType::sensor_failure:
			sensors.at(f.device)->inject_failure(true);
			break;
		case SimFaultType::regulator_fault:
			regulators.at(f.device)->inject_fault(f.fault);
			break;
		case SimFaultType::vout_droop:
			regulators.at(f.device)->inject_droop_mv(f.value);
			voltage_changed();
			break;
		default:
			return;
		}
		record("fault:" + f.device, std::string(sim_fault_type_name(f.type)) +
		                                (f.fault.empty() ? "" : " " + f.fault));
	}

	template <typename Map> static auto &find(Map &map, std::string_view name, const char *kind)
	{
		const auto it = map.find(name);
		if (it == map.end())
			throw std::invalid_argument(std::string("simulated board has no ") + kind +
			                            " '" + std::string(name) + "'");
		return *it->second;
	}
};

SimDeviceFactory::SimDeviceFactory(const BoardConfig &config, const Clock &clock)
    : impl_(std::make_unique<Impl>(config, clock))
{
}

SimDeviceFactory::~SimDeviceFactory() = default;

ChainLink SimDeviceFactory::open_chain(const ChainSpec &spec, Clock &clock)
{
	Impl &s = *impl_;
	hbsim::SimChainConfig c = board_sim_chain_config(s.config, spec);
	auto live =
	    std::make_shared<hbsim::LiveConditions>(c.chips, 0.0, s.config.sim.thermal.ambient_c);
	c.conditions = live;
	// The chain's clock, not the factory's: in a parallel phase it is the chain's own
	// timeline, and the chips, their frequency history and the link's journal entries
	// must all keep that time.
	auto sim = std::make_shared<transport::SimTransport>(std::move(c), clock);
	const bool broken = std::any_of(
	    s.config.sim.faults.begin(), s.config.sim.faults.end(), [&](const SimFault &f) {
		    return f.type == SimFaultType::broken_link && f.chain == spec.id;
	    });
	auto link = std::make_unique<simboard::SimChainLink>(sim, spec.id, clock, s, broken);
	std::lock_guard lock(s.mutex());
	s.sims[spec.id] = sim;
	s.links[spec.id] = link.get();
	s.conditions[spec.id] = {live, chip_rails(s.config, spec), std::nullopt};
	s.refresh_conditions(spec.id, clock.now(), true);
	return ChainLink{std::move(link), s.config.sim.zero_bits};
}

std::shared_ptr<Regulator> SimDeviceFactory::make_regulator(const RegulatorSpec &spec)
{
	Impl &s = *impl_;
	const std::string name = spec.name;
	Impl *impl = impl_.get();
	auto twin = std::make_shared<SimRegulator>(
	    spec.name, spec.vout, spec.vin_v.value_or(s.config.sim.vin_v),
	    [impl, name](double vout_mv) { return impl->load_amps(name, vout_mv); });
	s.regulators[spec.name] = twin;
	SimRegulator *raw = twin.get();
	s.thermal->set_power_source("regulator:" + spec.name,
	                            [raw] { return raw->output_power_w(); });
	return std::make_shared<simboard::JournaledRegulator>(twin, s);
}

std::shared_ptr<TemperatureSensor> SimDeviceFactory::make_sensor(const SensorSpec &spec)
{
	auto twin =
	    std::make_shared<SimTemperatureSensor>(spec.name, impl_->thermal, spec.sim_offset_c);
	impl_->sensors[spec.name] = twin;
	return twin;
}

std::shared_ptr<Fan> SimDeviceFactory::make_fan(const FanSpec &spec)
{
	auto twin = std::make_shared<SimFan>(spec.name, spec.max_rpm,
	                                     impl_->config.sim.physics.fan_noise_db);
	impl_->fans[spec.name] = twin;
	SimFan *raw = twin.get();
	impl_->thermal->set_airflow_source("fan:" + spec.name, [raw] { return raw->airflow(); });
	return twin;
}

std::shared_ptr<GpioLine> SimDeviceFactory::make_gpio(const GpioSpec &spec)
{
	Impl *s = impl_.get();
	bool initial = false;
	if (spec.role == GpioRole::plug_detect)
		initial = std::none_of(s->config.sim.faults.begin(), s->config.sim.faults.end(),
		                       [&](const SimFault &f) {
			                       return f.type == SimFaultType::unplugged &&
			                              spec.serves(f.chain);
		                       });
	const GpioSpec g = spec;
	auto twin = std::make_shared<SimGpioLine>(spec.name, initial, [s, g](bool active) {
		std::lock_guard lock(s->mutex());
		s->record("gpio:" + g.name, active ? "active" : "inactive");
		if (g.role != GpioRole::reset)
			return;
		// Copy: a link may detach while another is being driven.
		const auto links = s->links;
		for (const auto &[id, link] : links)
			if (g.serves(id))
				link->set_line(active);
	});
	s->gpios[spec.name] = twin;
	return twin;
}

std::shared_ptr<Eeprom> SimDeviceFactory::make_eeprom(const EepromSpec &spec)
{
	return std::make_shared<SimEeprom>(spec.serial_offset, impl_->config.sim.serial);
}

void SimDeviceFactory::update(Duration now)
{
	Impl &s = *impl_;
	for (auto it = s.pending.begin(); it != s.pending.end();) {
		if (s.created + it->at <= now) {
			s.apply(*it);
			it = s.pending.erase(it);
		} else {
			++it;
		}
	}
	std::lock_guard lock(s.mutex());
	for (const auto &[id, cc] : s.conditions)
		s.refresh_conditions(id, now, false);
}

double SimDeviceFactory::noise_db() const
{
	// Incoherent sources add as powers.
	double sum = 0;
	for (const auto &[name, fan] : impl_->fans)
		if (const double db = fan->noise_db(); db > 0)
			sum += std::pow(10.0, db / 10.0);
	return sum > 0 ? 10.0 * std::log10(sum) : 0.0;
}

void SimDeviceFactory::set_ambient_c(double celsius)
{
	Impl &s = *impl_;
	std::lock_guard lock(s.mutex());
	s.thermal->set_ambient_c(celsius);
	for (const auto &[id, cc] : s.conditions)
		s.refresh_conditions(id, s.clock.now(), true);
}

double SimDeviceFactory::chip_temperature_c(unsigned chain_id, unsigned position) const
{
	return sim_chain(chain_id).chip_conditions(position).temperature_c;
}

double SimDeviceFactory::chip_voltage_mv(unsigned chain_id, unsigned position) const
{
	return sim_chain(chain_id).chip_conditions(position).voltage_mv;
}

double SimDeviceFactory::chip_power_w(unsigned chain_id, unsigned position) const
{
	const hbsim::SimChain &chain = sim_chain(chain_id);
	return chain.chip_power_w(position, chain.chip_conditions(position).voltage_mv);
}

double SimDeviceFactory::chip_wrong_nonce_probability(unsigned chain_id, unsigned position) const
{
	const hbsim::SimChain &chain = sim_chain(chain_id);
	return chain.config().physics->wrong_nonce_probability(chain.chip_conditions(position));
}

const hbsim::SimChain &SimDeviceFactory::sim_chain(unsigned chain_id) const
{
	const auto it = impl_->sims.find(chain_id);
	if (it == impl_->sims.end())
		throw std::invalid_argument("simulated board has no chain " +
		                            std::to_string(chain_id));
	return it->second->chain();
}

SimThermalModel &SimDeviceFactory::thermal()
{
	return *impl_->thermal;
}

SimRegulator &SimDeviceFactory::regulator(std::string_view name)
{
	return Impl::find(impl_->regulators, name, "regulator");
}

SimTemperatureSensor &SimDeviceFactory::sensor(std::string_view name)
{
	return Impl::find(impl_->sensors, name, "sensor");
}

SimFan &SimDeviceFactory::fan(std::string_view name)
{
	return Impl::find(impl_->fans, name, "fan");
}

SimGpioLine &SimDeviceFactory::gpio(std::string_view name)
{
	return Impl::find(impl_->gpios, name, "gpio line");
}

double SimDeviceFactory::chip_frequency_mhz(unsigned chain_id, unsigned position) const
{
	return sim_chain(chain_id).chip(position).freq_mhz;
}

bool SimDeviceFactory::chain_powered(unsigned chain_id) const
{
	return impl_->rails_up(chain_id);
}

bool SimDeviceFactory::chain_in_reset(unsigned chain_id) const
{
	const auto it = impl_->links.find(chain_id);
	if (it == impl_->links.end())
		throw std::invalid_argument("simulated board has no open chain " +
		                            std::to_string(chain_id));
	return it->second->in_reset();
}

const std::vector<SimEvent> &SimDeviceFactory::journal() const
{
	return impl_->journal;
}

const std::vector<FrequencySample> &SimDeviceFactory::frequency_history(unsigned chain_id) const
{
	static const std::vector<FrequencySample> kNone;
	const auto it = impl_->frequencies.find(chain_id);
	return it == impl_->frequencies.end() ? kNone : it->second;
}

} // namespace hashboard
