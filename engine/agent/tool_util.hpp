// Helpers shared by the hook-tool families: unit/app naming, relation lookup by `-r`, the
// hook's default relation, key=value arguments and settings files. Internal to engine/agent.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/agent/agent.hpp"
#include "engine/agent/argv.hpp"
#include "engine/state/event_names.hpp"
#include "engine/state/juju_version.hpp"

namespace scenario::agent::util {

// Go's strconv.Atoi for the plain decimal forms Juju sees; nullopt when not a number.
inline std::optional<long long> to_int(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

inline std::string atoi_error(std::string_view s) {
  return "strconv.Atoi: parsing \"" + std::string(s) + "\": invalid syntax";
}

// The application on the other side of `rel`: for peer relations it is this application.
inline std::string remote_app(const hook_context& ctx, const state::relation& rel) {
  return rel.kind == state::relation_kind::peer ? ctx.app_name : rel.remote_app_name;
}

inline std::string remote_unit_name(const hook_context& ctx, const state::relation& rel, int id) {
  return remote_app(ctx, rel) + "/" + std::to_string(id);
}

inline state::relation* find_relation(hook_context& ctx, int id) {
  for (auto& r : ctx.state.relations) {
    if (r.relation_id == id) return &r;
  }
  return nullptr;
}

// The relation the running hook is about (JUJU_RELATION_ID), if any.
inline std::optional<int> hook_relation_id(const hook_context& ctx) {
  if (!ctx.event.relation_id) return std::nullopt;
  if (state::parse_event_name(ctx.event.name).kind != state::event_kind::relation) return std::nullopt;
  return ctx.event.relation_id;
}

// Whether the running hook is the relation event `suffix` ("_relation_departed") of relation_id.
inline bool hook_is(const hook_context& ctx, std::string_view suffix, int relation_id) {
  // A relation event's suffix ("_relation_...") already says the event is a relation event.
  return ctx.event.relation_id == relation_id && state::parse_event_name(ctx.event.name).suffix == suffix;
}

// The unit that is departing in a relation-departed hook (JUJU_DEPARTING_UNIT), if any.
// Whether a Juju rule that ops-scenario 3.1 did not follow binds: under strict mode, yes.
// Otherwise the tool answers as 3.1 did and this records `divergence` (the rule, the call and
// what 3.1's answer was) for the run to report.
inline bool juju_rule_binds(hook_context& ctx, const std::string& divergence) {
  if (ctx.strict) return true;
  ctx.divergences.push_back(divergence + "; strict mode answers as Juju does");
  return false;
}

// The run's Juju version as hook tools read it, for rules that changed between Juju releases:
// whatever numbers the text starts with (the checker has reported on the text itself).
inline state::juju_version juju_version_of(const hook_context& ctx) {
  return state::parse_juju_version(ctx.juju_version, state::version_syntax::leading_numbers)
      .value_or(state::juju_version{});
}

inline std::optional<int> departing_unit(const hook_context& ctx, int relation_id) {
  if (!hook_is(ctx, "_relation_departed", relation_id)) return std::nullopt;
  if (ctx.event.relation_departed_unit_id) return ctx.event.relation_departed_unit_id;
  return ctx.event.relation_remote_unit_id;
}

// Resolves `-r`/`--relation` like Juju's relationIdValue: everything up to the last ':' is the
// endpoint (ops >= 3.7.1 sends `endpoint:id`), the rest the id. Without the flag, the hook's
// relation; without either, nullptr. A mismatching endpoint is treated as an unknown relation,
// as ops' own Scenario does. `flag` is the spelling Juju's error names ("-r", "--relation").
inline state::relation* relation_from_flag_or_hook(hook_context& ctx, const parsed_args& args,
                                                   std::string_view flag) {
  if (auto ref = args.get("relation")) {
    const auto colon = ref->rfind(':');
    const std::string id_text = colon == std::string::npos ? *ref : ref->substr(colon + 1);
    const std::string invalid = "invalid value " + go_quote(*ref) + " for flag " + std::string(flag);
    auto id = to_int(id_text);
    if (!id) throw usage_error(invalid + ": invalid relation id");
    state::relation* rel = find_relation(ctx, static_cast<int>(*id));
    if (rel == nullptr ||
        (colon != std::string::npos && colon > 0 && ref->substr(0, colon) != rel->endpoint)) {
      throw usage_error(invalid + ": relation not found");
    }
    return rel;
  }
  if (auto id = hook_relation_id(ctx)) {
    if (state::relation* rel = find_relation(ctx, *id)) return rel;
    throw tool_error("relation not found");
  }
  return nullptr;
}

// relation_from_flag_or_hook for the relation-* tools, which need a relation.
inline state::relation& relation_from_flag(hook_context& ctx, const parsed_args& args) {
  if (state::relation* rel = relation_from_flag_or_hook(ctx, args, "-r")) return *rel;
  throw usage_error("no relation id specified");
}

// keyvalues.Parse(args, allowEmptyValues=true) from juju/utils.
inline std::map<std::string, std::string> parse_key_values(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw usage_error("expected \"key=value\", got \"" + arg + "\"");
    }
    const std::string key = arg.substr(0, eq);
    if (out.count(key) != 0) throw usage_error("key \"" + key + "\" specified more than once");
    out[key] = arg.substr(eq + 1);
  }
  return out;
}

// Caps on what a tool reads from a file (docs/hook-tools.md, "Size limits"). Juju reads with
// os.ReadFile, so `--file /dev/zero` would never end; these are where Scenario stops.
// Relation settings: Juju has no cap of its own; MongoDB's 16 MiB document limit is where it fails.
constexpr std::size_t max_relation_settings_file_bytes = 16 * 1024 * 1024;
// Controller state: Juju's default max-charm-state-size (controller/config.go).
constexpr std::size_t max_state_file_bytes = 2 * 1024 * 1024;

// Go's wording of an errno: "no such file or directory".
inline std::string go_errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Reads at most `cap` bytes of a regular file, or throws: `Error` with Go's open/read texts, or
// `TooLargeError(too_large(size))` past the cap. FIFOs and devices are refused, never read: one could block the
// run forever, another never end. The open does not block, even on a FIFO.
template <class Error, class TooLargeError = Error, class TooLarge>
std::string read_capped_file(const std::string& path, std::size_t cap, TooLarge too_large) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error("open " + path + ": " + go_errno_text(errno));
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } const guard{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw Error("stat " + path + ": " + go_errno_text(errno));
  if (S_ISDIR(info.st_mode)) throw Error("read " + path + ": is a directory");
  if (!S_ISREG(info.st_mode)) {
    throw Error("read " + path + ": not a regular file (Scenario reads only regular files here)");
  }
  if (static_cast<std::uintmax_t>(info.st_size) > cap) {
    throw TooLargeError(too_large(static_cast<std::uintmax_t>(info.st_size)));
  }
  // The file may grow while it is read: stop one byte past the cap.
  std::string out;
  char chunk[64 * 1024];
  while (out.size() <= cap) {
    const ssize_t n = ::read(fd, chunk, std::min(sizeof chunk, cap + 1 - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("read " + path + ": " + go_errno_text(errno));
    if (n == 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  if (out.size() > cap) throw TooLargeError(too_large(out.size()));
  return out;
}

// Reads a `--file` settings document (a YAML map of strings; JSON is YAML): `-` is stdin.
// Scalars keep their text, as go-yaml does when decoding into map[string]string; null is "".
// `what` names the document in the too-large error ("relation settings").
inline std::map<std::string, std::string> read_settings_file(const std::string& path,
                                                             std::string_view stdin_data,
                                                             std::size_t cap, std::string_view what) {
  const auto too_large = [&](std::uintmax_t size) {
    return std::string(what) + " file " + (path == "-" ? "on stdin" : "\"" + path + "\"") +
           " too large: " + std::to_string(size) + " bytes (the limit is " + std::to_string(cap) +
           " bytes)";
  };
  std::string text;
  if (path == "-") {
    if (stdin_data.size() > cap) throw tool_error(too_large(stdin_data.size()));
    text = std::string(stdin_data);
  } else {
    text = read_capped_file<tool_error>(path, cap, too_large);
  }
  std::map<std::string, std::string> out;
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw tool_error("yaml: " + std::string(e.what()));
  }
  if (!doc || doc.IsNull()) return out;
  if (!doc.IsMap()) throw tool_error("yaml: cannot unmarshal settings: expected a map of strings");
  for (const auto& kv : doc) {
    if (!kv.first.IsScalar()) throw tool_error("yaml: settings keys must be strings");
    const std::string key = kv.first.as<std::string>();
    if (kv.second.IsNull()) {
      out[key] = "";
    } else if (kv.second.IsScalar()) {
      out[key] = kv.second.as<std::string>();
    } else {
      throw tool_error("yaml: cannot unmarshal a " +
                       std::string(kv.second.IsMap() ? "map" : "list") + " into the string value of \"" +
                       key + "\"");
    }
  }
  return out;
}

// Raises Juju's "not running an action" outside an action hook.
inline void require_action(const hook_context& ctx) {
  if (!ctx.action_name) throw tool_error("not running an action");
}

// Every binding name the charm declares: its endpoints, extra-bindings and juju-info.
inline bool is_binding(const hook_context& ctx, std::string_view name) {
  if (name == "juju-info") return true;
  for (const auto& r : ctx.spec.relations) {
    if (r.name == name) return true;
  }
  return std::find(ctx.spec.extra_bindings.begin(), ctx.spec.extra_bindings.end(), name) !=
         ctx.spec.extra_bindings.end();
}

}  // namespace scenario::agent::util

namespace scenario::agent {
// The network of `binding` (tool_network.cpp): the State's entry, else a default network for
// any binding the charm declares; nullopt for an unknown binding.
std::optional<state::network> binding_network(const hook_context& ctx, const std::string& binding);
// The first address bound on the network ("" if none).
std::string first_address(const state::network& n);
// The address others reach the unit at: the first ingress address, else first_address().
std::string ingress_address(const state::network& n);
}  // namespace scenario::agent
