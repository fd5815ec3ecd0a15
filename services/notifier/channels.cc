#include "services/notifier/channels.h"

#include "absl/strings/str_cat.h"
#include "libs/runtime/log.h"
#include "services/notifier/signature.h"

namespace fbl::notifier {
namespace {

std::string Snippet(std::string_view body) {
  std::string s(body.substr(0, 200));
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

bool IsRetryable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsResourceExhausted(s);
}

absl::Status FromHttpStatus(const HttpResponse& r) {
  if (r.status >= 200 && r.status < 300) return absl::OkStatus();
  const std::string what = absl::StrCat("HTTP ", r.status, r.body.empty() ? "" : ": ", Snippet(r.body));
  if (r.status == 408 || r.status == 425 || r.status == 429 || r.status >= 500) {
    return absl::UnavailableError(what);
  }
  return absl::FailedPreconditionError(what);
}

absl::Status WebhookChannel::Send(const Person& person, const ContactPoint& to, const Page& page,
                                  std::string_view delivery_id) {
  HttpRequest req;
  req.url = to.address;
  req.body = WebhookBody(page, person, delivery_id);
  req.timeout = timeout_;
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "feedbackloop-notifier/1"},
                 {kSignatureHeader, SignatureHeaderValue(secret_, req.body)},
                 {kDeliveryIdHeader, std::string(delivery_id)},
                 {"X-FBL-Event-Id", page.event_id}};
  auto r = transport_.Post(req);
  if (!r.ok()) return r.status();
  return FromHttpStatus(*r);
}

absl::Status SmsChannel::Send(const Person& person, const ContactPoint& to, const Page& page,
                              std::string_view delivery_id) {
  auto body = RenderTemplate(config_.body_template, SmsTemplateVars(page, person, to.address, delivery_id), escape_);
  if (!body.ok()) return absl::FailedPreconditionError(body.status().message());
  HttpRequest req;
  req.url = config_.url;
  req.body = std::move(*body);
  req.timeout = config_.limits.timeout;
  req.headers = {{"Content-Type", config_.content_type},
                 {"User-Agent", "feedbackloop-notifier/1"},
                 {kDeliveryIdHeader, std::string(delivery_id)}};
  for (const auto& [k, v] : config_.headers) req.headers.emplace_back(k, v);
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  auto r = transport_.Post(req);
  if (!r.ok()) return r.status();
  return FromHttpStatus(*r);
}

absl::Status EmailChannel::Send(const Person& /*person*/, const ContactPoint& to, const Page& page,
                                std::string_view delivery_id) {
  MailRequest req;
  req.smtp_url = config_.smtp_url;
  req.from = config_.from;
  req.to = {to.address};
  req.message = EmailMessage(page, config_.from, to.address, delivery_id, clock_());
  req.username = username_;
  req.password = password_;
  req.require_tls = config_.require_tls;
  req.timeout = config_.limits.timeout;
  return transport_.SendMail(req);
}

absl::Status ImRobotChannel::Send(const Person& person, const ContactPoint& to, const Page& page,
                                  std::string_view delivery_id) {
  HttpRequest req;
  req.url = style_ == ImStyle::kDingTalk && !sign_secret_.empty()
                ? DingTalkSignedUrl(to.address, sign_secret_, absl::ToUnixMillis(clock_()))
                : to.address;
  req.body = ImRobotBody(style_, page, person);
  req.timeout = timeout_;
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "feedbackloop-notifier/1"},
                 {kDeliveryIdHeader, std::string(delivery_id)}};
  auto r = transport_.Post(req);
  if (!r.ok()) return r.status();
  if (absl::Status s = FromHttpStatus(*r); !s.ok()) return s;
  if (auto err = ImReplyError(style_, r->body)) {
    // Robots answer 200 with an error code for throttling (45009, 130101) as
    // well as for bad requests; retrying is the safe reading.
    return absl::UnavailableError(*err);
  }
  return absl::OkStatus();
}

// KEYS bucket. ARGV emission interval µs, burst µs (interval × burst).
// Returns the wait in µs. Redis TIME is the clock of every replica.
const redis::LuaScript kReserve(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + tonumber(ARGV[1])
local wait = next_tat - tonumber(ARGV[2]) - now
if wait < 0 then wait = 0 end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.floor((next_tat - now) / 1000) + 1000)
return math.floor(wait)
)lua");

absl::Duration SharedRateLimiter::Reserve(absl::Time now) {
  auto reply = redis_.Eval(kReserve, {key_}, {absl::StrCat(interval_us_), absl::StrCat(burst_us_)});
  if (!reply.ok()) {
    if (!degraded_.exchange(true)) {
      log::Warn("shared rate limit unavailable; limiting per process until Redis answers",
                {{"key", key_}, {"error", std::string(reply.status().message())}});
    }
    return fallback_.Reserve(now);
  }
  if (degraded_.exchange(false)) log::Info("shared rate limit back", {{"key", key_}});
  return absl::Microseconds(reply->integer());
}

absl::StatusOr<std::unique_ptr<ChannelSet>> ChannelSet::Create(const NotifierConfig& config, const Secrets& secrets,
                                                               Transport& transport, Clock clock,
                                                               redis::Client* redis, std::string_view key_prefix) {
  auto set = std::unique_ptr<ChannelSet>(new ChannelSet());
  const ChannelsConfig& c = config.channels;
  const absl::Time now = clock();
  set->channels_[Index(ChannelType::kWebhook)] =
      std::make_unique<WebhookChannel>(transport, secrets.webhook_secret, c.webhook.limits.timeout);
  if (!c.sms.url.empty()) {
    set->channels_[Index(ChannelType::kSms)] = std::make_unique<SmsChannel>(transport, c.sms, secrets.sms_token);
  }
  if (!c.email.smtp_url.empty()) {
    set->channels_[Index(ChannelType::kEmail)] =
        std::make_unique<EmailChannel>(transport, c.email, secrets.smtp_username, secrets.smtp_password, clock);
  }
  auto style = ParseImStyle(c.im.style);
  if (!style) return absl::InvalidArgumentError("channels.im.style must be wecom, dingtalk or slack");
  set->channels_[Index(ChannelType::kImRobot)] =
      std::make_unique<ImRobotChannel>(transport, *style, c.im.limits.timeout, secrets.im_sign_secret, clock);
  const ChannelLimits* limits[4] = {&c.webhook.limits, &c.sms.limits, &c.email.limits, &c.im.limits};
  for (ChannelType t : kAllChannelTypes) {
    const ChannelLimits& l = *limits[Index(t)];
    if (redis != nullptr && l.shared && l.rate_per_second > 0) {
      set->limiters_[Index(t)] = std::make_unique<SharedRateLimiter>(
          *redis, absl::StrCat(std::string(key_prefix), "rate:", std::string(ChannelTypeName(t))), l.rate_per_second,
          l.burst, now);
    } else {
      set->limiters_[Index(t)] = std::make_unique<LocalRateLimiter>(l.rate_per_second, l.burst, now);
    }
  }
  return set;
}

}  // namespace fbl::notifier
