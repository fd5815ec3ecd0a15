// Taxonomy loading and the classifier's decisions. Texts marked "real" are
// from shared/data; the others are hand-written for a case the data lacks.
#include "services/classification/classifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/text/normalize.h"
#include "services/classification/evaluation.h"

namespace fbl::classification {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTaxonomy[] = R"(
version: "t1"
negations: [没有, 没, 不, no, not]
negation_exceptions: [没想到]
intents:
  suggestion: {terms: [建议, 希望能]}
  inquiry: {terms: [请问]}
  praise: {terms: [好评, 满意]}
  complaint: {terms: [差评, 投诉]}
modules:
  - {code: logistics, name: 物流配送}
  - {code: product_quality, name: 商品质量}
  - {code: after_sales, name: 售后}
problems:
  - code: logistics.slow_delivery
    name: 配送慢
    problem_type: service_speed
    domains: [food_delivery]
    terms: [送餐慢, 太慢了, late delivery]
    patterns: ["等了.{0,3}(一|两|1|2)个?多?小时"]
    harmless: [不算太慢了]
  - code: product_quality.quality_problem
    name: 质量问题
    problem_type: product_defect
    terms: [质量问题, 质量差]
  - code: product_quality.outage
    name: 无法使用
    problem_type: malfunction
    urgent: true
    terms: [无法开机, 完全用不了]
  - code: after_sales.refund_refused
    name: 不予退款
    problem_type: after_sales_process
    systemic: true
    terms: [不给退款, 拒绝退款]
departments:
  default: customer_service
  by_problem_type: {service_speed: operations, product_defect: product, malfunction: tech, suggestion: product}
  by_module: {after_sales: after_sales}
  by_product_model: [{prefix: "KFR-", department: hvac_product}]
)";

std::shared_ptr<const Taxonomy> Load(const std::string& yaml = kTaxonomy) {
  auto t = Taxonomy::Parse(yaml, "test-taxonomy.yaml");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : nullptr;
}

std::vector<std::string> Codes(const Classifier& c, const Analysis& a) {
  std::vector<std::string> out;
  for (const ProblemHit& h : a.problems) out.push_back(c.taxonomy().problems()[h.problem].code);
  return out;
}

TEST(TaxonomyTest, LoadsModulesProblemsAndRules) {
  auto t = Load();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->version(), "t1");
  ASSERT_EQ(t->modules().size(), 3u);
  ASSERT_EQ(t->problems().size(), 4u);
  EXPECT_EQ(t->modules()[t->problems()[0].module].code, "logistics");
  EXPECT_TRUE(t->problems()[2].urgent);
  EXPECT_TRUE(t->problems()[3].systemic);
}

TEST(TaxonomyTest, RefusesBadFilesNamingTheKey) {
  struct Case {
    std::string from, to, expect;
  };
  const Case cases[] = {
      {"code: logistics.slow_delivery", "code: shipping.slow", "problems[0].code"},
      {"problem_type: service_speed", "problem_type: speed", "unknown problem type 'speed'"},
      {"domains: [food_delivery]", "domains: [takeaway]", "unknown domain 'takeaway'"},
      {"code: product_quality.outage", "code: product_quality.quality_problem", "duplicates problem"},
      {"terms: [不给退款, 拒绝退款]", "term: [不给退款]", "unknown key 'problems[3].term'"},
      {"by_module: {after_sales: after_sales}", "by_module: {aftersales: after_sales}", "is not a module"},
      {R"(patterns: ["等了.{0,3}(一|两|1|2)个?多?小时"])", R"(patterns: ["等了(一"])", "does not compile"},
      {"version: \"t1\"", "", "key 'version' is required"},
  };
  for (const Case& c : cases) {
    std::string yaml = kTaxonomy;
    yaml.replace(yaml.find(c.from), c.from.size(), c.to);
    auto t = Taxonomy::Parse(yaml, "bad.yaml");
    ASSERT_FALSE(t.ok()) << c.to;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(), HasSubstr("bad.yaml")) << c.to;
    EXPECT_THAT(t.status().message(), HasSubstr(c.expect)) << c.to;
  }
  EXPECT_EQ(Taxonomy::Load("/nonexistent/taxonomy.yaml").status().code(), absl::StatusCode::kNotFound);
}

TEST(ClassifierTest, TraditionalSpacingAndWidthTricksStillMatch) {
  Classifier c(Load(), nullptr, {});
  EXPECT_THAT(Codes(c, c.Analyze({"送 餐-慢！！", "", "", false})), ElementsAre("logistics.slow_delivery"));
  EXPECT_THAT(Codes(c, c.Analyze({"質量問題太多", "", "", false})), ElementsAre("product_quality.quality_problem"));
  EXPECT_THAT(Codes(c, c.Analyze({"ＬＡＴＥ Delivery again", "", "", false})), ElementsAre("logistics.slow_delivery"));
  EXPECT_THAT(Codes(c, c.Analyze({"等了快两个小时", "", "", false})), ElementsAre("logistics.slow_delivery"));
}

TEST(ClassifierTest, NegatedAndHarmlessUsesDoNotFire) {
  Classifier c(Load(), nullptr, {});
  EXPECT_TRUE(c.Analyze({"东西收到了，没有质量问题", "", "", false}).problems.empty());
  EXPECT_TRUE(c.Analyze({"配送不算太慢了", "", "", false}).problems.empty());
  EXPECT_TRUE(c.Analyze({"no late delivery this time", "", "", false}).problems.empty());
  // A negation exception does not negate: "没想到质量差".
  EXPECT_THAT(Codes(c, c.Analyze({"没想到质量差成这样", "", "", false})), ElementsAre("product_quality.quality_problem"));
}

TEST(ClassifierTest, PrimaryProblemHasTheMostEvidence) {
  Classifier c(Load(), nullptr, {});
  const Analysis a = c.Analyze({"质量差，太慢了，还有质量问题", "", "", false});
  ASSERT_THAT(Codes(c, a), ElementsAre("product_quality.quality_problem", "logistics.slow_delivery"));
  EXPECT_EQ(a.problem_type, "product_defect");
  EXPECT_DOUBLE_EQ(a.problems[0].confidence, 0.9);
  EXPECT_THAT(a.problems[0].evidence, ElementsAre("质量差", "质量问题"));
  EXPECT_DOUBLE_EQ(a.problems[1].confidence, 0.8);
}

TEST(ClassifierTest, IntentFromCuesAndProblems) {
  Classifier c(Load(), nullptr, {});
  EXPECT_EQ(c.Analyze({"建议增加夜间配送", "", "", false}).intent, Intent::kSuggestion);
  EXPECT_EQ(c.Analyze({"请问几点开始营业", "", "", false}).intent, Intent::kInquiry);
  EXPECT_EQ(c.Analyze({"好评，很满意", "", "", false}).intent, Intent::kPraise);
  const Analysis complaint = c.Analyze({"送餐慢，差评", "", "", false});
  EXPECT_EQ(complaint.intent, Intent::kComplaint);
  EXPECT_EQ(complaint.intent_source, TagSource::kRule);
  EXPECT_DOUBLE_EQ(complaint.intent_confidence, 0.95);
  // A question about a problem is a complaint (the problem needs handling).
  EXPECT_EQ(c.Analyze({"请问为什么送餐慢", "", "", false}).intent, Intent::kComplaint);
  // "不满意" is not praise.
  EXPECT_NE(c.Analyze({"不满意", "", "", false}).intent, Intent::kPraise);
}

TEST(ClassifierTest, FourQuadrantPriorityAndTargets) {
  Policy p;
  Classifier c(Load(), nullptr, p);
  auto decide = [&](const std::string& text, bool vip, std::vector<int64_t> distinct) {
    const Input in{text, "", "", vip};
    return c.Decide(c.Analyze(in), in, distinct);
  };
  // One customer, no strong feeling: routine.
  Decision d = decide("送餐慢", false, {1});
  EXPECT_EQ(d.impact, ImpactScope::kIndividual);
  EXPECT_EQ(d.urgency, Urgency::kNormal);
  EXPECT_EQ(d.priority, Priority::kP4Routine);
  EXPECT_EQ(d.target.response, p.p4.response);
  EXPECT_TRUE(d.needs_action);
  // Three customers with the same problem: common, important, planned within 3 working days.
  d = decide("送餐慢", false, {3});
  EXPECT_EQ(d.impact, ImpactScope::kCommon);
  EXPECT_EQ(d.distinct_customers, 3);
  EXPECT_EQ(d.urgency, Urgency::kImportant);
  EXPECT_EQ(d.priority, Priority::kP2Important);
  EXPECT_EQ(d.target.response, absl::Hours(72));
  // An outage reported by many: urgent and important, start within 24 h.
  d = decide("完全用不了", false, {5});
  EXPECT_EQ(d.urgency, Urgency::kUrgent);
  EXPECT_EQ(d.priority, Priority::kP1UrgentImportant);
  EXPECT_EQ(d.target.response, absl::Hours(24));
  // An outage for one customer: urgent (and important by its nature).
  EXPECT_EQ(decide("无法开机", false, {1}).priority, Priority::kP1UrgentImportant);
  // A rule-level problem is systemic whatever the count.
  d = decide("商家拒绝退款", false, {1});
  EXPECT_EQ(d.impact, ImpactScope::kSystemic);
  EXPECT_EQ(d.urgency, Urgency::kImportant);
  EXPECT_EQ(decide("送餐慢", false, {50}).impact, ImpactScope::kSystemic);  // systemic_min_customers
  // A question: respond within 48 h. A VIP's routine complaint is raised one step.
  EXPECT_EQ(decide("请问几点开始营业", false, {}).priority, Priority::kP3Urgent);
  EXPECT_EQ(decide("送餐慢", true, {1}).priority, Priority::kP3Urgent);
  // Praise needs no action.
  d = decide("好评，很满意", true, {});
  EXPECT_EQ(d.priority, Priority::kP4Routine);
  EXPECT_FALSE(d.needs_action);
}

TEST(ClassifierTest, DepartmentFromProductModelModuleAndProblemType) {
  Classifier c(Load(), nullptr, {});
  auto department = [&](const std::string& text, const std::string& model) {
    const Input in{text, "", model, false};
    return c.Decide(c.Analyze(in), in, {}).department;
  };
  EXPECT_EQ(department("送餐慢", ""), "operations");               // problem type
  EXPECT_EQ(department("质量问题", ""), "product");                // problem type
  EXPECT_EQ(department("无法开机", ""), "tech");                   // problem type
  EXPECT_EQ(department("拒绝退款", ""), "after_sales");            // module wins over type
  EXPECT_EQ(department("无法开机", "KFR-35GW"), "hvac_product");   // product model wins over all
  EXPECT_EQ(department("建议增加夜间配送", ""), "product");         // suggestion without a problem
  EXPECT_EQ(department("好评", ""), "customer_service");           // default
}

TEST(ClassifierTest, PolicyConfigIsValidated) {
  auto ok = config::LoadFromString<Policy>("p1_urgent_important: {response: 12h, resolution: 48h}\n", "p.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->p1.response, absl::Hours(12));
  auto bad = config::LoadFromString<Policy>("p2_important: {response: 72h, resolution: 24h}\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("p2_important.resolution"));
  bad = config::LoadFromString<Policy>("impact: {common_min_customers: 5, systemic_min_customers: 4}\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("systemic_min_customers"));
}

// The shipped taxonomy and model on the held-out half of the labelled real
// texts (figures printed by classification-eval; floors a little below them).
TEST(ShippedTaxonomyTest, HoldoutQuality) {
  auto t = Taxonomy::Load(FBL_TAXONOMY_FILE);
  ASSERT_TRUE(t.ok()) << t.status();
  auto model = sentiment::SentimentModel::Load(FBL_SENTIMENT_MODEL);
  ASSERT_TRUE(model.ok()) << model.status();
  auto rows = LoadLabelled(FBL_TAXONOMY_LABELLED, **t);
  ASSERT_TRUE(rows.ok()) << rows.status();
  Classifier c(*t, model->get(), {});
  const TaxonomyReport r = Evaluate(c, *rows, "holdout");
  EXPECT_GT(r.rows, 250u);
  EXPECT_GE(r.l1_accuracy(), 0.85);
  EXPECT_GE(r.l3.Precision(), 0.70);
  EXPECT_GE(r.l3.Recall(), 0.70);
}

}  // namespace
}  // namespace fbl::classification

namespace fbl::classification {
namespace {

// The shipped tag model adds L3 tags (source model) only where no rule fired.
TEST(ShippedTaxonomyTest, TagModelSpeaksOnlyWhereRulesAreSilent) {
  auto t = Taxonomy::Load(FBL_TAXONOMY_FILE);
  auto tags = TagModel::Load(FBL_TAG_MODEL);
  ASSERT_TRUE(t.ok() && tags.ok()) << tags.status();
  Classifier rules_only(*t, nullptr, {});
  Classifier with_model(*t, nullptr, {}, *tags);
  EXPECT_FALSE(with_model.tag_model_version().empty());
  auto rows = LoadLabelled(FBL_TAXONOMY_LABELLED, **t);
  ASSERT_TRUE(rows.ok());
  auto normalizer = text::Normalizer::Create();
  int model_tagged = 0;
  for (const LabelledRow& r : *rows) {
    const std::string n = normalizer->Normalize(r.text);
    const Analysis base = rules_only.Analyze({r.text, n, "", false});
    const Analysis a = with_model.Analyze({r.text, n, "", false});
    if (!base.problems.empty()) {
      ASSERT_EQ(a.problems.size(), base.problems.size()) << r.id;  // rules win
      for (const ProblemHit& h : a.problems) EXPECT_EQ(h.source, TagSource::kRule);
      continue;
    }
    for (const ProblemHit& h : a.problems) {
      EXPECT_EQ(h.source, TagSource::kModel);
      EXPECT_GE(h.confidence, with_model.policy().tag_model_threshold);
      EXPECT_TRUE(h.evidence.empty());
      ++model_tagged;
    }
  }
  std::printf("tag model: %d L3 tags on %zu labelled texts where no rule fired\n", model_tagged, rows->size());
  EXPECT_GT(model_tagged, 0);
}

}  // namespace
}  // namespace fbl::classification
