#!/usr/bin/env python3
"""Writes a C++ source that embeds files in the binary (the built-in rules, the
git hook scripts), so keysweep works with no installation beyond itself.
Bytes are emitted as numbers: no escaping traps.

    embed_files.py OUTPUT HEADER FUNCTION FILE...
defines `FUNCTION()` (declared in HEADER) returning (file name, bytes) pairs
in file-name order."""
import os
import sys

output, header, function, inputs = sys.argv[1], sys.argv[2], sys.argv[3], sorted(sys.argv[4:], key=os.path.basename)
lines = [f'#include "{header}"', "", "namespace keysweep {", "namespace {"]
entries = []
for index, path in enumerate(inputs):
    with open(path, "rb") as handle:
        data = handle.read()
    body = ",".join(str(byte) for byte in data)
    lines.append(f"constexpr char kFile{index}[] = {{{body}}};")
    entries.append(f'{{"{os.path.basename(path)}", std::string_view(kFile{index}, {len(data)})}}')
lines += ["}  // namespace", "",
          f"const std::vector<std::pair<std::string_view, std::string_view>>& {function}() {{",
          "  static const std::vector<std::pair<std::string_view, std::string_view>> files = {",
          "      " + ",\n      ".join(entries) + "};",
          "  return files;", "}", "", "}  // namespace keysweep", ""]
with open(output, "w", encoding="utf-8") as handle:
    handle.write("\n".join(lines))
