#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "inputs/text_decoding.h"
#include "util/entropy.h"
#include "util/escape.h"
#include "util/paths.h"
#include "util/sha256.h"
#include "util/token_checksum.h"
#include "util/worker_threads.h"

using namespace keysweep;

TEST_CASE("sha256 matches the FIPS 180-4 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 55, 56 and 64 bytes: the padding edge cases.
  CHECK(sha256_hex(std::string(55, 'a')) ==
        "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(sha256_hex(std::string(56, 'a')) ==
        "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives the same digest however the input is split") {
  Sha256 hasher;
  std::string text(200, 'x');
  hasher.update(std::string_view(text).substr(0, 63));
  hasher.update(std::string_view(text).substr(63));
  auto digest = hasher.finish();
  std::string hex;
  for (auto byte : digest) {
    static const char* k = "0123456789abcdef";
    hex += k[byte >> 4];
    hex += k[byte & 15];
  }
  CHECK(hex == sha256_hex(text));
}

TEST_CASE("crc32 and base62 follow the standard definitions") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("") == 0u);
  CHECK(base62(0, 6) == "000000");
  CHECK(base62(61, 1) == "z");
  CHECK(base62(62, 1) == "10");
  CHECK(base62(0xFFFFFFFFu, 6) == "4gfFC3");
}

TEST_CASE("access token checksums verify over the secret or the whole body") {
  const std::string secret = "Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq";
  const std::string token_secret_crc =
      "ddpat_7Hk2Lm9Pq3Rs8Tv1Wx4Yz6_" + secret + base62(crc32(secret), 6);
  CHECK(access_token_checksum(token_secret_crc) == ChecksumStatus::valid);

  const std::string body = "ddsat_7Hk2Lm9Pq3Rs8Tv1Wx4Yz6_" + secret;
  CHECK(access_token_checksum(body + base62(crc32(body), 6)) == ChecksumStatus::valid);

  std::string tampered = token_secret_crc;
  tampered[40] = tampered[40] == 'A' ? 'B' : 'A';
  CHECK(access_token_checksum(tampered) == ChecksumStatus::invalid);
  CHECK(access_token_checksum("ddpat_nounderscore") == ChecksumStatus::invalid);
  CHECK(access_token_checksum("4f8a9c2e7b1d3f6a5c8e9b2d4f7a1c3e") ==
        ChecksumStatus::not_applicable);
}

TEST_CASE("shannon entropy") {
  CHECK(shannon_entropy("") == 0.0);
  CHECK(shannon_entropy("aaaaaaaa") == 0.0);
  CHECK(shannon_entropy("0123456789abcdef") == Approx(4.0));
  CHECK(shannon_entropy("abab") == Approx(1.0));
}

TEST_CASE("terminal_safe escapes control characters and bytes that are not UTF-8") {
  CHECK(terminal_safe("plain text, tabs\tand ünïcödé") == "plain text, tabs\tand ünïcödé");
  CHECK(terminal_safe("a\x1b[31mred\x1b[0m") == "a\\x1b[31mred\\x1b[0m");
  CHECK(terminal_safe("line\nfake\rline") == "line\\nfake\\rline");
  CHECK(terminal_safe(std::string("nul\0del\x7f", 8)) == "nul\\x00del\\x7f");
  CHECK(terminal_safe("\xc2\x9b[J") == "\\xc2\\x9b[J");       // C1 CSI, as UTF-8
  CHECK(terminal_safe("bad\xff\xc3") == "bad\\xff\\xc3");     // stray byte, cut-short sequence
  CHECK(terminal_safe("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");  // overlong '/'
}

TEST_CASE("UTF-8 validation and base64") {
  CHECK(is_valid_utf8("héllo €𝄞"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64("\xff\n") == "/wo=");
}

TEST_CASE("a worker's exception reaches the joining thread and stops the others") {
  std::atomic<int> stopped_early{0};
  std::atomic<bool> on_stop_ran{false};
  WorkerThreads workers([&] { on_stop_ran = true; });
  workers.spawn([] { throw std::runtime_error("worker 0 failed"); });
  for (int i = 0; i < 3; ++i) {
    workers.spawn([&] {
      // Would run for ever if nobody told it to stop.
      while (!workers.stopping()) std::this_thread::yield();
      ++stopped_early;
    });
  }
  CHECK_THROWS_WITH(workers.join(), "worker 0 failed");
  CHECK(stopped_early == 3);
  CHECK(on_stop_ran);
}

TEST_CASE("only the first of several worker exceptions is rethrown; none escapes a thread") {
  WorkerThreads workers;
  std::atomic<int> started{0};
  for (int i = 0; i < 8; ++i) {
    workers.spawn([&] {
      ++started;
      throw std::logic_error("boom");
    });
  }
  CHECK_THROWS_AS(workers.join(), std::logic_error);
  CHECK(started == 8);
  CHECK(workers.stopping());
}

TEST_CASE("workers that succeed are joined quietly, and the destructor joins unjoined ones") {
  std::atomic<int> done{0};
  {
    WorkerThreads workers;
    for (int i = 0; i < 4; ++i) workers.spawn([&] { ++done; });
    workers.join();
    CHECK_FALSE(workers.stopping());
  }
  CHECK(done == 4);
  {
    WorkerThreads unjoined;
    unjoined.spawn([&] { ++done; });
  }  // joined here: no std::terminate
  CHECK(done == 5);
}

TEST_CASE("paths are re-expressed from one directory to another") {
  PathRebase down("/repo/services/web", "/repo");
  CHECK(down("app/a.env") == "services/web/app/a.env");
  CHECK(down("../api/b.env") == "services/api/b.env");
  PathRebase up("/repo", "/repo/services/web");
  CHECK(up("services/web/app/a.env") == "app/a.env");
  CHECK_FALSE(up("services/api/b.env"));
  CHECK_FALSE(up("/elsewhere/c.env"));
  PathRebase same("/repo", "/repo");
  CHECK(same.is_identity());
  CHECK(same("a/b.env") == "a/b.env");
  CHECK(PathRebase()("a/b.env") == "a/b.env");
}

TEST_CASE("UTF-16 and UTF-32 text is transcoded and binary is not") {
  std::string buffer;
  std::string_view text;
  // "é=1\n" then U+1F600 (a surrogate pair in UTF-16).
  const std::string le_bom(
      "\xFF\xFE\xE9\x00=\x00"
      "1\x00\n\x00\x3D\xD8\x00\xDE",
      14);
  REQUIRE(text_for_scanning(le_bom, buffer, text));
  CHECK(text == "\xC3\xA9=1\n\xF0\x9F\x98\x80");
  const std::string be_bom("\xFE\xFF\x00\xE9\x00=", 6);
  REQUIRE(text_for_scanning(be_bom, buffer, text));
  CHECK(text == "\xC3\xA9=");
  const std::string utf32(
      "\xFF\xFE\x00\x00"
      "A\x00\x00\x00\x00\xF6\x01\x00",
      12);
  REQUIRE(text_for_scanning(utf32, buffer, text));
  CHECK(text == "A\xF0\x9F\x98\x80");
  const std::string le_plain("k\x00=\x00v\x00", 6);
  REQUIRE(text_for_scanning(le_plain, buffer, text));
  CHECK(text == "k=v");
  const std::string be_plain("\x00k\x00=\x00v", 6);
  REQUIRE(text_for_scanning(be_plain, buffer, text));
  CHECK(text == "k=v");
  // An unpaired surrogate after a mark stays one code point: U+FFFD.
  const std::string lone(
      "\xFF\xFE\x00\xD8"
      "a\x00",
      6);
  REQUIRE(text_for_scanning(lone, buffer, text));
  CHECK(text ==
        "\xEF\xBF\xBD"
        "a");
  const std::string utf8 = "plain text";
  REQUIRE(text_for_scanning(utf8, buffer, text));
  CHECK(text.data() == utf8.data());
  CHECK_FALSE(text_for_scanning(std::string("\x7F"
                                            "ELF\x00\x00\x01\x02",
                                            8),
                                buffer, text));
  // Mostly non-ASCII code units (or NUL ones) without a mark are not UTF-16.
  CHECK_FALSE(text_for_scanning(std::string("\x01\x02\x03\x04\x00\x00\x05\x06", 8), buffer, text));
}
