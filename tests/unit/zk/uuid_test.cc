#include "zk/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace samsa::zk {
namespace {

TEST(ZkUuidTest, TextIsBase64UrlOfTheBigEndianBytes) {
    const Uuid id(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    EXPECT_EQ(id.to_string(), "AAECAwQFBgcICQoLDA0ODw");
    EXPECT_EQ(Uuid(0xfbfbfbfbfbfbfbfbULL, 0xfbfbfbfbfbfbfbfbULL).to_string(),
              "-_v7-_v7-_v7-_v7-_v7-w");
}

TEST(ZkUuidTest, RandomIdsAre22CharactersAndRoundTrip) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const Uuid id = Uuid::random();
        const std::string text = id.to_string();
        ASSERT_EQ(text.size(), 22u);
        EXPECT_NE(text.front(), '-');
        EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_"),
                  std::string::npos);
        EXPECT_EQ(Uuid::from_string(text), id);
        seen.insert(text);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(ZkUuidTest, RandomIdsAreVersion4LikeJavaRandomUuid) {
    const auto b = Uuid::random().bytes();
    EXPECT_EQ(b[6] >> 4, 4);
    EXPECT_EQ(b[8] >> 6, 2);
}

TEST(ZkUuidTest, FromStringRejectsOtherForms) {
    EXPECT_FALSE(Uuid::from_string(""));
    EXPECT_FALSE(Uuid::from_string("AAECAwQFBgcICQoLDA0OD"));     // 21 characters
    EXPECT_FALSE(Uuid::from_string("AAECAwQFBgcICQoLDA0ODw=="));  // padded
    EXPECT_FALSE(Uuid::from_string("AAECAwQFBgcICQoLDA0O/w"));    // standard alphabet
    EXPECT_FALSE(Uuid::from_string("AAECAwQFBgcICQoLDA0O!w"));
    EXPECT_FALSE(Uuid::from_string("AAECAwQFBgcICQoLDA0ODx"));  // non-zero unused bits
}

}  // namespace
}  // namespace samsa::zk
