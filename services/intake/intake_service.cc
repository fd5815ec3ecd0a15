#include "services/intake/intake_service.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/kafka/delivery_tracker.h"
#include "google/rpc/status.pb.h"
#include "libs/runtime/log.h"
#include "libs/text/feedback_id.h"
#include "libs/text/pii.h"

namespace fbl::intake {

namespace {

constexpr char kSchemaHeader[] = "fbl-schema";

google::protobuf::Timestamp Now() {
  google::protobuf::Timestamp t;
  const int64_t ns = absl::ToUnixNanos(absl::Now());
  t.set_seconds(ns / 1000000000);
  t.set_nanos(static_cast<int32_t>(ns % 1000000000));
  return t;
}

}  // namespace

struct IntakeProcessor::Prepared {
  enum class Kind { kAccepted, kReplay, kRejected } kind = Kind::kAccepted;
  kafka::OutgoingMessage out;
  std::string source;
  std::string external_id;
  SubmitResult result;
  Rejection rejection;
  std::vector<pb::PiiKind> pii;
};

absl::StatusOr<IntakeProcessor::Prepared> IntakeProcessor::PrepareAccepted(
    const pb::FeedbackSubmission& sub) {
  Prepared p;
  p.source = sub.source();
  p.external_id = sub.external_id();
  auto claim = dedup_.ClaimExternalId(sub.source(), sub.external_id(), text::NewFeedbackId());
  if (!claim.ok()) return claim.status();
  p.result.feedback_id = claim->feedback_id;
  if (claim->state == DedupStore::ClaimState::kDone) {
    p.kind = Prepared::Kind::kReplay;
    p.result.outcome = api::OUTCOME_REPLAY;
    return p;
  }
  const absl::Time now = absl::Now();
  auto built = builder_.Build(sub, claim->feedback_id, now);
  if (!built.ok()) return built.status();
  pb::FeedbackRecord& record = built->record;
  if (!record.customer_pseudonym().empty() && !built->minhash.empty()) {
    auto dup = dedup_.FindNearDuplicate(record.customer_pseudonym(), built->minhash,
                                        record.feedback_id(), now);
    if (!dup.ok()) return dup.status();
    record.set_duplicate_of(*dup);
  }
  p.result.outcome = record.duplicate_of().empty() ? api::OUTCOME_ACCEPTED : api::OUTCOME_NEAR_DUPLICATE;
  p.result.duplicate_of = record.duplicate_of();
  p.result.quality = record.quality();
  for (int k : record.masked_pii_kinds()) p.pii.push_back(static_cast<pb::PiiKind>(k));
  p.out.topic = config_.topics.accepted;
  p.out.key = record.customer_pseudonym().empty() ? record.feedback_id() : record.customer_pseudonym();
  p.out.value = record.SerializeAsString();
  p.out.headers = {{kSchemaHeader, record.GetTypeName()}};
  return p;
}

absl::StatusOr<IntakeProcessor::Prepared> IntakeProcessor::PrepareRejected(
    Rejection rejection, std::string_view payload, const std::string& key, pb::EntryPoint entry_point,
    const kafka::Message* origin) {
  // Details can quote field values (a phone number in a wrong-typed field):
  // mask them like any text that leaves feedback.raw.v1.
  rejection.detail = text::MaskPii(rejection.detail).text;
  for (auto& violation : rejection.violations) violation.second = text::MaskPii(violation.second).text;
  Prepared p;
  p.kind = Prepared::Kind::kRejected;
  pb::RejectedFeedback r;
  r.set_rejection_id(text::NewFeedbackId());
  *r.mutable_rejected_at() = Now();
  r.set_entry_point(entry_point);
  r.set_reason(rejection.reason);
  r.set_detail(rejection.detail);
  for (const auto& [field, description] : rejection.violations) {
    auto* v = r.add_violations();
    v->set_field(field);
    v->set_description(description);
  }
  r.set_external_id(key);
  if (origin != nullptr) {
    r.set_source_topic(origin->topic);
    r.set_source_partition(origin->partition);
    r.set_source_offset(origin->offset);
    if (auto ct = origin->FindHeader("content-type")) r.set_content_type(std::string(*ct));
  }
  auto sealed = builder_.Seal(payload, r.rejection_id());
  if (!sealed.ok()) return sealed.status();
  auto* blob = r.mutable_original();
  blob->set_key_id(sealed->key_id);
  blob->set_algorithm(sealed->algorithm);
  blob->set_nonce(sealed->nonce);
  blob->set_ciphertext(sealed->ciphertext);
  r.set_original_size_bytes(static_cast<int64_t>(payload.size()));
  p.out.topic = config_.topics.rejected;
  p.out.key = key;
  p.out.value = r.SerializeAsString();
  p.out.headers = {{kSchemaHeader, r.GetTypeName()}};
  p.rejection = std::move(rejection);
  return p;
}

absl::Status IntakeProcessor::Publish(std::vector<Prepared>& items, const std::string& entry,
                                      absl::Duration timeout) {
  auto tracker = std::make_shared<kafka::DeliveryTracker>();
  for (Prepared& p : items) {
    if (p.kind == Prepared::Kind::kReplay) continue;
    if (absl::Status s = producer_.Produce(p.out, tracker->Track(tracker)); !s.ok()) {
      metrics_.ProcessingError("kafka");
      // What was already queued stays tracked; the caller retries everything.
      return s;
    }
  }
  if (absl::Status s = tracker->Wait(timeout); !s.ok()) {
    metrics_.ProcessingError("kafka");
    return s;
  }
  for (Prepared& p : items) {
    if (p.kind != Prepared::Kind::kAccepted) continue;
    if (absl::Status s = dedup_.MarkDone(p.source, p.external_id, p.result.feedback_id, p.out.value);
        !s.ok()) {
      metrics_.ProcessingError("redis");
      return s;
    }
  }
  for (const Prepared& p : items) {
    switch (p.kind) {
      case Prepared::Kind::kReplay:
        metrics_.Record(entry, "replay");
        break;
      case Prepared::Kind::kRejected:
        metrics_.Record(entry, "rejected");
        metrics_.Rejected(pb::RejectReason_Name(p.rejection.reason));
        break;
      case Prepared::Kind::kAccepted:
        metrics_.Record(entry, "accepted");
        if (!p.result.duplicate_of.empty()) metrics_.NearDuplicate();
        if (p.result.quality.vague()) metrics_.Vague();
        for (pb::PiiKind k : p.pii) metrics_.PiiMasked(pb::PiiKind_Name(k));
        break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<IntakeProcessor::Prepared> IntakeProcessor::PrepareInBatch(
    const pb::FeedbackSubmission& sub, std::map<std::string, size_t>& seen,
    const std::vector<Prepared>& items) {
  // A replay inside the same batch: its claim is still pending (not yet
  // acknowledged), so the store cannot tell it apart from a crash recovery.
  auto [it, inserted] = seen.try_emplace(absl::StrCat(sub.source(), "\x1f", sub.external_id()), items.size());
  if (!inserted) {
    Prepared p;
    p.kind = Prepared::Kind::kReplay;
    p.result.feedback_id = items[it->second].result.feedback_id;
    p.result.outcome = api::OUTCOME_REPLAY;
    return p;
  }
  return PrepareAccepted(sub);
}

absl::Status IntakeProcessor::ProcessBatch(const std::vector<kafka::Message>& batch) {
  const absl::Time start = absl::Now();
  std::vector<Prepared> items;
  items.reserve(batch.size());
  std::map<std::string, size_t> seen;
  for (const kafka::Message& m : batch) {
    Decoded d = DecodeSubmission(m.value, m.FindHeader("content-type"), m.key, config_.limits);
    absl::StatusOr<Prepared> p =
        d.submission ? PrepareInBatch(*d.submission, seen, items)
                     : PrepareRejected(std::move(d.rejection), m.value, m.key, pb::ENTRY_POINT_KAFKA, &m);
    if (!p.ok()) {
      metrics_.ProcessingError("redis");
      return p.status();
    }
    if (p->kind == Prepared::Kind::kRejected) {
      log::Info("rejected", {{"reason", pb::RejectReason_Name(p->rejection.reason)},
                             {"detail", p->rejection.detail},
                             {"partition", std::to_string(m.partition)},
                             {"offset", std::to_string(m.offset)}});
    }
    items.push_back(std::move(*p));
  }
  absl::Status s = Publish(items, "kafka", config_.producer.message_timeout + absl::Seconds(5));
  if (s.ok()) metrics_.BatchSeconds(absl::ToDoubleSeconds(absl::Now() - start));
  return s;
}

std::vector<IntakeProcessor::ItemOutcome> IntakeProcessor::Submit(
    std::vector<pb::FeedbackSubmission> submissions) {
  std::vector<ItemOutcome> outcomes(submissions.size());
  std::vector<Prepared> items;
  std::vector<size_t> item_index;  // items[i] answers outcomes[item_index[i]]
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < submissions.size(); ++i) {
    pb::FeedbackSubmission& sub = submissions[i];
    if (sub.external_id().empty()) sub.set_external_id("grpc:" + text::NewFeedbackId());
    absl::StatusOr<Prepared> p;
    if (auto rejection = ValidateSubmission(sub, config_.limits, /*require_external_id=*/false)) {
      outcomes[i].result = absl::InvalidArgumentError(rejection->detail);
      outcomes[i].rejection = *rejection;
      p = PrepareRejected(std::move(*rejection), sub.SerializeAsString(), sub.external_id(),
                          pb::ENTRY_POINT_GRPC, nullptr);
    } else {
      p = PrepareInBatch(sub, seen, items);
    }
    if (!p.ok()) {
      metrics_.ProcessingError("redis");
      outcomes[i].result = absl::UnavailableError(absl::StrCat("state store: ", p.status().message()));
      continue;
    }
    items.push_back(std::move(*p));
    item_index.push_back(i);
  }
  absl::Status published = Publish(items, "grpc", config_.submit_timeout);
  for (size_t j = 0; j < items.size(); ++j) {
    ItemOutcome& o = outcomes[item_index[j]];
    if (items[j].kind == Prepared::Kind::kRejected) continue;  // already INVALID_ARGUMENT
    if (!published.ok()) {
      o.result = absl::Status(
          published.code() == absl::StatusCode::kResourceExhausted ? published.code()
                                                                    : absl::StatusCode::kUnavailable,
          absl::StrCat(published.message(), "; retry with the same external_id"));
    } else {
      o.result = items[j].result;
    }
  }
  return outcomes;
}

absl::StatusOr<pb::FeedbackRecord> IntakeProcessor::Get(const std::string& feedback_id) {
  auto bytes = dedup_.GetRecord(feedback_id);
  if (!bytes.ok()) return bytes.status();
  pb::FeedbackRecord record;
  if (!record.ParseFromString(*bytes)) return absl::DataLossError("stored record is corrupt");
  return record;
}

namespace {

grpc::Status ToGrpc(const absl::Status& s, const Rejection* rejection) {
  const auto code = static_cast<grpc::StatusCode>(s.code());
  if (rejection == nullptr || rejection->violations.empty()) {
    return grpc::Status(code, std::string(s.message()));
  }
  google::rpc::BadRequest bad;
  std::string message = std::string(s.message());
  for (const auto& [field, description] : rejection->violations) {
    auto* v = bad.add_field_violations();
    v->set_field("submission." + field);
    v->set_description(description);
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  details.add_details()->PackFrom(bad);
  return grpc::Status(code, message, details.SerializeAsString());
}

void FillResponse(const SubmitResult& r, api::SubmitFeedbackResponse* out) {
  out->set_feedback_id(r.feedback_id);
  out->set_outcome(r.outcome);
  out->set_duplicate_of(r.duplicate_of);
  *out->mutable_quality() = r.quality;
}

}  // namespace

grpc::Status IntakeGrpcService::SubmitFeedback(grpc::ServerContext*,
                                               const api::SubmitFeedbackRequest* request,
                                               api::SubmitFeedbackResponse* response) {
  if (!request->has_submission()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "submission is required");
  }
  auto outcomes = processor_.Submit({request->submission()});
  const auto& o = outcomes.front();
  if (!o.result.ok()) {
    return ToGrpc(o.result.status(), o.result.status().code() == absl::StatusCode::kInvalidArgument
                                         ? &o.rejection
                                         : nullptr);
  }
  FillResponse(*o.result, response);
  return grpc::Status::OK;
}

grpc::Status IntakeGrpcService::SubmitFeedbackBatch(grpc::ServerContext*,
                                                    const api::SubmitFeedbackBatchRequest* request,
                                                    api::SubmitFeedbackBatchResponse* response) {
  if (request->submissions_size() > config_.limits.max_batch) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat(request->submissions_size(), " submissions; at most ",
                                     config_.limits.max_batch, " per batch"));
  }
  std::vector<pb::FeedbackSubmission> subs(request->submissions().begin(), request->submissions().end());
  auto outcomes = processor_.Submit(std::move(subs));
  for (size_t i = 0; i < outcomes.size(); ++i) {
    auto* item = response->add_results();
    item->set_index(static_cast<int>(i));
    if (outcomes[i].result.ok()) {
      FillResponse(*outcomes[i].result, item->mutable_response());
      continue;
    }
    auto* err = item->mutable_error();
    err->set_code(static_cast<int>(outcomes[i].result.status().code()));
    err->set_message(std::string(outcomes[i].result.status().message()));
    err->set_reason(outcomes[i].rejection.reason);
    for (const auto& [field, description] : outcomes[i].rejection.violations) {
      auto* v = err->add_violations();
      v->set_field(field);
      v->set_description(description);
    }
  }
  return grpc::Status::OK;
}

grpc::Status IntakeGrpcService::GetFeedback(grpc::ServerContext*, const api::GetFeedbackRequest* request,
                                            api::GetFeedbackResponse* response) {
  if (request->feedback_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "feedback_id is required");
  }
  auto record = processor_.Get(request->feedback_id());
  if (!record.ok()) return ToGrpc(record.status(), nullptr);
  *response->mutable_record() = std::move(*record);
  return grpc::Status::OK;
}

}  // namespace fbl::intake
