// The only file that includes curl.h.
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/notifier/transport.h"

namespace fbl::notifier {
namespace {

constexpr size_t kMaxResponseBytes = 64 * 1024;

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends to the list; its head stays the same once it exists.
bool Append(Slist& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) return false;
  if (!list) list.reset(head);
  return true;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t bytes = size * n;
  if (out->size() < kMaxResponseBytes) out->append(data, std::min(bytes, kMaxResponseBytes - out->size()));
  return bytes;
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, len);
  up->pos += len;
  return len;
}

absl::Status FromCurl(CURLcode code, const char* errbuf, const std::string& what) {
  const std::string detail = absl::StrCat(what, ": ", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(detail);
    case CURLE_LOGIN_DENIED:
      return absl::PermissionDeniedError(detail);
    default:
      return absl::UnavailableError(detail);
  }
}

void CommonOptions(CURL* c, const std::string& url, absl::Duration timeout, char* errbuf) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  const long ms = static_cast<long>(std::max<int64_t>(absl::ToInt64Milliseconds(timeout), 1));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
}

class CurlTransport final : public Transport {
 public:
  absl::StatusOr<HttpResponse> Post(const HttpRequest& request) override {
    Easy c(curl_easy_init());
    if (!c) return absl::ResourceExhaustedError("curl_easy_init failed");
    char errbuf[CURL_ERROR_SIZE] = {0};
    CommonOptions(c.get(), request.url, request.timeout, errbuf);
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    Slist headers;
    for (const auto& [k, v] : request.headers) {
      if (!Append(headers, absl::StrCat(k, ": ", v))) return absl::ResourceExhaustedError("out of memory");
    }
    // No "Expect: 100-continue" round trip.
    if (!Append(headers, "Expect:")) return absl::ResourceExhaustedError("out of memory");
    curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    HttpResponse response;
    curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &response.body);
    const CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK) return FromCurl(rc, errbuf, "POST");
    long status = 0;
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

  absl::Status SendMail(const MailRequest& request) override {
    Easy c(curl_easy_init());
    if (!c) return absl::ResourceExhaustedError("curl_easy_init failed");
    char errbuf[CURL_ERROR_SIZE] = {0};
    CommonOptions(c.get(), request.smtp_url, request.timeout, errbuf);
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (request.require_tls) curl_easy_setopt(c.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!request.username.empty()) {
      curl_easy_setopt(c.get(), CURLOPT_USERNAME, request.username.c_str());
      curl_easy_setopt(c.get(), CURLOPT_PASSWORD, request.password.c_str());
    }
    const std::string from = absl::StrCat("<", request.from, ">");
    curl_easy_setopt(c.get(), CURLOPT_MAIL_FROM, from.c_str());
    Slist rcpt;
    for (const auto& to : request.to) {
      if (!Append(rcpt, absl::StrCat("<", to, ">"))) return absl::ResourceExhaustedError("out of memory");
    }
    curl_easy_setopt(c.get(), CURLOPT_MAIL_RCPT, rcpt.get());
    Upload upload{&request.message};
    curl_easy_setopt(c.get(), CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(c.get(), CURLOPT_READDATA, &upload);
    curl_easy_setopt(c.get(), CURLOPT_UPLOAD, 1L);
    const CURLcode rc = curl_easy_perform(c.get());
    if (rc == CURLE_OK) return absl::OkStatus();
    long reply = 0;
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &reply);
    if (reply >= 500 && reply < 600 && rc != CURLE_LOGIN_DENIED) {
      return absl::FailedPreconditionError(
          absl::StrCat("SMTP ", reply, ": ", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc)));
    }
    return FromCurl(rc, errbuf, absl::StrCat("SMTP", reply > 0 ? absl::StrCat(" ", reply) : ""));
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> CreateCurlTransport() {
  static std::once_flag once;
  static CURLcode init = CURLE_OK;
  std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) return absl::InternalError(absl::StrCat("curl_global_init: ", curl_easy_strerror(init)));
  return std::unique_ptr<Transport>(new CurlTransport());
}

}  // namespace fbl::notifier
