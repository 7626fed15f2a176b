#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"

namespace scenario::pebble {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string boundary = "0123456789abcdef0123456789abcdef";

struct reply {
  int status;
  std::string content_type;
  std::string raw;
  json body;
};

reply send(session& s, request r) {
  auto resp = handle(s, r);
  reply out{resp.status, resp.content_type, resp.body, nullptr};
  if (resp.content_type == "application/json") out.body = json::parse(resp.body);
  return out;
}

reply get(session& s, std::map<std::string, std::string> query) {
  return send(s, request{"GET", "/v1/files", std::move(query), "", ""});
}

reply post_json(session& s, json body) {
  return send(s, request{"POST", "/v1/files", {}, "application/json", body.dump()});
}

// The body ops' push builds: a "request" JSON part, then one "files" part per file.
reply push(session& s, json files_meta, const std::vector<std::pair<std::string, std::string>>& contents) {
  std::string body = "--" + boundary +
                     "\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n" +
                     json{{"action", "write"}, {"files", files_meta}}.dump() + "\r\n";
  for (const auto& [path, data] : contents) {
    body += "--" + boundary +
            "\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" +
            path + "\"\r\n\r\n" + data + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  return send(s, request{"POST", "/v1/files", {}, "multipart/form-data; boundary=\"" + boundary + "\"", body});
}

// Splits a pull response into its file content (if any) and its JSON "response" part.
std::pair<std::optional<std::string>, json> parse_pull(const reply& r, const std::string& path) {
  auto b = r.content_type.substr(r.content_type.find("boundary=") + 9);
  std::optional<std::string> content;
  json meta;
  std::string delim = "--" + b;
  size_t pos = r.raw.find(delim) + delim.size();
  while (r.raw.compare(pos, 2, "--") != 0) {
    pos += 2;
    size_t hend = r.raw.find("\r\n\r\n", pos);
    std::string headers = r.raw.substr(pos, hend - pos);
    size_t next = r.raw.find("\r\n" + delim, hend + 4);
    std::string data = r.raw.substr(hend + 4, next - hend - 4);
    if (headers.find("name=\"files\"; filename=\"" + path + "\"") != std::string::npos) content = data;
    if (headers.find("name=\"response\"") != std::string::npos) meta = json::parse(data);
    pos = next + 2 + delim.size();
  }
  return {content, meta};
}

state::file_entry file(std::string path, std::string content, bool dir = false) {
  state::file_entry f;
  f.path = std::move(path);
  f.content = std::move(content);
  f.is_dir = dir;
  return f;
}

TEST(ApiFiles, PushWritesIntoContainerFiles) {
  state::container c;
  c.files.push_back(file("/etc", "", true));
  c.files.back().user = "app";  // the container knows the user and group "app"
  c.files.back().group = "app";
  session s(c);
  auto r = push(s, json::array({{{"path", "/etc/app.conf"}, {"permissions", "600"}, {"user", "app"}, {"group", "app"}}}),
                {{"/etc/app.conf", "key=value\n"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0], (json{{"path", "/etc/app.conf"}}));
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files[1].path, "/etc/app.conf");
  EXPECT_EQ(c.files[1].content, "key=value\n");
  EXPECT_EQ(c.files[1].permissions, 0600);
  EXPECT_EQ(c.files[1].user, "app");
  // overwrite keeps one entry
  push(s, json::array({{{"path", "/etc/app.conf"}}}), {{"/etc/app.conf", "v2"}});
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files[1].content, "v2");
  EXPECT_EQ(c.files[1].permissions, 0644);
}

// Follows Pebble's internals/daemon/api_files.go (writeFile: normalizeUidGid first) and
// internals/osutil/user.go (NormalizeUidGid, with Go's os/user errors), canonical/pebble v1.32.1.
// The container knows root and the owners its State's files and the plan's services name.
TEST(ApiFiles, PushAndMakeDirLookTheOwnerUpAsPebbleDoes) {
  state::container c;
  c.files.push_back(file("/srv", "", true));
  c.files.back().user = "web";
  c.files.back().user_id = 1000;
  c.files.back().group = "www";
  session s(c);
  auto message = [&](json item) {
    item["path"] = "/srv/f";
    auto r = push(s, json::array({item}), {{"/srv/f", "x"}});
    const json& result = r.body["result"][0];
    return result.contains("error") ? result["error"]["message"].get<std::string>() : std::string("ok");
  };
  EXPECT_EQ(message({{"user", "bob"}}), "cannot look up user and group: user: unknown user bob");
  EXPECT_EQ(message({{"user", "web"}, {"group", "staff"}}), "cannot look up user and group: group: unknown group staff");
  EXPECT_EQ(message({{"user", "web"}, {"user-id", 1001}}),
            "cannot look up user and group: user \"web\" UID (1000) does not match user-id (1001)");
  EXPECT_EQ(message({{"user-id", 4242}}), "cannot look up user and group: user: unknown userid 4242");
  EXPECT_EQ(message({{"group", "www"}}), "cannot look up user and group: must specify user, not just group");
  EXPECT_EQ(message({{"user", "web"}, {"group", "www"}}), "ok");
  EXPECT_EQ(message({{"user", "root"}}), "ok");
  EXPECT_EQ(message({{"user-id", 1000}}), "ok");
  // A service's user counts too.
  c.layers.emplace_back("svc", json{{"services", {{"db", {{"override", "replace"}, {"command", "/db"}, {"user", "postgres"}}}}}});
  EXPECT_EQ(message({{"user", "postgres"}}), "ok");
  auto r = post_json(s, {{"action", "make-dirs"}, {"dirs", json::array({{{"path", "/srv/d"}, {"user", "nobody"}}})}});
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "cannot look up user and group: user: unknown user nobody");
}

TEST(ApiFiles, CompatibleSessionWritesForAnUnknownOwnerWithADivergence) {
  state::container c;
  c.name = "workload";
  std::vector<std::string> divergences;
  session s(c, nullptr, session_options{false, &divergences});
  auto r = push(s, json::array({{{"path", "/f"}, {"user", "bob"}}}), {{"/f", "x"}});
  EXPECT_FALSE(r.body["result"][0].contains("error")) << r.body.dump();
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].user, "bob");
  ASSERT_EQ(divergences.size(), 1u);
  EXPECT_NE(divergences[0].find("push /f: Pebble answers \"cannot look up user and group: user: unknown user bob\""),
            std::string::npos) << divergences[0];
}

// Follows Pebble's internals/daemon/api_files.go (writeFile -> atomicWriteChown) and
// internals/osutil/io.go (NewAtomicFile: os.CreateTemp beside the target, then a rename onto
// it), canonical/pebble v1.32.1.
TEST(ApiFiles, PushOntoADirectoryOrUnderAFileUsesPebblesAtomicWriteWording) {
  state::container c;
  session s(c);
  push(s, json::array({{{"path", "/srv/data/x"}, {"make-dirs", true}}}), {{"/srv/data/x", "x"}});
  auto r = push(s, json::array({{{"path", "/srv/data"}}}), {{"/srv/data", "y"}});
  EXPECT_EQ(r.body["result"][0]["error"]["kind"], "generic-file-error");
  std::string message = r.body["result"][0]["error"]["message"];
  EXPECT_EQ(message.rfind("rename /srv/data.", 0), 0u) << message;
  EXPECT_TRUE(message.ends_with("~ /srv/data: is a directory")) << message;
  r = push(s, json::array({{{"path", "/srv/data/x/y"}}}), {{"/srv/data/x/y", "z"}});
  message = r.body["result"][0]["error"]["message"];
  EXPECT_EQ(message.rfind("open /srv/data/x/y.", 0), 0u) << message;
  EXPECT_TRUE(message.ends_with("~: not a directory")) << message;
  // The same path always gets the same temporary name, so runs are reproducible.
  EXPECT_EQ(push(s, json::array({{{"path", "/srv/data/x/y"}}}), {{"/srv/data/x/y", "z"}})
                .body["result"][0]["error"]["message"],
            message);
}

TEST(ApiFiles, PushNeedsParentUnlessMakeDirs) {
  state::container c;
  session s(c);
  auto r = push(s, json::array({{{"path", "/a/b/c.txt"}}}), {{"/a/b/c.txt", "x"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["result"][0]["error"]["kind"], "not-found");
  // Pebble's atomic write (internals/osutil/io.go, NewAtomicFile) names its temporary file.
  std::string message = r.body["result"][0]["error"]["message"];
  EXPECT_EQ(message.rfind("open /a/b/c.txt.", 0), 0u) << message;
  EXPECT_TRUE(message.ends_with("~: no such file or directory")) << message;
  EXPECT_TRUE(c.files.empty());
  r = push(s, json::array({{{"path", "/a/b/c.txt"}, {"make-dirs", true}}}), {{"/a/b/c.txt", "x"}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
  ASSERT_EQ(c.files.size(), 3u);  // /a, /a/b, the file
  EXPECT_TRUE(c.files[0].is_dir);
  EXPECT_EQ(c.files[0].path, "/a");
  EXPECT_EQ(c.files[1].path, "/a/b");
}

TEST(ApiFiles, PushErrorsPerItem) {
  state::container c;
  session s(c);
  auto r = push(s, json::array({{{"path", "relative.txt"}}, {{"path", "/x.txt"}, {"permissions", "99"}}, {{"path", "/none"}}}),
                {{"relative.txt", "x"}, {"/x.txt", "y"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "paths must be absolute, got \"relative.txt\"");
  EXPECT_EQ(r.body["result"][0]["error"]["kind"], "generic-file-error");
  EXPECT_EQ(r.body["result"][1]["error"]["message"], "permissions must be a 3-digit octal string, got \"99\"");
  EXPECT_EQ(r.body["result"][2]["error"]["message"], "no file content for path \"/none\"");
  auto bad = send(s, request{"POST", "/v1/files", {}, "multipart/form-data; boundary=short", ""});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["result"]["message"], "invalid boundary \"short\"");
}

TEST(ApiFiles, PullReturnsMultipartWithFileAndResponse) {
  state::container c;
  c.files.push_back(file("/etc/app.conf", std::string("bin\0ary\r\n", 9)));
  session s(c);
  auto r = get(s, {{"action", "read"}, {"path", "/etc/app.conf"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.content_type.rfind("multipart/form-data; boundary=", 0), 0u);
  auto [content, meta] = parse_pull(r, "/etc/app.conf");
  ASSERT_TRUE(content.has_value());
  EXPECT_EQ(*content, std::string("bin\0ary\r\n", 9));
  EXPECT_EQ(meta["type"], "sync");
  EXPECT_EQ(meta["result"][0], (json{{"path", "/etc/app.conf"}}));
}

TEST(ApiFiles, PullMissingFileOrDirectoryIsAPathError) {
  state::container c;
  c.files.push_back(file("/etc/app.conf", "x"));
  session s(c);
  auto [content, meta] = parse_pull(get(s, {{"action", "read"}, {"path", "/etc/missing"}}), "/etc/missing");
  EXPECT_FALSE(content.has_value());
  EXPECT_EQ(meta["result"][0]["error"]["kind"], "not-found");
  EXPECT_EQ(meta["result"][0]["error"]["message"], "stat /etc/missing: no such file or directory");
  auto [c2, meta2] = parse_pull(get(s, {{"action", "read"}, {"path", "/etc"}}), "/etc");
  EXPECT_FALSE(c2.has_value());
  EXPECT_EQ(meta2["result"][0]["error"]["kind"], "generic-file-error");
  EXPECT_EQ(meta2["result"][0]["error"]["message"], "can only read a regular file: \"/etc\"");
}

TEST(ApiFiles, ListDirectoryItselfPatternAndMissing) {
  state::container c;
  c.files.push_back(file("/etc/app.conf", "12345"));
  c.files.push_back(file("/etc/other.txt", "x"));
  c.files.push_back(file("/etc/sub/deep.txt", "x"));
  session s(c);
  auto r = get(s, {{"action", "list"}, {"path", "/etc"}});
  ASSERT_EQ(r.status, 200);
  auto result = r.body["result"];
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0]["path"], "/etc/app.conf");
  EXPECT_EQ(result[0]["name"], "app.conf");
  EXPECT_EQ(result[0]["type"], "file");
  EXPECT_EQ(result[0]["size"], 5);
  EXPECT_EQ(result[0]["permissions"], "644");
  EXPECT_EQ(result[2]["path"], "/etc/sub");
  EXPECT_EQ(result[2]["type"], "directory");
  EXPECT_FALSE(result[2].contains("size"));
  r = get(s, {{"action", "list"}, {"path", "/etc"}, {"pattern", "*.txt"}});
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0]["name"], "other.txt");
  r = get(s, {{"action", "list"}, {"path", "/etc"}, {"itself", "true"}});
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0]["path"], "/etc");
  EXPECT_EQ(r.body["result"][0]["type"], "directory");
  r = get(s, {{"action", "list"}, {"path", "/nope"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["result"]["kind"], "not-found");
  EXPECT_EQ(r.body["result"]["message"], "stat /nope: no such file or directory");
  r = get(s, {{"action", "list"}, {"path", "etc"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["result"]["message"], "path must be absolute, got \"etc\"");
  r = get(s, {{"action", "frobnicate"}});
  EXPECT_EQ(r.body["result"]["message"], "invalid action \"frobnicate\"");
}

TEST(ApiFiles, MakeDirsWithAndWithoutParents) {
  state::container c;
  session s(c);
  auto r = post_json(s, {{"action", "make-dirs"}, {"dirs", {{{"path", "/a/b"}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["kind"], "not-found");
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "mkdir /a/b: no such file or directory");
  r = post_json(s, {{"action", "make-dirs"}, {"dirs", {{{"path", "/a/b"}, {"make-parents", true}, {"permissions", "700"}}}}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files[1].path, "/a/b");
  EXPECT_EQ(c.files[1].permissions, 0700);
  r = post_json(s, {{"action", "make-dirs"}, {"dirs", {{{"path", "/a/b"}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["kind"], "generic-file-error");
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "mkdir /a/b: file exists");
  // make-parents tolerates an existing directory
  r = post_json(s, {{"action", "make-dirs"}, {"dirs", {{{"path", "/a/b"}, {"make-parents", true}}}}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
}

TEST(ApiFiles, RemoveFilesAndDirectories) {
  state::container c;
  c.files.push_back(file("/d/one", "1"));
  c.files.push_back(file("/d/two", "2"));
  c.files.push_back(file("/keep", "k"));
  session s(c);
  auto r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/d"}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "remove /d: directory not empty");
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/missing"}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["kind"], "not-found");
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "remove /missing: no such file or directory");
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/missing"}, {"recursive", true}}}}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/d/one"}}}}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
  EXPECT_EQ(c.files.size(), 2u);
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/d"}, {"recursive", true}}}}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].path, "/keep");
  r = post_json(s, {{"action", "write"}});
  EXPECT_EQ(r.body["result"]["message"], "must use multipart with \"write\" action");
}

TEST(ApiFiles, ReadFileAnswersWhatAPullGets) {
  fs::path host = fs::temp_directory_path() / ("pebble-api-read-file-" + std::to_string(::getpid()));
  fs::remove_all(host);
  fs::create_directories(host / "sub");
  std::ofstream(host / "sub" / "f.txt") << "from host";
  state::container c;
  c.files.push_back(file("/etc/a", "text"));
  c.files.push_back(file("/d", "", true));
  c.mounts["data"] = state::mount{"/data", host.string()};
  session s(c);
  EXPECT_EQ(std::get<std::string>(read_file(s, "/etc/a")), "text");
  EXPECT_EQ(std::get<std::string>(read_file(s, "/data/sub/f.txt")), "from host");
  for (const std::string path : {"/etc/a", "/data/sub/f.txt", "/nope", "/d", "/data/sub"}) {
    auto [content, meta] = parse_pull(get(s, {{"action", "read"}, {"path", path}}), path);
    auto got = read_file(s, path);
    if (content) {
      EXPECT_EQ(std::get<std::string>(got), *content) << path;
    } else {
      EXPECT_EQ(std::get<json>(got), meta["result"][0]["error"]) << path;
    }
  }
  EXPECT_EQ(std::get<json>(read_file(s, "/nope"))["kind"], "not-found");
  EXPECT_EQ(std::get<json>(read_file(s, "/d"))["message"], "can only read a regular file: \"/d\"");
  fs::remove_all(host);
}

TEST(ApiFiles, MountAtIsTheLongestMountLocationHoldingThePath) {
  state::container c;
  c.mounts["data"] = state::mount{"/data/", "/host/data"};
  c.mounts["deep"] = state::mount{"/data/deep", "/host/deep"};
  EXPECT_EQ(mount_at(c, "/data"), "data");
  EXPECT_EQ(mount_at(c, "/data/x"), "data");
  EXPECT_EQ(mount_at(c, "/data//deep/./er"), "deep");
  EXPECT_EQ(mount_at(c, "/database"), std::nullopt);
  EXPECT_EQ(mount_at(c, "/"), std::nullopt);
  c.mounts["root"] = state::mount{"/", "/host/root"};
  EXPECT_EQ(mount_at(c, "/etc/x"), "root");
}

TEST(ApiFiles, MountsUseTheHostDirectory) {
  fs::path host = fs::temp_directory_path() / ("pebble-api-mount-" + std::to_string(::getpid()));
  fs::remove_all(host);
  fs::create_directories(host);
  std::ofstream(host / "existing.txt") << "from host";
  state::container c;
  c.mounts["data"] = state::mount{"/data", host.string()};
  session s(c);
  auto [content, meta] = parse_pull(get(s, {{"action", "read"}, {"path", "/data/existing.txt"}}), "/data/existing.txt");
  ASSERT_TRUE(content.has_value());
  EXPECT_EQ(*content, "from host");
  auto r = push(s, json::array({{{"path", "/data/new/file.txt"}, {"make-dirs", true}}}), {{"/data/new/file.txt", "written"}});
  EXPECT_FALSE(r.body["result"][0].contains("error")) << r.body.dump();
  std::ifstream in(host / "new" / "file.txt");
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), "written");
  EXPECT_TRUE(c.files.empty());  // mounted files are not in the in-memory filesystem
  r = get(s, {{"action", "list"}, {"path", "/data"}});
  ASSERT_EQ(r.body["result"].size(), 2u);
  EXPECT_EQ(r.body["result"][0]["path"], "/data/existing.txt");
  EXPECT_EQ(r.body["result"][1]["type"], "directory");
  // the mount point shows up when listing its parent
  r = get(s, {{"action", "list"}, {"path", "/"}});
  ASSERT_EQ(r.body["result"].size(), 1u);
  EXPECT_EQ(r.body["result"][0]["path"], "/data");
  auto [missing, meta2] = parse_pull(get(s, {{"action", "read"}, {"path", "/data/nope"}}), "/data/nope");
  EXPECT_EQ(meta2["result"][0]["error"]["kind"], "not-found");
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/data/new"}, {"recursive", true}}}}});
  EXPECT_FALSE(r.body["result"][0].contains("error"));
  EXPECT_FALSE(fs::exists(host / "new"));
  fs::remove_all(host);
}


// A host directory for one test's mount, with a sibling "outside" directory a symlink may aim
// at; both go when the test ends.
class mount_dirs {
 public:
  mount_dirs() {
    std::string tmpl = (fs::temp_directory_path() / "pebble-mount-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data());
    fs::create_directories(src());
    fs::create_directories(outside());
  }
  ~mount_dirs() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path src() const { return root_ / "src"; }
  fs::path outside() const { return root_ / "outside"; }

 private:
  fs::path root_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream got;
  got << in.rdbuf();
  return got.str();
}

// Runs `call` on another thread; if it has not returned within 10 s it is blocked on `fifo`,
// which is then opened from here to let it go, and the test fails instead of hanging.
template <class Fn>
reply without_blocking(const fs::path& fifo, Fn call) {
  auto done = std::async(std::launch::async, call);
  if (done.wait_for(std::chrono::seconds(10)) == std::future_status::timeout) {
    int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
    done.wait();
    ::close(fd);
    ADD_FAILURE() << "the request blocked on the FIFO " << fifo;
  }
  return done.get();
}

TEST(ApiFilesMount, PullOfAFifoIsRefusedWithoutBlocking) {
  mount_dirs dirs;
  ASSERT_EQ(::mkfifo((dirs.src() / "pipe").c_str(), 0644), 0);
  state::container c;
  c.mounts["data"] = state::mount{"/data", dirs.src().string()};
  session s(c);
  auto r = without_blocking(dirs.src() / "pipe", [&] { return get(s, {{"action", "read"}, {"path", "/data/pipe"}}); });
  auto [content, meta] = parse_pull(r, "/data/pipe");
  EXPECT_FALSE(content.has_value());
  EXPECT_EQ(meta["result"][0]["error"]["kind"], "generic-file-error");
  EXPECT_EQ(meta["result"][0]["error"]["message"], "can only read a regular file: \"/data/pipe\"");
}

TEST(ApiFilesMount, PushOntoAFifoReplacesItAsPebblesAtomicWriteDoes) {
  mount_dirs dirs;
  ASSERT_EQ(::mkfifo((dirs.src() / "pipe").c_str(), 0644), 0);
  state::container c;
  c.mounts["data"] = state::mount{"/data", dirs.src().string()};
  session s(c);
  auto r = without_blocking(dirs.src() / "pipe", [&] {
    return push(s, json::array({{{"path", "/data/pipe"}}}), {{"/data/pipe", "now a file"}});
  });
  EXPECT_FALSE(r.body["result"][0].contains("error")) << r.body.dump();
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dirs.src() / "pipe")));
  EXPECT_EQ(slurp(dirs.src() / "pipe"), "now a file");
  EXPECT_EQ(std::distance(fs::directory_iterator(dirs.src()), fs::directory_iterator()), 1);  // no temp left
}

TEST(ApiFilesMount, SymlinksOutOfTheMountAreNotFollowed) {
  mount_dirs dirs;
  std::ofstream(dirs.outside() / "secret") << "host only";
  fs::create_symlink(dirs.outside() / "secret", dirs.src() / "absolute");
  fs::create_symlink("../outside/secret", dirs.src() / "relative");
  fs::create_directory_symlink("../outside", dirs.src() / "dir");
  state::container c;
  c.mounts["data"] = state::mount{"/data", dirs.src().string()};
  session s(c);
  for (const std::string path : {"/data/absolute", "/data/relative", "/data/dir/secret"}) {
    auto [content, meta] = parse_pull(get(s, {{"action", "read"}, {"path", path}}), path);
    EXPECT_FALSE(content.has_value()) << path;
    std::string message = meta["result"][0]["error"]["message"];
    EXPECT_NE(message.find("leads out of mount \"data\""), std::string::npos) << message;
  }
  auto r = push(s, json::array({{{"path", "/data/dir/planted"}}}), {{"/data/dir/planted", "x"}});
  EXPECT_NE(r.body["result"][0]["error"]["message"].get<std::string>().find("leads out of mount"), std::string::npos);
  EXPECT_FALSE(fs::exists(dirs.outside() / "planted"));
  r = push(s, json::array({{{"path", "/data/dir/deep/planted"}, {"make-dirs", true}}}), {{"/data/dir/deep/planted", "x"}});
  EXPECT_TRUE(r.body["result"][0].contains("error"));
  EXPECT_FALSE(fs::exists(dirs.outside() / "deep"));
  r = get(s, {{"action", "list"}, {"path", "/data/dir"}});
  EXPECT_EQ(r.status, 400) << r.raw;
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/data/dir/secret"}}}}});
  EXPECT_TRUE(r.body["result"][0].contains("error"));
  EXPECT_EQ(slurp(dirs.outside() / "secret"), "host only");
}

TEST(ApiFilesMount, SymlinksInsideTheMountAreFollowedAndPushReplacesALink) {
  mount_dirs dirs;
  fs::create_directories(dirs.src() / "real");
  std::ofstream(dirs.src() / "real" / "f") << "inside";
  fs::create_directory_symlink("real", dirs.src() / "alias");
  fs::create_symlink("../real/f", dirs.src() / "real" / "up-and-back");
  state::container c;
  c.mounts["data"] = state::mount{"/data", dirs.src().string()};
  session s(c);
  for (const std::string path : {"/data/alias/f", "/data/real/up-and-back"}) {
    auto [content, meta] = parse_pull(get(s, {{"action", "read"}, {"path", path}}), path);
    ASSERT_TRUE(content.has_value()) << meta.dump();
    EXPECT_EQ(*content, "inside");
  }
  // Pebble's atomic write renames over a symlink at the target instead of writing through it.
  auto r = push(s, json::array({{{"path", "/data/real/up-and-back"}}}), {{"/data/real/up-and-back", "new"}});
  EXPECT_FALSE(r.body["result"][0].contains("error")) << r.body.dump();
  EXPECT_FALSE(fs::is_symlink(dirs.src() / "real" / "up-and-back"));
  EXPECT_EQ(slurp(dirs.src() / "real" / "f"), "inside");
}

TEST(ApiFilesMount, AMountPointIsNeverRemoved) {
  mount_dirs dirs;
  fs::create_directories(dirs.src() / "sub");
  std::ofstream(dirs.src() / "sub" / "f") << "x";
  fs::create_directory_symlink("../outside", dirs.src() / "link");
  std::ofstream(dirs.outside() / "kept") << "x";
  state::container c;
  c.mounts["data"] = state::mount{"/data", dirs.src().string()};
  session s(c);
  auto r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/data"}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "remove /data: device or resource busy");
  EXPECT_TRUE(fs::exists(dirs.src() / "sub" / "f"));
  // As Go's os.RemoveAll in a container: the contents go, the mount point stays and is reported.
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/data"}, {"recursive", true}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "unlinkat //data: device or resource busy");
  EXPECT_TRUE(fs::is_directory(dirs.src()));
  EXPECT_TRUE(fs::is_empty(dirs.src()));
  EXPECT_TRUE(fs::exists(dirs.outside() / "kept"));  // the link went, not what it points at
}

TEST(ApiFilesMount, AFileMountIsReadWrittenAndNeverRemoved) {
  mount_dirs dirs;
  std::ofstream(dirs.src() / "config.yaml") << "a: 1";
  state::container c;
  c.mounts["config"] = state::mount{"/etc/app/config.yaml", (dirs.src() / "config.yaml").string()};
  session s(c);
  auto [content, meta] = parse_pull(get(s, {{"action", "read"}, {"path", "/etc/app/config.yaml"}}), "/etc/app/config.yaml");
  ASSERT_TRUE(content.has_value()) << meta.dump();
  EXPECT_EQ(*content, "a: 1");
  auto r = push(s, json::array({{{"path", "/etc/app/config.yaml"}}}), {{"/etc/app/config.yaml", "a: 2"}});
  EXPECT_FALSE(r.body["result"][0].contains("error")) << r.body.dump();
  EXPECT_EQ(slurp(dirs.src() / "config.yaml"), "a: 2");
  r = post_json(s, {{"action", "remove"}, {"paths", {{{"path", "/etc/app/config.yaml"}, {"recursive", true}}}}});
  EXPECT_EQ(r.body["result"][0]["error"]["message"], "unlinkat /etc/app/config.yaml: device or resource busy");
  EXPECT_TRUE(fs::exists(dirs.src() / "config.yaml"));
}

}  // namespace
}  // namespace scenario::pebble
