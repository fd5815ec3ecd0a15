#pragma once
// A minimal HTTP/1.1 receiver for notifier tests: listens on a free loopback
// port, records every request (method, path, headers, body) and answers with
// a status chosen per request. Requests to a "held" path are recorded at once
// but answered only when released, so a test can catch the notifier
// mid-send. One request per connection; bounded (64 connections at a time,
// 1 MiB per request, 10 s socket timeouts).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace fbl::testing {

class HttpReceiver {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::chrono::system_clock::time_point received_at;  // when the whole request had arrived
    std::string Header(const std::string& name) const {
      auto it = headers.find(absl::AsciiStrToLower(name));
      return it == headers.end() ? "" : it->second;
    }
  };
  // Status and body for a request; the default answers 200 {"errcode":0}.
  using Responder = std::function<std::pair<int, std::string>(const Request&)>;

  HttpReceiver() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listen_fd_, 64) != 0) {
      return;
    }
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~HttpReceiver() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      held_.clear();
    }
    cv_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> handlers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handlers.swap(handlers_);
    }
    for (auto& t : handlers) t.join();
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  void SetResponder(Responder responder) {
    std::lock_guard<std::mutex> lock(mu_);
    responder_ = std::move(responder);
  }
  // Requests to `path` wait for Release() before they are answered.
  void Hold(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    held_.insert(path);
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_.clear();
    }
    cv_.notify_all();
  }

  std::vector<Request> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<Request> RequestsTo(const std::string& path) const {
    std::vector<Request> out;
    for (auto& r : Requests()) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }

 private:
  void AcceptLoop() {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{10, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      std::lock_guard<std::mutex> lock(mu_);
      if (active_ >= 64) {
        close(fd);
        continue;
      }
      ++active_;
      handlers_.emplace_back([this, fd] {
        Handle(fd);
        close(fd);
        std::lock_guard<std::mutex> l(mu_);
        --active_;
      });
    }
  }

  void Handle(int fd) {
    constexpr size_t kMax = 1 << 20;
    std::string data;
    char buf[8192];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos && data.size() < kMax) {
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      header_end = data.find("\r\n\r\n");
    }
    if (header_end == std::string::npos) return;
    Request req;
    size_t line_end = data.find("\r\n");
    const std::string request_line = data.substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return;
    req.method = request_line.substr(0, sp1);
    req.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end + 2;
    while (pos < header_end) {
      line_end = data.find("\r\n", pos);
      const std::string line = data.substr(pos, line_end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        req.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
            std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      }
      pos = line_end + 2;
    }
    size_t length = 0;
    if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
      if (!absl::SimpleAtoi(it->second, &length) || length > kMax) return;
    }
    req.body = data.substr(header_end + 4);
    while (req.body.size() < length) {
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      req.body.append(buf, static_cast<size_t>(n));
    }
    std::pair<int, std::string> answer = {200, R"({"errcode":0,"errmsg":"ok"})"};
    {
      std::unique_lock<std::mutex> lock(mu_);
      req.received_at = std::chrono::system_clock::now();
      requests_.push_back(req);
      if (responder_) answer = responder_(req);
      cv_.wait(lock, [&] { return stopping_ || !held_.contains(req.path); });
    }
    const std::string response = "HTTP/1.1 " + std::to_string(answer.first) + " X\r\nContent-Type: application/json" +
                                 "\r\nContent-Length: " + std::to_string(answer.second.size()) +
                                 "\r\nConnection: close\r\n\r\n" + answer.second;
    size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int active_ = 0;
  std::set<std::string> held_;
  Responder responder_;
  std::vector<Request> requests_;
  std::vector<std::thread> handlers_;
};

}  // namespace fbl::testing
