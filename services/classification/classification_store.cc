#include "services/classification/classification_store.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fbl::classification {
namespace {

namespace pb = ::feedbackloop::classification::v1;

absl::Status FirstError(const std::vector<redis::Reply>& replies, std::string_view what) {
  for (const redis::Reply& r : replies) {
    if (r.is_error()) return absl::InternalError(absl::StrCat("redis: ", std::string(what), ": ", r.str()));
  }
  return absl::OkStatus();
}

}  // namespace

void BindConfig(config::Binder& b, StoreOptions& c) {
  b.Field("feedback_ttl", c.feedback_ttl);
  b.Field("unexplained_max", c.unexplained_max);
  if (c.feedback_ttl < absl::Hours(1)) b.Fail("feedback_ttl", "must be at least 1h");
  if (c.unexplained_max < 100) b.Fail("unexplained_max", "must be at least 100");
}

absl::Status ClassificationStore::Remember(const std::vector<Seen>& batch) {
  std::vector<std::vector<std::string>> commands;
  const std::string ttl_ms = std::to_string(absl::ToInt64Milliseconds(options_.feedback_ttl));
  for (const Seen& s : batch) {
    const nlohmann::json j = {{"n", s.normalized}, {"l3", s.l3}, {"t", absl::ToUnixMillis(s.at)}};
    commands.push_back({"SET", absl::StrCat(prefix_, "fb:", s.feedback_id),
                        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "PX", ttl_ms});
    if (s.l3.empty()) {
      commands.push_back({"XADD", prefix_ + "unexplained", "MAXLEN", "~", std::to_string(options_.unexplained_max),
                          "*", "id", s.feedback_id, "n", s.normalized, "t",
                          std::to_string(absl::ToUnixMillis(s.at))});
    }
  }
  if (commands.empty()) return absl::OkStatus();
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  return FirstError(*replies, "remember");
}

absl::StatusOr<std::optional<ClassificationStore::Seen>> ClassificationStore::Find(const std::string& feedback_id) {
  auto reply = redis_.Command({"GET", absl::StrCat(prefix_, "fb:", feedback_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<Seen>();
  const auto j = nlohmann::json::parse(reply->str(), nullptr, false);
  if (!j.is_object()) return absl::InternalError(absl::StrCat("unreadable stored record for ", feedback_id));
  Seen s;
  s.feedback_id = feedback_id;
  s.normalized = j.value("n", "");
  s.l3 = j.value("l3", std::vector<std::string>{});
  s.at = absl::FromUnixMillis(j.value("t", int64_t{0}));
  return std::optional<Seen>(std::move(s));
}

absl::Status ClassificationStore::AddCorrection(const pb::Correction& c, const std::string& normalized) {
  auto replies = redis_.Pipeline({
      {"HSET", absl::StrCat(prefix_, "corr:", c.correction_id()), "pb", c.SerializeAsString(), "text", normalized},
      {"ZADD", prefix_ + "corrections", "0", c.correction_id()},
      {"HSET", prefix_ + "corr_latest", c.feedback_id(), c.correction_id()},
  });
  if (!replies.ok()) return replies.status();
  return FirstError(*replies, "add correction");
}

absl::StatusOr<ClassificationStore::Page> ClassificationStore::ListCorrections(const std::string& page_token,
                                                                              int page_size) {
  auto ids = redis_.Command({"ZRANGEBYLEX", prefix_ + "corrections", page_token.empty() ? "-" : "(" + page_token,
                             "+", "LIMIT", "0", std::to_string(page_size + 1)});
  if (!ids.ok()) return ids.status();
  if (ids->is_error()) return absl::InternalError(absl::StrCat("redis: list corrections: ", ids->str()));
  Page page;
  std::vector<std::vector<std::string>> gets;
  for (size_t i = 0; i < ids->elements().size() && static_cast<int>(i) < page_size; ++i) {
    gets.push_back({"HGET", absl::StrCat(prefix_, "corr:", ids->elements()[i].str()), "pb"});
  }
  if (static_cast<int>(ids->elements().size()) > page_size) page.next_page_token = ids->elements()[page_size - 1].str();
  if (gets.empty()) return page;
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) {
    pb::Correction c;
    if (r.is_nil() || !c.ParseFromString(r.str())) continue;
    page.corrections.push_back(std::move(c));
  }
  return page;
}

absl::StatusOr<std::vector<ClassificationStore::Labelled>> ClassificationStore::LatestCorrections() {
  auto latest = redis_.Command({"HVALS", prefix_ + "corr_latest"});
  if (!latest.ok()) return latest.status();
  std::vector<std::string> ids;
  for (const redis::Reply& r : latest->elements()) ids.push_back(r.str());
  std::sort(ids.begin(), ids.end());  // time order
  std::vector<Labelled> out;
  constexpr size_t kChunk = 500;
  for (size_t begin = 0; begin < ids.size(); begin += kChunk) {
    std::vector<std::vector<std::string>> gets;
    for (size_t i = begin; i < std::min(ids.size(), begin + kChunk); ++i) {
      gets.push_back({"HMGET", absl::StrCat(prefix_, "corr:", ids[i]), "pb", "text"});
    }
    auto replies = redis_.Pipeline(gets);
    if (!replies.ok()) return replies.status();
    for (const redis::Reply& r : *replies) {
      if (r.elements().size() != 2) continue;
      Labelled l;
      if (!l.correction.ParseFromString(r.elements()[0].str())) continue;
      l.normalized = r.elements()[1].str();
      out.push_back(std::move(l));
    }
  }
  return out;
}

absl::StatusOr<std::vector<TopicDoc>> ClassificationStore::Unexplained(absl::Time since, int max) {
  auto reply = redis_.Command({"XREVRANGE", prefix_ + "unexplained", "+", "-", "COUNT", std::to_string(max)});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::InternalError(absl::StrCat("redis: unexplained: ", reply->str()));
  std::vector<TopicDoc> docs;
  absl::flat_hash_set<std::string> seen;  // a redelivered record is on the stream twice
  for (const redis::Reply& entry : reply->elements()) {
    if (entry.elements().size() != 2) continue;
    TopicDoc d;
    int64_t ms = 0;
    const auto& fields = entry.elements()[1].elements();
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      const std::string& k = fields[i].str();
      if (k == "id") d.feedback_id = fields[i + 1].str();
      if (k == "n") d.normalized = fields[i + 1].str();
      if (k == "t") (void)absl::SimpleAtoi(fields[i + 1].str(), &ms);
    }
    d.at = absl::FromUnixMillis(ms);
    if (d.feedback_id.empty() || d.at < since || !seen.insert(d.feedback_id).second) continue;
    docs.push_back(std::move(d));
  }
  return docs;
}

absl::StatusOr<bool> ClassificationStore::LeadTopics(const std::string& owner, absl::Duration lease) {
  const std::string key = prefix_ + "topics:lease";
  const std::string ms = std::to_string(absl::ToInt64Milliseconds(lease));
  auto set = redis_.Command({"SET", key, owner, "NX", "PX", ms});
  if (!set.ok()) return set.status();
  if (!set->is_nil()) return true;
  auto holder = redis_.Command({"GET", key});
  if (!holder.ok()) return holder.status();
  return holder->str() == owner;
}

absl::Status ClassificationStore::SaveTopics(const pb::ListEmergingTopicsResponse& topics) {
  return redis_.Command({"SET", prefix_ + "topics", topics.SerializeAsString()}).status();
}

absl::StatusOr<pb::ListEmergingTopicsResponse> ClassificationStore::LoadTopics() {
  auto reply = redis_.Command({"GET", prefix_ + "topics"});
  if (!reply.ok()) return reply.status();
  pb::ListEmergingTopicsResponse out;
  if (!reply->is_nil() && !out.ParseFromString(reply->str())) {
    return absl::InternalError("unreadable stored topics");
  }
  return out;
}

}  // namespace fbl::classification
