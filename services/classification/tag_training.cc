#include "services/classification/tag_training.h"

#include <fasttext/fasttext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/sentiment/sentiment.h"
#include "libs/text/simhash.h"
#include "services/classification/tag_model.h"

namespace fbl::classification {

Split SplitOf(std::string_view normalized) {
  const uint64_t bucket = text::StableHash64(normalized) % 10;
  return bucket == 0 ? Split::kHoldout : bucket == 1 ? Split::kDev : Split::kTrain;
}

std::vector<std::string> RuleLabels(const Classifier& classifier, std::string_view normalized) {
  const Analysis a = classifier.Analyze({normalized, normalized, "", false});
  std::vector<std::string> codes;
  for (const ProblemHit& h : a.problems) {
    const std::string& code = classifier.taxonomy().problems()[h.problem].code;
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }
  return codes;
}

std::vector<TrainingExample> BuildExamples(const Classifier& classifier,
                                           const std::vector<std::string>& normalized_texts,
                                           const std::vector<Correction>& corrections) {
  std::map<std::string_view, const Correction*> corrected;
  for (const Correction& c : corrections) corrected[c.normalized] = &c;  // The last one wins.
  std::vector<TrainingExample> out;
  std::set<std::string_view> seen;
  for (const std::string& text : normalized_texts) {
    if (text.empty() || !seen.insert(text).second) continue;
    if (auto it = corrected.find(text); it != corrected.end()) {
      out.push_back({text, it->second->l3, "human"});
    } else {
      out.push_back({text, RuleLabels(classifier, text), "rule"});
    }
  }
  for (const auto& [text, c] : corrected) {
    if (!seen.contains(text)) out.push_back({c->normalized, c->l3, "human"});
  }
  return out;
}

namespace {

std::string TrainingLine(const TrainingExample& e, const std::string& tokens) {
  std::string line;
  if (e.l3.empty()) {
    absl::StrAppend(&line, "__label__", std::string(kNoProblemLabel), " ");
  } else {
    for (const std::string& code : e.l3) absl::StrAppend(&line, "__label__", code, " ");
  }
  absl::StrAppend(&line, tokens, "\n");
  return line;
}

// Unlabelled rule texts kept as negatives: a stable share by text hash.
bool KeepNegative(const TrainingExample& e, double share) {
  if (share <= 0) return false;
  if (share >= 1) return true;
  return static_cast<double>(text::StableHash64(absl::StrCat("neg:", e.normalized)) % 10000) < share * 10000;
}

}  // namespace

absl::Status TrainTagModel(const std::vector<TrainingExample>& examples, const TrainOptions& options,
                           const std::string& out_path) {
  std::vector<std::string> lines;
  bool any_label = false;
  for (const TrainingExample& e : examples) {
    const bool human = e.origin == "human";
    if (e.l3.empty() && !human && !KeepNegative(e, options.negative_share)) continue;
    const std::string tokens = sentiment::Tokenize(e.normalized);
    if (tokens.empty()) continue;
    any_label = any_label || !e.l3.empty();
    const std::string line = TrainingLine(e, tokens);
    for (int i = 0, n = human ? std::max(1, options.human_weight) : 1; i < n; ++i) lines.push_back(line);
  }
  if (!any_label) return absl::InvalidArgumentError("tag model: no example with an L3 code to train on");
  // Spread the repeated corrections over the epoch (fastText decays the learning rate along the file).
  std::mt19937_64 rng(20240601);
  std::shuffle(lines.begin(), lines.end(), rng);

  static std::atomic<int> counter{0};
  const std::filesystem::path train_path =
      std::filesystem::temp_directory_path() /
      absl::StrCat("fbl-tags-train-", ::getpid(), "-", counter.fetch_add(1), ".txt");
  struct Remove {
    std::filesystem::path path;
    ~Remove() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove{train_path};
  {
    std::ofstream train(train_path);
    for (const std::string& line : lines) train << line;
    train.close();
    if (!train) return absl::InternalError(absl::StrCat("tag model: cannot write ", train_path.string()));
  }

  fasttext::Args args;
  args.input = train_path.string();
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::ova;
  args.epoch = options.epoch;
  args.lr = options.lr;
  args.wordNgrams = options.word_ngrams;
  args.dim = options.dim;
  args.minCount = 1;
  args.minn = 0;
  args.maxn = 0;
  args.bucket = options.bucket;
  args.thread = std::max(1, options.threads);
  args.verbose = 0;
  try {
    fasttext::FastText model;
    model.train(args);
    if (options.quantize) {
      fasttext::Args q = args;
      q.qnorm = true;
      q.qout = false;
      q.cutoff = 100000;
      q.dsub = 2;
      q.retrain = false;  // Retraining measured worse (more over-confident).
      model.quantize(q);
    }
    model.saveModel(out_path);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("tag model ", out_path, ": ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace fbl::classification
