#include "core/lb/xxhash64.h"

#include <gtest/gtest.h>

namespace meshsim::core {
namespace {

// Published reference values of XXH64 (xxHash's own test vectors / python-xxhash documentation).
TEST(XxHash64Test, PublishedVectors) {
  EXPECT_EQ(xxHash64("", 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(xxHash64("a", 0), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(xxHash64("abc", 0), 0x44BC2CF5AD770999ULL);
  // 39 bytes: one 32-byte stripe, then a 4-byte and three 1-byte tail steps.
  EXPECT_EQ(xxHash64("Nobody inspects the spammish repetition", 0), 0xFBCEA83C8A378BF1ULL);
}

TEST(XxHash64Test, SeedChangesHash) {
  EXPECT_NE(xxHash64("10.0.0.1:80", 0), xxHash64("10.0.0.1:80", 1));
  EXPECT_EQ(xxHash64("10.0.0.1:80", 1), xxHash64("10.0.0.1:80", 1));
}

}  // namespace
}  // namespace meshsim::core
