// The exec lifecycle (exec_session.hpp says how it goes); exec.cpp holds the request decoding,
// the mock matching and the change JSON it builds on.
#include "engine/pebble/exec_session.hpp"

#include <algorithm>
#include <list>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/pebble/api_detail.hpp"
#include "engine/pebble/exec.hpp"

namespace scenario::pebble {

using detail::json;

struct exec_session::task {
  // A GET /v1/changes/{id}/wait held until the exec finishes (or its timeout passes).
  struct waiter {
    request req;
    reply_fn reply;
    std::unique_ptr<exec_clock::timer> timeout;
  };

  std::string id;
  std::string change_id;
  std::string summary;
  std::size_t history_index = 0;
  exec_outcome outcome;
  bool split_stderr = false;
  std::shared_ptr<exec_stream> control, stdio, stderr_stream;  // reserved at attach()
  int io_open = 0;
  bool started = false;      // the output has been sent
  bool awaited = false;      // the charm has started waiting on the change
  bool stdin_ended = false;
  bool done = false;
  std::list<waiter> waiters;
  std::unique_ptr<exec_clock::timer> grace;
  std::unique_ptr<exec_clock::timer> connect_deadline;

  std::shared_ptr<exec_stream>* slot(const std::string& websocket_id) {
    if (websocket_id == "control") return &control;
    if (websocket_id == "stdio") return &stdio;
    if (websocket_id == "stderr" && split_stderr) return &stderr_stream;
    return nullptr;
  }
};

exec_session::exec_session(run_access& run, exec_clock& clock) : run_(run), clock_(clock) {}

exec_session::~exec_session() = default;

exec_session::task* exec_session::find(const std::string& task_id) const {
  auto it = tasks_.find(task_id);
  return closed_ || it == tasks_.end() ? nullptr : it->second.get();
}

response exec_session::start(session& s, const request& r) {
  exec_request er;
  try {
    er = parse_exec_request(r.body);
  } catch (const bad_exec_request& e) {
    return detail::bad_request(e.what());
  }
  ran_ = true;
  if (er.service_context) {
    try {
      merge_service_context(er, s.plan());
    } catch (const std::exception& e) {
      return detail::bad_request(e.what());
    }
  }
  auto t = std::make_unique<task>();
  t->split_stderr = er.split_stderr;
  t->summary = exec_summary(er.command);
  state::container& c = s.container();
  t->outcome = resolve_exec(c, er.command);
  // Pebble refuses a command it cannot run before any change exists: nothing ran.
  if (!t->outcome.matched) return detail::bad_request(t->outcome.refusal);
  c.exec_history.push_back(make_exec_record(er, t->outcome.exit_code));
  t->history_index = c.exec_history.size() - 1;
  t->id = std::to_string(next_task_id_++);
  change_record change;
  change.kind = "exec";
  change.summary = t->summary;
  change.status = "Doing";
  change.ready = false;
  change.tasks = json::array({exec_task_json(t->id, er.command)});
  t->change_id = s.add_change(std::move(change));

  task& added = *t;
  task_of_change_[t->change_id] = t->id;
  tasks_[t->id] = std::move(t);
  added.connect_deadline = clock_.after(exec_connect_timeout, [this, &added] {
    if (added.started || added.done) return;
    complete(added, std::nullopt,
             fmt::format("exec {}: timeout waiting for websocket connections: context "
                         "deadline exceeded",
                         added.id));
  });

  json result = {{"task-id", added.id},
                 {"environment", er.environment},
                 {"working-dir", er.working_dir ? json(*er.working_dir) : json("")}};
  return detail::async_response(added.change_id, result);
}

std::optional<response> exec_session::websocket_refusal(const std::string& task_id,
                                                        const std::string& websocket_id) const {
  task* t = find(task_id);
  if (!t) return detail::not_found(fmt::format("cannot find task {}", json(task_id).dump()));
  auto* slot = t->slot(websocket_id);
  if (!slot || t->done) {
    // Pebble forgets an execution's websockets once the process has finished.
    return detail::not_found(fmt::format("cannot find {} websocket for task {}", websocket_id,
                                         json(task_id).dump()));
  }
  if (*slot) {
    return detail::internal_server_error(
        fmt::format("websocket {} already connected", json(websocket_id).dump()));
  }
  return std::nullopt;
}

void exec_session::attach(const std::string& task_id, const std::string& websocket_id,
                          std::shared_ptr<exec_stream> stream) {
  if (websocket_refusal(task_id, websocket_id)) {
    throw std::logic_error(fmt::format("exec stream {}/{} attached where websocket_refusal refuses it",
                                       task_id, websocket_id));
  }
  *find(task_id)->slot(websocket_id) = std::move(stream);
}

void exec_session::stream_opened(const std::string& task_id, const std::string& websocket_id) {
  task* t = find(task_id);
  // "control" carries signal/resize commands: a mock process has nothing to signal.
  if (!t || websocket_id == "control") return;
  ++t->io_open;
  if (t->started || t->done || t->io_open < (t->split_stderr ? 2 : 1)) return;
  open_io(*t);
}

void exec_session::stream_message(const std::string& task_id, const std::string& websocket_id,
                                  bool binary, std::string_view data) {
  task* t = find(task_id);
  if (!t || websocket_id != "stdio") return;
  if (binary) return stdin_data(*t, data);
  // Text messages are I/O commands; "end" is EOF (Pebble's wsutil). Others are ignored.
  json command = json::parse(data, nullptr, false);
  if (command.is_object() && command.value("command", "") == "end") end_stdin(*t);
}

void exec_session::stream_closed(const std::string& task_id, const std::string& websocket_id) {
  task* t = find(task_id);
  // The client shut stdio down: that ends stdin, like closing a pipe.
  if (t && websocket_id == "stdio") end_stdin(*t);
}

void exec_session::open_io(task& t) {
  t.started = true;
  t.connect_deadline.reset();
  const std::string end = R"({"command":"end"})";
  const auto send = [](const std::shared_ptr<exec_stream>& stream, bool binary, std::string data) {
    if (stream) stream->send(binary, std::move(data));
  };
  if (t.split_stderr) {
    if (!t.outcome.stdout_text.empty()) send(t.stdio, true, t.outcome.stdout_text);
    send(t.stdio, false, end);
    if (!t.outcome.stderr_text.empty()) send(t.stderr_stream, true, t.outcome.stderr_text);
    send(t.stderr_stream, false, end);
  } else {
    // One pipe for both streams, as Pebble does without split-stderr.
    std::string both = t.outcome.stdout_text + t.outcome.stderr_text;
    if (!both.empty()) send(t.stdio, true, std::move(both));
    send(t.stdio, false, end);
  }
  if (t.stdin_ended) return complete(t, t.outcome.exit_code, "");
  arm_grace(t);
}

void exec_session::stdin_data(task& t, std::string_view data) {
  ++stdin_events_;
  if (t.stdin_ended) return;
  run_.with_session([&](session& s) {
    auto& history = s.container().exec_history;
    if (t.history_index < history.size()) history[t.history_index].stdin_text.append(data);
  });
  arm_grace(t);  // more stdin may follow: restart the grace period
}

void exec_session::end_stdin(task& t) {
  ++stdin_events_;
  if (t.stdin_ended) return;
  t.stdin_ended = true;
  if (t.started) complete(t, t.outcome.exit_code, "");
}

// The mock process exits once stdin is over, or exec_stdin_grace after the last sign of stdin
// activity while the charm is already waiting for the exit code.
void exec_session::arm_grace(task& t) {
  if (!t.started || t.done || !t.awaited) return;
  t.grace = clock_.after(exec_stdin_grace, [this, &t] { complete(t, t.outcome.exit_code, ""); });
}

void exec_session::complete(task& t, std::optional<int> exit_code, const std::string& error) {
  if (t.done) return;
  t.done = true;
  t.grace.reset();
  t.connect_deadline.reset();
  auto waiters = std::move(t.waiters);
  t.waiters.clear();
  // The waiters' answers are read under the same lock that finishes the change; they are sent
  // once it is released.
  std::vector<response> answers(waiters.size(), detail::run_over());
  run_.with_session([&](session& s) {
    if (change_record* ch = s.find_change(t.change_id)) {
      ch->ready = true;
      ch->status = error.empty() ? "Done" : "Error";
      if (!error.empty()) {
        ch->err = fmt::format("cannot perform the following tasks:\n- {} ({})", t.summary, error);
      }
      if (ch->tasks.is_array() && !ch->tasks.empty()) finish_exec_task(ch->tasks[0], exit_code, error);
    }
    std::size_t i = 0;
    for (const auto& w : waiters) answers[i++] = detail::get_change_wait(s, w.req, t.change_id);
  });
  std::size_t i = 0;
  for (auto& w : waiters) {
    w.timeout.reset();
    w.reply(std::move(answers[i++]));
  }
}

std::optional<outcome> exec_session::wait(const std::string& change_id, const request& r,
                                          reply_fn reply) {
  auto it = task_of_change_.find(change_id);
  if (closed_ || it == task_of_change_.end()) return std::nullopt;
  task& t = *tasks_.at(it->second);
  if (t.done) return std::nullopt;

  std::optional<double> seconds;
  if (auto q = r.query.find("timeout"); q != r.query.end()) {
    seconds = parse_go_duration(q->second);
    if (!seconds || *seconds < 0) {
      return outcome{detail::bad_request(
          fmt::format("invalid timeout: time: invalid duration \"{}\"", q->second))};
    }
  }
  auto& w = t.waiters.emplace_back(task::waiter{r, std::move(reply), nullptr});
  if (seconds) {
    const auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(*seconds));
    w.timeout = clock_.after(delay, [&t, &w, seconds = *seconds] {
      auto it = std::find_if(t.waiters.begin(), t.waiters.end(), [&](const auto& x) { return &x == &w; });
      reply_fn reply = std::move(w.reply);
      t.waiters.erase(it);  // also ends this timer, whose call this is
      reply(detail::gateway_timeout(
          fmt::format("timed out waiting for change after {}", format_go_duration(seconds))));
    });
  }
  t.awaited = true;
  arm_grace(t);
  return outcome{reply_later{}};
}

std::optional<std::uint64_t> exec_session::stdin_progress() {
  for (auto& [id, t] : tasks_) {
    if (t->stdio && !t->stdin_ended && t->stdio->unread_bytes() > 0) return std::nullopt;
  }
  return stdin_events_;
}

void exec_session::close() {
  closed_ = true;
  tasks_.clear();
  task_of_change_.clear();
}

}  // namespace scenario::pebble
