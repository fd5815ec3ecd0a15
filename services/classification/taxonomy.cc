#include "services/classification/taxonomy.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fbl::classification {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool IsCode(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

}  // namespace

std::string_view IntentCode(Intent i) {
  switch (i) {
    case Intent::kComplaint:
      return "complaint";
    case Intent::kSuggestion:
      return "suggestion";
    case Intent::kInquiry:
      return "inquiry";
    case Intent::kPraise:
      return "praise";
    case Intent::kUnspecified:
      break;
  }
  return "";
}

std::string_view IntentName(Intent i) {
  switch (i) {
    case Intent::kComplaint:
      return "投诉";
    case Intent::kSuggestion:
      return "建议";
    case Intent::kInquiry:
      return "咨询";
    case Intent::kPraise:
      return "表扬";
    case Intent::kUnspecified:
      break;
  }
  return "";
}

const std::vector<std::string>& ProblemTypeNames() {
  static const std::vector<std::string> kNames = {
      "product_defect", "function_defect",     "malfunction",   "appearance_flaw", "service_speed", "service_attitude",
      "logistics",      "after_sales_process", "price_dispute", "suggestion",      "other"};
  return kNames;
}

const std::vector<std::string>& DomainNames() {
  static const std::vector<std::string> kNames = {"ecommerce", "food_delivery", "hotel", "car", "general"};
  return kNames;
}

void BindConfig(config::Binder& b, CueSpec& c) {
  b.Field("terms", c.terms);
  b.Field("patterns", c.patterns);
  config::FailBlankEntries(b, "terms", c.terms);
  config::FailBlankEntries(b, "patterns", c.patterns);
}

void BindConfig(config::Binder& b, IntentsSpec& c) {
  b.Field("suggestion", c.suggestion);
  b.Field("inquiry", c.inquiry);
  b.Field("praise", c.praise);
  b.Field("complaint", c.complaint);
}

void BindConfig(config::Binder& b, ModuleSpec& c) {
  b.Required("code", c.code);
  b.Required("name", c.name);
  if (b.Has("code") && (!IsCode(c.code) || absl::StrContains(c.code, '.'))) {
    b.Fail("code", "must be snake_case ASCII (a-z, 0-9, _)");
  }
}

void BindConfig(config::Binder& b, ProblemSpec& c) {
  b.Required("code", c.code);
  b.Required("name", c.name);
  b.Required("problem_type", c.problem_type);
  b.Field("domains", c.domains);
  b.Field("urgent", c.urgent);
  b.Field("systemic", c.systemic);
  b.Field("terms", c.terms);
  b.Field("patterns", c.patterns);
  b.Field("harmless", c.harmless);
  b.Field("negations", c.negations);
  b.Field("require_context", c.require_context);
  b.Field("negatable", c.negatable);
  if (b.Has("code") && !IsCode(c.code)) b.Fail("code", "must be '<module>.<snake_case>' in ASCII");
  if (b.Has("problem_type") && !Contains(ProblemTypeNames(), c.problem_type)) {
    b.Fail("problem_type", absl::StrCat("unknown problem type '", c.problem_type, "'"));
  }
  for (size_t i = 0; i < c.domains.size(); ++i) {
    if (!Contains(DomainNames(), c.domains[i])) {
      b.Fail(absl::StrCat("domains[", i, "]"),
             absl::StrCat("unknown domain '", c.domains[i], "' (ecommerce, food_delivery, hotel, car, general)"));
    }
  }
  if (c.terms.empty() && c.patterns.empty()) {
    b.Fail("terms", "and 'patterns' are both empty: a problem needs at least one term or pattern");
  }
  config::FailBlankEntries(b, "terms", c.terms);
  config::FailBlankEntries(b, "patterns", c.patterns);
  config::FailBlankEntries(b, "harmless", c.harmless);
  config::FailBlankEntries(b, "negations", c.negations);
  config::FailBlankEntries(b, "require_context", c.require_context);
}

void BindConfig(config::Binder& b, ProductModelRoute& c) {
  b.Required("prefix", c.prefix);
  b.Required("department", c.department);
  if (b.Has("prefix") && c.prefix.empty()) b.Fail("prefix", "must not be empty");
}

void BindConfig(config::Binder& b, DepartmentsSpec& c) {
  b.Field("default", c.default_department);
  b.Field("by_problem_type", c.by_problem_type);
  b.Field("by_module", c.by_module);
  b.Field("by_product_model", c.by_product_model);
  if (c.default_department.empty()) b.Fail("default", "must not be empty");
  for (const auto& [type, dept] : c.by_problem_type) {
    if (!Contains(ProblemTypeNames(), type)) {
      b.Fail(absl::StrCat("by_problem_type.", type), "is not a problem type");
    }
  }
}

void BindConfig(config::Binder& b, TaxonomySpec& c) {
  b.Required("version", c.version);
  b.Field("negation_window", c.negation_window);
  b.Field("negation_window_words", c.negation_window_words);
  b.Field("negations", c.negations);
  b.Field("negation_exceptions", c.negation_exceptions);
  b.Field("harmless", c.harmless);
  b.Field("intents", c.intents);
  b.Required("modules", c.modules);
  b.Required("problems", c.problems);
  b.Field("departments", c.departments);
  if (b.Has("version") && c.version.empty()) b.Fail("version", "must not be empty");
  if (c.negation_window < 0 || c.negation_window > 64) {
    b.Fail("negation_window", "must be between 0 and 64 code points");
  }
  if (c.negation_window_words < 0 || c.negation_window_words > 16) {
    b.Fail("negation_window_words", "must be between 0 and 16 words");
  }
  config::FailBlankEntries(b, "negations", c.negations);
  config::FailBlankEntries(b, "negation_exceptions", c.negation_exceptions);
  config::FailBlankEntries(b, "harmless", c.harmless);

  std::set<std::string> modules;
  for (size_t i = 0; i < c.modules.size(); ++i) {
    if (!modules.insert(c.modules[i].code).second) {
      b.Fail(absl::StrCat("modules[", i, "].code"), absl::StrCat("duplicates module '", c.modules[i].code, "'"));
    }
  }
  std::set<std::string> problems;
  for (size_t i = 0; i < c.problems.size(); ++i) {
    const std::string& code = c.problems[i].code;
    const std::string key = absl::StrCat("problems[", i, "].code");
    if (!problems.insert(code).second) b.Fail(key, absl::StrCat("duplicates problem '", code, "'"));
    const size_t dot = code.find('.');
    if (!code.empty() && (dot == std::string::npos || !modules.contains(code.substr(0, dot)))) {
      b.Fail(key, absl::StrCat("'", code, "' must start with a module code from 'modules' and a dot"));
    }
  }
  if (b.Has("problems") && c.problems.empty()) b.Fail("problems", "is empty");
  for (const auto& [module, dept] : c.departments.by_module) {
    if (!modules.contains(module)) b.Fail(absl::StrCat("departments.by_module.", module), "is not a module");
  }
}

absl::StatusOr<std::shared_ptr<const Taxonomy>> Taxonomy::Parse(const std::string& yaml, const std::string& origin) {
  absl::StatusOr<TaxonomySpec> spec = config::LoadFromString<TaxonomySpec>(yaml, origin);
  if (!spec.ok()) return spec.status();
  std::shared_ptr<Taxonomy> t(new Taxonomy());
  t->version_ = spec->version;
  t->origin_ = origin;
  t->departments_ = std::move(spec->departments);

  phrase::PhraseSet set;
  set.origin = origin;
  set.negation_window = spec->negation_window;
  set.negation_window_words = spec->negation_window_words;
  set.negations = std::move(spec->negations);
  set.negation_exceptions = std::move(spec->negation_exceptions);
  set.harmless = std::move(spec->harmless);

  // L1 cues are rules too: a cue matched under negation ("不推荐") does not count.
  const std::pair<Intent, CueSpec*> intents[] = {{Intent::kSuggestion, &spec->intents.suggestion},
                                                 {Intent::kInquiry, &spec->intents.inquiry},
                                                 {Intent::kPraise, &spec->intents.praise},
                                                 {Intent::kComplaint, &spec->intents.complaint}};
  for (auto& [intent, cues] : intents) {
    if (cues->terms.empty() && cues->patterns.empty()) continue;
    phrase::Rule r;
    r.id = "intent." + std::string(IntentCode(intent));
    r.terms = std::move(cues->terms);
    r.patterns = std::move(cues->patterns);
    set.rules.push_back(std::move(r));
    t->meanings_.push_back({intent, -1});
  }

  std::map<std::string, int> module_index;
  for (ModuleSpec& m : spec->modules) {
    module_index[m.code] = static_cast<int>(t->modules_.size());
    t->modules_.push_back({std::move(m.code), std::move(m.name)});
  }
  for (ProblemSpec& p : spec->problems) {
    const int index = static_cast<int>(t->problems_.size());
    t->problem_index_[p.code] = index;
    t->problems_.push_back(
        {p.code, p.name, module_index.at(p.code.substr(0, p.code.find('.'))), p.problem_type, p.urgent, p.systemic});
    phrase::Rule r;
    r.id = p.code;
    r.terms = std::move(p.terms);
    r.patterns = std::move(p.patterns);
    r.harmless = std::move(p.harmless);
    r.negations = std::move(p.negations);
    r.require_context = std::move(p.require_context);
    r.negatable = p.negatable;
    set.rules.push_back(std::move(r));
    t->meanings_.push_back({Intent::kUnspecified, index});
  }
  auto matcher = phrase::Matcher::Create(set);
  if (!matcher.ok()) return matcher.status();
  t->matcher_ = *std::move(matcher);
  return std::shared_ptr<const Taxonomy>(std::move(t));
}

absl::StatusOr<std::shared_ptr<const Taxonomy>> Taxonomy::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("config ", path, ": cannot read file: ", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

int Taxonomy::ProblemIndex(std::string_view code) const {
  auto it = problem_index_.find(code);
  return it == problem_index_.end() ? -1 : it->second;
}

const std::string& Taxonomy::Department(std::string_view product_model, int problem,
                                       const std::string& problem_type) const {
  if (!product_model.empty()) {
    for (const ProductModelRoute& r : departments_.by_product_model) {
      if (product_model.substr(0, r.prefix.size()) == r.prefix) return r.department;
    }
  }
  const std::string* type = &problem_type;
  if (problem >= 0) {
    const Problem& p = problems_[problem];
    if (auto it = departments_.by_module.find(modules_[p.module].code); it != departments_.by_module.end()) {
      return it->second;
    }
    type = &p.problem_type;
  }
  if (auto it = departments_.by_problem_type.find(*type); it != departments_.by_problem_type.end()) return it->second;
  return departments_.default_department;
}

}  // namespace fbl::classification
