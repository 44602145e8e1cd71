#include "util/token_checksum.h"

#include <array>

namespace keysweep {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();
constexpr std::size_t kChecksumLength = 6;

}  // namespace

std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) crc = kCrcTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string base62(std::uint64_t value, std::size_t width) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string digits;
  do {
    digits.insert(digits.begin(), kAlphabet[value % 62]);
    value /= 62;
  } while (value != 0);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

ChecksumStatus access_token_checksum(std::string_view token) {
  if (!token.starts_with("ddpat_") && !token.starts_with("ddsat_")) {
    return ChecksumStatus::not_applicable;
  }
  // <prefix>_<alias>_<secret><checksum>: the secret starts after the second '_'.
  std::size_t alias_end = token.find('_', 6);
  if (alias_end == std::string_view::npos || token.size() < alias_end + 1 + kChecksumLength + 1) {
    return ChecksumStatus::invalid;
  }
  std::string_view body = token.substr(0, token.size() - kChecksumLength);
  std::string_view secret = body.substr(alias_end + 1);
  std::string_view checksum = token.substr(token.size() - kChecksumLength);
  if (checksum == base62(crc32(secret), kChecksumLength) ||
      checksum == base62(crc32(body), kChecksumLength)) {
    return ChecksumStatus::valid;
  }
  return ChecksumStatus::invalid;
}

}  // namespace keysweep
