#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace fbl::runtime {

// SIGTERM/SIGINT request shutdown; SIGHUP runs the reload hooks. Create it
// first in main(), before any thread starts, so every thread inherits the
// blocked signal mask and only the watcher thread receives them.
class Signals {
 public:
  static std::unique_ptr<Signals> Install();
  ~Signals();

  bool stopping() const { return stopping_.load(); }
  // Blocks until shutdown is requested.
  void Wait();
  // Blocks until shutdown is requested or `timeout` passes; true if stopping.
  bool WaitFor(absl::Duration timeout);
  // Requests shutdown as a signal would.
  void RequestStop();
  // Adds a hook run on every SIGHUP, on the watcher thread.
  void OnReload(std::function<void()> hook);

 private:
  Signals() = default;
  void Loop();

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> reload_hooks_;  // guarded by mu_
  std::thread watcher_;
};

}  // namespace fbl::runtime
