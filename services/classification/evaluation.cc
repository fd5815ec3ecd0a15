#include "services/classification/evaluation.h"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/text/normalize.h"

namespace fbl::classification {

absl::StatusOr<std::vector<LabelledRow>> LoadLabelled(const std::string& path, const Taxonomy& taxonomy) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::set<std::string> codes;
  for (const Problem& p : taxonomy.problems()) codes.insert(p.code);
  std::vector<LabelledRow> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": ", std::string(what)));
    };
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    LabelledRow r;
    try {
      r.id = j.at("id").get<std::string>();
      r.source = j.value("source", "");
      r.text = j.at("text").get<std::string>();
      r.l1 = j.at("l1").get<std::string>();
      r.problems = j.at("problems").get<std::vector<std::string>>();
      r.split = j.at("split").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      return bad(e.what());
    }
    if (r.l1 != "complaint" && r.l1 != "suggestion" && r.l1 != "inquiry" && r.l1 != "praise") {
      return bad(absl::StrCat("unknown l1 '", r.l1, "'"));
    }
    for (const std::string& p : r.problems) {
      if (!codes.contains(p)) return bad(absl::StrCat("problem '", p, "' is not in taxonomy ", taxonomy.origin()));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

TaxonomyReport Evaluate(const Classifier& classifier, const std::vector<LabelledRow>& rows, std::string_view split) {
  TaxonomyReport report;
  report.split = std::string(split);
  auto normalizer = text::Normalizer::Create();
  for (const LabelledRow& row : rows) {
    if (split != "all" && row.split != split) continue;
    ++report.rows;
    const std::string normalized = normalizer.ok() ? normalizer->Normalize(row.text) : row.text;
    const Analysis a = classifier.Analyze({row.text, normalized, "", false});
    const std::string l1(IntentCode(a.intent));
    ++report.l1_confusion[row.l1][l1];
    const bool l1_ok = l1 == row.l1;
    if (l1_ok) ++report.l1_correct;
    std::set<std::string> gold(row.problems.begin(), row.problems.end()), got;
    for (const ProblemHit& h : a.problems) got.insert(classifier.taxonomy().problems()[h.problem].code);
    std::vector<std::string> missed, extra;
    for (const std::string& g : gold) {
      if (got.contains(g)) {
        ++report.l3.tp;
        ++report.per_problem[g].tp;
      } else {
        ++report.l3.fn;
        ++report.per_problem[g].fn;
        missed.push_back(g);
      }
    }
    for (const std::string& g : got) {
      if (gold.contains(g)) continue;
      ++report.l3.fp;
      ++report.per_problem[g].fp;
      extra.push_back(g);
    }
    if (!l1_ok || !missed.empty() || !extra.empty()) {
      report.errors.push_back(absl::StrCat(row.id, "  l1 ", row.l1, l1_ok ? "" : absl::StrCat("->", l1),
                                           missed.empty() ? "" : absl::StrCat("  missed ", absl::StrJoin(missed, ",")),
                                           extra.empty() ? "" : absl::StrCat("  extra ", absl::StrJoin(extra, ",")),
                                           "  | ", row.text.substr(0, 240)));
    }
  }
  return report;
}

std::string FormatReport(const TaxonomyReport& r, bool per_problem, bool show_errors) {
  std::string out = absl::StrFormat("taxonomy evaluation, split %s, %d rows\n", r.split, r.rows);
  absl::StrAppendFormat(&out, "L1 accuracy %.3f (%d/%d)\n", r.l1_accuracy(), r.l1_correct, r.rows);
  for (const auto& [gold, row] : r.l1_confusion) {
    std::string cells;
    for (const auto& [pred, n] : row) absl::StrAppendFormat(&cells, " %s=%d", pred, n);
    absl::StrAppendFormat(&out, "  gold %-10s ->%s\n", gold, cells);
  }
  absl::StrAppendFormat(&out, "L3 micro precision %.3f recall %.3f (tp %d, fp %d, fn %d)\n", r.l3.Precision(),
                        r.l3.Recall(), r.l3.tp, r.l3.fp, r.l3.fn);
  if (per_problem) {
    absl::StrAppendFormat(&out, "%-40s %5s %5s %5s %6s %6s\n", "problem", "tp", "fp", "fn", "prec", "recall");
    for (const auto& [code, c] : r.per_problem) {
      absl::StrAppendFormat(&out, "%-40s %5d %5d %5d %6.2f %6.2f\n", code, c.tp, c.fp, c.fn, c.Precision(),
                            c.Recall());
    }
  }
  if (show_errors) {
    for (const std::string& e : r.errors) absl::StrAppend(&out, e, "\n");
  }
  return out;
}

}  // namespace fbl::classification
