#pragma once
// The classification of one feedback text (CLS-1…CLS-7), pure domain logic:
// no Kafka, Redis or gRPC. Two steps, so the service can count distinct
// customers (Redis) in between:
//
//   Analysis a = classifier.Analyze({text, normalized, product_model, vip});
//   ... distinct customers per problem of a.problems in the impact window ...
//   Decision d = classifier.Decide(a, input, distinct);
//
// Analyze: L3 problems (taxonomy phrase rules) and their L2 modules, the L1
// intent (cue rules, problems and sentiment), sentiment polarity/intensity
// (fastText), the primary problem and its problem type.
// Decide: impact scope, urgency, importance, the four-quadrant priority with
// response/resolution targets, the responsible department, needs_action.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "libs/runtime/config.h"
#include "libs/sentiment/sentiment.h"
#include "services/classification/tag_model.h"
#include "services/classification/taxonomy.h"

namespace fbl::classification {

// Numbers match feedbackloop.classification.v1 / common.v1 enums.
enum class Urgency { kUnspecified = 0, kUrgent = 1, kImportant = 2, kNormal = 3 };
enum class ImpactScope { kUnspecified = 0, kIndividual = 1, kCommon = 2, kSystemic = 3 };
enum class Priority { kUnspecified = 0, kP1UrgentImportant = 2, kP2Important = 3, kP3Urgent = 4, kP4Routine = 5 };
enum class TagSource { kUnspecified = 0, kRule = 1, kModel = 2, kHuman = 3 };

std::string_view UrgencyName(Urgency u);        // "urgent", "important", "normal"
std::string_view ImpactScopeName(ImpactScope s);  // "individual", "common", "systemic"
std::string_view PriorityName(Priority p);      // "p1_urgent_important", "p2_important", "p3_urgent", "p4_routine"
std::string_view TagSourceName(TagSource s);    // "rule", "model", "human"

// Response and resolution targets of one priority, in working time (the
// workorder service lays them on its business calendar).
struct Target {
  absl::Duration response;
  absl::Duration resolution;
};

struct ImpactPolicy {
  absl::Duration window = absl::Hours(24 * 7);  // distinct customers counted over this window
  int common_min_customers = 3;                 // CLS-3: ≥ 3 ⇒ common
  int systemic_min_customers = 50;              // and ≥ this ⇒ systemic (besides problems marked systemic)
};

// The configurable part of the decisions (service config `policy`).
struct Policy {
  double neutral_band = 0.2;      // |sentiment score| below this is neutral
  double strong_negative = 0.8;   // a complaint this negative hurts satisfaction: important
  bool vip_raises_priority = true;  // CLS-5: customer value raises priority one step
  // CLS-8: the tag model adds L3 problems only where no rule fired, at or
  // above this probability, at most `tag_model_max` of them.
  double tag_model_threshold = 0.9;
  int tag_model_max = 2;
  ImpactPolicy impact;
  // CLS-5 defaults: start within 24 h; plan within 3 working days; respond
  // within 48 h; monthly plan.
  Target p1{absl::Hours(24), absl::Hours(72)};
  Target p2{absl::Hours(72), absl::Hours(7 * 24)};
  Target p3{absl::Hours(48), absl::Hours(7 * 24)};
  Target p4{absl::Hours(30 * 24), absl::Hours(30 * 24)};

  const Target& For(Priority p) const;
};

void BindConfig(config::Binder& b, Target& c);
void BindConfig(config::Binder& b, ImpactPolicy& c);
void BindConfig(config::Binder& b, Policy& c);

struct Input {
  std::string_view text;        // Title and text as published (PII masked); the phrase rules fold it.
  std::string_view normalized;  // FeedbackRecord.normalized_text (for the sentiment model).
  std::string_view product_model;
  bool vip = false;
};

struct ProblemHit {
  int problem = -1;                   // Index into Taxonomy::problems().
  TagSource source = TagSource::kRule;
  std::vector<std::string> evidence;  // Rule hits: matched original text, distinct, text order; empty for the model.
  size_t first_offset = 0;
  double confidence = 0;
};

struct Analysis {
  std::shared_ptr<const Taxonomy> taxonomy;  // The version that produced it.
  Intent intent = Intent::kUnspecified;
  TagSource intent_source = TagSource::kUnspecified;
  double intent_confidence = 0;
  std::string intent_evidence;     // The cue that decided it, if any.
  std::vector<ProblemHit> problems;  // Primary first: most evidence, then earliest.
  sentiment::Sentiment sentiment;
  std::string problem_type;        // Of the primary problem; "suggestion"/"other" without one.
};

struct Decision {
  ImpactScope impact = ImpactScope::kIndividual;
  int64_t distinct_customers = 0;  // Max over the problems; 0 when not counted.
  Urgency urgency = Urgency::kNormal;
  Priority priority = Priority::kP4Routine;
  Target target;
  std::string department;
  bool needs_action = false;
};

class Classifier {
 public:
  // `model` may be null (no sentiment: neutral) and must outlive the
  // classifier; `tags` may be null (rules only).
  Classifier(std::shared_ptr<const Taxonomy> taxonomy, const sentiment::SentimentModel* model, Policy policy,
             std::shared_ptr<const TagModel> tags = nullptr)
      : taxonomy_(std::move(taxonomy)), model_(model), policy_(std::move(policy)), tags_(std::move(tags)) {}

  // Thread-safe.
  Analysis Analyze(const Input& input) const;
  // `distinct` holds the distinct customers of each of `a.problems` (same
  // order) in the impact window, or is empty when unknown (dry run).
  Decision Decide(const Analysis& a, const Input& input, const std::vector<int64_t>& distinct) const;

  const Taxonomy& taxonomy() const { return *taxonomy_; }
  const Policy& policy() const { return policy_; }
  // Empty without a tag model.
  std::string tag_model_version() const { return tags_ ? tags_->version() : ""; }

 private:
  std::shared_ptr<const Taxonomy> taxonomy_;
  const sentiment::SentimentModel* model_;
  Policy policy_;
  std::shared_ptr<const TagModel> tags_;
};

}  // namespace fbl::classification
