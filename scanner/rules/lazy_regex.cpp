#include "rules/lazy_regex.h"

#include <re2/re2.h>

#include <algorithm>

#include "util/error.h"

namespace keysweep {

bool regex_reads_bytes(const std::string& pattern) {
  bool ascii = std::all_of(pattern.begin(), pattern.end(), [](char c) { return (c & 0x80) == 0; });
  bool unicode_escapes = pattern.find("\\p") != std::string::npos ||
                         pattern.find("\\P") != std::string::npos ||
                         pattern.find("\\x{") != std::string::npos;
  return ascii && !unicode_escapes;
}

std::unique_ptr<re2::RE2> compile_rule_regex(const std::string& pattern) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  // The context regexes need more than RE2's default 8 MiB to stay in the DFA.
  options.set_max_mem(std::int64_t(64) << 20);
  // An ASCII pattern compiles as Latin-1: it matches bytes, as Hyperscan does
  // (so a window's width and the regex agree), and its program is less than
  // half the size, because each `.` or negated class of a bounded repeat is
  // one byte range instead of a UTF-8 decoder. That halves the compile cost
  // on the hook path. A pattern with non-ASCII characters, Unicode classes
  // (\p, \P) or code points (\x{...}) keeps UTF-8.
  if (regex_reads_bytes(pattern)) options.set_encoding(re2::RE2::Options::EncodingLatin1);
  return std::make_unique<re2::RE2>(pattern, options);
}

LazyRegex::LazyRegex(std::string pattern) : pattern_(std::move(pattern)) {}
LazyRegex::~LazyRegex() = default;

void LazyRegex::compile() const {
  std::call_once(once_, [this] { regex_ = compile_rule_regex(pattern_); });
}

const re2::RE2& LazyRegex::get() const {
  compile();
  if (!regex_->ok()) throw RuntimeFailure("regex does not compile: " + regex_->error());
  return *regex_;
}

std::string LazyRegex::validate() const {
  compile();
  return regex_->ok() ? std::string() : regex_->error();
}

}  // namespace keysweep
