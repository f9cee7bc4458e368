// SPDX-License-Identifier: MIT
//
// What a station run found: one verdict per step with its measured value and threshold,
// one row per chip, and for each failure where a repair technician should look.
#pragma once

#include <station/plan.hpp>

#include <hashboard/board/chain_layout.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace station {

enum class Verdict { pass, fail, skipped };
std::string_view verdict_name(Verdict verdict);

// Where to look and why, for one failure.
struct Finding {
	std::string what;                 // "chip 7 answers 3 of 41 expected nonces"
	std::optional<unsigned> chain;    // the chain, when the failure is on one
	std::optional<unsigned> position; // the chip
	std::string domain;               // its voltage domain, "" when none
	std::string device;               // regulator, sensor or fan
	std::string cause;                // the likely cause and what to check
};

struct StepResult {
	StepKind kind = StepKind::supply;
	std::string name;
	Verdict verdict = Verdict::skipped;
	std::string measured;  // "1250.0 mV (worst rail0)"
	std::string threshold; // "within 25 mV of the set point"
	std::string note;      // why skipped, or what the step did
	double seconds = 0;    // board time the step took
	std::vector<Finding> findings;
};

struct ChipResult {
	unsigned chain = 0;
	unsigned position = 0;
	std::string domain;
	bool answered = false;
	double freq_mhz = 0;
	std::optional<std::uint64_t> valid; // set once the pattern test ran
	std::uint64_t hw_errors = 0;
	double expected = 0;               // valid nonces a healthy chip gives in the pattern run
	double min_valid = 0;              // the threshold below which it fails
	unsigned cores_seen = 0;           // cores that found at least one valid nonce
	unsigned cores = 0;                // the family's
	std::optional<double> chip_hashes; // its own counter over the run
	double host_hashes = 0;            // credited by the host
	Verdict verdict = Verdict::skipped;
	std::string reason; // "" when it passed
	double hw_error_rate() const
	{
		const double n = double(valid.value_or(0) + hw_errors);
		return n > 0 ? double(hw_errors) / n : 0.0;
	}
};

// A voltage domain's share of the pattern run: a weak domain (low voltage, a hot corner)
// shows as several slow chips together.
struct DomainResult {
	std::string name; // "" for the chips of a chain no [[domain]] names
	unsigned chain = 0;
	unsigned chips = 0;
	unsigned failed = 0;
	double valid = 0;
	double expected = 0;
	double ghs = 0;         // hashes the valid nonces stand for, per second
	double nominal_ghs = 0; // the chips' nominal rate at their frequencies
};

struct ChainSummary {
	unsigned id = 0;
	std::string family;
	unsigned expected_chips = 0;
	unsigned found = 0;
	unsigned ticket_log2 = 0;
	// Where each chip sits on the board (by position), from the board file's
	// [chain.layout]; empty when it has none (reports draw chain order).
	unsigned columns = 0;
	unsigned rows = 0;
	std::vector<hashboard::ChipCell> cells;
};

struct RunResult {
	std::string serial;
	std::string board;      // the board file's name
	std::string board_file; // its path
	std::string plan;
	std::string started_utc; // ISO 8601
	bool simulated = false;
	double board_seconds = 0; // board time the whole run took
	Verdict verdict = Verdict::fail;
	std::vector<StepResult> steps;
	std::vector<ChainSummary> chains;
	std::vector<ChipResult> chips;     // chain order, then position
	std::vector<DomainResult> domains; // from the pattern run, in chain order
};

} // namespace station
