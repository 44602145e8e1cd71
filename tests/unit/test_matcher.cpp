#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <tuple>

#include "findings/scan_result.h"
#include "matcher/byte_runs.h"
#include "matcher/database_cache.h"
#include "matcher/secret_span_index.h"
#include "test_helpers.h"
#include "util/entropy.h"
#include "util/escape.h"
#include "util/text.h"

using namespace keysweep;
using keysweep::test::Engine;
using keysweep::test::kApiKey;
using keysweep::test::kAppKey;

namespace {

std::string secret_of(const std::string& text, const RawMatch& match) {
  return text.substr(match.secret_start, match.secret_end - match.secret_start);
}

const char* kTokenRule = R"toml(
[[rules]]
id = "token"
regex = '''token=([a-z0-9]{12})\b'''
keywords = ["token="]
entropy = 2.5
)toml";

}  // namespace

TEST_CASE("a hex token is a key when its own name says so") {
  Engine engine(test::builtin_ruleset());
  std::string text = "# config\nDD_API_KEY=" + kApiKey + "\n";
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 1);
  CHECK(secret_of(text, matches[0]) == kApiKey);
  CHECK(engine.ruleset->rules[matches[0].rule].id == "datadog-api-key");
  CHECK(matches[0].match_start == text.find(kApiKey));
}

TEST_CASE("a keyword hit opens a window and RE2 extracts the capture") {
  Engine engine(test::ruleset_from(kTokenRule));
  std::string text = "# config\ntoken=k3j9x2m8q7w1\n";
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 1);
  CHECK(secret_of(text, matches[0]) == "k3j9x2m8q7w1");
  CHECK(matches[0].match_start == text.find("token="));
}

TEST_CASE(
    "attribution by own name: another vendor's name is not Datadog's, however near datadog is") {
  Engine engine(test::builtin_ruleset());
  CHECK(engine.raw("DD_SITE=datadoghq.com\nALGOLIA_API_KEY=" + kApiKey + "\n").empty());
  CHECK(engine.raw("provider: datadog\nmailchimp:\n  api_key: " + kApiKey + "\n").empty());
  CHECK(engine.raw("provider: datadog\nmailchimp:\n  api_key: " + kApiKey + "-us21\n").empty());
  CHECK(engine.raw("datadog:\n  image_sha256: " + kApiKey + "\n").empty());
  // ... and a Datadog name needs no mention of datadog at all.
  CHECK(
      engine.raw(std::string(3000, '#') + "\nvar ddAPIKey string = \"" + kApiKey + "\"\n").size() ==
      1);
  CHECK(engine.raw("configuration.api_key[\"apiKeyAuth\"] = \"" + kApiKey + "\"\n").size() == 1);
}

TEST_CASE("a key with a Datadog name of its own is never dropped by entropy") {
  Engine engine(test::builtin_ruleset());
  // A random key (as about 1 in 10,000 are) under the 3.0 bits-per-byte floor.
  const std::string low = "1191c81270b791801291c7c9071721b2";
  REQUIRE(shannon_entropy(low) < 3.0);
  CHECK(engine.raw("DD_API_KEY=" + low + "\n").size() == 1);
  // Under a generic name the floor still separates placeholders from keys.
  CHECK(engine.raw("# datadog\napi_key = \"" + low + "\"\n").empty());
}

TEST_CASE("a generic name needs a Datadog mention within the context window") {
  Engine engine(test::builtin_ruleset());
  std::string near = "# datadog\napi_key = \"" + kApiKey + "\"\n";
  CHECK(engine.raw(near).size() == 1);
  std::string far = "# datadog\n" + std::string(1100, 'x') + "\napi_key = \"" + kApiKey + "\"\n";
  CHECK(engine.raw(far).empty());
  CHECK(engine.raw("api_key = \"" + kApiKey + "\"\n").empty());
}

TEST_CASE("base64 values under a Datadog name are decoded") {
  Engine engine(test::builtin_ruleset());
  // base64("4f8a9c2e7b1d3f6a5c8e9b2d4f7a1c3e")
  std::string encoded = "NGY4YTljMmU3YjFkM2Y2YTVjOGU5YjJkNGY3YTFjM2U=";
  REQUIRE(decode_base64(encoded) == kApiKey);
  std::string text =
      "kind: Secret\nmetadata:\n  name: datadog-secret\ndata:\n  api-key: " + encoded + "\n";
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].encoding == Encoding::base64);
  CHECK(secret_of(text, matches[0]) == encoded);
  auto findings = engine.findings(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].secret == kApiKey);
  CHECK(findings[0].encoding == Encoding::base64);
  // Under a name that is not a secret's, nothing is decoded into a finding.
  CHECK(engine
            .raw("kind: Secret\nmetadata:\n  name: datadog-secret\ndata:\n  ca.crt: " + encoded +
                 "\n")
            .empty());
}

TEST_CASE("the next-line pragma allows the value on the following line") {
  Engine engine(test::builtin_ruleset());
  CHECK(engine.raw("# pragma: allowlist nextline secret\nDD_API_KEY=" + kApiKey + "\n").empty());
  CHECK(engine.raw("# keysweep:allow-next-line\nDD_API_KEY=" + kApiKey + "\n").empty());
  CHECK(engine.raw("# keysweep:allow-next-line\n\nDD_API_KEY=" + kApiKey + "\n").size() == 1);
}

TEST_CASE("pathological input: the work per candidate is bounded") {
  Engine engine(test::builtin_ruleset());
  std::string line = "datadog api_key " + kApiKey + "\n";
  std::string text;
  while (text.size() < (10u << 20)) text += line;
  std::size_t lines = text.size() / line.size();
  auto matches = engine.raw(text);
  CHECK(matches.size() == lines);
  const MatchWork& work = Matcher::work(*engine.scratch);
  CHECK(work.tokens == lines);
  // The name chain of each candidate reads a bounded number of bytes ...
  CHECK(work.context_bytes <= lines * 1024);
  // ... and no regex ran over the keyword-dense text at all.
  CHECK(work.regex_bytes == 0);

  // A regex rule with a keyword on every line: RE2 sees each byte a bounded number of times.
  Engine regex_engine(test::ruleset_from(kTokenRule));
  std::string dense;
  while (dense.size() < (10u << 20)) dense += "token=k3j9x2m8q7w1 token=\n";
  regex_engine.raw(dense);
  const MatchWork& regex_work = Matcher::work(*regex_engine.scratch);
  CHECK(regex_work.regex_bytes <= 3 * dense.size());
}

TEST_CASE("matches at the very start and end of the buffer are found") {
  Engine engine(test::builtin_ruleset());
  std::string text = "DD_API_KEY=" + kApiKey;
  REQUIRE(engine.raw(text).size() == 1);
  std::string token = "pub" + kApiKey;
  auto matches = engine.raw(token);
  REQUIRE(matches.size() == 1);
  CHECK(secret_of(token, matches[0]) == token);
}

TEST_CASE("word boundaries look past the window edges") {
  Engine engine(test::builtin_ruleset());
  // A hex run longer than a key is not a key, even though the window ends inside it.
  CHECK(engine.raw("DD_API_KEY=" + kApiKey + "abcdef").empty());
  // A RUM token glued to a word is not a token.
  CHECK(engine.raw("xpub" + kApiKey).empty());
}

TEST_CASE("every occurrence is reported, in a large buffer too") {
  Engine engine(test::builtin_ruleset());
  std::string filler(1 << 20, 'x');
  std::string text = "DD_API_KEY=" + kApiKey + "\n" + filler + "\nDD_APP_KEY=" + kAppKey + "\n" +
                     filler + "\nDD_API_KEY=" + kApiKey + "\n";
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 3);
  std::multiset<std::string> secrets;
  for (const RawMatch& match : matches) secrets.insert(secret_of(text, match));
  CHECK(secrets == std::multiset<std::string>{kApiKey, kApiKey, kAppKey});
}

TEST_CASE("entropy filters low-entropy values") {
  Engine engine(test::ruleset_from(kTokenRule));
  CHECK(engine.raw("token=aaaaaaaaaaaa").empty());
  CHECK(engine.raw("token=k3j9x2m8q7w1").size() == 1);
}

TEST_CASE("rule path filters and allowlists") {
  Engine engine(test::ruleset_from(std::string(kTokenRule) + R"toml(
path = '''\.(?:env|cfg)$'''
[[rules.allowlists]]
stopwords = ["k3j9"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\s*fake''']
[[rules.allowlists]]
condition = "AND"
paths = ['''^fixtures/''']
regexes = ['''^z''']
)toml"));
  CHECK(engine.raw("token=p5r8t2v6y4b1", "app.env").size() == 1);
  CHECK(engine.raw("token=p5r8t2v6y4b1", "app.txt").empty());             // path filter
  CHECK(engine.raw("token=k3j9x2m8q7w1", "app.env").empty());             // stopword
  CHECK(engine.raw("token=p5r8t2v6y4b1 # fake", "app.env").empty());      // line regex
  CHECK(engine.raw("token=z5r8t2v6y4b1", "fixtures/a.env").empty());      // AND: both
  CHECK(engine.raw("token=z5r8t2v6y4b1", "src/a.env").size() == 1);       // AND: one only
  CHECK(engine.raw("token=p5r8t2v6y4b1", "fixtures/a.env").size() == 1);  // AND: one only
}

TEST_CASE("the matcher marks what an allowlist or an inline allow sets aside; it drops nothing") {
  Engine engine(test::ruleset_from(std::string(kTokenRule) + R"toml(
[[rules.allowlists]]
stopwords = ["k3j9"]
)toml"));
  auto marks = [&](const std::string& text) {
    std::vector<std::pair<std::string, Suppression>> out;
    for (const RawMatch& match : engine.all_matches(text))
      out.emplace_back(secret_of(text, match), match.suppressed_by);
    return out;
  };
  using Marks = std::vector<std::pair<std::string, Suppression>>;
  CHECK(marks("token=p5r8t2v6y4b1\n") == Marks{{"p5r8t2v6y4b1", Suppression::none}});
  CHECK(marks("token=k3j9x2m8q7w1\n") == Marks{{"k3j9x2m8q7w1", Suppression::allowlist}});
  CHECK(marks("token=p5r8t2v6y4b1 # keysweep:allow\n") ==
        Marks{{"p5r8t2v6y4b1", Suppression::inline_allow}});
  CHECK(marks("# keysweep:allow-next-line\ntoken=p5r8t2v6y4b1\n") ==
        Marks{{"p5r8t2v6y4b1", Suppression::inline_allow}});
  // An inline allow is the nearer evidence: it is what a stopword match on that line is marked.
  CHECK(marks("token=k3j9x2m8q7w1 # gitleaks:allow\n") ==
        Marks{{"k3j9x2m8q7w1", Suppression::inline_allow}});
  // Reported matches are as if the set-aside ones did not exist.
  CHECK(engine.raw("token=k3j9x2m8q7w1\ntoken=p5r8t2v6y4b1\n").size() == 1);
  // Findings carry the mark; a set-aside one makes no snippet.
  std::string text = "token=k3j9x2m8q7w1\n";
  std::vector<RawMatch> matches = engine.all_matches(text);
  std::vector<Finding> findings;
  build_findings(text, "a.cfg", *engine.ruleset, matches, findings);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].suppressed_by == Suppression::allowlist);
  CHECK(findings[0].snippet.text.empty());
  // Counted instead, when the scan asks: set-aside matches make no finding at
  // all, while their spans stay redacted in the snippets of the others.
  text = "token=k3j9x2m8q7w1 token=p5r8t2v6y4b1\ntoken=p5r8t2v6y4b2 # keysweep:allow\n";
  matches = engine.all_matches(text);
  findings.clear();
  ScanStats counted;
  build_findings(text, "a.cfg", *engine.ruleset, matches, findings, &counted);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].secret == "p5r8t2v6y4b1");
  const Snippet& snippet = findings[0].snippet;
  const std::size_t at = snippet.text.find("k3j9x2m8q7w1");
  REQUIRE(at != std::string::npos);
  CHECK(std::count(snippet.secret_spans.begin(), snippet.secret_spans.end(),
                   std::pair<std::size_t, std::size_t>(at, 12)) == 1);  // redacted in reports
  CHECK(counted.allowlisted == 1);
  CHECK(counted.inline_allowed == 1);
}

TEST_CASE("a secret span index answers overlaps among nested and disjoint spans") {
  auto span = [](std::size_t start, std::size_t end) {
    return RawMatch{0, start, end, start, end};
  };
  std::vector<RawMatch> spans = {span(40, 50), span(0, 30), span(5, 10), span(60, 60)};
  SecretSpanIndex index(spans.begin(), spans.end());
  CHECK(index.overlaps(span(29, 35)));  // the long span's end, past a short nested one
  CHECK(index.overlaps(span(8, 9)));
  CHECK(index.overlaps(span(45, 70)));
  CHECK_FALSE(index.overlaps(span(30, 40)));  // ends are exclusive
  CHECK_FALSE(index.overlaps(span(50, 60)));
  CHECK_FALSE(index.overlaps(span(61, 90)));
  CHECK_FALSE(SecretSpanIndex(spans.end(), spans.end()).overlaps(span(0, 100)));
}

TEST_CASE("a set-aside match takes no part in settling the reported ones") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "alpha-token"
regex = '''\b(tok_[a-z0-9]{16})\b'''
keywords = ["tok_"]
[[rules.allowlists]]
regexes = ['''^tok_0000''']
[[rules]]
id = "beta-token"
regex = '''\b(tok_[a-z0-9]{16})\b'''
keywords = ["tok_"]
[[rules]]
id = "generic-api-key"
regex = '''(?i)secret\s*=\s*"([a-z0-9_]{16,})"'''
keywords = ["secret"]
[[rules]]
id = "wide-token"
regex = '''"(tok_[a-z0-9_]{16,})"'''
keywords = ["tok_"]
[[rules.allowlists]]
regexes = ['''_fixture$''']
)toml"));
  auto reported = [&](const std::string& text) {
    std::vector<RawMatch> matches = engine.all_matches(text);
    std::vector<Finding> findings;
    build_findings(text, "a.txt", *engine.ruleset, matches, findings);
    std::vector<std::pair<std::string, Suppression>> out;
    for (const Finding& finding : findings)
      out.emplace_back(finding.rule->id, finding.suppressed_by);
    return out;
  };
  using Ids = std::vector<std::pair<std::string, Suppression>>;
  // Where the earliest rule is allowlisted, the next rule on the span reports it, as before.
  CHECK(reported("x = tok_0000aaaabbbbcccc\n") == Ids{{"beta-token", Suppression::none}});
  CHECK(reported("x = tok_1111aaaabbbbcccc\n") == Ids{{"alpha-token", Suppression::none}});
  // generic-api-key does not yield to a set-aside match: it reports, and the
  // set-aside one overlapping it makes no finding (the span is reported).
  CHECK(reported("secret = \"tok_aaaabbbbcccc_fixture\"\n") ==
        Ids{{"generic-api-key", Suppression::none}});
  // Set aside with nothing reported over it: one finding, marked.
  CHECK(reported("x = \"tok_aaaabbbbccccdddd_fixture\"\n") ==
        Ids{{"wide-token", Suppression::allowlist}});
}

TEST_CASE("global allowlists apply to every rule") {
  Engine engine(
      test::ruleset_from(std::string("[allowlist]\npaths = ['''^vendor/''']\n") + kTokenRule));
  CHECK(engine.raw("token=p5r8t2v6y4b1", "vendor/x.cfg").empty());
  CHECK(engine.raw("token=p5r8t2v6y4b1", "src/x.cfg").size() == 1);
}

TEST_CASE("a rule without keywords runs its regex in Hyperscan") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "prefixed"
regex = '''\b(zz_[a-z]{6})\b'''
)toml"));
  REQUIRE(engine.matcher->anchors().size() == 1);
  CHECK(engine.matcher->anchors()[0].back == 9);  // the regex's maximum width
  std::string text = "a zz_abcdef b zz_ghijkl";
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 2);
  CHECK(secret_of(text, matches[1]) == "zz_ghijkl");
}

namespace {

// gitleaks' Airtable rule: its keyword gates the input, its regex spells none.
const char* kAirtableRule = R"toml(
[[rules]]
id = "airtable-personnal-access-token"
regex = '''\b(pat[[:alnum:]]{14}\.[a-f0-9]{64})\b'''
keywords = ["airtable"]
)toml";
const std::string kAirtableToken =
    "patAbCdEfGhIjKlMn.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const Anchor& regex_anchor(const Matcher& matcher) {
  const auto& anchors = matcher.anchors();
  return *std::find_if(anchors.begin(), anchors.end(),
                       [](const Anchor& anchor) { return anchor.kind == AnchorKind::regex; });
}

}  // namespace

TEST_CASE("a regex that spells none of its keywords runs only over inputs that hold one") {
  Engine engine(test::ruleset_from(kAirtableRule));
  CHECK(regex_anchor(*engine.matcher).triggered);
  const MatchWork& work = Matcher::work(*engine.scratch);

  std::string without = std::string(100000, 'x') + "\nTOKEN = '" + kAirtableToken + "'\n";
  CHECK(engine.raw(without).empty());
  CHECK(work.triggered_bytes == 0);

  // The keyword 20 KB away from the token (gitleaks: anywhere in the input).
  std::string with =
      "# Airtable client\n" + std::string(20000, '\n') + "TOKEN = '" + kAirtableToken + "'\n";
  auto matches = engine.raw(with);
  REQUIRE(matches.size() == 1);
  CHECK(secret_of(with, matches[0]) == kAirtableToken);
  CHECK(work.triggered_bytes == with.size());
}

TEST_CASE("a regex that spells a keyword stays in the main database") {
  // Escaped (`dp\.pt\.`) or in a group (`(live|test)_`), the keyword is a
  // literal the main database looks for anyway.
  for (const char* rule : {R"toml(
[[rules]]
id = "doppler-api-token"
regex = '''dp\.pt\.(?i)[a-z0-9]{43}'''
keywords = ["dp.pt."]
)toml",
                           R"toml(
[[rules]]
id = "lob-api-key"
regex = '''(?i)[\w.-]{0,50}?(?:lob)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}((live|test)_[a-f0-9]{35})(?:[\x60'"\s;]|\\[nr]|$)'''
keywords = ["test_", "live_"]
)toml"}) {
    Engine engine(test::ruleset_from(rule));
    CHECK_FALSE(regex_anchor(*engine.matcher).triggered);
  }
  Engine engine(test::ruleset_from(kAirtableRule));
  CHECK(regex_anchor(*engine.matcher).triggered);
}

TEST_CASE("a triggered regex's database is cached with the main one") {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() / ("keysweep-triggered-cache-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  MatcherOptions options{dir.string()};
  std::string text = "airtable:\n  token: " + kAirtableToken + "\n";
  {
    Engine cold(test::ruleset_from(kAirtableRule), options);
    CHECK_FALSE(cold.matcher->loaded_from_cache());
    CHECK(cold.raw(text).size() == 1);
  }
  {
    Engine warm(test::ruleset_from(kAirtableRule), options);
    CHECK(warm.matcher->loaded_from_cache());
    CHECK(regex_anchor(*warm.matcher).triggered);
    CHECK(warm.raw(text).size() == 1);
    CHECK(warm.raw(kAirtableToken).empty());  // no keyword
  }
  // An entry cut short inside the triggered database is rebuilt, not trusted.
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string bytes = read_text_file(entry.path().string()).value();
    std::ofstream(entry.path(), std::ios::trunc | std::ios::binary)
        << bytes.substr(0, bytes.size() - 16);
  }
  {
    Engine rebuilt(test::ruleset_from(kAirtableRule), options);
    CHECK_FALSE(rebuilt.matcher->loaded_from_cache());
    CHECK(rebuilt.raw(text).size() == 1);
  }
  fs::remove_all(dir);
}

namespace {

// gitleaks' Twilio rule: a two-letter keyword, common in words ("task",
// "disk"), before a rare shape.
const char* kTwilioRule = R"toml(
[[rules]]
id = "twilio-api-key"
regex = '''SK[0-9a-fA-F]{32}'''
keywords = ["sk"]
)toml";
const std::string kTwilioKey = "SK0123456789abcdef0123456789abcdef";

/// `count` lines that each open one window of a keyword rule: the keyword,
/// then blanks wider than two windows, so that no two windows merge.
std::string keyword_lines(const std::string& keyword, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += keyword + std::string(80, ' ') + "\n";
  return text;
}

std::vector<std::filesystem::path> screen_entries(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> entries;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("hs-screen-")) entries.push_back(entry.path());
  }
  return entries;
}

}  // namespace

TEST_CASE("a rule that gets many keyword windows has them screened before RE2") {
  Engine engine(test::ruleset_from(kTwilioRule));
  const MatchWork& work = Matcher::work(*engine.scratch);
  // One window per line: "sk" in "task", lines wider than two windows.
  std::string words = keyword_lines("task", 1000);
  CHECK(engine.raw(words).empty());
  CHECK(work.windows == 63);  // RE2 until the rule's 64th window compiles its screen
  CHECK(work.screened == 1000 - 63);

  std::string text = words + "TWILIO_KEY=" + kTwilioKey + "\n" + words;
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 1);
  CHECK(secret_of(text, matches[0]) == kTwilioKey);
  CHECK(work.windows == 63 + 1);  // only the window that holds the key
}

TEST_CASE("a screen reads the byte before a window, as RE2 does") {
  // The match starts where its window starts, and `\B` there depends on the
  // byte before it: a screen of the window alone would see a word boundary.
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "inner-token"
regex = '''\B[a-z]{4}_sk'''
keywords = ["_sk"]
)toml"));
  std::string decoys = keyword_lines("1_sk", 100);
  CHECK(engine.raw(decoys).empty());
  REQUIRE(Matcher::work(*engine.scratch).screened > 0);
  std::string text = decoys + "xabcd_sk";
  auto matches = engine.raw(text);
  REQUIRE(matches.size() == 1);
  CHECK(secret_of(text, matches[0]) == "abcd_sk");
  CHECK(
      engine.raw(decoys + " abcd_sk").empty());  // a boundary: no match, for RE2 as for the screen
}

TEST_CASE("a regex RE2 reads as UTF-8 is not screened") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "accented"
regex = '''clé=([a-z]{8})'''
keywords = ["clé="]
)toml"));
  const MatchWork& work = Matcher::work(*engine.scratch);
  CHECK(engine.raw("clé=abc\n").empty());
  CHECK(work.screened == 0);
  CHECK(work.windows == 1);
  REQUIRE(engine.raw("clé=abcdefgh\n").size() == 1);
}

TEST_CASE("a rule's screen is kept in the cache, and a later run screens from its first window") {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() / ("keysweep-screen-cache-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  MatcherOptions options{dir.string()};
  std::string words = keyword_lines("disk", 100);
  std::string text = "disk task\n" + std::string(100, '\n') + "TWILIO_KEY=" + kTwilioKey + "\n";
  {
    Engine small(test::ruleset_from(kTwilioRule), options);
    CHECK(small.raw(text).size() == 1);
    CHECK(screen_entries(dir).empty());  // two windows: no screen is worth compiling
    Engine cold(test::ruleset_from(kTwilioRule), options);
    CHECK(cold.raw(words).empty());
    CHECK(screen_entries(dir).size() == 1);
  }
  {
    Engine warm(test::ruleset_from(kTwilioRule), options);
    const MatchWork& work = Matcher::work(*warm.scratch);
    auto matches = warm.raw(text);
    REQUIRE(matches.size() == 1);
    CHECK(secret_of(text, matches[0]) == kTwilioKey);
    CHECK(work.screened == 1);  // "disk task", screened from the cache
    CHECK(work.windows == 1);
  }
  // A damaged screen is not trusted: RE2 takes the windows, and the screen
  // is compiled again and rewritten.
  for (const fs::path& entry : screen_entries(dir)) {
    std::ofstream(entry, std::ios::trunc | std::ios::binary) << "not a database";
  }
  {
    Engine damaged(test::ruleset_from(kTwilioRule), options);
    const MatchWork& work = Matcher::work(*damaged.scratch);
    REQUIRE(damaged.raw(text).size() == 1);
    CHECK(work.screened == 0);
    CHECK(damaged.raw(words).empty());
  }
  REQUIRE(screen_entries(dir).size() == 1);
  CHECK(read_text_file(screen_entries(dir)[0].string()).value() != "not a database");
  fs::remove_all(dir);
}

TEST_CASE("a regex Hyperscan reads more narrowly than RE2 is not screened") {
  // RE2's \s leaves out the vertical tab, Hyperscan's takes it: to a screen,
  // `\S{16}` would not match a secret with one. RE2's \v is one byte;
  // RE2 folds the case of é written as \xe9, Hyperscan does not.
  const std::string vertical_tab_secret =
      "abcd\x0b"
      "efghijklmno";
  struct Case {
    const char* regex;
    std::string secret;
  };
  for (const Case& c :
       {Case{R"(kw_(\S{16}))", vertical_tab_secret}, Case{R"(kw_([^\s]{16}))", vertical_tab_secret},
        Case{R"(kw_([^\v]{16}))", "abcd\nefghijklmno"},
        Case{R"((?i)kw_\xe9([a-z0-9]{12}))",
             "\xc9"
             "abcdefghijkl"}}) {
    CAPTURE(c.regex);
    Engine engine(test::ruleset_from("[[rules]]\nid = \"narrow\"\nregex = '''" +
                                     std::string(c.regex) + "'''\nkeywords = [\"kw_\"]\n"));
    std::string decoys = keyword_lines("kw_\x0b", 100);
    std::string text = decoys + "kw_" + c.secret + "\n";
    CHECK(engine.raw(text).size() == 1);
    CHECK(Matcher::work(*engine.scratch).screened == 0);
  }
}

TEST_CASE("a screen written for one rule is not used for another") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("keysweep-screen-swap-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  MatcherOptions options{dir.string()};
  auto rule = [](const char* prefix) {
    return test::ruleset_from(std::string("[[rules]]\nid = \"") + prefix + "\"\nregex = '''" +
                              prefix + "_([a-z]{12})'''\nkeywords = [\"" + prefix + "_\"]\n");
  };
  fs::path first, second;
  {
    Engine a(rule("alpha"), options);
    a.raw(keyword_lines("alpha_", 100));
    REQUIRE(screen_entries(dir).size() == 1);
    first = screen_entries(dir)[0];
    Engine b(rule("bravo"), options);
    b.raw(keyword_lines("bravo_", 100));
    REQUIRE(screen_entries(dir).size() == 2);
    second = screen_entries(dir)[0] == first ? screen_entries(dir)[1] : screen_entries(dir)[0];
  }
  // alpha's screen under bravo's name would rule out every bravo window.
  fs::rename(first, second);
  Engine b(rule("bravo"), options);
  std::string text = "bravo_abcdefghijkl\n";
  CHECK(b.raw(text).size() == 1);
  CHECK(Matcher::work(*b.scratch).screened == 0);
  fs::remove_all(dir);
}

TEST_CASE("a regex with a NUL byte is never given to Hyperscan, which would stop there") {
  // Hyperscan would read `kw_a[0-9]{6}` alone, RE2 the whole alternation.
  const std::string regex = std::string("kw_a[0-9]{6}") + '\0' + "|kw_b[0-9]{6}";
  Engine engine(
      test::ruleset_from("[[rules]]\nid = \"nul\"\nregex = \"kw_a[0-9]{6}\\u0000|kw_b[0-9]{6}\"\n"
                         "keywords = [\"kw_\"]\n"));
  REQUIRE(engine.ruleset->rules[0].regex == regex);
  std::string decoys = keyword_lines("kw_", 100);
  CHECK(engine.raw(decoys + "kw_b123456\n").size() == 1);
  CHECK(Matcher::work(*engine.scratch).screened == 0);
  // Without keywords nothing else can anchor it: the rule is refused, and why.
  Diagnostics diagnostics(true);
  Ruleset ruleset =
      test::ruleset_from("[[rules]]\nid = \"nul\"\nregex = \"kw_a[0-9]{6}\\u0000|kw_b[0-9]{6}\"\n");
  CHECK_THROWS_WITH(Matcher(ruleset, {}, diagnostics), Catch::Contains("NUL byte"));
}

TEST_CASE("one secret at one place is one finding; the earlier rule reports it") {
  Engine engine(test::ruleset_from(R"toml(
[[rules]]
id = "first"
regex = '''key=([a-z0-9]{12})'''
keywords = ["key="]
[[rules]]
id = "second"
regex = '''([a-z0-9]{12})\b'''
keywords = ["key="]
)toml"));
  std::string text = "key=p5r8t2v6y4b1";
  CHECK(engine.raw(text).size() == 2);
  auto findings = engine.findings(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule->id == "first");
}

TEST_CASE("the compiled database is cached and reused") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("keysweep-cache-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  MatcherOptions options{dir.string()};
  {
    Engine cold(test::builtin_ruleset(), options);
    CHECK_FALSE(cold.matcher->loaded_from_cache());
  }
  REQUIRE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  {
    Engine warm(test::builtin_ruleset(), options);
    CHECK(warm.matcher->loaded_from_cache());
    CHECK(warm.raw("DD_API_KEY=" + kApiKey).size() == 1);
  }
  // A corrupt cache file is rebuilt, not trusted.
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ofstream(entry.path(), std::ios::trunc) << "garbage";
  }
  {
    Engine rebuilt(test::builtin_ruleset(), options);
    CHECK_FALSE(rebuilt.matcher->loaded_from_cache());
    CHECK(rebuilt.raw("DD_API_KEY=" + kApiKey).size() == 1);
  }
  // A changed rule set is a different cache entry.
  Engine other(test::ruleset_from(kTokenRule), options);
  CHECK_FALSE(other.matcher->loaded_from_cache());
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
  // Regexes compile lazily and a cache hit skips validation, so an edited
  // regex behind the same keywords must not hit the old entry.
  std::string broken = kTokenRule;
  broken.replace(broken.find("([a-z0-9]{12})"), 14, "([a-z0-9]{12}");
  Ruleset broken_rules = test::ruleset_from(broken);
  Diagnostics quiet(true);
  CHECK_THROWS_WITH(Matcher(broken_rules, options, quiet),
                    Catch::Contains("rule 'token': regex does not compile: missing )"));
  fs::remove_all(dir);
}

namespace {

/// The runs a byte-at-a-time reading finds: the reference for ByteRunFinder.
std::vector<ByteRunFinder::Run> naive_runs(std::string_view text,
                                           const std::vector<std::array<bool, 256>>& classes,
                                           const std::vector<std::size_t>& shortest) {
  std::vector<ByteRunFinder::Run> runs;
  for (std::uint32_t c = 0; c < classes.size(); ++c) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      bool in = i < text.size() && classes[c][static_cast<unsigned char>(text[i])];
      if (in) continue;
      if (i - start >= shortest[c]) runs.push_back({c, start, i});
      start = i + 1;
    }
  }
  return runs;
}

std::array<bool, 256> members_of(std::string_view bytes) {
  std::array<bool, 256> member{};
  for (char c : bytes) member[static_cast<unsigned char>(c)] = true;
  return member;
}

}  // namespace

TEST_CASE("the block run finder finds exactly the runs a byte-by-byte reading finds") {
  const std::string hex = "0123456789abcdef";
  const std::string base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::array<bool, 256>> classes = {members_of(hex), members_of(base64)};
  std::vector<std::size_t> shortest = {32, 43};
  ByteRunFinder finder;
  REQUIRE(finder.add(classes[0], shortest[0]));
  REQUIRE(finder.add(classes[1], shortest[1]));
  // Too short for the block test, or too many ranges: refused, nothing added.
  CHECK_FALSE(finder.add(members_of("0123456789"), 30));
  CHECK_FALSE(finder.add(members_of("!#%')+-/13579"), 40));
  CHECK(finder.size() == 2);

  std::mt19937 random(20261129);
  // Runs of every length around the thresholds, at every offset modulo 16,
  // separated by one byte of another class (hex inside base64, '+' and '/'
  // inside base64 only, punctuation outside both), up to the buffer's end.
  const std::string separators = "+/ =_-G\n";
  for (int round = 0; round < 400; ++round) {
    std::string text;
    while (text.size() < 600) {
      std::size_t length = std::uniform_int_distribution<std::size_t>(0, 70)(random);
      const std::string& alphabet = random() % 2 ? hex : base64;
      for (std::size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
      text += separators[random() % separators.size()];
    }
    text.resize(std::uniform_int_distribution<std::size_t>(1, text.size())(random));
    std::vector<ByteRunFinder::Run> found;
    finder.find(text, found);
    std::vector<ByteRunFinder::Run> expected = naive_runs(text, classes, shortest);
    auto order = [](const ByteRunFinder::Run& a, const ByteRunFinder::Run& b) {
      return std::tie(a.run_class, a.start, a.end) < std::tie(b.run_class, b.start, b.end);
    };
    std::sort(found.begin(), found.end(), order);
    REQUIRE(found.size() == expected.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      CHECK(found[i].run_class == expected[i].run_class);
      CHECK(found[i].start == expected[i].start);
      CHECK(found[i].end == expected[i].end);
    }
  }
}
