#pragma once
// CLS-8: the learning loop's model. A fastText one-vs-all classifier over L3
// problem codes (labels "__label__<code>"), trained by tag_training.h on the
// rule labels of the real reviews plus human corrections. It complements the
// keyword rules: the rules stay authoritative, the model adds L3 tags they
// miss (TagSource::kModel).

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/sentiment/fasttext_direct.h"

namespace fbl::classification {

// The label a training line carries for a text with no L3 problem (kept as a
// negative example); never returned by Predict.
inline constexpr std::string_view kNoProblemLabel = "none";

class TagModel {
 public:
  // INVALID_ARGUMENT naming the file when it is missing, not a fastText model
  // or not a one-vs-all supervised model.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const TagModel>> Load(const std::string& path);
  ~TagModel();

  // L3 codes with probability >= threshold, best first, at most k (k <= 0:
  // no limit). Input: normalised text (libs/text Normalizer). Thread-safe.
  // The shipped kind of model (no character n-grams) is evaluated directly
  // (libs/sentiment/fasttext_direct.h) with fastText's labels and
  // probabilities, bit for bit.
  std::vector<std::pair<std::string, double>> Predict(std::string_view normalized, int k, double threshold) const;
  // The same through fastText's predictLine (slow; the reference the direct
  // evaluation is tested against).
  std::vector<std::pair<std::string, double>> ReferencePredict(std::string_view normalized, int k,
                                                               double threshold) const;
  // True when Predict evaluates the model directly.
  bool direct() const { return model_->direct(); }

  // The model file's name and a short hash of its content, e.g. "tags-zh.ftz@1a2b3c4d".
  const std::string& version() const { return version_; }
  // Number of L3 codes the model knows.
  int labels() const { return labels_; }

 private:
  TagModel();
  std::vector<std::pair<std::string, double>> Codes(const sentiment::LabelPredictions& predictions, int k) const;
  std::unique_ptr<sentiment::FastTextDirect> model_;
  std::vector<std::string> codes_;  // By label index: the L3 code, empty for kNoProblemLabel.
  std::string version_;
  int labels_ = 0;
};

}  // namespace fbl::classification
