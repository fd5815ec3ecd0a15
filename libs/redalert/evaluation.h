#pragma once
// Precision / recall of a Matcher on the labelled set
// (tests/data/redalert/labelled.jsonl, built by build_labelled.py there).

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/redalert/matcher.h"
#include "libs/redalert/rules.h"

namespace fbl::redalert {

struct LabelledRow {
  std::string id;
  std::string source;
  std::string text;
  std::string split;  // "dev" or "holdout"
  bool alert = false;
  Category category = Category::kUnspecified;
};

// Reads JSON lines {"id","source","text","alert","category","split"}.
// INVALID_ARGUMENT naming the line on a malformed row or unknown category.
[[nodiscard]] absl::StatusOr<std::vector<LabelledRow>> LoadLabelled(const std::string& path);

struct Counts {
  size_t tp = 0, fp = 0, fn = 0, tn = 0;
  double Precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp); }
  double Recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn); }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
};

struct EvalError {
  const LabelledRow* row = nullptr;
  MatchResult result;
};

struct EvalReport {
  std::string split;
  std::string rules_version;
  size_t rows = 0;
  Counts overall;                        // alert vs no alert
  std::map<Category, Counts> per_category;  // gold category vs predicted category
  std::vector<EvalError> false_positives;
  std::vector<EvalError> false_negatives;
  std::vector<EvalError> wrong_category;  // Both alert, categories differ.
  double texts_per_second = 0;
  size_t throughput_texts = 0;
};

// `split`: "dev", "holdout" or "all". Throughput is measured by matching every
// row of `rows` (all splits) repeatedly for at least `min_seconds` on the
// calling thread. `rows` must outlive the report.
EvalReport Evaluate(const Matcher& matcher, const std::vector<LabelledRow>& rows, std::string_view split,
                    double min_seconds = 1.0);

// Human-readable table; with `show_errors`, every misclassified row with its
// evidence or suppressions.
std::string FormatReport(const EvalReport& report, bool show_errors);

}  // namespace fbl::redalert
