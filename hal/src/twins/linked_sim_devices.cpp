// SPDX-License-Identifier: MIT
#include <hashboard/board/linked_sim_devices.hpp>

#include <hashboard/transport.hpp>

namespace hashboard {

// The Board owns the link; this view of it keeps the factory's list of resettable
// links true for exactly as long as the link is open.
class LinkedSimDevices::TrackedLink final : public Transport {
public:
	TrackedLink(std::unique_ptr<Transport> inner, unsigned chain_id,
	            std::map<unsigned, Transport *> &registry)
	    : inner_(std::move(inner)), id_(chain_id), registry_(registry)
	{
		if (inner_->has_reset())
			registry_[id_] = inner_.get();
	}
	~TrackedLink() override { registry_.erase(id_); }

	void write(ByteSpan data) override { inner_->write(data); }
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		return inner_->read(buf, timeout);
	}
	void set_baud(std::uint32_t baud) override { inner_->set_baud(baud); }
	std::uint32_t baud() const override { return inner_->baud(); }
	void flush_input() override { inner_->flush_input(); }
	bool has_reset() const override { return inner_->has_reset(); }
	void set_reset(bool asserted) override { inner_->set_reset(asserted); }
	std::string describe() const override { return inner_->describe(); }
	int readable_fd() const override { return inner_->readable_fd(); }

private:
	std::unique_ptr<Transport> inner_;
	unsigned id_;
	std::map<unsigned, Transport *> &registry_;
};

// The twin of a reset line, passing its level on to the links it serves. The list of
// links changes only while the Board is built and destroyed, never while its watchdog
// thread may trip it (and so drive this line).
class LinkedSimDevices::ResetLine final : public hashboard::GpioLine {
public:
	ResetLine(std::shared_ptr<hashboard::GpioLine> twin, hashboard::GpioSpec spec,
	          const std::map<unsigned, Transport *> &links)
	    : twin_(std::move(twin)), spec_(std::move(spec)), links_(links)
	{
	}
	const std::string &name() const override { return twin_->name(); }
	bool is_active() override { return twin_->is_active(); }
	void set_active(bool active) override
	{
		twin_->set_active(active);
		for (const auto &[id, link] : links_) {
			if (!spec_.serves(id))
				continue;
			try {
				link->set_reset(active);
			} catch (const std::exception &e) {
				// The Board handles a line that fails as a device that fails.
				throw hashboard::DeviceError("gpio " + spec_.name + ": chain " +
				                             std::to_string(id) +
				                             " reset: " + e.what());
			}
		}
	}

private:
	std::shared_ptr<hashboard::GpioLine> twin_;
	hashboard::GpioSpec spec_;
	const std::map<unsigned, Transport *> &links_;
};

LinkedSimDevices::LinkedSimDevices(const hashboard::BoardConfig &config,
                                   const hashboard::Clock &clock)
    : twins_(config, clock), links_(hashboard::make_hardware_device_factory(config, clock))
{
}

LinkedSimDevices::~LinkedSimDevices() = default;

hashboard::ChainLink LinkedSimDevices::open_chain(const hashboard::ChainSpec &spec,
                                                  hashboard::Clock &clock)
{
	// In-process chains belong to the twins, whose own reset and rails gate them.
	if (spec.transport == hashboard::kSimTransport)
		return twins_.open_chain(spec, clock);
	hashboard::ChainLink link = links_->open_chain(spec, clock);
	link.transport =
	    std::make_unique<TrackedLink>(std::move(link.transport), spec.id, resettable_);
	return link;
}

std::shared_ptr<hashboard::GpioLine> LinkedSimDevices::make_gpio(const hashboard::GpioSpec &spec)
{
	auto twin = twins_.make_gpio(spec);
	if (spec.role != hashboard::GpioRole::reset)
		return twin;
	return std::make_shared<ResetLine>(std::move(twin), spec, resettable_);
}

} // namespace hashboard
