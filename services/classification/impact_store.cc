#include "services/classification/impact_store.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace fbl::classification {

ImpactStore::ImpactStore(redis::Client& redis, std::string prefix, absl::Duration window)
    : redis_(redis), prefix_(std::move(prefix)), window_(window),
      bucket_(std::max(absl::Hours(1), absl::Seconds(absl::ToInt64Seconds(window) / 24))),
      buckets_(static_cast<int>(std::ceil(absl::FDivDuration(window_, bucket_)))) {}

std::string ImpactStore::Key(const std::string& problem, int64_t bucket) const {
  return absl::StrCat(prefix_, "hll:", absl::ToInt64Seconds(bucket_), ":", problem, ":", bucket);
}

absl::StatusOr<std::vector<std::vector<int64_t>>> ImpactStore::Record(const std::vector<Observation>& batch) {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::vector<size_t>> count_at(batch.size());  // index of each PFCOUNT reply
  const std::string ttl_ms = std::to_string(absl::ToInt64Milliseconds(window_ + bucket_));
  for (size_t i = 0; i < batch.size(); ++i) {
    const Observation& o = batch[i];
    absl::Duration rem;
    const int64_t bucket = absl::IDivDuration(o.at - absl::UnixEpoch(), bucket_, &rem);
    for (const std::string& problem : o.problems) {
      const std::string key = Key(problem, bucket);
      if (!o.customer.empty()) {
        commands.push_back({"PFADD", key, o.customer});
        commands.push_back({"PEXPIRE", key, ttl_ms});
      }
      std::vector<std::string> count = {"PFCOUNT"};
      for (int b = 0; b < buckets_; ++b) count.push_back(Key(problem, bucket - b));
      count_at[i].push_back(commands.size());
      commands.push_back(std::move(count));
    }
  }
  std::vector<std::vector<int64_t>> out(batch.size());
  if (commands.empty()) return out;
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) {
    if (r.is_error()) return absl::InternalError(absl::StrCat("redis: impact counts: ", r.str()));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    for (size_t at : count_at[i]) out[i].push_back((*replies)[at].integer());
  }
  return out;
}

}  // namespace fbl::classification
