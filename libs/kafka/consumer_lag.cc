#include "libs/kafka/consumer_lag.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace fbl::kafka::internal {

namespace {

int64_t Offset(const nlohmann::json& partition, const char* field) {
  auto it = partition.find(field);
  return it != partition.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
}

}  // namespace

absl::StatusOr<std::map<std::string, int64_t>> LagFromStatistics(std::string_view json,
                                                                 const std::vector<std::string>& topics,
                                                                 bool from_earliest) {
  nlohmann::json stats = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (stats.is_discarded() || !stats.is_object()) {
    return absl::InvalidArgumentError("consumer statistics: not JSON");
  }
  auto all = stats.find("topics");
  if (all == stats.end() || !all->is_object()) {
    return absl::InvalidArgumentError("consumer statistics: no \"topics\" object");
  }
  std::map<std::string, int64_t> out;
  for (const std::string& topic : topics) {
    auto t = all->find(topic);
    if (t == all->end()) continue;  // no metadata yet
    auto partitions = t->find("partitions");
    if (partitions == t->end() || !partitions->is_object()) continue;
    int assigned = 0, known = 0;
    int64_t lag = 0;
    for (const auto& [id, p] : partitions->items()) {
      // -1 is librdkafka's internal UnAssigned partition; "desired" marks
      // the partitions the group gave this consumer.
      if (id == "-1" || !p.value("desired", false)) continue;
      ++assigned;
      int64_t end = Offset(p, "ls_offset");
      if (end < 0) end = Offset(p, "hi_offset");
      if (end < 0) continue;  // not fetched yet
      ++known;
      int64_t from = Offset(p, "committed_offset");
      if (from < 0) from = from_earliest ? std::max<int64_t>(0, Offset(p, "lo_offset")) : Offset(p, "app_offset");
      if (from < 0) from = end;  // latest: nothing to catch up on until a first message
      lag += std::max<int64_t>(0, end - from);
    }
    if (assigned == 0 || known > 0) out[topic] = lag;
  }
  return out;
}

}  // namespace fbl::kafka::internal
