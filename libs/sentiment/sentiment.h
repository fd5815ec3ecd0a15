#pragma once
// CLS-7: sentiment polarity and intensity from a fastText model trained on
// the real labelled reviews (tools/sentiment_train.cc).

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fbl::sentiment {

enum class Polarity { kNegative, kNeutral, kPositive };

struct Sentiment {
  Polarity polarity = Polarity::kNeutral;
  double score = 0;      // -1 (very negative) .. 1 (very positive)
  double intensity = 0;  // |score|
};

// The model's tokens: each CJK character alone (bigrams come from the
// model's word n-grams), ASCII letter/digit runs as words; the rest dropped.
// Input is normalised text (libs/text Normalizer).
std::string Tokenize(std::string_view normalized);

class SentimentModel {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SentimentModel>> Load(const std::string& path);
  ~SentimentModel();

  // Thread-safe. |score| below `neutral_band` is neutral.
  Sentiment Predict(std::string_view normalized, double neutral_band = 0.2) const;
  // Probability of the positive label, 0..1.
  //
  // A softmax model without character n-grams (the shipped kind) is
  // evaluated directly: the tokens of Tokenize are hashed and looked up while
  // the text is scanned (no token strings, no stream, no allocation), and
  // the rows of the input matrix (product-quantised codes, decoded on the
  // fly) are summed in fastText's order, so the result is the one of
  // fastText's predictLine on Tokenize's output, bit for bit. Other models
  // go through predictLine.
  double PositiveProbability(std::string_view normalized) const;
  // The same through fastText's predictLine on Tokenize's output (slow; the
  // reference the direct evaluation is tested against).
  double ReferencePositiveProbability(std::string_view normalized) const;
  // True when PositiveProbability evaluates the model directly.
  bool direct() const { return linear_ != nullptr; }

  class FastTextModel;  // Defined in sentiment.cc.
  struct Linear;

 private:
  SentimentModel();
  std::unique_ptr<FastTextModel> model_;
  std::unique_ptr<const Linear> linear_;
};

}  // namespace fbl::sentiment
