// SPDX-License-Identifier: MIT
// One pool job as the miner works it: the notify, bound to the extranonce1, extranonce2
// size and version mask in force when it arrived, with its own share target (the
// difficulty in force when it arrived: docs/stratum.md, "Difficulty").
#pragma once

#include <hashboard/job_builder.hpp>
#include <hashboard/target.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hashboardd::stratum {

struct Job {
	hashboard::StratumNotify notify;
	hashboard::JobBuilder builder;
	double difficulty = 1;
	hashboard::U256 target;   // target_from_difficulty(difficulty)
	std::uint64_t serial = 0; // unique for the Session's life, in arrival order
	// The pool session it belongs to: a new one starts when a subscribe is not resumed;
	// a job of an earlier epoch is stale.
	std::uint64_t epoch = 0;
	std::string extranonce1;
};

using JobPtr = std::shared_ptr<const Job>;

} // namespace hashboardd::stratum
