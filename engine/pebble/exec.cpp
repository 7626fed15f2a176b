#include "engine/pebble/exec.hpp"

#include "engine/pebble/api.hpp"

#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace scenario::pebble {

namespace {

using json = nlohmann::json;

// JSON null and absent keys both mean "not given" (ops sends explicit nulls).
const json* field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> string_field(const json& body, const char* key) {
  const json* v = field(body, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    throw bad_exec_request(
        fmt::format("cannot decode request body: \"{}\" must be a string, got {}", key, v->dump()));
  }
  return v->get<std::string>();
}

std::optional<int> int_field(const json& body, const char* key) {
  const json* v = field(body, key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    throw bad_exec_request(
        fmt::format("cannot decode request body: \"{}\" must be an integer, got {}", key, v->dump()));
  }
  return v->get<int>();
}

std::string quote_argv(const std::vector<std::string>& argv) {
  return json(argv).dump();
}

}  // namespace

exec_request parse_exec_request(const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    throw bad_exec_request(fmt::format("cannot decode request body: {}", e.what()));
  }
  if (!j.is_object()) throw bad_exec_request("cannot decode request body: expected a JSON object");

  exec_request r;
  if (const json* cmd = field(j, "command")) {
    if (!cmd->is_array()) {
      throw bad_exec_request("cannot decode request body: \"command\" must be a list of strings");
    }
    for (const auto& arg : *cmd) {
      if (!arg.is_string()) {
        throw bad_exec_request("cannot decode request body: \"command\" must be a list of strings");
      }
      r.command.push_back(arg.get<std::string>());
    }
  }
  if (r.command.empty()) throw bad_exec_request("must specify command");

  r.service_context = string_field(j, "service-context");
  if (r.service_context && r.service_context->empty()) r.service_context.reset();
  if (const json* env = field(j, "environment")) {
    if (!env->is_object()) {
      throw bad_exec_request("cannot decode request body: \"environment\" must be an object");
    }
    for (const auto& [k, v] : env->items()) {
      if (!v.is_string()) {
        throw bad_exec_request(fmt::format(
            "cannot decode request body: environment value of {:?} must be a string", k));
      }
      r.environment[k] = v.get<std::string>();
    }
  }
  r.working_dir = string_field(j, "working-dir");
  if (r.working_dir && r.working_dir->empty()) r.working_dir.reset();
  if (auto timeout = string_field(j, "timeout"); timeout && !timeout->empty()) {
    r.timeout = parse_go_duration(*timeout);
    if (!r.timeout) {
      throw bad_exec_request(
          fmt::format("invalid timeout: time: invalid duration \"{}\"", *timeout));
    }
  }
  r.user_id = int_field(j, "user-id");
  r.user = string_field(j, "user");
  if (r.user && r.user->empty()) r.user.reset();
  r.group_id = int_field(j, "group-id");
  r.group = string_field(j, "group");
  if (r.group && r.group->empty()) r.group.reset();
  if (const json* split = field(j, "split-stderr")) {
    if (!split->is_boolean()) {
      throw bad_exec_request("cannot decode request body: \"split-stderr\" must be a boolean");
    }
    r.split_stderr = split->get<bool>();
  }
  // Pebble's osutil.NormalizeUidGid: a group without a user makes no sense.
  if ((r.group_id || r.group) && !(r.user_id || r.user)) {
    throw bad_exec_request("must specify user, not just group");
  }
  return r;
}

void merge_service_context(exec_request& r, const json& plan) {
  if (!r.service_context) return;
  const json* service = nullptr;
  if (plan.contains("services") && plan["services"].is_object()) {
    auto it = plan["services"].find(*r.service_context);
    if (it != plan["services"].end() && it->is_object()) service = &*it;
  }
  if (!service) {
    throw bad_exec_request(
        fmt::format("context service {} not found", json(*r.service_context).dump()));
  }
  std::map<std::string, std::string> env;
  if (const json* e = field(*service, "environment"); e && e->is_object()) {
    for (const auto& [k, v] : e->items()) env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  for (const auto& [k, v] : r.environment) env[k] = v;
  r.environment = std::move(env);
  if (!r.user_id) r.user_id = int_field(*service, "user-id");
  if (!r.user) r.user = string_field(*service, "user");
  if (!r.group_id) r.group_id = int_field(*service, "group-id");
  if (!r.group) r.group = string_field(*service, "group");
  if (!r.working_dir) r.working_dir = string_field(*service, "working-dir");
  if (r.user && r.user->empty()) r.user.reset();
  if (r.group && r.group->empty()) r.group.reset();
  if (r.working_dir && r.working_dir->empty()) r.working_dir.reset();
}

const state::exec_output* match_exec_mock(const std::vector<state::exec_output>& mocks,
                                          const std::vector<std::string>& command) {
  for (const auto& m : mocks) {
    if (m.command == command) return &m;
  }
  const state::exec_output* best = nullptr;
  for (const auto& m : mocks) {
    if (m.command.size() > command.size()) continue;
    if (!std::equal(m.command.begin(), m.command.end(), command.begin())) continue;
    if (!best || m.command.size() > best->command.size()) best = &m;
  }
  return best;
}

exec_outcome resolve_exec(const state::container& c, const std::vector<std::string>& command) {
  exec_outcome out;
  if (const auto* m = match_exec_mock(c.exec_mock, command)) {
    out.exit_code = m->return_code;
    out.stdout_text = m->stdout_text;
    out.stderr_text = m->stderr_text;
    out.matched = true;
    return out;
  }
  std::string known;
  bool executable_known = false;  // some mock runs this program, with other arguments
  for (const auto& m : c.exec_mock) {
    known += known.empty() ? "" : ", ";
    known += quote_argv(m.command);
    if (!m.command.empty() && !command.empty() && m.command[0] == command[0]) executable_known = true;
  }
  const std::string explanation = fmt::format(
      "scenario: no exec mock in container {:?} matches the command {}; the container's "
      "exec_mock has {}. Add an exec mock whose command is this argv or a prefix of it",
      c.name, quote_argv(command), known.empty() ? std::string("no commands") : known);
  // A program no mock knows is one the container does not have: Pebble's own words first.
  out.refusal = executable_known || command.empty()
                    ? explanation
                    : fmt::format("cannot find executable {} ({})", json(command[0]).dump(), explanation);
  return out;
}

state::exec_record make_exec_record(const exec_request& r, int return_code) {
  state::exec_record rec;
  rec.command = r.command;
  rec.environment = r.environment;
  rec.working_dir = r.working_dir;
  rec.user = r.user;
  rec.user_id = r.user_id;
  rec.group = r.group;
  rec.group_id = r.group_id;
  rec.timeout = r.timeout;
  rec.return_code = return_code;
  return rec;
}

std::string exec_summary(const std::vector<std::string>& command) {
  return fmt::format("Execute command {}", json(command.empty() ? "" : command[0]).dump());
}

json exec_task_json(const std::string& task_id, const std::vector<std::string>& command) {
  return json{{"id", task_id},
              {"kind", "exec"},
              {"summary", exec_summary(command)},
              {"status", "Doing"},
              {"log", json::array()},
              {"progress", {{"label", ""}, {"done", 0}, {"total", 1}}},
              {"spawn-time", state::now_rfc3339()}};
}

void finish_exec_task(json& task, std::optional<int> exit_code, const std::string& error_message) {
  std::string now = state::now_rfc3339();
  task["ready-time"] = now;
  task["progress"]["done"] = 1;
  if (exit_code) task["data"] = json{{"exit-code", *exit_code}};
  if (error_message.empty()) {
    task["status"] = "Done";
  } else {
    task["status"] = "Error";
    task["log"].push_back(fmt::format("{} ERROR {}", now, error_message));
  }
}

}  // namespace scenario::pebble
