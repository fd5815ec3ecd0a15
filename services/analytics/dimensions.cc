#include "services/analytics/dimensions.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/v1/common.pb.h"

namespace fbl::analytics {

namespace cpb = ::feedbackloop::classification::v1;
namespace ppb = ::feedbackloop::common::v1;

std::string_view DimensionKey(pb::Dimension d) {
  switch (d) {
    case pb::DIMENSION_CHANNEL: return "channel";
    case pb::DIMENSION_TAG_L1: return "l1";
    case pb::DIMENSION_TAG_L2: return "l2";
    case pb::DIMENSION_TAG_L3: return "l3";
    case pb::DIMENSION_PROBLEM_TYPE: return "ptype";
    case pb::DIMENSION_DEPARTMENT: return "dept";
    case pb::DIMENSION_PRODUCT_MODEL: return "model";
    case pb::DIMENSION_BATCH: return "batch";
    case pb::DIMENSION_CUSTOMER_TYPE: return "ctype";
    default: return "";
  }
}

const std::vector<pb::Dimension>& AllDimensions() {
  static const auto* all = new std::vector<pb::Dimension>{
      pb::DIMENSION_CHANNEL,    pb::DIMENSION_TAG_L1,        pb::DIMENSION_TAG_L2,
      pb::DIMENSION_TAG_L3,     pb::DIMENSION_PROBLEM_TYPE,  pb::DIMENSION_DEPARTMENT,
      pb::DIMENSION_PRODUCT_MODEL, pb::DIMENSION_BATCH,      pb::DIMENSION_CUSTOMER_TYPE};
  return *all;
}

std::vector<std::string> ValuesOf(const pb::FeedbackFact& f, pb::Dimension d) {
  auto one = [](const std::string& v) { return v.empty() ? std::vector<std::string>{} : std::vector<std::string>{v}; };
  switch (d) {
    case pb::DIMENSION_CHANNEL: return one(f.channel());
    case pb::DIMENSION_TAG_L1: return {f.l1().begin(), f.l1().end()};
    case pb::DIMENSION_TAG_L2: return {f.l2().begin(), f.l2().end()};
    case pb::DIMENSION_TAG_L3: return {f.l3().begin(), f.l3().end()};
    case pb::DIMENSION_PROBLEM_TYPE: return one(f.problem_type());
    case pb::DIMENSION_DEPARTMENT: return one(f.department());
    case pb::DIMENSION_PRODUCT_MODEL: return one(f.product_model());
    case pb::DIMENSION_BATCH: return one(f.batch());
    case pb::DIMENSION_CUSTOMER_TYPE: return one(f.customer_type());
    default: return {};
  }
}

bool Matches(const pb::FeedbackFact& f, const std::vector<pb::Filter>& filters) {
  for (const pb::Dimension d : AllDimensions()) {
    bool constrained = false, hit = false;
    std::vector<std::string> values;
    for (const pb::Filter& flt : filters) {
      if (flt.dimension() != d) continue;
      if (!constrained) values = ValuesOf(f, d);
      constrained = true;
      hit = hit || std::find(values.begin(), values.end(), flt.value()) != values.end();
    }
    if (constrained && !hit) return false;
  }
  return true;
}

pb::FeedbackFact ToFact(const cpb::ClassifiedFeedback& c, std::vector<std::string> terms) {
  const auto& r = c.feedback();
  pb::FeedbackFact f;
  f.set_feedback_id(r.feedback_id());
  int64_t at = r.received_at().seconds();
  if (r.has_submitted_at() && r.submitted_at().seconds() > 0 && r.submitted_at().seconds() <= at) {
    at = r.submitted_at().seconds();
  }
  f.set_at_seconds(at);
  f.set_channel(ppb::Channel_Name(r.channel()));
  f.set_customer(r.customer_pseudonym());
  f.set_customer_type(ppb::CustomerType_Name(r.customer_type()));
  absl::flat_hash_set<std::string> seen;
  for (const cpb::Tag& t : c.tags()) {
    if (t.code().empty() || !seen.insert(t.code()).second) continue;
    switch (t.level()) {
      case cpb::TAG_LEVEL_L1: f.add_l1(t.code()); break;
      case cpb::TAG_LEVEL_L2: f.add_l2(t.code()); break;
      case cpb::TAG_LEVEL_L3: f.add_l3(t.code()); break;
      default: break;
    }
  }
  f.set_problem_type(cpb::ProblemType_Name(c.problem_type()));
  f.set_department(c.department());
  f.set_product_model(r.product().model());
  f.set_batch(r.product().batch());
  for (std::string& t : terms) f.add_terms(std::move(t));
  return f;
}

std::vector<std::string> DistinctFields(const pb::FeedbackFact& f) {
  std::vector<std::string> out{"total"};
  for (const pb::Dimension d : AllDimensions()) {
    for (const std::string& v : ValuesOf(f, d)) out.push_back(Field(d, v));
  }
  return out;
}

std::vector<std::string> CounterFields(const pb::FeedbackFact& f) {
  std::vector<std::string> out = DistinctFields(f);
  for (const auto* level : {&f.l1(), &f.l2(), &f.l3()}) {
    for (const std::string& code : *level) out.push_back("x=" + f.channel() + "|" + code);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> TagNames(const cpb::ClassifiedFeedback& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const cpb::Tag& t : c.tags()) {
    if (!t.code().empty() && !t.name().empty()) out.emplace_back(t.code(), t.name());
  }
  return out;
}

}  // namespace fbl::analytics
