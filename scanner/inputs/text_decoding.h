#pragma once
// Text that is not UTF-8: Windows tools write UTF-16 (PowerShell's `>`,
// .reg exports, some .config files), and its NUL bytes would make it look
// binary. Such text is transcoded to UTF-8 before scanning; lines and columns
// in code points are then the same as in the original, as an editor shows them.

#include <string>
#include <string_view>

namespace keysweep {

/// A NUL byte in this many leading bytes marks a file as binary (as git and ripgrep decide).
constexpr std::size_t kBinaryProbeBytes = 8192;

/// Sets `text` to the UTF-8 to scan and returns true, or returns false for
/// binary input. UTF-16/32 with a byte order mark, and UTF-16 LE/BE without
/// one when every other byte of the first few KiB is NUL (mostly ASCII), is
/// transcoded into `buffer` (without the mark); other input with a NUL byte in
/// its first kBinaryProbeBytes is binary; the rest is `bytes` as they are.
/// One call for every input that reads raw bytes (files, stdin, git blobs).
bool text_for_scanning(std::string_view bytes, std::string& buffer, std::string_view& text);

}  // namespace keysweep
