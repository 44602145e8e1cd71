#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "lint/yaml_outline.h"

using namespace keysweep;

namespace {

std::string_view value_of(std::string_view text, const YamlLine& line) {
  return text.substr(line.value.offset, line.value.length);
}

}  // namespace

TEST_CASE("yaml scalars are read as YAML reads them") {
  auto scalar = [](std::string_view line) {
    YamlScalar value = yaml_scalar(line, line.find(':') + 1, 0);
    return std::pair{std::string(line.substr(value.offset, value.length)), value.empty};
  };
  CHECK(scalar("appKey:  # <DATADOG_APP_KEY>") == std::pair{std::string(), true});
  CHECK(scalar("appKey: abc # note") == std::pair{std::string("abc"), false});
  CHECK(scalar("appKey: a#b") == std::pair{std::string("a#b"), false});
  CHECK(scalar("appKey: \"a # b\"  # note") == std::pair{std::string("a # b"), false});
  CHECK(scalar("appKey: 'it''s'") == std::pair{std::string("it''s"), false});
  CHECK(scalar("appKey: \"\"") == std::pair{std::string(), true});
  CHECK(scalar("appKey: ~").second);
  CHECK(scalar("appKey: null").second);
  CHECK(scalar("image: \"{{ include \"agent.image\" . }}\"") ==
        std::pair{std::string("{{ include \"agent.image\" . }}"), false});
}

TEST_CASE("the yaml outline nests lines by indentation, compact sequences and templates aside") {
  std::string_view text =
      "containers:\n"
      "- env:\n"
      "  {{- if .Values.appKey }}\n"
      "  - name: DD_APP_KEY\n"
      "  {{- end }}\n"
      "  # a comment\n"
      "  image: datadog/agent:7\n"
      "- name: other\n"
      "---\n"
      "key: |\n"
      "  text: not a key\n"
      "next: 1\n";
  std::vector<YamlLine> lines = outline_yaml(text);
  REQUIRE(lines.size() == 8);
  CHECK(lines[0].key == "containers");
  CHECK((lines[1].item && lines[1].key == "env" && lines[1].parent == 0));
  CHECK(
      (lines[2].key == "name" && value_of(text, lines[2]) == "DD_APP_KEY" && lines[2].parent == 1));
  CHECK((lines[3].key == "image" && lines[3].parent == 1));
  CHECK(lines[1].end == 4);
  CHECK((lines[4].key == "name" && lines[4].parent == 0));
  // After `---`, a new document: nothing is open.
  CHECK((lines[5].key == "key" && lines[5].parent == YamlLine::kNone));
  CHECK((lines[6].block_text && lines[6].key.empty() && lines[6].parent == 5));
  CHECK(value_of(text, lines[5]) == "text: not a key");
  CHECK((lines[7].key == "next" && lines[7].parent == YamlLine::kNone));
}
