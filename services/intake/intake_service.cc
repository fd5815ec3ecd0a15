#include "services/intake/intake_service.h"

#include <map>
#include <memory>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/kafka/delivery_tracker.h"
#include "google/rpc/status.pb.h"
#include "libs/runtime/log.h"
#include "libs/text/feedback_id.h"
#include "libs/text/pii.h"
#include "services/intake/record_privacy.h"

namespace fbl::intake {

struct IntakeProcessor::Prepared {
  enum class Kind { kAccepted, kReplay, kRejected } kind = Kind::kAccepted;
  kafka::OutgoingMessage out;
  std::string source;
  std::string external_id;
  SubmitResult result;
  Rejection rejection;
  std::vector<pb::PiiKind> pii;
  std::string customer;  // pseudonym of an accepted record
  bool erased = false;   // prepared without personal data: the customer was erased
};

absl::StatusOr<std::vector<IntakeProcessor::Prepared>> IntakeProcessor::PrepareAccepted(
    const std::vector<const pb::FeedbackSubmission*>& subs) {
  std::vector<Prepared> out(subs.size());
  // A replay inside the same batch: its binding is not done yet, so the store
  // cannot tell it from a crash recovery; it answers for its first occurrence.
  std::map<std::string, size_t> first_of;
  std::vector<size_t> firsts;
  std::vector<DedupStore::ClaimRequest> claims;
  for (size_t i = 0; i < subs.size(); ++i) {
    out[i].source = subs[i]->source();
    out[i].external_id = subs[i]->external_id();
    if (first_of.try_emplace(absl::StrCat(out[i].source, "\x1f", out[i].external_id), i).second) {
      firsts.push_back(i);
      claims.push_back({out[i].source, out[i].external_id, text::NewFeedbackId()});
    }
  }
  auto bindings = dedup_.Claim(claims);
  if (!bindings.ok()) return bindings.status();
  const std::shared_ptr<const RecordBuilder> builder = builder_();

  const absl::Time now = absl::Now();
  std::vector<BuiltRecord> built;
  std::vector<size_t> built_index;  // built[k] belongs to out[built_index[k]]
  for (size_t k = 0; k < firsts.size(); ++k) {
    Prepared& p = out[firsts[k]];
    p.result.feedback_id = (*bindings)[k].feedback_id;
    if ((*bindings)[k].state == DedupStore::ClaimState::kDone) {
      p.kind = Prepared::Kind::kReplay;
      p.result.outcome = api::OUTCOME_REPLAY;
      continue;
    }
    auto record = builder->Build(*subs[firsts[k]], p.result.feedback_id, now);
    if (!record.ok()) return record.status();
    built.push_back(std::move(*record));
    built_index.push_back(firsts[k]);
  }

  // Customers who asked for erasure: their new records carry no personal data.
  std::vector<std::string> customers;
  for (const BuiltRecord& b : built) customers.push_back(b.record.customer_pseudonym());
  bool any_customer = false;
  for (const std::string& c : customers) any_customer = any_customer || !c.empty();
  std::vector<bool> erased(built.size(), false);
  if (any_customer) {
    auto flags = dedup_.Erased(customers);
    if (!flags.ok()) return flags.status();
    erased = *std::move(flags);
  }
  for (size_t k = 0; k < built.size(); ++k) {
    Prepared& p = out[built_index[k]];
    p.customer = built[k].record.customer_pseudonym();
    if (!erased[k]) continue;
    ErasePersonalData(built[k].record, /*erase_text=*/false);
    p.erased = true;
  }

  std::vector<DedupStore::NearDuplicateRequest> near;
  std::vector<size_t> near_index;  // near[m] checks built[near_index[m]]
  for (size_t k = 0; k < built.size(); ++k) {
    const pb::FeedbackRecord& r = built[k].record;
    if (r.customer_pseudonym().empty() || built[k].minhash.empty()) continue;
    near.push_back({r.customer_pseudonym(), built[k].minhash, r.feedback_id(), now});
    near_index.push_back(k);
  }
  auto duplicates = dedup_.FindNearDuplicates(near);
  if (!duplicates.ok()) return duplicates.status();
  for (size_t m = 0; m < near_index.size(); ++m) built[near_index[m]].record.set_duplicate_of((*duplicates)[m]);

  for (size_t k = 0; k < built.size(); ++k) {
    const pb::FeedbackRecord& record = built[k].record;
    Prepared& p = out[built_index[k]];
    p.result.outcome = record.duplicate_of().empty() ? api::OUTCOME_ACCEPTED : api::OUTCOME_NEAR_DUPLICATE;
    p.result.duplicate_of = record.duplicate_of();
    p.result.quality = record.quality();
    for (int kind : record.masked_pii_kinds()) p.pii.push_back(static_cast<pb::PiiKind>(kind));
    p.out.topic = config_.topics.accepted;
    p.out.key = record.customer_pseudonym().empty() ? record.feedback_id() : record.customer_pseudonym();
    p.out.value = record.SerializeAsString();
    p.out.headers = {{kafka::kSchemaHeader, record.GetTypeName()}};
  }
  for (size_t i = 0; i < subs.size(); ++i) {
    const size_t first = first_of.at(absl::StrCat(out[i].source, "\x1f", out[i].external_id));
    if (first == i) continue;
    out[i].kind = Prepared::Kind::kReplay;
    out[i].result.feedback_id = out[first].result.feedback_id;
    out[i].result.outcome = api::OUTCOME_REPLAY;
  }
  return out;
}

absl::StatusOr<IntakeProcessor::Prepared> IntakeProcessor::PrepareRejected(
    const RecordBuilder& builder, Rejection rejection, std::string_view payload, const std::string& key,
    pb::EntryPoint entry_point, const kafka::Message* origin) {
  // Details can quote field values (a phone number in a wrong-typed field):
  // mask them like any text that leaves feedback.raw.v1.
  rejection.detail = text::MaskPii(rejection.detail).text;
  for (auto& violation : rejection.violations) violation.second = text::MaskPii(violation.second).text;
  Prepared p;
  p.kind = Prepared::Kind::kRejected;
  pb::RejectedFeedback r;
  // From Kafka the id is the record's position, so a redelivered record is
  // dead-lettered under the same id (consumers de-duplicate by it).
  r.set_rejection_id(origin != nullptr ? absl::StrCat("kafka:", origin->topic, ":", origin->partition, ":",
                                                      origin->offset)
                                       : text::NewFeedbackId());
  *r.mutable_rejected_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
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
  auto sealed = builder.Seal(payload, r.rejection_id());
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
  p.out.headers = {{kafka::kSchemaHeader, r.GetTypeName()}};
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
  std::vector<DedupStore::DoneRequest> done;
  for (const Prepared& p : items) {
    if (p.kind == Prepared::Kind::kAccepted) {
      done.push_back({p.source, p.external_id, p.result.feedback_id, p.out.value, p.customer, p.erased});
    }
  }
  if (absl::Status s = dedup_.MarkDone(done); !s.ok()) {
    metrics_.ProcessingError("redis");
    return s;
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
        if (p.erased) metrics_.ErasedCustomerSubmission();
        for (pb::PiiKind k : p.pii) metrics_.PiiMasked(pb::PiiKind_Name(k));
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status IntakeProcessor::ProcessBatch(const std::vector<kafka::Message>& batch) {
  const absl::Time start = absl::Now();
  std::vector<Decoded> decoded;
  decoded.reserve(batch.size());
  std::vector<const pb::FeedbackSubmission*> valid;
  std::vector<Prepared> items;
  const std::shared_ptr<const RecordBuilder> builder = builder_();
  for (const kafka::Message& m : batch) {
    decoded.push_back(DecodeSubmission(m.value, m.FindHeader("content-type"), m.key, config_.limits));
    Decoded& d = decoded.back();
    if (d.submission) {
      valid.push_back(&*d.submission);
      continue;
    }
    auto p = PrepareRejected(*builder, std::move(d.rejection), m.value, m.key, pb::ENTRY_POINT_KAFKA, &m);
    if (!p.ok()) return p.status();
    log::Info("rejected", {{"reason", pb::RejectReason_Name(p->rejection.reason)},
                           {"detail", p->rejection.detail},
                           {"partition", std::to_string(m.partition)},
                           {"offset", std::to_string(m.offset)}});
    items.push_back(std::move(*p));
  }
  auto accepted = PrepareAccepted(valid);
  if (!accepted.ok()) {
    metrics_.ProcessingError("redis");
    return accepted.status();
  }
  for (Prepared& p : *accepted) items.push_back(std::move(p));
  absl::Status s = Publish(items, "kafka", config_.producer.message_timeout + absl::Seconds(5));
  if (s.ok()) metrics_.BatchSeconds(absl::ToDoubleSeconds(absl::Now() - start));
  return s;
}

std::vector<IntakeProcessor::ItemOutcome> IntakeProcessor::Submit(
    std::vector<pb::FeedbackSubmission> submissions) {
  std::vector<ItemOutcome> outcomes(submissions.size());
  std::vector<Prepared> items;
  std::vector<size_t> item_index;  // items[i] answers outcomes[item_index[i]]
  std::vector<const pb::FeedbackSubmission*> valid;
  std::vector<size_t> valid_index;
  const std::shared_ptr<const RecordBuilder> builder = builder_();
  for (size_t i = 0; i < submissions.size(); ++i) {
    pb::FeedbackSubmission& sub = submissions[i];
    if (sub.external_id().empty()) sub.set_external_id("grpc:" + text::NewFeedbackId());
    auto rejection = ValidateSubmission(sub, config_.limits, /*require_external_id=*/false);
    if (!rejection) {
      valid.push_back(&sub);
      valid_index.push_back(i);
      continue;
    }
    outcomes[i].result = absl::InvalidArgumentError(rejection->detail);
    outcomes[i].rejection = *rejection;
    auto p = PrepareRejected(*builder, std::move(*rejection), sub.SerializeAsString(), sub.external_id(),
                             pb::ENTRY_POINT_GRPC, nullptr);
    if (!p.ok()) continue;  // the caller has its answer; the dead letter is best effort here
    items.push_back(std::move(*p));
    item_index.push_back(i);
  }
  auto accepted = PrepareAccepted(valid);
  if (!accepted.ok()) {
    metrics_.ProcessingError("redis");
    for (size_t i : valid_index) {
      outcomes[i].result = absl::UnavailableError(absl::StrCat("state store: ", accepted.status().message()));
    }
  } else {
    for (size_t j = 0; j < accepted->size(); ++j) {
      items.push_back(std::move((*accepted)[j]));
      item_index.push_back(valid_index[j]);
    }
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

runtime::PermissionTable IntakePermissions() {
  return {{"SubmitFeedback", std::string(runtime::kPermFeedbackSubmit)},
          {"SubmitFeedbackBatch", std::string(runtime::kPermFeedbackSubmit)},
          {"GetFeedback", std::string(runtime::kPermFeedbackRead)},
          {"RotateContactKeys", std::string(runtime::kPermPrivacyAdmin)},
          {"EraseCustomer", std::string(runtime::kPermPrivacyAdmin)}};
}

grpc::Status IntakeGrpcService::RotateContactKeys(grpc::ServerContext*, const api::RotateContactKeysRequest* request,
                                                  api::RotateContactKeysResponse* response) {
  if (privacy_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "privacy operations are not configured");
  }
  if (request->page_size() < 0 || request->page_size() > 10000 || request->max_pages() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_size must be 0..10000 and max_pages >= 0");
  }
  RotateOptions options;
  options.cursor = request->cursor().empty() ? "0" : request->cursor();
  if (request->page_size() > 0) options.page_size = request->page_size();
  options.max_pages = request->max_pages();
  auto report = privacy_->RotateContactKeys(options);
  if (!report.ok()) return ToGrpc(report.status(), nullptr);
  log::Info("contact keys rotated", {{"active_key", report->active_key_id},
                                     {"scanned", std::to_string(report->scanned)},
                                     {"resealed", std::to_string(report->resealed)},
                                     {"failed", std::to_string(report->failed)},
                                     {"next_cursor", report->next_cursor}});
  response->set_active_key_id(report->active_key_id);
  response->set_scanned(report->scanned);
  response->set_resealed(report->resealed);
  response->set_unchanged(report->unchanged);
  response->set_failed(report->failed);
  for (const std::string& f : report->failures) response->add_failures(f);
  response->set_next_cursor(report->next_cursor);
  return grpc::Status::OK;
}

grpc::Status IntakeGrpcService::EraseCustomer(grpc::ServerContext* context, const api::EraseCustomerRequest* request,
                                              api::EraseCustomerResponse* response) {
  if (privacy_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "privacy operations are not configured");
  }
  const auto caller = runtime::CallerOf(*context);
  EraseRequest erase{request->customer_pseudonym(), request->reason(), caller ? caller->name : "anonymous",
                     request->erase_text(), request->scan_all()};
  auto report = privacy_->EraseCustomer(erase);
  if (!report.ok()) {
    log::Error("customer erasure failed", {{"customer_pseudonym", request->customer_pseudonym()},
                                           {"error", std::string(report.status().message())}});
    return ToGrpc(report.status(), nullptr);
  }
  log::Info("customer erased", {{"customer_pseudonym", request->customer_pseudonym()},
                                {"actor", erase.actor},
                                {"records_erased", std::to_string(report->records_erased)},
                                {"audit_entry", report->audit_entry_id}});
  response->set_records_found(report->records_found);
  response->set_records_erased(report->records_erased);
  *response->mutable_erased_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(report->erased_at));
  response->set_first_request(report->first_request);
  response->set_audit_entry_id(report->audit_entry_id);
  return grpc::Status::OK;
}

grpc::Status IntakeGrpcService::GetFeedback(grpc::ServerContext* context, const api::GetFeedbackRequest* request,
                                            api::GetFeedbackResponse* response) {
  if (request->feedback_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "feedback_id is required");
  }
  auto record = processor_.Get(request->feedback_id());
  if (!record.ok()) return ToGrpc(record.status(), nullptr);
  if (request->include_contact() && record->has_contact()) {
    if (contacts_ == nullptr) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "contact reading is not configured");
    }
    auto contact = contacts_->Read(*record, runtime::CallerOf(*context));
    if (!contact.ok()) {
      log::Error("contact read failed", {{"feedback_id", request->feedback_id()},
                                         {"error", std::string(contact.status().message())}});
      return ToGrpc(contact.status(), nullptr);
    }
    *response->mutable_contact() = std::move(contact->contact);
    response->set_contact_view(contact->decrypted ? api::CONTACT_VIEW_DECRYPTED : api::CONTACT_VIEW_MASKED);
  }
  *response->mutable_record() = std::move(*record);
  return grpc::Status::OK;
}

}  // namespace fbl::intake
