// Pebble exec without the sockets: decoding POST /v1/exec, choosing the container's exec mock,
// and the change/task JSON an exec produces. exec_session.cpp runs the lifecycle around these.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/state/go_time.hpp"
#include "engine/state/state.hpp"

namespace scenario::pebble {

// A request Pebble itself would refuse with 400 Bad Request; what() is Pebble's message.
class bad_exec_request : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The body of POST /v1/exec (ops sends every key; null means "not given").
struct exec_request {
  std::vector<std::string> command;
  std::optional<std::string> service_context;
  std::map<std::string, std::string> environment;
  std::optional<std::string> working_dir;
  std::optional<double> timeout;  // seconds
  std::optional<int> user_id;
  std::optional<std::string> user;
  std::optional<int> group_id;
  std::optional<std::string> group;
  bool split_stderr = false;
};

// Decodes and validates the body; throws bad_exec_request with Pebble's texts.
exec_request parse_exec_request(const std::string& body);

// Applies service-context like Pebble's plan.MergeServiceContext: the named service's
// environment, user, group and working-dir from `plan` (the combined plan, dict form), with the
// request's own values on top. Throws bad_exec_request if the plan has no such service.
void merge_service_context(exec_request& r, const nlohmann::json& plan);

// Go time.Duration text, shared with the hook tools (engine/state/go_time.hpp).
using state::format_go_duration;
using state::parse_go_duration;

// The mock for `command`: an exact argv match wins, then the longest mock argv that is a prefix
// of `command` (an empty mock argv matches everything). Ties go to the first in the list.
const state::exec_output* match_exec_mock(const std::vector<state::exec_output>& mocks,
                                          const std::vector<std::string>& command);

// What an exec resolves to: the mock's output, or (no mock) the 400 Pebble answers before any
// change exists when it cannot run the command (internals/daemon/api_exec.go, v1PostExec:
// `cannot find executable "x"` when exec.LookPath fails), which ops raises as APIError from
// Container.exec. `refusal` is that message, followed by which mocks the container has.
struct exec_outcome {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
  bool matched = false;
  std::string refusal;  // set when not matched
};
exec_outcome resolve_exec(const state::container& c, const std::vector<std::string>& command);

// The output-State record of an exec (stdin is appended as the charm sends it).
state::exec_record make_exec_record(const exec_request& r, int return_code);


// Pebble's change summary / task summary for an exec: `Execute command "ls"`.
std::string exec_summary(const std::vector<std::string>& command);

// The exec task of the change, still running ("Doing").
nlohmann::json exec_task_json(const std::string& task_id, const std::vector<std::string>& command);

// Marks the task finished with `exit_code` (Pebble stores it in the task's api-data), or failed
// with `error_message` when the process never ran.
void finish_exec_task(nlohmann::json& task, std::optional<int> exit_code,
                      const std::string& error_message);

}  // namespace scenario::pebble
