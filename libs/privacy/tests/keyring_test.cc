#include "libs/privacy/keyring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/privacy/tests/test_keys.h"

namespace fbl::privacy {
namespace {

using ::fbl::privacy::testing::FreshRing;
using ::fbl::privacy::testing::Inactive;
using ::fbl::privacy::testing::KeyOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

static_assert(!std::is_copy_constructible_v<Key>, "key material must not be copied implicitly");
static_assert(std::is_nothrow_move_constructible_v<Key>);

TEST(KeyringTest, ParsesActiveAndInactiveKeysCommentsTabsAndCrlf) {
  const std::string p = Keyring::GenerateLine("pseudonym", "p2026", true);
  const std::string c_new = Keyring::GenerateLine("contact", "c2026b", false);
  const std::string c_old = Keyring::GenerateLine("contact", "c2026a", false);
  const std::string text = absl::StrCat("# purpose key-id key [active]\n\n", p, "   # trailing comment\r\n",
                                        "contact\tc2026b\t", KeyOf(c_new), "\tactive\r\n", c_old, "\n");
  auto ring = Keyring::Parse(text, "test");
  ASSERT_TRUE(ring.ok()) << ring.status();
  ASSERT_NE(ring->Active("pseudonym"), nullptr);
  EXPECT_EQ(ring->Active("pseudonym")->id, "p2026");
  ASSERT_NE(ring->Active("contact"), nullptr);
  EXPECT_EQ(ring->Active("contact")->id, "c2026b");
  EXPECT_EQ(ring->Active("contact")->material.size(), kKeyBytes);
  ASSERT_NE(ring->Find("contact", "c2026a"), nullptr);
  EXPECT_EQ(ring->Find("contact", "c2026a")->material.size(), kKeyBytes);
  EXPECT_NE(ring->Find("contact", "c2026a")->material, ring->Active("contact")->material);
  EXPECT_EQ(ring->Find("pseudonym", "c2026a"), nullptr);  // ids are looked up within a purpose
  EXPECT_EQ(ring->Find("contact", "nope"), nullptr);
  EXPECT_EQ(ring->Active("nope"), nullptr);
  EXPECT_EQ(ring->Ids("contact"), (std::vector<std::string>{"c2026b", "c2026a"}));
  EXPECT_EQ(ring->Ids("pseudonym"), (std::vector<std::string>{"p2026"}));
  EXPECT_TRUE(ring->Ids("nope").empty());
  EXPECT_TRUE(Keyring().Ids("contact").empty());
}

TEST(KeyringTest, OnlyPurposesPresentNeedAnActiveKey) {
  auto ring = Keyring::Parse(Keyring::GenerateLine("contact", "c1", true), "test");
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->Active("pseudonym"), nullptr);
  EXPECT_NE(ring->Active("contact"), nullptr);
}

TEST(KeyringTest, ErrorsNameOriginAndLineButNeverKeyMaterial) {
  const std::string p = Keyring::GenerateLine("pseudonym", "p1", true);  // line 2 below
  const std::string c = Keyring::GenerateLine("contact", "c1", true);
  const std::string c2 = Keyring::GenerateLine("contact", "c2", true);
  const std::string key = KeyOf(c);
  const std::string head = "# keys\n" + p + "\n";  // the bad line is line 3
  struct Case {
    std::string name;
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"bad base64", head + "contact c1 " + key.substr(0, 40) + "!!!= active\n",
       "line 3: key 'c1': not valid base64"},
      {"unpadded base64", head + "contact c1 " + key.substr(0, 43) + " active\n",
       "line 3: key 'c1': not valid base64"},
      {"wrong length", head + "contact c1 AAECAwQFBgcICQoLDA0ODw== active\n",
       "line 3: key 'c1': decodes to 16 bytes, expected 32"},
      {"too long", head + "contact c1 " + key.substr(0, 43) + "AAAA active\n", "line 3: key 'c1'"},
      {"duplicate id", head + c + "\n" + Keyring::GenerateLine("contact", "c1", false) + "\n",
       "line 4: duplicate key id 'c1' (first on line 3)"},
      {"duplicate id across purposes", head + Keyring::GenerateLine("contact", "p1", true) + "\n",
       "line 3: duplicate key id 'p1' (first on line 2)"},
      {"unknown purpose", head + "secret c1 " + key + " active\n", "line 3: unknown purpose 'secret'"},
      {"key in purpose column", head + key + " c1 " + key + "\n", "line 3: unknown purpose (not shown)"},
      {"key in id column", head + "contact " + key + " active\n", "line 3: key id must be 1-32 characters"},
      {"bad flag", head + "contact c1 " + key + " current\n", "line 3: key 'c1': the optional 4th field"},
      {"too few fields", head + "contact " + key + "\n", "line 3: expected '<purpose> <key-id>"},
      {"too many fields", head + c + " now\n", "line 3: expected '<purpose> <key-id> <base64 key> [active]', found 5"},
      {"two active", head + c + "\n" + c2 + "\n",
       "line 4: key 'c2': second active key for purpose 'contact' (key 'c1' on line 3"},
      {"no active", head + Inactive(c) + "\n", "purpose 'contact' has keys but none is marked active"},
      {"reused material", head + "contact c1 " + KeyOf(p) + " active\n",
       "line 3: key 'c1' has the same material as key 'p1' (line 2)"},
      {"no keys", "# nothing here\n\n", "contains no keys"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto ring = Keyring::Parse(tc.text, "/etc/fbl/keyring");
    ASSERT_FALSE(ring.ok());
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string msg = Message(ring.status());
    EXPECT_THAT(msg, HasSubstr("keyring /etc/fbl/keyring"));
    EXPECT_THAT(msg, HasSubstr(tc.expected));
    for (const std::string& k : {key, KeyOf(p), KeyOf(c2)}) {
      EXPECT_THAT(msg, Not(HasSubstr(k.substr(0, 12))));  // not even a prefix of any key
    }
  }
}

TEST(KeyringTest, GenerateLineMakesDistinctParseableKeys) {
  const std::string a = Keyring::GenerateLine("contact", "c1", true);
  const std::string b = Keyring::GenerateLine("contact", "c2", false);
  EXPECT_THAT(a, ::testing::StartsWith("contact c1 "));
  EXPECT_THAT(a, ::testing::EndsWith(" active"));
  EXPECT_EQ(KeyOf(a).size(), 44u);
  EXPECT_EQ(KeyOf(b), b.substr(b.rfind(' ') + 1));
  EXPECT_NE(KeyOf(a), KeyOf(b));
  EXPECT_TRUE(Keyring::Parse(a + "\n" + b + "\n", "test").ok());
}

TEST(KeyringTest, CopiesShareKeysThatOutliveTheOriginal) {
  const Key* key = nullptr;
  Keyring copy;
  EXPECT_EQ(copy.Active("contact"), nullptr);  // default: empty
  {
    auto ring = Keyring::Parse(FreshRing(), "test");
    ASSERT_TRUE(ring.ok());
    key = ring->Active("contact");
    copy = *ring;
  }
  EXPECT_EQ(copy.Active("contact"), key);
  EXPECT_EQ(copy.Active("contact")->material.size(), kKeyBytes);
}

TEST(KeyringTest, KeyMoveHandsOverMaterial) {
  Key a("k", std::string(kKeyBytes, 'x'));
  Key b(std::move(a));
  EXPECT_EQ(b.material, std::string(kKeyBytes, 'x'));
  Key c("other", std::string(kKeyBytes, 'y'));
  c = std::move(b);
  EXPECT_EQ(c.id, "k");
  EXPECT_EQ(c.material, std::string(kKeyBytes, 'x'));
}

class KeyringLoadTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv(kVar); }
  static constexpr const char* kVar = "FBL_PRIVACY_TEST_KEYRING";
};

TEST_F(KeyringLoadTest, FromEnvironmentWhenNoPath) {
  setenv(kVar, FreshRing("c-env").c_str(), 1);
  auto ring = Keyring::Load("", kVar);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->Active("contact")->id, "c-env");
}

TEST_F(KeyringLoadTest, EnvironmentErrorsNameTheVariable) {
  setenv(kVar, "contact c1 nope active\n", 1);
  auto bad = Keyring::Load("", kVar);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(bad.status()), HasSubstr(absl::StrCat("keyring $", kVar, " line 1")));
}

TEST_F(KeyringLoadTest, NeitherPathNorVariableIsAClearError) {
  unsetenv(kVar);
  auto missing = Keyring::Load("", kVar);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing.status()), HasSubstr(kVar));
  setenv(kVar, "", 1);  // set but empty counts as missing
  EXPECT_EQ(Keyring::Load("", kVar).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(KeyringLoadTest, FromFileWhichWinsOverTheVariable) {
  const std::string path = ::testing::TempDir() + "/privacy_keyring_test.txt";
  {
    std::ofstream out(path);
    out << FreshRing("c-file");
  }
  setenv(kVar, FreshRing("c-env").c_str(), 1);
  auto ring = Keyring::Load(path, kVar);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->Active("contact")->id, "c-file");
  {
    std::ofstream out(path);
    out << "pseudonym p1 short active\n";
  }
  auto bad = Keyring::Load(path, kVar);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(bad.status()), HasSubstr(absl::StrCat("keyring ", path, " line 1")));
  std::remove(path.c_str());
}

TEST_F(KeyringLoadTest, MissingOrOversizedFile) {
  auto missing = Keyring::Load("/nonexistent/fbl/keyring");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing.status()), HasSubstr("/nonexistent/fbl/keyring"));

  const std::string path = ::testing::TempDir() + "/privacy_keyring_big.txt";
  {
    std::ofstream out(path);
    out << FreshRing() << std::string(70000, '#') << "\n";
  }
  EXPECT_EQ(Keyring::Load(path).status().code(), absl::StatusCode::kInvalidArgument);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace fbl::privacy
