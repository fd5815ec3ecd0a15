#include "libs/kafka/admin.h"

#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/rdkafka_util.h"

namespace fbl::kafka {

using internal::ErrorToStatus;
using internal::Handle;

struct Admin::Impl {
  Handle<rd_kafka_t> rk;

  absl::StatusOr<Handle<rd_kafka_event_t>> Await(rd_kafka_queue_t* queue, absl::Duration timeout) {
    Handle<rd_kafka_event_t> ev(
        rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout))));
    if (!ev) return absl::DeadlineExceededError("kafka admin: no answer in time");
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorToStatus(rd_kafka_event_error(ev.get()),
                           absl::StrCat("kafka admin: ", rd_kafka_event_error_string(ev.get())));
    }
    return ev;
  }

  absl::StatusOr<const rd_kafka_metadata_t*> Metadata(absl::Duration timeout) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(
        rk.get(), 1, nullptr, &md, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ErrorToStatus(err, "kafka metadata");
    return md;
  }
};

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Admin::~Admin() = default;

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(const std::string& brokers) {
  auto conf = internal::MakeConf(
      {{"bootstrap.servers", brokers}, {"client.id", "fbl-admin"}, {"log_level", "2"}});
  if (!conf.ok()) return conf.status();
  auto rk = internal::NewClient(RD_KAFKA_PRODUCER, std::move(*conf), "kafka admin");
  if (!rk.ok()) return rk.status();
  auto impl = std::make_unique<Impl>();
  impl->rk = std::move(*rk);
  return std::unique_ptr<Admin>(new Admin(std::move(impl)));
}

absl::StatusOr<std::vector<std::string>> Admin::EnsureTopics(const std::vector<TopicSpec>& topics,
                                                             absl::Duration timeout) {
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  char errstr[512];
  auto cleanup = [&] {
    for (auto* t : new_topics) rd_kafka_NewTopic_destroy(t);
  };
  for (const auto& spec : topics) {
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                   spec.replication_factor, errstr, sizeof(errstr));
    if (t == nullptr) {
      cleanup();
      return absl::InvalidArgumentError(absl::StrCat("topic ", spec.name, ": ", errstr));
    }
    if (spec.retention != absl::InfiniteDuration()) {
      rd_kafka_NewTopic_set_config(t, "retention.ms",
                                   std::to_string(absl::ToInt64Milliseconds(spec.retention)).c_str());
    }
    new_topics.push_back(t);
  }
  Handle<rd_kafka_queue_t> queue(rd_kafka_queue_new(impl_->rk.get()));
  Handle<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(impl_->rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(
      options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)), errstr, sizeof(errstr));
  rd_kafka_CreateTopics(impl_->rk.get(), new_topics.data(), new_topics.size(), options.get(),
                        queue.get());
  cleanup();
  auto ev = impl_->Await(queue.get(), timeout + absl::Seconds(5));
  if (!ev.ok()) return ev.status();
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(ev->get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  std::vector<std::string> created;
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    const char* name = rd_kafka_topic_result_name(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      created.emplace_back(name);
    } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* detail = rd_kafka_topic_result_error_string(results[i]);
      return ErrorToStatus(err, absl::StrCat("create topic ", name, ": ", detail ? detail : ""));
    }
  }
  return created;
}

namespace {

struct ResourceArray {
  std::vector<rd_kafka_ConfigResource_t*> items;
  ~ResourceArray() { rd_kafka_ConfigResource_destroy_array(items.data(), items.size()); }
};

struct DescribedConfig {
  std::string value;
  bool topic_override = false;  // set on the topic (DYNAMIC_TOPIC_CONFIG)
};

}  // namespace

// topic -> config -> value; topics that do not exist are absent.
static absl::StatusOr<std::map<std::string, std::map<std::string, DescribedConfig>>> DescribeTopics(
    rd_kafka_t* rk, const std::vector<std::string>& topics, absl::Duration timeout,
    const std::function<absl::StatusOr<Handle<rd_kafka_event_t>>(rd_kafka_queue_t*, absl::Duration)>& await) {
  std::map<std::string, std::map<std::string, DescribedConfig>> out;
  if (topics.empty()) return out;
  ResourceArray resources;
  for (const std::string& t : topics) {
    resources.items.push_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.c_str()));
  }
  char errstr[512];
  Handle<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk));
  Handle<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)),
                                            errstr, sizeof(errstr));
  rd_kafka_DescribeConfigs(rk, resources.items.data(), resources.items.size(), options.get(), queue.get());
  auto ev = await(queue.get(), timeout + absl::Seconds(5));
  if (!ev.ok()) return ev.status();
  const rd_kafka_DescribeConfigs_result_t* result = rd_kafka_event_DescribeConfigs_result(ev->get());
  size_t count = 0;
  const rd_kafka_ConfigResource_t** described = rd_kafka_DescribeConfigs_result_resources(result, &count);
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(described[i]);
    const std::string name = rd_kafka_ConfigResource_name(described[i]);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* detail = rd_kafka_ConfigResource_error_string(described[i]);
      return ErrorToStatus(err, absl::StrCat("describe configs of ", name, ": ", detail ? detail : ""));
    }
    size_t n = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(described[i], &n);
    auto& configs = out[name];
    for (size_t j = 0; j < n; ++j) {
      const char* value = rd_kafka_ConfigEntry_value(entries[j]);
      if (value == nullptr) continue;  // sensitive or unset
      configs[rd_kafka_ConfigEntry_name(entries[j])] = {
          value, rd_kafka_ConfigEntry_source(entries[j]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG};
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> Admin::TopicConfigs(const std::string& topic,
                                                                      absl::Duration timeout) {
  auto described = DescribeTopics(impl_->rk.get(), {topic}, timeout,
                                  [this](rd_kafka_queue_t* q, absl::Duration t) { return impl_->Await(q, t); });
  if (!described.ok()) return described.status();
  auto it = described->find(topic);
  if (it == described->end()) return absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : it->second) out[k] = v.value;
  return out;
}

absl::StatusOr<std::vector<Admin::ConfigChange>> Admin::AlignTopicConfigs(
    const std::map<std::string, std::map<std::string, std::string>>& wanted, bool apply, absl::Duration timeout) {
  std::vector<std::string> names;
  for (const auto& [topic, configs] : wanted) {
    if (!configs.empty()) names.push_back(topic);
  }
  auto await = [this](rd_kafka_queue_t* q, absl::Duration t) { return impl_->Await(q, t); };
  auto described = DescribeTopics(impl_->rk.get(), names, timeout, await);
  if (!described.ok()) return described.status();
  std::vector<ConfigChange> changes;
  ResourceArray alter;
  for (const auto& [topic, current] : *described) {
    const auto& want = wanted.at(topic);
    std::vector<ConfigChange> topic_changes;
    for (const auto& [key, value] : want) {
      auto it = current.find(key);
      const std::string old = it == current.end() ? "" : it->second.value;
      if (old != value) topic_changes.push_back({topic, key, old, value});
    }
    if (topic_changes.empty()) continue;
    // AlterConfigs sets the topic's whole override set: keep the others.
    rd_kafka_ConfigResource_t* r = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    alter.items.push_back(r);
    for (const auto& [key, c] : current) {
      if (c.topic_override && !want.contains(key)) rd_kafka_ConfigResource_set_config(r, key.c_str(), c.value.c_str());
    }
    for (const auto& [key, value] : want) rd_kafka_ConfigResource_set_config(r, key.c_str(), value.c_str());
    changes.insert(changes.end(), topic_changes.begin(), topic_changes.end());
  }
  if (!apply || alter.items.empty()) return changes;
  char errstr[512];
  Handle<rd_kafka_queue_t> queue(rd_kafka_queue_new(impl_->rk.get()));
  Handle<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(impl_->rk.get(), RD_KAFKA_ADMIN_OP_ALTERCONFIGS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)),
                                            errstr, sizeof(errstr));
  rd_kafka_AlterConfigs(impl_->rk.get(), alter.items.data(), alter.items.size(), options.get(), queue.get());
  auto ev = impl_->Await(queue.get(), timeout + absl::Seconds(5));
  if (!ev.ok()) return ev.status();
  const rd_kafka_AlterConfigs_result_t* result = rd_kafka_event_AlterConfigs_result(ev->get());
  size_t count = 0;
  const rd_kafka_ConfigResource_t** altered = rd_kafka_AlterConfigs_result_resources(result, &count);
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(altered[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* detail = rd_kafka_ConfigResource_error_string(altered[i]);
      return ErrorToStatus(err, absl::StrCat("alter configs of ", rd_kafka_ConfigResource_name(altered[i]), ": ",
                                             detail ? detail : ""));
    }
  }
  return changes;
}

absl::StatusOr<std::vector<std::string>> Admin::ListTopics(absl::Duration timeout) {
  auto md = impl_->Metadata(timeout);
  if (!md.ok()) return md.status();
  std::vector<std::string> names;
  for (int i = 0; i < (*md)->topic_cnt; ++i) names.emplace_back((*md)->topics[i].topic);
  rd_kafka_metadata_destroy(*md);
  return names;
}

absl::StatusOr<int> Admin::PartitionCount(const std::string& topic, absl::Duration timeout) {
  auto md = impl_->Metadata(timeout);
  if (!md.ok()) return md.status();
  std::optional<int> count;
  for (int i = 0; i < (*md)->topic_cnt; ++i) {
    if (topic == (*md)->topics[i].topic && (*md)->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      count = (*md)->topics[i].partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(*md);
  if (!count) return absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  return *count;
}

namespace {

// One attempt: produce a nonce to partition 0 and read it back by offset.
absl::Status RoundTripOnce(const std::string& brokers, const std::string& topic) {
  auto admin = Admin::Create(brokers);
  if (!admin.ok()) return admin.status();
  if (auto created = (*admin)->EnsureTopics({{topic, 1, 1, absl::Hours(1)}}, absl::Seconds(10));
      !created.ok()) {
    return created.status();
  }
  ProducerConfig pc;
  pc.brokers = brokers;
  pc.client_id = "fbl-ready";
  pc.message_timeout = absl::Seconds(10);
  pc.extra["log_level"] = "2";  // failures are returned; connection noise is not useful here
  auto producer = Producer::Create(pc);
  if (!producer.ok()) return producer.status();
  const std::string nonce = absl::StrCat("ready-", absl::ToUnixNanos(absl::Now()));
  auto delivered = (*producer)->ProduceSync({topic, nonce, nonce, {}});
  if (!delivered.ok()) return delivered.status();

  auto conf = internal::MakeConf({{"bootstrap.servers", brokers},
                                  {"group.id", "fbl-ready"},
                                  {"enable.auto.commit", "false"},
                                  {"log_level", "2"}});
  if (!conf.ok()) return conf.status();
  auto client = internal::NewClient(RD_KAFKA_CONSUMER, std::move(*conf), "readiness consumer");
  if (!client.ok()) return client.status();
  Handle<rd_kafka_t> rk = std::move(*client);
  rd_kafka_poll_set_consumer(rk.get());
  Handle<rd_kafka_topic_partition_list_t> assignment(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), delivered->partition)->offset =
      delivered->offset;
  if (auto err = rd_kafka_assign(rk.get(), assignment.get()); err) return ErrorToStatus(err, "assign");
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    Handle<rd_kafka_message_t> m(rd_kafka_consumer_poll(rk.get(), 200));
    if (m && m->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
        std::string_view(static_cast<const char*>(m->payload), m->len) == nonce) {
      rd_kafka_consumer_close(rk.get());
      return absl::OkStatus();
    }
  }
  rd_kafka_consumer_close(rk.get());
  return absl::UnavailableError("produced the readiness record but could not read it back");
}

}  // namespace

absl::Status CheckRoundTrip(const std::string& brokers, const std::string& topic,
                            absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last;
  while (absl::Now() < deadline) {
    last = RoundTripOnce(brokers, topic);
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return absl::UnavailableError(absl::StrCat("kafka at ", brokers, " not ready after ",
                                             absl::FormatDuration(timeout), ": ", last.message()));
}

}  // namespace fbl::kafka
