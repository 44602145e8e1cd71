#pragma once
// Checksums of Datadog's prefixed access tokens (ddpat_, ddsat_).
//
// A token is `<prefix>_<alias>_<secret><checksum>`: the alias is base62 of the
// token's UUID, the secret is base62 of 32 random bytes, and the checksum is
// the CRC32 (IEEE) encoded in GitHub's style: base62 with alphabet 0-9A-Za-z,
// left-padded with '0' to 6 characters.
//
// Which bytes the CRC covers is not documented publicly. GitHub's scheme covers
// the random part; a whole-token scheme covers everything before the checksum.
// We accept either: the chance that a random 6-char tail matches one of two
// CRCs is 2 / 62^6 (about 4e-11), so "valid" still means "not a typo".

#include <cstdint>
#include <string>
#include <string_view>

namespace keysweep {

std::uint32_t crc32(std::string_view data);

/// base62 (0-9A-Za-z) of value, left-padded with '0' to at least width characters.
std::string base62(std::uint64_t value, std::size_t width);

enum class ChecksumStatus { not_applicable, valid, invalid };

/// The checksum status of a token that starts with ddpat_ or ddsat_; not_applicable otherwise.
ChecksumStatus access_token_checksum(std::string_view token);

}  // namespace keysweep
