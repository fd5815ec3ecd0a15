#pragma once
// Quality of the taxonomy on the hand-labelled real texts in
// tests/data/taxonomy/labelled.jsonl (policy in its README): L1 accuracy and
// L3 precision/recall, micro and per problem, on a split.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/classification/classifier.h"

namespace fbl::classification {

struct LabelledRow {
  std::string id;
  std::string source;
  std::string text;
  std::string l1;
  std::vector<std::string> problems;
  std::string split;  // "dev" or "holdout"
};

// Reads JSON lines {"id","source","text","l1","problems","split"}.
// INVALID_ARGUMENT naming the line on a malformed row, an unknown L1 or a
// problem code the taxonomy does not define.
[[nodiscard]] absl::StatusOr<std::vector<LabelledRow>> LoadLabelled(const std::string& path, const Taxonomy& taxonomy);

struct PrCounts {
  size_t tp = 0, fp = 0, fn = 0;
  double Precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp); }
  double Recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn); }
};

struct TaxonomyReport {
  std::string split;
  size_t rows = 0;
  size_t l1_correct = 0;
  std::map<std::string, std::map<std::string, size_t>> l1_confusion;  // gold -> predicted -> count
  PrCounts l3;                                 // micro over problems
  std::map<std::string, PrCounts> per_problem;  // by code
  std::vector<std::string> errors;             // one line per wrong row (with --show-errors)
  double l1_accuracy() const { return rows == 0 ? 0 : static_cast<double>(l1_correct) / static_cast<double>(rows); }
};

// `split`: "dev", "holdout" or "all".
TaxonomyReport Evaluate(const Classifier& classifier, const std::vector<LabelledRow>& rows, std::string_view split);
std::string FormatReport(const TaxonomyReport& r, bool per_problem, bool show_errors);

}  // namespace fbl::classification
