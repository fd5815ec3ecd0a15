#include "services/notifier/notifier_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "alerting/v1/alerting.pb.h"

namespace fbl::notifier {
namespace {

namespace pb = ::feedbackloop::alerting::v1;

// "safety" or "ALERT_CATEGORY_SAFETY" → "ALERT_CATEGORY_SAFETY"; empty if unknown.
template <typename Enum, typename ParseFn>
std::string NormalizeEnum(const std::string& name, std::string_view prefix, ParseFn parse) {
  std::string upper = absl::AsciiStrToUpper(name);
  if (!upper.starts_with(prefix)) upper = absl::StrCat(std::string(prefix), upper);
  Enum value;
  if (!parse(upper, &value) || static_cast<int>(value) == 0) return "";
  return upper;
}

std::string EnvOrEmpty(const std::string& name) {
  if (name.empty()) return "";
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? "" : v;
}

}  // namespace

void BindConfig(config::Binder& b, ContactPoint& c) {
  std::string type;
  b.Required("type", type);
  b.Required("address", c.address);
  if (b.Has("type")) {
    auto parsed = ParseChannelType(type);
    if (!parsed) {
      b.Fail("type", "must be webhook, sms, email or im");
    } else {
      c.type = *parsed;
    }
  }
}

void BindConfig(config::Binder& b, Person& c) {
  b.Required("id", c.id);
  b.Field("name", c.name);
  b.Required("channels", c.channels);
}

void BindConfig(config::Binder& b, RotationSpec& c) {
  b.Required("id", c.id);
  b.Required("members", c.members);
  b.Field("shift", c.shift);
  b.Required("start", c.start);
  b.Field("time_zone", c.time_zone);
}

void BindConfig(config::Binder& b, OverrideSpec& c) {
  b.Required("rotation", c.rotation);
  b.Required("person", c.person);
  b.Required("start", c.start);
  b.Required("end", c.end);
}

void BindConfig(config::Binder& b, RouteSpec& c) {
  b.Field("name", c.name);
  b.Field("tier", c.tier);
  b.Field("categories", c.categories);
  b.Field("severities", c.severities);
  b.Field("departments", c.departments);
  b.Field("rotations", c.rotations);
  b.Field("people", c.people);
  b.Field("continue", c.continue_matching);
  for (auto& cat : c.categories) {
    std::string n = NormalizeEnum<pb::AlertCategory>(cat, "ALERT_CATEGORY_", pb::AlertCategory_Parse);
    if (n.empty()) b.Fail("categories", "unknown category " + cat);
    cat = n;
  }
  for (auto& sev : c.severities) {
    // "sev1" → SEVERITY_SEV1_CRITICAL as well as the full name.
    std::string n = NormalizeEnum<pb::Severity>(sev, "SEVERITY_", pb::Severity_Parse);
    if (n.empty()) {
      const std::string upper = absl::AsciiStrToUpper(sev);
      for (int v = pb::Severity_MIN + 1; v <= pb::Severity_MAX; ++v) {
        if (!pb::Severity_IsValid(v)) continue;
        const std::string full = pb::Severity_Name(static_cast<pb::Severity>(v));
        if (absl::StartsWith(full, "SEVERITY_" + upper + "_")) n = full;
      }
    }
    if (n.empty()) b.Fail("severities", "unknown severity " + sev);
    sev = n;
  }
  if (c.tier < 0) b.Fail("tier", "must be >= 0");
}

void BindConfig(config::Binder& b, RetryPolicy& c) {
  b.Field("fallback_after", c.fallback_after);
  b.Field("backoff_initial", c.backoff_initial);
  b.Field("backoff_max", c.backoff_max);
  b.Field("jitter", c.jitter);
  if (c.fallback_after < 1 || c.fallback_after > 20) b.Fail("fallback_after", "must be 1..20");
  if (c.backoff_initial <= absl::ZeroDuration()) b.Fail("backoff_initial", "must be positive");
  if (c.backoff_max < c.backoff_initial) b.Fail("backoff_max", "must be >= backoff_initial");
  if (c.jitter < 0 || c.jitter > 1) b.Fail("jitter", "must be 0..1");
}

void BindConfig(config::Binder& b, ChannelLimits& c) {
  b.Field("timeout", c.timeout);
  b.Field("rate_per_second", c.rate_per_second);
  b.Field("burst", c.burst);
  b.Field("shared", c.shared);
  if (c.timeout <= absl::ZeroDuration()) b.Fail("timeout", "must be positive");
  if (c.rate_per_second < 0) b.Fail("rate_per_second", "must be >= 0");
  if (c.burst < 1) b.Fail("burst", "must be >= 1");
}

void BindConfig(config::Binder& b, WebhookConfig& c) {
  BindConfig(b, c.limits);
  b.Field("secret_file", c.secret_file);
  b.Field("secret_env", c.secret_env);
}

void BindConfig(config::Binder& b, SmsConfig& c) {
  BindConfig(b, c.limits);
  b.Field("url", c.url);
  b.Field("content_type", c.content_type);
  b.Field("body_template", c.body_template);
  b.Field("headers", c.headers);
  b.Field("token_env", c.token_env);
  Page sample;
  Person person;
  auto rendered = RenderTemplate(c.body_template, SmsTemplateVars(sample, person, "", ""), TemplateEscape::kNone);
  if (!rendered.ok()) b.Fail("body_template", std::string(rendered.status().message()));
}

void BindConfig(config::Binder& b, EmailConfig& c) {
  BindConfig(b, c.limits);
  b.Field("smtp_url", c.smtp_url);
  b.Field("from", c.from);
  b.Field("username_env", c.username_env);
  b.Field("password_env", c.password_env);
  b.Field("require_tls", c.require_tls);
  if (!c.smtp_url.empty() && !absl::StartsWith(c.smtp_url, "smtp://") && !absl::StartsWith(c.smtp_url, "smtps://")) {
    b.Fail("smtp_url", "must start with smtp:// or smtps://");
  }
}

void BindConfig(config::Binder& b, ImConfig& c) {
  BindConfig(b, c.limits);
  b.Field("style", c.style);
  b.Field("sign_secret_env", c.sign_secret_env);
  if (!ParseImStyle(c.style)) b.Fail("style", "must be wecom, dingtalk or slack");
  if (!c.sign_secret_env.empty() && c.style != "dingtalk") b.Fail("sign_secret_env", "only dingtalk robots sign");
}

void BindConfig(config::Binder& b, ChannelsConfig& c) {
  b.Field("webhook", c.webhook);
  b.Field("sms", c.sms);
  b.Field("email", c.email);
  b.Field("im", c.im);
}

void BindConfig(config::Binder& b, StormConfig& c) {
  b.Field("enabled", c.enabled);
  b.Field("window", c.window);
  b.Field("tick", c.tick);
  b.Field("lease", c.lease);
  if (c.window < absl::Seconds(1)) b.Fail("window", "must be at least 1s");
  if (c.tick <= absl::ZeroDuration()) b.Fail("tick", "must be positive");
  if (c.lease < absl::Seconds(1)) b.Fail("lease", "must be at least 1s");
}

void BindConfig(config::Binder& b, NotifierConfig& c) {
  c.consumer.group_id = "notifier";
  c.consumer.client_id = "notifier";
  b.Field("server", c.server);
  b.Field("kafka_brokers", c.kafka_brokers);
  b.Field("consumer", c.consumer);
  b.Field("redis", c.redis);
  b.Field("redis_key_prefix", c.redis_key_prefix);
  b.Field("alerts_topic", c.alerts_topic);
  b.Field("consume_batch", c.consume_batch);
  b.Field("workers", c.workers);
  b.Field("claim_lease", c.claim_lease);
  b.Field("record_ttl", c.record_ttl);
  b.Field("delivery", c.delivery);
  b.Field("storm", c.storm);
  b.Field("channels", c.channels);
  b.Field("people", c.people);
  b.Field("rotations", c.rotations);
  b.Field("overrides", c.overrides);
  b.Field("routes", c.routes);
  if (!c.kafka_brokers.empty()) c.consumer.brokers = c.kafka_brokers;
  if (c.consumer.topics.empty()) c.consumer.topics = {c.alerts_topic};
  if (c.consume_batch <= 0) b.Fail("consume_batch", "must be positive");
  if (c.workers < 1 || c.workers > 256) b.Fail("workers", "must be 1..256");
  if (c.record_ttl < absl::Hours(1)) b.Fail("record_ttl", "must be at least 1h");
  const ChannelsConfig& ch = c.channels;
  const absl::Duration longest = std::max({ch.webhook.limits.timeout, ch.sms.limits.timeout,
                                           ch.email.limits.timeout, ch.im.limits.timeout});
  if (c.claim_lease <= longest) b.Fail("claim_lease", "must be longer than the longest channel timeout");
  if (ChannelUsed(c, ChannelType::kSms) && ch.sms.url.empty()) {
    b.Fail("channels", "someone has an sms channel but channels.sms.url is not set");
  }
  if (ChannelUsed(c, ChannelType::kEmail) && ch.email.smtp_url.empty()) {
    b.Fail("channels", "someone has an email channel but channels.email.smtp_url is not set");
  }
  if (auto dir = BuildDirectory(c); !dir.ok()) b.Fail("routes", std::string(dir.status().message()));
  if (c.routes.empty()) b.Fail("routes", "at least one route is required (no route, nobody paged)");
}

absl::StatusOr<OnCallDirectory> BuildDirectory(const NotifierConfig& c) {
  return OnCallDirectory::Create(c.people, c.rotations, c.overrides, c.routes);
}

bool ChannelUsed(const NotifierConfig& c, ChannelType type) {
  for (const auto& p : c.people) {
    for (const auto& ch : p.channels) {
      if (ch.type == type) return true;
    }
  }
  return false;
}

absl::StatusOr<Secrets> LoadSecrets(const NotifierConfig& c) {
  Secrets s;
  const WebhookConfig& w = c.channels.webhook;
  if (!w.secret_file.empty()) {
    std::ifstream in(w.secret_file);
    if (!in) return absl::FailedPreconditionError("cannot read webhook secret_file " + w.secret_file);
    std::stringstream ss;
    ss << in.rdbuf();
    s.webhook_secret = std::string(absl::StripAsciiWhitespace(ss.str()));
  } else {
    s.webhook_secret = EnvOrEmpty(w.secret_env);
  }
  if (ChannelUsed(c, ChannelType::kWebhook) && s.webhook_secret.size() < 16) {
    return absl::FailedPreconditionError(absl::StrCat("webhook pages need a signing secret of at least 16 bytes in $",
                                                      w.secret_env, " or channels.webhook.secret_file"));
  }
  s.sms_token = EnvOrEmpty(c.channels.sms.token_env);
  if (!c.channels.sms.token_env.empty() && s.sms_token.empty() && ChannelUsed(c, ChannelType::kSms)) {
    return absl::FailedPreconditionError("$" + c.channels.sms.token_env + " (SMS gateway token) is not set");
  }
  s.smtp_username = EnvOrEmpty(c.channels.email.username_env);
  s.smtp_password = EnvOrEmpty(c.channels.email.password_env);
  const std::string& im_env = c.channels.im.sign_secret_env;
  s.im_sign_secret = EnvOrEmpty(im_env);
  if (!im_env.empty() && s.im_sign_secret.empty() && ChannelUsed(c, ChannelType::kImRobot)) {
    return absl::FailedPreconditionError("$" + im_env + " (DingTalk robot signing secret) is not set");
  }
  return s;
}

}  // namespace fbl::notifier
