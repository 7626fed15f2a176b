#include "cli/tool_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace scenario::cli {
namespace {

// A connected pair of sockets, as between a shim and the engine.
struct socket_pair {
  int fds[2] = {-1, -1};
  socket_pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0); }
  ~socket_pair() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
};

TEST(ToolProtocol, RequestRoundTripKeepsEveryByte) {
  socket_pair pair;
  const tool_request sent{{"relation-set", "key=value with spaces", "--file", "-"}, std::string("line\n\xff\x00", 7),
                          "/var/lib/juju/agents/unit-app-0/charm"};
  write_all(pair.fds[0], encode_request(sent));
  const tool_request got = read_request(pair.fds[1]);
  EXPECT_EQ(got.argv, sent.argv);
  EXPECT_EQ(got.stdin_data, sent.stdin_data);
  EXPECT_EQ(got.cwd, sent.cwd);
}

TEST(ToolProtocol, ReplyRoundTripKeepsExitCodeAndStreams) {
  socket_pair pair;
  write_all(pair.fds[0], encode_reply({2, "out\n", "ERROR bad\n"}));
  const tool_reply got = read_reply(pair.fds[1]);
  EXPECT_EQ(got.exit_code, 2);
  EXPECT_EQ(got.stdout_text, "out\n");
  EXPECT_EQ(got.stderr_text, "ERROR bad\n");
}

TEST(ToolProtocol, TruncatedRequestIsAProtocolError) {
  socket_pair pair;
  const std::string whole = encode_request({{"status-set", "active"}, "", "/"});
  write_all(pair.fds[0], whole.substr(0, whole.size() - 3));
  ::close(pair.fds[0]);
  pair.fds[0] = -1;
  EXPECT_THROW(read_request(pair.fds[1]), protocol_error);
}

TEST(ToolProtocol, WrongMagicIsAProtocolError) {
  socket_pair pair;
  write_all(pair.fds[0], "HTTP/1.1 GET /\r\n\r\n");
  EXPECT_THROW(read_request(pair.fds[1]), protocol_error);
}

TEST(ToolProtocol, OnlyFileDashReadsStdin) {
  EXPECT_TRUE(reads_stdin({"relation-set", "--file", "-"}));
  EXPECT_TRUE(reads_stdin({"state-set", "--file=-"}));
  EXPECT_FALSE(reads_stdin({"relation-set", "--file", "/tmp/x.yaml"}));
  EXPECT_FALSE(reads_stdin({"status-set", "active", "-"}));
  EXPECT_FALSE(reads_stdin({"juju-log", "--file"}));
}

}  // namespace
}  // namespace scenario::cli
