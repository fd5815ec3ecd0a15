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

}  // namespace fbl::runtime
