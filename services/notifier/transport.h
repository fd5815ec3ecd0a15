#pragma once
// Outbound requests of the channels: HTTP POST and SMTP mail. The interface
// keeps channels testable and libcurl out of every other header.
//
// Errors (retryable unless said otherwise):
//   UNAVAILABLE         cannot connect, connection reset, SMTP 4xx
//   DEADLINE_EXCEEDED   the request's timeout passed
//   INVALID_ARGUMENT    bad URL or protocol (permanent)
//   PERMISSION_DENIED   SMTP login refused (permanent)
//   FAILED_PRECONDITION SMTP 5xx, e.g. recipient refused (permanent)
// An HTTP answer of any status is not an error here; channels judge it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::notifier {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Duration timeout = absl::Seconds(5);
};

struct HttpResponse {
  int status = 0;
  std::string body;  // at most 64 KiB are kept
};

struct MailRequest {
  std::string smtp_url;  // smtp://host:port or smtps://
  std::string from;
  std::vector<std::string> to;
  std::string message;  // RFC 5322, CRLF line ends
  std::string username;
  std::string password;
  bool require_tls = false;
  absl::Duration timeout = absl::Seconds(10);
};

class Transport {
 public:
  virtual ~Transport() = default;
  [[nodiscard]] virtual absl::StatusOr<HttpResponse> Post(const HttpRequest& request) = 0;
  [[nodiscard]] virtual absl::Status SendMail(const MailRequest& request) = 0;
};

// libcurl, one easy handle per request (thread-safe, no signals, no
// redirects followed, http/https and smtp/smtps only).
[[nodiscard]] absl::StatusOr<std::unique_ptr<Transport>> CreateCurlTransport();

}  // namespace fbl::notifier
