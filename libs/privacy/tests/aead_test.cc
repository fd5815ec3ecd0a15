#include "libs/privacy/aead.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libs/privacy/tests/test_keys.h"

namespace fbl::privacy {
namespace {

using ::fbl::privacy::testing::FreshRing;
using ::fbl::privacy::testing::Inactive;
using ::testing::HasSubstr;

Keyring Ring(const std::string& text) {
  auto ring = Keyring::Parse(text, "test");
  EXPECT_TRUE(ring.ok()) << ring.status();
  return ring.ok() ? *ring : Keyring();
}

Sealer MakeSealer(const Keyring& ring) {
  auto s = Sealer::Create(ring);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

const std::string kContact = "张先生 138-0013-8000 北京市朝阳区建国路88号 zhang@example.cn";

TEST(SealerTest, RoundTripsChineseUtf8) {
  const Sealer sealer = MakeSealer(Ring(FreshRing("c1")));
  auto sealed = sealer.Seal(kContact, "fid-1");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->key_id, "c1");
  EXPECT_EQ(sealed->algorithm, "XCHACHA20POLY1305");
  EXPECT_EQ(sealed->nonce.size(), 24u);
  EXPECT_EQ(sealed->ciphertext.size(), kContact.size() + 16);
  EXPECT_EQ(sealed->ciphertext.find("138"), std::string::npos);
  EXPECT_EQ(sealed->ciphertext.find("张"), std::string::npos);
  auto opened = sealer.Open(*sealed, "fid-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kContact);
}

TEST(SealerTest, FreshNonceEverySeal) {
  const Sealer sealer = MakeSealer(Ring(FreshRing()));
  auto a = sealer.Seal(kContact, "fid");
  auto b = sealer.Seal(kContact, "fid");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->ciphertext, b->ciphertext);
}

TEST(SealerTest, EmptyPlaintextAndAssociatedData) {
  const Sealer sealer = MakeSealer(Ring(FreshRing()));
  auto sealed = sealer.Seal("", "");
  ASSERT_TRUE(sealed.ok());
  auto opened = sealer.Open(*sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "");
}

TEST(SealerTest, WrongAssociatedDataFails) {
  const Sealer sealer = MakeSealer(Ring(FreshRing()));
  auto sealed = sealer.Seal(kContact, "fid-1");
  ASSERT_TRUE(sealed.ok());
  auto opened = sealer.Open(*sealed, "fid-2");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.status().message()), HasSubstr("failed authentication"));
  EXPECT_EQ(sealer.Open(*sealed, "").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealerTest, AnyFlippedByteFails) {
  const Sealer sealer = MakeSealer(Ring(FreshRing()));
  auto sealed = sealer.Seal(kContact, "fid-1");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->ciphertext.size(); ++i) {  // body and tag
    Sealed t = *sealed;
    t.ciphertext[i] ^= 0x01;
    EXPECT_EQ(sealer.Open(t, "fid-1").status().code(), absl::StatusCode::kDataLoss) << "byte " << i;
  }
  for (size_t i = 0; i < sealed->nonce.size(); ++i) {
    Sealed t = *sealed;
    t.nonce[i] ^= 0x80;
    EXPECT_EQ(sealer.Open(t, "fid-1").status().code(), absl::StatusCode::kDataLoss) << "nonce " << i;
  }
}

TEST(SealerTest, MalformedBlobs) {
  const Sealer sealer = MakeSealer(Ring(FreshRing("c1")));
  auto sealed = sealer.Seal(kContact, "fid");
  ASSERT_TRUE(sealed.ok());
  Sealed truncated = *sealed;
  truncated.ciphertext.resize(10);
  EXPECT_EQ(sealer.Open(truncated, "fid").status().code(), absl::StatusCode::kDataLoss);
  Sealed short_nonce = *sealed;
  short_nonce.nonce.pop_back();
  EXPECT_EQ(sealer.Open(short_nonce, "fid").status().code(), absl::StatusCode::kDataLoss);
  Sealed other_alg = *sealed;
  other_alg.algorithm = "AES256GCM";
  auto r = sealer.Open(other_alg, "fid");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("AES256GCM"));
}

TEST(SealerTest, RelabelledKeyIdFails) {
  const std::string p = Keyring::GenerateLine("pseudonym", "p1", true);
  const std::string a = Keyring::GenerateLine("contact", "a", true);
  const std::string b = Inactive(Keyring::GenerateLine("contact", "b", false));
  const Sealer sealer = MakeSealer(Ring(p + "\n" + a + "\n" + b + "\n"));
  auto sealed = sealer.Seal(kContact, "fid");
  ASSERT_TRUE(sealed.ok());
  Sealed relabelled = *sealed;
  relabelled.key_id = "b";
  EXPECT_EQ(sealer.Open(relabelled, "fid").status().code(), absl::StatusCode::kDataLoss);
  relabelled.key_id = "p1";  // a pseudonym key is never used for opening
  EXPECT_EQ(sealer.Open(relabelled, "fid").status().code(), absl::StatusCode::kNotFound);
}

TEST(SealerTest, RotationKeepsOldBlobsOpenAndSealsWithTheNewKey) {
  const std::string p = Keyring::GenerateLine("pseudonym", "p1", true);
  const std::string key_a = Keyring::GenerateLine("contact", "A", true);
  const std::string key_b = Keyring::GenerateLine("contact", "B", true);

  // Before: A is active.
  const Sealer before = MakeSealer(Ring(p + "\n" + key_a + "\n"));
  auto old_blob = before.Seal(kContact, "fid-7");
  ASSERT_TRUE(old_blob.ok());
  EXPECT_EQ(old_blob->key_id, "A");

  // After: B is active, A kept without the flag.
  const Sealer after = MakeSealer(Ring(p + "\n" + key_b + "\n" + Inactive(key_a) + "\n"));
  auto opened = after.Open(*old_blob, "fid-7");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kContact);
  auto new_blob = after.Seal(kContact, "fid-8");
  ASSERT_TRUE(new_blob.ok());
  EXPECT_EQ(new_blob->key_id, "B");
  EXPECT_EQ(before.Open(*new_blob, "fid-8").status().code(), absl::StatusCode::kNotFound);

  // Finally: A removed. Old blobs are unreadable — NOT_FOUND, never garbage.
  const Sealer pruned = MakeSealer(Ring(p + "\n" + key_b + "\n"));
  auto gone = pruned.Open(*old_blob, "fid-7");
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(gone.status().message()), HasSubstr("'A'"));
  EXPECT_TRUE(pruned.Open(*new_blob, "fid-8").ok());
}

TEST(SealerTest, RequiresAnActiveContactKey) {
  auto ring = Keyring::Parse(Keyring::GenerateLine("pseudonym", "p1", true), "test");
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(Sealer::Create(*ring).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Sealer::Create(Keyring()).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SealerTest, OutlivesItsKeyringAndSurvivesMoves) {
  absl::StatusOr<Sealer> created = absl::InternalError("unset");
  {
    auto ring = Keyring::Parse(FreshRing(), "test");
    ASSERT_TRUE(ring.ok());
    created = Sealer::Create(*ring);
    ASSERT_TRUE(created.ok());
  }
  Sealer moved = std::move(*created);
  for (const Sealer* s : {&moved, &*created}) {
    auto sealed = s->Seal("x", "ad");
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    EXPECT_EQ(*s->Open(*sealed, "ad"), "x");
  }
}

}  // namespace
}  // namespace fbl::privacy
