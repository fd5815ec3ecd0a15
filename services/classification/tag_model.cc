#include "services/classification/tag_model.h"

#include <fasttext/fasttext.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/sentiment/sentiment.h"
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
  m->model_ = std::make_unique<fasttext::FastText>();
  try {
    m->model_->loadModel(path);  // Checks the magic number and version first.
  } catch (const std::exception& e) {
    return bad(e.what());
  }
  const fasttext::Args args = m->model_->getArgs();
  if (args.model != fasttext::model_name::sup || args.loss != fasttext::loss_name::ova) {
    return bad("not a one-vs-all supervised fastText model");
  }
  const auto dict = m->model_->getDictionary();
  for (int32_t i = 0; i < dict->nlabels(); ++i) {
    const std::string label = dict->getLabel(i);
    if (label.substr(kLabelPrefix.size()) != kNoProblemLabel) ++m->labels_;
  }
  m->version_ = absl::StrFormat("%s@%08x", std::filesystem::path(path).filename().string(),
                                static_cast<uint32_t>(text::StableHash64(bytes)));
  return std::shared_ptr<const TagModel>(std::move(m));
}

std::vector<std::pair<std::string, double>> TagModel::Predict(std::string_view normalized, int k,
                                                              double threshold) const {
  std::vector<std::pair<std::string, double>> out;
  const std::string tokens = sentiment::Tokenize(normalized);
  if (tokens.empty()) return out;
  std::istringstream line(tokens + "\n");
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  // All labels (the "none" label may be among them), filtered below.
  model_->predictLine(line, predictions, labels_ + 1, static_cast<fasttext::real>(threshold));
  for (auto& [probability, label] : predictions) {
    if (k > 0 && static_cast<int>(out.size()) >= k) break;
    std::string code = label.substr(std::min(label.size(), kLabelPrefix.size()));
    if (code == kNoProblemLabel) continue;
    out.emplace_back(std::move(code), static_cast<double>(probability));
  }
  return out;
}

}  // namespace fbl::classification
