#include "services/classification/tag_model.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/text/simhash.h"

namespace fbl::classification {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";

}  // namespace

TagModel::TagModel() = default;
TagModel::~TagModel() = default;

absl::StatusOr<std::shared_ptr<const TagModel>> TagModel::Load(const std::string& path) {
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("tag model ", path, ": ", std::string(what)));
  };
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) return bad("cannot be read");
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::shared_ptr<TagModel> m(new TagModel());
  auto loaded = sentiment::FastTextDirect::Load(path);  // Checks the magic number and version first.
  if (!loaded.ok()) return bad(std::string(loaded.status().message()));
  m->model_ = *std::move(loaded);
  if (!m->model_->supervised() || !m->model_->one_vs_all()) return bad("not a one-vs-all supervised fastText model");
  for (const std::string& label : m->model_->labels()) {
    std::string code = label.substr(std::min(label.size(), kLabelPrefix.size()));
    if (code == kNoProblemLabel) {
      code.clear();
    } else {
      ++m->labels_;
    }
    m->codes_.push_back(std::move(code));
  }
  m->version_ = absl::StrFormat("%s@%08x", std::filesystem::path(path).filename().string(),
                                static_cast<uint32_t>(text::StableHash64(bytes)));
  return std::shared_ptr<const TagModel>(std::move(m));
}

// fastText's predictions of all labels (the "none" label may be among them),
// best first -> at most k L3 codes.
std::vector<std::pair<std::string, double>> TagModel::Codes(const sentiment::LabelPredictions& predictions,
                                                            int k) const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [probability, label] : predictions) {
    if (k > 0 && static_cast<int>(out.size()) >= k) break;
    if (label < 0 || codes_[label].empty()) continue;
    out.emplace_back(codes_[label], static_cast<double>(probability));
  }
  return out;
}

std::vector<std::pair<std::string, double>> TagModel::Predict(std::string_view normalized, int k,
                                                              double threshold) const {
  thread_local sentiment::LabelPredictions predictions;
  if (model_->Predict(normalized, 0, static_cast<float>(threshold), &predictions) == 0) return {};  // No tokens.
  return Codes(predictions, k);
}

std::vector<std::pair<std::string, double>> TagModel::ReferencePredict(std::string_view normalized, int k,
                                                                       double threshold) const {
  sentiment::LabelPredictions predictions;
  if (model_->ReferencePredict(normalized, 0, static_cast<float>(threshold), &predictions) == 0) return {};
  return Codes(predictions, k);
}

}  // namespace fbl::classification
