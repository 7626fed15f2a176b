// Go's time.Duration text forms, in one place for Pebble and the hook tools: the parser follows
// time.ParseDuration and the formatter Duration.String (Go's src/time/format.go and time.go).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace scenario::state {

// time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or "0", units ns us µs μs ms s m h.
// Nanoseconds; nullopt for malformed text ("1..5s", "5", ".s", "1x") or overflow of int64.
std::optional<std::int64_t> parse_go_duration_ns(std::string_view text);

// The same, in seconds.
std::optional<double> parse_go_duration(std::string_view text);

// Duration.String: "1h2m3.5s", "1m30s", "500ms", "1.5µs", "0s".
std::string format_go_duration_ns(std::int64_t nanoseconds);

// The same for seconds (rounded to the nearest nanosecond, as a Go Duration holds them).
std::string format_go_duration(double seconds);

}  // namespace scenario::state
