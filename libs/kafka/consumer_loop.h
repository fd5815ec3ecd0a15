#pragma once

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/kafka/consumer.h"

namespace fbl::kafka {

struct ConsumerLoopOptions {
  size_t max_batch = 500;
  absl::Duration poll_timeout = absl::Milliseconds(100);
  absl::Duration retry_backoff = absl::Milliseconds(500);  // doubles up to 16x on repeated failures
};

// Processes a batch; OK means every message is fully handled (its output
// acknowledged) and may be committed. Any error means "retry the batch".
using BatchHandler = std::function<absl::Status(const std::vector<Message>&)>;

// At-least-once loop: poll a batch, handle it, commit it. On a handler error
// the batch is rewound and the consumer paused for a backoff (still serving
// the group protocol), then resumed: nothing is dropped and memory does not
// grow while a dependency is down. `on_error` sees every handler and commit
// error (for logs and metrics). Returns when `stop()` is true, after the
// current batch, or with the error of a fatal consumer failure.
[[nodiscard]] absl::Status RunConsumerLoop(Consumer& consumer, const BatchHandler& handler,
                                           const std::function<bool()>& stop,
                                           const ConsumerLoopOptions& options,
                                           const std::function<void(const absl::Status&)>& on_error = nullptr);

}  // namespace fbl::kafka
