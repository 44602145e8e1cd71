#pragma once
// SHA-256 (FIPS 180-4). Findings are identified by the hash of the secret, and
// stores keep only hashes, so this is on every path that touches a secret.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace keysweep {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::array<std::uint8_t, 32> finish();

 private:
  void compress(const std::uint8_t* block);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

/// Lowercase hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace keysweep
