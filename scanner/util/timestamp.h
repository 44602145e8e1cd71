#pragma once
// Timestamps as the Datadog API writes them (RFC 3339 with optional fraction
// and offset, or epoch milliseconds for RUM) and as keysweep stores them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keysweep {

/// Seconds since the epoch, UTC.
using UnixTime = std::int64_t;

/// Parses "2024-01-31T12:00:00.123456+00:00", "...Z", or a bare "2024-01-31".
std::optional<UnixTime> parse_timestamp(std::string_view text);

/// "2024-01-31T12:00:00Z".
std::string format_timestamp(UnixTime time);

UnixTime current_time();

}  // namespace keysweep
