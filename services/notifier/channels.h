#pragma once
// The four ways to page a person, over a Transport: signed JSON webhook, SMS
// gateway (HTTP, templated body), e-mail (SMTP) and IM robot webhook.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/notifier/delivery_policy.h"
#include "services/notifier/notifier_config.h"
#include "services/notifier/page.h"
#include "services/notifier/transport.h"

namespace fbl::notifier {

using Clock = std::function<absl::Time()>;

inline constexpr char kDeliveryIdHeader[] = "X-FBL-Delivery-Id";

class Channel {
 public:
  virtual ~Channel() = default;
  // OK once the channel accepted the page. Retryable failures are
  // UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED (IsRetryable);
  // anything else will fail again the same way (try the fallback).
  [[nodiscard]] virtual absl::Status Send(const Person& person, const ContactPoint& to, const Page& page,
                                          std::string_view delivery_id) = 0;
};

bool IsRetryable(const absl::Status& status);

// An HTTP answer as a channel result: 2xx OK; 408, 425, 429 and 5xx
// UNAVAILABLE (retry); any other status FAILED_PRECONDITION (permanent).
absl::Status FromHttpStatus(const HttpResponse& response);

// POSTs WebhookBody with X-FBL-Signature (HMAC-SHA256 of the body),
// X-FBL-Delivery-Id (receivers may de-duplicate on it) and X-FBL-Event-Id.
class WebhookChannel final : public Channel {
 public:
  WebhookChannel(Transport& transport, std::string secret, absl::Duration timeout)
      : transport_(transport), secret_(std::move(secret)), timeout_(timeout) {}
  absl::Status Send(const Person& person, const ContactPoint& to, const Page& page,
                    std::string_view delivery_id) override;

 private:
  Transport& transport_;
  std::string secret_;
  absl::Duration timeout_;
};

class SmsChannel final : public Channel {
 public:
  SmsChannel(Transport& transport, SmsConfig config, std::string token)
      : transport_(transport), config_(std::move(config)), token_(std::move(token)),
        escape_(EscapeForContentType(config_.content_type)) {}
  absl::Status Send(const Person& person, const ContactPoint& to, const Page& page,
                    std::string_view delivery_id) override;

 private:
  Transport& transport_;
  SmsConfig config_;
  std::string token_;
  TemplateEscape escape_;
};

class EmailChannel final : public Channel {
 public:
  EmailChannel(Transport& transport, EmailConfig config, std::string username, std::string password, Clock clock)
      : transport_(transport), config_(std::move(config)), username_(std::move(username)),
        password_(std::move(password)), clock_(std::move(clock)) {}
  absl::Status Send(const Person& person, const ContactPoint& to, const Page& page,
                    std::string_view delivery_id) override;

 private:
  Transport& transport_;
  EmailConfig config_;
  std::string username_;
  std::string password_;
  Clock clock_;
};

class ImRobotChannel final : public Channel {
 public:
  ImRobotChannel(Transport& transport, ImStyle style, absl::Duration timeout)
      : transport_(transport), style_(style), timeout_(timeout) {}
  absl::Status Send(const Person& person, const ContactPoint& to, const Page& page,
                    std::string_view delivery_id) override;

 private:
  Transport& transport_;
  ImStyle style_;
  absl::Duration timeout_;
};

// A thread-safe token bucket.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst, absl::Time now) : bucket_(rate, burst, now) {}
  // Takes a token; how long to wait before using it.
  absl::Duration Reserve(absl::Time now) {
    std::lock_guard<std::mutex> lock(mu_);
    return bucket_.Take(now);
  }

 private:
  std::mutex mu_;
  TokenBucket bucket_;
};

// One channel and one rate limiter per type.
class ChannelSet {
 public:
  // Builds the channels the config describes over `transport`.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ChannelSet>> Create(const NotifierConfig& config,
                                                                         const Secrets& secrets,
                                                                         Transport& transport, Clock clock);
  // nullptr if the type is not configured.
  Channel* Get(ChannelType type) const { return channels_[Index(type)].get(); }
  RateLimiter& limiter(ChannelType type) const { return *limiters_[Index(type)]; }

 private:
  static size_t Index(ChannelType type) { return static_cast<size_t>(type); }
  std::unique_ptr<Channel> channels_[4];
  std::unique_ptr<RateLimiter> limiters_[4];
};

}  // namespace fbl::notifier
