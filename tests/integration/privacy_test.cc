// Data protection against the real Kafka and Redis (issue #10): contact-key
// rotation with a live keyring reload and re-sealing, and the erasure of one
// customer's personal data. Uses Redis database 9 of its own (flushed at the
// start) so that the SCAN-based re-seal sees only this test's records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include <prometheus/registry.h>

#include "libs/dataset/csv_reader.h"
#include "libs/kafka/consumer.h"
#include "libs/privacy/keyring.h"
#include "libs/redis/redis_client.h"
#include "services/intake/intake_keys.h"
#include "services/intake/intake_service.h"
#include "services/intake/privacy_admin.h"
#include "services/intake/record_privacy.h"
#include "tests/integration/real_reviews.h"
#include "tests/integration/test_env.h"

namespace fbl::intake {
namespace {

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::RealReviews;
using fbl::testing::UniqueName;

namespace common = ::feedbackloop::common::v1;

std::string WithoutActive(const std::string& line) { return line.substr(0, line.rfind(" active")); }

class PrivacyIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.topics.raw = CreateTopic("t.raw", 1);
    config_.topics.accepted = CreateTopic("t.accepted", 1);
    config_.topics.rejected = CreateTopic("t.rejected", 1);
    config_.producer.brokers = KafkaBrokers();
    config_.submit_timeout = absl::Seconds(10);
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));
    config_.redis.db = 9;
    auto redis = redis::Client::Create(config_.redis);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    ASSERT_TRUE(redis_->Command({"FLUSHDB"}).ok());

    // Key ids unique per run, so nothing sealed elsewhere could open here.
    const std::string tag = std::to_string(getpid());
    pseudonym_line_ = privacy::Keyring::GenerateLine("pseudonym", "p" + tag, true);
    old_key_ = "old" + tag;
    new_key_ = "new" + tag;
    old_line_ = privacy::Keyring::GenerateLine("contact", old_key_, true);
    new_line_ = privacy::Keyring::GenerateLine("contact", new_key_, true);
    char path[] = "/tmp/privacy_test_keyring.XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    keyring_path_ = path;
    WriteKeyring({old_line_});

    auto normalizer = text::Normalizer::Create();
    ASSERT_TRUE(normalizer.ok());
    auto live = LiveKeys::Create(keyring_path_, *normalizer);
    ASSERT_TRUE(live.ok()) << live.status();
    live_ = std::move(*live);
    auto producer = kafka::Producer::Create(config_.producer);
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
    dedup_ = std::make_unique<DedupStore>(*redis_, config_.dedup);
    metrics_ = std::make_unique<IntakeMetrics>(registry_);
    processor_ = std::make_unique<IntakeProcessor>(
        config_, [this] { return live_->Current()->builder; }, *dedup_, *producer_, *metrics_);
    admin_ = std::make_unique<PrivacyAdmin>(*redis_, *live_, "fbl:audit:erasure", 1000, metrics_.get());
    source_ = UniqueName("src");
  }

  void TearDown() override { std::remove(keyring_path_.c_str()); }

  void WriteKeyring(const std::vector<std::string>& contact_lines) {
    std::ofstream out(keyring_path_, std::ios::trunc);
    out << "# written by privacy_test\n" << pseudonym_line_ << "\n";
    for (const auto& l : contact_lines) out << l << "\n";
  }

  // Hand-written contact details (not from the data set).
  pb::FeedbackSubmission Submission(const std::string& external_id, const std::string& text,
                                    const std::string& customer, const std::string& phone) {
    pb::FeedbackSubmission s;
    s.set_external_id(external_id);
    s.set_source(source_);
    s.set_channel(common::CHANNEL_ECOMMERCE_REVIEW);
    s.set_customer_id(customer);
    s.set_text(text);
    if (!phone.empty()) {
      s.mutable_contact()->set_phone(phone);
      s.mutable_contact()->set_name("测试用户");
    }
    s.add_attachments()->set_uri("https://cdn.example.com/u/" + external_id + ".jpg");
    return s;
  }

  // Submits and returns the feedback ids, all accepted.
  std::vector<std::string> SubmitAll(std::vector<pb::FeedbackSubmission> subs) {
    std::vector<std::string> ids;
    for (auto& o : processor_->Submit(std::move(subs))) {
      EXPECT_TRUE(o.result.ok()) << o.result.status();
      if (!o.result.ok()) continue;
      EXPECT_EQ(o.result->outcome, api::OUTCOME_ACCEPTED);
      ids.push_back(o.result->feedback_id);
    }
    return ids;
  }

  pb::FeedbackRecord Stored(const std::string& id) {
    auto r = processor_->Get(id);
    EXPECT_TRUE(r.ok()) << id << ": " << r.status();
    return r.ok() ? *r : pb::FeedbackRecord();
  }

  absl::StatusOr<pb::Contact> OpenContact(const pb::FeedbackRecord& r) {
    const auto& b = r.contact();
    auto plain = live_->Current()->sealer.Open({b.key_id(), b.algorithm(), b.nonce(), b.ciphertext()},
                                               r.feedback_id());
    if (!plain.ok()) return plain.status();
    pb::Contact c;
    if (!c.ParseFromString(*plain)) return absl::DataLossError("contact does not parse");
    return c;
  }

  IntakeConfig config_;
  std::unique_ptr<redis::Client> redis_;
  std::string pseudonym_line_, old_key_, new_key_, old_line_, new_line_, keyring_path_;
  std::unique_ptr<LiveKeys> live_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<DedupStore> dedup_;
  prometheus::Registry registry_;
  std::unique_ptr<IntakeMetrics> metrics_;
  std::unique_ptr<IntakeProcessor> processor_;
  std::unique_ptr<PrivacyAdmin> admin_;
  std::string source_;
};

TEST_F(PrivacyIntegrationTest, RotateReloadResealDropOldKeyEveryRecordStillOpens) {
  const std::vector<std::string> reviews = RealReviews(30, 30);
  ASSERT_EQ(reviews.size(), 30u);
  std::map<std::string, std::string> phone_of;  // feedback id -> phone
  std::vector<pb::FeedbackSubmission> before;
  for (int i = 0; i < 24; ++i) {
    before.push_back(Submission("old-" + std::to_string(i), reviews[i], "cust-" + std::to_string(i),
                                i % 6 == 5 ? "" : "1380013" + std::to_string(1000 + i)));
  }
  std::vector<std::string> ids = SubmitAll(before);
  ASSERT_EQ(ids.size(), 24u);
  int with_contact = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (before[i].has_contact()) {
      phone_of[ids[i]] = before[i].contact().phone();
      ++with_contact;
      EXPECT_EQ(Stored(ids[i]).contact().key_id(), old_key_);
    }
  }

  // Move `active` to the new key, old key kept: picked up without a restart.
  WriteKeyring({new_line_, WithoutActive(old_line_)});
  EXPECT_EQ(live_->Reload(/*forced=*/false), std::optional<bool>(true));
  EXPECT_EQ(live_->Current()->active_contact_key, new_key_);
  std::vector<pb::FeedbackSubmission> after;
  for (int i = 24; i < 30; ++i) {
    after.push_back(Submission("new-" + std::to_string(i), reviews[i], "cust-" + std::to_string(i),
                               "1390013" + std::to_string(1000 + i)));
  }
  std::vector<std::string> new_ids = SubmitAll(after);
  ASSERT_EQ(new_ids.size(), 6u);
  for (size_t i = 0; i < new_ids.size(); ++i) {
    phone_of[new_ids[i]] = after[i].contact().phone();
    EXPECT_EQ(Stored(new_ids[i]).contact().key_id(), new_key_);
  }

  // A bad keyring file is refused; the keys in use stay.
  {
    std::ofstream(keyring_path_, std::ios::trunc) << "contact broken !!! active\n";
  }
  EXPECT_EQ(live_->Reload(false), std::optional<bool>(false));
  EXPECT_EQ(live_->Current()->active_contact_key, new_key_);
  WriteKeyring({new_line_, WithoutActive(old_line_)});
  ASSERT_EQ(live_->Reload(false), std::optional<bool>(true));

  // Re-seal in small steps, resuming from the cursor each time.
  RotateOptions step;
  step.page_size = 5;
  step.max_pages = 1;
  int64_t scanned = 0, resealed = 0, unchanged = 0, failed = 0;
  int calls = 0;
  do {
    auto r = admin_->RotateContactKeys(step);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->active_key_id, new_key_);
    scanned += r->scanned;
    resealed += r->resealed;
    unchanged += r->unchanged;
    failed += r->failed;
    step.cursor = r->next_cursor;
    ASSERT_LT(++calls, 1000);
  } while (step.cursor != "0");
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(resealed, with_contact);
  EXPECT_GE(scanned, 30);  // SCAN may return a key twice
  EXPECT_EQ(scanned, resealed + unchanged);

  // Idempotent: a second full run changes nothing.
  auto again = admin_->RotateContactKeys({});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->resealed, 0);
  EXPECT_EQ(again->failed, 0);
  EXPECT_EQ(again->scanned, 30);
  EXPECT_EQ(again->next_cursor, "0");

  // Drop the old key: every stored record still opens.
  WriteKeyring({new_line_});
  ASSERT_EQ(live_->Reload(false), std::optional<bool>(true));
  ASSERT_EQ(live_->Current()->keyring.Find("contact", old_key_), nullptr);
  for (const auto& [id, phone] : phone_of) {
    pb::FeedbackRecord r = Stored(id);
    EXPECT_EQ(r.contact().key_id(), new_key_) << id;
    auto contact = OpenContact(r);
    ASSERT_TRUE(contact.ok()) << id << ": " << contact.status();
    EXPECT_EQ(contact->phone(), phone);
    EXPECT_EQ(contact->name(), "测试用户");
  }
  // The records' TTL (replay window) survived the write-back.
  auto ttl = redis_->Command({"PTTL", RecordKey(ids.front())});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer(), absl::ToInt64Milliseconds(config_.dedup.replay_window - absl::Hours(1)));
}

TEST_F(PrivacyIntegrationTest, EraseCustomerNowAndInFutureWithARecord) {
  const std::vector<std::string> reviews = RealReviews(8, 30);
  ASSERT_EQ(reviews.size(), 8u);
  // Customer A: three pieces of feedback; B: two; one anonymous.
  std::vector<std::string> a_ids = SubmitAll({Submission("a-1", reviews[0], "alice", "13800138001"),
                                              Submission("a-2", reviews[1], "alice", "13800138001"),
                                              Submission("a-3", reviews[2], "alice", "")});
  std::vector<std::string> b_ids = SubmitAll({Submission("b-1", reviews[3], "bob", "13900139002"),
                                              Submission("b-2", reviews[4], "bob", "13900139002")});
  std::vector<std::string> anon_ids = SubmitAll({Submission("n-1", reviews[5], "", "13700137003")});
  ASSERT_EQ(a_ids.size(), 3u);
  ASSERT_EQ(b_ids.size(), 2u);
  ASSERT_EQ(anon_ids.size(), 1u);
  const std::string alice = Stored(a_ids[0]).customer_pseudonym();
  ASSERT_TRUE(IsPseudonym(alice)) << alice;
  auto sim = redis_->Command({"EXISTS", NearDuplicateKey(alice)});
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->integer(), 1);

  // Malformed requests change nothing.
  EXPECT_EQ(admin_->EraseCustomer({"alice", "x", "dpo"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->EraseCustomer({alice, "", "dpo"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Stored(a_ids[0]).has_contact());

  const absl::Time before = absl::Now() - absl::Seconds(1);
  // Hand-written reason.
  auto erased = admin_->EraseCustomer({alice, "客户来电要求删除个人信息, 工单 PRIV-42, 回拨 13800138001", "dpo.wang"});
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->records_found, 3);
  EXPECT_EQ(erased->records_erased, 3);
  EXPECT_TRUE(erased->first_request);
  EXPECT_GE(erased->erased_at, before);
  for (const std::string& id : a_ids) {
    pb::FeedbackRecord r = Stored(id);
    EXPECT_FALSE(r.has_contact()) << id;
    EXPECT_EQ(r.external_id(), "") << id;
    EXPECT_EQ(r.attachments_size(), 0) << id;
    EXPECT_FALSE(r.text().empty()) << "text is kept unless erase_text";
    EXPECT_EQ(r.customer_pseudonym(), alice);
  }
  // Other customers untouched.
  for (const std::string& id : {b_ids[0], b_ids[1], anon_ids[0]}) {
    pb::FeedbackRecord r = Stored(id);
    ASSERT_TRUE(r.has_contact()) << id;
    EXPECT_FALSE(r.external_id().empty());
    EXPECT_EQ(r.attachments_size(), 1);
    auto c = OpenContact(r);
    ASSERT_TRUE(c.ok()) << c.status();
  }
  sim = redis_->Command({"EXISTS", NearDuplicateKey(alice)});
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->integer(), 0) << "near-duplicate history of the customer is deleted";

  // The record that it was done.
  auto audit = redis_->Command({"XRANGE", "fbl:audit:erasure", erased->audit_entry_id, erased->audit_entry_id});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->elements().size(), 1u) << audit->DebugString();
  std::map<std::string, std::string> fields;
  const auto& kv = audit->elements()[0].elements()[1].elements();
  for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i].str()] = kv[i + 1].str();
  EXPECT_EQ(fields["actor"], "dpo.wang");
  EXPECT_EQ(fields["customer_pseudonym"], alice);
  EXPECT_EQ(fields["records_erased"], "3");
  EXPECT_NE(fields["reason"].find("PRIV-42"), std::string::npos);
  EXPECT_EQ(fields["reason"].find("13800138001"), std::string::npos) << "reason is PII-masked: " << fields["reason"];
  EXPECT_FALSE(fields["at"].empty());

  // A later submission of the same customer: accepted, stored and published
  // without personal data.
  std::vector<std::string> later = SubmitAll({Submission("a-4", reviews[6], "alice", "13800138001")});
  ASSERT_EQ(later.size(), 1u);
  pb::FeedbackRecord stored = Stored(later[0]);
  EXPECT_EQ(stored.customer_pseudonym(), alice);
  EXPECT_FALSE(stored.has_contact());
  EXPECT_EQ(stored.external_id(), "");
  EXPECT_EQ(stored.attachments_size(), 0);
  // ... and a replay of it is still recognised (the binding is by the submission's id).
  auto replay = processor_->Submit({Submission("a-4", reviews[6], "alice", "13800138001")});
  ASSERT_TRUE(replay[0].result.ok());
  EXPECT_EQ(replay[0].result->outcome, api::OUTCOME_REPLAY);
  // Published on feedback.accepted.v1 without contact either.
  {
    kafka::ConsumerConfig c;
    c.brokers = KafkaBrokers();
    c.group_id = UniqueName("reader");
    c.topics = {config_.topics.accepted};
    auto consumer = kafka::Consumer::Create(c);
    ASSERT_TRUE(consumer.ok());
    std::map<std::string, pb::FeedbackRecord> published;
    ASSERT_TRUE(fbl::testing::WaitFor([&] {
      auto batch = (*consumer)->Poll(100, absl::Milliseconds(200));
      if (batch.ok()) {
        for (const auto& m : *batch) {
          pb::FeedbackRecord r;
          if (r.ParseFromString(m.value)) published[r.feedback_id()] = r;
        }
      }
      return published.count(later[0]) == 1;
    }, std::chrono::seconds(60)));
    EXPECT_FALSE(published[later[0]].has_contact());
    EXPECT_EQ(published[later[0]].external_id(), "");
  }

  // A record of the customer prepared before the erasure but stored after it
  // (in flight) is not stored at all.
  ASSERT_TRUE(dedup_->MarkDone({{source_, "a-inflight", "inflight-id", Stored(b_ids[0]).SerializeAsString(), alice,
                                 /*erased=*/false}}).ok());
  EXPECT_EQ(dedup_->GetRecord("inflight-id").status().code(), absl::StatusCode::kNotFound);

  // Asking again: recorded again, nothing left to change; the first time is kept.
  auto second = admin_->EraseCustomer({alice, "repeated request PRIV-43", "dpo.wang", /*erase_text=*/false,
                                       /*scan_all=*/true});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->first_request);
  EXPECT_EQ(second->records_found, 4);
  EXPECT_EQ(second->records_erased, 0);
  EXPECT_EQ(second->erased_at, erased->erased_at);
  auto len = redis_->Command({"XLEN", "fbl:audit:erasure"});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->integer(), 2);

  // A record of the customer that no longer parses is deleted whole.
  ASSERT_TRUE(redis_->Command({"SET", RecordKey("corrupt-id"), "\xff\xff not a record"}).ok());
  ASSERT_TRUE(redis_->Command({"SADD", CustomerIndexKey(alice), "corrupt-id"}).ok());
  auto third = admin_->EraseCustomer({alice, "PRIV-43b", "dpo.wang"});
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->records_found, 5);
  EXPECT_EQ(third->records_erased, 1);
  EXPECT_EQ(dedup_->GetRecord("corrupt-id").status().code(), absl::StatusCode::kNotFound);

  // erase_text also blanks the customer's texts.
  auto with_text = admin_->EraseCustomer({alice, "PRIV-44: texts too", "dpo.wang", /*erase_text=*/true});
  ASSERT_TRUE(with_text.ok()) << with_text.status();
  EXPECT_EQ(with_text->records_erased, 4);
  for (const std::string& id : a_ids) EXPECT_EQ(Stored(id).text(), kErasedText);
  EXPECT_NE(Stored(b_ids[0]).text(), kErasedText);
}

// The RPCs as the service answers them (auth off: the actor is "anonymous";
// the privacy.admin requirement itself is IntakePermissions(), unit-tested).
TEST_F(PrivacyIntegrationTest, GrpcHandlersValidateAndReportCounts) {
  const std::vector<std::string> reviews = RealReviews(2, 30);
  ASSERT_EQ(reviews.size(), 2u);
  std::vector<std::string> ids = SubmitAll({Submission("g-1", reviews[0], "carol", "13600136004"),
                                            Submission("g-2", reviews[1], "dave", "13500135005")});
  ASSERT_EQ(ids.size(), 2u);
  IntakeGrpcService service(*processor_, config_, nullptr, admin_.get());
  IntakeGrpcService unconfigured(*processor_, config_);

  grpc::ServerContext ctx;
  api::EraseCustomerRequest erase;
  erase.set_customer_pseudonym(Stored(ids[0]).customer_pseudonym());
  api::EraseCustomerResponse erased;
  EXPECT_EQ(service.EraseCustomer(&ctx, &erase, &erased).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "reason is required";
  erase.set_reason("PRIV-45 (hand-written)");
  EXPECT_EQ(unconfigured.EraseCustomer(&ctx, &erase, &erased).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  grpc::Status s = service.EraseCustomer(&ctx, &erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(erased.records_found(), 1);
  EXPECT_EQ(erased.records_erased(), 1);
  EXPECT_TRUE(erased.first_request());
  EXPECT_GT(erased.erased_at().seconds(), 0);
  auto audit = redis_->Command({"XRANGE", "fbl:audit:erasure", erased.audit_entry_id(), erased.audit_entry_id()});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->elements().size(), 1u);
  EXPECT_EQ(audit->elements()[0].elements()[1].elements()[1].str(), "anonymous");
  EXPECT_FALSE(Stored(ids[0]).has_contact());
  EXPECT_TRUE(Stored(ids[1]).has_contact());

  WriteKeyring({new_line_, WithoutActive(old_line_)});
  ASSERT_EQ(live_->Reload(false), std::optional<bool>(true));
  api::RotateContactKeysRequest rotate;
  rotate.set_page_size(-1);
  api::RotateContactKeysResponse rotated;
  EXPECT_EQ(service.RotateContactKeys(&ctx, &rotate, &rotated).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  rotate.set_page_size(0);
  s = service.RotateContactKeys(&ctx, &rotate, &rotated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(rotated.active_key_id(), new_key_);
  EXPECT_EQ(rotated.scanned(), 2);
  EXPECT_EQ(rotated.resealed(), 1);
  EXPECT_EQ(rotated.unchanged(), 1);
  EXPECT_EQ(rotated.failed(), 0);
  EXPECT_EQ(rotated.next_cursor(), "0");
  EXPECT_EQ(Stored(ids[1]).contact().key_id(), new_key_);
}

// A record whose key left the keyring before it was re-sealed is reported,
// never overwritten; the old key must not be dropped while failed > 0.
TEST_F(PrivacyIntegrationTest, RecordUnderARemovedKeyIsCountedAsFailed) {
  const std::vector<std::string> reviews = RealReviews(1, 30);
  ASSERT_EQ(reviews.size(), 1u);
  std::vector<std::string> ids = SubmitAll({Submission("f-1", reviews[0], "erin", "13300133006")});
  ASSERT_EQ(ids.size(), 1u);
  auto bytes = dedup_->GetRecord(ids[0]);
  ASSERT_TRUE(bytes.ok());
  WriteKeyring({new_line_});  // old key dropped too early
  ASSERT_EQ(live_->Reload(false), std::optional<bool>(true));
  auto r = admin_->RotateContactKeys({});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->failed, 1);
  EXPECT_EQ(r->resealed, 0);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_NE(r->failures[0].find(ids[0]), std::string::npos) << r->failures[0];
  EXPECT_NE(r->failures[0].find("NOT_FOUND"), std::string::npos) << r->failures[0];
  EXPECT_EQ(*dedup_->GetRecord(ids[0]), *bytes) << "left exactly as it was";
}

}  // namespace
}  // namespace fbl::intake
