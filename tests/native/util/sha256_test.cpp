// SHA-256 against the FIPS 180-2 example messages and NIST's long-message
// vector, streaming in odd pieces against one-shot hashing, and hex both ways.
#include "core/util/sha256.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace clip {
namespace {

std::string hex_of(const std::string& msg) { return to_hex(sha256(msg.data(), msg.size())); }

TEST(Sha256, FipsExamples) {
  EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, MillionAs) {
  const std::string a(1000000, 'a');
  EXPECT_EQ(hex_of(a), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaries) {
  // 55, 56 and 64 bytes straddle the one-or-two-block padding cases.
  EXPECT_EQ(hex_of(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(hex_of(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(hex_of(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, StreamingMatchesOneShot) {
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 131 + 7);
  const auto expected = sha256(data.data(), data.size());
  for (size_t piece : {1, 3, 63, 64, 65, 200}) {
    Sha256 s;
    for (size_t at = 0; at < data.size(); at += piece) s.update(data.data() + at, std::min(piece, data.size() - at));
    EXPECT_EQ(s.finish(), expected) << "piece size " << piece;
  }
}

TEST(Sha256, HexIsLowercase) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(to_hex(bytes, 4), "000fa0ff");
}

TEST(Sha256, FromHexInvertsToHex) {
  const auto digest = sha256("abc", 3);
  std::array<uint8_t, 32> back{};
  ASSERT_TRUE(sha256_from_hex(to_hex(digest), &back));
  EXPECT_EQ(back, digest);
  std::string upper = to_hex(digest);
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(sha256_from_hex(upper, &back));
  EXPECT_EQ(back, digest);
}

TEST(Sha256, FromHexRefusesAnythingElse) {
  std::array<uint8_t, 32> out{};
  const std::string good = to_hex(sha256("", 0));
  EXPECT_FALSE(sha256_from_hex("", &out));
  EXPECT_FALSE(sha256_from_hex(good.substr(1), &out));                // 63 digits
  EXPECT_FALSE(sha256_from_hex(good + "0", &out));                    // 65 digits
  EXPECT_FALSE(sha256_from_hex("g" + good.substr(1), &out));          // not hex
  EXPECT_FALSE(sha256_from_hex(std::string(64, ' '), &out));
}

}  // namespace
}  // namespace clip
