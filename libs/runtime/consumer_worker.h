#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/runtime/signals.h"

namespace fbl::runtime {

// A service's Kafka consumer loop on its own thread: runs until shutdown is
// requested, logs every retried batch, and requests shutdown itself when the
// consumer fails fatally.
class ConsumerWorker {
 public:
  ConsumerWorker(kafka::Consumer& consumer, kafka::BatchHandler handler, Signals& signals,
                 kafka::ConsumerLoopOptions options);
  ~ConsumerWorker();

  // Waits for the loop to end (after the current batch); its final status.
  [[nodiscard]] absl::Status Join();

 private:
  absl::Status status_;
  std::thread thread_;
};

// A service's periodic job on its own thread (timers, reloads, storm
// flushes): runs `tick` every `interval` until shutdown is requested; a
// failing tick is logged as "<what> failed; will retry" and tried again next
// time.
class PeriodicTask {
 public:
  PeriodicTask(Signals& signals, absl::Duration interval, std::string what, std::function<absl::Status()> tick);
  ~PeriodicTask();

  // Waits for the thread to end (after shutdown was requested).
  void Join();

 private:
  std::thread thread_;
};

}  // namespace fbl::runtime
