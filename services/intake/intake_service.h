#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "feedback/v1/feedback.pb.h"
#include "intake/v1/intake_service.grpc.pb.h"
#include "libs/kafka/message.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/auth.h"
#include "services/intake/contact_access.h"
#include "services/intake/dedup_store.h"
#include "services/intake/intake_config.h"
#include "services/intake/intake_metrics.h"
#include "services/intake/privacy_admin.h"
#include "services/intake/record_builder.h"
#include "services/intake/submission_decoder.h"

namespace fbl::intake {

namespace api = ::feedbackloop::intake::v1;

struct SubmitResult {
  std::string feedback_id;
  api::Outcome outcome = api::OUTCOME_UNSPECIFIED;
  std::string duplicate_of;
  pb::DescriptionQuality quality;
};

// Turns submissions into standard records or dead letters, exactly once per
// (source, external_id), and publishes them. Shared by the Kafka consumer and
// the gRPC API. Thread-safe if its collaborators are.
class IntakeProcessor {
 public:
  // The builder to use for the next batch (it holds the keys, which may be
  // reloaded at any time); never null.
  using BuilderSource = std::function<std::shared_ptr<const RecordBuilder>()>;

  IntakeProcessor(const IntakeConfig& config, BuilderSource builder, DedupStore& dedup, kafka::Producer& producer,
                  IntakeMetrics& metrics)
      : config_(config), builder_(std::move(builder)), dedup_(dedup), producer_(producer), metrics_(metrics) {}
  // A fixed builder, which must outlive the processor.
  IntakeProcessor(const IntakeConfig& config, const RecordBuilder& builder, DedupStore& dedup,
                  kafka::Producer& producer, IntakeMetrics& metrics)
      : IntakeProcessor(config, FixedBuilder(builder), dedup, producer, metrics) {}

  // Kafka path (a kafka::BatchHandler): OK once every record's output is
  // acknowledged and its binding marked done; otherwise retryable.
  [[nodiscard]] absl::Status ProcessBatch(const std::vector<kafka::Message>& batch);

  // gRPC path, one result per submission, published together. Invalid input
  // gives INVALID_ARGUMENT and fills its rejection (also dead-lettered);
  // Kafka trouble gives UNAVAILABLE / RESOURCE_EXHAUSTED (retry with the same
  // external_id).
  struct ItemOutcome {
    absl::StatusOr<SubmitResult> result = absl::UnknownError("not processed");
    Rejection rejection;
  };
  std::vector<ItemOutcome> Submit(std::vector<pb::FeedbackSubmission> submissions);

  [[nodiscard]] absl::StatusOr<pb::FeedbackRecord> Get(const std::string& feedback_id);

 private:
  struct Prepared;
  // Valid submissions of one batch, prepared together: one Redis round trip
  // each for the claims, the erased-customer check (only when some have a
  // customer) and the near-duplicate checks. Same order as `subs`. Records of
  // erased customers are built without personal data (ErasePersonalData).
  [[nodiscard]] absl::StatusOr<std::vector<Prepared>> PrepareAccepted(
      const std::vector<const pb::FeedbackSubmission*>& subs);
  [[nodiscard]] absl::StatusOr<Prepared> PrepareRejected(const RecordBuilder& builder, Rejection rejection,
                                                         std::string_view payload,
                                                         const std::string& key,
                                                         pb::EntryPoint entry_point,
                                                         const kafka::Message* origin);
  // Produces every item that has output, waits for the acknowledgements and
  // marks accepted bindings done. Counts outcomes only when all succeeded.
  [[nodiscard]] absl::Status Publish(std::vector<Prepared>& items, const std::string& entry,
                                     absl::Duration timeout);

  static BuilderSource FixedBuilder(const RecordBuilder& builder) {
    return [&builder] { return std::shared_ptr<const RecordBuilder>(std::shared_ptr<void>(), &builder); };
  }

  const IntakeConfig& config_;
  const BuilderSource builder_;
  DedupStore& dedup_;
  kafka::Producer& producer_;
  IntakeMetrics& metrics_;
};

// Method → permission for runtime auth (libs/runtime/auth.h).
runtime::PermissionTable IntakePermissions();

// The gRPC API; converts statuses only here. Without `contacts`,
// GetFeedback's include_contact answers FAILED_PRECONDITION; without
// `privacy`, RotateContactKeys and EraseCustomer do.
class IntakeGrpcService final : public api::IntakeService::Service {
 public:
  IntakeGrpcService(IntakeProcessor& processor, const IntakeConfig& config,
                    const ContactReader* contacts = nullptr, PrivacyAdmin* privacy = nullptr)
      : processor_(processor), config_(config), contacts_(contacts), privacy_(privacy) {}

  grpc::Status SubmitFeedback(grpc::ServerContext* context, const api::SubmitFeedbackRequest* request,
                              api::SubmitFeedbackResponse* response) override;
  grpc::Status SubmitFeedbackBatch(grpc::ServerContext* context,
                                   const api::SubmitFeedbackBatchRequest* request,
                                   api::SubmitFeedbackBatchResponse* response) override;
  grpc::Status GetFeedback(grpc::ServerContext* context, const api::GetFeedbackRequest* request,
                           api::GetFeedbackResponse* response) override;
  grpc::Status RotateContactKeys(grpc::ServerContext* context, const api::RotateContactKeysRequest* request,
                                 api::RotateContactKeysResponse* response) override;
  grpc::Status EraseCustomer(grpc::ServerContext* context, const api::EraseCustomerRequest* request,
                             api::EraseCustomerResponse* response) override;

 private:
  IntakeProcessor& processor_;
  const IntakeConfig& config_;
  const ContactReader* contacts_;
  PrivacyAdmin* privacy_;
};

}  // namespace fbl::intake
