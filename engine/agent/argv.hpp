// Command-line parsing shaped like Juju's gnuflag: flags may come before, between or after
// positionals; `--flag=value`, `--flag value`, `-f value` and `-f=value`; `--` ends flags.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace scenario::agent {

struct flag_spec {
  std::string long_name;  // without dashes, e.g. "format"
  char short_name = 0;    // e.g. 'r'; 0 for none
  bool takes_value = true;
};

struct parsed_args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;  // long name -> every value given

  bool has(std::string_view long_name) const;
  // The last value given for the flag, if any.
  std::optional<std::string> get(std::string_view long_name) const;
};

// A bad command line: Juju prints "ERROR <message>" and exits 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A tool failed the way Juju's tool fails: "ERROR <message>" on stderr, exit code 1.
class tool_error : public std::runtime_error {
 public:
  explicit tool_error(const std::string& message, int exit_code = 1)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

// The value of a boolean flag: absent -> false, `--flag` -> true, `--flag=<v>` -> Go's
// strconv.ParseBool(v) (1/t/T/TRUE/true/True, 0/f/F/FALSE/false/False). parse_args has already
// rejected other spellings.
bool flag_bool(const parsed_args& args, std::string_view long_name);

// Whether a tool defines --format. Juju's tools that write output add it through cmd.Output's
// AddFlags; the others (status-set, action-set, state-set, ...) do not, and gnuflag refuses it.
enum class format_flag { defined, undefined };

// Parses args (argv without argv[0]). A tool accepts --format (default "smart") implicitly
// unless it passes format_flag::undefined. Unknown flags raise
// usage_error("flag provided but not defined: -x").
parsed_args parse_args(const std::vector<std::string>& args, const std::vector<flag_spec>& flags,
                       format_flag format = format_flag::defined);

// Renders `value` for stdout as --format asks, as Juju's cmd.Output does: "json" (compact,
// newline-terminated; null is "null"), "yaml", or "smart" (strings bare, booleans True/False,
// numbers as text, lists of strings one per line, null as nothing, everything else YAML).
// A non-empty result always ends with a newline.
//
// `formats` are the ones the tool's cmd.Output offers: most tools offer smart, yaml and json with
// smart the default; secret-get offers only yaml (its default) and json.
struct output_formats {
  std::string_view default_format = "smart";
  bool smart = true;
};
std::string format_output(const nlohmann::json& value, const parsed_args& args,
                          const output_formats& formats = {});

// Refuses a --format the tool does not offer as gnuflag does (`invalid value "x" for flag
// --format: unknown format "x"`, exit 2); format_output calls it too, but a tool that must refuse
// before doing anything calls it first.
void check_output_format(const parsed_args& args, const output_formats& formats = {});

// Go's %q for the plain text Juju quotes in its messages.
std::string go_quote(std::string_view s);

// Raises Juju's "unrecognized args" usage_error if more than `allowed` positionals were given.
void check_no_extra(const parsed_args& args, std::size_t allowed);

// Raises usage_error unless the positional count is within [min, max].
void expect_positionals(const parsed_args& args, std::size_t min, std::size_t max,
                        std::string_view usage);

}  // namespace scenario::agent
