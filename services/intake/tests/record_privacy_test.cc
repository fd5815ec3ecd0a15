// Key rotation and erasure on one record, the keyring reload and the
// retention ceiling (issue #10). Contact details and texts are hand-written.
#include "services/intake/record_privacy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "libs/runtime/config.h"
#include "services/intake/intake_config.h"
#include "services/intake/intake_keys.h"
#include "services/intake/intake_service.h"
#include "services/intake/privacy_admin.h"

namespace fbl::intake {
namespace {

namespace pb = ::feedbackloop::feedback::v1;

std::string Ring(const std::string& contact_lines) {
  return privacy::Keyring::GenerateLine("pseudonym", "p1", true) + "\n" + contact_lines;
}

pb::FeedbackRecord SealedRecord(const privacy::Sealer& sealer, const std::string& id) {
  pb::FeedbackRecord r;
  r.set_feedback_id(id);
  r.set_customer_pseudonym("c_0123456789abcdef0123456789abcdef");
  r.set_external_id("weibo-post-4711");
  r.set_text("手机充电很慢，联系我 [PHONE]");
  pb::Contact c;
  c.set_phone("+86 138 0013 8000");
  c.set_name("张伟");
  auto sealed = sealer.Seal(c.SerializeAsString(), id);
  EXPECT_TRUE(sealed.ok());
  r.mutable_contact()->set_key_id(sealed->key_id);
  r.mutable_contact()->set_algorithm(sealed->algorithm);
  r.mutable_contact()->set_nonce(sealed->nonce);
  r.mutable_contact()->set_ciphertext(sealed->ciphertext);
  return r;
}

pb::Contact Open(const privacy::Sealer& sealer, const pb::FeedbackRecord& r) {
  const auto& b = r.contact();
  auto plain = sealer.Open({b.key_id(), b.algorithm(), b.nonce(), b.ciphertext()}, r.feedback_id());
  EXPECT_TRUE(plain.ok()) << plain.status();
  pb::Contact c;
  if (plain.ok()) {
    EXPECT_TRUE(c.ParseFromString(*plain));
  }
  return c;
}

TEST(ResealContactTest, RotatesToTheActiveKeySoTheOldKeyCanGo) {
  const std::string old_line = privacy::Keyring::GenerateLine("contact", "c_old", true);
  auto ring_a = privacy::Keyring::Parse(Ring(old_line), "a");
  ASSERT_TRUE(ring_a.ok()) << ring_a.status();
  auto sealer_a = privacy::Sealer::Create(*ring_a);
  pb::FeedbackRecord record = SealedRecord(*sealer_a, "f-1");

  // Step 2 of the rotation: the new key is active, the old one kept.
  const std::string new_line = privacy::Keyring::GenerateLine("contact", "c_new", true);
  std::string old_inactive = old_line.substr(0, old_line.rfind(" active"));
  auto ring_b = privacy::Keyring::Parse(Ring(new_line + "\n" + old_inactive), "b");
  ASSERT_TRUE(ring_b.ok()) << ring_b.status();
  auto sealer_b = privacy::Sealer::Create(*ring_b);

  auto changed = ResealContact(record, *sealer_b, "c_new");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(record.contact().key_id(), "c_new");
  // Idempotent.
  auto again = ResealContact(record, *sealer_b, "c_new");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);

  // Step 3: the old key is gone; the re-sealed record still opens.
  auto ring_c = privacy::Keyring::Parse(Ring(new_line), "c");
  auto sealer_c = privacy::Sealer::Create(*ring_c);
  pb::Contact c = Open(*sealer_c, record);
  EXPECT_EQ(c.phone(), "+86 138 0013 8000");
  EXPECT_EQ(c.name(), "张伟");

  // A record left under the removed key fails with NOT_FOUND, never garbage.
  pb::FeedbackRecord stale = SealedRecord(*sealer_a, "f-2");
  auto failed = ResealContact(stale, *sealer_c, "c_new");
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(stale.contact().key_id(), "c_old");
}

TEST(ResealContactTest, RecordWithoutContactIsLeftAlone) {
  auto ring = privacy::Keyring::Parse(Ring(privacy::Keyring::GenerateLine("contact", "k", true)), "r");
  auto sealer = privacy::Sealer::Create(*ring);
  pb::FeedbackRecord r;
  r.set_feedback_id("f-3");
  auto changed = ResealContact(r, *sealer, "k");
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_FALSE(r.has_contact());
}

TEST(ErasePersonalDataTest, RemovesContactIdsAttachmentsAndCoordinatesKeepsText) {
  auto ring = privacy::Keyring::Parse(Ring(privacy::Keyring::GenerateLine("contact", "k", true)), "r");
  auto sealer = privacy::Sealer::Create(*ring);
  pb::FeedbackRecord r = SealedRecord(*sealer, "f-4");
  r.add_attachments()->set_uri("https://cdn.example.com/u/4711/photo.jpg");
  r.mutable_place()->set_store_name("上海南京西路店");
  r.mutable_place()->set_latitude(31.23);
  r.mutable_place()->set_longitude(121.47);
  EXPECT_TRUE(ErasePersonalData(r, /*erase_text=*/false));
  EXPECT_FALSE(r.has_contact());
  EXPECT_EQ(r.external_id(), "");
  EXPECT_EQ(r.attachments_size(), 0);
  EXPECT_FALSE(r.place().has_latitude());
  EXPECT_FALSE(r.place().has_longitude());
  EXPECT_EQ(r.place().store_name(), "上海南京西路店");
  EXPECT_EQ(r.text(), "手机充电很慢，联系我 [PHONE]");
  EXPECT_EQ(r.customer_pseudonym(), "c_0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(ErasePersonalData(r, false)) << "idempotent";

  EXPECT_TRUE(ErasePersonalData(r, /*erase_text=*/true));
  EXPECT_EQ(r.text(), kErasedText);
  EXPECT_EQ(r.title(), "") << "an empty field stays empty";
  EXPECT_FALSE(ErasePersonalData(r, true));
}

TEST(IsPseudonymTest, OnlyTheIntakeFormat) {
  EXPECT_TRUE(IsPseudonym("c_0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsPseudonym("c_0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(IsPseudonym("c_0123456789abcdef0123456789abcde"));
  EXPECT_FALSE(IsPseudonym("x_0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsPseudonym("*"));
}

TEST(LiveKeysTest, ReloadsAChangedFileAndRefusesABadOne) {
  char path[] = "/tmp/intake_keys_test.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto write = [&](const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  };
  const std::string a = privacy::Keyring::GenerateLine("contact", "c_a", true);
  write(Ring(a));
  auto normalizer = text::Normalizer::Create();
  ASSERT_TRUE(normalizer.ok());
  auto live = LiveKeys::Create(path, *normalizer);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ((*live)->Current()->active_contact_key, "c_a");
  EXPECT_EQ((*live)->Reload(false), std::nullopt);

  // Move `active` to a new key: served without a restart.
  write(Ring(privacy::Keyring::GenerateLine("contact", "c_b", true) + "\n" + a.substr(0, a.rfind(" active"))));
  EXPECT_EQ((*live)->Reload(/*forced=*/true), std::optional<bool>(true));
  EXPECT_EQ((*live)->Current()->active_contact_key, "c_b");
  ASSERT_NE((*live)->Current()->keyring.Find("contact", "c_a"), nullptr);
  EXPECT_EQ((*live)->Current()->version, "contact=c_b (also c_a) pseudonym=p1");

  // A broken file: refused, the previous keys keep serving.
  write("contact c_x not-base64 active\n");
  EXPECT_EQ((*live)->Reload(true), std::optional<bool>(false));
  EXPECT_EQ((*live)->Current()->active_contact_key, "c_b");
  std::remove(path);
}

TEST(IntakePermissionsTest, PrivacyOperationsNeedPrivacyAdmin) {
  const runtime::PermissionTable table = IntakePermissions();
  EXPECT_EQ(table.at("RotateContactKeys"), runtime::kPermPrivacyAdmin);
  EXPECT_EQ(table.at("EraseCustomer"), runtime::kPermPrivacyAdmin);
  EXPECT_EQ(table.at("GetFeedback"), runtime::kPermFeedbackRead);
}

TEST(PrivacyConfigTest, RetentionAboveTheCeilingIsRefused) {
  auto ok = config::LoadFromString<IntakeConfig>("dedup: {replay_window: 30d}\n", "t");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->privacy.max_retention, absl::Hours(24 * 90));
  EXPECT_EQ(ok->privacy.erasure_audit_stream, "fbl:audit:erasure");

  auto too_long = config::LoadFromString<IntakeConfig>("dedup: {replay_window: 365d}\n", "t");
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("dedup.replay_window"), std::string::npos) << too_long.status();
  EXPECT_NE(too_long.status().message().find("max_retention"), std::string::npos) << too_long.status();

  auto raised = config::LoadFromString<IntakeConfig>(
      "privacy: {max_retention: 400d}\ndedup: {replay_window: 365d}\n", "t");
  EXPECT_TRUE(raised.ok()) << raised.status();
}

}  // namespace
}  // namespace fbl::intake
