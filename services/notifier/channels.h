#pragma once
// The four ways to page a person, over a Transport: signed JSON webhook, SMS
// gateway (HTTP, templated body), e-mail (SMTP) and IM robot webhook.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/redis/redis_client.h"
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

// DingTalk robots with a signing secret get a signed URL per request.
class ImRobotChannel final : public Channel {
 public:
  ImRobotChannel(Transport& transport, ImStyle style, absl::Duration timeout, std::string sign_secret, Clock clock)
      : transport_(transport), style_(style), timeout_(timeout), sign_secret_(std::move(sign_secret)),
        clock_(std::move(clock)) {}
  absl::Status Send(const Person& person, const ContactPoint& to, const Page& page,
                    std::string_view delivery_id) override;

 private:
  Transport& transport_;
  ImStyle style_;
  absl::Duration timeout_;
  std::string sign_secret_;
  Clock clock_;
};

// A channel's rate limit. Thread-safe.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes a token; how long to wait before using it.
  virtual absl::Duration Reserve(absl::Time now) = 0;
};

// A token bucket in this process.
class LocalRateLimiter final : public RateLimiter {
 public:
  LocalRateLimiter(double rate, double burst, absl::Time now) : bucket_(rate, burst, now) {}
  absl::Duration Reserve(absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return bucket_.Take(now);
  }

 private:
  std::mutex mu_;
  TokenBucket bucket_;
};

// One bucket for every replica: GCRA on a Redis key, timed by the Redis
// server's clock (so replicas' clocks need not agree; `now` is ignored).
// While Redis fails, a local bucket of the same rate stands in: pages are
// never held up by the limiter's own store.
class SharedRateLimiter final : public RateLimiter {
 public:
  SharedRateLimiter(redis::Client& redis, std::string key, double rate, double burst, absl::Time now)
      : redis_(redis), key_(std::move(key)), interval_us_(1e6 / rate), burst_us_(1e6 / rate * burst),
        fallback_(rate, burst, now) {}
  absl::Duration Reserve(absl::Time now) override;

 private:
  redis::Client& redis_;
  std::string key_;
  double interval_us_;
  double burst_us_;
  LocalRateLimiter fallback_;
  std::atomic<bool> degraded_{false};
};

// One channel and one rate limiter per type.
class ChannelSet {
 public:
  // Builds the channels the config describes over `transport`. Limits
  // marked `shared` keep their buckets in `redis` under `key_prefix` (with
  // no client, every limit is per process).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ChannelSet>> Create(const NotifierConfig& config,
                                                                         const Secrets& secrets,
                                                                         Transport& transport, Clock clock,
                                                                         redis::Client* redis = nullptr,
                                                                         std::string_view key_prefix = "");
  // nullptr if the type is not configured.
  Channel* Get(ChannelType type) const { return channels_[Index(type)].get(); }
  RateLimiter& limiter(ChannelType type) const { return *limiters_[Index(type)]; }

 private:
  static size_t Index(ChannelType type) { return static_cast<size_t>(type); }
  std::unique_ptr<Channel> channels_[4];
  std::unique_ptr<RateLimiter> limiters_[4];
};

}  // namespace fbl::notifier
