// CPU sharing between the Pebble server thread and the threads that call into it
// (server::cpu_share says why), with Linux's per-thread affinity calls. Elsewhere every call
// reports failure, so a share does nothing, as server.hpp promises.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>

#if defined(__linux__)
#include <sched.h>
#include <sys/types.h>
#endif

namespace scenario::pebble {

// Thread ids rather than pthread handles: ending a share from another thread after the caller
// has exited then fails with ESRCH instead of touching a freed handle.
#if defined(__linux__)
using os_thread_id = pid_t;
using cpu_mask = cpu_set_t;
#else
using os_thread_id = long;
struct cpu_mask {};
#endif

class cpu_sharing {
 public:
  // A caller's CPU set from before its share, restored when the share ends.
  struct caller_cpus {
    os_thread_id thread = 0;
    cpu_mask cpus;
  };

  // Names the calling thread as the served one (the server thread, once it runs).
  void serve_current_thread();
  // Keeps the caller and the served thread on the caller's current CPU; nullopt (and nothing
  // changed) when affinity cannot be read or set, or the served thread may not use that CPU.
  std::optional<caller_cpus> begin();
  // Restores the caller's CPU set, and the served thread's once no share is left.
  void end(const caller_cpus& caller);

 private:
  std::atomic<os_thread_id> served_thread_ = 0;
  std::mutex mu_;  // guards the two below
  int shares_ = 0;
  cpu_mask served_cpus_before_shares_;  // while no share lives
};

}  // namespace scenario::pebble
