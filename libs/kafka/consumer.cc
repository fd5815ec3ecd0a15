#include "libs/kafka/consumer.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/kafka/consumer_lag.h"
#include "libs/kafka/rdkafka_util.h"

namespace fbl::kafka {

using internal::ClientContext;
using internal::ErrorToStatus;
using internal::Handle;

std::optional<std::string_view> Message::FindHeader(std::string_view name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->key == name) return it->value;
  }
  return std::nullopt;
}

namespace {

Message CopyMessage(const rd_kafka_message_t* m) {
  Message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  rd_kafka_timestamp_type_t ts_type;
  int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
  out.timestamp_ms = ts_type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? 0 : ts;
  if (m->key != nullptr) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) out.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.push_back(
          {name, value != nullptr ? std::string(static_cast<const char*>(value), size) : ""});
    }
  }
  return out;
}

// Per (topic, partition): the lowest or highest offset in `messages`.
std::map<std::pair<std::string, int32_t>, int64_t> OffsetsByPartition(
    const std::vector<Message>& messages, bool lowest) {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (const auto& m : messages) {
    auto [it, inserted] = out.try_emplace({m.topic, m.partition}, m.offset);
    if (!inserted) it->second = lowest ? std::min(it->second, m.offset) : std::max(it->second, m.offset);
  }
  return out;
}

Handle<rd_kafka_topic_partition_list_t> ToList(
    const std::map<std::pair<std::string, int32_t>, int64_t>& offsets, int64_t delta) {
  Handle<rd_kafka_topic_partition_list_t> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset =
        offset + delta;
  }
  return list;
}

}  // namespace

struct Consumer::Impl {
  ConsumerConfig config;
  ClientContext context;
  Handle<rd_kafka_t> rk;
  bool closed = false;
  bool paused = false;
  int assigned = 0;
  // Next offset per partition of everything processed: committed
  // asynchronously after each batch, and synchronously once more when the
  // partitions are revoked or the consumer closes, so a handover or a
  // shutdown redelivers nothing that was processed.
  std::map<std::pair<std::string, int32_t>, int64_t> processed;

  // Commits `processed` for the partitions in `only` (all when null) and
  // waits for the answer; forgets them.
  void CommitNow(const rd_kafka_topic_partition_list_t* only) {
    std::map<std::pair<std::string, int32_t>, int64_t> now;
    if (only == nullptr) {
      now.swap(processed);
    } else {
      for (int i = 0; i < only->cnt; ++i) {
        auto it = processed.find({only->elems[i].topic, only->elems[i].partition});
        if (it == processed.end()) continue;
        now.insert(*it);
        processed.erase(it);
      }
    }
    if (now.empty()) return;
    auto list = ToList(now, 0);
    (void)rd_kafka_commit(rk.get(), list.get(), /*async=*/0);  // OnCommitted reports the result
  }

  // Answers of commits, served from Poll (and from the synchronous commits).
  static void OnCommitted(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* /*offsets*/, void* opaque) {
    auto* context = static_cast<ClientContext*>(opaque);
    if (context->observer == nullptr || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    context->observer->OnCommit(err == RD_KAFKA_RESP_ERR_NO_ERROR);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // The batch may be delivered again (handlers are idempotent).
      context->observer->OnClientLog(4, absl::StrCat("commit: ", rd_kafka_err2str(err)));
    }
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* context = static_cast<ClientContext*>(opaque);
    auto* impl = static_cast<Impl*>(context->owner);
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    const bool assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
    if (assign) {
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions);
        if (e != nullptr) rd_kafka_error_destroy(e);
        impl->assigned += partitions->cnt;
      } else {
        rd_kafka_assign(rk, partitions);
        impl->assigned = partitions->cnt;
      }
      // New partitions start fetching even if the consumer was paused; keep
      // them consistent with the paused state.
      if (impl->paused) rd_kafka_pause_partitions(rk, partitions);
    } else {
      impl->CommitNow(partitions);  // before another member takes them over
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions);
        if (e != nullptr) rd_kafka_error_destroy(e);
        impl->assigned = std::max(0, impl->assigned - partitions->cnt);
      } else {
        rd_kafka_assign(rk, nullptr);
        impl->assigned = 0;
      }
    }
    if (context->observer != nullptr) context->observer->OnRebalance(assign, partitions->cnt);
  }

  // librdkafka statistics, served from Poll every lag_interval: the lag per
  // subscribed topic goes to the observer.
  static int OnStatistics(rd_kafka_t* /*rk*/, char* json, size_t json_len, void* opaque) {
    auto* context = static_cast<ClientContext*>(opaque);
    auto* impl = static_cast<Impl*>(context->owner);
    if (context->observer == nullptr) return 0;
    auto lag = internal::LagFromStatistics(std::string_view(json, json_len), impl->config.topics,
                                           impl->config.auto_offset_reset == "earliest");
    if (!lag.ok()) {
      context->observer->OnClientLog(4, std::string(lag.status().message()));
      return 0;
    }
    for (const auto& [topic, messages] : *lag) {
      context->observer->OnConsumerLag(impl->config.group_id, topic, messages);
    }
    return 0;  // librdkafka frees `json`
  }

  absl::Status ForAssignment(
      rd_kafka_resp_err_t (*fn)(rd_kafka_t*, rd_kafka_topic_partition_list_t*),
      const char* what) {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_assignment(rk.get(), &raw);
    Handle<rd_kafka_topic_partition_list_t> list(raw);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ErrorToStatus(err, "assignment");
    return ErrorToStatus(fn(rk.get(), list.get()), what);
  }
};

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerConfig& config,
                                                           Observer* observer) {
  if (config.group_id.empty()) return absl::InvalidArgumentError("kafka consumer: group_id is empty");
  if (config.topics.empty()) return absl::InvalidArgumentError("kafka consumer: no topics");
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", config.brokers},
      {"client.id", config.client_id},
      {"group.id", config.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", config.auto_offset_reset},
      {"enable.partition.eof", "false"},
      {"socket.nagle.disable", "true"},
      {"fetch.wait.max.ms", "10"},
      {"session.timeout.ms", std::to_string(absl::ToInt64Milliseconds(config.session_timeout))},
      {"heartbeat.interval.ms",
       std::to_string(std::max<int64_t>(100, absl::ToInt64Milliseconds(config.session_timeout) / 4))},
      {"max.poll.interval.ms",
       std::to_string(absl::ToInt64Milliseconds(config.max_poll_interval))},
  };
  const bool report_lag = observer != nullptr && config.lag_interval > absl::ZeroDuration();
  if (report_lag) {
    props["statistics.interval.ms"] =
        std::to_string(std::max<int64_t>(1, absl::ToInt64Milliseconds(config.lag_interval)));
  }
  auto conf = internal::MakeConf(props, config.extra);
  if (!conf.ok()) return conf.status();

  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->context = ClientContext{observer, impl.get()};
  internal::InstallContext(conf->get(), &impl->context);
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Impl::OnRebalance);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &Impl::OnCommitted);
  if (report_lag) rd_kafka_conf_set_stats_cb(conf->get(), &Impl::OnStatistics);

  auto client = internal::NewClient(RD_KAFKA_CONSUMER, std::move(*conf), "kafka consumer");
  if (!client.ok()) return client.status();
  impl->rk = std::move(*client);
  rd_kafka_t* rk = impl->rk.get();
  rd_kafka_poll_set_consumer(rk);

  Handle<rd_kafka_topic_partition_list_t> topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(config.topics.size())));
  for (const auto& t : config.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto err = rd_kafka_subscribe(rk, topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorToStatus(err, absl::StrCat("subscribe to ", absl::StrJoin(config.topics, ",")));
  }
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

Consumer::~Consumer() { Close(); }

absl::StatusOr<std::vector<Message>> Consumer::Poll(size_t max_messages, absl::Duration timeout) {
  std::vector<Message> out;
  if (impl_->closed) return absl::FailedPreconditionError("consumer is closed");
  int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  while (out.size() < max_messages) {
    Handle<rd_kafka_message_t> m(rd_kafka_consumer_poll(impl_->rk.get(), wait_ms));
    if (!m) break;
    wait_ms = 0;  // only the first message is waited for
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.push_back(CopyMessage(m.get()));
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    char fatal[256];
    if (rd_kafka_fatal_error(impl_->rk.get(), fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InternalError(absl::StrCat("kafka consumer fatal error: ", fatal));
    }
    if (impl_->context.observer != nullptr) {
      impl_->context.observer->OnClientLog(4, absl::StrCat("consume: ", rd_kafka_message_errstr(m.get())));
    }
    if (out.empty() && (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                        m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)) {
      return ErrorToStatus(m->err, "consume");
    }
  }
  return out;
}

absl::Status Consumer::Commit(const std::vector<Message>& processed) {
  if (processed.empty()) return absl::OkStatus();
  auto next = OffsetsByPartition(processed, /*lowest=*/false);
  for (auto& [tp, offset] : next) impl_->processed[tp] = ++offset;
  auto list = ToList(next, 0);
  // Asynchronous: the next batch does not wait for the broker's answer.
  return ErrorToStatus(rd_kafka_commit(impl_->rk.get(), list.get(), /*async=*/1), "commit");
}

absl::Status Consumer::Rewind(const std::vector<Message>& unprocessed) {
  if (unprocessed.empty()) return absl::OkStatus();
  auto list = ToList(OffsetsByPartition(unprocessed, /*lowest=*/true), 0);
  rd_kafka_error_t* error = rd_kafka_seek_partitions(impl_->rk.get(), list.get(), 5000);
  if (error != nullptr) {
    absl::Status s = absl::UnavailableError(absl::StrCat("seek: ", rd_kafka_error_string(error)));
    rd_kafka_error_destroy(error);
    return s;
  }
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorToStatus(list->elems[i].err,
                           absl::StrCat("seek ", list->elems[i].topic, "/", list->elems[i].partition));
    }
  }
  return absl::OkStatus();
}

absl::Status Consumer::Pause() {
  impl_->paused = true;
  return impl_->ForAssignment(&rd_kafka_pause_partitions, "pause");
}

absl::Status Consumer::Resume() {
  impl_->paused = false;
  return impl_->ForAssignment(&rd_kafka_resume_partitions, "resume");
}

int Consumer::AssignedPartitions() const { return impl_->assigned; }

void Consumer::Close() {
  if (!impl_ || impl_->closed) return;
  impl_->closed = true;
  impl_->CommitNow(nullptr);
  rd_kafka_consumer_close(impl_->rk.get());
  impl_->rk.reset();
}

}  // namespace fbl::kafka
