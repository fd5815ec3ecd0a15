#include "services/classification/classifier.h"

#include <algorithm>
#include <map>

namespace fbl::classification {
namespace {

// Rule confidence by the number of distinct pieces of evidence.
double RuleConfidence(size_t evidence) { return evidence >= 3 ? 0.95 : evidence == 2 ? 0.9 : 0.8; }

Priority Raise(Priority p) {
  switch (p) {
    case Priority::kP4Routine:
      return Priority::kP3Urgent;
    case Priority::kP3Urgent:
      return Priority::kP2Important;
    case Priority::kP2Important:
    case Priority::kP1UrgentImportant:
      return Priority::kP1UrgentImportant;
    case Priority::kUnspecified:
      break;
  }
  return p;
}

}  // namespace

std::string_view UrgencyName(Urgency u) {
  switch (u) {
    case Urgency::kUrgent:
      return "urgent";
    case Urgency::kImportant:
      return "important";
    case Urgency::kNormal:
      return "normal";
    case Urgency::kUnspecified:
      break;
  }
  return "";
}

std::string_view ImpactScopeName(ImpactScope s) {
  switch (s) {
    case ImpactScope::kIndividual:
      return "individual";
    case ImpactScope::kCommon:
      return "common";
    case ImpactScope::kSystemic:
      return "systemic";
    case ImpactScope::kUnspecified:
      break;
  }
  return "";
}

std::string_view PriorityName(Priority p) {
  switch (p) {
    case Priority::kP1UrgentImportant:
      return "p1_urgent_important";
    case Priority::kP2Important:
      return "p2_important";
    case Priority::kP3Urgent:
      return "p3_urgent";
    case Priority::kP4Routine:
      return "p4_routine";
    case Priority::kUnspecified:
      break;
  }
  return "";
}

std::string_view TagSourceName(TagSource s) {
  switch (s) {
    case TagSource::kRule:
      return "rule";
    case TagSource::kModel:
      return "model";
    case TagSource::kHuman:
      return "human";
    case TagSource::kUnspecified:
      break;
  }
  return "";
}

const Target& Policy::For(Priority p) const {
  switch (p) {
    case Priority::kP1UrgentImportant:
      return p1;
    case Priority::kP2Important:
      return p2;
    case Priority::kP3Urgent:
      return p3;
    case Priority::kP4Routine:
    case Priority::kUnspecified:
      break;
  }
  return p4;
}

void BindConfig(config::Binder& b, Target& c) {
  b.Field("response", c.response);
  b.Field("resolution", c.resolution);
  if (c.response <= absl::ZeroDuration()) b.Fail("response", "must be positive");
  if (c.resolution < c.response) b.Fail("resolution", "must not be shorter than 'response'");
}

void BindConfig(config::Binder& b, ImpactPolicy& c) {
  b.Field("window", c.window);
  b.Field("common_min_customers", c.common_min_customers);
  b.Field("systemic_min_customers", c.systemic_min_customers);
  if (c.window < absl::Hours(1)) b.Fail("window", "must be at least 1h (counts are kept per hour)");
  if (c.window > absl::Hours(24 * 90)) b.Fail("window", "must be at most 90d");
  if (c.common_min_customers < 2) b.Fail("common_min_customers", "must be at least 2");
  if (c.systemic_min_customers <= c.common_min_customers) {
    b.Fail("systemic_min_customers", "must be greater than common_min_customers");
  }
}

void BindConfig(config::Binder& b, Policy& c) {
  b.Field("neutral_band", c.neutral_band);
  b.Field("strong_negative", c.strong_negative);
  b.Field("vip_raises_priority", c.vip_raises_priority);
  b.Field("tag_model_threshold", c.tag_model_threshold);
  b.Field("tag_model_max", c.tag_model_max);
  if (c.tag_model_threshold <= 0 || c.tag_model_threshold > 1) b.Fail("tag_model_threshold", "must be in (0, 1]");
  if (c.tag_model_max < 1) b.Fail("tag_model_max", "must be at least 1");
  b.Field("impact", c.impact);
  b.Field("p1_urgent_important", c.p1);
  b.Field("p2_important", c.p2);
  b.Field("p3_urgent", c.p3);
  b.Field("p4_routine", c.p4);
  if (c.neutral_band < 0 || c.neutral_band >= 1) b.Fail("neutral_band", "must be in [0, 1)");
  if (c.strong_negative <= 0 || c.strong_negative > 1) b.Fail("strong_negative", "must be in (0, 1]");
}

Analysis Classifier::Analyze(const Input& input) const {
  Analysis a;
  a.taxonomy = taxonomy_;
  const Taxonomy& t = *taxonomy_;
  // Evidence spans only: no snippets, no list of suppressed hits.
  const phrase::Result found = t.matcher().Match(input.text, {.snippets = false, .suppressed = false});

  std::map<Intent, std::string> cues;  // First cue of each intent.
  std::map<int, ProblemHit> hits;
  for (const phrase::Evidence& e : found.evidences) {
    const Taxonomy::RuleMeaning& m = t.Meaning(e.rule);
    if (m.problem < 0) {
      cues.emplace(m.intent, e.matched);
      continue;
    }
    ProblemHit& h = hits[m.problem];
    if (h.problem < 0) {
      h.problem = m.problem;
      h.first_offset = e.offset;
    }
    if (std::find(h.evidence.begin(), h.evidence.end(), e.matched) == h.evidence.end()) h.evidence.push_back(e.matched);
  }
  for (auto& [index, h] : hits) {
    h.confidence = RuleConfidence(h.evidence.size());
    a.problems.push_back(std::move(h));
  }
  std::sort(a.problems.begin(), a.problems.end(), [](const ProblemHit& x, const ProblemHit& y) {
    if (x.evidence.size() != y.evidence.size()) return x.evidence.size() > y.evidence.size();
    return x.first_offset < y.first_offset;
  });
  // CLS-8: rules win when they fire; the model speaks where they are silent.
  if (tags_ && a.problems.empty()) {
    for (const auto& [code, p] : tags_->Predict(input.normalized, policy_.tag_model_max, policy_.tag_model_threshold)) {
      const int index = t.ProblemIndex(code);
      if (index < 0) continue;  // a code the current taxonomy no longer has
      ProblemHit h;
      h.problem = index;
      h.source = TagSource::kModel;
      h.confidence = p;
      h.first_offset = input.text.size();
      a.problems.push_back(std::move(h));
    }
  }

  if (model_ != nullptr) a.sentiment = model_->Predict(input.normalized, policy_.neutral_band);
  const sentiment::Sentiment& s = a.sentiment;
  const bool negative = s.polarity == sentiment::Polarity::kNegative;
  const bool positive = s.polarity == sentiment::Polarity::kPositive;
  const bool strongly_negative = s.score <= -policy_.strong_negative;
  const bool complaint_cue = cues.contains(Intent::kComplaint);
  auto by_rule = [&](Intent intent, double confidence, std::string evidence) {
    a.intent = intent;
    a.intent_source = TagSource::kRule;
    a.intent_confidence = confidence;
    a.intent_evidence = std::move(evidence);
  };
  // CLS-1, in this order: an explicit suggestion or question that is not a
  // complaint; a complaint (a problem or a complaint cue, unless the text is
  // clearly happy with a word of praise); praise; otherwise the sentiment.
  if (cues.contains(Intent::kSuggestion) && !complaint_cue && !strongly_negative) {
    by_rule(Intent::kSuggestion, 0.8, cues[Intent::kSuggestion]);
  } else if (cues.contains(Intent::kInquiry) && !complaint_cue && a.problems.empty() && !strongly_negative) {
    by_rule(Intent::kInquiry, 0.8, cues[Intent::kInquiry]);
  } else if ((complaint_cue || !a.problems.empty()) && !(positive && cues.contains(Intent::kPraise))) {
    const ProblemHit* first = a.problems.empty() ? nullptr : &a.problems.front();
    by_rule(Intent::kComplaint, complaint_cue && first != nullptr ? 0.95 : 0.85,
            complaint_cue                              ? cues[Intent::kComplaint]
            : first != nullptr && !first->evidence.empty() ? first->evidence.front()
                                                           : "");
  } else if (cues.contains(Intent::kPraise) && !negative) {
    by_rule(Intent::kPraise, positive ? 0.9 : 0.7, cues[Intent::kPraise]);
  } else {
    a.intent = negative ? Intent::kComplaint : positive ? Intent::kPraise : Intent::kInquiry;
    a.intent_source = model_ != nullptr ? TagSource::kModel : TagSource::kRule;
    a.intent_confidence = model_ != nullptr ? std::max(0.5, s.intensity) : 0.5;
  }

  if (!a.problems.empty()) {
    a.problem_type = t.problems()[a.problems.front().problem].problem_type;
  } else {
    a.problem_type = a.intent == Intent::kSuggestion ? "suggestion" : "other";
  }
  return a;
}

Decision Classifier::Decide(const Analysis& a, const Input& input, const std::vector<int64_t>& distinct) const {
  Decision d;
  const Taxonomy& t = *a.taxonomy;
  bool systemic_problem = false, urgent_problem = false;
  for (size_t i = 0; i < a.problems.size(); ++i) {
    const Problem& p = t.problems()[a.problems[i].problem];
    systemic_problem |= p.systemic;
    urgent_problem |= p.urgent;
    if (i < distinct.size()) d.distinct_customers = std::max(d.distinct_customers, distinct[i]);
  }
  // CLS-3.
  const ImpactPolicy& ip = policy_.impact;
  d.impact = systemic_problem || d.distinct_customers >= ip.systemic_min_customers ? ImpactScope::kSystemic
             : d.distinct_customers >= ip.common_min_customers                     ? ImpactScope::kCommon
                                                                                   : ImpactScope::kIndividual;
  // CLS-4: urgent = outage-like problems or a valuable customer about to be
  // lost; important = frequent (common, systemic) or hurting satisfaction.
  const bool complaint = a.intent == Intent::kComplaint;
  const bool strongly_negative = a.sentiment.score <= -policy_.strong_negative;
  const bool urgent = complaint && (urgent_problem || (input.vip && strongly_negative));
  const bool important = complaint && (d.impact != ImpactScope::kIndividual || strongly_negative || urgent_problem);
  d.urgency = urgent ? Urgency::kUrgent : important ? Urgency::kImportant : Urgency::kNormal;
  // CLS-5: the four quadrants; a question wants a reply (urgent, not important).
  d.priority = urgent && important                       ? Priority::kP1UrgentImportant
               : important                               ? Priority::kP2Important
               : urgent || a.intent == Intent::kInquiry ? Priority::kP3Urgent
                                                         : Priority::kP4Routine;
  if (input.vip && policy_.vip_raises_priority && a.intent != Intent::kPraise) d.priority = Raise(d.priority);
  d.target = policy_.For(d.priority);
  // CLS-6.
  d.department = t.Department(input.product_model, a.problems.empty() ? -1 : a.problems.front().problem,
                              a.problem_type);
  d.needs_action = a.intent != Intent::kPraise;
  return d;
}

}  // namespace fbl::classification
