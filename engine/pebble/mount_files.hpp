// Host file I/O under a mount's host directory, confined to it: no path resolves out of `src`
// (symlinks are followed only while they stay beneath it; ".." never climbs above it), and
// no call blocks (FIFOs and devices are refused or replaced, never opened for I/O).
#pragma once

#include <sys/stat.h>

#include <string>
#include <variant>
#include <vector>

namespace scenario::pebble::detail {

// An owned file descriptor.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  ~unique_fd();
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Where a path under a mount lies: an open directory and a name in it ("." for the directory
// itself). Failures are errno values; EXDEV means the path would leave the mount.
struct mount_target {
  unique_fd dir;
  std::string name;
};

// Resolves `rel` (components below the mount point, "" for the mount point itself) beneath
// the host directory or file `src`. `follow_last`: a symlink as the last component is followed
// (within the mount) rather than returned as itself.
std::variant<mount_target, int> resolve_beneath(const std::string& src, const std::string& rel,
                                                bool follow_last);

// Host file operations on a resolved target; each returns 0 or an errno value.
int stat_target(const mount_target& t, struct stat& st);  // does not follow a final symlink
// The content of a regular file (the caller has checked the type: the file is opened
// non-blocking, and a file that turned into something else meanwhile is refused with EINVAL).
int read_regular(const mount_target& t, std::string& content);
// An existing regular file is rewritten in place (a test holding it open sees the content, as
// with ops-scenario 3.1); anything else is written as Pebble writes: a temporary file renamed
// over the target, so a FIFO, device or symlink there is replaced, never opened.
int write_file(const mount_target& t, const std::string& content, mode_t perm);
int make_directory(const mount_target& t, mode_t perm);
// os.Remove: the file or empty directory.
int remove_one(const mount_target& t);
// os.RemoveAll: the target and everything beneath it, never following a symlink.
int remove_tree(const mount_target& t);
// The contents of the directory at `t` (sorted), without "." and "..".
int list_names(const mount_target& t, std::vector<std::string>& names);

}  // namespace scenario::pebble::detail
