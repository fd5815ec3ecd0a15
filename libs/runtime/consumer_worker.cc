#include "libs/runtime/consumer_worker.h"

#include "libs/runtime/log.h"

namespace fbl::runtime {

ConsumerWorker::ConsumerWorker(kafka::Consumer& consumer, kafka::BatchHandler handler, Signals& signals,
                               kafka::ConsumerLoopOptions options)
    : thread_([this, &consumer, handler = std::move(handler), &signals, options] {
        status_ = kafka::RunConsumerLoop(
            consumer, handler, [&] { return signals.stopping(); }, options, [](const absl::Status& s) {
              log::Warn("batch not processed; will retry", {{"error", std::string(s.message())}});
            });
        if (!status_.ok()) signals.RequestStop();
      }) {}

ConsumerWorker::~ConsumerWorker() {
  if (thread_.joinable()) thread_.join();
}

absl::Status ConsumerWorker::Join() {
  if (thread_.joinable()) thread_.join();
  return status_;
}

PeriodicTask::PeriodicTask(Signals& signals, absl::Duration interval, std::string what,
                           std::function<absl::Status()> tick)
    : thread_([&signals, interval, what = std::move(what), tick = std::move(tick)] {
        while (!signals.WaitFor(interval)) {
          if (absl::Status s = tick(); !s.ok()) {
            log::Warn(what + " failed; will retry", {{"error", std::string(s.message())}});
          }
        }
      }) {}

PeriodicTask::~PeriodicTask() { Join(); }

void PeriodicTask::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace fbl::runtime
