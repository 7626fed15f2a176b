#include "cli/juju_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "cli/shell_words.hpp"

extern char** environ;

namespace scenario::cli {
namespace {

struct pipe_pair {
  int fds[2] = {-1, -1};
  pipe_pair() {
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  ~pipe_pair() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fds[0] >= 0) ::close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
};

// Feeds stdin and drains stdout/stderr together so neither side blocks on a full pipe.
void pump(pipe_pair& in, pipe_pair& out, pipe_pair& err, std::string_view stdin_data,
          process_result& result) {
  std::size_t written = 0;
  if (stdin_data.empty()) in.close_write();
  std::array<char, 65536> buf{};
  while (out.fds[0] >= 0 || err.fds[0] >= 0) {
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    fds[n++] = {out.fds[0], POLLIN, 0};
    fds[n++] = {err.fds[0], POLLIN, 0};
    if (in.fds[1] >= 0) fds[n++] = {in.fds[1], POLLOUT, 0};
    if (poll(fds.data(), n, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      if (i == 2) {
        const ssize_t w = ::write(in.fds[1], stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 || written == stdin_data.size()) in.close_write();
        continue;
      }
      const ssize_t r = ::read(fds[i].fd, buf.data(), buf.size());
      if (r > 0) {
        (i == 0 ? result.stdout_text : result.stderr_text).append(buf.data(), static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        (i == 0 ? out : err).close_read();
      }
    }
  }
  in.close_write();
}

}  // namespace

process_result run_process(const std::vector<std::string>& argv, std::string_view stdin_data) {
  if (argv.empty()) throw std::invalid_argument("run_process: empty argv");
  pipe_pair in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fds[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
  }
  in.close_read();
  out.close_write();
  err.close_write();
  process_result result;
  pump(in, out, err, stdin_data, result);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string unit_name::charm_dir() const {
  return fmt::format("/var/lib/juju/agents/unit-{}-{}/charm", app, number);
}

unit_name parse_unit_name(std::string_view text) {
  const auto slash = text.rfind('/');
  const auto bad = [&] {
    return std::invalid_argument(fmt::format(
        "UNIT: \"{}\" is not a unit name; write <application>/<number>, e.g. webapp/0", std::string(text)));
  };
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) throw bad();
  unit_name u;
  u.app = std::string(text.substr(0, slash));
  const auto digits = text.substr(slash + 1);
  for (char c : digits) {
    if (c < '0' || c > '9') throw bad();
  }
  if (digits.size() > 9) throw bad();
  u.number = std::stoi(std::string(digits));
  return u;
}

juju_client::juju_client(std::string juju_program, std::string model) : model_(std::move(model)) {
  if (juju_program.empty()) {
    const char* env = std::getenv("SCENARIO_JUJU");
    juju_program = env != nullptr && *env != '\0' ? env : "juju";
  }
  program_ = std::move(juju_program);
}

std::vector<std::string> juju_client::model_args() const {
  if (model_.empty()) return {};
  return {"-m", model_};
}

process_result juju_client::call(std::vector<std::string> args, std::string_view stdin_data) const {
  args.insert(args.begin(), program_);
  try {
    return run_process(args, stdin_data);
  } catch (const std::runtime_error& e) {
    throw juju_error(fmt::format("{} (use --juju PATH or SCENARIO_JUJU to point at the juju command)",
                                 e.what()));
  }
}

std::string juju_client::checked(std::vector<std::string> args) const {
  auto r = call(args);
  if (r.exit_code != 0) {
    std::string shown = program_;
    for (const auto& a : args) shown += " " + shell_quote(a);
    throw juju_error(fmt::format("`{}` failed (exit {}): {}", shown, r.exit_code,
                                 r.stderr_text.empty() ? r.stdout_text : r.stderr_text));
  }
  return r.stdout_text;
}

nlohmann::json juju_client::json_command(std::vector<std::string> args, bool in_model) const {
  if (in_model) {
    for (auto& a : model_args()) args.push_back(a);
  }
  args.push_back("--format");
  args.push_back("json");
  const std::string text = checked(args);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw juju_error(fmt::format("`juju {}` did not print JSON: {}", args.front(), e.what()));
  }
}

std::string juju_client::exec(const unit_name& unit, const std::vector<std::string>& tool_argv) const {
  std::vector<std::string> args{"exec"};
  for (auto& a : model_args()) args.push_back(a);
  args.insert(args.end(), {"--unit", unit.text(), "--", shell_join(tool_argv)});
  return checked(args);
}

process_result juju_client::ssh(const unit_name& unit, const std::string& container,
                                const std::vector<std::string>& argv, std::string_view stdin_data) const {
  std::vector<std::string> args{"ssh"};
  for (auto& a : model_args()) args.push_back(a);
  if (!container.empty()) args.insert(args.end(), {"--container", container});
  args.push_back(unit.text());
  for (const auto& a : argv) args.push_back(shell_quote(a));
  return call(args, stdin_data);
}

void juju_client::scp_from(const unit_name& unit, const std::string& container,
                           const std::string& remote, const std::filesystem::path& local) const {
  std::vector<std::string> args{"scp"};
  for (auto& a : model_args()) args.push_back(a);
  if (!container.empty()) args.insert(args.end(), {"--container", container});
  args.insert(args.end(), {unit.text() + ":" + remote, local.string()});
  checked(args);
}

void juju_client::scp_to(const unit_name& unit, const std::string& container,
                         const std::filesystem::path& local, const std::string& remote) const {
  std::vector<std::string> args{"scp"};
  for (auto& a : model_args()) args.push_back(a);
  if (!container.empty()) args.insert(args.end(), {"--container", container});
  args.insert(args.end(), {local.string(), unit.text() + ":" + remote});
  checked(args);
}

}  // namespace scenario::cli
