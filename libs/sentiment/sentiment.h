#pragma once
// CLS-7: sentiment polarity and intensity from a fastText model trained on
// the real labelled reviews (tools/sentiment_train.cc).

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/sentiment/fasttext_direct.h"  // Tokenize

namespace fbl::sentiment {

enum class Polarity { kNegative, kNeutral, kPositive };

struct Sentiment {
  Polarity polarity = Polarity::kNeutral;
  double score = 0;      // -1 (very negative) .. 1 (very positive)
  double intensity = 0;  // |score|
};

class SentimentModel {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SentimentModel>> Load(const std::string& path);
  ~SentimentModel();

  // Thread-safe. |score| below `neutral_band` is neutral.
  Sentiment Predict(std::string_view normalized, double neutral_band = 0.2) const;
  // Probability of the positive label, 0..1.
  //
  // A softmax model without character n-grams (the shipped kind) is
  // evaluated directly (fasttext_direct.h), with the result of fastText's
  // predictLine on Tokenize's output, bit for bit.
  double PositiveProbability(std::string_view normalized) const;
  // The same through fastText's predictLine on Tokenize's output (slow; the
  // reference the direct evaluation is tested against).
  double ReferencePositiveProbability(std::string_view normalized) const;
  // True when PositiveProbability evaluates the model directly.
  bool direct() const { return model_->direct(); }

 private:
  SentimentModel();
  double PositiveOf(const LabelPredictions& predictions) const;
  std::unique_ptr<FastTextDirect> model_;
  int positive_ = -1;  // Label index of __label__pos.
};

}  // namespace fbl::sentiment
