// Test helper: joins a group, consumes until it has N records, prints their
// "partition:offset:value" lines, then SIGKILLs itself before committing,
// like a service that crashes after processing.
//   kafka_consume_and_die BROKERS TOPIC GROUP N
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "libs/kafka/consumer.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s BROKERS TOPIC GROUP N\n", argv[0]);
    return 2;
  }
  fbl::kafka::ConsumerConfig config;
  config.brokers = argv[1];
  config.topics = {argv[2]};
  config.group_id = argv[3];
  config.session_timeout = absl::Seconds(6);
  config.max_poll_interval = absl::Seconds(10);
  const size_t want = std::strtoul(argv[4], nullptr, 10);
  auto consumer = fbl::kafka::Consumer::Create(config);
  if (!consumer.ok()) return 3;
  size_t got = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (got < want && absl::Now() < deadline) {
    auto batch = (*consumer)->Poll(want - got, absl::Milliseconds(200));
    if (!batch.ok()) return 4;
    for (const auto& m : *batch) {
      std::printf("%d:%ld:%s\n", m.partition, static_cast<long>(m.offset), m.value.c_str());
      ++got;
    }
  }
  std::fflush(stdout);
  raise(SIGKILL);  // processed, never committed
  return 0;
}
