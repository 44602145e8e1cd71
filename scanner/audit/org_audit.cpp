#include "audit/org_audit.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "git/git_handles.h"
#include "inventory/key_record.h"
#include "keysweep_config.h"
#include "matcher/matcher.h"
#include "policy/policy.h"
#include "util/diagnostics.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace keysweep {
namespace {

/// "https://", "ssh://", "file://"..., or scp-like "git@host:org/repo".
bool is_url(const std::string& repository) {
  if (repository.find("://") != std::string::npos) return true;
  std::size_t at = repository.find('@');
  std::size_t colon = repository.find(':');
  std::size_t slash = repository.find('/');
  return at != std::string::npos && colon != std::string::npos && at < colon &&
         (slash == std::string::npos || colon < slash);
}

/// A URL's mirror in the cache beside the datastore: cloned once with
/// `git clone --mirror`, refreshed with `git fetch` on later runs. Credentials
/// in the URL never reach the mirror's config (nor git's arguments): git is
/// given the URL without them, and an `insteadOf` in its environment that
/// puts them back when it connects. Git's messages are shown without them.
std::string mirror_of(const std::string& url, const std::string& datastore) {
  const std::string shown = repository_name(url);  // the URL less its credentials
  std::string cache = datastore + ".mirrors";
  ::mkdir(cache.c_str(), 0700);
  std::string directory = cache + "/" + sha256_hex(shown).substr(0, 24) + ".git";
  struct stat status {};
  bool cloned = ::stat(directory.c_str(), &status) == 0;
  std::vector<std::string> environment;
  if (shown != url) {
    environment = {"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=url." + url + ".insteadOf",
                   "GIT_CONFIG_VALUE_0=" + shown};
  }
  if (cloned) {  // a mirror made before credentials were kept out of it loses them
    run_process({"git", "--git-dir", directory, "remote", "set-url", "origin", "--", shown});
  }
  std::vector<std::string> command =
      cloned
          ? std::vector<std::string>{"git", "--git-dir", directory, "fetch", "--prune", "--quiet"}
          : std::vector<std::string>{"git", "clone", "--mirror", "--quiet", "--", shown, directory};
  ProcessResult git = run_process(command, environment);
  if (git.exit_code != 0) {
    std::string reason = git.err;
    if (shown != url) {  // git names the host with its user:password ("unable to look up ...")
      const std::size_t host = url.find("://") + 3;
      const std::string userinfo = url.substr(host, url.size() - shown.size());
      for (std::size_t at; (at = reason.find(userinfo)) != std::string::npos;)
        reason.erase(at, userinfo.size());
    }
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
    // One line: git's lines joined (a diagnostic shows a newline as an escape).
    for (std::size_t at; (at = reason.find_first_of("\r\n")) != std::string::npos;) {
      std::size_t end = reason.find_first_not_of("\r\n", at);
      reason.replace(at, (end == std::string::npos ? reason.size() : end) - at, "; ");
    }
    throw RuntimeFailure(std::string(cloned ? "git fetch" : "git clone --mirror") +
                         " failed: " + reason);
  }
  return directory;
}

/// The repository a local path is in, one spelling for all (`repo`, `./repo/`,
/// its absolute path, a directory inside it): its git directory, resolved.
/// A path that is in no repository stands for itself (its scan fails later,
/// naming it).
std::string repository_location(const std::string& path) {
  ensure_libgit2();
  git_buf found = GIT_BUF_INIT;
  std::string location = path;
  if (git_repository_discover(&found, path.c_str(), 0, nullptr) == 0) location = found.ptr;
  git_buf_dispose(&found);
  std::error_code error;
  std::filesystem::path resolved = std::filesystem::weakly_canonical(location, error);
  return error ? location : resolved.string();
}

/// Every ref's target commit (or object), by ref name.
std::map<std::string, std::string> ref_targets(git_repository* repository) {
  std::map<std::string, std::string> targets;
  git_strarray names{};
  if (git_reference_list(&names, repository) != 0) return targets;
  for (std::size_t i = 0; i < names.count; ++i) {
    git_oid id;
    if (git_reference_name_to_id(&id, repository, names.strings[i]) == 0) {
      targets[names.strings[i]] = oid_hex(id);
    }
  }
  git_strarray_dispose(&names);
  return targets;
}

constexpr std::string_view kEllipsis = "…";

/// As reporters redact (reporters/reporter.cpp redact()): the first 4
/// characters (fewer for a short secret) and an ellipsis.
std::string redacted_form(std::string_view secret) {
  std::size_t keep = std::min<std::size_t>(4, secret.size() / 4);
  while (keep > 0 && (static_cast<unsigned char>(secret[keep]) & 0xC0) == 0x80) --keep;
  return std::string(secret.substr(0, keep)) + std::string(kEllipsis);
}

bool is_access_token(const std::string& key_type) {
  return key_type == "personal_access_token" || key_type == "service_access_token";
}

/// What inventory labels match besides the hash (InventoryIndex::label): an
/// access token's public portion, else the last 4 characters.
std::string secret_hint(const std::string& key_type, std::string_view secret) {
  if (is_access_token(key_type)) {
    std::size_t first = secret.find('_');
    std::size_t second = first == std::string_view::npos ? first : secret.find('_', first + 1);
    return second == std::string_view::npos ? "" : std::string(secret.substr(0, second));
  }
  return secret.size() > 4 ? std::string(secret.substr(secret.size() - 4)) : "";
}

/// A stand-in for a secret the datastore does not keep: redact() turns it
/// back into the stored redacted form, and inventory labels find in it the
/// same hint as in the value.
std::string stand_in_secret(const StoredFinding& stored) {
  std::string prefix = stored.secret_redacted;
  if (prefix.ends_with(kEllipsis)) prefix.resize(prefix.size() - kEllipsis.size());
  prefix.resize(std::min<std::size_t>(prefix.size(), 4));  // a damaged store: never more
  if (is_access_token(stored.key_type) && !stored.secret_hint.empty()) {
    return stored.secret_hint + "_" + std::string(16, '*');
  }
  // redact() keeps min(4, length / 4) characters: exactly the prefix.
  std::size_t length = prefix.size() >= 4 ? 16 : 4 * prefix.size();
  std::string stand_in = prefix + std::string(length - prefix.size(), '*');
  if (stored.secret_hint.size() == 4 && length >= prefix.size() + 4) {
    stand_in.replace(length - 4, 4, stored.secret_hint);
  }
  return stand_in;
}

StoredFinding stored_form(const Finding& finding) {
  StoredFinding stored;
  stored.repository = finding.repository;
  if (finding.git) {
    stored.blob = finding.git->blob;
    stored.commit = finding.git->commit;
    stored.author = finding.git->author;
    stored.email = finding.git->email;
    stored.date = finding.git->date;
  }
  stored.path = finding.path;
  stored.rule_id = finding.rule->id;
  stored.key_type = finding.key_type;
  stored.start_line = finding.start.line;
  stored.start_column = finding.start.column;
  stored.end_line = finding.end.line;
  stored.end_column = finding.end.column;
  stored.secret_sha256 = finding.secret_sha256;
  // A finding taken from the store already holds a stand-in, never a value.
  // A check's evidence that is not a credential is kept in clear, as reports show it.
  stored.secret_redacted = finding.kind == FindingKind::check && !finding.redact
                               ? finding.secret
                               : redacted_form(finding.secret);
  stored.secret_hint = secret_hint(finding.key_type, finding.secret);
  if (finding.liveness) stored.liveness = finding.liveness->status;
  return stored;
}

std::int64_t now_nanoseconds() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void add_words(std::string& text, const std::vector<std::string>& words) {
  for (const std::string& word : words) text += word + '\x1f';
  text += '\x1e';
}

void add_allowlist(std::string& text, const Allowlist& allowlist) {
  text += std::to_string(int(allowlist.regex_target)) + (allowlist.require_all ? "all" : "any");
  for (const auto& regex : allowlist.regexes) text += regex->pattern() + '\x1f';
  for (const auto& path : allowlist.paths) text += path->pattern() + '\x1f';
  add_words(text, allowlist.stopwords);
  add_words(text, allowlist.commits);
}

void add_names(std::string& text, const std::vector<NamePattern>& patterns) {
  for (const NamePattern& pattern : patterns) {
    for (const auto& level : pattern) add_words(text, level);
  }
  text += '\x1d';
}

}  // namespace

/// The name stored and reported: as given, less any user:password in a URL
/// (credentials come from git's helpers and are never stored).
std::string repository_name(const std::string& given) {
  std::size_t scheme = given.find("://");
  if (scheme == std::string::npos) return given;
  std::size_t host = scheme + 3;
  std::size_t end = given.find('/', host);
  std::size_t at = given.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at == std::string::npos || at < host) return given;
  return given.substr(0, host) + given.substr(at + 1);
}

Shard parse_shard(const std::string& text) {
  std::size_t slash = text.find('/');
  auto number = [&](const std::string& part) -> unsigned {
    if (part.empty() || part.size() > 6 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError("--shard: '" + text + "' is not I/N (1-based, e.g. 2/8) or auto/N");
    }
    return unsigned(std::stoul(part));
  };
  if (slash == std::string::npos) number("");
  Shard shard;
  shard.count = number(text.substr(slash + 1));
  std::string index = text.substr(0, slash);
  if (index == "auto") {
    const char* kubernetes = std::getenv("JOB_COMPLETION_INDEX");
    const char* matrix = std::getenv("KEYSWEEP_SHARD_INDEX");
    const char* zero_based = kubernetes && *kubernetes ? kubernetes : matrix;
    if (zero_based == nullptr || *zero_based == '\0') {
      throw UsageError(
          "--shard auto/N: neither JOB_COMPLETION_INDEX nor KEYSWEEP_SHARD_INDEX is set");
    }
    shard.index = number(zero_based) + 1;
  } else {
    shard.index = number(index);
  }
  if (shard.count == 0 || shard.index == 0 || shard.index > shard.count) {
    throw UsageError("--shard: '" + text + "' is out of range: shard " +
                     std::to_string(shard.index) + " of " + std::to_string(shard.count) +
                     " (shards are numbered from 1)");
  }
  return shard;
}

bool in_shard(const std::string& repository, const Shard& shard) {
  std::string digest = sha256_hex(repository_name(repository));
  return std::stoull(digest.substr(0, 15), nullptr, 16) % shard.count == shard.index - 1;
}

std::vector<std::string> read_repository_list(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw UsageError("--repos-from: cannot read '" + path + "'");
  std::vector<std::string> repositories;
  std::string line;
  while (std::getline(file, line)) {
    std::size_t first = line.find_first_not_of(" \t\r");
    std::size_t last = line.find_last_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    repositories.push_back(line.substr(first, last - first + 1));
  }
  if (file.bad()) throw UsageError("--repos-from: cannot read '" + path + "'");
  return repositories;
}

std::string ruleset_digest(const Ruleset& ruleset, const std::string& extra) {
  std::string text = std::string("keysweep ") + KEYSWEEP_VERSION + '\x1e' + extra + '\x1e';
  for (const Rule& rule : ruleset.rules) {
    text += rule.id + '\x1f' + rule.key_type + '\x1f' + std::to_string(int(rule.check)) + '\x1f' +
            rule.regex + '\x1f' + std::to_string(rule.secret_group) + '\x1f' + rule.path_regex +
            '\x1f' + (rule.min_entropy ? std::to_string(*rule.min_entropy) : "") +
            (rule.base64 ? "b64" : "") + '\x1e';
    add_words(text, rule.keywords);
    for (const TokenShape& shape : rule.tokens) {
      text +=
          shape.prefix + '\x1f' + shape.charset + '\x1f' + std::to_string(shape.length) + '\x1e';
    }
    if (rule.context) {
      const Context& context = *rule.context;
      text += context.id + std::to_string(context.mention_before) + '/' +
              std::to_string(context.mention_after);
      for (const auto* words : {&context.mentions, &context.markers, &context.foreign,
                                &context.not_secret, &context.qualifiers}) {
        add_words(text, *words);
      }
      for (const auto* names :
           {&context.other_secrets, &context.value_names, &context.label_names}) {
        add_names(text, *names);
      }
    }
    for (const auto* names : {&rule.names, &rule.kind_names, &rule.generic_names})
      add_names(text, *names);
    for (const Allowlist& allowlist : rule.allowlists) add_allowlist(text, allowlist);
    text += '\x1c';
  }
  for (const Allowlist& allowlist : ruleset.global_allowlists) add_allowlist(text, allowlist);
  return sha256_hex(text);
}

std::vector<Finding> findings_from_store(const std::vector<StoredFinding>& stored,
                                         const Ruleset& ruleset, std::deque<Rule>& missing_rules) {
  std::map<std::string, std::uint32_t> rule_indices;
  for (std::uint32_t i = 0; i < ruleset.rules.size(); ++i)
    rule_indices.emplace(ruleset.rules[i].id, i);
  std::map<std::string, const Rule*> stand_in_rules;
  std::vector<Finding> findings;
  for (const StoredFinding& entry : stored) {
    Finding finding;
    if (auto found = rule_indices.find(entry.rule_id); found != rule_indices.end()) {
      finding.rule_index = found->second;
      finding.rule = &ruleset.rules[found->second];
    } else {
      const Rule*& rule = stand_in_rules[entry.rule_id];
      if (rule == nullptr) {
        Rule& added = missing_rules.emplace_back();
        added.id = entry.rule_id;
        added.name = entry.rule_id;
        added.key_type = entry.key_type;
        added.source = "the datastore (a rule not loaded now)";
        rule = &added;
      }
      finding.rule = rule;
      finding.rule_index = std::uint32_t(-1);
    }
    finding.key_type = entry.key_type;
    finding.key_kind = key_kind_from_name(entry.key_type);
    finding.path = entry.path;
    finding.start = {entry.start_line, entry.start_column};
    finding.end = {entry.end_line, entry.end_column};
    if (finding.rule->check != RuleCheck::none) {
      // A check's finding, as build_lint_findings made it: no key type.
      finding.kind = FindingKind::check;
      finding.key_kind.reset();
    }
    if (finding.kind == FindingKind::check && !entry.secret_redacted.ends_with(kEllipsis)) {
      // Evidence that is not a credential (a variable name, a resource type)
      // was stored in clear, as reports show it.
      finding.secret = entry.secret_redacted;
      finding.redact = false;
    } else {
      finding.secret = stand_in_secret(entry);
    }
    finding.secret_sha256 = entry.secret_sha256;
    finding.git = GitOrigin{entry.blob, entry.commit, entry.author, entry.email, entry.date};
    finding.repository = entry.repository;
    if (entry.liveness) finding.liveness = LivenessLabel{*entry.liveness, {}, std::nullopt, ""};
    findings.push_back(std::move(finding));
  }
  return findings;
}

ScanResult run_audit(const Matcher& matcher, const Ruleset& ruleset, const AuditOptions& options,
                     const std::function<void(std::vector<Finding>&)>& decorate,
                     Diagnostics& diagnostics) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> repositories;
  std::set<std::string> seen;  // URLs less credentials; paths as the repository they are in
  for (const std::string& given : options.repositories) {
    if (options.shard && !in_shard(given, *options.shard)) continue;
    struct stat status {};
    if (!is_url(given) && ::stat(given.c_str(), &status) != 0) {
      throw UsageError(given + ": no such repository (a path or a URL)");
    }
    if (!seen.insert(is_url(given) ? repository_name(given) : repository_location(given)).second)
      continue;
    repositories.push_back(given);
  }

  Datastore datastore(options.datastore, DatastoreAccess::write);
  const std::string digest = ruleset_digest(ruleset, options.ruleset_extra);
  OidSet known;
  for (const std::string& hex : datastore.known_blobs(digest)) {
    git_oid id;
    if (git_oid_fromstr(&id, hex.c_str()) == 0) known.insert(id);
  }
  std::deque<Rule> no_missing_rules;  // the digest matched: every stored rule is loaded
  std::vector<Finding> known_findings;
  for (Finding& finding :
       findings_from_store(datastore.blob_findings(digest), ruleset, no_missing_rules)) {
    if (finding.rule_index != std::uint32_t(-1)) known_findings.push_back(std::move(finding));
  }

  ScanResult combined;
  combined.root = std::filesystem::current_path().string();
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    const std::string& given = repositories[i];
    const std::string name = repository_name(given);
    const std::string progress_label = "repository " + std::to_string(i + 1) + " of " +
                                       std::to_string(repositories.size()) + ": " + name;
    if (options.git.progress) std::cerr << "keysweep: " << progress_label << '\n';
    try {
      std::string location = is_url(given) ? mirror_of(given, options.datastore) : given;
      RepositoryPtr repository = open_repository(location);
      StoredRepository scan{name, digest, now_nanoseconds(), ref_targets(repository.get())};
      std::optional<StoredRepository> last = datastore.repository(name);
      std::vector<Finding> findings;
      std::vector<git_oid> blobs_read;
      std::optional<std::vector<StoredFinding>> unchanged;  // as stored, when nothing is new
      if (last && last->ruleset_digest == digest && last->refs == scan.refs) {
        // Nothing new: the stored findings stand (relabelled, in case the inventory changed).
        unchanged = datastore.findings(name);
        findings = findings_from_store(*unchanged, ruleset, no_missing_rules);
        scan.scanned_at = last->scanned_at;
      } else {
        GitScanOptions git = options.git;
        git.mode = GitScanMode::history;
        git.repository = location;
        git.progress_label = progress_label;
        git.repository_name = name;
        git.known_blobs = &known;
        git.blobs_read = &blobs_read;
        git.lint_history = true;
        OdbPtr odb = repository_odb(repository.get());
        for (const Finding& finding : known_findings) {
          git_oid id;
          if (git_oid_fromstr(&id, finding.git->blob.c_str()) == 0 &&
              git_odb_exists(odb.get(), &id)) {
            git.known_findings.push_back(finding);
          }
        }
        ScanResult result = scan_git(matcher, git, diagnostics);
        combined.stats.add(result.stats);
        // What an allowlist or an inline allow set aside is counted, not
        // stored: the datastore keeps no marks, and it reads back as reported.
        set_aside_marked(result);
        for (Finding& finding : result.suppressed) finding.repository = name;
        std::move(result.suppressed.begin(), result.suppressed.end(),
                  std::back_inserter(combined.suppressed));
        findings = std::move(result.findings);
      }
      for (Finding& finding : findings) finding.repository = name;
      decorate(findings);

      std::set<std::string> read_hex;
      for (const git_oid& id : blobs_read) read_hex.insert(oid_hex(id));
      std::vector<StoredFinding> stored, new_blob_findings;
      std::set<std::tuple<std::string, std::string, std::uint32_t, std::uint32_t, std::string>>
          in_blob;
      for (const Finding& finding : findings) {
        stored.push_back(stored_form(finding));
        // A blob's secrets, once each: repository checks are judged per place, never by blob.
        const StoredFinding& entry = stored.back();
        if (read_hex.count(entry.blob) != 0 && finding.rule->check == RuleCheck::none &&
            in_blob
                .emplace(entry.blob, entry.rule_id, entry.start_line, entry.start_column,
                         entry.secret_sha256)
                .second) {
          StoredFinding by_blob = stored.back();
          by_blob.repository = by_blob.path = by_blob.commit = by_blob.author = by_blob.email =
              by_blob.date = "";
          new_blob_findings.push_back(std::move(by_blob));
        }
      }
      // A repository with nothing new whose labels did not change either is not
      // written again: a transaction's syncs cost more than the whole check.
      bool same_as_stored = false;
      if (unchanged) {
        std::vector<StoredFinding> now = stored;
        std::sort(now.begin(), now.end());
        std::sort(unchanged->begin(), unchanged->end());
        same_as_stored = now == *unchanged;
      }
      if (!same_as_stored) {
        datastore.store_repository(scan, stored, {read_hex.begin(), read_hex.end()},
                                   new_blob_findings);
      }
      known.insert(blobs_read.begin(), blobs_read.end());
      for (Finding& finding : findings_from_store(new_blob_findings, ruleset, no_missing_rules)) {
        known_findings.push_back(std::move(finding));
      }
      std::move(findings.begin(), findings.end(), std::back_inserter(combined.findings));
    } catch (const std::runtime_error& error) {
      // One unreadable repository must not cost the others their scan.
      std::string why = error.what();
      failures.push_back(why.starts_with(name + ": ") ? why : name + ": " + why);
      diagnostics.warn(failures.back());
    }
  }
  // The repositories scanned are reported and stored all the same; the
  // run's exit code says that some were not.
  combined.failed_repositories = std::move(failures);
  combined.repositories = repositories.size();
  combined.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return combined;
}

std::string inventory_hashes(const InventoryStore& store) {
  std::set<std::string> hashes;
  for (const KeyRecord& key : store.keys()) {
    if (!key.key_sha256.empty()) hashes.insert(key.key_sha256);
  }
  std::string text;
  for (const std::string& hash : hashes) text += hash + ',';
  return text;
}

}  // namespace keysweep
