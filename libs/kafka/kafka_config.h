#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace fbl::kafka {

// Producer settings. Idempotence, acks=all and Nagle off are always on.
struct ProducerConfig {
  std::string brokers = "127.0.0.1:19092";
  std::string client_id = "feedbackloop";
  absl::Duration linger = absl::Milliseconds(2);
  int queue_max_messages = 100000;   // local queue bound (backpressure)
  int queue_max_kbytes = 256 * 1024;
  absl::Duration message_timeout = absl::Seconds(30);  // delivery gives up after this
  absl::Duration enqueue_timeout = absl::Milliseconds(500);  // wait on a full queue
  int max_message_bytes = 1000000;
  std::map<std::string, std::string> extra;  // raw librdkafka properties (e.g. SASL)
};

// Consumer settings. Offsets are committed only by Consumer::Commit.
struct ConsumerConfig {
  std::string brokers = "127.0.0.1:19092";
  std::string client_id = "feedbackloop";
  std::string group_id;
  std::vector<std::string> topics;
  std::string auto_offset_reset = "earliest";
  absl::Duration session_timeout = absl::Seconds(10);
  absl::Duration max_poll_interval = absl::Minutes(5);
  // How often the lag is reported to the Observer (librdkafka statistics);
  // zero turns it off.
  absl::Duration lag_interval = absl::Seconds(5);
  std::map<std::string, std::string> extra;
};

}  // namespace fbl::kafka
