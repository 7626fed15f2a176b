#include "cli/out_of_process_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "cli/tool_server.hpp"
#include "engine/agent/agent.hpp"
#include "engine/pebble/server.hpp"
#include "engine/runtime/run.hpp"
#include "engine/spec/spec.hpp"
#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"

extern char** environ;

namespace scenario::cli {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

namespace {

run_failure environment_failure(const std::string& message) {
  return run_failure(run_exit::environment, "environment", message);
}

// A private directory for one run, removed with everything in it when the run ends.
class temp_dir {
 public:
  temp_dir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = fmt::format("{}/scenario-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw environment_failure(fmt::format("cannot create a temporary directory from {}: {}; set TMPDIR "
                                            "to a writable directory",
                                            pattern, std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct fd_guard {
  int fd = -1;
  fd_guard() = default;
  explicit fd_guard(int f) : fd(f) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// The charm directory Juju gives the unit: the charm root's entries, linked, so that what ops
// writes there (.unit-state.db) stays in the run's directory and the charm root is untouched.
void link_charm_root(const fs::path& root, const fs::path& charm_dir) {
  fs::create_directory(charm_dir);
  for (const auto& entry : fs::directory_iterator(root)) {
    const auto name = entry.path().filename();
    if (name == ".unit-state.db") continue;  // the run writes its own from the State
    fs::create_symlink(entry.path(), charm_dir / name);
  }
}

// What the charm runs: dispatch if the charm has one, else the hook (or action) itself.
fs::path dispatch_program(const fs::path& root, const std::string& dispatch_path) {
  fs::path program = root / "dispatch";
  if (!fs::exists(program)) program = root / dispatch_path;
  if (!fs::exists(program)) {
    throw run_failure(run_exit::no_dispatch, "no-dispatch",
                      fmt::format("the charm root {} has no dispatch and no {}: add an executable dispatch "
                                  "script (charmcraft makes one that runs src/charm.py) or the hook itself",
                                  root.string(), dispatch_path));
  }
  if (::access(program.c_str(), X_OK) != 0) {
    throw run_failure(run_exit::no_dispatch, "no-dispatch",
                      fmt::format("{} is not executable: chmod +x it", program.string()));
  }
  return fs::relative(program, root);
}

// The charm's environment: the caller's, without any Juju variables of its own, then Juju's for
// this hook, the hook tools first on PATH and the tool socket.
std::vector<std::string> charm_environment(const std::map<std::string, std::string>& juju,
                                           const fs::path& tools_dir, const fs::path& tool_socket) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(text.substr(0, eq));
    if (key.starts_with("JUJU_") || key == "OPERATOR_DISPATCH") continue;
    vars[key] = std::string(text.substr(eq + 1));
  }
  for (const auto& [key, value] : juju) vars[key] = value;
  const auto path = vars.find("PATH");
  vars["PATH"] = tools_dir.string() + ":" + (path != vars.end() ? path->second : "/usr/bin:/bin");
  vars[tool_socket_variable] = tool_socket.string();
  std::vector<std::string> out;
  for (const auto& [key, value] : vars) out.push_back(key + "=" + value);
  return out;
}

// Everything the child needs, prepared before fork (after fork only async-signal-safe calls).
struct child_plan {
  std::string program;  // absolute, inside the run's charm dir
  std::string charm_dir;
  std::vector<std::string> environment;
  std::string containers_source;  // empty: no Pebble sockets to mount
  uid_t uid = 0;
  gid_t gid = 0;
  sigset_t signal_mask{};
};

[[noreturn]] void child_fail(int report_fd, const char* step) {
  const int saved = errno;
  char message[256];
  const int n = std::snprintf(message, sizeof message, "%s: %s", step, std::strerror(saved));
  if (n > 0) [[maybe_unused]] auto ignored = ::write(report_fd, message, static_cast<std::size_t>(n));
  ::_exit(127);
}

bool write_file(const char* path, const char* text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
  ::close(fd);
  return ok;
}

// Gives the child its own mount namespace with the run's sockets at /charm/containers. Root can
// make one directly; anyone else through a user namespace that maps them to themselves.
void mount_containers(const child_plan& plan, int report_fd, const char* uid_map, const char* gid_map) {
  if (::unshare(CLONE_NEWNS) != 0) {
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) child_fail(report_fd, "unshare (private mount namespace)");
    if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", uid_map) ||
        !write_file("/proc/self/gid_map", gid_map)) {
      child_fail(report_fd, "mapping the user namespace");
    }
  }
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(report_fd, "mount --make-rprivate /");
  if (::mount(plan.containers_source.c_str(), charm_containers_dir, nullptr, MS_BIND, nullptr) != 0) {
    child_fail(report_fd, "bind-mounting the Pebble sockets on /charm/containers");
  }
}

pid_t start_charm(const child_plan& plan, int stdout_fd, int stderr_fd, int report_fd) {
  std::vector<char*> envp;
  for (const auto& e : plan.environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  char* argv[] = {const_cast<char*>(plan.program.c_str()), nullptr};
  const std::string uid_map = fmt::format("{0} {0} 1", plan.uid);
  const std::string gid_map = fmt::format("{0} {0} 1", plan.gid);

  const pid_t pid = ::fork();
  if (pid < 0) throw environment_failure(fmt::format("fork: {}", std::strerror(errno)));
  if (pid > 0) {
    ::setpgid(pid, pid);  // also in the child: whichever runs first
    return pid;
  }
  // The child: its own process group, so that the run can end everything it started.
  ::setpgid(0, 0);
  ::sigprocmask(SIG_SETMASK, &plan.signal_mask, nullptr);
  ::signal(SIGPIPE, SIG_DFL);  // an ignored signal stays ignored across exec; the charm gets the default
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(stderr_fd, STDERR_FILENO) < 0) {
    child_fail(report_fd, "redirecting the charm's standard streams");
  }
  if (!plan.containers_source.empty()) mount_containers(plan, report_fd, uid_map.c_str(), gid_map.c_str());
  if (::chdir(plan.charm_dir.c_str()) != 0) child_fail(report_fd, "chdir to the charm directory");
  ::execve(plan.program.c_str(), argv, envp.data());
  child_fail(report_fd, "exec");
}

// Reads what is there now; returns false at EOF.
bool drain(int fd, std::string& into) {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0;  // EAGAIN: more may come; 0: EOF
  }
}

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw environment_failure(fmt::format("pipe: {}", std::strerror(errno)));
}

// SIGINT, SIGTERM and SIGHUP become readable on a descriptor while a run lasts, so that the run
// can end the charm and clean up before exiting; the mask in force before is restored after.
class signal_watch {
 public:
  signal_watch() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
    ::pthread_sigmask(SIG_BLOCK, &set, &previous_);
    fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  ~signal_watch() {
    if (fd_ >= 0) ::close(fd_);
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;
  int fd() const { return fd_; }
  const sigset_t& previous() const { return previous_; }

 private:
  sigset_t previous_{};
  int fd_ = -1;
};

struct charm_exit {
  int code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

void kill_group(pid_t pgid) { ::kill(-pgid, SIGKILL); }

// Runs the charm to its end, answering its tool calls; kills its whole process group afterwards
// (and on timeout or a signal), so nothing it started outlives the run.
charm_exit supervise(const child_plan& plan, tool_server& tools, std::chrono::milliseconds timeout,
                     const signal_watch& signals) {
  int out_pipe[2], err_pipe[2], report_pipe[2];
  make_pipe(out_pipe);
  make_pipe(err_pipe);
  make_pipe(report_pipe);
  fd_guard out_read(out_pipe[0]), err_read(err_pipe[0]), report_read(report_pipe[0]);
  fd_guard out_write(out_pipe[1]), err_write(err_pipe[1]), report_write(report_pipe[1]);
  const pid_t pid = start_charm(plan, out_write.fd, err_write.fd, report_write.fd);
  out_write.reset();
  err_write.reset();
  report_write.reset();
  for (int fd : {out_read.fd, err_read.fd}) ::fcntl(fd, F_SETFL, O_NONBLOCK);

  fd_guard exited(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  charm_exit result;
  std::optional<int> status;
  const auto deadline = clock::now() + timeout;
  bool out_open = true, err_open = true;
  auto reap = [&] {
    int raw = 0;
    if (::waitpid(pid, &raw, WNOHANG) == pid) {
      status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    }
  };
  while (!status) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      kill_group(pid);
      ::waitpid(pid, nullptr, 0);
      run_failure failure(run_exit::timed_out, "timeout",
                          fmt::format("the charm did not finish within {} ms (--timeout); its process group "
                                      "was killed",
                                      timeout.count()));
      failure.charm_stdout = std::move(result.stdout_text);
      failure.charm_stderr = std::move(result.stderr_text);
      throw failure;
    }
    pollfd fds[] = {{tools.listen_fd(), POLLIN, 0},
                    {out_open ? out_read.fd : -1, POLLIN, 0},
                    {err_open ? err_read.fd : -1, POLLIN, 0},
                    {exited.fd, POLLIN, 0},
                    {signals.fd(), POLLIN, 0}};
    // Without a pidfd (kernels before 5.3) the child's end is looked for every few ms.
    const long long slice = std::min<long long>(left.count(), exited.fd >= 0 ? 60'000 : 5);
    if (::poll(fds, std::size(fds), static_cast<int>(slice)) < 0 && errno != EINTR) {
      kill_group(pid);
      ::waitpid(pid, nullptr, 0);
      throw environment_failure(fmt::format("poll: {}", std::strerror(errno)));
    }
    if (fds[4].revents & POLLIN) {
      signalfd_siginfo info{};
      [[maybe_unused]] auto n = ::read(signals.fd(), &info, sizeof info);
      kill_group(pid);
      ::waitpid(pid, nullptr, 0);
      throw run_failure(run_exit::interrupted, "interrupted",
                        fmt::format("interrupted by signal {}; the charm's process group was killed", info.ssi_signo));
    }
    if (fds[0].revents & POLLIN) tools.serve_pending();
    if (fds[1].revents) out_open = drain(out_read.fd, result.stdout_text);
    if (fds[2].revents) err_open = drain(err_read.fd, result.stderr_text);
    reap();
  }
  // Whatever the charm left running goes with it; then the pipes reach EOF, unless a process
  // left the group (setsid) holding them: its output is not waited for beyond a second.
  kill_group(pid);
  const auto drain_deadline = clock::now() + std::chrono::seconds(1);
  while ((out_open || err_open) && clock::now() < drain_deadline) {
    pollfd fds[] = {{out_open ? out_read.fd : -1, POLLIN, 0}, {err_open ? err_read.fd : -1, POLLIN, 0}};
    if (::poll(fds, std::size(fds), 100) < 0 && errno != EINTR) break;
    if (fds[0].revents) out_open = drain(out_read.fd, result.stdout_text);
    if (fds[1].revents) err_open = drain(err_read.fd, result.stderr_text);
  }
  const std::string setup_error = read_to_end(report_read.fd);
  if (!setup_error.empty()) {
    throw environment_failure(fmt::format("the charm could not be started: {}", setup_error));
  }
  result.code = *status;
  return result;
}

// While it lives, this process works in `dir` (when given and reachable), so that a tool's
// relative paths resolve as in the charm's process; tool calls are answered one at a time.
class in_directory {
 public:
  explicit in_directory(const std::string& dir) {
    if (dir.empty()) return;
    saved_ = ::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (saved_ >= 0 && ::chdir(dir.c_str()) != 0) {
      ::close(saved_);
      saved_ = -1;
    }
  }
  ~in_directory() {
    if (saved_ < 0) return;
    [[maybe_unused]] const int ignored = ::fchdir(saved_);
    ::close(saved_);
  }
  in_directory(const in_directory&) = delete;
  in_directory& operator=(const in_directory&) = delete;

 private:
  int saved_ = -1;
};

// /charm/containers must exist to mount over it; made once, empty, where Juju has it.
void ensure_containers_mount_point() {
  std::error_code ec;
  if (fs::is_directory(charm_containers_dir, ec)) return;
  fs::create_directories(charm_containers_dir, ec);
  if (ec) {
    throw environment_failure(fmt::format(
        "the State has containers, and ops looks for their Pebble sockets in {}, which does not exist "
        "and cannot be made ({}); create it once (as root: mkdir -p {}) and run again",
        charm_containers_dir, ec.message(), charm_containers_dir));
  }
}

template <typename F>
auto as_input(const char* what, F&& parse) {
  try {
    return parse();
  } catch (const nlohmann::json::exception& e) {
    throw run_failure(run_exit::invalid_input, "state-validation", fmt::format("{}: {}", what, e.what()));
  } catch (const inconsistent_scenario_error& e) {
    throw run_failure(run_exit::invalid_input, "inconsistent-scenario", e.what(), e.problems());
  } catch (const state_validation_error& e) {
    throw run_failure(run_exit::invalid_input, "state-validation", fmt::format("{}: {}", what, e.what()));
  } catch (const spec_error& e) {
    throw run_failure(run_exit::invalid_input, "metadata", e.what());
  } catch (const scenario::error& e) {
    throw run_failure(run_exit::invalid_input, e.code(), fmt::format("{}: {}", what, e.what()));
  }
}

}  // namespace

run_outcome run_out_of_process(const run_request& request) {
  std::error_code ec;
  const fs::path root = fs::absolute(request.charm_root, ec);
  if (ec || !fs::is_directory(root)) {
    throw run_failure(run_exit::invalid_input, "charm-root",
                      fmt::format("--charm-root {}: not a directory; give the charm's root (where "
                                  "metadata.yaml or charmcraft.yaml and dispatch are)",
                                  request.charm_root.string()));
  }
  if (request.hook_tool.empty() || ::access(request.hook_tool.c_str(), X_OK) != 0) {
    throw environment_failure(fmt::format("the hook-tool program {} is missing or not executable; set "
                                          "SCENARIO_HOOK_TOOL to the scenario-hook-tool program",
                                          request.hook_tool.string()));
  }
  const spec::charm_spec spec = as_input("charm metadata", [&] { return spec::spec_from_directory(root); });
  state::state input = as_input("--state", [&] { return state::state_from_json(request.state); });
  state::event event = as_input("--event", [&] { return state::event_from_json(request.event); });
  std::vector<std::string> containers;
  for (const auto& c : input.containers) containers.push_back(c.name);

  // Blocked before any thread starts (Pebble's), so only the signal descriptor sees them.
  signal_watch signals;
  temp_dir work;
  const fs::path charm_dir = work.path() / "charm";
  try {
    link_charm_root(root, charm_dir);
    fs::create_directory(work.path() / "bin");
    fs::create_directory(work.path() / "storage");
    fs::create_directory(work.path() / "pebble");
    fs::create_directory(work.path() / "containers");
  } catch (const fs::filesystem_error& e) {
    throw environment_failure(fmt::format("preparing the charm directory: {}", e.what()));
  }
  std::optional<pebble::server> pebble;
  if (!containers.empty()) {
    ensure_containers_mount_point();
    pebble.emplace(work.path() / "pebble");
  }
  runtime::run_options options{
      .app_name = request.app_name,
      .juju_version = request.juju_version,
      .charm_dir = charm_dir,
      .charm_class_name = request.charm_class,
      .skip_consistency_checks = request.skip_consistency_checks,
      .storage_root = work.path() / "storage",
      .strict = request.strict,
  };
  auto run = as_input("--state", [&] {
    return std::make_unique<runtime::run>(spec, std::move(input), std::move(event), options,
                                          pebble ? &*pebble : nullptr);
  });

  child_plan plan;
  plan.charm_dir = charm_dir.string();
  plan.program = (charm_dir / dispatch_program(root, run->environment().at("JUJU_DISPATCH_PATH"))).string();
  plan.uid = ::geteuid();
  plan.gid = ::getegid();
  plan.signal_mask = signals.previous();
  try {
    for (const auto& name : agent::hook_tool_names()) fs::create_symlink(request.hook_tool, work.path() / "bin" / name);
    for (const auto& name : containers) {
      const fs::path socket = run->pebble_socket(name);
      fs::create_directory(work.path() / "containers" / name);
      fs::create_symlink(socket, work.path() / "containers" / name / "pebble.socket");
    }
  } catch (const fs::filesystem_error& e) {
    throw environment_failure(fmt::format("preparing hook tools and Pebble sockets: {}", e.what()));
  }
  if (!containers.empty()) plan.containers_source = (work.path() / "containers").string();

  std::optional<tool_server> tools;
  try {
    tools.emplace(work.path() / "tools.socket", [&](const tool_request& call) {
      const in_directory cwd(call.cwd);
      auto answer = run->call_tool(call.argv, call.stdin_data);
      return tool_reply{answer.exit_code, std::move(answer.stdout_text), std::move(answer.stderr_text)};
    });
  } catch (const std::system_error& e) {
    throw environment_failure(e.what());
  }
  plan.environment = charm_environment(run->environment(), work.path() / "bin", tools->path());

  charm_exit charm = supervise(plan, *tools, request.timeout, signals);
  run_outcome outcome;
  outcome.state = state::state_to_json(run->finish());
  outcome.charm_exit_code = charm.code;
  outcome.charm_stdout = std::move(charm.stdout_text);
  outcome.charm_stderr = std::move(charm.stderr_text);
  outcome.warnings = run->warnings();
  outcome.divergences = run->divergences();
  return outcome;
}

}  // namespace scenario::cli
