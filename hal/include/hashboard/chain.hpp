// SPDX-License-Identifier: MIT
//
// One chip chain behind one Transport: reset, enumeration with break localisation,
// PLL ramps, ticket mask, baud switch, work dispatch, and nonce collection with SHA-256d
// checking and per-chip/per-core attribution. docs/chain.md draws the state machine and
// tables which operation each state allows: any other call throws std::logic_error
// naming the operation and the state.
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bringup_recipe.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/nonce_checker.hpp>
#include <hashboard/target.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

struct ChainConfig {
	const ChipFamily *family = nullptr;
	unsigned expected_chips = 1;
	// Whose bring-up to follow (hashboard/bringup_recipe.hpp).
	BringupStyle style = BringupStyle::open_firmware;
	// Address spacing; 0 takes the recipe's (factory: 2), else the largest power of two
	// with expected_chips * step <= 256 (ESP-Miner's 256 / chips).
	unsigned address_step = 0;
	// UART rate bring_up() raises the chain to; 0 stays at the reset baud.
	std::uint32_t baud = 0;
	// The baud register's other bits, when a board writes them differently from the
	// recipe (S21 Pro 0x01300000 against ESP-Miner's 0x11300000).
	std::optional<std::uint32_t> baud_base;
	// Ticket difficulty 2^k the recipe's 0x14 write sets (every public host: 256).
	unsigned ticket_log2 = 8;
	// 0x10: a board's factory value (S21 Pro 0x1EB5); unset: computed from cores, chips
	// and frequency as open firmware does, and rewritten when frequencies change.
	std::optional<std::uint32_t> hash_counting;
	// Chips per voltage domain on multi-domain chains (0x2C relays, 0x58 at the ends);
	// 0: one domain, nothing written.
	unsigned chips_per_domain = 0;
	// The version mask 0xA4 starts with; the pool's mask replaces it (send_work).
	std::uint32_t version_mask = 0x1FFFE000;
	// Leading zero bits of a ticket-difficulty-1 nonce: 32 on real chips, fewer on a
	// simulator that scales its work down (the hbsim zero_bits setting).
	unsigned zero_bits = kRealChipZeroBits;
	Duration reply_timeout = std::chrono::milliseconds(100);
	Duration reset_hold = std::chrono::milliseconds(100);
	Duration reset_settle = std::chrono::milliseconds(100);
	double ramp_step_mhz = 6.25;
	Duration ramp_interval = std::chrono::milliseconds(100);
	// How many of the most recent jobs a reply may still answer; older ones are stale.
	unsigned live_jobs = 4;
};

struct ChipInfo {
	unsigned position = 0;
	std::uint8_t address = 0;
	std::uint16_t chip_id = 0;
	std::uint8_t core_byte = 0; // bits 15..8 of register 0
	bool answered = false;      // answered a read addressed to it
};

struct ScanResult {
	unsigned expected = 0;
	unsigned broadcast_replies = 0; // replies to the broadcast read of register 0
	std::vector<ChipInfo> chips;    // one per expected position
	// Set when the chain is cut: how many chips (from position 0) answered.
	std::optional<unsigned> break_after;
	std::vector<unsigned> silent_positions; // took no part, though chips after them did
	unsigned wrong_chip_id = 0;             // replies from another family
	unsigned found() const;
	bool ok() const { return !break_after && silent_positions.empty() && wrong_chip_id == 0; }
};

struct NonceIdentity {
	unsigned core;
	unsigned small_core;
	unsigned addr;
};

// NonceVerdict and verdict_name live in nonce_checker.hpp (the replay shares them).

struct NonceEvent {
	NonceVerdict verdict;
	std::optional<unsigned> position; // chip, when the nonce's address is on the chain
	NonceIdentity identity;           // addr: the address field, or the BM1370 counter field
	std::uint8_t job_id;
	unsigned sub_id = 0;                // byte 5: midstate index (BM1397), small core
	std::uint8_t excess_difficulty = 0; // byte 4
	std::uint64_t work_id;
	std::uint32_t nonce;
	std::uint32_t version;
	Hash256 hash{};
	double difficulty = 0; // share difficulty the hash meets (pool scale)
	Duration when{};
};

struct ChipStats {
	std::uint64_t valid = 0;
	std::uint64_t hw_errors = 0;
	std::uint64_t duplicates = 0;
	std::uint64_t stale = 0;
	std::uint64_t unknown_job = 0;
	// Nominal hashes credited: valid nonces * 2^(32 + ticket log2).
	double credited_hashes = 0;
	// Valid nonces by core id, grown to the highest core seen (a few hundred bytes a
	// chip: a board of 480 chips keeps these for its whole run).
	std::vector<std::uint32_t> per_core_valid;
	unsigned cores_seen() const;
};

// What a chip's own counters say (read_chip_counters), to compare with what the host
// counted: a chip that hashes but whose nonces do not arrive shows up here.
struct ChipCounters {
	unsigned position = 0;
	std::optional<double> nominal_hashes; // hash counter x 2^32 (families that have it)
	std::optional<std::uint32_t> nonce_errors;
};

struct ChainStats {
	std::uint64_t replies = 0;
	std::uint64_t unattributed = 0;
	std::uint64_t unexpected_register_replies = 0;
	std::uint64_t jobs_sent = 0;
	// Nonces read during a control operation beyond what the chain holds for the next
	// poll (Chain::kMaxHeldNonces): checked and counted, not handed on.
	std::uint64_t held_dropped = 0;
	bm13xx::ParserStats parser;
};

// off: not enumerated (power-on, held in reset after ramp_down_and_reset, or switched off
// under the chain: power_lost); the host knows no address. enumerated: the chips answered
// enumerate() and have addresses; they take register writes, ramps and a baud switch.
// running: a job has gone out.
enum class ChainState { off, enumerated, running };
std::string_view chain_state_name(ChainState state);

class Chain {
public:
	Chain(Transport &transport, Clock &clock, ChainConfig config);

	const ChainConfig &config() const { return config_; }
	const ChipFamily &family() const { return *config_.family; }
	ChainState state() const { return state_; }

	// Resets the chain (when the transport has a reset line) and runs the family's
	// bring-up recipe up to the PLL ramp: version rolling, chip count, addresses in
	// chain order with a probe of each (break localisation), the configuration writes
	// that make chips hash and report, and the baud where the recipe raises it early.
	// Positions that answered are usable; the rest are reported.
	ScanResult enumerate();
	// The whole recipe: enumerate(), then finish_bring_up(). A chain with no chip
	// answering stops after enumerate().
	ScanResult bring_up(const std::vector<double> &mhz,
	                    const std::function<void(double)> &progress = {});
	// The recipe from the PLL ramp on, after enumerate(): the ramp to each chip's
	// target (one per position), nonce offsets, hash counting number, baud and version
	// mask in the recipe's order.
	void finish_bring_up(const std::vector<double> &mhz,
	                     const std::function<void(double)> &progress = {});
	const BringupRecipe &recipe() const { return *recipe_; }

	// Steps every chip's PLL from its present frequency to mhz, ramp_step_mhz per
	// ramp_interval; progress (mhz reached) goes to the callback. Afterwards the hash
	// counting number follows the new frequency (unless the board fixed it).
	void ramp_frequency(double mhz, const std::function<void(double)> &progress = {});
	// Per-chip targets (one per position; answering chips only), ramped together in
	// steps with addressed PLL writes; progress gets the highest frequency reached.
	void ramp_chip_frequencies(const std::vector<double> &mhz,
	                           const std::function<void(double)> &progress = {});
	// The highest chip frequency (all chips share it after ramp_frequency).
	double frequency_mhz() const { return freq_mhz_; }
	const std::vector<double> &chip_frequencies_mhz() const { return chip_freq_; }

	// Writes the ticket mask to all chips and reads it back from each answering chip;
	// throws OperationalError naming the chips whose read-back differs. On a mining
	// chain a lower ticket is checked from before the write (the chips may use it at
	// once), a higher one from after the read-back (nonces already on the wire met only
	// the old one).
	void set_ticket_difficulty_log2(unsigned k);
	unsigned ticket_difficulty_log2() const { return ticket_log2_; }
	// Nominal SHA-256d per second of the answering chips at their programmed frequencies.
	double nominal_hashes_per_second() const;
	// The smallest ticket difficulty 2^k whose nonce replies fill at most `utilisation`
	// of the chip-to-host wire at `baud` when every answering chip runs at its
	// programmed frequency. Nonces beyond the wire's capacity would be lost on the way.
	unsigned ticket_log2_for_wire(double baud, double utilisation = 0.5) const;

	// Chips first, then the host (to the chips' exact rate); never read back across the
	// switch.
	void set_baud(std::uint32_t baud);

	// The pool's version mask, written to 0xA4 (BM1366+) when it changes; when the
	// chain is off, kept for the next enumerate's version rolling write.
	void set_version_mask(std::uint32_t mask);
	std::uint32_t version_mask() const { return version_mask_; }
	// What 0x10 holds (0 before it is written).
	std::uint32_t hash_counting_number() const { return hcn_; }
	// How often a new job must reach the chips: one hash-counting epoch (the chips run
	// through every rolled version, BM1366+), or the time a BM1397 chip takes to sweep
	// its share of the nonce space over its midstates.
	Duration job_interval() const;
	// Where each position's nonce counter starts (BM1370/68 range attribution).
	std::vector<std::uint32_t> nonce_ranges() const;

	// Register access (hbctl regs, tests). read_register returns one value per chip
	// that answered, keyed by address.
	std::map<std::uint8_t, std::uint32_t> read_register(std::optional<std::uint8_t> address,
	                                                    std::uint8_t reg);
	void write_register(std::optional<std::uint8_t> address, std::uint8_t reg,
	                    std::uint32_t value);
	// Reads each answering chip's hash and nonce-error counters (counted since reset).
	std::vector<ChipCounters> read_chip_counters();

	// Broadcasts a job built from work; returns its job id.
	std::uint8_t send_work(const Work &work);

	// Reads and checks replies for up to timeout, calling sink for every nonce (first
	// those held from a control operation since the last poll).
	void poll(Duration timeout, const std::function<void(const NonceEvent &)> &sink);

	// Nonces held for the next poll (a reader that waits for the link to turn readable
	// polls such a chain at once).
	bool has_held_nonces() const { return !jobs_.held.empty(); }
	static constexpr std::size_t kMaxHeldNonces = 4096;

	const std::vector<ChipInfo> &chips() const { return chips_; }
	const std::vector<ChipStats> &chip_stats() const { return stats_; }
	const ChainStats &stats() const;
	void reset_stats();

	// Ramps every PLL down to the family's reset frequency and holds the chips in reset
	// (when the transport has a reset line): the chain is off again. It switches no
	// power (the Board does). A no-op when the chain is off.
	void ramp_down_and_reset();
	// The chips lost their power, or were reset, outside this chain: the Board after a
	// trip or a failed bring-up. Nothing is sent. The jobs in flight are dropped and the
	// chain is off, as the chips are: nothing but enumerate reaches them again. What
	// the chain last knew (chips, frequencies, counters) stays readable. Any state.
	void power_lost();

private:
	// The operations whose valid states the table in states.cpp (docs/chain.md) gives.
	enum class Operation {
		enumerate,
		bring_up,
		finish_bring_up,
		ramp_frequency,
		ramp_chip_frequencies,
		set_ticket_difficulty_log2,
		ticket_log2_for_wire,
		set_baud,
		set_version_mask,
		job_interval,
		read_register,
		write_register,
		read_chip_counters,
		send_work,
		poll,
		ramp_down_and_reset,
		power_lost,
	};
	// Throws std::logic_error naming the operation, the states it needs and the state
	// the chain is in, unless the table allows it in the present state.
	void require(Operation op) const;
	// Enumeration's steps (enumerate.cpp).
	void begin_enumeration();
	void locate_break();
	// The operations without their guards, for the recipe steps that run them while
	// the chain is still being enumerated (state off).
	std::map<std::uint8_t, std::uint32_t> read_reg(std::optional<std::uint8_t> address,
	                                               std::uint8_t reg);
	void write_reg(std::optional<std::uint8_t> address, std::uint8_t reg, std::uint32_t value);
	void switch_baud(std::uint32_t baud);
	void reset_line();
	void send(const Bytes &frame);
	// Waits until every byte written so far has left the host UART.
	void drain_tx();
	void run_steps(std::size_t from, std::size_t to, const std::vector<double> *mhz,
	               const std::function<void(double)> &progress);
	void run_step(const RecipeStep &step, const std::vector<double> *mhz,
	              const std::function<void(double)> &progress);
	void count_chips(ScanResult &result);
	void assign_addresses();
	void probe_chips();
	void write_broadcast(const RecipeStep &step);
	void write_chip_pass(const RecipeStep &step);
	void write_domain_config(const RecipeStep &step);
	void write_nonce_offsets();
	void write_hash_counting();
	void write_version_rolling(unsigned repeat);
	void ramp(const std::vector<double> &mhz, const std::function<void(double)> &progress);
	std::size_t ramp_step_index() const;
	// How long bytes take on the chain's wire at the present baud.
	Duration wire_time(std::size_t bytes) const;
	// Reads frames into sink until done() says every expected reply is in, or until
	// `timeout` has passed in all: on a mining chain nonces never let the line go quiet.
	void collect(Duration timeout, const std::function<void(const bm13xx::ChipFrame &)> &sink,
	             const std::function<bool()> &done);
	void handle_nonce(const bm13xx::NonceReply &reply,
	                  const std::function<void(const NonceEvent &)> &sink);
	void write_pll(std::optional<std::uint8_t> address, double mhz);

	Transport &transport_;
	Clock &clock_;
	ChainConfig config_;
	ChainState state_ = ChainState::off;
	bm13xx::ReplyParser parser_;
	std::vector<ChipInfo> chips_;
	std::vector<ChipStats> stats_;
	mutable ChainStats chain_stats_;
	double freq_mhz_;
	std::vector<double> chip_freq_; // per position, as programmed
	unsigned ticket_log2_ = 0;
	const BringupRecipe *recipe_;
	ScanResult scan_;
	std::uint32_t version_mask_;
	std::uint32_t hcn_ = 0;
	bool hcn_written_ = false;
	ChipLocator locator_;   // which chip a nonce is from: addresses, 0x0C offsets
	Duration tx_idle_at_{}; // when the last byte written leaves the host UART
	std::uint8_t next_job_id_ = 0;
	// The jobs the chips got (made at first use from config_); enumerate and
	// ramp_down_and_reset clear() it. held: valid nonces that came in while a register
	// read waited for its replies (a ticket change, counters, ascset on a mining chain),
	// checked and counted there and handed to the next poll's sink, so no share is
	// lost to a control operation; bounded by kMaxHeldNonces (the excess counted).
	struct JobTable {
		std::optional<NonceChecker> checker;
		std::vector<NonceEvent> held;
		void clear()
		{
			checker.reset();
			held.clear();
		}
	} jobs_;
};

} // namespace hashboard
