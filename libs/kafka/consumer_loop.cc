#include "libs/kafka/consumer_loop.h"

#include <algorithm>

namespace fbl::kafka {

absl::Status RunConsumerLoop(Consumer& consumer, const BatchHandler& handler,
                             const std::function<bool()>& stop, const ConsumerLoopOptions& options,
                             const std::function<void(const absl::Status&)>& on_error) {
  int failures = 0;
  auto report = [&](const absl::Status& s) {
    if (on_error) on_error(s);
  };
  while (!stop()) {
    auto batch = consumer.Poll(options.max_batch, options.poll_timeout);
    if (!batch.ok()) {
      if (batch.status().code() == absl::StatusCode::kInternal) return batch.status();  // fatal
      report(batch.status());
      continue;
    }
    if (batch->empty()) continue;
    absl::Status handled = handler(*batch);
    if (handled.ok()) {
      failures = 0;
      // A failed commit (e.g. lost partitions in a rebalance) only means the
      // batch may be delivered again; handlers are idempotent.
      if (absl::Status c = consumer.Commit(*batch); !c.ok()) report(c);
      continue;
    }
    report(handled);
    if (absl::Status r = consumer.Rewind(*batch); !r.ok()) report(r);
    const absl::Duration backoff = options.retry_backoff * (1 << std::min(failures++, 4));
    (void)consumer.Pause();
    const absl::Time until = absl::Now() + backoff;
    while (absl::Now() < until && !stop()) {
      // Paused: returns nothing, but keeps the group membership alive.
      auto idle = consumer.Poll(options.max_batch, std::min(options.poll_timeout, until - absl::Now()));
      // Anything already fetched before the pause goes back too, never skipped.
      if (idle.ok() && !idle->empty()) (void)consumer.Rewind(*idle);
    }
    (void)consumer.Resume();
  }
  return absl::OkStatus();
}

}  // namespace fbl::kafka
