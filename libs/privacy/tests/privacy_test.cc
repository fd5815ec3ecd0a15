#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/privacy/aead.h"
#include "libs/privacy/keyring.h"
#include "libs/privacy/pseudonym.h"

namespace fbl::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Ring(const std::string& contact_id = "c1", bool extra_old = false) {
  std::string text = "# test keyring\n" + Keyring::GenerateLine("pseudonym", "p1", true) + "\n" +
                     Keyring::GenerateLine("contact", contact_id, true) + "\n";
  if (extra_old) text += Keyring::GenerateLine("contact", "old", false) + "\n";
  return text;
}

TEST(KeyringTest, ParsesAndFindsActiveKeys) {
  auto ring = Keyring::Parse(Ring(), "test");
  ASSERT_TRUE(ring.ok()) << ring.status();
  ASSERT_NE(ring->Active("contact"), nullptr);
  EXPECT_EQ(ring->Active("contact")->id, "c1");
  EXPECT_EQ(ring->Active("contact")->material.size(), kKeyBytes);
  EXPECT_EQ(ring->Find("contact", "nope"), nullptr);
}

TEST(KeyringTest, ErrorsNameOriginAndLineButNeverTheKey) {
  const std::string good = Keyring::GenerateLine("pseudonym", "p1", true);
  const std::string key_b64 = good.substr(good.find(' ', 10) + 1, 44);
  struct Case {
    std::string text;
    std::string expected;
  } cases[] = {
      {good + "\ncontact c1 " + key_b64.substr(0, 20) + " active\n", "line 2: key 'c1' is not base64 of 32 bytes"},
      {good + "\nsecret c1 " + key_b64 + " active\n", "line 2: unknown purpose 'secret'"},
      {good + "\n" + good + "\n", "line 2: duplicate key id 'p1'"},
      {good + "\ncontact c1 " + key_b64 + " current\n", "line 2: expected"},
      {good + "\ncontact c1 " + key_b64 + "\n", "no active key for purpose 'contact'"},
  };
  for (const auto& c : cases) {
    auto ring = Keyring::Parse(c.text, "/etc/fbl/keyring");
    ASSERT_FALSE(ring.ok());
    EXPECT_THAT(std::string(ring.status().message()), HasSubstr("/etc/fbl/keyring"));
    EXPECT_THAT(std::string(ring.status().message()), HasSubstr(c.expected));
    EXPECT_THAT(std::string(ring.status().message()), Not(HasSubstr(key_b64)));
  }
}

TEST(KeyringTest, LoadsFromEnvironmentWhenNoFile) {
  const std::string text = Ring();
  setenv("FBL_TEST_KEYRING", text.c_str(), 1);
  auto ring = Keyring::Load("", "FBL_TEST_KEYRING");
  ASSERT_TRUE(ring.ok()) << ring.status();
  unsetenv("FBL_TEST_KEYRING");
  auto missing = Keyring::Load("", "FBL_TEST_KEYRING");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Keyring::Load("/nonexistent/keyring").status().code(), absl::StatusCode::kNotFound);
}

TEST(PseudonymizerTest, DeterministicKeyDependentAndFixedLength) {
  auto a = Keyring::Parse(Ring(), "a");
  auto b = Keyring::Parse(Ring(), "b");
  ASSERT_TRUE(a.ok() && b.ok());
  auto pa = Pseudonymizer::Create(*a);
  auto pb = Pseudonymizer::Create(*b);
  ASSERT_TRUE(pa.ok() && pb.ok());
  const std::string x = pa->Pseudonymize("weibo", "user-13800138000");
  EXPECT_EQ(x, pa->Pseudonymize("weibo", "user-13800138000"));
  EXPECT_NE(x, pa->Pseudonymize("douyin", "user-13800138000"));
  EXPECT_NE(x, pb->Pseudonymize("weibo", "user-13800138000"));
  EXPECT_EQ(x.size(), 34u);
  EXPECT_EQ(x.substr(0, 2), "c_");
  EXPECT_EQ(pa->Pseudonymize("weibo", ""), "");
  Pseudonymizer copy = *pa;
  EXPECT_EQ(copy.Pseudonymize("weibo", "user-13800138000"), x);
}

TEST(SealerTest, RoundTripTamperAndAssociatedData) {
  auto ring = Keyring::Parse(Ring(), "t");
  ASSERT_TRUE(ring.ok());
  auto sealer = Sealer::Create(*ring);
  ASSERT_TRUE(sealer.ok());
  const std::string contact = "张先生 138-0013-8000 北京市朝阳区";  // hand-made contact
  auto sealed = sealer->Seal(contact, "fid-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->key_id, "c1");
  EXPECT_EQ(sealed->ciphertext.find("138"), std::string::npos);
  auto opened = sealer->Open(*sealed, "fid-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, contact);
  EXPECT_EQ(sealer->Open(*sealed, "fid-2").status().code(), absl::StatusCode::kDataLoss);
  Sealed tampered = *sealed;
  tampered.ciphertext[3] ^= 1;
  EXPECT_EQ(sealer->Open(tampered, "fid-1").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealerTest, RotationOpensOldBlobsAndSealsWithTheNewKey) {
  // Old ring: "old" is active.
  std::string old_text = Keyring::GenerateLine("pseudonym", "p1", true) + "\n" +
                         Keyring::GenerateLine("contact", "old", true) + "\n";
  auto old_ring = Keyring::Parse(old_text, "old");
  ASSERT_TRUE(old_ring.ok());
  auto old_sealer = Sealer::Create(*old_ring);
  ASSERT_TRUE(old_sealer.ok());
  auto blob = old_sealer->Seal("contact@example.com", "fid");
  ASSERT_TRUE(blob.ok());
  // Rotated ring: "new" active, "old" kept inactive.
  std::string old_line = old_text.substr(old_text.find("contact old"));
  old_line = old_line.substr(0, old_line.find(" active"));
  std::string rotated = Keyring::GenerateLine("pseudonym", "p1", true) + "\n" +
                        Keyring::GenerateLine("contact", "new", true) + "\n" + old_line + "\n";
  auto new_ring = Keyring::Parse(rotated, "rotated");
  ASSERT_TRUE(new_ring.ok()) << new_ring.status();
  auto new_sealer = Sealer::Create(*new_ring);
  ASSERT_TRUE(new_sealer.ok());
  auto opened = new_sealer->Open(*blob, "fid");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "contact@example.com");
  EXPECT_EQ(new_sealer->Seal("x", "fid")->key_id, "new");
  // A ring without the old key cannot open it: NOT_FOUND, not garbage.
  auto bare = Keyring::Parse(Ring("new"), "bare");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(Sealer::Create(*bare)->Open(*blob, "fid").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fbl::privacy
