// Files: GET /v1/files (read, list), POST /v1/files (multipart write, make-dirs, remove).
// Paths under a mount's location are real files in the mount's host directory; all others live
// in container.files, where a directory exists if listed or if anything lies beneath it.
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <random>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <variant>

#include <fmt/format.h>

#include "engine/pebble/api_detail.hpp"
#include "engine/pebble/mount_files.hpp"

namespace scenario::pebble::detail {

namespace {

// A per-path failure, with Pebble's error kind (not-found, permission-denied, generic-file-error).
struct file_error {
  error_kind kind;
  std::string message;
};

using maybe_error = std::optional<file_error>;

file_error generic(std::string message) { return {error_kind::generic_file_error, std::move(message)}; }

// Go's wording of an errno ("no such file or directory"), with Pebble's kind for it.
file_error os_error(const std::string& op, const std::string& path, int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  const error_kind kind = err == ENOENT                   ? error_kind::not_found
                          : (err == EACCES || err == EPERM) ? error_kind::permission_denied
                                                            : error_kind::generic_file_error;
  return {kind, fmt::format("{} {}: {}", op, path, text)};
}

// Pebble writes a pushed file atomically (internals/osutil/io.go, NewAtomicFile: os.CreateTemp
// of "<name>.*~" beside the target, then a rename onto it), so a push fails with the temporary
// file's name: under a missing parent `open <path>.<n>~: no such file or directory`, onto a
// directory `rename <path>.<n>~ <path>: is a directory`. Go puts a random number at <n>; a
// stable one derived from the path (FNV-1a) keeps runs reproducible.
file_error atomic_write_error(const std::string& path, int err) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char ch : path) hash = (hash ^ ch) * 16777619u;
  const std::string temp = fmt::format("{}.{}~", path, hash);
  if (err == EISDIR) {
    file_error e = os_error("rename", temp, err);
    e.message = fmt::format("rename {} {}: is a directory", temp, path);
    return e;
  }
  return os_error("open", temp, err);
}

file_error not_regular(const std::string& path) { return generic(fmt::format("can only read a regular file: \"{}\"", path)); }

file_error non_absolute(const std::string& path) { return generic(fmt::format("paths must be absolute, got \"{}\"", path)); }

// An owner member of a request item or a plan entry ("user", "user-id", ...): absent, null, of
// another type, or (for names) empty all mean "not given".
std::optional<std::string> text_member(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) return std::nullopt;
  return j[key].get<std::string>();
}

std::optional<int> int_member(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer()) return std::nullopt;
  return j[key].get<int>();
}

json error_json(const file_error& e) { return {{"kind", error_kind_name(e.kind)}, {"message", e.message}}; }

// Cleans like Go's path.Clean: no "//", ".", ".." or trailing "/".
std::string clean(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& clean_path) {
  auto slash = clean_path.rfind('/');
  return slash == 0 ? "/" : clean_path.substr(0, slash);
}

std::string base_name(const std::string& clean_path) {
  return clean_path == "/" ? "/" : clean_path.substr(clean_path.rfind('/') + 1);
}

bool is_under(const std::string& path, const std::string& dir) {
  if (dir == "/") return path != "/";
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// The mount a (clean) container path lies in (longest location wins), and the path below it.
struct mounted {
  std::string name;
  const state::mount* mount;
  std::string rel;  // "" for the mount point itself
};

std::optional<mounted> find_mount(const state::container& c, const std::string& p) {
  std::optional<mounted> best;
  std::string best_loc;
  for (const auto& [name, m] : c.mounts) {
    std::string loc = clean(m.location);
    if ((p == loc || is_under(p, loc)) && (!best || loc.size() >= best_loc.size())) {
      best = mounted{name, &m, p.substr(loc == "/" ? 1 : std::min(p.size(), loc.size() + 1))};
      best_loc = loc;
    }
  }
  return best;
}

// The container's files, as one filesystem over container.files and the mounts.
class filesystem {
 public:
  filesystem(state::container& c, std::string mtime) : c_(c), mtime_(std::move(mtime)) {}

  std::optional<mounted> mount_of(const std::string& p) const { return find_mount(c_, p); }

  // The host file of a mounted path, resolved without leaving the mount's host directory.
  static std::variant<mount_target, file_error> resolve(const mounted& m, const std::string& op,
                                                        const std::string& path, bool follow_last) {
    auto got = resolve_beneath(m.mount->src, m.rel, follow_last);
    if (auto* err = std::get_if<int>(&got)) return mount_error(m, op, path, *err);
    return std::move(std::get<mount_target>(got));
  }

  static file_error mount_error(const mounted& m, const std::string& op, const std::string& path, int err) {
    if (err != EXDEV) return os_error(op, path, err);
    return generic(fmt::format(
        "{} {}: the path leads out of mount \"{}\" (host directory {}) through a symlink or \"..\"; "
        "Scenario serves a mount's host directory and follows no link out of it: make the link "
        "relative and keep its target inside the mount",
        op, path, m.name, m.mount->src));
  }

  // stat(2) of a mounted path, following a final symlink inside the mount.
  static std::optional<struct stat> host_stat(const mounted& m) {
    auto got = resolve_beneath(m.mount->src, m.rel, true);
    struct stat st {};
    if (auto* t = std::get_if<mount_target>(&got); t && stat_target(*t, st) == 0) return st;
    return std::nullopt;
  }

  state::file_entry* entry(const std::string& p) {
    for (auto& f : c_.files)
      if (clean(f.path) == p) return &f;
    return nullptr;
  }

  bool is_dir(const std::string& p) {
    if (auto m = mount_of(p)) {
      auto st = host_stat(*m);
      return st && S_ISDIR(st->st_mode);
    }
    if (p == "/") return true;
    if (auto* e = entry(p)) return e->is_dir;
    for (const auto& f : c_.files)
      if (is_under(clean(f.path), p)) return true;
    for (const auto& [name, m] : c_.mounts)
      if (is_under(clean(m.location), p)) return true;
    return false;
  }

  bool exists(const std::string& p) {
    if (auto m = mount_of(p)) return host_stat(*m).has_value();
    return entry(p) || is_dir(p);
  }

  std::variant<std::string, file_error> read(const std::string& path) {
    if (path.empty() || path[0] != '/') return non_absolute(path);
    std::string p = clean(path);
    if (auto m = mount_of(p)) {
      auto target = resolve(*m, "stat", path, true);
      if (auto* err = std::get_if<file_error>(&target)) return *err;
      const auto& t = std::get<mount_target>(target);
      struct stat st {};
      if (int err = stat_target(t, st)) return os_error("stat", path, err);
      // Pebble reads only regular files; a FIFO or device could block the server forever.
      if (!S_ISREG(st.st_mode)) return not_regular(path);
      std::string content;
      if (int err = read_regular(t, content)) return err == EINVAL ? not_regular(path) : os_error("open", path, err);
      return content;
    }
    if (auto* e = entry(p); e && !e->is_dir) return e->content;
    if (is_dir(p)) return not_regular(path);
    return os_error("stat", path, ENOENT);
  }

  std::variant<json, file_error> list(const std::string& path, const std::string& pattern, bool itself) {
    std::string p = clean(path);
    if (auto m = mount_of(p)) {  // a path leading out of the mount says so, not "not found"
      auto target = resolve(*m, "stat", path, true);
      if (auto* err = std::get_if<file_error>(&target)) return *err;
    }
    if (!exists(p)) return os_error("stat", path, ENOENT);
    std::vector<std::string> names;  // children of p to report, or p itself
    std::string dir = p;
    if (!is_dir(p) || itself) {
      names.push_back(base_name(p));
      dir = parent_of(p);
    } else if (auto m = mount_of(p)) {
      auto target = resolve(*m, "open", path, true);
      if (auto* err = std::get_if<file_error>(&target)) return *err;
      if (int err = list_names(std::get<mount_target>(target), names)) return os_error("open", path, err);
    } else {
      std::set<std::string> children;
      auto add = [&](const std::string& q) {
        if (!is_under(q, p)) return;
        std::string rest = q.substr(p == "/" ? 1 : p.size() + 1);
        children.insert(rest.substr(0, rest.find('/')));
      };
      for (const auto& f : c_.files) add(clean(f.path));
      for (const auto& [name, m] : c_.mounts) add(clean(m.location));
      names.assign(children.begin(), children.end());
    }
    std::sort(names.begin(), names.end());
    json out = json::array();
    for (const auto& name : names) {
      if (!pattern.empty()) {
        int rc = ::fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME);
        if (rc != 0 && rc != FNM_NOMATCH) return generic("syntax error in pattern");
        if (rc == FNM_NOMATCH) continue;
      }
      std::string full = dir == "/" ? (name == "/" ? "/" : "/" + name) : dir + "/" + name;
      out.push_back(info(full));
    }
    return out;
  }

  maybe_error write(const json& item, const std::string& content) {
    std::string path = item.value("path", "");
    if (path.empty() || path[0] != '/') return non_absolute(path);
    std::string p = clean(path);
    if (item.value("make-dirs", false)) {
      if (auto err = mkdir_all(parent_of(p), 0755, item)) {
        err->message = "cannot create directory: " + err->message;
        return err;
      }
    }
    int perm = 0644;
    if (auto err = parse_permissions(item.value("permissions", ""), perm)) return err;
    if (auto m = mount_of(p)) {
      // Pebble does not follow a symlink at the target: its atomic write replaces the link.
      auto target = resolve(*m, "open", path, false);
      if (auto* err = std::get_if<file_error>(&target)) return *err;
      if (int err = write_file(std::get<mount_target>(target), content, static_cast<mode_t>(perm)))
        return err == ENOENT || err == ENOTDIR || err == EISDIR ? atomic_write_error(p, err)
                                                                 : os_error("open", path, err);
      return std::nullopt;
    }
    std::string parent = parent_of(p);
    if (!exists(parent)) return atomic_write_error(p, ENOENT);
    if (!is_dir(parent)) return atomic_write_error(p, ENOTDIR);
    if (is_dir(p)) return atomic_write_error(p, EISDIR);
    state::file_entry* e = entry(p);
    if (!e) {
      c_.files.push_back(state::file_entry{});
      e = &c_.files.back();
      e->path = p;
    }
    e->content = content;
    e->is_dir = false;
    e->permissions = perm;
    set_owner(*e, item);
    return std::nullopt;
  }

  maybe_error make_dir(const json& item) {
    std::string path = item.value("path", "");
    if (path.empty() || path[0] != '/') return non_absolute(path);
    int perm = 0755;
    if (auto err = parse_permissions(item.value("permissions", ""), perm)) return err;
    std::string p = clean(path);
    if (item.value("make-parents", false)) return mkdir_all(p, perm, item);
    return mkdir_one(p, perm, item, false);
  }

  maybe_error remove(const std::string& path, bool recursive) {
    if (path.empty() || path[0] != '/') return non_absolute(path);
    std::string p = clean(path);
    if (auto m = mount_of(p)) {
      auto target = resolve(*m, "remove", path, false);
      if (auto* err = std::get_if<file_error>(&target)) return *err;
      const auto& t = std::get<mount_target>(target);
      if (m->rel.empty()) return remove_mount_point(t, path, recursive);
      int err = recursive ? remove_tree(t) : remove_one(t);
      if (err != 0) return os_error("remove", path, err);
      return std::nullopt;
    }
    if (!exists(p)) {
      if (recursive) return std::nullopt;  // RemoveAll of nothing succeeds
      return os_error("remove", path, ENOENT);
    }
    bool has_children = false;
    for (const auto& f : c_.files) has_children |= is_under(clean(f.path), p);
    for (const auto& [name, m] : c_.mounts) has_children |= is_under(clean(m.location), p);
    if (has_children && !recursive) return os_error("remove", path, ENOTEMPTY);
    std::erase_if(c_.files, [&](const state::file_entry& f) {
      std::string q = clean(f.path);
      return q == p || (recursive && is_under(q, p));
    });
    return std::nullopt;
  }

 private:
  // In a container a mount point cannot go (rmdir and unlink answer EBUSY); Pebble's RemoveAll
  // empties it first, then reports the mount point, as Go's os.RemoveAll words it.
  static maybe_error remove_mount_point(const mount_target& t, const std::string& path, bool recursive) {
    if (!recursive) return os_error("remove", path, EBUSY);
    struct stat st {};
    if (stat_target(t, st) == 0 && S_ISDIR(st.st_mode)) {
      std::vector<std::string> names;
      if (int err = list_names(t, names)) return os_error("open", path, err);
      unique_fd dir(::openat(t.dir.get(), t.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      for (const auto& name : names) {
        if (int err = remove_tree(mount_target{unique_fd(::dup(dir.get())), name}))
          return os_error("unlinkat", path + "/" + name, err);
      }
    }
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    auto slash = trimmed.rfind('/');
    std::string go_path = (slash == 0 ? "/" : trimmed.substr(0, slash)) + "/" + trimmed.substr(slash + 1);
    return os_error("unlinkat", go_path, EBUSY);
  }

  static maybe_error parse_permissions(const std::string& text, int& perm) {
    if (text.empty()) return std::nullopt;
    bool ok = text.size() == 3 && std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '7'; });
    if (!ok) return generic(fmt::format("permissions must be a 3-digit octal string, got \"{}\"", text));
    perm = std::stoi(text, nullptr, 8);
    return std::nullopt;
  }

  static void set_owner(state::file_entry& e, const json& item) {
    e.user = text_member(item, "user");
    e.group = text_member(item, "group");
    e.user_id = int_member(item, "user-id");
    e.group_id = int_member(item, "group-id");
  }

  maybe_error mkdir_one(const std::string& p, int perm, const json& item, bool exist_ok) {
    if (auto m = mount_of(p)) {
      if (auto st = host_stat(*m)) {
        if (S_ISDIR(st->st_mode) && exist_ok) return std::nullopt;
        return os_error("mkdir", p, S_ISDIR(st->st_mode) ? EEXIST : ENOTDIR);
      }
      auto target = resolve(*m, "mkdir", p, false);
      if (auto* err = std::get_if<file_error>(&target)) return *err;
      if (int err = make_directory(std::get<mount_target>(target), static_cast<mode_t>(perm)))
        return os_error("mkdir", p, err);
      return std::nullopt;
    }
    if (exists(p)) {
      if (is_dir(p) && exist_ok) return std::nullopt;
      return os_error("mkdir", p, is_dir(p) ? EEXIST : ENOTDIR);
    }
    std::string parent = parent_of(p);
    if (!exists(parent)) return os_error("mkdir", p, ENOENT);
    if (!is_dir(parent)) return os_error("mkdir", p, ENOTDIR);
    state::file_entry e;
    e.path = p;
    e.is_dir = true;
    e.permissions = perm;
    set_owner(e, item);
    c_.files.push_back(std::move(e));
    return std::nullopt;
  }

  maybe_error mkdir_all(const std::string& p, int perm, const json& item) {
    if (p == "/") return std::nullopt;
    if (exists(p)) return is_dir(p) ? std::nullopt : maybe_error(os_error("mkdir", p, ENOTDIR));
    if (auto err = mkdir_all(parent_of(p), perm, item)) return err;
    return mkdir_one(p, perm, item, true);
  }

  json info(const std::string& full) {
    json out = {{"path", full}, {"name", base_name(full)}};
    if (auto m = mount_of(full)) {
      struct stat st {};
      auto target = resolve_beneath(m->mount->src, m->rel, false);
      if (auto* t = std::get_if<mount_target>(&target); t && stat_target(*t, st) == 0) {
        out["type"] = S_ISDIR(st.st_mode) ? "directory" : S_ISLNK(st.st_mode) ? "symlink" : S_ISREG(st.st_mode) ? "file" : "unknown";
        if (S_ISREG(st.st_mode)) out["size"] = static_cast<long long>(st.st_size);
        out["permissions"] = fmt::format("{:03o}", st.st_mode & 0777);
        out["last-modified"] = state::format_rfc3339_utc(st.st_mtime);
        out["user-id"] = st.st_uid;
        out["group-id"] = st.st_gid;
        out["user"] = user_name(st.st_uid);
        out["group"] = group_name(st.st_gid);
        return out;
      }
    }
    auto* e = entry(full);
    bool dir = !e || e->is_dir;
    out["type"] = dir ? "directory" : "file";
    if (!dir) out["size"] = e->content.size();
    out["permissions"] = fmt::format("{:03o}", e ? e->permissions & 0777 : 0755);
    out["last-modified"] = mtime_;
    // Without ownership in the State, files belong to root, as files Pebble writes do.
    auto id_of = [](const std::optional<int>& id, const std::optional<std::string>& name) -> json {
      if (id) return *id;
      if (name && *name != "root") return nullptr;
      return 0;
    };
    out["user-id"] = e ? id_of(e->user_id, e->user) : json(0);
    out["user"] = e && e->user ? *e->user : "root";
    out["group-id"] = e ? id_of(e->group_id, e->group) : json(0);
    out["group"] = e && e->group ? *e->group : "root";
    return out;
  }

  static std::string user_name(uid_t uid) {
    struct passwd pw {};
    struct passwd* res = nullptr;
    std::vector<char> buf(4096);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) == 0 && res) return res->pw_name;
    return "";
  }

  static std::string group_name(gid_t gid) {
    struct group gr {};
    struct group* res = nullptr;
    std::vector<char> buf(4096);
    if (::getgrgid_r(gid, &gr, buf.data(), buf.size(), &res) == 0 && res) return res->gr_name;
    return "";
  }

  state::container& c_;
  std::string mtime_;
};

// ---- multipart/form-data ----

struct part {
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Parameters of a header value such as `form-data; name="files"; filename="/a \"b\""`.
std::map<std::string, std::string> header_params(const std::string& value) {
  std::map<std::string, std::string> out;
  size_t i = value.find(';');
  out[""] = value.substr(0, i);
  while (i != std::string::npos && i < value.size()) {
    ++i;
    while (i < value.size() && value[i] == ' ') ++i;
    size_t eq = value.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = value.substr(i, eq - i);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });
    i = eq + 1;
    std::string val;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        val += value[i];
      }
      i = value.find(';', i);
    } else {
      size_t end = value.find(';', i);
      val = value.substr(i, end == std::string::npos ? std::string::npos : end - i);
      while (!val.empty() && val.back() == ' ') val.pop_back();
      i = end;
    }
    out[key] = val;
  }
  return out;
}

std::optional<std::vector<part>> parse_multipart(const std::string& body, const std::string& boundary) {
  std::string delim = "--" + boundary;
  std::vector<part> parts;
  size_t pos = body.find(delim);
  if (pos == std::string::npos) return std::nullopt;
  pos += delim.size();
  while (true) {
    if (body.compare(pos, 2, "--") == 0) return parts;
    if (body.compare(pos, 2, "\r\n") != 0) return std::nullopt;
    pos += 2;
    size_t header_end = body.find("\r\n\r\n", pos);
    if (header_end == std::string::npos) return std::nullopt;
    part pt;
    std::stringstream hs(body.substr(pos, header_end - pos));
    std::string line;
    while (std::getline(hs, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      pt.headers[name] = value;
    }
    size_t content = header_end + 4;
    size_t next = body.find("\r\n" + delim, content);
    if (next == std::string::npos) return std::nullopt;
    pt.body = body.substr(content, next - content);
    parts.push_back(std::move(pt));
    pos = next + 2 + delim.size();
  }
}

std::string quote_param(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

std::string random_boundary() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 30; ++i) out += fmt::format("{:02x}", rd() & 0xff);
  return out;
}

std::string file_mtime(const session& s) { return s.started_at().substr(0, 19) + "Z"; }

response read_response(session& s, const std::string& path) {
  auto got = read_file(s, path);
  std::string boundary = random_boundary();
  std::string body;
  json result_item = {{"path", path}};
  if (auto* content = std::get_if<std::string>(&got)) {
    body += "--" + boundary + "\r\n";
    body += fmt::format("Content-Disposition: form-data; name=\"files\"; filename=\"{}\"\r\n", quote_param(path));
    body += "Content-Type: application/octet-stream\r\n\r\n";
    body += *content + "\r\n";
  } else {
    result_item["error"] = std::get<json>(got);
  }
  json meta = {{"type", "sync"}, {"status-code", 200}, {"status", "OK"}, {"result", json::array({result_item})}};
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"response\"\r\nContent-Type: application/json\r\n\r\n";
  body += meta.dump() + "\n\r\n";
  body += "--" + boundary + "--\r\n";
  return response{200, "multipart/form-data; boundary=" + boundary, body};
}

json results_json(const std::vector<std::pair<std::string, maybe_error>>& results) {
  json out = json::array();
  for (const auto& [path, err] : results) {
    json item = {{"path", path}};
    if (err) item["error"] = error_json(*err);
    out.push_back(item);
  }
  return out;
}

// The users and groups the container knows: root (0), and every owner the State's files and the
// plan's services name (with its id when given). A State cannot list /etc/passwd otherwise.
struct known_owners {
  std::map<std::string, std::optional<int>> users{{"root", 0}};
  std::map<std::string, std::optional<int>> groups{{"root", 0}};
  std::set<int> user_ids{0};

  void add(const std::optional<std::string>& user, std::optional<int> uid,
           const std::optional<std::string>& group, std::optional<int> gid) {
    if (user && !user->empty()) {
      auto& id = users[*user];
      if (!id) id = uid;
    }
    if (group && !group->empty()) {
      auto& id = groups[*group];
      if (!id) id = gid;
    }
    if (uid) user_ids.insert(*uid);
  }
};

known_owners owners_of(session& s) {
  known_owners known;
  for (const auto& f : s.container().files) known.add(f.user, f.user_id, f.group, f.group_id);
  try {
    const json plan = s.plan();
    for (const auto& [name, svc] : plan["services"].items())
      known.add(text_member(svc, "user"), int_member(svc, "user-id"), text_member(svc, "group"),
                int_member(svc, "group-id"));
  } catch (const plan_error&) {
    // A plan Pebble refuses names no owners; the charm hears about the plan elsewhere.
  }
  return known;
}

// One of NormalizeUidGid's two lookups (kind "user" or "group"): an unknown name is Go's
// os/user error; a known id must match the one given, and replaces it. No name: nothing to do.
std::optional<std::string> look_up_name(const std::map<std::string, std::optional<int>>& known,
                                        const std::string& name, std::optional<int>& id,
                                        std::string_view kind, std::string_view id_label) {
  if (name.empty()) return std::nullopt;
  auto it = known.find(name);
  if (it == known.end()) return fmt::format("{0}: unknown {0} {1}", kind, name);
  if (it->second && id && *id != *it->second)
    return fmt::format("{} \"{}\" {} ({}) does not match {}-id ({})", kind, name, id_label, *it->second, kind, *id);
  if (it->second) id = it->second;
  return std::nullopt;
}

// Pebble's osutil.NormalizeUidGid over the owners the container knows; the error Go's os/user
// lookups give, or none.
std::optional<std::string> owner_lookup_error(const known_owners& known, const json& item) {
  const std::string user = text_member(item, "user").value_or("");
  const std::string group = text_member(item, "group").value_or("");
  std::optional<int> uid = int_member(item, "user-id");
  std::optional<int> gid = int_member(item, "group-id");
  if (user.empty() && group.empty() && !uid && !gid) return std::nullopt;
  const bool has_user = uid || !user.empty();
  const bool has_group = gid || !group.empty();
  if (auto error = look_up_name(known.users, user, uid, "user", "UID")) return error;
  if (auto error = look_up_name(known.groups, group, gid, "group", "GID")) return error;
  // Without a group Pebble takes the user's primary group, looking the user up by id.
  if (!has_group && uid && !known.user_ids.count(*uid)) return fmt::format("user: unknown userid {}", *uid);
  if (!has_user && has_group) return "must specify user, not just group";
  return std::nullopt;
}

// Pebble looks a pushed file's or a new directory's owner up before anything else
// (internals/daemon/api_files.go, writeFile and mkdirAllUserGroup callers) and fails that path
// with "cannot look up user and group: <error>". ops-scenario 3.1 did not look owners up: a
// compatible session writes the path and records a divergence.
maybe_error check_owner(session& s, const known_owners& known, const json& item, std::string_view what) {
  const std::string path = item.value("path", "");
  if (path.empty() || path[0] != '/') return std::nullopt;  // Pebble refuses a relative path first
  auto error = owner_lookup_error(known, item);
  if (!error) return std::nullopt;
  const std::string message = "cannot look up user and group: " + *error;
  if (s.pebble_rule_binds(fmt::format(
          "container {:?}: {} {}: Pebble answers \"{}\" (the container knows root and the owners "
          "its State's files and the plan's services name); done as ops-scenario 3.1 did, which did "
          "not look owners up. Strict mode answers Pebble's error",
          s.container().name, what, path, message)))
    return generic(message);
  return std::nullopt;
}

response write_files(session& s, const request& r, const std::string& boundary) {
  auto parts = parse_multipart(r.body, boundary);
  if (!parts || parts->empty()) return bad_request("cannot read request metadata: multipart: NextPart: EOF");
  auto disposition = [](const part& p) { return header_params(p.headers.count("content-disposition") ? p.headers.at("content-disposition") : ""); };
  auto meta_disp = disposition(parts->front());
  if (meta_disp["name"] != "request")
    return bad_request(fmt::format("metadata field name must be \"request\", got \"{}\"", meta_disp["name"]));
  json meta;
  try {
    meta = json::parse(parts->front().body);
  } catch (const json::parse_error& e) {
    return bad_request(fmt::format("cannot decode request metadata: {}", e.what()));
  }
  std::string action = meta.value("action", "");
  if (action != "write") return bad_request(fmt::format("multipart action must be \"write\", got \"{}\"", action));
  if (!meta.contains("files") || !meta["files"].is_array() || meta["files"].empty())
    return bad_request("must specify one or more files");
  std::map<std::string, json> infos;
  for (const auto& f : meta["files"]) infos[f.value("path", "")] = f;

  filesystem fsys(s.container(), file_mtime(s));
  const known_owners known = owners_of(s);
  std::map<std::string, maybe_error> written;
  for (size_t i = 1; i < parts->size(); ++i) {
    auto disp = disposition((*parts)[i]);
    if (disp["name"] != "files") return bad_request(fmt::format("field name must be \"files\", got \"{}\"", disp["name"]));
    std::string path = disp["filename"];
    auto info = infos.find(path);
    if (info == infos.end()) return bad_request(fmt::format("no metadata for path \"{}\"", path));
    if (auto err = check_owner(s, known, info->second, "push")) {
      written[path] = err;
      continue;
    }
    written[path] = fsys.write(info->second, (*parts)[i].body);
  }
  std::vector<std::pair<std::string, maybe_error>> results;
  for (const auto& f : meta["files"]) {
    std::string path = f.value("path", "");
    auto it = written.find(path);
    if (it == written.end()) results.emplace_back(path, generic(fmt::format("no file content for path \"{}\"", path)));
    else results.emplace_back(path, it->second);
  }
  return sync_response(results_json(results));
}

}  // namespace

response get_files(session& s, const request& r) {
  std::string action = query_value(r, "action");
  if (action == "read") {
    // ops asks for one path per request; a repeated "path" would arrive comma-joined.
    std::string path = query_value(r, "path");
    if (path.empty()) return bad_request("must specify one or more paths");
    return read_response(s, path);
  }
  if (action == "list") {
    std::string path = query_value(r, "path");
    if (path.empty()) return bad_request("must specify path");
    std::string itself = query_value(r, "itself");
    if (itself != "true" && itself != "false" && !itself.empty())
      return bad_request("itself parameter must be \"true\" or \"false\"");
    if (path[0] != '/') return bad_request(fmt::format("path must be absolute, got \"{}\"", path));
    filesystem fsys(s.container(), file_mtime(s));
    auto got = fsys.list(path, query_value(r, "pattern"), itself == "true");
    if (auto* err = std::get_if<file_error>(&got)) {
      if (err->kind == error_kind::not_found) return not_found(err->message, err->kind);
      if (err->kind == error_kind::permission_denied) return forbidden(err->message, err->kind);
      return bad_request(err->message, err->kind);
    }
    return sync_response(std::get<json>(got));
  }
  return invalid_action(action);
}

response post_files(session& s, const request& r) {
  auto params = header_params(r.content_type);
  std::string media = params[""];
  while (!media.empty() && media.back() == ' ') media.pop_back();
  std::transform(media.begin(), media.end(), media.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (media == "multipart/form-data") {
    std::string boundary = params["boundary"];
    if (boundary.size() < 32) return bad_request(fmt::format("invalid boundary \"{}\"", boundary));
    return write_files(s, r, boundary);
  }
  if (media != "application/json") {
    if (media.empty()) return bad_request(fmt::format("invalid Content-Type \"{}\"", r.content_type));
    return bad_request(fmt::format("invalid media type \"{}\"", media));
  }
  json body;
  if (auto bad = decode_body(r, body, "cannot decode request body")) return *bad;
  std::string action = body.value("action", "");
  filesystem fsys(s.container(), file_mtime(s));
  std::vector<std::pair<std::string, maybe_error>> results;
  if (action == "make-dirs") {
    if (body.contains("dirs") && body["dirs"].is_array())
      for (const auto& d : body["dirs"]) {
        maybe_error err = check_owner(s, owners_of(s), d, "make_dir");
        results.emplace_back(d.value("path", ""), err ? err : fsys.make_dir(d));
      }
    return sync_response(results_json(results));
  }
  if (action == "remove") {
    if (body.contains("paths") && body["paths"].is_array())
      for (const auto& p : body["paths"])
        results.emplace_back(p.value("path", ""), fsys.remove(p.value("path", ""), p.value("recursive", false)));
    return sync_response(results_json(results));
  }
  if (action == "write") return bad_request("must use multipart with \"write\" action");
  return invalid_action(action);
}

}  // namespace scenario::pebble::detail

namespace scenario::pebble {

std::variant<std::string, nlohmann::json> read_file(session& s, const std::string& path) {
  detail::filesystem fsys(s.container(), detail::file_mtime(s));
  auto got = fsys.read(path);
  if (auto* content = std::get_if<std::string>(&got)) return std::move(*content);
  return detail::error_json(std::get<detail::file_error>(got));
}

std::optional<std::string> mount_at(const state::container& c, const std::string& path) {
  auto m = detail::find_mount(c, detail::clean(path));
  return m ? std::optional<std::string>(m->name) : std::nullopt;
}

}  // namespace scenario::pebble
