#include "libs/redalert/rules.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fbl::redalert {

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kSafety:
      return "safety";
    case Category::kInjuryHealth:
      return "injury_health";
    case Category::kFraud:
      return "fraud";
    case Category::kPublicEscalation:
      return "public_escalation";
    case Category::kUnspecified:
      break;
  }
  return "";
}

Category CategoryFromName(std::string_view name) {
  for (Category c : kAllCategories) {
    if (CategoryName(c) == name) return c;
  }
  return Category::kUnspecified;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kSev1:
      return "sev1";
    case Severity::kSev2:
      return "sev2";
    case Severity::kSev3:
      return "sev3";
    case Severity::kUnspecified:
      break;
  }
  return "";
}

Severity SeverityFromName(std::string_view name) {
  if (name == "sev1") return Severity::kSev1;
  if (name == "sev2") return Severity::kSev2;
  if (name == "sev3") return Severity::kSev3;
  return Severity::kUnspecified;
}

bool MoreSevere(Severity a, Severity b) {
  if (a == Severity::kUnspecified) return false;
  if (b == Severity::kUnspecified) return true;
  return static_cast<int>(a) < static_cast<int>(b);
}

size_t RuleSet::rule_count() const {
  size_t n = 0;
  for (const auto& c : categories) n += c.rules.size();
  return n;
}


void BindConfig(config::Binder& b, RuleSpec& r) {
  b.Required("id", r.id);
  b.Field("terms", r.terms);
  b.Field("patterns", r.patterns);
  b.Field("harmless", r.harmless);
  b.Field("negations", r.negations);
  b.Field("require_context", r.require_context);
  b.Field("negatable", r.negatable);
  if (b.Has("id") && r.id.empty()) b.Fail("id", "must not be empty");
  if (r.terms.empty() && r.patterns.empty()) {
    b.Fail("terms", "and 'patterns' are both empty: a rule needs at least one term or pattern");
  }
  config::FailBlankEntries(b, "terms", r.terms);
  config::FailBlankEntries(b, "patterns", r.patterns);
  config::FailBlankEntries(b, "harmless", r.harmless);
  config::FailBlankEntries(b, "negations", r.negations);
  config::FailBlankEntries(b, "require_context", r.require_context);
}

void BindConfig(config::Binder& b, CategorySpec& c) {
  c.present = true;
  b.Required("severity", c.severity);
  b.Field("negations", c.negations);
  b.Field("harmless", c.harmless);
  b.Field("rules", c.rules);
  if (b.Has("severity") && SeverityFromName(c.severity) == Severity::kUnspecified) {
    b.Fail("severity", absl::StrCat("must be sev1, sev2 or sev3, got '", c.severity, "'"));
  }
  if (c.rules.empty()) b.Fail("rules", "is empty: a category needs at least one rule");
  config::FailBlankEntries(b, "negations", c.negations);
  config::FailBlankEntries(b, "harmless", c.harmless);
}

void BindConfig(config::Binder& b, CategoriesSpec& c) {
  b.Field("safety", c.safety);
  b.Field("injury_health", c.injury_health);
  b.Field("fraud", c.fraud);
  b.Field("public_escalation", c.public_escalation);
}

void BindConfig(config::Binder& b, RuleSetSpec& s) {
  b.Required("version", s.version);
  b.Field("negation_window", s.negation_window);
  b.Field("negation_window_words", s.negation_window_words);
  b.Field("context_window", s.context_window);
  b.Field("negations", s.negations);
  b.Field("negation_exceptions", s.negation_exceptions);
  b.Field("harmless", s.harmless);
  b.Required("categories", s.categories);

  if (b.Has("version") && s.version.empty()) b.Fail("version", "must not be empty");
  if (s.negation_window < 0 || s.negation_window > 64) {
    b.Fail("negation_window", "must be between 0 and 64 code points");
  }
  if (s.negation_window_words < 0 || s.negation_window_words > 16) {
    b.Fail("negation_window_words", "must be between 0 and 16 words");
  }
  if (s.context_window < 1 || s.context_window > 200) {
    b.Fail("context_window", "must be between 1 and 200 code points");
  }
  config::FailBlankEntries(b, "negations", s.negations);
  config::FailBlankEntries(b, "negation_exceptions", s.negation_exceptions);
  config::FailBlankEntries(b, "harmless", s.harmless);

  const std::pair<const char*, const CategorySpec*> cats[] = {
      {"safety", &s.categories.safety},
      {"injury_health", &s.categories.injury_health},
      {"fraud", &s.categories.fraud},
      {"public_escalation", &s.categories.public_escalation},
  };
  bool any = false;
  std::map<std::string, std::string> seen;  // rule id -> key path of first use
  for (const auto& [name, cat] : cats) {
    if (!cat->present) continue;
    any = true;
    for (size_t i = 0; i < cat->rules.size(); ++i) {
      const std::string& id = cat->rules[i].id;
      if (id.empty()) continue;
      const std::string key = absl::StrCat("categories.", name, ".rules[", i, "].id");
      auto [it, inserted] = seen.emplace(id, key);
      if (!inserted) b.Fail(key, absl::StrCat("duplicates rule id '", id, "' of ", it->second));
    }
  }
  if (b.Has("categories") && !any) {
    b.Fail("categories", "is empty: define at least one of safety, injury_health, fraud, public_escalation");
  }
}

namespace {

RuleSet FromSpec(RuleSetSpec spec, const std::string& origin) {
  RuleSet set;
  set.version = std::move(spec.version);
  set.origin = origin;
  set.negation_window = spec.negation_window;
  set.negation_window_words = spec.negation_window_words;
  set.context_window = spec.context_window;
  set.negations = std::move(spec.negations);
  set.negation_exceptions = std::move(spec.negation_exceptions);
  set.harmless = std::move(spec.harmless);
  const std::pair<Category, CategorySpec*> cats[] = {
      {Category::kSafety, &spec.categories.safety},
      {Category::kInjuryHealth, &spec.categories.injury_health},
      {Category::kFraud, &spec.categories.fraud},
      {Category::kPublicEscalation, &spec.categories.public_escalation},
  };
  for (auto& [category, cat] : cats) {
    if (!cat->present) continue;
    CategoryRules out;
    out.category = category;
    out.severity = SeverityFromName(cat->severity);
    out.negations = std::move(cat->negations);
    out.harmless = std::move(cat->harmless);
    for (RuleSpec& r : cat->rules) {
      Rule rule;
      rule.id = std::move(r.id);
      rule.category = category;
      rule.terms = std::move(r.terms);
      rule.patterns = std::move(r.patterns);
      rule.harmless = std::move(r.harmless);
      rule.negations = std::move(r.negations);
      rule.require_context = std::move(r.require_context);
      rule.negatable = r.negatable;
      out.rules.push_back(std::move(rule));
    }
    set.categories.push_back(std::move(out));
  }
  return set;
}

}  // namespace

absl::StatusOr<RuleSet> ParseRuleSet(const std::string& yaml, const std::string& origin) {
  absl::StatusOr<RuleSetSpec> spec = config::LoadFromString<RuleSetSpec>(yaml, origin);
  if (!spec.ok()) return spec.status();
  return FromSpec(*std::move(spec), origin);
}

absl::StatusOr<RuleSet> LoadRuleSet(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("config ", path, ": cannot read file: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseRuleSet(text.str(), path);
}

}  // namespace fbl::redalert
