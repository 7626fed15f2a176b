#include "cli/tool_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace scenario::cli {

namespace {

constexpr std::string_view request_magic = "SCT1";
// No single field of a hook-tool call comes near this; a bigger length means a corrupt stream.
constexpr std::uint32_t max_field_bytes = std::uint32_t{1} << 30;
constexpr std::uint32_t max_argc = 1u << 16;

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void put_field(std::string& out, std::string_view field) {
  if (field.size() > max_field_bytes) throw protocol_error("a hook-tool argument or stream is larger than 1 GiB");
  put_u32(out, static_cast<std::uint32_t>(field.size()));
  out.append(field);
}

void read_exact(int fd, char* buffer, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::read(fd, buffer, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw protocol_error(std::string("reading the hook-tool socket: ") + std::strerror(errno));
    if (n == 0) throw protocol_error("the hook-tool socket closed in the middle of a message");
    buffer += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::uint32_t get_u32(int fd) {
  unsigned char bytes[4];
  read_exact(fd, reinterpret_cast<char*>(bytes), sizeof bytes);
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
         static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

std::string get_field(int fd) {
  const std::uint32_t size = get_u32(fd);
  if (size > max_field_bytes) throw protocol_error("a hook-tool message field claims more than 1 GiB");
  std::string field(size, '\0');
  read_exact(fd, field.data(), size);
  return field;
}

}  // namespace

std::string encode_request(const tool_request& request) {
  std::string out(request_magic);
  put_u32(out, static_cast<std::uint32_t>(request.argv.size()));
  for (const auto& arg : request.argv) put_field(out, arg);
  put_field(out, request.stdin_data);
  put_field(out, request.cwd);
  return out;
}

std::string encode_reply(const tool_reply& reply) {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(reply.exit_code));
  put_field(out, reply.stdout_text);
  put_field(out, reply.stderr_text);
  return out;
}

tool_request read_request(int fd) {
  char magic[4];
  read_exact(fd, magic, sizeof magic);
  if (std::string_view(magic, sizeof magic) != request_magic) {
    throw protocol_error("not a hook-tool request (wrong magic): is the shim from another Scenario version?");
  }
  const std::uint32_t argc = get_u32(fd);
  if (argc == 0 || argc > max_argc) throw protocol_error("a hook-tool request with no argv or an absurd argc");
  tool_request request;
  request.argv.reserve(argc);
  for (std::uint32_t i = 0; i < argc; ++i) request.argv.push_back(get_field(fd));
  request.stdin_data = get_field(fd);
  request.cwd = get_field(fd);
  return request;
}

tool_reply read_reply(int fd) {
  tool_reply reply;
  reply.exit_code = static_cast<int>(get_u32(fd));
  reply.stdout_text = get_field(fd);
  reply.stderr_text = get_field(fd);
  return reply;
}

void write_all(int fd, std::string_view data) {
  bool socket = true;
  while (!data.empty()) {
    // On a socket, a peer that went away is an error here, not a SIGPIPE for the whole process.
    ssize_t n = socket ? ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) : ::write(fd, data.data(), data.size());
    if (n < 0 && errno == ENOTSOCK) {
      socket = false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw protocol_error(std::string("writing: ") + std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string read_to_end(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw protocol_error(std::string("reading: ") + std::strerror(errno));
    if (n == 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

bool reads_stdin(const std::vector<std::string>& argv) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--file=-") return true;
    if (argv[i] == "--file" && i + 1 < argv.size() && argv[i + 1] == "-") return true;
  }
  return false;
}

}  // namespace scenario::cli
