// Go's time text forms, in one place for Pebble and the hook tools: durations as
// time.ParseDuration reads and Duration.String writes them, and RFC 3339 times (Go's
// src/time/format.go and time.go).
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

// ---- RFC 3339 ------------------------------------------------------------------------------

// A Unix time in UTC as "2006-01-02T15:04:05<fraction>Z"; `fraction` keeps its dot (".5") or is
// empty.
std::string format_rfc3339_utc(std::int64_t unix_seconds, std::string_view fraction = "");

// The current time with nanoseconds, in UTC, as Pebble writes timestamps.
std::string now_rfc3339();

// A time in split_rfc3339's forms (no zone means UTC): its Unix seconds and its fraction, with
// the dot and without trailing zeros ("" for none). nullopt when a field is out of range.
struct rfc3339_time {
  std::int64_t unix_seconds = 0;
  std::string fraction;
};
std::optional<rfc3339_time> parse_rfc3339(std::string_view text, bool zone_required);

}  // namespace scenario::state
