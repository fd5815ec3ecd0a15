#pragma once
// Private to libs/kafka: consumer lag from librdkafka's statistics JSON
// (statistics.interval.ms), kept apart from the client so it is unit-tested
// on captured statistics.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::kafka::internal {

// Lag in messages per topic of `topics`: the sum, over the partitions this
// consumer is assigned, of the end offset (last stable, else high watermark)
// minus the committed offset. A partition with nothing committed yet counts
// from the low watermark when `from_earliest` (auto.offset.reset=earliest,
// where the group will start), else from what was passed to the application.
// A topic with no assigned partition has lag 0; a topic whose assigned
// partitions have no known end offset yet (before the first fetch), or that
// the statistics do not list, is left out. INVALID_ARGUMENT if `json` is not
// librdkafka statistics.
[[nodiscard]] absl::StatusOr<std::map<std::string, int64_t>> LagFromStatistics(
    std::string_view json, const std::vector<std::string>& topics, bool from_earliest);

}  // namespace fbl::kafka::internal
