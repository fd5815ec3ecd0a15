#pragma once
// CLS-8: training the tag model (tag_model.h). Every text gets the L3 labels
// of the keyword rules; a human correction of a text replaces them and
// weighs more. tools/classification_train.cc runs it on the real reviews.
//
//   auto examples = BuildExamples(classifier, normalized_texts, corrections);
//   ... keep the kTrain split (SplitOf) ...
//   TrainTagModel(train, TrainOptions{}, "models/tags-zh.ftz");

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "services/classification/classifier.h"

namespace fbl::classification {

// A human's answer for one feedback text: its L3 codes (empty: no problem).
struct Correction {
  std::string feedback_id;
  std::string normalized;  // libs/text Normalizer output
  std::vector<std::string> l3;
};

struct TrainingExample {
  std::string normalized;
  std::vector<std::string> l3;  // Empty: no problem (a negative example).
  std::string origin;           // "rule" or "human"
};

// Defaults: a small unquantised model (~5 MB). Measured with
// classification-train: quantising (dim 50, 2 M buckets) cost held-out
// precision (0.63 vs 0.81 against the rule labels) for a smaller file.
struct TrainOptions {
  int dim = 20;
  int epoch = 10;
  double lr = 0.3;
  int word_ngrams = 2;
  int human_weight = 5;   // Each correction is repeated this many times.
  int threads = 2;        // More than 1 is faster but not bit-for-bit reproducible.
  bool quantize = false;  // Product quantisation with a cutoff (smaller, less precise).
  int bucket = 50000;     // Hash buckets for word n-grams.
  // Share (0..1, chosen by a hash of the text) of the rule texts without any
  // rule label kept as negatives ("none"). Human corrections with no code
  // are always kept.
  double negative_share = 0.5;  // Measured (dim 50, epoch 25): 0.5 beat 0.1 and 1.0 on held-out precision.
};

// Deterministic 80 / 10 / 10 % split by a hash of the normalised text (as
// libs/sentiment/corpus.cc), so a text and its duplicates stay on one side.
enum class Split { kTrain, kDev, kHoldout };
Split SplitOf(std::string_view normalized);

// The distinct L3 codes the keyword rules give a normalised text.
std::vector<std::string> RuleLabels(const Classifier& classifier, std::string_view normalized);

// One example per distinct text: the rule labels of `classifier`, or, for a
// text with a correction (same normalised text), the correction's codes
// (origin "human"; the last correction of a text wins). Corrections of texts
// not among `normalized_texts` are added as human examples. Texts without a
// rule label are returned with empty `l3`; TrainTagModel keeps a share of them.
std::vector<TrainingExample> BuildExamples(const Classifier& classifier,
                                           const std::vector<std::string>& normalized_texts,
                                           const std::vector<Correction>& corrections);

// Trains on all `examples` (the caller picks the split) and writes the model
// to `out_path`. The fastText training file goes to a temporary path that is
// removed afterwards. INVALID_ARGUMENT without a labelled example, INTERNAL
// when fastText or the file system fails.
[[nodiscard]] absl::Status TrainTagModel(const std::vector<TrainingExample>& examples, const TrainOptions& options,
                                         const std::string& out_path);

}  // namespace fbl::classification
