#include "services/intake/privacy_admin.h"

#include <functional>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/text/pii.h"
#include "services/intake/dedup_store.h"
#include "services/intake/record_privacy.h"

namespace fbl::intake {
namespace {

namespace pb = ::feedbackloop::feedback::v1;

// KEYS[1] record; ARGV expected bytes, new bytes. 1 written, 0 changed
// meanwhile, -1 gone (expired or deleted). Keeps the record's TTL.
const redis::LuaScript kCompareAndSet(R"lua(
local v = redis.call('GET', KEYS[1])
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
)lua");

constexpr int kMaxAttempts = 5;

enum class Updated { kChanged, kUnchanged, kGone };
struct UpdateResult {
  Updated outcome = Updated::kUnchanged;
  absl::Status record_error;  // the record's own problem (counted, not fatal)
};
using Change = std::function<absl::StatusOr<bool>(pb::FeedbackRecord&)>;

}  // namespace

bool IsPseudonym(std::string_view s) {
  if (s.size() != 34 || !s.starts_with("c_")) return false;
  for (char c : s.substr(2)) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

absl::StatusOr<PrivacyAdmin::Write> PrivacyAdmin::CompareAndSet(const std::string& key, const std::string& old,
                                                               const std::string& updated) {
  auto reply = redis_.Eval(kCompareAndSet, {key}, {old, updated});
  if (!reply.ok()) return reply.status();
  if (reply->integer() == 1) return Write::kWritten;
  if (reply->integer() == 0) return Write::kChanged;
  return Write::kGone;
}

absl::StatusOr<std::pair<std::string, std::vector<std::string>>> PrivacyAdmin::ScanRecords(const std::string& cursor,
                                                                                          int count) {
  auto reply = redis_.Command({"SCAN", cursor, "MATCH", kRecordKeyPattern, "COUNT", std::to_string(count)});
  if (!reply.ok()) return reply.status();
  if (reply->is_error() || reply->elements().size() != 2) {
    return absl::UnavailableError(absl::StrCat("SCAN: unexpected reply ", reply->DebugString()));
  }
  std::vector<std::string> keys;
  for (const redis::Reply& k : reply->elements()[1].elements()) keys.push_back(k.str());
  return std::make_pair(reply->elements()[0].str(), std::move(keys));
}

namespace {

// Applies `change` to the record at `key` (starting from `value` when
// known) and writes it back if nothing changed it meanwhile.
absl::StatusOr<UpdateResult> UpdateRecord(
    redis::Client& redis, const std::string& key, std::optional<std::string> value, const Change& change,
    const std::function<absl::StatusOr<bool>(const std::string&, const std::string&, const std::string&, bool&)>&
        cas) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (!value) {
      auto reply = redis.Command({"GET", key});
      if (!reply.ok()) return reply.status();
      if (reply->is_nil()) return UpdateResult{Updated::kGone, absl::OkStatus()};
      value = reply->str();
    }
    pb::FeedbackRecord record;
    if (!record.ParseFromString(*value)) {
      return UpdateResult{Updated::kUnchanged, absl::DataLossError("corrupt record")};
    }
    auto changed = change(record);
    if (!changed.ok()) return UpdateResult{Updated::kUnchanged, changed.status()};
    if (!*changed) return UpdateResult{Updated::kUnchanged, absl::OkStatus()};
    bool gone = false;
    auto written = cas(key, *value, record.SerializeAsString(), gone);
    if (!written.ok()) return written.status();
    if (gone) return UpdateResult{Updated::kGone, absl::OkStatus()};
    if (*written) return UpdateResult{Updated::kChanged, absl::OkStatus()};
    value.reset();  // changed meanwhile: read it again
  }
  return UpdateResult{Updated::kUnchanged, absl::AbortedError("record kept changing; run again")};
}

std::string IdOf(const std::string& record_key) { return record_key.substr(RecordKey("").size()); }

}  // namespace

absl::StatusOr<RotateReport> PrivacyAdmin::RotateContactKeys(const RotateOptions& options) {
  // One generation of keys for the whole call, even if the file is reloaded.
  const std::shared_ptr<const IntakeKeys> keys = keys_.Current();
  RotateReport report;
  report.active_key_id = keys->active_contact_key;
  auto cas = [this](const std::string& key, const std::string& old, const std::string& updated,
                    bool& gone) -> absl::StatusOr<bool> {
    auto w = CompareAndSet(key, old, updated);
    if (!w.ok()) return w.status();
    gone = *w == Write::kGone;
    return *w == Write::kWritten;
  };
  const Change reseal = [&keys](pb::FeedbackRecord& r) {
    return ResealContact(r, keys->sealer, keys->active_contact_key);
  };
  std::string cursor = options.cursor.empty() ? "0" : options.cursor;
  const int page = options.page_size > 0 ? options.page_size : 500;
  for (int pages = 0; options.max_pages <= 0 || pages < options.max_pages; ++pages) {
    auto step = ScanRecords(cursor, page);
    if (!step.ok()) return step.status();
    cursor = step->first;
    const std::vector<std::string>& record_keys = step->second;
    if (!record_keys.empty()) {
      std::vector<std::string> mget = {"MGET"};
      mget.insert(mget.end(), record_keys.begin(), record_keys.end());
      auto values = redis_.Command(mget);
      if (!values.ok()) return values.status();
      if (values->is_error() || values->elements().size() != record_keys.size()) {
        return absl::UnavailableError(absl::StrCat("MGET: unexpected reply ", values->DebugString()));
      }
      for (size_t i = 0; i < record_keys.size(); ++i) {
        const redis::Reply& v = values->elements()[i];
        if (v.is_nil()) continue;  // expired since SCAN saw it
        ++report.scanned;
        auto result = UpdateRecord(redis_, record_keys[i], v.str(), reseal, cas);
        if (!result.ok()) return result.status();
        if (!result->record_error.ok()) {
          ++report.failed;
          if (report.failures.size() < kMaxFailuresListed) {
            report.failures.push_back(absl::StrCat(IdOf(record_keys[i]), ": ", result->record_error.ToString()));
          }
        } else if (result->outcome == Updated::kChanged) {
          ++report.resealed;
        } else {
          ++report.unchanged;
        }
      }
    }
    if (cursor == "0") break;
  }
  report.next_cursor = cursor;
  if (metrics_ != nullptr) {
    metrics_->PrivacyRecords("resealed", report.resealed);
    metrics_->PrivacyRecords("reseal_failed", report.failed);
  }
  return report;
}

absl::StatusOr<EraseReport> PrivacyAdmin::EraseCustomer(const EraseRequest& request) {
  if (!IsPseudonym(request.pseudonym)) {
    return absl::InvalidArgumentError("customer_pseudonym must be \"c_\" followed by 32 lower-case hex digits");
  }
  if (request.reason.empty()) return absl::InvalidArgumentError("reason is required");
  if (request.reason.size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(absl::StrCat("reason is longer than ", kMaxReasonBytes, " bytes"));
  }
  EraseReport report;
  // 1. Mark first: from now on new records of the customer carry no
  //    personal data, and in-flight ones are not stored (DedupStore::MarkDone).
  const absl::Time now = absl::Now();
  const std::string now_text = absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone());
  auto marked = redis_.Pipeline({{"HSETNX", kErasedKey, request.pseudonym, now_text},
                                 {"HGET", kErasedKey, request.pseudonym}});
  if (!marked.ok()) return marked.status();
  if ((*marked)[0].is_error() || (*marked)[1].is_error()) {
    return absl::UnavailableError(absl::StrCat("marking erased: ", (*marked)[0].DebugString()));
  }
  report.first_request = (*marked)[0].integer() == 1;
  std::string parse_error;
  if (!absl::ParseTime(absl::RFC3339_full, (*marked)[1].str(), &report.erased_at, &parse_error)) report.erased_at = now;

  // 2. The customer's stored records: the index, and optionally everything.
  std::set<std::string> keys;
  auto members = redis_.Command({"SMEMBERS", CustomerIndexKey(request.pseudonym)});
  if (!members.ok()) return members.status();
  for (const redis::Reply& m : members->elements()) keys.insert(RecordKey(m.str()));
  if (request.scan_all) {
    std::string cursor = "0";
    do {
      auto step = ScanRecords(cursor, 1000);
      if (!step.ok()) return step.status();
      cursor = step->first;
      if (step->second.empty()) continue;
      std::vector<std::string> mget = {"MGET"};
      mget.insert(mget.end(), step->second.begin(), step->second.end());
      auto values = redis_.Command(mget);
      if (!values.ok()) return values.status();
      if (values->is_error() || values->elements().size() != step->second.size()) {
        return absl::UnavailableError(absl::StrCat("MGET: unexpected reply ", values->DebugString()));
      }
      for (size_t i = 0; i < step->second.size(); ++i) {
        pb::FeedbackRecord r;
        const redis::Reply& v = values->elements()[i];
        if (!v.is_nil() && r.ParseFromString(v.str()) && r.customer_pseudonym() == request.pseudonym) {
          keys.insert(step->second[i]);
        }
      }
    } while (cursor != "0");
  }

  // 3. Remove the personal data, record by record.
  auto cas = [this](const std::string& key, const std::string& old, const std::string& updated,
                    bool& gone) -> absl::StatusOr<bool> {
    auto w = CompareAndSet(key, old, updated);
    if (!w.ok()) return w.status();
    gone = *w == Write::kGone;
    return *w == Write::kWritten;
  };
  bool found = false;
  const Change erase = [&](pb::FeedbackRecord& r) -> absl::StatusOr<bool> {
    found = r.customer_pseudonym() == request.pseudonym;
    if (!found) return false;
    return ErasePersonalData(r, request.erase_text);
  };
  for (const std::string& key : keys) {
    found = false;
    auto result = UpdateRecord(redis_, key, std::nullopt, erase, cas);
    if (!result.ok()) return result.status();
    if (!result->record_error.ok()) {
      // Only a record listed in the customer's index can fail to parse here:
      // it is theirs and unreadable, so it goes as a whole.
      auto deleted = redis_.Command({"DEL", key});
      if (!deleted.ok()) return deleted.status();
      ++report.records_found;
      if (deleted->integer() == 1) ++report.records_erased;
      continue;
    }
    if (found) ++report.records_found;
    if (result->outcome == Updated::kChanged) ++report.records_erased;
  }
  // Near-duplicate history: fingerprints of the customer's texts.
  auto del = redis_.Command({"DEL", NearDuplicateKey(request.pseudonym)});
  if (!del.ok()) return del.status();

  // 4. The record that it was done.
  auto entry = redis_.Command({"XADD", erasure_stream_, "MAXLEN", "~", std::to_string(erasure_max_len_), "*",
                               "actor", request.actor, "customer_pseudonym", request.pseudonym,
                               "records_found", std::to_string(report.records_found),
                               "records_erased", std::to_string(report.records_erased),
                               "erase_text", request.erase_text ? "true" : "false",
                               "reason", text::MaskPii(request.reason).text, "at", now_text});
  if (!entry.ok()) return entry.status();
  if (entry->is_error()) return absl::UnavailableError(absl::StrCat("erasure audit: ", entry->str()));
  report.audit_entry_id = entry->str();
  if (metrics_ != nullptr) metrics_->PrivacyRecords("erased", report.records_erased);
  return report;
}

}  // namespace fbl::intake
