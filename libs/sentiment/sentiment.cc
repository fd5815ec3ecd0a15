#include "libs/sentiment/sentiment.h"

#include <fasttext/fasttext.h>

#include <cmath>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/text/utf8.h"

namespace fbl::sentiment {

std::string Tokenize(std::string_view s) {
  std::string out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out += word;
    word.clear();
  };
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const char32_t cp = text::NextCodePoint(s, &pos);
    if (cp < 0x80 && std::isalnum(static_cast<unsigned char>(cp))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(cp))));
      continue;
    }
    flush();
    const bool cjk = (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
    if (cjk) {
      if (!out.empty()) out.push_back(' ');
      out.append(s.substr(start, pos - start));
    }
  }
  flush();
  return out;
}

SentimentModel::SentimentModel() = default;
SentimentModel::~SentimentModel() = default;

absl::StatusOr<std::unique_ptr<SentimentModel>> SentimentModel::Load(const std::string& path) {
  std::unique_ptr<SentimentModel> m(new SentimentModel());
  m->model_ = std::make_unique<fasttext::FastText>();
  try {
    m->model_->loadModel(path);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("sentiment model ", path, ": ", e.what()));
  }
  return m;
}

double SentimentModel::PositiveProbability(std::string_view normalized) const {
  std::istringstream line(Tokenize(normalized) + "\n");
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  model_->predictLine(line, predictions, 2, 0.0);
  // predictLine gives probabilities (already exponentiated), best first.
  for (const auto& [probability, label] : predictions) {
    if (label == "__label__pos") return probability;
  }
  return predictions.empty() ? 0.5 : 1.0 - predictions.front().first;
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
