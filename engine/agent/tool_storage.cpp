// storage-get, storage-list, storage-add.
#include <filesystem>

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

const spec::storage_spec* find_storage_spec(const hook_context& ctx, const std::string& name) {
  for (const auto& s : ctx.spec.storages) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const state::storage* find_storage(const hook_context& ctx, const std::string& name, int index) {
  for (const auto& s : ctx.state.storages) {
    if (s.name == name && s.index == index) return &s;
  }
  return nullptr;
}

// Where a storage instance is mounted: the State's location, else the charm's declared
// location, else <storage_root>/<name>/<index> (made here, so the charm can write to it), else
// Juju's default /var/lib/juju/storage/<name>/<index>.
std::string storage_location(const hook_context& ctx, const state::storage& s) {
  if (!s.location.empty()) return s.location;
  if (auto* sp = find_storage_spec(ctx, s.name); sp && sp->location) return *sp->location;
  if (!ctx.storage_root.empty()) {
    const auto dir = ctx.storage_root / s.name / std::to_string(s.index);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      throw tool_error("cannot make the mount point " + dir.string() + " of storage " + s.name +
                       "/" + std::to_string(s.index) + ": " + ec.message());
    }
    return dir.string();
  }
  return "/var/lib/juju/storage/" + s.name + "/" + std::to_string(s.index);
}

// The hook's storage (JUJU_STORAGE_ID) if this is a storage event.
std::optional<std::string> hook_storage_id(const hook_context& ctx) {
  if (ctx.event.storage_name && ctx.event.storage_index) {
    return *ctx.event.storage_name + "/" + std::to_string(*ctx.event.storage_index);
  }
  return std::nullopt;
}

// storage-get [-s <name>/<index>] [kind|location]. `--help` shows the default storage id the
// way ops 2.x's regex reads it: "-s  (= data/0)".
std::string storage_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"storage", 's', true}, {"help", 'h', false}});
  if (flag_bool(args, "help")) {
    std::string def = hook_storage_id(ctx).value_or("");
    return "Usage: storage-get [options] [<key>]\n\nSummary:\nprint information for storage "
           "instance with specified id\n\nOptions:\n--format  (= smart)\n    Specify output "
           "format (json|smart|yaml)\n-o, --output (= \"\")\n    Specify an output file\n-s  (= " +
           def + ")\n    specify a storage instance by id\n";
  }
  std::optional<std::string> id = hook_storage_id(ctx);
  if (auto given = args.get("storage")) {
    const auto slash = given->find('/');
    const auto index = slash == std::string::npos ? std::nullopt : util::to_int(given->substr(slash + 1));
    if (!index || slash == 0) {
      throw usage_error("invalid value \"" + *given + "\" for flag -s: invalid storage ID \"" + *given + "\"");
    }
    if (!find_storage(ctx, given->substr(0, slash), static_cast<int>(*index))) {
      throw usage_error("invalid value \"" + *given + "\" for flag -s: storage \"" + *given + "\" not found");
    }
    id = *given;
  }
  if (!id) throw usage_error("no storage instance specified");
  expect_positionals(args, 0, 1, "");
  const auto slash = id->find('/');
  const state::storage* st = find_storage(ctx, id->substr(0, slash),
                                          static_cast<int>(*util::to_int(id->substr(slash + 1))));
  if (st == nullptr) throw tool_error("storage \"" + *id + "\" not found");
  const auto* sp = find_storage_spec(ctx, st->name);
  json values{{"kind", sp && sp->type == "block" ? "block" : "filesystem"},
              {"location", storage_location(ctx, *st)}};
  if (args.positional.empty()) return format_output(values, args);
  const std::string& key = args.positional[0];
  if (!values.contains(key)) throw tool_error("invalid storage attribute \"" + key + "\"");
  return format_output(values[key], args);
}

// storage-list [<name>]: ids "name/index" of the attached storage, optionally of one name.
std::string storage_list(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {});
  expect_positionals(args, 0, 1, "");
  std::vector<std::pair<std::string, int>> ids;
  for (const auto& s : ctx.state.storages) {
    if (args.positional.empty() || s.name == args.positional[0]) ids.emplace_back(s.name, s.index);
  }
  std::sort(ids.begin(), ids.end());
  json out = json::array();
  for (const auto& [name, index] : ids) out.push_back(name + "/" + std::to_string(index));
  return format_output(out, args);
}

// storage-add <name>[=<count>]...: recorded in hook_context::storage_requests; Juju provisions
// the storage after the hook, so nothing is attached during this run.
std::string storage_add(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {}, format_flag::undefined);
  if (args.positional.empty()) throw usage_error("storage add requires a storage directive");
  std::map<std::string, int> requests;
  for (const auto& d : args.positional) {
    const auto eq = d.find('=');
    const std::string name = d.substr(0, eq);
    int count = 1;
    if (eq != std::string::npos) {
      auto c = util::to_int(d.substr(eq + 1));
      if (!c) throw usage_error("cannot parse count: \"" + d.substr(eq + 1) + "\" is not a valid count");
      if (*c <= 0) throw usage_error("count must be greater than zero, got \"" + d.substr(eq + 1) + "\"");
      count = static_cast<int>(*c);
    }
    if (requests.count(name)) throw usage_error("storage \"" + name + "\" specified more than once");
    requests[name] = count;
  }
  for (const auto& [name, count] : requests) {
    if (!find_storage_spec(ctx, name)) {
      throw tool_error("cannot add storage \"" + name + "\": charm storage \"" + name + "\" not found");
    }
  }
  for (const auto& [name, count] : requests) ctx.storage_requests[name] += count;
  return "";
}

}  // namespace

void register_storage_tools(tool_table& table) {
  add_tools(table, {
      {"storage-get", storage_get}, {"storage-list", storage_list}, {"storage-add", storage_add}
  });
}

}  // namespace scenario::agent
