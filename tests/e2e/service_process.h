#pragma once
// Runs a real service binary for end-to-end tests: starts it with a config
// file and environment overrides, waits for its ready file, and stops it with
// SIGTERM (or SIGKILL to simulate a crash).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace fbl::testing {

class ServiceProcess {
 public:
  // `env` entries are added to the current environment (e.g. FBL__KAFKA__BROKERS).
  ServiceProcess(std::string binary, std::vector<std::string> args,
                 std::map<std::string, std::string> env, std::string work_dir)
      : binary_(std::move(binary)), args_(std::move(args)), env_(std::move(env)),
        work_dir_(std::move(work_dir)) {}
  ~ServiceProcess() { Kill(); }

  // Starts the process; true once its ready file appeared (within `timeout`).
  bool Start(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    ready_file_ = work_dir_ + "/ready.json";
    log_file_ = work_dir_ + "/service.log";
    std::remove(ready_file_.c_str());
    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv(*e);
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env_) env[k] = v;
    env["FBL__SERVER__READY_FILE"] = ready_file_;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings = {binary_};
    argv_strings.insert(argv_strings.end(), args_.begin(), args_.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(ready_file_);
      if (in) {
        auto j = nlohmann::json::parse(in, nullptr, false);
        if (!j.is_discarded()) {
          grpc_port_ = j.value("grpc_port", 0);
          metrics_port_ = j.value("metrics_port", 0);
          return true;
        }
      }
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // SIGTERM and wait; returns the exit status (-1 if it had to be killed).
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Kill();
    return -1;
  }

  // SIGKILL: a crash, no cleanup.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string grpc_address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  std::string Log() const {
    std::ifstream in(log_file_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> env_;
  std::string work_dir_;
  std::string ready_file_;
  std::string log_file_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

// Runs a shell command, returning its exit code and stdout+stderr.
inline std::pair<int, std::string> RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}


// Sum of every sample of metric `name` on the service's /metrics at `port`
// whose labels contain all of `label_parts`; -1 if unreachable.
inline double Metric(int port, const std::string& name, const std::vector<std::string>& label_parts = {}) {
  auto [code, out] = RunCommand("curl -sf http://127.0.0.1:" + std::to_string(port) + "/metrics");
  if (code != 0) return -1;
  double sum = 0;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size() ||
        (line[name.size()] != '{' && line[name.size()] != ' ')) {
      continue;
    }
    bool all = true;
    for (const auto& p : label_parts) all = all && line.find(p) != std::string::npos;
    if (all) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

// VmRSS (kB) of the process listening on `port` (found with ss); -1 if none.
inline long RssKbOfPort(int port) {
  auto [code, out] = RunCommand("ss -ltnpH 'sport = :" + std::to_string(port) + "'");
  auto at = out.find("pid=");
  if (code != 0 || at == std::string::npos) return -1;
  std::ifstream status("/proc/" + std::to_string(std::atoi(out.c_str() + at + 4)) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace fbl::testing
