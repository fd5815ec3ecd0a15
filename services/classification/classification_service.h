#pragma once
// The classification service: feedback.accepted.v1 → classify → impact
// counts (Redis) → feedback.classified.v1; the gRPC API; the dry run.

#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "classification/v1/classification.grpc.pb.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/kafka/message.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/file_reloader.h"
#include "services/classification/classification_config.h"
#include "services/classification/classifier.h"
#include "services/classification/impact_store.h"

namespace fbl::classification {

namespace pb = ::feedbackloop::classification::v1;
namespace fpb = ::feedbackloop::feedback::v1;

using TaxonomyReloader = config::FileReloader<Taxonomy>;
// Loads the taxonomy file; fails with its error if it is missing or bad.
[[nodiscard]] absl::StatusOr<std::unique_ptr<TaxonomyReloader>> CreateTaxonomyReloader(std::string path);
using TagModelReloader = config::FileReloader<TagModel>;
[[nodiscard]] absl::StatusOr<std::unique_ptr<TagModelReloader>> CreateTagModelReloader(std::string path);

// The classifier for whatever taxonomy and tag model versions the reloaders
// serve now (`tags` may be null: rules only).
class ClassifierSource {
 public:
  ClassifierSource(TaxonomyReloader& taxonomy, const sentiment::SentimentModel* model, Policy policy,
                   std::string model_version, TagModelReloader* tags = nullptr)
      : taxonomy_(taxonomy), model_(model), policy_(std::move(policy)), model_version_(std::move(model_version)),
        tags_(tags) {}
  // Thread-safe; never null.
  std::shared_ptr<const Classifier> Get();
  const std::string& sentiment_model_version() const { return model_version_; }
  absl::Time loaded_at();

 private:
  TaxonomyReloader& taxonomy_;
  const sentiment::SentimentModel* model_;
  const Policy policy_;
  const std::string model_version_;
  TagModelReloader* tags_;
  std::mutex mu_;
  std::shared_ptr<const Taxonomy> seen_;        // guarded by mu_
  std::shared_ptr<const TagModel> seen_tags_;   // guarded by mu_
  std::shared_ptr<const Classifier> current_;  // guarded by mu_
  absl::Time loaded_at_;                        // guarded by mu_
};

class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(prometheus::Registry& registry);
  void Record(const std::string& result) { records_.Add({{"result", result}}).Increment(); }
  void Intent(std::string_view intent) { intents_.Add({{"intent", std::string(intent)}}).Increment(); }
  void Module(const std::string& module) { modules_.Add({{"module", module}}).Increment(); }
  void Problem(const std::string& code) { problems_.Add({{"problem", code}}).Increment(); }
  void Priority(std::string_view priority) { priorities_.Add({{"priority", std::string(priority)}}).Increment(); }
  void TaxonomyReload(bool ok) { reloads_.Add({{"result", ok ? "ok" : "refused"}}).Increment(); }
  void BatchSeconds(double s) { batch_seconds_.Observe(s); }

 private:
  prometheus::Family<prometheus::Counter>& records_;
  prometheus::Family<prometheus::Counter>& intents_;
  prometheus::Family<prometheus::Counter>& modules_;
  prometheus::Family<prometheus::Counter>& problems_;
  prometheus::Family<prometheus::Counter>& priorities_;
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Histogram& batch_seconds_;
};

// The classifier's input for a record: title and text as published, the
// normalised text, product model and VIP flag.
Input InputFor(const fpb::FeedbackRecord& record, std::string* text_buffer);
// Tags L1, L2 (one per module) and L3 with source, confidence and evidence.
void AppendTags(const Classifier& classifier, const Analysis& a, google::protobuf::RepeatedPtrField<pb::Tag>* tags);
pb::ClassifiedFeedback ToClassified(const fpb::FeedbackRecord& record, const Classifier& classifier,
                                    const Analysis& a, const Decision& d, const std::string& model_version,
                                    absl::Time now);

// A kafka::BatchHandler for feedback.accepted.v1: every record of the batch
// is classified, counted and published (keyed like the accepted record)
// before the batch is acknowledged. Redelivery republishes the same
// classification (consumers key on feedback_id) and counts nobody twice.
class ClassificationProcessor {
 public:
  ClassificationProcessor(const ClassificationConfig& config, ClassifierSource& classifiers, ImpactStore& impact,
                          ClassificationStore& store, kafka::Producer& producer, ClassificationMetrics& metrics)
      : config_(config), classifiers_(classifiers), impact_(impact), store_(store), producer_(producer),
        metrics_(metrics) {}

  [[nodiscard]] absl::Status ProcessBatch(const std::vector<kafka::Message>& batch);

 private:
  const ClassificationConfig& config_;
  ClassifierSource& classifiers_;
  ImpactStore& impact_;
  ClassificationStore& store_;
  kafka::Producer& producer_;
  ClassificationMetrics& metrics_;
};

// CLS-9: every `topics.interval`, the replica holding the lease clusters the
// unexplained feedback of the last `topics.window` and stores the topics.
class TopicsJob {
 public:
  TopicsJob(const TopicsConfig& config, ClassificationStore& store, std::string owner)
      : config_(config), store_(store), owner_(std::move(owner)) {}
  // The number of topics found, or -1 if another replica holds the lease.
  [[nodiscard]] absl::StatusOr<int> RunOnce(absl::Time now);

 private:
  absl::StatusOr<int> Compute(absl::Time now);

  const TopicsConfig& config_;
  ClassificationStore& store_;
  std::string owner_;
};

// Method → permission for ClassificationService (auth on): reads need
// feedback.read, CorrectTags (training data) tags.write.
runtime::PermissionTable ClassificationPermissions();

// gRPC: Classify (ad hoc text, no impact counting), corrections (CLS-8),
// emerging topics (CLS-9), taxonomy info.
class ClassificationGrpcService final : public pb::ClassificationService::Service {
 public:
  ClassificationGrpcService(ClassifierSource& classifiers, ClassificationStore& store, kafka::Producer& producer,
                            std::string corrections_topic, absl::Duration publish_timeout)
      : classifiers_(classifiers), store_(store), producer_(producer),
        corrections_topic_(std::move(corrections_topic)), publish_timeout_(publish_timeout) {}
  grpc::Status Classify(grpc::ServerContext*, const pb::ClassifyRequest*, pb::ClassifyResponse*) override;
  // The tags given are the complete corrected set for the feedback; every
  // code must exist in the taxonomy. Kept in Redis and published on the
  // corrections topic. With auth on, corrected_by is the authenticated caller.
  grpc::Status CorrectTags(grpc::ServerContext*, const pb::CorrectTagsRequest*, pb::CorrectTagsResponse*) override;
  grpc::Status ListCorrections(grpc::ServerContext*, const pb::ListCorrectionsRequest*,
                               pb::ListCorrectionsResponse*) override;
  grpc::Status ListEmergingTopics(grpc::ServerContext*, const pb::ListEmergingTopicsRequest*,
                                  pb::ListEmergingTopicsResponse*) override;
  grpc::Status GetTaxonomyInfo(grpc::ServerContext*, const pb::GetTaxonomyInfoRequest*,
                               pb::GetTaxonomyInfoResponse*) override;

 private:
  ClassifierSource& classifiers_;
  ClassificationStore& store_;
  kafka::Producer& producer_;
  std::string corrections_topic_;
  absl::Duration publish_timeout_;
};

// The latest correction per feedback as training lines
// {"feedback_id","text","l3":[codes]} (what classification-train reads).
// Returns the number of lines written.
[[nodiscard]] absl::StatusOr<size_t> ExportCorrections(ClassificationStore& store, std::ostream& out);

// Dry run for taxonomy authors: JSON lines {"id","text"[,"product_model","vip"]}
// in, one JSON line with the full result out (no Kafka, Redis or impact
// scope). Returns the number of bad input lines.
int RunCheck(const Classifier& classifier, std::istream& in, std::ostream& out);

}  // namespace fbl::classification
