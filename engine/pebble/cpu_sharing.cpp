#include "engine/pebble/cpu_sharing.hpp"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace scenario::pebble {

namespace {

#if defined(__linux__)
// The syscall rather than gettid(), which glibc has only since 2.30.
os_thread_id current_thread_id() { return static_cast<os_thread_id>(syscall(SYS_gettid)); }
int current_cpu() { return sched_getcpu(); }
bool read_cpus(os_thread_id thread, cpu_mask& cpus) {
  return sched_getaffinity(thread, sizeof cpus, &cpus) == 0;
}
bool write_cpus(os_thread_id thread, const cpu_mask& cpus) {
  return sched_setaffinity(thread, sizeof cpus, &cpus) == 0;
}
cpu_mask only_cpu(int cpu) {
  cpu_mask one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return one;
}
bool has_cpu(const cpu_mask& cpus, int cpu) { return CPU_ISSET(cpu, &cpus); }
#else
os_thread_id current_thread_id() { return 0; }
int current_cpu() { return -1; }
bool read_cpus(os_thread_id, cpu_mask&) { return false; }
bool write_cpus(os_thread_id, const cpu_mask&) { return false; }
cpu_mask only_cpu(int) { return {}; }
bool has_cpu(const cpu_mask&, int) { return false; }
#endif

}  // namespace

void cpu_sharing::serve_current_thread() { served_thread_ = current_thread_id(); }

std::optional<cpu_sharing::caller_cpus> cpu_sharing::begin() {
  const os_thread_id served = served_thread_;
  const int cpu = current_cpu();
  caller_cpus caller;
  caller.thread = current_thread_id();
  if (served == 0 || cpu < 0 || !read_cpus(caller.thread, caller.cpus)) return std::nullopt;
  const cpu_mask one = only_cpu(cpu);
  std::lock_guard lock(mu_);
  const bool first = shares_ == 0;
  if (first && !read_cpus(served, served_cpus_before_shares_)) return std::nullopt;
  if (!has_cpu(served_cpus_before_shares_, cpu) || !write_cpus(served, one)) return std::nullopt;
  if (!write_cpus(caller.thread, one)) {
    if (first) write_cpus(served, served_cpus_before_shares_);
    return std::nullopt;
  }
  ++shares_;
  return caller;
}

void cpu_sharing::end(const caller_cpus& caller) {
  write_cpus(caller.thread, caller.cpus);
  std::lock_guard lock(mu_);
  if (--shares_ == 0) write_cpus(served_thread_, served_cpus_before_shares_);
}

}  // namespace scenario::pebble
