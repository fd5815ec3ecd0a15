#include "services/classification/impact_store.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fbl::classification {

ImpactStore::ImpactStore(redis::Client& redis, std::string prefix, absl::Duration window)
    : redis_(redis), prefix_(std::move(prefix)), window_(window),
      bucket_(std::max(absl::Hours(1), absl::Seconds(absl::ToInt64Seconds(window) / 24))),
      buckets_(static_cast<int>(std::ceil(absl::FDivDuration(window_, bucket_)))) {}

std::string ImpactStore::Key(const std::string& problem, int64_t bucket) const {
  return absl::StrCat(prefix_, "hll:", absl::ToInt64Seconds(bucket_), ":", problem, ":", bucket);
}

namespace {

std::string EncodeCounts(const std::vector<std::string>& problems, const std::vector<int64_t>& counts) {
  std::string out;
  for (size_t i = 0; i < problems.size(); ++i) absl::StrAppend(&out, i ? "," : "", problems[i], "=", counts[i]);
  return out;
}

// Overwrites counts[i] with the kept count of problems[i], where there is one
// (a reloaded taxonomy may have changed the problems since).
void ApplyKept(const std::string& kept, const std::vector<std::string>& problems, std::vector<int64_t>& counts) {
  for (absl::string_view pair : absl::StrSplit(kept, ',', absl::SkipEmpty())) {
    const size_t eq = pair.rfind('=');
    int64_t n = 0;
    if (eq == absl::string_view::npos || !absl::SimpleAtoi(pair.substr(eq + 1), &n)) continue;
    const std::string code(pair.substr(0, eq));
    for (size_t i = 0; i < problems.size(); ++i) {
      if (problems[i] == code) counts[i] = n;
    }
  }
}

}  // namespace

absl::StatusOr<std::vector<std::vector<int64_t>>> ImpactStore::Record(const std::vector<Observation>& batch) {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::vector<size_t>> count_at(batch.size());  // index of each problem's PFCOUNT reply
  std::vector<size_t> kept_at(batch.size(), SIZE_MAX);       // index of each GET of kept counts
  const std::string ttl_ms = std::to_string(absl::ToInt64Milliseconds(window_ + bucket_));
  // A window's union is counted once per batch (PFCOUNT over 24 keys is the
  // costliest call here), after every customer of the batch is added.
  std::map<std::pair<std::string, int64_t>, size_t> counts;  // (problem, bucket) -> index of its count
  std::vector<std::vector<std::pair<std::string, int64_t>>> windows(batch.size());
  std::map<std::string, std::vector<std::string>> adds;  // bucket key -> customers (one PFADD each)
  for (size_t i = 0; i < batch.size(); ++i) {
    const Observation& o = batch[i];
    if (o.problems.empty()) continue;
    absl::Duration rem;
    const int64_t bucket = absl::IDivDuration(o.at - absl::UnixEpoch(), bucket_, &rem);
    if (!o.feedback_id.empty()) {
      kept_at[i] = commands.size();
      commands.push_back({"GET", MemoKey(o.feedback_id)});
    }
    for (const std::string& problem : o.problems) {
      if (!o.customer.empty()) adds[Key(problem, bucket)].push_back(o.customer);
      windows[i].emplace_back(problem, bucket);
      counts.emplace(windows[i].back(), 0);
    }
  }
  for (auto& [key, customers] : adds) {
    std::vector<std::string> add = {"PFADD", key};
    add.insert(add.end(), std::make_move_iterator(customers.begin()), std::make_move_iterator(customers.end()));
    commands.push_back(std::move(add));
    commands.push_back({"PEXPIRE", key, ttl_ms});
  }
  for (auto& [window, at] : counts) {
    std::vector<std::string> count = {"PFCOUNT"};
    for (int b = 0; b < buckets_; ++b) count.push_back(Key(window.first, window.second - b));
    at = commands.size();
    commands.push_back(std::move(count));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    for (const auto& window : windows[i]) count_at[i].push_back(counts.at(window));
  }
  std::vector<std::vector<int64_t>> out(batch.size());
  if (commands.empty()) return out;
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) {
    if (r.is_error()) return absl::InternalError(absl::StrCat("redis: impact counts: ", r.str()));
  }
  // Keep the fresh counts of first sightings; SET NX + GET, so that of two
  // replicas racing on one feedback both use the winner's counts.
  std::vector<std::vector<std::string>> keep;
  std::vector<size_t> keep_of;  // batch index of each SET NX + GET pair
  for (size_t i = 0; i < batch.size(); ++i) {
    for (size_t at : count_at[i]) out[i].push_back((*replies)[at].integer());
    if (kept_at[i] == SIZE_MAX) continue;
    const redis::Reply& kept = (*replies)[kept_at[i]];
    if (!kept.is_nil()) {
      ApplyKept(kept.str(), batch[i].problems, out[i]);
      continue;
    }
    const std::string key = MemoKey(batch[i].feedback_id);
    keep.push_back({"SET", key, EncodeCounts(batch[i].problems, out[i]), "NX", "PX", ttl_ms});
    keep.push_back({"GET", key});
    keep_of.push_back(i);
  }
  if (keep.empty()) return out;
  auto kept = redis_.Pipeline(keep);
  if (!kept.ok()) return kept.status();
  for (size_t k = 0; k < keep_of.size(); ++k) {
    const redis::Reply& r = (*kept)[2 * k + 1];
    if (r.is_error()) return absl::InternalError(absl::StrCat("redis: impact counts: ", r.str()));
    ApplyKept(r.str(), batch[keep_of[k]].problems, out[keep_of[k]]);
  }
  return out;
}

}  // namespace fbl::classification
