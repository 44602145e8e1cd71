#include "util/escape.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace keysweep {

std::size_t utf8_sequence(std::string_view text, std::size_t at, char32_t& code_point) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t length = lead >= 0xc2 && lead <= 0xdf   ? 2
                       : lead >= 0xe0 && lead <= 0xef ? 3
                       : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                      : 0;
  if (length == 0 || at + length > text.size()) return 0;
  char32_t value = lead & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
    value = (value << 6) | (byte(at + i) & 0x3f);
  }
  bool overlong = (length == 3 && value < 0x800) || (length == 4 && value < 0x10000);
  if (overlong || (value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) return 0;
  code_point = value;
  return length;
}

bool is_valid_utf8(std::string_view text) {
  char32_t code_point;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length = utf8_sequence(text, at, code_point);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char32_t code_point;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length = utf8_sequence(text, at, code_point);
    bool control = length == 0 || (code_point < 0x20 && code_point != '\t') ||
                   (code_point >= 0x7f && code_point <= 0x9f);
    if (!control) {
      out.append(text, at, length);
      at += length;
      continue;
    }
    if (length == 0) length = 1;  // one stray byte at a time
    for (std::size_t i = at; i < at + length; ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        char escaped[5];
        std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
        out += escaped;
      }
    }
    at += length;
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t at = 0; at < bytes.size(); at += 3) {
    std::size_t take = std::min<std::size_t>(3, bytes.size() - at);
    std::uint32_t group = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      group = (group << 8) | (i < take ? static_cast<unsigned char>(bytes[at + i]) : 0u);
    }
    for (std::size_t i = 0; i < 4; ++i) {
      out += i <= take ? kBase64Alphabet[(group >> (18 - 6 * i)) & 0x3f] : '=';
    }
  }
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const char* at = std::strchr(kBase64Alphabet, c);
    if (c == '\0' || at == nullptr) return std::nullopt;
    buffer = (buffer << 6) | unsigned(at - kBase64Alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace keysweep
