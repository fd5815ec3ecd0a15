#include "services/notifier/notifier_service.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/log.h"
#include "libs/runtime/proto_time.h"
#include "services/notifier/storm.h"

namespace fbl::notifier {
namespace {

using runtime::FromProto;
using runtime::ToProto;

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

constexpr int kMaxBusyWaits = 100;

}  // namespace

NotifierMetrics::NotifierMetrics(prometheus::Registry& registry)
    : events_(prometheus::BuildCounter()
                  .Name("notifier_events_total")
                  .Help("Alert events read from alerts.v1, by type and result (paged, grouped, ignored, closed, "
                        "unrouted, invalid).")
                  .Register(registry)),
      deliveries_(prometheus::BuildCounter()
                      .Name("notifier_deliveries_total")
                      .Help("Pages to one person settled, by final channel and result (sent, failed, grouped, "
                            "duplicate, cancelled).")
                      .Register(registry)),
      attempts_(prometheus::BuildCounter()
                    .Name("notifier_attempts_total")
                    .Help("Send attempts, by channel and result (ok, retryable, permanent).")
                    .Register(registry)),
      send_seconds_(prometheus::BuildHistogram()
                        .Name("notifier_send_seconds")
                        .Help("Duration of one send attempt, by channel.")
                        .Register(registry)),
      rate_limited_(prometheus::BuildCounter()
                        .Name("notifier_rate_limited_total")
                        .Help("Send attempts delayed by the channel's rate limit, by channel.")
                        .Register(registry)),
      storm_summaries_(prometheus::BuildCounter()
                           .Name("notifier_storm_summaries_total")
                           .Help("Storm windows closed with a summary page.")
                           .Register(registry)) {
  // Every series the dashboards and alert rules read exists from the start.
  storm_summaries_.Add({});
  events_.Add({{"type", "UNKNOWN"}, {"result", "invalid"}});
  events_.Add({{"type", "ALERT_EVENT_TYPE_RAISED"}, {"result", "unrouted"}});
  for (const ChannelType c : kAllChannelTypes) {
    const std::string name(ChannelTypeName(c));
    for (const char* result : {"sent", "failed"}) deliveries_.Add({{"channel", name}, {"result", result}});
    rate_limited_.Add({{"channel", name}});
  }
}

void NotifierMetrics::Attempt(ChannelType channel, const std::string& result, absl::Duration took) {
  const std::string name(ChannelTypeName(channel));
  attempts_.Add({{"channel", name}, {"result", result}}).Increment();
  send_seconds_
      .Add({{"channel", name}}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                                          2.5, 5, 10})
      .Observe(absl::ToDoubleSeconds(took));
}

Notifier::Notifier(const NotifierConfig& config, const OnCallDirectory& directory, DeliveryStore& deliveries,
                   StormStore& storms, ChannelSet& channels, NotifierMetrics& metrics, Clock clock, Sleeper sleep,
                   std::string instance_id)
    : config_(config), directory_(directory), deliveries_(deliveries), storms_(storms), channels_(channels),
      metrics_(metrics), clock_(std::move(clock)), sleep_(std::move(sleep)), instance_id_(std::move(instance_id)),
      rng_(std::random_device{}()) {}

bool Notifier::Pages(pb::AlertEventType type) {
  return type == pb::ALERT_EVENT_TYPE_RAISED || type == pb::ALERT_EVENT_TYPE_ESCALATED ||
         type == pb::ALERT_EVENT_TYPE_CONTACT_BREACHED;
}

bool Notifier::Closes(pb::AlertEventType type) {
  return type == pb::ALERT_EVENT_TYPE_ACKNOWLEDGED || type == pb::ALERT_EVENT_TYPE_RESOLVED;
}

absl::Status Notifier::MarkClosed(const pb::AlertEvent& event) {
  const pb::Alert& a = event.alert();
  const bool acked = event.type() == pb::ALERT_EVENT_TYPE_ACKNOWLEDGED;
  const std::string& who = acked ? a.acknowledged_by() : a.resolved_by();
  return deliveries_.MarkClosed(a.alert_id(), absl::StrCat(acked ? "acknowledged" : "resolved",
                                                           who.empty() ? "" : " by ", who));
}

absl::Status Notifier::RecordClosures(const std::vector<kafka::Message>& batch) {
  for (const kafka::Message& m : batch) {
    pb::AlertEvent event;
    if (!event.ParseFromString(m.value) || !Closes(event.type()) || event.alert().alert_id().empty()) continue;
    if (absl::Status s = MarkClosed(event); !s.ok()) return s;
  }
  return absl::OkStatus();
}

Page Notifier::PageFor(const pb::AlertEvent& event) {
  const pb::Alert& a = event.alert();
  Page p;
  p.event_type = pb::AlertEventType_Name(event.type());
  // The contract says event_id is set and deterministic; a producer that
  // forgot it still gets one page per alert, type and tier.
  p.event_id = !event.event_id().empty() ? event.event_id()
                                         : absl::StrCat(a.alert_id(), ":", p.event_type, ":", a.tier());
  p.alert_id = a.alert_id();
  p.category = pb::AlertCategory_Name(a.category());
  p.severity = pb::Severity_Name(a.severity());
  p.department = a.department();
  p.tier = a.tier();
  p.summary = a.summary();
  p.feedback_id = a.feedback_id();
  p.ticket_id = a.ticket_id();
  p.group_key = a.group_key();
  p.occurred_at = event.has_occurred_at() ? FromProto(event.occurred_at())
                  : a.has_created_at()    ? FromProto(a.created_at())
                                          : absl::UnixEpoch();
  ComposeText(p);
  return p;
}

absl::Status Notifier::ProcessBatch(const std::vector<kafka::Message>& batch) {
  std::deque<Page> pages;  // stable addresses for the jobs
  std::vector<Job> jobs;
  std::vector<std::pair<std::string, std::string>> counted;  // (type, result), recorded once settled
  absl::flat_hash_set<std::string> seen;
  for (const kafka::Message& m : batch) {
    pb::AlertEvent event;
    if (!event.ParseFromString(m.value) || event.alert().alert_id().empty()) {
      // A foreign record is skipped, not retried forever.
      log::Error("not an AlertEvent; skipped",
                 {{"partition", std::to_string(m.partition)}, {"offset", std::to_string(m.offset)}});
      counted.emplace_back("UNKNOWN", "invalid");
      continue;
    }
    const std::string type = pb::AlertEventType_Name(event.type());
    if (Closes(event.type())) {
      if (absl::Status s = MarkClosed(event); !s.ok()) return s;
      counted.emplace_back(type, "closed");
      continue;
    }
    if (!Pages(event.type())) {
      counted.emplace_back(type, "ignored");
      continue;
    }
    Page& page = pages.emplace_back(PageFor(event));
    if (!seen.insert(page.event_id).second) {
      pages.pop_back();  // the same event twice in one batch
      continue;
    }
    const absl::Time at = event.has_occurred_at() ? page.occurred_at : clock_();
    const RoutingResult routing = directory_.Route({page.category, page.severity, page.department, page.tier}, at);
    if (routing.people.empty()) {
      log::Error("no route pages anyone for this alert; add a catch-all route",
                 {{"alert_id", page.alert_id}, {"category", page.category}, {"tier", std::to_string(page.tier)}});
      counted.emplace_back(type, "unrouted");
      continue;
    }
    bool grouped = false;
    if (config_.storm.enabled && !page.group_key.empty()) {
      auto decision = storms_.Admit(StormKey(page.group_key, page.tier), page, routing.people, clock_(),
                                    config_.storm.window);
      if (!decision.ok()) return decision.status();
      grouped = decision->grouped;
    }
    counted.emplace_back(type, grouped ? "grouped" : "paged");
    for (const std::string& id : routing.people) {
      Job job;
      job.key = {DeliveryIdFor(page.event_id, id), page.alert_id, page.event_id, id};
      job.person = directory_.FindPerson(id);
      job.page = &page;
      job.grouped = grouped;
      jobs.push_back(std::move(job));
    }
  }
  if (absl::Status s = RunJobs(jobs); !s.ok()) return s;
  for (const auto& [type, result] : counted) metrics_.Event(type, result);
  return absl::OkStatus();
}

absl::Status Notifier::RunJobs(const std::vector<Job>& jobs) {
  std::vector<absl::Status> results(jobs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) results[i] = Deliver(jobs[i]);
  };
  const size_t threads = std::min(jobs.size(), static_cast<size_t>(config_.workers));
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t i = 0; i < threads; ++i) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  for (const auto& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Notifier::Deliver(const Job& job) {
  // One owner per process and delivery: a retry of the batch in this
  // process resumes at once; another process waits for the lease.
  const std::string owner = absl::StrCat(instance_id_, "|", job.key.delivery_id);
  for (int waits = 0;; ++waits) {
    auto claim = deliveries_.ClaimDelivery(job.key, owner, clock_(), config_.claim_lease, job.grouped);
    if (!claim.ok()) return claim.status();
    switch (claim->outcome) {
      case DeliveryStore::Outcome::kDone:
        if (claim->record.state != DeliveryState::kGrouped || !job.grouped) {
          metrics_.Delivery(claim->record.channel.empty() ? "none" : claim->record.channel, "duplicate");
        }
        return absl::OkStatus();
      case DeliveryStore::Outcome::kBusy: {
        if (waits >= kMaxBusyWaits) {
          return absl::UnavailableError(absl::StrCat("delivery ", job.key.delivery_id, " is held by another worker"));
        }
        const absl::Duration wait =
            std::clamp(claim->lease_until - clock_() + absl::Milliseconds(20), absl::Milliseconds(10),
                       config_.claim_lease);
        if (!sleep_(wait)) return absl::UnavailableError("stopping");
        continue;
      }
      case DeliveryStore::Outcome::kNew:
        if (job.grouped) {
          metrics_.Delivery("none", "grouped");
          return absl::OkStatus();
        }
        return Send(job, owner, claim->record);
      case DeliveryStore::Outcome::kResumed:
        if (claim->record.attempts > 0) {
          log::Warn("resuming an interrupted delivery; its last attempt may be sent twice",
                    {{"alert_id", job.key.alert_id},
                     {"delivery_id", job.key.delivery_id},
                     {"attempts", std::to_string(claim->record.attempts)}});
        }
        return Send(job, owner, claim->record);
    }
  }
}

absl::Status Notifier::Stopping(const Job& job, const std::string& owner) {
  (void)deliveries_.Release(job.key.delivery_id, owner);
  return absl::UnavailableError("stopping");
}

double Notifier::Uniform() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

absl::Status Notifier::Send(const Job& job, const std::string& owner, const DeliveryRecord& record) {
  const std::string& id = job.key.delivery_id;
  const Person& person = *job.person;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = unrecorded_.find(id); it != unrecorded_.end()) {
      absl::Status s = deliveries_.Finish(id, owner, DeliveryState::kSent, "", it->second);
      if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
      unrecorded_.erase(it);
      return absl::OkStatus();
    }
  }
  DeliveryPlan plan(person.channels.size(), config_.delivery, record.channel_index, record.channel_attempts);
  std::string last_error = record.last_error;
  std::string_view last_channel = record.channel.empty() ? "none" : record.channel;
  while (auto step = plan.Next()) {
    const ContactPoint& to = person.channels[step->channel];
    const std::string_view channel_name = ChannelTypeName(to.type);
    if (step->attempt > 1 || step->channel > 0) {
      // A retry or fallback: someone may have taken the alert meanwhile.
      auto closed = deliveries_.Closed(job.key.alert_id);
      if (!closed.ok()) return closed.status();
      if (!closed->empty()) {
        if (absl::Status s = deliveries_.Finish(id, owner, DeliveryState::kCancelled,
                                                absl::StrCat("alert ", *closed, "; last error: ", last_error), clock_());
            !s.ok() && !absl::IsFailedPrecondition(s)) {
          return s;
        }
        metrics_.Delivery(last_channel, "cancelled");
        log::Info("page retries stopped: the alert is closed",
                  {{"alert_id", job.key.alert_id}, {"recipient", person.id}, {"closed", *closed}});
        return absl::OkStatus();
      }
    }
    if (step->attempt == 1 && step->channel > 0) {
      log::Warn("falling back to the next channel", {{"alert_id", job.key.alert_id},
                                                     {"recipient", person.id},
                                                     {"channel", channel_name},
                                                     {"last_error", last_error}});
    }
    if (const absl::Duration wait = channels_.limiter(to.type).Reserve(clock_()); wait > absl::ZeroDuration()) {
      metrics_.RateLimited(to.type);
      if (!sleep_(wait)) return Stopping(job, owner);
    }
    if (absl::Status s = deliveries_.BeginAttempt(id, owner, clock_(), config_.claim_lease, step->channel,
                                                  step->attempt, channel_name);
        !s.ok()) {
      if (!absl::IsFailedPrecondition(s)) return s;
      log::Warn("delivery taken over by another worker", {{"delivery_id", id}});
      return absl::OkStatus();
    }
    plan.Begin(*step);
    last_channel = channel_name;
    Channel* channel = channels_.Get(to.type);
    const absl::Time started = absl::Now();
    const absl::Status sent = channel != nullptr ? channel->Send(person, to, *job.page, id)
                                                 : absl::FailedPreconditionError("channel not configured");
    const bool retryable = IsRetryable(sent);
    metrics_.Attempt(to.type, sent.ok() ? "ok" : retryable ? "retryable" : "permanent", absl::Now() - started);
    if (sent.ok()) {
      const absl::Time at = clock_();
      absl::Status s = deliveries_.Finish(id, owner, DeliveryState::kSent, "", at);
      if (!s.ok() && !absl::IsFailedPrecondition(s)) {
        std::lock_guard<std::mutex> lock(mu_);
        unrecorded_[id] = at;  // recorded on the retry, not sent again
        return s;
      }
      metrics_.Delivery(channel_name, "sent");
      log::Info("paged", {{"alert_id", job.key.alert_id},
                          {"event_id", job.key.event_id},
                          {"recipient", person.id},
                          {"channel", channel_name},
                          {"attempt", std::to_string(step->attempt)}});
      return absl::OkStatus();
    }
    last_error = absl::StrCat(std::string(channel_name), ": ", std::string(sent.message()));
    plan.RecordFailure(!retryable);
    const auto next = plan.Next();
    absl::Duration backoff = absl::ZeroDuration();
    if (next && next->channel == step->channel) backoff = BackoffDelay(config_.delivery, step->attempt, Uniform());
    if (absl::Status s = deliveries_.RecordError(id, owner, last_error, clock_() + backoff + config_.claim_lease);
        !s.ok()) {
      if (!absl::IsFailedPrecondition(s)) return s;
      return absl::OkStatus();  // taken over
    }
    log::Warn("page attempt failed", {{"alert_id", job.key.alert_id},
                                      {"recipient", person.id},
                                      {"channel", channel_name},
                                      {"attempt", std::to_string(step->attempt)},
                                      {"error", last_error},
                                      {"next", !next                            ? "give up"
                                               : next->channel == step->channel ? "retry"
                                                                                : "fallback"}});
    if (backoff > absl::ZeroDuration() && !sleep_(backoff)) return Stopping(job, owner);
  }
  if (absl::Status s = deliveries_.Finish(id, owner, DeliveryState::kFailed, last_error, clock_());
      !s.ok() && !absl::IsFailedPrecondition(s)) {
    return s;
  }
  metrics_.Delivery(last_channel, "failed");
  log::Error("page failed on every channel of the person", {{"alert_id", job.key.alert_id},
                                                            {"recipient", person.id},
                                                            {"error", last_error}});
  return absl::OkStatus();
}

absl::StatusOr<int> Notifier::FlushStorms() {
  auto closed = storms_.ClaimClosed(clock_(), config_.storm.lease, 20);
  if (!closed.ok()) return closed.status();
  int handled = 0;
  for (StormStore::ClosedWindow& w : *closed) {
    if (w.count > 0) {
      const Page page = StormSummaryPage(w.storm_key, w.window, w.count, w.first.group_key, w.first);
      std::sort(w.recipients.begin(), w.recipients.end());
      std::vector<Job> jobs;
      for (const std::string& id : w.recipients) {
        const Person* person = directory_.FindPerson(id);
        if (person == nullptr) {
          log::Error("storm summary recipient no longer configured", {{"recipient", id}});
          continue;
        }
        Job job;
        job.key = {DeliveryIdFor(page.event_id, id), page.alert_id, page.event_id, id};
        job.person = person;
        job.page = &page;
        jobs.push_back(std::move(job));
      }
      if (absl::Status s = RunJobs(jobs); !s.ok()) {
        // The lease runs out and the window comes back; claims keep it once per person.
        log::Warn("storm summary not sent; will retry", {{"storm", w.storm_key}, {"error", std::string(s.message())}});
        continue;
      }
      metrics_.StormSummary();
      log::Warn("storm summary sent", {{"storm", w.storm_key},
                                       {"grouped", std::to_string(w.count)},
                                       {"first_alert_id", w.first.alert_id}});
    }
    if (absl::Status s = storms_.Complete(w); !s.ok()) return s;
    ++handled;
  }
  return handled;
}

pb::DeliveryChannel ToProto(std::string_view channel_name) {
  auto type = ParseChannelType(channel_name);
  if (!type) return pb::DELIVERY_CHANNEL_UNSPECIFIED;
  switch (*type) {
    case ChannelType::kWebhook:
      return pb::DELIVERY_CHANNEL_WEBHOOK;
    case ChannelType::kSms:
      return pb::DELIVERY_CHANNEL_SMS;
    case ChannelType::kEmail:
      return pb::DELIVERY_CHANNEL_EMAIL;
    case ChannelType::kImRobot:
      return pb::DELIVERY_CHANNEL_IM_ROBOT;
  }
  return pb::DELIVERY_CHANNEL_UNSPECIFIED;
}

pb::DeliveryState ToProto(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return pb::DELIVERY_STATE_PENDING;
    case DeliveryState::kSent:
      return pb::DELIVERY_STATE_SENT;
    case DeliveryState::kFailed:
      return pb::DELIVERY_STATE_FAILED;
    case DeliveryState::kGrouped:
      return pb::DELIVERY_STATE_GROUPED;
    case DeliveryState::kCancelled:
      return pb::DELIVERY_STATE_CANCELLED;
  }
  return pb::DELIVERY_STATE_UNSPECIFIED;
}

runtime::PermissionTable NotifierPermissions() {
  return {{"ListDeliveries", std::string(runtime::kPermAlertRead)}};
}

grpc::Status NotifierGrpcService::ListDeliveries(grpc::ServerContext*, const pb::ListDeliveriesRequest* request,
                                                 pb::ListDeliveriesResponse* response) {
  if (request->alert_id().empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "alert_id is required");
  auto records = store_.List(request->alert_id());
  if (!records.ok()) return ToGrpc(records.status());
  for (const DeliveryRecord& r : *records) {
    pb::Delivery* d = response->add_deliveries();
    d->set_delivery_id(r.delivery_id);
    d->set_alert_id(r.alert_id);
    d->set_recipient(r.recipient);
    d->set_channel(ToProto(r.channel));
    d->set_state(ToProto(r.state));
    d->set_attempts(r.attempts);
    d->set_last_error(r.last_error);
    if (r.state == DeliveryState::kSent) *d->mutable_sent_at() = ToProto(r.sent_at);
  }
  return grpc::Status::OK;
}

}  // namespace fbl::notifier
