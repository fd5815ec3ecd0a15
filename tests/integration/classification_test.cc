// The classification service's processor against the real Kafka and Redis,
// with the shipped taxonomy and sentiment model and real reviews.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/kafka/producer.h"
#include "libs/redis/redis_client.h"
#include "libs/text/normalize.h"
#include "services/classification/classification_service.h"
#include "services/classification/tag_training.h"
#include "tests/integration/test_env.h"

namespace fbl::classification {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;
using fbl::testing::WaitFor;
using ::testing::HasSubstr;

class ClassificationIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The service reads a taxonomy file it may see change: a private copy.
    taxonomy_path_ = std::filesystem::temp_directory_path() / (UniqueName("taxonomy") + ".yaml");
    std::filesystem::copy_file(FBL_TAXONOMY_FILE, taxonomy_path_);
    config_.accepted_topic = CreateTopic("t.accepted", 3);
    config_.classified_topic = CreateTopic("t.classified", 3);
    config_.corrections_topic = CreateTopic("t.corrections", 1);
    config_.producer.brokers = config_.consumer.brokers = KafkaBrokers();
    config_.consumer.group_id = UniqueName("classification");
    config_.consumer.topics = {config_.accepted_topic};
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));
    auto redis = redis::Client::Create(config_.redis);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    auto producer = kafka::Producer::Create(config_.producer);
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
    auto taxonomy = CreateTaxonomyReloader(taxonomy_path_.string());
    ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
    taxonomy_ = std::move(*taxonomy);
    auto model = sentiment::SentimentModel::Load(FBL_SENTIMENT_MODEL);
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(*model);
    classifiers_ = std::make_unique<ClassifierSource>(*taxonomy_, model_.get(), config_.policy, "sentiment-zh.ftz");
    prefix_ = UniqueName("fbl:test:classification") + ":";
    impact_ = std::make_unique<ImpactStore>(*redis_, prefix_, config_.policy.impact.window);
    metrics_ = std::make_unique<ClassificationMetrics>(registry_);
    store_ = std::make_unique<ClassificationStore>(*redis_, prefix_, config_.store);
    processor_ =
        std::make_unique<ClassificationProcessor>(config_, *classifiers_, *impact_, *store_, *producer_, *metrics_);
  }

  void TearDown() override { std::filesystem::remove(taxonomy_path_); }

  fpb::FeedbackRecord Record(const std::string& id, const std::string& text, const std::string& customer) {
    static const auto normalizer = text::Normalizer::Create();
    fpb::FeedbackRecord r;
    r.set_feedback_id(id);
    r.set_text(text);
    r.set_normalized_text(normalizer->Normalize(text));
    r.set_customer_pseudonym(customer);
    r.mutable_received_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    return r;
  }

  static kafka::Message Message(const fpb::FeedbackRecord& r) {
    kafka::Message m;
    m.key = r.customer_pseudonym();
    m.value = r.SerializeAsString();
    return m;
  }

  // Reads the classified topic from the start until `done(all read so far)`
  // or 60 s; checks each record's key.
  std::vector<pb::ClassifiedFeedback> ReadClassified(
      const std::function<bool(const std::vector<pb::ClassifiedFeedback>&)>& done) {
    kafka::ConsumerConfig c;
    c.brokers = KafkaBrokers();
    c.group_id = UniqueName("reader");
    c.topics = {config_.classified_topic};
    auto consumer = kafka::Consumer::Create(c);
    EXPECT_TRUE(consumer.ok());
    std::vector<pb::ClassifiedFeedback> out;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (!done(out) && absl::Now() < deadline) {
      auto batch = (*consumer)->Poll(500, absl::Milliseconds(200));
      EXPECT_TRUE(batch.ok());
      for (const auto& m : *batch) {
        pb::ClassifiedFeedback& cf = out.emplace_back();
        EXPECT_TRUE(cf.ParseFromString(m.value));
        EXPECT_EQ(m.key, cf.feedback().customer_pseudonym());
      }
    }
    (*consumer)->Close();
    return out;
  }

  // The latest copy of each feedback, once at least `at_least` feedbacks are read.
  std::map<std::string, pb::ClassifiedFeedback> Classified(size_t at_least) {
    std::map<std::string, pb::ClassifiedFeedback> out;
    ReadClassified([&](const std::vector<pb::ClassifiedFeedback>& all) {
      out.clear();
      for (const auto& cf : all) out[cf.feedback().feedback_id()] = cf;
      return out.size() >= at_least;
    });
    return out;
  }

  // Every copy of one feedback, once at least `want` are read.
  std::vector<pb::ClassifiedFeedback> CopiesOf(const std::string& feedback_id, size_t want) {
    std::vector<pb::ClassifiedFeedback> out;
    ReadClassified([&](const std::vector<pb::ClassifiedFeedback>& all) {
      out.clear();
      for (const auto& cf : all) {
        if (cf.feedback().feedback_id() == feedback_id) out.push_back(cf);
      }
      return out.size() >= want;
    });
    return out;
  }

  std::filesystem::path taxonomy_path_;
  ClassificationConfig config_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<TaxonomyReloader> taxonomy_;
  std::unique_ptr<sentiment::SentimentModel> model_;
  std::unique_ptr<ClassifierSource> classifiers_;
  std::string prefix_;
  std::unique_ptr<ImpactStore> impact_;
  std::unique_ptr<ClassificationStore> store_;
  prometheus::Registry registry_;
  std::unique_ptr<ClassificationMetrics> metrics_;
  std::unique_ptr<ClassificationProcessor> processor_;
};

TEST_F(ClassificationIntegrationTest, RealReviewsFlowThroughFullyClassified) {
  // 200 negative food-delivery and 100 negative hotel reviews, as intake publishes them.
  auto waimai = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/waimai_10k.csv"));
  auto hotel = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/ChnSentiCorp_htl_all.csv"));
  ASSERT_TRUE(waimai.ok() && hotel.ok());
  std::vector<fpb::FeedbackRecord> records;
  const std::string run = UniqueName("fb");
  auto take = [&](const dataset::CsvTable& t, size_t n) {
    for (size_t i = 0; i < t.rows.size() && n > 0; i += 7) {
      if (t.rows[i].fields[0] != "0" || t.rows[i].fields[1].empty()) continue;
      records.push_back(Record(absl::StrCat(run, "-", records.size()), t.rows[i].fields[1],
                               absl::StrCat("c", records.size())));
      --n;
    }
  };
  take(*waimai, 200);
  take(*hotel, 100);
  ASSERT_EQ(records.size(), 300u);
  for (const auto& r : records) {
    ASSERT_TRUE(producer_->ProduceSync({config_.accepted_topic, r.customer_pseudonym(), r.SerializeAsString(), {}}).ok());
  }

  auto consumer = kafka::Consumer::Create(config_.consumer);
  ASSERT_TRUE(consumer.ok());
  std::atomic<bool> stop{false};
  std::atomic<size_t> handled{0};
  std::thread loop([&] {
    absl::Status s = kafka::RunConsumerLoop(
        **consumer,
        [&](const std::vector<kafka::Message>& batch) {
          absl::Status r = processor_->ProcessBatch(batch);
          if (r.ok()) handled += batch.size();
          return r;
        },
        [&] { return stop.load(); }, {});
    EXPECT_TRUE(s.ok()) << s;
  });
  ASSERT_TRUE(WaitFor([&] { return handled.load() >= records.size(); }, std::chrono::seconds(60)));
  stop = true;
  loop.join();
  (*consumer)->Close();

  const auto out = Classified(records.size());
  ASSERT_EQ(out.size(), records.size());
  size_t with_l3 = 0, negative = 0;
  std::map<std::string, size_t> departments;
  for (const auto& [id, c] : out) {
    SCOPED_TRACE(c.feedback().text());
    std::set<std::string> l2;
    bool l1 = false, l3 = false;
    for (const pb::Tag& t : c.tags()) {
      EXPECT_FALSE(t.code().empty());
      EXPECT_FALSE(t.name().empty());
      EXPECT_NE(t.source(), pb::TAG_SOURCE_UNSPECIFIED);
      EXPECT_GT(t.confidence(), 0);
      l1 |= t.level() == pb::TAG_LEVEL_L1;
      if (t.level() == pb::TAG_LEVEL_L2) l2.insert(t.code());
      if (t.level() == pb::TAG_LEVEL_L3) {
        l3 = true;
        EXPECT_TRUE(l2.contains(t.parent_code())) << t.code();
        EXPECT_FALSE(t.evidence().empty());
      }
    }
    EXPECT_TRUE(l1);
    with_l3 += l3;
    EXPECT_NE(c.problem_type(), pb::PROBLEM_TYPE_UNSPECIFIED);
    EXPECT_NE(c.impact_scope(), pb::IMPACT_SCOPE_UNSPECIFIED);
    EXPECT_NE(c.urgency(), pb::URGENCY_UNSPECIFIED);
    EXPECT_NE(c.priority(), ::feedbackloop::common::v1::PRIORITY_UNSPECIFIED);
    EXPECT_GT(c.response_within().seconds(), 0);
    EXPECT_GE(c.resolution_within().seconds(), c.response_within().seconds());
    EXPECT_FALSE(c.department().empty());
    EXPECT_NE(c.sentiment().polarity(), pb::POLARITY_UNSPECIFIED);
    EXPECT_EQ(c.sentiment().model_version(), "sentiment-zh.ftz");
    EXPECT_EQ(c.taxonomy_version(), taxonomy_->Current()->version());
    EXPECT_TRUE(c.has_classified_at());
    negative += c.sentiment().polarity() == pb::POLARITY_NEGATIVE;
    ++departments[c.department()];
  }
  std::printf("300 real negative reviews: %zu with an L3 problem, %zu negative sentiment, %zu departments\n", with_l3,
              negative, departments.size());
  EXPECT_GE(with_l3, 200u);   // taxonomy coverage of negative reviews is ~70-85 %
  EXPECT_GE(negative, 255u);  // the model's holdout accuracy is ~0.9
  EXPECT_GE(departments.size(), 3u);
}

TEST_F(ClassificationIntegrationTest, ThreeCustomersWithOneProblemMakeItCommonAndRedeliveryCountsNobodyTwice) {
  const std::string run = UniqueName("fb");
  // Real waimai complaint texts about slow delivery, from three customers.
  const std::string texts[] = {"等了接近两个小时，太慢了", "送货超慢，已经都凉透了，饼硬的不行。",
                               "送餐实在太慢了，整2个小时，辣菜也不注明，失望"};
  auto classify = [&](const fpb::FeedbackRecord& r) {
    EXPECT_TRUE(processor_->ProcessBatch({Message(r)}).ok());
  };
  const auto first = Record(run + "-1", texts[0], "c1");
  classify(first);
  classify(first);  // redelivered
  classify(Record(run + "-2", texts[1], "c2"));
  classify(Record(run + "-2b", texts[1], "c2"));  // the same customer again
  classify(Record(run + "-3", texts[2], "c3"));
  const auto out = Classified(4);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.at(run + "-1").distinct_customers(), 1);
  EXPECT_EQ(out.at(run + "-1").impact_scope(), pb::IMPACT_SCOPE_INDIVIDUAL);
  EXPECT_EQ(out.at(run + "-2b").distinct_customers(), 2);
  const pb::ClassifiedFeedback& third = out.at(run + "-3");
  EXPECT_EQ(third.distinct_customers(), 3);
  EXPECT_EQ(third.impact_scope(), pb::IMPACT_SCOPE_COMMON);
  EXPECT_EQ(third.urgency(), pb::URGENCY_IMPORTANT);
  EXPECT_EQ(third.priority(), ::feedbackloop::common::v1::PRIORITY_P2_IMPORTANT);
}

// A feedback redelivered after others joined its problem (a rebalance, a
// Redis or broker restart) is classified exactly as the first time.
TEST_F(ClassificationIntegrationTest, LateRedeliveryGetsTheFirstResultAgain) {
  const std::string run = UniqueName("fb");
  // Real waimai complaint texts about slow delivery, from three customers.
  const std::string texts[] = {"等了接近两个小时，太慢了", "送货超慢，已经都凉透了，饼硬的不行。",
                               "送餐实在太慢了，整2个小时，辣菜也不注明，失望"};
  const auto first = Record(run + "-1", texts[0], "c1");
  ASSERT_TRUE(processor_->ProcessBatch({Message(first)}).ok());
  const pb::ClassifiedFeedback before = Classified(1).at(run + "-1");
  ASSERT_TRUE(processor_->ProcessBatch({Message(Record(run + "-2", texts[1], "c2"))}).ok());
  ASSERT_TRUE(processor_->ProcessBatch({Message(Record(run + "-3", texts[2], "c3"))}).ok());
  // Redelivered twice in one batch, after the problem became common.
  ASSERT_TRUE(processor_->ProcessBatch({Message(first), Message(first)}).ok());
  const std::vector<pb::ClassifiedFeedback> copies = CopiesOf(run + "-1", 3);
  ASSERT_EQ(copies.size(), 3u);
  EXPECT_EQ(before.distinct_customers(), 1);
  for (const pb::ClassifiedFeedback& c : copies) {
    EXPECT_EQ(c.distinct_customers(), before.distinct_customers());
    EXPECT_EQ(c.impact_scope(), before.impact_scope());
    EXPECT_EQ(c.urgency(), before.urgency());
    EXPECT_EQ(c.priority(), before.priority());
  }
  // The others still see the grown count.
  EXPECT_EQ(Classified(3).at(run + "-3").distinct_customers(), 3);
}

TEST_F(ClassificationIntegrationTest, BadTaxonomyFileIsRefusedLiveAndTheOldOneKeepsServing) {
  const std::string version = taxonomy_->Current()->version();
  std::string text;
  {
    std::ifstream in(taxonomy_path_);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A typo'd key: refused with the key named.
  std::string bad = text;
  bad.replace(bad.find("problem_type:"), 13, "problem_typ:");
  std::ofstream(taxonomy_path_, std::ios::trunc) << bad;
  auto polled = taxonomy_->Poll();
  ASSERT_FALSE(polled.ok());
  EXPECT_THAT(polled.status().message(), HasSubstr("problem_typ"));
  EXPECT_THAT(polled.status().message(), HasSubstr("still serving version '" + version + "'"));
  EXPECT_EQ(classifiers_->Get()->taxonomy().version(), version);
  ASSERT_TRUE(processor_->ProcessBatch({Message(Record(UniqueName("fb"), "送餐太慢了", "c1"))}).ok());

  // A good new version (one more term) is swapped in and used at once.
  std::string good = text;
  good.replace(good.find("version: \"" + version + "\""), version.size() + 11, "version: \"test-v2\"");
  const std::string anchor = "problems:\n";
  good.insert(good.find(anchor) + anchor.size(),
              "  - {code: logistics.drone_lost, name: 无人机丢件, problem_type: logistics, terms: [无人机把餐弄丢]}\n");
  std::ofstream(taxonomy_path_, std::ios::trunc) << good;
  auto swapped = taxonomy_->Poll();
  ASSERT_TRUE(swapped.ok()) << swapped.status();
  EXPECT_TRUE(*swapped);
  auto classifier = classifiers_->Get();
  EXPECT_EQ(classifier->taxonomy().version(), "test-v2");
  const Analysis a = classifier->Analyze({"无人机把餐弄丢了", "无人机把餐弄丢了", "", false});  // hand-written: no drone in the data
  ASSERT_FALSE(a.problems.empty());
  EXPECT_EQ(classifier->taxonomy().problems()[a.problems.front().problem].code, "logistics.drone_lost");
}

TEST_F(ClassificationIntegrationTest, CorrectionsAreValidatedKeptPublishedPagedAndExported) {
  ClassificationGrpcService api(*classifiers_, *store_, *producer_, config_.corrections_topic, absl::Seconds(10));
  const std::string run = UniqueName("fb");
  // Three real reviews, classified first (a correction needs the text).
  const std::string texts[] = {"送餐实在太慢了，整2个小时，辣菜也不注明，失望", "口感一般,卷饼有些硬",
                               "房间太小，隔音很差，晚上很吵"};
  std::vector<kafka::Message> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(Message(Record(absl::StrCat(run, "-", i), texts[i], "c1")));
  ASSERT_TRUE(processor_->ProcessBatch(batch).ok());

  auto correct = [&](const std::string& id, std::vector<std::pair<pb::TagLevel, std::string>> tags,
                     pb::CorrectTagsResponse* resp) {
    pb::CorrectTagsRequest req;
    req.set_feedback_id(id);
    req.set_corrected_by("qa.zhou");
    req.set_note("checked by hand");
    for (const auto& [level, code] : tags) {
      pb::Tag* t = req.add_tags();
      t->set_level(level);
      t->set_code(code);
    }
    return api.CorrectTags(nullptr, &req, resp);
  };
  pb::CorrectTagsResponse resp;
  grpc::Status st = correct(run + "-0", {{pb::TAG_LEVEL_L3, "logistics.no_such_problem"}}, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("logistics.no_such_problem"));
  st = correct(run + "-unknown", {{pb::TAG_LEVEL_L1, "complaint"}}, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(correct(run + "-0", {}, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  std::vector<std::string> ids;
  const std::string l3 = taxonomy_->Current()->problems().front().code;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(correct(absl::StrCat(run, "-", i), {{pb::TAG_LEVEL_L1, "complaint"}, {pb::TAG_LEVEL_L3, l3}}, &resp).ok());
    ids.push_back(resp.correction_id());
  }
  // A second correction of the first feedback: the export keeps the latest.
  ASSERT_TRUE(correct(run + "-0", {{pb::TAG_LEVEL_L1, "suggestion"}}, &resp).ok());

  // Published, in order, as the complete corrected set.
  kafka::ConsumerConfig c;
  c.brokers = KafkaBrokers();
  c.group_id = UniqueName("reader");
  c.topics = {config_.corrections_topic};
  auto consumer = kafka::Consumer::Create(c);
  ASSERT_TRUE(consumer.ok());
  std::vector<pb::Correction> published;
  ASSERT_TRUE(WaitFor([&] {
    auto got = (*consumer)->Poll(100, absl::Milliseconds(200));
    for (const auto& m : got.ok() ? *got : std::vector<kafka::Message>{}) {
      pb::Correction corr;
      EXPECT_TRUE(corr.ParseFromString(m.value));
      EXPECT_EQ(m.key, corr.feedback_id());
      published.push_back(corr);
    }
    return published.size() >= 4;
  }));
  (*consumer)->Close();
  EXPECT_EQ(published[0].correction_id(), ids[0]);
  EXPECT_EQ(published[0].corrected_by(), "qa.zhou");
  ASSERT_EQ(published[0].tags_size(), 2);
  EXPECT_EQ(published[0].tags(1).source(), pb::TAG_SOURCE_HUMAN);

  // Paged through ListCorrections (this run's prefix holds only these four).
  pb::ListCorrectionsRequest list;
  list.mutable_page()->set_page_size(3);
  pb::ListCorrectionsResponse page1, page2;
  ASSERT_TRUE(api.ListCorrections(nullptr, &list, &page1).ok());
  ASSERT_EQ(page1.corrections_size(), 3);
  EXPECT_EQ(page1.corrections(0).correction_id(), ids[0]);
  ASSERT_FALSE(page1.next_page_token().empty());
  list.mutable_page()->set_page_token(page1.next_page_token());
  ASSERT_TRUE(api.ListCorrections(nullptr, &list, &page2).ok());
  ASSERT_EQ(page2.corrections_size(), 1);
  EXPECT_TRUE(page2.next_page_token().empty());

  // Exported for training: one line per feedback, the latest correction, with its text.
  std::ostringstream out;
  auto n = ExportCorrections(*store_, out);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3u);
  std::map<std::string, nlohmann::json> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    lines[j["feedback_id"]] = j;
  }
  EXPECT_TRUE(lines.at(run + "-0")["l3"].empty());  // the latest: only an L1 suggestion
  EXPECT_EQ(lines.at(run + "-1")["l3"], nlohmann::json::array({l3}));
  EXPECT_THAT(lines.at(run + "-2")["text"].get<std::string>(), HasSubstr("隔音很差"));
}

TEST_F(ClassificationIntegrationTest, EmergingTopicsFromUnexplainedFeedbackOneReplicaAtATime) {
  // Real car complaint titles about sunroofs, remembered as unexplained, plus
  // unrelated real titles.
  auto cars = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/car_complaints.csv"));
  ASSERT_TRUE(cars.ok());
  const int desc = cars->Column("desc");
  static const auto normalizer = text::Normalizer::Create();
  std::vector<ClassificationStore::Seen> seen;
  int sunroof = 0;
  for (size_t i = 0; i < cars->rows.size() && seen.size() < 300; ++i) {
    const std::string& t = cars->rows[i].fields[desc];
    const bool is_sunroof = t.find("天窗") != std::string::npos;
    if (!is_sunroof && i % 9 != 0) continue;
    sunroof += is_sunroof;
    seen.push_back({absl::StrCat("car-", i), normalizer->Normalize(t), {}, absl::Now() - absl::Minutes(5)});
  }
  ASSERT_GE(sunroof, 10);
  ASSERT_TRUE(store_->Remember(seen).ok());

  TopicsConfig cfg;
  cfg.interval = absl::Seconds(30);
  TopicsJob a(cfg, *store_, "replica-a"), b(cfg, *store_, "replica-b");
  auto found = a.RunOnce(absl::Now());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_GE(*found, 1);
  auto other = b.RunOnce(absl::Now());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, -1);  // the lease is a's

  ClassificationGrpcService api(*classifiers_, *store_, *producer_, config_.corrections_topic, absl::Seconds(10));
  pb::ListEmergingTopicsRequest req;
  pb::ListEmergingTopicsResponse resp;
  ASSERT_TRUE(api.ListEmergingTopics(nullptr, &req, &resp).ok());
  ASSERT_EQ(resp.topics_size(), *found);
  bool sunroof_topic = false;
  for (const pb::EmergingTopic& t : resp.topics()) {
    EXPECT_GE(t.size(), 5);
    EXPECT_FALSE(t.sample_feedback_ids().empty());
    EXPECT_TRUE(t.has_first_seen());
    for (const std::string& term : t.top_terms()) sunroof_topic |= term.find("天窗") != std::string::npos;
  }
  EXPECT_TRUE(sunroof_topic);
}


TEST_F(ClassificationIntegrationTest, ACorrectionThroughTheApiChangesTheNextModelWhichTheServiceSwapsIn) {
  // 3,000 real food-delivery reviews, classified (the service keeps their texts).
  auto waimai = dataset::ReadCsvFile(absl::StrCat(FBL_DATA_DIR, "/waimai_10k.csv"));
  ASSERT_TRUE(waimai.ok());
  const std::string run = UniqueName("fb");
  std::vector<fpb::FeedbackRecord> records;
  std::vector<std::string> texts;
  for (size_t i = 0; i < waimai->rows.size() && records.size() < 3000; i += 3) {
    records.push_back(Record(absl::StrCat(run, "-", i), waimai->rows[i].fields[1], absl::StrCat("c", i)));
    texts.push_back(records.back().normalized_text());
  }
  for (size_t begin = 0; begin < records.size(); begin += 500) {
    std::vector<kafka::Message> batch;
    for (size_t i = begin; i < std::min(records.size(), begin + 500); ++i) batch.push_back(Message(records[i]));
    ASSERT_TRUE(processor_->ProcessBatch(batch).ok());
  }
  // A review the rules file under one problem A, and others sharing its
  // distinctive word (粥, congee); a reviewer files them all under B.
  auto classifier = classifiers_->Get();
  size_t target = records.size();
  std::string a;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].text().find("粥") == std::string::npos) continue;
    const auto labels = RuleLabels(*classifier, texts[i]);
    if (labels.size() == 1) {
      target = i;
      a = labels.front();
      break;
    }
  }
  ASSERT_LT(target, records.size());
  const std::string b = a == "food_quality.portion" ? "food_quality.taste" : "food_quality.portion";
  ClassificationGrpcService api(*classifiers_, *store_, *producer_, config_.corrections_topic, absl::Seconds(10));
  int corrected = 0;
  for (size_t i = target; i < records.size() && corrected < 6; ++i) {
    if (records[i].text().find("粥") == std::string::npos) continue;
    pb::CorrectTagsRequest req;
    req.set_feedback_id(records[i].feedback_id());
    req.set_corrected_by("qa.zhou");
    pb::Tag* t = req.add_tags();
    t->set_level(pb::TAG_LEVEL_L3);
    t->set_code(b);
    pb::CorrectTagsResponse resp;
    ASSERT_TRUE(api.CorrectTags(nullptr, &req, &resp).ok());
    ++corrected;
  }

  // What classification-train reads: the export, from Redis.
  std::ostringstream exported;
  ASSERT_TRUE(ExportCorrections(*store_, exported).ok());
  std::vector<Correction> corrections;
  std::istringstream lines(exported.str());
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    corrections.push_back({j["feedback_id"], j["text"], j["l3"].get<std::vector<std::string>>()});
  }
  ASSERT_EQ(static_cast<int>(corrections.size()), corrected);

  TrainOptions options;
  options.epoch = 15;
  options.threads = 1;  // reproducible
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / UniqueName("tags");
  std::filesystem::create_directories(dir);
  const std::string live = (dir / "tags.ftz").string(), next = (dir / "next.ftz").string();
  ASSERT_TRUE(TrainTagModel(BuildExamples(*classifier, texts, {}), options, live).ok());
  ASSERT_TRUE(TrainTagModel(BuildExamples(*classifier, texts, corrections), options, next).ok());

  // The service runs the first model; the retrained one replaces the file and is swapped in.
  auto tags = CreateTagModelReloader(live);
  ASSERT_TRUE(tags.ok()) << tags.status();
  ClassifierSource source(*taxonomy_, model_.get(), config_.policy, "sentiment-zh.ftz", tags->get());
  const std::string before_version = source.Get()->tag_model_version();
  auto top = [&](const TagModel& m) {
    auto p = m.Predict(texts[target], 1, 0.0);
    return p.empty() ? std::string() : p.front().first;
  };
  EXPECT_NE(top(*(*tags)->Current()), b);
  std::filesystem::rename(next, live);
  auto swapped = (*tags)->Poll();
  ASSERT_TRUE(swapped.ok() && *swapped) << swapped.status();
  EXPECT_NE(source.Get()->tag_model_version(), before_version);
  EXPECT_EQ(top(*(*tags)->Current()), b) << records[target].text();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fbl::classification
