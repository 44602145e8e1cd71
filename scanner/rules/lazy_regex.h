#pragma once
// A rule's RE2 regex, compiled on first use. The Datadog context regexes are
// large (bounded repeats of 200 bytes); compiling them is most of a cold
// start, and a pre-commit hook whose files never hit a keyword should not pay
// for it. Shared between copies of a Rule; thread-safe.

#include <memory>
#include <mutex>
#include <string>

namespace re2 {
class RE2;
}

namespace keysweep {

class LazyRegex {
 public:
  explicit LazyRegex(std::string pattern);
  ~LazyRegex();

  /// The compiled regex (compiling it on the first call). Throws RuntimeFailure
  /// if it does not compile: validate() first wherever that can happen.
  const re2::RE2& get() const;

  /// Compiles now; returns RE2's error, or "" when the regex is good.
  std::string validate() const;

  const std::string& pattern() const { return pattern_; }

 private:
  void compile() const;
  std::string pattern_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<re2::RE2> regex_;
};

/// RE2 with the options every rule regex uses.
std::unique_ptr<re2::RE2> compile_rule_regex(const std::string& pattern);

/// True when compile_rule_regex reads `pattern` byte by byte (Latin-1), as
/// Hyperscan does: ASCII, without Unicode classes or code points.
bool regex_reads_bytes(const std::string& pattern);

}  // namespace keysweep
