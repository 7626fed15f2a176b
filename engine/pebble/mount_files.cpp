#include "engine/pebble/mount_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <random>

#include <fmt/format.h>

namespace scenario::pebble::detail {

namespace {

// Linux's limit on symlinks followed while resolving one path (ELOOP beyond it).
constexpr int max_symlinks = 40;

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

int last_errno() { return errno != 0 ? errno : EIO; }

std::variant<std::string, int> read_link(int dir, const std::string& name) {
  std::string target(4096, '\0');
  ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
  if (n < 0) return last_errno();
  target.resize(static_cast<std::size_t>(n));
  return target;
}

// The mount point itself, for a mount whose src is a file: its parent directory and name.
std::variant<mount_target, int> file_mount_target(const std::string& src) {
  auto slash = src.rfind('/');
  std::string parent = slash == 0 ? "/" : src.substr(0, slash);
  unique_fd dir(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return last_errno();
  return mount_target{std::move(dir), src.substr(slash + 1)};
}

}  // namespace

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

// One walk on every kernel (rather than openat2's RESOLVE_BENEATH where it exists): the same
// rules everywhere, and every step is an *at() call on an open directory with O_NOFOLLOW, so
// a path swapped for a symlink meanwhile fails instead of escaping.
std::variant<mount_target, int> resolve_beneath(const std::string& src, const std::string& rel,
                                                bool follow_last) {
  struct stat root_st {};
  if (::stat(src.c_str(), &root_st) != 0) return last_errno();
  std::deque<std::string> pending = components(rel);
  if (!S_ISDIR(root_st.st_mode)) {
    if (pending.empty()) return file_mount_target(src);
    return ENOTDIR;
  }
  // Directories from the mount's root down; ".." pops one, so it never climbs above the root.
  std::vector<unique_fd> stack;
  stack.emplace_back(::open(src.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (stack.back().get() < 0) return last_errno();
  int links = 0;
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      if (stack.size() == 1) return EXDEV;
      stack.pop_back();
      continue;
    }
    const int top = stack.back().get();
    const bool last = pending.empty();
    struct stat st {};
    if (::fstatat(top, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int err = last_errno();
      if (last && err == ENOENT) return mount_target{unique_fd(::dup(top)), name};  // to create
      return err;
    }
    if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
      if (++links > max_symlinks) return ELOOP;
      auto target = read_link(top, name);
      if (auto* err = std::get_if<int>(&target)) return *err;
      const std::string& text = std::get<std::string>(target);
      if (text.empty() || text[0] == '/') return EXDEV;  // absolute: the host's root, not the mount's
      auto expanded = components(text);
      pending.insert(pending.begin(), expanded.begin(), expanded.end());
      continue;
    }
    if (last) return mount_target{unique_fd(::dup(top)), name};
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    unique_fd next(::openat(top, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) return last_errno();
    stack.push_back(std::move(next));
  }
  return mount_target{unique_fd(::dup(stack.back().get())), "."};
}

int stat_target(const mount_target& t, struct stat& st) {
  return ::fstatat(t.dir.get(), t.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : last_errno();
}

int read_regular(const mount_target& t, std::string& content) {
  unique_fd fd(::openat(t.dir.get(), t.name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return last_errno();
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_errno();
  if (!S_ISREG(st.st_mode)) return EINVAL;
  content.clear();
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_errno();
    if (n == 0) return 0;
    content.append(buf, static_cast<std::size_t>(n));
  }
}

namespace {

int write_all(int fd, const std::string& content) {
  const char* data = content.data();
  std::size_t left = content.size();
  int err = 0;
  while (left > 0 && err == 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = last_errno();
    else {
      data += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  return err;
}

}  // namespace

int write_file(const mount_target& t, const std::string& content, mode_t perm) {
  struct stat st {};
  const bool exists = stat_target(t, st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return EISDIR;
  if (exists && S_ISREG(st.st_mode)) {
    unique_fd fd(::openat(t.dir.get(), t.name.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) return last_errno();
    if (::fstat(fd.get(), &st) != 0) return last_errno();
    if (!S_ISREG(st.st_mode)) return EINVAL;
    if (int err = write_all(fd.get(), content)) return err;
    return ::fchmod(fd.get(), perm) == 0 ? 0 : last_errno();
  }
  std::random_device rd;
  // Pebble's temporary name: the target's, a random suffix and "~", in the same directory.
  std::string tmp = fmt::format("{}.{:08x}~", t.name, rd());
  unique_fd fd(::openat(t.dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return last_errno();
  int err = write_all(fd.get(), content);
  if (err == 0 && ::fchmod(fd.get(), perm) != 0) err = last_errno();
  if (err == 0 && ::renameat(t.dir.get(), tmp.c_str(), t.dir.get(), t.name.c_str()) != 0) err = last_errno();
  if (err != 0) ::unlinkat(t.dir.get(), tmp.c_str(), 0);
  return err;
}

int make_directory(const mount_target& t, mode_t perm) {
  if (::mkdirat(t.dir.get(), t.name.c_str(), perm) != 0) return last_errno();
  // mkdir applies the umask; Pebble sets the asked permissions afterwards.
  return ::fchmodat(t.dir.get(), t.name.c_str(), perm, 0) == 0 ? 0 : last_errno();
}

int remove_one(const mount_target& t) {
  if (::unlinkat(t.dir.get(), t.name.c_str(), 0) == 0) return 0;
  int unlink_err = last_errno();
  if (::unlinkat(t.dir.get(), t.name.c_str(), AT_REMOVEDIR) == 0) return 0;
  int rmdir_err = last_errno();
  // As Go's os.Remove: rmdir's error is the real one unless the path is not a directory.
  return rmdir_err == ENOTDIR ? unlink_err : rmdir_err;
}

int remove_tree(const mount_target& t) {
  struct stat st {};
  if (int err = stat_target(t, st)) return err == ENOENT ? 0 : err;
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    if (int err = list_names(t, names)) return err;
    unique_fd dir(::openat(t.dir.get(), t.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.get() < 0) return last_errno();
    for (const auto& name : names) {
      mount_target child{unique_fd(::dup(dir.get())), name};
      if (int err = remove_tree(child)) return err;
    }
    if (::unlinkat(t.dir.get(), t.name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return last_errno();
    return 0;
  }
  if (::unlinkat(t.dir.get(), t.name.c_str(), 0) != 0 && errno != ENOENT) return last_errno();
  return 0;
}

int list_names(const mount_target& t, std::vector<std::string>& names) {
  int fd = ::openat(t.dir.get(), t.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return last_errno();
  DIR* dir = ::fdopendir(fd);  // owns fd from here
  if (dir == nullptr) {
    int err = last_errno();
    ::close(fd);
    return err;
  }
  names.clear();
  while (const dirent* de = ::readdir(dir)) {
    std::string name = de->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return 0;
}

}  // namespace scenario::pebble::detail
