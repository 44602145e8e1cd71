#include "inputs/text_decoding.h"

#include <cstdint>
#include <cstring>

namespace keysweep {
namespace {

enum class WideEncoding { utf16le, utf16be, utf32le, utf32be };
enum class TextKind { utf8, transcoded, binary };

/// UTF-16 without a BOM is recognised by its NUL pattern over this many bytes.
constexpr std::size_t kWideProbeBytes = 4096;

bool starts_with(std::string_view bytes, std::string_view prefix) {
  return bytes.substr(0, prefix.size()) == prefix;
}

/// Which of the two bytes of each UTF-16 unit is NUL for mostly-ASCII text:
/// the high one, at odd offsets for LE and even ones for BE.
bool looks_utf16(std::string_view bytes, bool little_endian) {
  std::size_t probe = std::min(bytes.size(), kWideProbeBytes) & ~std::size_t(1);
  if (probe < 2) return false;
  std::size_t ascii = 0;
  for (std::size_t i = 0; i < probe; i += 2) {
    unsigned char low = static_cast<unsigned char>(bytes[little_endian ? i : i + 1]);
    unsigned char high = static_cast<unsigned char>(bytes[little_endian ? i + 1 : i]);
    if (low == 0) return false;  // a NUL code unit: not text
    if (high == 0) ++ascii;
  }
  // Mostly ASCII; the rest (accents, CJK) has a non-NUL high byte.
  return ascii * 10 >= (probe / 2) * 9;
}

void append_utf8(std::uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += char(code_point);
  } else if (code_point < 0x800) {
    out += char(0xC0 | (code_point >> 6));
    out += char(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += char(0xE0 | (code_point >> 12));
    out += char(0x80 | ((code_point >> 6) & 0x3F));
    out += char(0x80 | (code_point & 0x3F));
  } else {
    out += char(0xF0 | (code_point >> 18));
    out += char(0x80 | ((code_point >> 12) & 0x3F));
    out += char(0x80 | ((code_point >> 6) & 0x3F));
    out += char(0x80 | (code_point & 0x3F));
  }
}

/// Transcodes to UTF-8. A malformed unit (an unpaired surrogate, a value past
/// U+10FFFF, a trailing odd byte) becomes U+FFFD: one code point for one, so
/// the columns after it stay right. Returns how many were malformed.
std::size_t transcode(std::string_view bytes, WideEncoding encoding, std::string& out) {
  constexpr std::uint32_t kReplacement = 0xFFFD;
  bool wide32 = encoding == WideEncoding::utf32le || encoding == WideEncoding::utf32be;
  bool little = encoding == WideEncoding::utf16le || encoding == WideEncoding::utf32le;
  std::size_t unit = wide32 ? 4 : 2;
  auto read = [&](std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < unit; ++k) {
      std::uint32_t byte = static_cast<unsigned char>(bytes[at + (little ? k : unit - 1 - k)]);
      value |= byte << (8 * k);
    }
    return value;
  };
  out.clear();
  out.reserve(bytes.size());
  std::size_t malformed = 0;
  std::size_t at = 0;
  for (; at + unit <= bytes.size(); at += unit) {
    std::uint32_t value = read(at);
    if (!wide32 && value >= 0xD800 && value <= 0xDBFF && at + 2 * unit <= bytes.size()) {
      std::uint32_t low = read(at + unit);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00), out);
        at += unit;
        continue;
      }
    }
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
      ++malformed;
      value = kReplacement;
    }
    append_utf8(value, out);
  }
  if (at < bytes.size()) {
    ++malformed;
    append_utf8(kReplacement, out);
  }
  return malformed;
}

TextKind decode_text(std::string_view bytes, std::string& transcoded) {
  // UTF-32 LE's mark begins with UTF-16 LE's: test it first.
  struct Mark {
    std::string_view bytes;
    WideEncoding encoding;
  };
  static constexpr Mark kMarks[] = {
      {std::string_view("\xFF\xFE\x00\x00", 4), WideEncoding::utf32le},
      {std::string_view("\x00\x00\xFE\xFF", 4), WideEncoding::utf32be},
      {std::string_view("\xFF\xFE", 2), WideEncoding::utf16le},
      {std::string_view("\xFE\xFF", 2), WideEncoding::utf16be},
  };
  for (const Mark& mark : kMarks) {
    if (starts_with(bytes, mark.bytes)) {
      transcode(bytes.substr(mark.bytes.size()), mark.encoding, transcoded);
      return TextKind::transcoded;
    }
  }
  std::size_t probe = std::min(bytes.size(), kBinaryProbeBytes);
  if (std::memchr(bytes.data(), '\0', probe) == nullptr) {
    // A UTF-8 byte order mark is no character an editor shows: columns count without it.
    if (starts_with(bytes, "\xEF\xBB\xBF")) {
      transcoded.assign(bytes.substr(3));
      return TextKind::transcoded;
    }
    return TextKind::utf8;
  }
  // Without a mark, only a clean decode counts: a binary file can have the
  // NUL pattern too, but rarely decodes without a malformed unit.
  for (bool little : {true, false}) {
    if (looks_utf16(bytes, little) &&
        transcode(bytes, little ? WideEncoding::utf16le : WideEncoding::utf16be, transcoded) == 0) {
      return TextKind::transcoded;
    }
  }
  transcoded.clear();
  return TextKind::binary;
}

}  // namespace

bool text_for_scanning(std::string_view bytes, std::string& buffer, std::string_view& text) {
  switch (decode_text(bytes, buffer)) {
    case TextKind::utf8:
      text = bytes;
      return true;
    case TextKind::transcoded:
      text = buffer;
      return true;
    case TextKind::binary:
      text = {};
      return false;
  }
  return false;
}

}  // namespace keysweep
