#pragma once
// Scanned bytes are untrusted: a line or a file name can carry escape
// sequences that rewrite a terminal, or bytes that are not UTF-8. These
// helpers make such text safe to show, and tell when it must be kept aside.

#include <optional>
#include <string>
#include <string_view>

namespace keysweep {

/// The length of the well-formed UTF-8 sequence at `at` (1 to 4), with its
/// code point; 0 when the bytes there are not one (overlong, surrogate, cut short).
std::size_t utf8_sequence(std::string_view text, std::size_t at, char32_t& code_point);

bool is_valid_utf8(std::string_view text);

/// For a terminal: control characters (C0, DEL, C1) and bytes that are not
/// UTF-8 are written as escapes (`\x1b`, `\r`, `\n`, `\t` stays a tab), so
/// a scanned line or a file name cannot move the cursor, recolour, or fake
/// a line of output. Display only: a backslash is not doubled.
std::string terminal_safe(std::string_view text);

/// The standard base64 alphabet (RFC 4648), value order.
inline constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648, with padding).
std::string base64(std::string_view bytes);

/// Standard base64, with or without padding; nullopt when `text` is not.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace keysweep
