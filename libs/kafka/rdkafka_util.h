#pragma once
// Private to libs/kafka: the only header here that includes librdkafka.

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/observer.h"

namespace fbl::kafka::internal {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
template <typename T>
using Handle = std::unique_ptr<T, KafkaDeleter>;

// Maps a librdkafka error to a status; retryable conditions are UNAVAILABLE,
// RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED.
absl::Status ErrorToStatus(rd_kafka_resp_err_t err, const std::string& context);

// Builds a conf from `props`, then `extra` (which wins); INVALID_ARGUMENT
// names the bad property.
absl::StatusOr<Handle<rd_kafka_conf_t>> MakeConf(const std::map<std::string, std::string>& props,
                                                 const std::map<std::string, std::string>& extra = {});

// rd_kafka_new, taking ownership of `conf`; `what` names the client in errors.
absl::StatusOr<Handle<rd_kafka_t>> NewClient(rd_kafka_type_t type, Handle<rd_kafka_conf_t> conf,
                                             const std::string& what);

// What every client handle carries as its librdkafka opaque.
struct ClientContext {
  Observer* observer = nullptr;  // may be null
  void* owner = nullptr;         // the Impl that owns the handle
};

// Sets `context` as the conf opaque and routes client logs and errors to its
// observer (librdkafka's stderr default when there is none). `context` must
// outlive the handle.
void InstallContext(rd_kafka_conf_t* conf, ClientContext* context);

}  // namespace fbl::kafka::internal
