// Go's duration and RFC 3339 text forms. Written from the rules of Go's time.ParseDuration and
// Duration.String (src/time/format.go, src/time/time.go), not from their code.
#include "engine/state/go_time.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <utility>

#include "engine/state/text_forms.hpp"

namespace scenario::state {

namespace {

constexpr std::uint64_t max_magnitude = std::uint64_t{1} << 63;  // |int64 min|

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The unit's length in nanoseconds, or 0 when the unit is not one Go knows.
std::uint64_t unit_nanoseconds(std::string_view unit) {
  static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
      {"\xCE\xBCs", 1'000},  // U+03BC Greek small letter mu
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000}};
  for (const auto& [name, ns] : units)
    if (unit == name) return ns;
  return 0;
}

// Digits of `v` after the decimal point for `prec` places, trailing zeros dropped; the rest of v.
std::pair<std::string, std::uint64_t> fraction(std::uint64_t v, int prec) {
  std::string digits;
  bool printing = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = static_cast<char>('0' + v % 10);
    printing = printing || digit != '0';
    if (printing) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (!digits.empty()) digits.insert(digits.begin(), '.');
  return {digits, v};
}

}  // namespace

std::optional<std::int64_t> parse_go_duration_ns(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  std::uint64_t total = 0;
  while (!s.empty()) {
    // The integer part: digits, possibly none (".5s" is valid).
    std::size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    const std::string_view whole = s.substr(0, n);
    s.remove_prefix(n);
    std::string_view frac;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      n = 0;
      while (n < s.size() && is_digit(s[n])) ++n;
      frac = s.substr(0, n);
      s.remove_prefix(n);
    }
    if (whole.empty() && frac.empty()) return std::nullopt;  // no digits at all: ".s", "s"
    // The unit: everything up to the next digit or '.', so "1..5s" has an empty unit.
    n = 0;
    while (n < s.size() && s[n] != '.' && !is_digit(s[n])) ++n;
    const std::uint64_t unit = unit_nanoseconds(s.substr(0, n));
    if (unit == 0) return std::nullopt;
    s.remove_prefix(n);
    std::uint64_t v = 0;
    for (char c : whole) {
      if (v > max_magnitude / 10) return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
      if (v > max_magnitude) return std::nullopt;
    }
    if (v > max_magnitude / unit) return std::nullopt;
    v *= unit;
    // The fraction as Go takes it: digits as an integer f over 10^k (digits past what f can
    // hold are dropped), then f * (unit / 10^k) truncated to the nanosecond.
    std::uint64_t f = 0;
    double scale = 1;
    bool overflowed = false;
    for (char c : frac) {
      if (overflowed) continue;
      if (f > (std::numeric_limits<std::int64_t>::max() - 9) / 10) {
        overflowed = true;
        continue;
      }
      f = f * 10 + static_cast<std::uint64_t>(c - '0');
      scale *= 10;
    }
    v += static_cast<std::uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
    if (v > max_magnitude) return std::nullopt;
    total += v;
    if (total > max_magnitude) return std::nullopt;
  }
  if (negative) return total == max_magnitude ? std::numeric_limits<std::int64_t>::min()
                                              : -static_cast<std::int64_t>(total);
  if (total == max_magnitude) return std::nullopt;
  return static_cast<std::int64_t>(total);
}

std::optional<double> parse_go_duration(std::string_view text) {
  auto ns = parse_go_duration_ns(text);
  if (!ns) return std::nullopt;
  return static_cast<double>(*ns) / 1e9;
}

std::string format_go_duration_ns(std::int64_t d) {
  if (d == 0) return "0s";
  const bool negative = d < 0;
  std::uint64_t u = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(d) : static_cast<std::uint64_t>(d);
  std::string out;
  if (u < 1'000'000'000) {
    // Below a second: the largest of ns, µs, ms that keeps the whole part non-zero.
    if (u < 1'000) {
      out = std::to_string(u) + "ns";
    } else if (u < 1'000'000) {
      auto [frac, rest] = fraction(u, 3);
      out = std::to_string(rest) + frac + "\xC2\xB5s";
    } else {
      auto [frac, rest] = fraction(u, 6);
      out = std::to_string(rest) + frac + "ms";
    }
  } else {
    auto [frac, rest] = fraction(u, 9);
    out = std::to_string(rest % 60) + frac + "s";
    rest /= 60;
    if (rest > 0) {
      out = std::to_string(rest % 60) + "m" + out;
      rest /= 60;
      if (rest > 0) out = std::to_string(rest) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

std::string format_go_duration(double seconds) {
  const double ns = std::round(seconds * 1e9);
  if (ns >= 9.2e18) return format_go_duration_ns(std::numeric_limits<std::int64_t>::max());
  if (ns <= -9.2e18) return format_go_duration_ns(std::numeric_limits<std::int64_t>::min());
  return format_go_duration_ns(static_cast<std::int64_t>(ns));
}

std::string format_rfc3339_utc(std::int64_t unix_seconds, std::string_view fraction) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf.data()) + std::string(fraction) + "Z";
}

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - secs).count();
  std::string fraction = std::to_string(nanos);
  fraction.insert(0, 9 - fraction.size(), '0');
  return format_rfc3339_utc(secs.time_since_epoch().count(), "." + fraction);
}

std::optional<rfc3339_time> parse_rfc3339(std::string_view text, bool zone_required) {
  const auto parts = split_rfc3339(text, zone_required);
  if (!parts) return std::nullopt;
  // Every field is a short run of digits, so std::stoi cannot fail on it.
  const auto number = [](std::string_view digits) { return std::stoi(std::string(digits)); };
  std::tm tm{};
  tm.tm_year = number(parts->year) - 1900;
  tm.tm_mon = number(parts->month) - 1;
  tm.tm_mday = number(parts->day);
  tm.tm_hour = number(parts->hour);
  tm.tm_min = number(parts->minute);
  tm.tm_sec = number(parts->second);
  const bool in_range = tm.tm_mon >= 0 && tm.tm_mon < 12 && tm.tm_mday >= 1 && tm.tm_mday <= 31 &&
                        tm.tm_hour < 24 && tm.tm_min < 60 && tm.tm_sec < 60;
  if (!in_range) return std::nullopt;
  rfc3339_time out;
  out.unix_seconds = timegm(&tm);
  const std::string_view zone = parts->zone;
  if (!zone.empty() && zone != "Z") {
    const int offset = (number(zone.substr(1, 2)) * 60 + number(zone.substr(4, 2))) * 60;
    out.unix_seconds -= zone[0] == '+' ? offset : -offset;
  }
  out.fraction = std::string(parts->fraction);
  while (!out.fraction.empty() && out.fraction.back() == '0') out.fraction.pop_back();
  if (out.fraction == ".") out.fraction.clear();
  return out;
}

}  // namespace scenario::state
