#!/usr/bin/env python3
"""Writes a C++ source that embeds the built-in rule files, so `keysweep scan`
works with no configuration. Bytes are emitted as numbers: no escaping traps."""
import os
import sys

output, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
lines = ['#include "rules/builtin_rules.h"', "", "namespace keysweep {", "namespace {"]
entries = []
for index, path in enumerate(inputs):
    with open(path, "rb") as handle:
        data = handle.read()
    body = ",".join(str(byte) for byte in data)
    lines.append(f"constexpr char kRuleFile{index}[] = {{{body}}};")
    entries.append(f'{{"{os.path.basename(path)}", std::string_view(kRuleFile{index}, {len(data)})}}')
lines += ["}  // namespace", "",
          "const std::vector<std::pair<std::string_view, std::string_view>>& builtin_rule_files() {",
          "  static const std::vector<std::pair<std::string_view, std::string_view>> files = {",
          "      " + ",\n      ".join(entries) + "};",
          "  return files;", "}", "", "}  // namespace keysweep", ""]
with open(output, "w", encoding="utf-8") as handle:
    handle.write("\n".join(lines))
