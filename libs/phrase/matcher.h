#pragma once
// Phrase rules on Chinese and English free text: the matching engine behind
// the red-alert rules (libs/redalert) and the classification taxonomy.
//
//   fbl::phrase::PhraseSet set;  // rules with terms, patterns, cues
//   auto matcher = fbl::phrase::Matcher::Create(set);   // once per version
//   fbl::phrase::Result r = (*matcher)->Match(text);      // any thread
//   for (const auto& e : r.evidences) { set.rules[e.rule] ... }
//
// Matching runs on folded text (NFKC + case fold, traditional -> simplified,
// spaces/punctuation/symbols removed for Chinese; whole words for English),
// so "刹 车 失 灵", "刹-车-失-灵", "煞車失靈", "ｆｉｒｅ" all meet "刹车失灵"
// / "fire".
//
// - Terms are simplified Chinese or English. Terms that are not pure ASCII
//   (and pure digit terms, which never match inside a longer number) are
//   matched on the compacted text. Pure ASCII terms with a letter are
//   English whole words on the normalised text; a trailing '*' allows a
//   word ending ("scam*" = scam, scams, scammed).
// - Patterns are Hyperscan regular expressions: ASCII ones with a letter see
//   the normalised lower-case text (spaces kept), others the compacted text.
// - A hit is suppressed when a negation cue stands shortly before it in the
//   same clause ("没有发生爆炸", "no fire": multi-character cues within
//   `negation_window` code points, one-character cues within 2, English
//   cues within `negation_window_words` words; a cue inside a
//   `negation_exceptions` phrase does not count), when a harmless phrase in
//   scope covers it ("Fire TV", "很安全"), or when its rule requires context
//   that is not within `context_window` code points.
// Hyperscan does the scanning; its types stay in matcher.cc.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::phrase {

// Negation cues and harmless phrases shared by a group of rules (a red-alert
// category, say).
struct Scope {
  std::vector<std::string> negations;
  std::vector<std::string> harmless;
};

struct Rule {
  std::string id;
  int scope = -1;  // Index into PhraseSet::scopes, or -1.
  std::vector<std::string> terms;
  std::vector<std::string> patterns;
  std::vector<std::string> harmless;         // This rule only.
  std::vector<std::string> negations;        // Extra cues for this rule.
  std::vector<std::string> require_context;  // If set, one must be near the hit.
  bool negatable = true;                     // false: negation cues are not checked.
};

struct PhraseSet {
  std::string origin;  // Names the rules in errors (a file path).
  int negation_window = 6;
  int negation_window_words = 3;
  int context_window = 12;
  std::vector<std::string> negations;            // For every rule.
  std::vector<std::string> negation_exceptions;  // Contain a cue but do not negate ("没想到").
  std::vector<std::string> harmless;             // For every rule.
  std::vector<Scope> scopes;
  std::vector<Rule> rules;
};

struct Evidence {
  int rule = -1;        // Index into PhraseSet::rules.
  std::string term;     // The rule's term or pattern as written.
  std::string matched;  // The matched part of the original text.
  std::string snippet;  // At most 40 code points of the original text around the match.
  size_t offset = 0;    // Byte offset of `matched` in the original text.
  size_t length = 0;    // Byte length of `matched` in the original text.
};

enum class SuppressReason : int {
  kUnspecified = 0,
  kNegated = 1,         // A negation cue precedes the term (detail: the cue).
  kHarmless = 2,        // A harmless phrase covers the term (detail: the phrase).
  kMissingContext = 3,  // The rule's require_context phrases are all absent.
  kScanFailed = 4,      // Hyperscan failed (out of memory); rule is -1.
};
// "negated", "harmless", "missing_context", "scan_failed"
std::string_view SuppressReasonName(SuppressReason r);

struct Suppressed {
  int rule = -1;
  std::string term;
  std::string matched;
  size_t offset = 0;
  SuppressReason reason = SuppressReason::kUnspecified;
  std::string detail;
};

struct Result {
  std::vector<Evidence> evidences;     // Text order; a span inside a longer one of the same rule is dropped.
  std::vector<Suppressed> suppressed;  // Text order; for rule authors (dry runs).
};

// What Match computes besides the evidence spans: a caller that needs less
// saves the work.
struct MatchOptions {
  bool snippets = true;    // Evidence::snippet (else empty).
  bool suppressed = true;  // Result::suppressed (else only scan failures).
};

class Matcher {
 public:
  // Compiles the rules. INVALID_ARGUMENT naming the origin and rule id for a
  // pattern that does not compile or a term that folds to nothing; INTERNAL
  // if ICU data or Hyperscan is unusable.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Matcher>> Create(const PhraseSet& set);

  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Thread-safe. Never fails: a scan error yields a kScanFailed entry.
  Result Match(std::string_view text) const { return Match(text, MatchOptions{}); }
  Result Match(std::string_view text, const MatchOptions& options) const;

  struct Impl;

 private:
  explicit Matcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fbl::phrase
