#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/kafka_config.h"
#include "libs/redis/redis_config.h"
#include "libs/runtime/common_config.h"
#include "services/notifier/delivery_policy.h"
#include "services/notifier/oncall.h"
#include "services/notifier/page.h"

namespace fbl::notifier {

// Settings every channel has.
struct ChannelLimits {
  absl::Duration timeout = absl::Seconds(5);  // whole request, connect included
  double rate_per_second = 0;                 // 0 = unlimited
  double burst = 10;
  // true: the rate is for all replicas together (a bucket in Redis);
  // false: per replica.
  bool shared = true;
};

// Signed JSON webhook. The HMAC secret comes from a file or an environment
// variable, never from this file.
struct WebhookConfig {
  ChannelLimits limits;
  std::string secret_file;
  std::string secret_env = "FBL_NOTIFIER_WEBHOOK_SECRET";
};

// SMS gateway over HTTP: POST `body_template` to `url`; {{phone}}, {{text}},
// {{name}}, {{person}}, {{alert_id}}, {{severity}}, {{category}} and
// {{delivery_id}} are replaced, escaped for `content_type`.
struct SmsConfig {
  ChannelLimits limits;
  std::string url;
  std::string content_type = "application/json";
  std::string body_template = R"({"to":"{{phone}}","text":"{{text}}","id":"{{delivery_id}}"})";
  std::map<std::string, std::string> headers;
  std::string token_env;  // if set, "Authorization: Bearer $token"
};

// E-mail over SMTP (smtp:// or smtps://).
struct EmailConfig {
  ChannelLimits limits;
  std::string smtp_url;
  std::string from = "notifier@feedbackloop.local";
  std::string username_env;
  std::string password_env;
  bool require_tls = false;  // STARTTLS required on smtp://
};

// Enterprise IM robot webhooks; the person's address is the robot URL.
struct ImConfig {
  ChannelLimits limits;
  std::string style = "wecom";  // wecom, dingtalk, slack
  // DingTalk "加签" robots: the variable holding the signing secret (SEC…);
  // empty = robots use keyword or IP security instead.
  std::string sign_secret_env;
};

struct ChannelsConfig {
  WebhookConfig webhook;
  SmsConfig sms;
  EmailConfig email;
  ImConfig im;
};

struct StormConfig {
  bool enabled = true;
  absl::Duration window = absl::Seconds(60);
  absl::Duration tick = absl::Milliseconds(500);  // how often closed windows are looked for
  absl::Duration lease = absl::Seconds(60);       // a window being summarised returns if its replica dies
};

struct NotifierConfig {
  runtime::ServerConfig server;
  std::string kafka_brokers;       // if set, used by the consumer
  kafka::ConsumerConfig consumer;  // group "notifier", topic = alerts_topic unless set
  redis::RedisConfig redis;
  std::string redis_key_prefix = "fbl:notifier:";
  std::string alerts_topic = "alerts.v1";
  int consume_batch = 50;
  int workers = 8;  // deliveries of one batch in parallel
  // A delivery being sent is leased to one worker; after a crash another
  // takes over when the lease runs out. Longer than one attempt plus backoff.
  absl::Duration claim_lease = absl::Seconds(30);
  absl::Duration record_ttl = absl::Hours(24 * 30);  // delivery records and claims
  RetryPolicy delivery;
  StormConfig storm;
  ChannelsConfig channels;
  std::vector<Person> people;
  std::vector<RotationSpec> rotations;
  std::vector<OverrideSpec> overrides;
  std::vector<RouteSpec> routes;
};

void BindConfig(config::Binder& b, ContactPoint& c);
void BindConfig(config::Binder& b, Person& c);
void BindConfig(config::Binder& b, RotationSpec& c);
void BindConfig(config::Binder& b, OverrideSpec& c);
void BindConfig(config::Binder& b, RouteSpec& c);
void BindConfig(config::Binder& b, RetryPolicy& c);
void BindConfig(config::Binder& b, ChannelLimits& c);
void BindConfig(config::Binder& b, WebhookConfig& c);
void BindConfig(config::Binder& b, SmsConfig& c);
void BindConfig(config::Binder& b, EmailConfig& c);
void BindConfig(config::Binder& b, ImConfig& c);
void BindConfig(config::Binder& b, ChannelsConfig& c);
void BindConfig(config::Binder& b, StormConfig& c);
void BindConfig(config::Binder& b, NotifierConfig& c);

// The on-call directory the config describes.
[[nodiscard]] absl::StatusOr<OnCallDirectory> BuildDirectory(const NotifierConfig& config);

// Secrets, read from files or the environment at start-up.
struct Secrets {
  std::string webhook_secret;
  std::string sms_token;
  std::string smtp_username;
  std::string smtp_password;
  std::string im_sign_secret;
};
// FAILED_PRECONDITION naming the variable or file when a channel someone
// uses needs a secret that is missing.
[[nodiscard]] absl::StatusOr<Secrets> LoadSecrets(const NotifierConfig& config);

// Whether some person has a channel of `type`.
bool ChannelUsed(const NotifierConfig& config, ChannelType type);

}  // namespace fbl::notifier
