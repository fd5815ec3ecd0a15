#pragma once
// A supervised fastText model over the tokens of Tokenize, evaluated
// directly: the sentiment model (softmax) and the classification tag model
// (one-vs-all) share it.
//
// A model without character n-grams and with a plain output matrix (the
// shipped kinds) is evaluated in one pass: the tokens are hashed and looked
// up while the text is scanned (no token strings, no stream), the rows of
// the input matrix (product-quantised codes decoded on the fly, or plain
// float rows) are summed in fastText's order, then the output layer, softmax
// or one-vs-all sigmoid (fastText's table), and fastText's selection of the
// k best. The result is the one of fastText's predictLine on Tokenize's
// output, bit for bit. Other models go through predictLine.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::sentiment {

// The models' tokens: each CJK character alone (bigrams come from the
// model's word n-grams), ASCII letter/digit runs as lower-case words; the
// rest dropped. Input is normalised text (libs/text Normalizer).
std::string Tokenize(std::string_view normalized);

// (probability, label index), best first, as fastText's predictLine reports
// them (probability = exp(log(p + 1e-5)) in float).
using LabelPredictions = std::vector<std::pair<float, int32_t>>;

class FastTextDirect {
 public:
  // INVALID_ARGUMENT with fastText's message when the file cannot be loaded
  // (callers add what the model is and its path).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<FastTextDirect>> Load(const std::string& path);
  ~FastTextDirect();

  // As fastText's predictLine on Tokenize(normalized): the labels with
  // probability >= threshold, at most k (k <= 0: all), best first, ties in
  // fastText's order. Empty when fastText predicts nothing (no input row).
  // Returns the number of tokens of Tokenize(normalized). Thread-safe.
  int Predict(std::string_view normalized, int k, float threshold, LabelPredictions* out) const;
  // The same through fastText's predictLine (slow; the reference the direct
  // evaluation is tested against).
  int ReferencePredict(std::string_view normalized, int k, float threshold, LabelPredictions* out) const;

  // True when Predict evaluates the model directly.
  bool direct() const { return linear_ != nullptr; }
  bool supervised() const { return supervised_; }
  bool softmax() const { return softmax_; }
  bool one_vs_all() const { return one_vs_all_; }
  // Labels as in the file ("__label__pos"), by index.
  const std::vector<std::string>& labels() const { return labels_; }
  int LabelIndex(std::string_view label) const;

  class FastTextModel;  // Defined in fasttext_direct.cc.
  struct Linear;

 private:
  FastTextDirect();
  std::unique_ptr<FastTextModel> model_;
  std::unique_ptr<const Linear> linear_;
  std::vector<std::string> labels_;
  bool supervised_ = false;
  bool softmax_ = false;
  bool one_vs_all_ = false;
};

}  // namespace fbl::sentiment
