// SPDX-License-Identifier: MIT
// Boost.JSON compiled into the fuzz tree (header-only mode), instrumented like the rest.
#include <boost/json/src.hpp>
