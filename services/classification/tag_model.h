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

namespace fasttext {
class FastText;
}

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
  std::vector<std::pair<std::string, double>> Predict(std::string_view normalized, int k, double threshold) const;

  // The model file's name and a short hash of its content, e.g. "tags-zh.ftz@1a2b3c4d".
  const std::string& version() const { return version_; }
  // Number of L3 codes the model knows.
  int labels() const { return labels_; }

 private:
  TagModel();
  std::unique_ptr<fasttext::FastText> model_;
  std::string version_;
  int labels_ = 0;
};

}  // namespace fbl::classification
