#include "libs/redalert/evaluation.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace fbl::redalert {

absl::StatusOr<std::vector<LabelledRow>> LoadLabelled(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("labelled set ", path, ": cannot read"));
  std::vector<LabelledRow> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat("labelled set ", path, " line ", n, ": ", std::string(what)));
    };
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    LabelledRow r;
    if (!j.contains("id") || !j["id"].is_string() || !j.contains("text") || !j["text"].is_string() ||
        !j.contains("alert") || !j["alert"].is_boolean()) {
      return bad("needs string 'id', string 'text' and boolean 'alert'");
    }
    r.id = j["id"].get<std::string>();
    r.text = j["text"].get<std::string>();
    r.alert = j["alert"].get<bool>();
    if (j.contains("source") && j["source"].is_string()) r.source = j["source"].get<std::string>();
    if (j.contains("split") && j["split"].is_string()) r.split = j["split"].get<std::string>();
    if (j.contains("category") && j["category"].is_string()) {
      r.category = CategoryFromName(j["category"].get<std::string>());
      if (r.category == Category::kUnspecified) return bad("unknown category");
    }
    if (r.alert && r.category == Category::kUnspecified) return bad("alert row without category");
    rows.push_back(std::move(r));
  }
  return rows;
}

EvalReport Evaluate(const Matcher& matcher, const std::vector<LabelledRow>& rows, std::string_view split,
                    double min_seconds) {
  EvalReport rep;
  rep.split = std::string(split);
  rep.rules_version = matcher.version();
  for (Category c : kAllCategories) rep.per_category[c] = Counts{};
  for (const LabelledRow& row : rows) {
    if (split != "all" && row.split != split) continue;
    ++rep.rows;
    MatchResult r = matcher.Match(row.text);
    if (row.alert && r.alert) {
      ++rep.overall.tp;
    } else if (row.alert) {
      ++rep.overall.fn;
    } else if (r.alert) {
      ++rep.overall.fp;
    } else {
      ++rep.overall.tn;
    }
    for (Category c : kAllCategories) {
      const bool gold = row.alert && row.category == c;
      const bool pred = r.alert && r.category == c;
      Counts& k = rep.per_category[c];
      if (gold && pred) {
        ++k.tp;
      } else if (gold) {
        ++k.fn;
      } else if (pred) {
        ++k.fp;
      } else {
        ++k.tn;
      }
    }
    if (row.alert && !r.alert) {
      rep.false_negatives.push_back(EvalError{&row, std::move(r)});
    } else if (!row.alert && r.alert) {
      rep.false_positives.push_back(EvalError{&row, std::move(r)});
    } else if (row.alert && r.category != row.category) {
      rep.wrong_category.push_back(EvalError{&row, std::move(r)});
    }
  }
  // Throughput over every row, repeated until min_seconds have passed.
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  size_t n = 0;
  size_t sink = 0;
  double elapsed = 0;
  do {
    for (const LabelledRow& row : rows) {
      sink += matcher.Match(row.text).evidences.size();
      ++n;
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_seconds && !rows.empty());
  // Keeps the timed calls from being optimised away.
  static std::atomic<size_t> keep_results{0};
  keep_results.store(sink, std::memory_order_relaxed);
  rep.throughput_texts = n;
  rep.texts_per_second = elapsed > 0 ? static_cast<double>(n) / elapsed : 0;
  return rep;
}

namespace {

std::string Line(std::string_view name, const Counts& c) {
  return absl::StrFormat("%-18s %5d %5d %5d %5d   %6.3f %6.3f %6.3f\n", std::string(name), c.tp, c.fp, c.fn, c.tn,
                         c.Precision(), c.Recall(), c.F1());
}

std::string Describe(const EvalError& e) {
  const std::string gold(e.row->alert ? CategoryName(e.row->category) : "none");
  const std::string pred(e.result.alert ? CategoryName(e.result.category) : "none");
  std::string s = absl::StrCat("  [", e.row->id, "] gold=", gold, " pred=", pred, "\n    text: ");
  std::string t = e.row->text.substr(0, 300);
  for (char& c : t) {
    if (c == '\n') c = ' ';
  }
  absl::StrAppend(&s, t, "\n");
  for (const Evidence& ev : e.result.evidences) {
    absl::StrAppend(&s, "    evidence ", ev.rule_id, " '", ev.matched, "' @", ev.offset, ": ", ev.snippet, "\n");
  }
  for (const Suppressed& sp : e.result.suppressed) {
    absl::StrAppend(&s, "    suppressed ", sp.rule_id, " '", sp.matched, "' ", std::string(SuppressReasonName(sp.reason)),
                    sp.detail.empty() ? "" : absl::StrCat(" (", sp.detail, ")"), "\n");
  }
  return s;
}

}  // namespace

std::string FormatReport(const EvalReport& r, bool show_errors) {
  std::string out = absl::StrFormat("red-alert evaluation: rules %s, split %s, %d rows\n", r.rules_version, r.split,
                                    r.rows);
  absl::StrAppend(&out, absl::StrFormat("%-18s %5s %5s %5s %5s   %6s %6s %6s\n", "category", "tp", "fp", "fn", "tn",
                                        "prec", "recall", "f1"));
  for (const auto& [c, k] : r.per_category) absl::StrAppend(&out, Line(CategoryName(c), k));
  absl::StrAppend(&out, Line("overall (alert)", r.overall));
  absl::StrAppend(&out, absl::StrFormat("wrong category among true alerts: %d\n", r.wrong_category.size()));
  absl::StrAppend(&out, absl::StrFormat("throughput: %.0f texts/s (%d texts, one thread)\n", r.texts_per_second,
                                        r.throughput_texts));
  if (show_errors) {
    absl::StrAppend(&out, "\nfalse negatives (missed crises):\n");
    for (const EvalError& e : r.false_negatives) absl::StrAppend(&out, Describe(e));
    absl::StrAppend(&out, "\nfalse positives (would page for nothing):\n");
    for (const EvalError& e : r.false_positives) absl::StrAppend(&out, Describe(e));
    absl::StrAppend(&out, "\nwrong category:\n");
    for (const EvalError& e : r.wrong_category) absl::StrAppend(&out, Describe(e));
  }
  return out;
}

}  // namespace fbl::redalert
