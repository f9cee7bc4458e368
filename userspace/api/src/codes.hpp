// SPDX-License-Identifier: MIT
//
// cgminer's STATUS codes (api.c's MSG_* numbers, listed in shared/reference/
// cgminer-api.md and docs/api.md): clients match on them, so each keeps cgminer's
// number. Codes of our own (logon) sit above cgminer's range, which ends at 136.
#pragma once

namespace hashboardd::api::code {

inline constexpr int kPool = 7;
inline constexpr int kNoPool = 8;
inline constexpr int kDevs = 9;
inline constexpr int kNoDevs = 10;
inline constexpr int kSummary = 11;
inline constexpr int kInvalidCommand = 14;
inline constexpr int kVersion = 22;
inline constexpr int kInvalidJson = 23;
inline constexpr int kMissingJson = 24;
inline constexpr int kMissingPoolId = 25;
inline constexpr int kInvalidPoolId = 26;
inline constexpr int kSwitchPool = 27;
inline constexpr int kMineConfig = 33;
inline constexpr int kAccessDenied = 45;
inline constexpr int kAccessOk = 46;
inline constexpr int kEnablePool = 47;
inline constexpr int kDisablePool = 48;
inline constexpr int kMissingPoolDetails = 52;
inline constexpr int kInvalidPoolDetails = 53;
inline constexpr int kAddPool = 55;
inline constexpr int kRemovePool = 68;
inline constexpr int kDevDetails = 69;
inline constexpr int kMineStats = 70;
inline constexpr int kMissingCheck = 71;
inline constexpr int kCheck = 72;
inline constexpr int kMineCoin = 78;
inline constexpr int kInvalidAsc = 107;
inline constexpr int kMissingAscOption = 116;
inline constexpr int kAscSetInfo = 118;
inline constexpr int kAscSetOk = 119;
inline constexpr int kAscSetError = 120;
inline constexpr int kLcd = 125;
inline constexpr int kPoolSetError = 132;
// hashboardd's own.
inline constexpr int kLogon = 300;
inline constexpr int kLogoff = 301;
inline constexpr int kNoSession = 302;
// A request the server cut off: too long or too slow.
inline constexpr int kRequestRefused = 303;
// A DaemonControl call failed in a way it does not document (not a ControlError).
inline constexpr int kInternal = 304;

} // namespace hashboardd::api::code
