#pragma once
// The classification taxonomy (CLS-1, CLS-2, CLS-6) as configuration:
// deploy/taxonomy/taxonomy.yaml (its header explains the file).
//
//   version, negation_window, negation_window_words, negations,
//   negation_exceptions, harmless
//   intents:   {suggestion, inquiry, praise, complaint}: {terms, patterns}  (L1 cues)
//   modules:   [{code, name}]                                             (L2)
//   problems:  [{code: <module>.<name>, name, problem_type, domains,       (L3)
//                urgent, systemic, terms, patterns, harmless, negations,
//                require_context, negatable}]
//   departments: {default, by_problem_type, by_module, by_product_model: [{prefix, department}]}
//
// Terms and patterns are matched by libs/phrase (folded text, negation,
// harmless phrases). Loading validates everything and compiles the
// matcher, so a taxonomy that loads is ready to serve.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/phrase/matcher.h"
#include "libs/runtime/config.h"

namespace fbl::classification {

// L1 (CLS-1). Codes "complaint", "suggestion", "inquiry", "praise".
enum class Intent { kUnspecified = 0, kComplaint, kSuggestion, kInquiry, kPraise };
std::string_view IntentCode(Intent i);
std::string_view IntentName(Intent i);  // 投诉, 建议, 咨询, 表扬

// CLS-2 problem types, by their file names: product_defect, function_defect,
// malfunction, appearance_flaw, service_speed, service_attitude, logistics,
// after_sales_process, price_dispute, suggestion, other.
const std::vector<std::string>& ProblemTypeNames();
// Business domains a problem is written for: ecommerce, food_delivery, hotel, car, general.
const std::vector<std::string>& DomainNames();

// ---------------------------------------------------------------------------
// File model, as bound from YAML.
// ---------------------------------------------------------------------------
struct CueSpec {
  std::vector<std::string> terms;
  std::vector<std::string> patterns;
};

struct IntentsSpec {
  CueSpec suggestion, inquiry, praise, complaint;
};

struct ModuleSpec {
  std::string code;
  std::string name;
};

struct ProblemSpec {
  std::string code;
  std::string name;
  std::string problem_type;
  std::vector<std::string> domains;
  bool urgent = false;
  bool systemic = false;
  std::vector<std::string> terms;
  std::vector<std::string> patterns;
  std::vector<std::string> harmless;
  std::vector<std::string> negations;
  std::vector<std::string> require_context;
  bool negatable = true;
};

struct ProductModelRoute {
  std::string prefix;
  std::string department;
};

struct DepartmentsSpec {
  std::string default_department = "customer_service";
  std::map<std::string, std::string> by_problem_type;
  std::map<std::string, std::string> by_module;
  std::vector<ProductModelRoute> by_product_model;
};

struct TaxonomySpec {
  std::string version;
  int negation_window = 6;
  int negation_window_words = 3;
  std::vector<std::string> negations;
  std::vector<std::string> negation_exceptions;
  std::vector<std::string> harmless;
  IntentsSpec intents;
  std::vector<ModuleSpec> modules;
  std::vector<ProblemSpec> problems;
  DepartmentsSpec departments;
};

void BindConfig(config::Binder& b, CueSpec& c);
void BindConfig(config::Binder& b, IntentsSpec& c);
void BindConfig(config::Binder& b, ModuleSpec& c);
void BindConfig(config::Binder& b, ProblemSpec& c);
void BindConfig(config::Binder& b, ProductModelRoute& c);
void BindConfig(config::Binder& b, DepartmentsSpec& c);
// Also validates across the file: unique codes, every problem under a known
// module ("<module>.<name>"), known problem types and domains, department
// keys that name a problem type / module. Errors name the key.
void BindConfig(config::Binder& b, TaxonomySpec& c);

// ---------------------------------------------------------------------------
// Loaded taxonomy, ready to match.
// ---------------------------------------------------------------------------
struct Module {
  std::string code;
  std::string name;
};

struct Problem {
  std::string code;
  std::string name;
  int module = -1;  // Index into Taxonomy::modules.
  std::string problem_type;
  bool urgent = false;
  bool systemic = false;
};

class Taxonomy {
 public:
  // INVALID_ARGUMENT naming the origin and key (or rule) on any problem.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Taxonomy>> Parse(const std::string& yaml,
                                                                            const std::string& origin);
  // NOT_FOUND if the file cannot be read. No FBL__ environment overrides.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Taxonomy>> Load(const std::string& path);

  const std::string& version() const { return version_; }
  const std::string& origin() const { return origin_; }
  const std::vector<Module>& modules() const { return modules_; }
  const std::vector<Problem>& problems() const { return problems_; }
  const phrase::Matcher& matcher() const { return *matcher_; }
  // Index of the L3 problem `code`, or -1.
  int ProblemIndex(std::string_view code) const;

  // What a phrase rule of the matcher stands for: an L1 cue or an L3 problem.
  struct RuleMeaning {
    Intent intent = Intent::kUnspecified;  // Set for an L1 cue rule.
    int problem = -1;                      // Set for a problem rule.
  };
  const RuleMeaning& Meaning(int rule) const { return meanings_[rule]; }

  // CLS-6: product model prefix, then the problem's module, then the problem
  // type (the problem's, or `problem_type` without a problem), then the default.
  const std::string& Department(std::string_view product_model, int problem, const std::string& problem_type) const;

 private:
  Taxonomy() = default;
  std::string version_;
  std::string origin_;
  std::vector<Module> modules_;
  std::vector<Problem> problems_;
  DepartmentsSpec departments_;
  std::vector<RuleMeaning> meanings_;
  std::map<std::string, int, std::less<>> problem_index_;
  std::shared_ptr<const phrase::Matcher> matcher_;
};

}  // namespace fbl::classification
