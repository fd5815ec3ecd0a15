#include "libs/privacy/pseudonym.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/privacy/tests/test_keys.h"

namespace fbl::privacy {
namespace {

using ::fbl::privacy::testing::FreshRing;

Pseudonymizer Make(const std::string& ring_text) {
  auto ring = Keyring::Parse(ring_text, "test");
  EXPECT_TRUE(ring.ok()) << ring.status();
  auto p = Pseudonymizer::Create(*ring);
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

TEST(PseudonymizerTest, DeterministicFixedLengthLowercaseHex) {
  const Pseudonymizer p = Make(FreshRing());
  const std::string x = p.Pseudonymize("weibo", "user-13800138000");
  EXPECT_EQ(x, p.Pseudonymize("weibo", "user-13800138000"));
  ASSERT_EQ(x.size(), 34u);
  EXPECT_EQ(x.substr(0, 2), "c_");
  for (char ch : x.substr(2)) EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) << x;
  EXPECT_EQ(p.key_id(), "p1");
}

TEST(PseudonymizerTest, DependsOnKeySourceAndCustomer) {
  const Pseudonymizer a = Make(FreshRing());
  const Pseudonymizer b = Make(FreshRing());
  const std::string x = a.Pseudonymize("weibo", "user-1");
  EXPECT_NE(x, b.Pseudonymize("weibo", "user-1"));
  EXPECT_NE(x, a.Pseudonymize("douyin", "user-1"));
  EXPECT_NE(x, a.Pseudonymize("weibo", "user-2"));
  // The 0x1F separator keeps (source, id) pairs apart.
  EXPECT_NE(a.Pseudonymize("ab", "c"), a.Pseudonymize("a", "bc"));
}

TEST(PseudonymizerTest, EmptyCustomerIdIsAnonymous) {
  const Pseudonymizer p = Make(FreshRing());
  EXPECT_EQ(p.Pseudonymize("weibo", ""), "");
  EXPECT_EQ(p.Pseudonymize("", "").size(), 0u);
  EXPECT_EQ(p.Pseudonymize("", "u").size(), 34u);
}

// Pins the construction: stored pseudonyms must not change across releases.
// Key bytes 0x00..0x1f (a published test key, not a secret); expected value
// from Python's hmac module.
TEST(PseudonymizerTest, KnownAnswer) {
  const Pseudonymizer p =
      Make("pseudonym fixed AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= active\n");
  EXPECT_EQ(p.Pseudonymize("weibo", "user-42"), "c_d70c3444ef55e2927e881b8e8c71ddd1");
}

TEST(PseudonymizerTest, CopiesAndMovesStayValidAfterTheKeyringIsGone) {
  auto ring = Keyring::Parse(FreshRing(), "test");
  ASSERT_TRUE(ring.ok());
  auto created = Pseudonymizer::Create(*ring);
  ASSERT_TRUE(created.ok());
  const std::string x = created->Pseudonymize("s", "u");
  Pseudonymizer moved = std::move(*created);
  ring = absl::InternalError("keyring dropped");
  EXPECT_EQ(moved.Pseudonymize("s", "u"), x);
  Pseudonymizer copy = moved;
  EXPECT_EQ(copy.Pseudonymize("s", "u"), x);
}

TEST(PseudonymizerTest, RequiresAnActivePseudonymKey) {
  auto ring = Keyring::Parse(Keyring::GenerateLine("contact", "c1", true), "test");
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(Pseudonymizer::Create(*ring).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Pseudonymizer::Create(Keyring()).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace fbl::privacy
