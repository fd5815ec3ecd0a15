#include "libs/sentiment/sentiment.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace fbl::sentiment {

SentimentModel::SentimentModel() = default;
SentimentModel::~SentimentModel() = default;

absl::StatusOr<std::unique_ptr<SentimentModel>> SentimentModel::Load(const std::string& path) {
  auto loaded = FastTextDirect::Load(path);
  if (!loaded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("sentiment model ", path, ": ", loaded.status().message()));
  }
  std::unique_ptr<SentimentModel> m(new SentimentModel());
  m->model_ = *std::move(loaded);
  m->positive_ = m->model_->LabelIndex("__label__pos");
  return m;
}

// predictLine's two best labels (probabilities, already exponentiated, best
// first) -> probability of the positive label.
double SentimentModel::PositiveOf(const LabelPredictions& predictions) const {
  for (const auto& [probability, label] : predictions) {
    if (label == positive_ && positive_ >= 0) return probability;
  }
  return predictions.empty() ? 0.5 : 1.0 - predictions.front().first;
}

double SentimentModel::ReferencePositiveProbability(std::string_view normalized) const {
  LabelPredictions predictions;
  model_->ReferencePredict(normalized, 2, 0.0f, &predictions);
  return PositiveOf(predictions);
}

double SentimentModel::PositiveProbability(std::string_view normalized) const {
  thread_local LabelPredictions predictions;
  model_->Predict(normalized, 2, 0.0f, &predictions);
  return PositiveOf(predictions);
}

Sentiment SentimentModel::Predict(std::string_view normalized, double neutral_band) const {
  Sentiment s;
  s.score = 2 * PositiveProbability(normalized) - 1;
  s.intensity = std::abs(s.score);
  s.polarity = s.intensity < neutral_band ? Polarity::kNeutral
               : s.score > 0              ? Polarity::kPositive
                                          : Polarity::kNegative;
  return s;
}

}  // namespace fbl::sentiment
