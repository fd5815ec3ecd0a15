#pragma once
// Red-alert matcher (ALR-1): finds crisis feedback in free text.
//
//   absl::StatusOr<fbl::redalert::RuleSet> rules = fbl::redalert::LoadRuleSet(path);
//   auto matcher = fbl::redalert::Matcher::Create(*rules);      // once per rules version
//   fbl::redalert::MatchResult r = (*matcher)->Match(text);      // any thread
//   if (r.alert) { ... r.category, r.severity, r.evidences ... }
//
// Matching runs on folded text (NFKC + case fold, traditional -> simplified,
// spaces/punctuation/symbols removed for Chinese; whole words for English),
// so "刹 车 失 灵", "刹-车-失-灵", "煞車失靈", "ｆｉｒｅ" all match. A term is
// suppressed when a negation cue stands shortly before it in the same clause
// ("没有发生爆炸", "no fire"), when a harmless phrase covers it ("Fire TV",
// "很安全"), or when its rule requires context that is absent. Hyperscan
// does the scanning; its types stay in matcher.cc.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/redalert/rules.h"

namespace fbl::redalert {

struct Evidence {
  std::string rule_id;
  Category category = Category::kUnspecified;
  std::string term;     // The rule's term or pattern as written in the rules file.
  std::string matched;  // The matched part of the original text.
  std::string snippet;  // At most 40 code points of the original text around the match.
  size_t offset = 0;    // Byte offset of `matched` in the original text.
  size_t length = 0;    // Byte length of `matched` in the original text.
};

enum class SuppressReason : int {
  kUnspecified = 0,
  kNegated = 1,       // A negation cue precedes the term (detail: the cue).
  kHarmless = 2,      // A harmless phrase covers the term (detail: the phrase).
  kMissingContext = 3,  // The rule's require_context phrases are all absent.
};
std::string_view SuppressReasonName(SuppressReason r);  // "negated", "harmless", "missing_context"

struct Suppressed {
  std::string rule_id;
  Category category = Category::kUnspecified;
  std::string term;
  std::string matched;
  size_t offset = 0;
  SuppressReason reason = SuppressReason::kUnspecified;
  std::string detail;
};

struct MatchResult {
  bool alert = false;
  Category category = Category::kUnspecified;  // The most severe category with evidence.
  Severity severity = Severity::kUnspecified;
  std::vector<Evidence> evidences;    // All categories, in text order.
  std::vector<Suppressed> suppressed;  // For rule authors (dry run).
};

class Matcher {
 public:
  // Compiles the rules. INVALID_ARGUMENT naming the rule id for a pattern
  // that does not compile or a term that folds to nothing; INTERNAL if ICU
  // data or Hyperscan is unusable.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Matcher>> Create(const RuleSet& rules);

  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Thread-safe. Never fails: a scan error (out of memory) yields no alert
  // and a Suppressed entry with rule_id "internal" so it is not silent.
  MatchResult Match(std::string_view text) const;

  const std::string& version() const;
  size_t rule_count() const;
  Severity SeverityOf(Category c) const;

  struct Impl;

 private:
  explicit Matcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fbl::redalert
