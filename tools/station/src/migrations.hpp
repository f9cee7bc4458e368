// SPDX-License-Identifier: MIT
//
// The results schema's numbered migrations, one list for both back ends (the SQLite
// store and the PostgreSQL sink): step N takes version N-1 to N, in each engine's types.
// A released step is never edited; a change is a new step.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace station::detail {

enum class SqlDialect { sqlite, postgres };

// Step n (1 .. kStoreSchemaVersion) in the dialect's types.
std::string migration_sql(int n, SqlDialect dialect);

// From version to target: a database newer than target is refused (StoreError, who
// naming the back end); otherwise apply(n, sql) for each step after version. Returns
// target.
int walk_migrations(int version, int target, SqlDialect dialect, std::string_view who,
                    const std::function<void(int n, const std::string &sql)> &apply);

} // namespace station::detail
