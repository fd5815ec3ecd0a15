#include "services/intake/contact_access.h"

#include <gtest/gtest.h>

namespace fbl::intake {
namespace {

// Hand-written contact details (not from the data set).
TEST(MaskContactTest, KeepsOnlyRecognisableParts) {
  ::feedbackloop::feedback::v1::Contact c;
  c.set_phone("+86 138 0013 8000");
  c.set_email("zhang.wei@example.com");
  c.set_wechat_id("zw_1988");
  c.set_name("张伟");
  c.set_address("上海市浦东新区世纪大道100号");
  auto m = MaskContact(c);
  EXPECT_EQ(m.phone(), "138****8000");
  EXPECT_EQ(m.email(), "z***@example.com");
  EXPECT_EQ(m.wechat_id(), "zw***");
  EXPECT_EQ(m.name(), "张***");
  EXPECT_EQ(m.address(), "上海市***");
}

TEST(MaskContactTest, ShortAndEmptyValues) {
  ::feedbackloop::feedback::v1::Contact c;
  c.set_phone("12345");
  c.set_email("nobody");
  auto m = MaskContact(c);
  EXPECT_EQ(m.phone(), "****");
  EXPECT_EQ(m.email(), "***");
  EXPECT_TRUE(m.name().empty());
  EXPECT_TRUE(m.address().empty());
}

}  // namespace
}  // namespace fbl::intake
