#pragma once
// CLS-7: sentiment polarity and intensity from a fastText model trained on
// the real labelled reviews (tools/sentiment_train.cc).

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fasttext {
class FastText;
}

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
  double PositiveProbability(std::string_view normalized) const;

 private:
  SentimentModel();
  std::unique_ptr<fasttext::FastText> model_;
};

}  // namespace fbl::sentiment
