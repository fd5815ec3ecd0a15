#pragma once
// Red-alert rule model (ALR-1) and its YAML binding.
//
// A rules file (deploy/rules/red_alert.yaml) looks like:
//
//   version: "2026-11-22.1"
//   negation_window: 6          # code points before a Chinese term (same clause)
//   negation_window_words: 3    # words before an English term (same clause)
//   context_window: 12          # code points/chars either side for require_context
//   negations: [没有, 没, 无, no, not, never]
//   negation_exceptions: [没想到, 不仅]
//   harmless: [注意安全]
//   categories:
//     safety:
//       severity: sev1
//       negations: []            # extra, for this category only
//       harmless: [fire tv, 火锅]
//       rules:
//         - id: safety.fire
//           terms: [起火, 着火, caught fire]
//           patterns: ["冒(黑|白)?烟"]
//           harmless: []         # extra, for this rule only
//           require_context: []  # if set, one of these must be near the term
//
// Terms are written in simplified Chinese or English. Chinese terms (and
// every term or phrase that is not pure ASCII) are matched on the folded,
// compacted text (NFKC + case fold, traditional -> simplified, whitespace,
// punctuation and symbols removed), so "煞 車 失 靈" meets "煞车失灵". Pure
// ASCII terms with a letter are English: matched as whole words on the
// normalised text ("fire" matches "caught fire", not "fireplace"); a trailing
// '*' allows a word ending ("scam*" = scam, scams, scammed). Pure digit terms
// ("12315") are matched on the compacted text but never inside a longer
// number or model name. Patterns are Hyperscan regular expressions over the
// compacted text (so they see no spaces or punctuation).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/runtime/config.h"

namespace fbl::redalert {

// Order matters: ties between equally severe categories go to the lower one.
enum class Category : int {
  kUnspecified = 0,
  kSafety = 1,
  kInjuryHealth = 2,
  kFraud = 3,
  kPublicEscalation = 4,
};
inline constexpr Category kAllCategories[] = {Category::kSafety, Category::kInjuryHealth,
                                              Category::kFraud, Category::kPublicEscalation};

// sev1 is the most severe.
enum class Severity : int {
  kUnspecified = 0,
  kSev1 = 1,
  kSev2 = 2,
  kSev3 = 3,
};

// "safety", "injury_health", "fraud", "public_escalation"; "" for unspecified.
std::string_view CategoryName(Category c);
// kUnspecified if `name` is not one of the names above.
Category CategoryFromName(std::string_view name);
// "sev1".."sev3"; "" for unspecified.
std::string_view SeverityName(Severity s);
Severity SeverityFromName(std::string_view name);
// True if `a` is strictly more severe than `b` (kUnspecified is least).
bool MoreSevere(Severity a, Severity b);

// ---------------------------------------------------------------------------
// File model, as bound from YAML (strings, unvalidated).
// ---------------------------------------------------------------------------
struct RuleSpec {
  std::string id;
  std::vector<std::string> terms;
  std::vector<std::string> patterns;
  std::vector<std::string> harmless;
  std::vector<std::string> negations;
  std::vector<std::string> require_context;
  // false: negation cues are not checked for this rule (e.g. "曝光" needs
  // none; "没有经过同意扣款" IS the crisis).
  bool negatable = true;
};

struct CategorySpec {
  std::string severity;
  std::vector<std::string> negations;
  std::vector<std::string> harmless;
  std::vector<RuleSpec> rules;
  bool present = false;  // Set by BindConfig when the category is in the file.
};

struct CategoriesSpec {
  CategorySpec safety;
  CategorySpec injury_health;
  CategorySpec fraud;
  CategorySpec public_escalation;
};

struct RuleSetSpec {
  std::string version;
  int negation_window = 6;
  int negation_window_words = 3;
  int context_window = 12;
  std::vector<std::string> negations;
  std::vector<std::string> negation_exceptions;
  std::vector<std::string> harmless;
  CategoriesSpec categories;
};

void BindConfig(config::Binder& b, RuleSpec& r);
void BindConfig(config::Binder& b, CategorySpec& c);
void BindConfig(config::Binder& b, CategoriesSpec& c);
// Also validates: version present, windows in range, severities, non-empty
// categories and rules, duplicate rule ids, empty terms. Errors name the key.
void BindConfig(config::Binder& b, RuleSetSpec& s);

// ---------------------------------------------------------------------------
// Validated rule set, input to Matcher::Create.
// ---------------------------------------------------------------------------
struct Rule {
  std::string id;
  Category category = Category::kUnspecified;
  std::vector<std::string> terms;
  std::vector<std::string> patterns;
  std::vector<std::string> harmless;
  std::vector<std::string> negations;
  std::vector<std::string> require_context;
  bool negatable = true;
};

struct CategoryRules {
  Category category = Category::kUnspecified;
  Severity severity = Severity::kUnspecified;
  std::vector<std::string> negations;
  std::vector<std::string> harmless;
  std::vector<Rule> rules;
};

struct RuleSet {
  std::string version;
  std::string origin;  // File path or the origin given to ParseRuleSet.
  int negation_window = 6;
  int negation_window_words = 3;
  int context_window = 12;
  std::vector<std::string> negations;
  std::vector<std::string> negation_exceptions;
  std::vector<std::string> harmless;
  std::vector<CategoryRules> categories;  // Only the categories in the file, in enum order.

  size_t rule_count() const;
};

// Parses and validates YAML text; `origin` names it in errors.
// INVALID_ARGUMENT with "config <origin>: key '...' ..." on any problem.
[[nodiscard]] absl::StatusOr<RuleSet> ParseRuleSet(const std::string& yaml, const std::string& origin);

// Reads and parses a rules file. Unlike config::Load, process environment
// overrides (FBL__...) are NOT applied: they belong to the service config.
[[nodiscard]] absl::StatusOr<RuleSet> LoadRuleSet(const std::string& path);

}  // namespace fbl::redalert
