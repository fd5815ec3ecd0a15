#include "libs/text/vague.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace fbl::text {
namespace {

std::string Fold(std::string_view term) {
  std::string out = Compact(term);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void AppendFolded(const std::vector<std::string>& terms, std::vector<std::string>* out) {
  for (const std::string& term : terms) {
    std::string folded = Fold(term);
    if (!folded.empty()) out->push_back(std::move(folded));
  }
}

}  // namespace

std::string_view VagueReasonName(VagueReason reason) {
  switch (reason) {
    case VagueReason::kTooShort:
      return "too_short";
    case VagueReason::kNoSymptom:
      return "no_symptom";
    case VagueReason::kGenericPhraseOnly:
      return "generic_phrase_only";
  }
  return "unknown";
}

VagueDetector::VagueDetector(VagueConfig config)
    : min_chars_(config.min_chars), symptom_check_max_chars_(config.symptom_check_max_chars) {
  AppendFolded(config.generic_phrases, &removable_);
  AppendFolded(config.filler_terms, &removable_);
  AppendFolded(config.symptom_terms, &symptoms_);
}

std::vector<VagueReason> VagueDetector::Check(std::string_view normalized) const {
  const std::string compact = Compact(normalized);
  const size_t chars = CodePointCount(compact);
  std::vector<VagueReason> reasons;
  if (chars < min_chars_) reasons.push_back(VagueReason::kTooShort);
  if (chars < symptom_check_max_chars_ && !HasSymptom(compact)) {
    reasons.push_back(VagueReason::kNoSymptom);
  }
  if (OnlyGeneric(compact)) reasons.push_back(VagueReason::kGenericPhraseOnly);
  return reasons;
}

bool VagueDetector::HasSymptom(std::string_view compact) const {
  return std::any_of(symptoms_.begin(), symptoms_.end(), [&](const std::string& term) {
    return compact.find(term) != std::string_view::npos;
  });
}

// True if the non-empty `compact` can be split entirely into removable terms
// (word-break DP over byte offsets; terms are whole UTF-8 strings, so matches
// only start and end on code-point boundaries).
bool VagueDetector::OnlyGeneric(std::string_view compact) const {
  if (compact.empty()) return false;
  std::vector<bool> reachable(compact.size() + 1, false);
  reachable[0] = true;
  for (size_t pos = 0; pos < compact.size(); ++pos) {
    if (!reachable[pos]) continue;
    const std::string_view rest = compact.substr(pos);
    for (const std::string& term : removable_) {
      if (rest.starts_with(term)) reachable[pos + term.size()] = true;
    }
  }
  return reachable[compact.size()];
}

std::string VagueHint(const std::vector<VagueReason>& reasons) {
  if (reasons.empty()) return "";
  const bool too_short =
      std::find(reasons.begin(), reasons.end(), VagueReason::kTooShort) != reasons.end();
  std::string hint = too_short ? "内容有点少，" : "";
  hint += "请补充具体场景、现象、设备型号或版本 / ";
  hint += too_short ? "Could you tell us more? " : "";
  hint += "Please describe when it happens, what you see, and the model or version";
  return hint;
}

}  // namespace fbl::text
