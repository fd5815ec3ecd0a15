// Taxonomy quality on the labelled real texts: L1 accuracy and L3
// precision/recall (tune on dev, report holdout).
//   classification-eval [--taxonomy deploy/taxonomy/taxonomy.yaml] [--model models/sentiment-zh.ftz]
//                       [--data tests/data/taxonomy/labelled.jsonl] [--split dev|holdout|all]
//                       [--per-problem] [--show-errors] [--tag-model FILE [--threshold P]]
#include <cstdio>

#include <CLI/CLI.hpp>

#include "services/classification/evaluation.h"

int main(int argc, char** argv) {
  CLI::App app{"Evaluates the classification taxonomy on the labelled set"};
  std::string taxonomy_path = "deploy/taxonomy/taxonomy.yaml", model_path = "models/sentiment-zh.ftz";
  std::string data = "tests/data/taxonomy/labelled.jsonl", split = "holdout";
  bool per_problem = false, show_errors = false;
  std::string tag_model_path;
  double threshold = fbl::classification::Policy().tag_model_threshold;
  app.add_option("--taxonomy", taxonomy_path, "taxonomy YAML");
  app.add_option("--model", model_path, "sentiment model (fastText); empty for none");
  app.add_option("--data", data, "labelled JSON lines");
  app.add_option("--split", split, "dev, holdout or all")->check(CLI::IsMember({"dev", "holdout", "all"}));
  app.add_flag("--per-problem", per_problem, "precision/recall per L3 problem");
  app.add_option("--tag-model", tag_model_path, "L3 tag model from classification-train (default: rules only)");
  app.add_option("--threshold", threshold, "tag model probability threshold")->capture_default_str();
  app.add_flag("--show-errors", show_errors, "every row with a wrong L1 or L3");
  CLI11_PARSE(app, argc, argv);

  auto taxonomy = fbl::classification::Taxonomy::Load(taxonomy_path);
  if (!taxonomy.ok()) {
    std::fprintf(stderr, "classification-eval: %s\n", std::string(taxonomy.status().message()).c_str());
    return 2;
  }
  std::unique_ptr<fbl::sentiment::SentimentModel> model;
  if (!model_path.empty()) {
    auto m = fbl::sentiment::SentimentModel::Load(model_path);
    if (!m.ok()) {
      std::fprintf(stderr, "classification-eval: %s\n", std::string(m.status().message()).c_str());
      return 2;
    }
    model = *std::move(m);
  }
  auto rows = fbl::classification::LoadLabelled(data, **taxonomy);
  if (!rows.ok()) {
    std::fprintf(stderr, "classification-eval: %s\n", std::string(rows.status().message()).c_str());
    return 2;
  }
  std::shared_ptr<const fbl::classification::TagModel> tags;
  if (!tag_model_path.empty()) {
    auto loaded = fbl::classification::TagModel::Load(tag_model_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "classification-eval: %s\n", std::string(loaded.status().message()).c_str());
      return 2;
    }
    tags = *loaded;
  }
  fbl::classification::Policy policy;
  policy.tag_model_threshold = threshold;
  fbl::classification::Classifier classifier(*taxonomy, model.get(), policy, tags);
  std::printf("taxonomy %s (%zu modules, %zu problems)\n", (*taxonomy)->version().c_str(),
              (*taxonomy)->modules().size(), (*taxonomy)->problems().size());
  std::fputs(FormatReport(Evaluate(classifier, *rows, split), per_problem, show_errors).c_str(), stdout);
  return 0;
}
