#include "rules/lazy_regex.h"

#include <re2/re2.h>

#include "util/error.h"

namespace keysweep {

std::unique_ptr<re2::RE2> compile_rule_regex(const std::string& pattern) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  // The context regexes need more than RE2's default 8 MiB to stay in the DFA.
  options.set_max_mem(std::int64_t(64) << 20);
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
