#include "libs/redalert/matcher.h"

#include <string>
#include <utility>
#include <vector>

#include "libs/phrase/matcher.h"

namespace fbl::redalert {

std::string_view SuppressReasonName(SuppressReason r) {
  switch (r) {
    case SuppressReason::kNegated:
      return "negated";
    case SuppressReason::kHarmless:
      return "harmless";
    case SuppressReason::kMissingContext:
      return "missing_context";
    case SuppressReason::kUnspecified:
      break;
  }
  return "";
}

struct Matcher::Impl {
  std::shared_ptr<const phrase::Matcher> engine;
  std::string version;
  size_t rule_count = 0;
  Severity severity[5] = {};
  std::vector<std::string> rule_ids;    // Per engine rule.
  std::vector<Category> rule_category;  // Per engine rule.
};

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;
const std::string& Matcher::version() const { return impl_->version; }
size_t Matcher::rule_count() const { return impl_->rule_count; }
Severity Matcher::SeverityOf(Category c) const { return impl_->severity[static_cast<int>(c)]; }

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Create(const RuleSet& rules) {
  auto impl = std::make_unique<Impl>();
  impl->version = rules.version;
  impl->rule_count = rules.rule_count();
  // One phrase scope per category (its negations and harmless phrases).
  phrase::PhraseSet set;
  set.origin = rules.origin;
  set.negation_window = rules.negation_window;
  set.negation_window_words = rules.negation_window_words;
  set.context_window = rules.context_window;
  set.negations = rules.negations;
  set.negation_exceptions = rules.negation_exceptions;
  set.harmless = rules.harmless;
  for (const CategoryRules& cat : rules.categories) {
    impl->severity[static_cast<int>(cat.category)] = cat.severity;
    const int scope = static_cast<int>(set.scopes.size());
    set.scopes.push_back({cat.negations, cat.harmless});
    for (const Rule& r : cat.rules) {
      set.rules.push_back({r.id, scope, r.terms, r.patterns, r.harmless, r.negations, r.require_context, r.negatable});
      impl->rule_ids.push_back(r.id);
      impl->rule_category.push_back(cat.category);
    }
  }
  auto engine = phrase::Matcher::Create(set);
  if (!engine.ok()) return engine.status();
  impl->engine = *std::move(engine);
  return std::shared_ptr<const Matcher>(new Matcher(std::move(impl)));
}

MatchResult Matcher::Match(std::string_view text) const {
  const Impl& m = *impl_;
  phrase::Result found = m.engine->Match(text);
  MatchResult result;
  for (phrase::Evidence& e : found.evidences) {
    const Category category = m.rule_category[e.rule];
    const Severity sev = m.severity[static_cast<int>(category)];
    if (!result.alert || MoreSevere(sev, result.severity) ||
        (sev == result.severity && static_cast<int>(category) < static_cast<int>(result.category))) {
      result.category = category;
      result.severity = sev;
    }
    result.alert = true;
    result.evidences.push_back(Evidence{m.rule_ids[e.rule], category, std::move(e.term), std::move(e.matched),
                                        std::move(e.snippet), e.offset, e.length});
  }
  for (phrase::Suppressed& s : found.suppressed) {
    Suppressed out;
    if (s.reason == phrase::SuppressReason::kScanFailed) {
      out.rule_id = "internal";
    } else {
      out.rule_id = m.rule_ids[s.rule];
      out.category = m.rule_category[s.rule];
      out.reason = static_cast<SuppressReason>(s.reason);
    }
    out.term = std::move(s.term);
    out.matched = std::move(s.matched);
    out.offset = s.offset;
    out.detail = std::move(s.detail);
    result.suppressed.push_back(std::move(out));
  }
  return result;
}

}  // namespace fbl::redalert
