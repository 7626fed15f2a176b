// Follows Go's time.ParseDuration and Duration.String (src/time/format.go, src/time/time.go),
// which Pebble (internals/plan/types.go OptionalDuration, internals/daemon/request.go, api_changes.go) and
// Juju's secret-add/secret-set --expire use.
#include <gtest/gtest.h>

#include <limits>

#include "engine/state/go_time.hpp"

namespace scenario::state {
namespace {

TEST(GoDuration, ParsesWhatGoAccepts) {
  EXPECT_EQ(parse_go_duration_ns("0"), 0);
  EXPECT_EQ(parse_go_duration_ns("-0"), 0);
  EXPECT_EQ(parse_go_duration_ns("5s"), 5'000'000'000);
  EXPECT_EQ(parse_go_duration_ns("1m30s"), 90'000'000'000);
  EXPECT_EQ(parse_go_duration_ns("1h0m0s"), 3'600'000'000'000);
  EXPECT_EQ(parse_go_duration_ns("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(parse_go_duration_ns(".5s"), 500'000'000);
  EXPECT_EQ(parse_go_duration_ns("5.s"), 5'000'000'000);
  EXPECT_EQ(parse_go_duration_ns("250ms"), 250'000'000);
  EXPECT_EQ(parse_go_duration_ns("3us"), 3'000);
  EXPECT_EQ(parse_go_duration_ns("3\xC2\xB5s"), 3'000);  // µs, U+00B5
  EXPECT_EQ(parse_go_duration_ns("3\xCE\xBCs"), 3'000);  // μs, U+03BC
  EXPECT_EQ(parse_go_duration_ns("1.000000001s"), 1'000'000'001);
  EXPECT_EQ(parse_go_duration_ns("-1.5s"), -1'500'000'000);
  EXPECT_EQ(parse_go_duration_ns("+2m"), 120'000'000'000);
  EXPECT_EQ(parse_go_duration_ns("9223372036854775807ns"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_go_duration_ns("-9223372036854775808ns"), std::numeric_limits<std::int64_t>::min());
  EXPECT_DOUBLE_EQ(*parse_go_duration("1m30s"), 90.0);
}

TEST(GoDuration, RefusesWhatGoRefuses) {
  for (const char* bad : {"", "5", "s", ".s", "1..5s", "1.5.s", "1x", "-", "+", "1s5", "5 s",
                          "9223372036854775808ns", "3000000h"})
    EXPECT_FALSE(parse_go_duration_ns(bad)) << bad;
}

TEST(GoDuration, FormatsAsDurationString) {
  EXPECT_EQ(format_go_duration_ns(0), "0s");
  EXPECT_EQ(format_go_duration_ns(1), "1ns");
  EXPECT_EQ(format_go_duration_ns(1'500), "1.5\xC2\xB5s");
  EXPECT_EQ(format_go_duration_ns(500'000'000), "500ms");
  EXPECT_EQ(format_go_duration_ns(90'000'000'000), "1m30s");
  EXPECT_EQ(format_go_duration_ns(3'600'000'000'000), "1h0m0s");
  EXPECT_EQ(format_go_duration_ns(3'723'500'000'000), "1h2m3.5s");
  EXPECT_EQ(format_go_duration_ns(-90'000'000'000), "-1m30s");
  EXPECT_EQ(format_go_duration_ns(std::numeric_limits<std::int64_t>::min()), "-2562047h47m16.854775808s");
  EXPECT_EQ(format_go_duration(90.0), "1m30s");
  EXPECT_EQ(format_go_duration(4.0), "4s");
  EXPECT_EQ(format_go_duration(0.25), "250ms");
}

TEST(Rfc3339, ParsesIntoUtcSecondsAndFraction) {
  auto t = parse_rfc3339("2024-01-02T03:04:05.500+01:30", true);
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339_utc(t->unix_seconds, t->fraction), "2024-01-02T01:34:05.5Z");
  t = parse_rfc3339("1970-01-01T00:01:00", false);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->unix_seconds, 60);
  EXPECT_EQ(t->fraction, "");
  EXPECT_FALSE(parse_rfc3339("1970-01-01T00:01:00", true));
  EXPECT_FALSE(parse_rfc3339("2024-13-01T00:00:00Z", true));
}

TEST(Rfc3339, NowHasNanoseconds) {
  const std::string now = now_rfc3339();
  ASSERT_EQ(now.size(), std::string("2024-01-02T03:04:05.123456789Z").size());
  EXPECT_TRUE(parse_rfc3339(now, true));
}

}  // namespace
}  // namespace scenario::state
