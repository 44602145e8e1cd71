#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace keysweep {

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return std::nullopt;
  std::ostringstream text;
  text << input.rdbuf();
  return text.str();
}

std::string ascii_lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

void split_name_words(std::string_view name, std::vector<std::string>& words) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string word;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!lower(c) && !upper(c) && !digit(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    // A hump: "apiKey" splits before K; "APIKey" splits before K (the last
    // capital of a run that a lowercase letter follows).
    bool hump = !word.empty() && upper(c) &&
                (lower(name[i - 1]) || digit(name[i - 1]) ||
                 (upper(name[i - 1]) && i + 1 < name.size() && lower(name[i + 1])));
    if (hump) {
      words.push_back(std::move(word));
      word.clear();
    }
    word.push_back(upper(c) ? char(c - 'A' + 'a') : c);
  }
  if (!word.empty()) words.push_back(std::move(word));
}

std::string trim_line_ends(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace keysweep
