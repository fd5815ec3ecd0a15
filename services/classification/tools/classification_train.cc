// CLS-8: trains the tag model on the rule labels of the real reviews plus
// human corrections, and measures it: on the held-out 10 % against the rule
// labels, and on the hand-labelled gold set (holdout split) for rules alone,
// model alone, rules ∪ model and the service's policy (the model only where no
// rule fired).
//   classification-train [--taxonomy deploy/taxonomy/taxonomy.yaml] [--data ../shared/data]
//                        [--corrections FILE.jsonl] [--out models/tags-zh.ftz] [--dim N] [--epoch N]
//                        [--threshold 0.9] [--gold tests/data/taxonomy/labelled.jsonl]
//                        [--negative-share F] [--human-weight N] [--bucket N] [--quantize] [--evaluate-only]
// Corrections: JSON lines {"feedback_id", "text", "l3": [codes]} (raw text).
// Gold-set texts are left out of training so that the gold figures measure
// generalisation, not memory.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/dataset/csv_reader.h"
#include "libs/text/normalize.h"
#include "services/classification/evaluation.h"
#include "services/classification/tag_model.h"
#include "services/classification/tag_training.h"

namespace {

using fbl::classification::Correction;
using fbl::classification::PrCounts;
using CodeSet = std::set<std::string>;

// The review texts of the real datasets, normalised.
absl::StatusOr<std::vector<std::string>> LoadCorpusTexts(const std::string& dir, const fbl::text::Normalizer& n) {
  struct Source {
    const char* file;
    std::vector<const char*> columns;  // Joined with a space.
  };
  const std::vector<Source> sources = {
      {"online_shopping_10_cats.csv", {"review"}}, {"waimai_10k.csv", {"review"}},
      {"ChnSentiCorp_htl_all.csv", {"review"}},    {"car_complaints.csv", {"desc"}},
      {"blackcat_complaints.csv", {"投诉标题", "投诉详情"}},
  };
  std::vector<std::string> out;
  for (const Source& s : sources) {
    auto table = fbl::dataset::ReadCsvFile(absl::StrCat(dir, "/", s.file));
    if (!table.ok()) return table.status();
    std::vector<int> columns;
    for (const char* c : s.columns) {
      columns.push_back(table->Column(c));
      if (columns.back() < 0) return absl::DataLossError(absl::StrCat(s.file, ": no column ", c));
    }
    size_t kept = 0;
    for (const auto& row : table->rows) {
      std::string joined;
      for (int c : columns) {
        if (static_cast<size_t>(c) < row.fields.size()) absl::StrAppend(&joined, joined.empty() ? "" : " ", row.fields[c]);
      }
      std::string normalized = n.Normalize(joined);
      if (normalized.empty()) continue;
      out.push_back(std::move(normalized));
      ++kept;
    }
    std::fprintf(stderr, "  %-30s %6zu texts\n", s.file, kept);
  }
  return out;
}

absl::StatusOr<std::vector<Correction>> LoadCorrections(const std::string& path,
                                                        const fbl::classification::Taxonomy& taxonomy,
                                                        const fbl::text::Normalizer& n) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::set<std::string> codes;
  for (const auto& p : taxonomy.problems()) codes.insert(p.code);
  std::vector<Correction> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", std::string(what)));
    };
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    Correction c;
    try {
      c.feedback_id = j.value("feedback_id", "");
      c.normalized = n.Normalize(j.at("text").get<std::string>());
      c.l3 = j.at("l3").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      return bad(e.what());
    }
    for (const std::string& code : c.l3) {
      if (!codes.contains(code)) return bad(absl::StrCat("L3 code '", code, "' is not in taxonomy ", taxonomy.origin()));
    }
    if (c.normalized.empty()) return bad("empty text");
    out.push_back(std::move(c));
  }
  return out;
}

void Count(const CodeSet& gold, const CodeSet& got, PrCounts& micro, std::map<std::string, PrCounts>* per) {
  for (const std::string& g : gold) {
    const bool hit = got.contains(g);
    (hit ? micro.tp : micro.fn)++;
    if (per != nullptr) (hit ? (*per)[g].tp : (*per)[g].fn)++;
  }
  for (const std::string& g : got) {
    if (gold.contains(g)) continue;
    ++micro.fp;
    if (per != nullptr) ++(*per)[g].fp;
  }
}

std::string Pr(const PrCounts& c) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "P %.3f R %.3f (tp %zu fp %zu fn %zu)", c.Precision(), c.Recall(), c.tp, c.fp, c.fn);
  return buf;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "classification-train: %s\n", std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cls = fbl::classification;
  CLI::App app{"Trains the L3 tag model (CLS-8) on rule labels and human corrections"};
  std::string taxonomy_path = "deploy/taxonomy/taxonomy.yaml", data = "../shared/data", corrections_path;
  std::string out = "models/tags-zh.ftz", gold_path = "tests/data/taxonomy/labelled.jsonl";
  double threshold = cls::Policy().tag_model_threshold;
  int top = 15;
  bool quantize = false, evaluate_only = false;
  cls::TrainOptions options;
  app.add_option("--taxonomy", taxonomy_path, "taxonomy YAML");
  app.add_option("--data", data, "directory of the real datasets");
  app.add_option("--corrections", corrections_path, "human corrections, JSON lines {feedback_id, text, l3}");
  app.add_option("--out", out, "model file to write");
  app.add_option("--gold", gold_path, "hand-labelled gold set (its holdout split is reported)");
  app.add_option("--threshold", threshold, "model probability for a tag");
  app.add_option("--dim", options.dim, "vector size");
  app.add_option("--epoch", options.epoch, "epochs");
  app.add_option("--lr", options.lr, "learning rate");
  app.add_option("--word-ngrams", options.word_ngrams, "word n-grams");
  app.add_option("--human-weight", options.human_weight, "repeats of each correction");
  app.add_option("--negative-share", options.negative_share, "share of texts without rule label kept as negatives");
  app.add_option("--threads", options.threads, "training threads");
  app.add_option("--bucket", options.bucket, "hash buckets for word n-grams");
  app.add_option("--top", top, "L3 codes shown in the per-code table");
  app.add_flag("--quantize", quantize, "product-quantise the model (smaller file, lower precision)");
  app.add_flag("--evaluate-only", evaluate_only, "do not train: measure the model already at --out");
  CLI11_PARSE(app, argc, argv);
  options.quantize = quantize;

  auto normalizer = fbl::text::Normalizer::Create();
  if (!normalizer.ok()) return Fail(normalizer.status());
  auto taxonomy = cls::Taxonomy::Load(taxonomy_path);
  if (!taxonomy.ok()) return Fail(taxonomy.status());
  auto gold = cls::LoadLabelled(gold_path, **taxonomy);
  if (!gold.ok()) return Fail(gold.status());
  std::vector<Correction> corrections;
  if (!corrections_path.empty()) {
    auto c = LoadCorrections(corrections_path, **taxonomy, *normalizer);
    if (!c.ok()) return Fail(c.status());
    corrections = *std::move(c);
  }
  std::fprintf(stderr, "reading %s ...\n", data.c_str());
  auto texts = LoadCorpusTexts(data, *normalizer);
  if (!texts.ok()) return Fail(texts.status());
  std::set<std::string> gold_texts;
  for (const cls::LabelledRow& r : *gold) gold_texts.insert(normalizer->Normalize(r.text));
  std::erase_if(*texts, [&](const std::string& t) { return gold_texts.contains(t); });

  const cls::Classifier classifier(*taxonomy, nullptr, {});
  std::fprintf(stderr, "labelling %zu texts with the rules ...\n", texts->size());
  const std::vector<cls::TrainingExample> examples = cls::BuildExamples(classifier, *texts, corrections);

  // Examples per origin (all splits / train split).
  std::map<std::string, std::pair<size_t, size_t>> per_origin;
  std::vector<cls::TrainingExample> train;
  for (const auto& e : examples) {
    const bool in_train = e.origin == "human" || cls::SplitOf(e.normalized) == cls::Split::kTrain;
    const std::string key = e.origin == "human" ? "human" : e.l3.empty() ? "rule (no L3)" : "rule (with L3)";
    auto& [all, trained] = per_origin[key];
    ++all;
    trained += in_train;
    if (in_train) train.push_back(e);
  }
  std::printf("taxonomy %s, %zu distinct texts (%zu gold-set texts left out)\n", (*taxonomy)->version().c_str(),
              examples.size(), gold_texts.size());
  std::printf("%-16s %8s %8s\n", "examples", "all", "train");
  for (const auto& [origin, n] : per_origin) std::printf("  %-14s %8zu %8zu\n", origin.c_str(), n.first, n.second);
  std::printf("options: dim %d, epoch %d, lr %.2f, word n-grams %d, human weight %d, negative share %.2f\n",
              options.dim, options.epoch, options.lr, options.word_ngrams, options.human_weight,
              options.negative_share);

  const auto start = std::chrono::steady_clock::now();
  if (!evaluate_only) {
    std::fprintf(stderr, "training on %zu examples ...\n", train.size());
    if (absl::Status s = cls::TrainTagModel(train, options, out); !s.ok()) return Fail(s);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto model = cls::TagModel::Load(out);
  if (!model.ok()) return Fail(model.status());

  // Held-out 10 %: the model against the rule labels.
  PrCounts micro;
  std::map<std::string, PrCounts> per;
  size_t held_out = 0;
  for (const auto& e : examples) {
    if (e.origin != "rule" || cls::SplitOf(e.normalized) != cls::Split::kHoldout) continue;
    ++held_out;
    CodeSet got;
    for (const auto& [code, p] : (*model)->Predict(e.normalized, 0, 0.5)) got.insert(code);
    Count(CodeSet(e.l3.begin(), e.l3.end()), got, micro, &per);
  }
  std::vector<std::pair<std::string, PrCounts>> by_support(per.begin(), per.end());
  std::stable_sort(by_support.begin(), by_support.end(),
                   [](const auto& a, const auto& b) { return a.second.tp + a.second.fn > b.second.tp + b.second.fn; });
  std::printf("held-out 10 %% (%zu texts), model vs rule labels, threshold 0.5, top %d codes:\n", held_out, top);
  std::printf("  %-42s %6s %6s %6s\n", "L3", "rules", "prec", "recall");
  for (int i = 0; i < top && i < static_cast<int>(by_support.size()); ++i) {
    const auto& [code, c] = by_support[i];
    std::printf("  %-42s %6zu %6.3f %6.3f\n", code.c_str(), c.tp + c.fn, c.Precision(), c.Recall());
  }
  std::printf("  micro: %s\n", Pr(micro).c_str());

  // Gold set, holdout split.
  PrCounts rules_pr, model_pr, union_pr, service_pr;
  size_t gold_rows = 0;
  for (const cls::LabelledRow& r : *gold) {
    if (r.split != "holdout") continue;
    ++gold_rows;
    const std::string normalized = normalizer->Normalize(r.text);
    const cls::Analysis a = classifier.Analyze({r.text, normalized, "", false});
    CodeSet rules, by_model;
    for (const cls::ProblemHit& h : a.problems) rules.insert((*taxonomy)->problems()[h.problem].code);
    for (const auto& [code, p] : (*model)->Predict(normalized, 0, threshold)) by_model.insert(code);
    CodeSet both = rules;
    both.insert(by_model.begin(), by_model.end());
    const CodeSet& service = rules.empty() ? by_model : rules;  // the service: rules win where they fire
    const CodeSet truth(r.problems.begin(), r.problems.end());
    Count(truth, rules, rules_pr, nullptr);
    Count(truth, by_model, model_pr, nullptr);
    Count(truth, both, union_pr, nullptr);
    Count(truth, service, service_pr, nullptr);
  }
  std::printf("gold set %s, holdout split (%zu rows), L3 micro, model threshold %.2f:\n", gold_path.c_str(), gold_rows,
              threshold);
  std::printf("  rules          %s\n", Pr(rules_pr).c_str());
  std::printf("  model          %s\n", Pr(model_pr).c_str());
  std::printf("  rules ∪ model  %s\n", Pr(union_pr).c_str());
  std::printf("  rules, else model (as the service) %s\n", Pr(service_pr).c_str());
  std::printf("training time %.1f s; model %s, %s, %ju bytes\n", seconds, out.c_str(), (*model)->version().c_str(),
              static_cast<uintmax_t>(std::filesystem::file_size(out)));
  return 0;
}
