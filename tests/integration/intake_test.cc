// Intake against the real Kafka and Redis: the processor and consumer loop
// exactly as the service wires them, on unique topics per test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <google/protobuf/util/json_util.h>
#include <prometheus/registry.h>

#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/consumer_loop.h"
#include "libs/privacy/keyring.h"
#include "libs/redis/redis_client.h"
#include "services/intake/intake_service.h"
#include "tests/integration/real_reviews.h"
#include "tests/integration/test_env.h"

namespace fbl::intake {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::RealReviews;
using fbl::testing::UniqueName;

namespace common = ::feedbackloop::common::v1;

double CounterValue(prometheus::Registry& registry, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : metric.label) got[l.name] = l.value;
      bool match = true;
      for (const auto& [k, v] : labels) match &= got[k] == v;
      if (match) return metric.counter.value;
    }
  }
  return -1;
}

class IntakeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.topics.raw = CreateTopic("t.raw", 3);
    config_.topics.accepted = CreateTopic("t.accepted", 3);
    config_.topics.rejected = CreateTopic("t.rejected", 1);
    config_.producer.brokers = KafkaBrokers();
    config_.consumer.brokers = KafkaBrokers();
    config_.consumer.group_id = UniqueName("intake");
    config_.consumer.topics = {config_.topics.raw};
    config_.consumer.session_timeout = absl::Seconds(6);
    config_.submit_timeout = absl::Seconds(10);
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));

    auto ring = privacy::Keyring::Parse(privacy::Keyring::GenerateLine("pseudonym", "p1", true) + "\n" +
                                            privacy::Keyring::GenerateLine("contact", "c1", true),
                                        "test");
    ASSERT_TRUE(ring.ok());
    ring_ = *ring;
    auto redis = redis::Client::Create(config_.redis);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    auto producer = kafka::Producer::Create(config_.producer);
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
    dedup_ = std::make_unique<DedupStore>(*redis_, config_.dedup);
    builder_ = std::make_unique<RecordBuilder>(*text::Normalizer::Create(), text::VagueDetector(),
                                               *privacy::Pseudonymizer::Create(ring_),
                                               *privacy::Sealer::Create(ring_));
    metrics_ = std::make_unique<IntakeMetrics>(registry_);
    processor_ = std::make_unique<IntakeProcessor>(config_, *builder_, *dedup_, *producer_, *metrics_);
    source_ = UniqueName("src");  // dedup bindings are per source: unique per test
  }

  pb::FeedbackSubmission Submission(const std::string& external_id, const std::string& text,
                                    const std::string& customer = "") {
    pb::FeedbackSubmission s;
    s.set_external_id(external_id);
    s.set_source(source_);
    s.set_channel(common::CHANNEL_ECOMMERCE_REVIEW);
    s.set_customer_id(customer);
    s.set_text(text);
    return s;
  }

  // Runs the consumer loop until `n` raw records have been processed.
  void ProcessRaw(size_t n) {
    auto consumer = kafka::Consumer::Create(config_.consumer);
    ASSERT_TRUE(consumer.ok());
    size_t processed = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    kafka::ConsumerLoopOptions options;
    absl::Status s = kafka::RunConsumerLoop(
        **consumer,
        [&](const std::vector<kafka::Message>& batch) {
          absl::Status st = processor_->ProcessBatch(batch);
          if (st.ok()) processed += batch.size();
          return st;
        },
        [&] { return processed >= n || absl::Now() > deadline; }, options);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(processed, n);
  }

  template <typename M>
  std::vector<std::pair<kafka::Message, M>> ReadAll(const std::string& topic, size_t n) {
    kafka::ConsumerConfig c;
    c.brokers = KafkaBrokers();
    c.group_id = UniqueName("reader");
    c.topics = {topic};
    auto consumer = kafka::Consumer::Create(c);
    EXPECT_TRUE(consumer.ok());
    std::vector<std::pair<kafka::Message, M>> out;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (out.size() < n && absl::Now() < deadline) {
      auto batch = (*consumer)->Poll(1000, absl::Milliseconds(200));
      EXPECT_TRUE(batch.ok());
      for (auto& m : *batch) {
        M msg;
        EXPECT_TRUE(msg.ParseFromString(m.value));
        out.emplace_back(std::move(m), std::move(msg));
      }
    }
    // Nothing beyond n arrives in a further second.
    auto extra = (*consumer)->Poll(1000, absl::Seconds(1));
    EXPECT_TRUE(extra.ok() && extra->empty()) << "more records than expected on " << topic;
    return out;
  }

  IntakeConfig config_;
  privacy::Keyring ring_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<DedupStore> dedup_;
  std::unique_ptr<RecordBuilder> builder_;
  prometheus::Registry registry_;
  std::unique_ptr<IntakeMetrics> metrics_;
  std::unique_ptr<IntakeProcessor> processor_;
  std::string source_;
};

TEST_F(IntakeIntegrationTest, ReplayingTenThousandRealReviewsTwiceAcceptsEachOnce) {
  constexpr size_t kCount = 10000;
  const std::vector<std::string> reviews = RealReviews(kCount);
  ASSERT_EQ(reviews.size(), kCount);
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < kCount; ++i) {
      // Every other record as canonical JSON, the rest as protobuf binary.
      pb::FeedbackSubmission s = Submission("shop-" + std::to_string(i), reviews[i], "cust-" + std::to_string(i));
      kafka::OutgoingMessage m{config_.topics.raw, s.external_id(), s.SerializeAsString(), {}};
      if (i % 2 == 1) {
        std::string json;
        ASSERT_TRUE(google::protobuf::util::MessageToJsonString(s, &json).ok());
        m.value = json;
        m.headers = {{"content-type", "application/json"}};
      }
      ASSERT_TRUE(producer_->Produce(std::move(m), nullptr).ok());
    }
  }
  ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());
  ProcessRaw(2 * kCount);

  auto accepted = ReadAll<pb::FeedbackRecord>(config_.topics.accepted, kCount);
  ASSERT_EQ(accepted.size(), kCount);
  std::set<std::string> ids, externals;
  for (const auto& [m, r] : accepted) {
    ids.insert(r.feedback_id());
    externals.insert(r.external_id());
    EXPECT_EQ(m.key, r.customer_pseudonym());
    EXPECT_FALSE(r.normalized_text().empty());
  }
  EXPECT_EQ(ids.size(), kCount);
  EXPECT_EQ(externals.size(), kCount);
  EXPECT_EQ(CounterValue(registry_, "intake_records_total", {{"entry_point", "kafka"}, {"outcome", "accepted"}}), kCount);
  EXPECT_EQ(CounterValue(registry_, "intake_records_total", {{"entry_point", "kafka"}, {"outcome", "replay"}}), kCount);
  EXPECT_EQ(CounterValue(registry_, "intake_records_total", {{"entry_point", "kafka"}, {"outcome", "rejected"}}), 0);
  EXPECT_EQ(CounterValue(registry_, "intake_received_total", {{"entry_point", "kafka"}}), 2 * kCount);
}

TEST_F(IntakeIntegrationTest, MalformedInputsLandInTheRejectedTopicWithTheirReason) {
  pb::FeedbackSubmission ok = Submission("x", "房间很干净，服务也好");  // real hotel review shape
  pb::FeedbackSubmission no_text = Submission("bad-missing", "   ");
  pb::FeedbackSubmission bad_enum = Submission("bad-enum", "外卖送错了");
  bad_enum.set_customer_type(static_cast<common::CustomerType>(42));
  const std::map<std::string, std::pair<std::string, std::string>> bad = {
      // key -> (payload, content-type)
      {"bad-garbage", {"\x08\xff\xff\xff\xff\xff\xff", ""}},
      {"bad-json", {"{\"externalId\": \"bad-json\", ", "application/json"}},
      {"bad-utf8", {"{\"text\":\"\xed\xa0\x80\"}", "application/json"}},
      {"bad-type", {"{\"externalId\":\"bad-type\",\"source\":\"s\",\"channel\":\"CHANNEL_EMAIL\",\"text\":[1]}", "application/json"}},
      {"bad-missing", {no_text.SerializeAsString(), ""}},
      {"bad-enum", {bad_enum.SerializeAsString(), ""}},
      {"bad-ctype", {ok.SerializeAsString(), "text/csv"}},
      {"bad-big", {std::string(512 << 10, 'a'), ""}},  // over the 256 KiB limit set below
  };
  const std::map<std::string, pb::RejectReason> expected = {
      {"bad-garbage", pb::REJECT_REASON_MALFORMED_PAYLOAD},
      {"bad-json", pb::REJECT_REASON_MALFORMED_PAYLOAD},
      {"bad-utf8", pb::REJECT_REASON_INVALID_UTF8},
      {"bad-type", pb::REJECT_REASON_INVALID_FIELD_VALUE},
      {"bad-missing", pb::REJECT_REASON_MISSING_REQUIRED_FIELD},
      {"bad-enum", pb::REJECT_REASON_UNKNOWN_ENUM_VALUE},
      {"bad-ctype", pb::REJECT_REASON_UNSUPPORTED_CONTENT_TYPE},
      {"bad-big", pb::REJECT_REASON_OVERSIZE},
  };
  config_.limits.max_message_bytes = 256 << 10;  // the processor holds config_ by reference
  auto producer = kafka::Producer::Create(config_.producer);
  ASSERT_TRUE(producer.ok());
  for (const auto& [key, payload] : bad) {
    kafka::OutgoingMessage m{config_.topics.raw, key, payload.first, {}};
    if (!payload.second.empty()) m.headers = {{"content-type", payload.second}};
    auto d = (*producer)->ProduceSync(std::move(m));
    ASSERT_TRUE(d.ok()) << key << ": " << d.status();
  }
  ProcessRaw(bad.size());
  auto rejected = ReadAll<pb::RejectedFeedback>(config_.topics.rejected, bad.size());
  ASSERT_EQ(rejected.size(), bad.size());
  auto sealer = privacy::Sealer::Create(ring_);
  for (const auto& [m, r] : rejected) {
    SCOPED_TRACE(m.key);
    EXPECT_EQ(r.reason(), expected.at(m.key)) << r.detail();
    EXPECT_FALSE(r.detail().empty());
    EXPECT_EQ(r.entry_point(), pb::ENTRY_POINT_KAFKA);
    EXPECT_EQ(r.source_topic(), config_.topics.raw);
    // The original is kept, encrypted, and opens to the exact bytes.
    auto original = sealer->Open({r.original().key_id(), r.original().algorithm(), r.original().nonce(),
                                  r.original().ciphertext()},
                                 r.rejection_id());
    ASSERT_TRUE(original.ok()) << original.status();
    EXPECT_EQ(*original, bad.at(m.key).first);
    EXPECT_EQ(r.original_size_bytes(), static_cast<int64_t>(original->size()));
  }
  EXPECT_EQ(CounterValue(registry_, "intake_records_total", {{"entry_point", "kafka"}, {"outcome", "rejected"}}),
            bad.size());
}

TEST_F(IntakeIntegrationTest, NearDuplicatesFromOneCustomerAreLinkedOthersAreNot) {
  // Real review (waimai_10k.csv) and a hand-made rewording by the same customer.
  const std::string first = "送餐快,态度也特别好,辛苦啦,就是菜有点咸了";
  const std::string again = "送餐快，态度特别好，辛苦啦！就是菜有点咸";
  auto a = processor_->Submit({Submission("nd-1", first, "alice")});
  auto b = processor_->Submit({Submission("nd-2", again, "alice")});
  auto c = processor_->Submit({Submission("nd-3", again, "bob")});
  auto d = processor_->Submit({Submission("nd-4", "快递员把包裹扔在门口，东西摔坏了", "alice")});
  ASSERT_TRUE(a[0].result.ok() && b[0].result.ok() && c[0].result.ok() && d[0].result.ok());
  EXPECT_EQ(a[0].result->outcome, api::OUTCOME_ACCEPTED);
  EXPECT_EQ(b[0].result->outcome, api::OUTCOME_NEAR_DUPLICATE);
  EXPECT_EQ(b[0].result->duplicate_of, a[0].result->feedback_id);
  EXPECT_EQ(c[0].result->outcome, api::OUTCOME_ACCEPTED);  // another customer
  EXPECT_EQ(d[0].result->outcome, api::OUTCOME_ACCEPTED);  // another problem
  auto stored = processor_->Get(b[0].result->feedback_id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->duplicate_of(), a[0].result->feedback_id);
}

TEST_F(IntakeIntegrationTest, NearDuplicateFoundBehindALongHistoryAndOldFormEntriesIgnored) {
  // 150 real reviews from one customer, then a hand-made rewording of the first.
  const std::vector<std::string> reviews = RealReviews(150, 30);
  ASSERT_EQ(reviews.size(), 150u);
  std::vector<pb::FeedbackSubmission> history;
  for (size_t i = 0; i < reviews.size(); ++i) {
    history.push_back(Submission("long-" + std::to_string(i), reviews[i], "carol"));
  }
  auto first = processor_->Submit(history);
  ASSERT_EQ(first.size(), reviews.size());
  for (const auto& r : first) ASSERT_TRUE(r.result.ok()) << r.result.status();
  auto stored = processor_->Get(first[0].result->feedback_id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  // An entry in the earlier storage form (8 hex digits per value) stays harmless.
  auto old = redis_->Command({"ZADD", NearDuplicateKey(stored->customer_pseudonym()),
                              std::to_string(absl::ToUnixMillis(absl::Now())), std::string(512, 'a') + ":old-form"});
  ASSERT_TRUE(old.ok() && !old->is_error());
  std::string again = reviews[0];
  again.insert(again.size() / 2, "！");
  auto dup = processor_->Submit({Submission("long-again", again, "carol")});
  ASSERT_TRUE(dup[0].result.ok()) << dup[0].result.status();
  EXPECT_EQ(dup[0].result->outcome, api::OUTCOME_NEAR_DUPLICATE);
  EXPECT_EQ(dup[0].result->duplicate_of, first[0].result->feedback_id);
  int linked = 0;
  for (const auto& r : first) linked += !r.result->duplicate_of.empty();
  EXPECT_LT(linked, 5);  // distinct reviews are (almost all) not near-duplicates of each other
}

TEST_F(IntakeIntegrationTest, GrpcPathReplaysAndRejectsWithFieldViolations) {
  auto first = processor_->Submit({Submission("g-1", "热水器加热很慢，洗澡水不热")});
  ASSERT_TRUE(first[0].result.ok()) << first[0].result.status();
  auto replay = processor_->Submit({Submission("g-1", "热水器加热很慢，洗澡水不热")});
  ASSERT_TRUE(replay[0].result.ok());
  EXPECT_EQ(replay[0].result->outcome, api::OUTCOME_REPLAY);
  EXPECT_EQ(replay[0].result->feedback_id, first[0].result->feedback_id);
  auto bad = processor_->Submit({Submission("g-2", "")});
  ASSERT_FALSE(bad[0].result.ok());
  EXPECT_EQ(bad[0].result.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(bad[0].rejection.violations.empty());
  EXPECT_EQ(bad[0].rejection.violations[0].first, "text");
  EXPECT_EQ(CounterValue(registry_, "intake_records_total", {{"entry_point", "grpc"}, {"outcome", "replay"}}), 1);
  EXPECT_EQ(CounterValue(registry_, "intake_records_total", {{"entry_point", "grpc"}, {"outcome", "rejected"}}), 1);
}

TEST_F(IntakeIntegrationTest, KafkaDownAnswersUnavailableInsteadOfGrowing) {
  kafka::ProducerConfig dead;
  dead.brokers = "127.0.0.1:1";
  dead.message_timeout = absl::Seconds(2);
  dead.extra["log_level"] = "0";
  auto producer = kafka::Producer::Create(dead);
  ASSERT_TRUE(producer.ok());
  IntakeConfig cfg = config_;
  cfg.submit_timeout = absl::Milliseconds(500);
  IntakeProcessor processor(cfg, *builder_, *dedup_, **producer, *metrics_);
  const absl::Time start = absl::Now();
  auto out = processor.Submit({Submission("down-1", "电池鼓包了，不敢再用")});
  ASSERT_FALSE(out[0].result.ok());
  EXPECT_EQ(out[0].result.status().code(), absl::StatusCode::kUnavailable) << out[0].result.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // With Kafka back, the same external id goes through under the same feedback id.
  auto retry = processor_->Submit({Submission("down-1", "电池鼓包了，不敢再用")});
  ASSERT_TRUE(retry[0].result.ok()) << retry[0].result.status();
  EXPECT_EQ(retry[0].result->outcome, api::OUTCOME_ACCEPTED);
}

}  // namespace
}  // namespace fbl::intake
