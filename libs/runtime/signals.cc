#include "libs/runtime/signals.h"

#include <pthread.h>
#include <signal.h>

#include "libs/runtime/log.h"

namespace fbl::runtime {
namespace {

sigset_t HandledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);  // used internally to wake the watcher
  return set;
}

}  // namespace

std::unique_ptr<Signals> Signals::Install() {
  sigset_t set = HandledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::unique_ptr<Signals> s(new Signals());
  s->watcher_ = std::thread([raw = s.get()] { raw->Loop(); });
  return s;
}

Signals::~Signals() {
  RequestStop();
  pthread_kill(watcher_.native_handle(), SIGUSR1);
  watcher_.join();
}

void Signals::Loop() {
  sigset_t set = HandledSignals();
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log::Info("SIGHUP: reloading");
      std::vector<std::function<void()>> hooks;
      {
        std::lock_guard lock(mu_);
        hooks = reload_hooks_;
      }
      for (auto& h : hooks) h();
      continue;
    }
    if (sig == SIGTERM || sig == SIGINT) {
      log::Info("shutdown requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      RequestStop();
    }
    if (stopping_) return;
  }
}

void Signals::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_.load(); });
}

bool Signals::WaitFor(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)),
                      [&] { return stopping_.load(); });
}

void Signals::RequestStop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

void Signals::OnReload(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  reload_hooks_.push_back(std::move(hook));
}

}  // namespace fbl::runtime
