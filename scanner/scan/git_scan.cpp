#include "scan/git_scan.h"

#include <algorithm>
#include <ctime>
#include <iterator>
#include <map>
#include <thread>

#include "git/git_blobs.h"
#include "git/git_handles.h"
#include "git/raw_tree.h"
#include "git/staged_diff.h"
#include "git/tree_sketch.h"
#include "inputs/text_decoding.h"
#include "lint/repository_lint.h"
#include "matcher/matcher.h"
#include "policy/policy.h"
#include "scan/content_scanner.h"
#include "util/bounded_queue.h"
#include "util/diagnostics.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/worker_threads.h"

namespace keysweep {
namespace {

constexpr std::size_t kQueueCapacity = 4096;

std::string_view data_of(git_odb_object* object) {
  return {static_cast<const char*>(git_odb_object_data(object)), git_odb_object_size(object)};
}

/// A blob the history or range pass found, read again (for its places, or for
/// the checks): it was there, so a failure now is damage, and fails the scan.
OdbObjectPtr read_again(git_odb* odb, const git_oid& id) {
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb, &id) != 0) {
    throw RuntimeFailure("git object " + oid_hex(id) +
                         " cannot be read again; the repository is damaged: " + git_error_text());
  }
  return OdbObjectPtr(raw);
}

/// `matches` sorted by secret span, one per span (the first of each).
std::vector<RawMatch> one_per_span(std::vector<RawMatch> matches) {
  auto span = [](const RawMatch& match) { return std::pair(match.secret_start, match.secret_end); };
  std::stable_sort(matches.begin(), matches.end(),
                   [&](const RawMatch& a, const RawMatch& b) { return span(a) < span(b); });
  matches.erase(
      std::unique(matches.begin(), matches.end(),
                  [&](const RawMatch& a, const RawMatch& b) { return span(a) == span(b); }),
      matches.end());
  return matches;
}

/// A blob the scan kept, before its places are known: its id and its raw
/// matches. Findings are made once per place, at their final path and commit.
struct MatchedBlob {
  git_oid id;
  std::vector<RawMatch> matches;
};

/// Reads objects through its own repository handle (libgit2 handles are not
/// shared across threads) and scans the blobs among them.
class BlobWorker {
 public:
  BlobWorker(const Matcher& matcher, RepositoryPtr repository, const GitScanOptions& options,
             Diagnostics& diagnostics, ProgressMeter& progress)
      : repository_(std::move(repository)),
        odb_(repository_odb(repository_.get())),
        options_(options),
        diagnostics_(diagnostics),
        progress_(progress),
        // Checks judge by path: history reads blobs before their paths are known.
        scanner_(matcher, diagnostics, options.rule_paths,
                 walks_commits(options) ? RunChecks::yes : RunChecks::no) {}

  /// History pass: before the first read_object, what the database holds.
  void begin_history(const ObjectTable& present) { census_.emplace(present); }

  /// History pass: reads any object; scans blobs (their paths are not known
  /// yet) and notes what trees and commits refer to.
  void read_object(const git_oid& id) {
    progress_.add_object();
    if (options_.known_blobs != nullptr && options_.known_blobs->count(id) != 0) {
      ++stats_.blobs_known;
      return;
    }
    OdbObjectPtr object = read(id, std::string(), Listed::yes);
    if (!object) return;
    std::string_view bytes = data_of(object.get());
    switch (git_odb_object_type(object.get())) {
      case GIT_OBJECT_BLOB:
        if (options_.blobs_read != nullptr) blobs_read_.push_back(id);
        scan_content(id, bytes, std::string());
        break;
      case GIT_OBJECT_TREE:
        census_->add_tree(bytes);
        sketch_.add(id, bytes);
        if (options_.lint_history) note_check_candidates(bytes);
        break;
      case GIT_OBJECT_COMMIT:
        census_->add_commit(bytes);
        break;
      default:
        break;
    }
  }

  /// Range scans: reads one blob, met at `path` by the range walk.
  void scan_blob(const git_oid& id, const std::string& path) {
    if (OdbObjectPtr object = read(id, path, Listed::no))
      scan_content(id, data_of(object.get()), path);
  }

  std::vector<MatchedBlob>& matched() { return matched_; }
  /// History audits: blobs that sat at a name a check reads (check_reads_name), by name.
  std::vector<GitBlob>& check_candidates() { return check_candidates_; }
  const ScanStats& stats() const { return stats_; }
  ObjectCensus& census() { return *census_; }
  std::vector<git_oid>& blobs_read() { return blobs_read_; }
  TreeSketch& sketch() { return sketch_; }
  git_repository* repository() const { return repository_.get(); }
  std::size_t objects_read() const { return objects_read_; }
  /// Objects that were not found (range scans): a partial clone's, or a damaged pack's.
  const std::vector<git_oid>& not_found() const { return not_found_; }

 private:
  /// Whether the object database listed the id (history) or a tree named it (ranges).
  enum class Listed { yes, no };

  /// The object; null when it is missing (a partial or shallow clone: counted)
  /// or a blob over the size limit (skipped before it is inflated). Any other
  /// failure (a zlib or checksum error, or a listed object that cannot be
  /// found: libgit2 reports a truncated pack as "not found") throws: a
  /// damaged repository must not pass as a clean one.
  OdbObjectPtr read(const git_oid& id, const std::string& path, Listed listed) {
    std::size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    int status = git_odb_read_header(&size, &type, odb_.get(), &id);
    if (status == 0 && type == GIT_OBJECT_BLOB && size > options_.max_file_size) {
      ++stats_.skipped_too_large;
      diagnostics_.warn("blob " + oid_hex(id) + (path.empty() ? "" : " (" + path + ")") +
                        ": larger than the size limit (" + size_text(options_.max_file_size) +
                        "); not scanned");
      return nullptr;
    }
    git_odb_object* raw = nullptr;
    if (status == 0) status = git_odb_read(&raw, odb_.get(), &id);
    if (status == GIT_ENOTFOUND && listed == Listed::no) {
      ++stats_.unreadable;
      not_found_.push_back(id);
      return nullptr;
    }
    if (status == GIT_ENOTFOUND) {
      throw RuntimeFailure("git object " + oid_hex(id) +
                           " is listed in the object database but cannot be read; a pack is "
                           "damaged (truncated?)");
    }
    if (status != 0) {
      throw RuntimeFailure("git object " + oid_hex(id) + (path.empty() ? "" : " (" + path + ")") +
                           " cannot be read; the repository is damaged: " + git_error_text());
    }
    ++objects_read_;
    return OdbObjectPtr(raw);
  }

  /// A tree's blob entries at a name some check reads, each (blob, name) once:
  /// found in the pass that reads every tree anyway, not by a second walk.
  void note_check_candidates(std::string_view raw_tree) {
    for_each_named_tree_entry(
        raw_tree, [this](std::string_view mode, std::string_view name, const git_oid& id) {
          if (mode == "40000" || mode == "160000" || !check_reads_name(name)) return;
          if (candidate_keys_.insert(object_at_path_key(id, name)).second)
            check_candidates_.push_back({id, std::string(name)});
        });
  }

  static bool all_set_aside(const std::vector<RawMatch>& matches) {
    return std::all_of(matches.begin(), matches.end(), [](const RawMatch& match) {
      return match.suppressed_by != Suppression::none;
    });
  }

  /// Counts the distinct spans of matches all set aside, by mark.
  void count_set_aside(const std::vector<RawMatch>& matches) {
    for (const RawMatch& match : one_per_span(matches)) stats_.count_set_aside(match.suppressed_by);
  }

  /// Keeps the blob's raw matches for findings_at each of its places. A
  /// range blob is also kept when the checks find something at `path`, the
  /// place the walk met it at (its other places are judged with it).
  void scan_content(const git_oid& id, std::string_view bytes, const std::string& path) {
    progress_.add(bytes.size());
    const std::string_view raw = bytes;  // the object as stored, for its id
    if (!text_for_scanning(bytes, transcoded_, bytes)) {
      ++stats_.skipped_binary;
      return;
    }
    ++stats_.files_scanned;
    stats_.bytes_scanned += bytes.size();
    MatchedBlob blob{id, {}};
    scanner_.find_unplaced(bytes, blob.matches);
    if (!walks_commits(options_) && !blob.matches.empty() && all_set_aside(blob.matches)) {
      // Marks made where the bytes are hold at every place (a path can only
      // add one): nothing here is reported anywhere, so nothing is traced.
      count_set_aside(blob.matches);
      return;
    }
    if (blob.matches.empty()) {
      if (!walks_commits(options_)) return;
      checked_.clear();
      scanner_.findings_at(bytes, path, {}, checked_);
      if (std::all_of(checked_.begin(), checked_.end(), [](const Finding& finding) {
            return finding.suppressed_by != Suppression::none;
          })) {
        return;
      }
    }
    // libgit2 no longer re-hashes every object it reads (see ensure_libgit2);
    // a blob with findings is verified, since the findings name it by its id.
    git_oid actual;
    if (git_odb_hash(&actual, raw.data(), raw.size(), GIT_OBJECT_BLOB) == 0 &&
        !git_oid_equal(&actual, &id)) {
      throw RuntimeFailure(
          "git object " + oid_hex(id) +
          " cannot be read; the repository is damaged: its content does not match its id");
    }
    matched_.push_back(std::move(blob));
  }

  RepositoryPtr repository_;
  OdbPtr odb_;
  const GitScanOptions& options_;
  Diagnostics& diagnostics_;
  ProgressMeter& progress_;
  ContentScanner scanner_;
  std::string transcoded_;  // UTF-16/32 blobs as UTF-8
  std::vector<MatchedBlob> matched_;
  std::vector<GitBlob> check_candidates_;
  std::unordered_set<std::string> candidate_keys_;  // blob id bytes + name, of check_candidates_
  std::vector<Finding> checked_;  // findings of the checks alone, to tell whether a blob has any
  ScanStats stats_;
  std::size_t objects_read_ = 0;
  std::vector<git_oid> not_found_;
  std::vector<git_oid> blobs_read_;
  std::optional<ObjectCensus> census_;
  TreeSketch sketch_;
};

RepositoryInfo describe_repository(git_repository* repository, const std::string& root) {
  RepositoryInfo info;
  git_remote* raw_remote = nullptr;
  if (git_remote_lookup(&raw_remote, repository, "origin") == 0) {
    RemotePtr remote(raw_remote);
    if (const char* url = git_remote_url(remote.get())) info.uri = remote_uri_for_report(url);
  }
  if (info.uri.empty()) info.uri = "file://" + root + "/";
  git_oid head;
  if (git_reference_name_to_id(&head, repository, "HEAD") == 0) info.revision = oid_hex(head);
  git_reference* reference = nullptr;
  if (git_repository_head(&reference, repository) == 0) {
    ReferencePtr owned(reference);
    if (git_reference_is_branch(reference)) info.branch = git_reference_shorthand(reference);
  }
  return info;
}

std::string iso_date(const git_time& when) {
  std::time_t local = std::time_t(when.time + std::int64_t(when.offset) * 60);
  std::tm parts;
  gmtime_r(&local, &parts);
  char text[40];
  std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  int offset = when.offset < 0 ? -when.offset : when.offset;
  std::snprintf(text + length, sizeof text - length, "%c%02d:%02d", when.offset < 0 ? '-' : '+',
                offset / 60, offset % 60);
  return text;
}

/// Commit metadata, looked up once per commit.
class CommitDetails {
 public:
  explicit CommitDetails(git_repository* repository) : repository_(repository) {}

  const GitOrigin& of(const git_oid& id) {
    auto [entry, inserted] = cache_.try_emplace(oid_hex(id));
    if (!inserted) return entry->second;
    GitOrigin& origin = entry->second;
    origin.commit = entry->first;
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repository_, &id) == 0) {
      CommitPtr commit(raw);
      const git_signature* author = git_commit_author(commit.get());
      origin.author = author->name != nullptr ? author->name : "";
      origin.email = author->email != nullptr ? author->email : "";
      origin.date = iso_date(author->when);
    }
    return origin;
  }

 private:
  git_repository* repository_;
  std::map<std::string, GitOrigin> cache_;
};

/// Keeps, of findings[first...], those on one of `lines` (1-based, sorted):
/// the lines a change adds, for the staged scan and at each place of a range.
void keep_findings_on_lines(std::vector<Finding>& findings, std::size_t first,
                            const std::vector<std::uint32_t>& lines) {
  auto on_added_line = [&](const Finding& finding) {
    return std::binary_search(lines.begin(), lines.end(), finding.start.line);
  };
  auto kept = std::stable_partition(findings.begin() + std::ptrdiff_t(first), findings.end(),
                                    on_added_line);
  findings.erase(kept, findings.end());
}

/// Distinct secret spans among the reported `matches`: the findings they make at one place.
std::size_t distinct_spans(std::vector<RawMatch> matches) {
  std::erase_if(matches,
                [](const RawMatch& match) { return match.suppressed_by != Suppression::none; });
  return one_per_span(std::move(matches)).size();
}

/// The findings of the kept blobs, made once per place each blob lives at,
/// with the commit that put it there: the checks run and path-dependent rules
/// are settled at that place's path (ContentScanner::findings_at). A range
/// place keeps only the findings on the lines its commit adds. What an
/// allowlist or an inline allow sets aside is counted in `set_aside`, not
/// kept. Blobs with no place (no ref reaches them) make no findings;
/// `unreachable` counts what they held.
std::vector<Finding> place_findings(const std::vector<MatchedBlob>& blobs, const BlobPlaces& places,
                                    git_repository* repository, ContentScanner& scanner,
                                    std::size_t& unreachable, ScanStats& set_aside) {
  CommitDetails details(repository);
  OdbPtr odb = repository_odb(repository);
  std::string transcoded;
  std::vector<Finding> placed;
  for (const MatchedBlob& blob : blobs) {
    auto found = places.find(blob.id);
    if (found == places.end()) {
      unreachable += distinct_spans(blob.matches);
      continue;
    }
    OdbObjectPtr content = read_again(odb.get(), blob.id);
    std::string_view bytes = data_of(content.get());
    text_for_scanning(bytes, transcoded, bytes);  // it was scanned, so it is text
    std::string blob_hex = oid_hex(blob.id);
    for (const BlobPlace& place : found->second) {
      std::size_t first = placed.size();
      const std::string commit = git_oid_is_zero(&place.commit) ? "" : oid_hex(place.commit);
      scanner.findings_at(bytes, place.path, blob.matches, placed, commit);
      if (place.added_lines) keep_findings_on_lines(placed, first, *place.added_lines);
      set_aside_marked(placed, first, set_aside);  // counted, not kept
      for (auto it = placed.begin() + std::ptrdiff_t(first); it != placed.end(); ++it) {
        it->git = git_oid_is_zero(&place.commit) ? GitOrigin{} : details.of(place.commit);
        it->git->blob = blob_hex;
      }
    }
  }
  return placed;
}

/// An audit's findings taken from its datastore (their blob was not read
/// again): one copy at each place of their blob.
void place_known_findings(const std::vector<Finding>& known, const BlobPlaces& places,
                          git_repository* repository, std::vector<Finding>& placed,
                          std::size_t& unreachable) {
  CommitDetails details(repository);
  for (const Finding& finding : known) {
    git_oid id;
    if (!finding.git || git_oid_fromstr(&id, finding.git->blob.c_str()) != 0) continue;
    auto found = places.find(id);
    if (found == places.end()) {
      ++unreachable;
      continue;
    }
    for (const BlobPlace& place : found->second) {
      Finding& copy = placed.emplace_back(finding);
      copy.path = place.path;
      copy.git = git_oid_is_zero(&place.commit) ? GitOrigin{} : details.of(place.commit);
      copy.git->blob = finding.git->blob;
    }
  }
}

/// History audits: the blobs at a name a check reads (check_candidates)
/// that no secret made a target are linted by that name; each with a check
/// finding (suppressed or not: allowlists judge the full path, known only at
/// its places) joins `matched` with no matches, so provenance places it and
/// the checks judge it again at each full path. `targeted` holds the ids
/// already there.
void add_check_hits(git_repository* repository, const std::vector<GitBlob>& candidates,
                    const Matcher& matcher, const GitScanOptions& options, Diagnostics& diagnostics,
                    OidSet& targeted, std::vector<MatchedBlob>& matched) {
  if (candidates.empty()) return;
  OdbPtr odb = repository_odb(repository);
  ContentScanner checker(matcher, diagnostics, options.rule_paths, RunChecks::yes);
  std::string transcoded;
  std::vector<Finding> found;
  for (const GitBlob& candidate : candidates) {
    if (targeted.count(candidate.id) != 0) continue;
    std::size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, odb.get(), &candidate.id) != 0 ||
        size > options.max_file_size) {
      continue;  // missing (counted by the census) or too large (named by the pass)
    }
    OdbObjectPtr object = read_again(odb.get(), candidate.id);
    std::string_view bytes = data_of(object.get());
    if (!text_for_scanning(bytes, transcoded, bytes)) continue;
    found.clear();
    if (checker.findings_at(bytes, candidate.path, {}, found) == 0) continue;
    targeted.insert(candidate.id);
    matched.push_back({candidate.id, {}});
  }
}

bool has_refs(git_repository* repository) {
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_new(&raw, repository) != 0) return false;
  ReferenceIteratorPtr iterator(raw);
  git_reference* reference = nullptr;
  if (git_reference_next(&reference, iterator.get()) != 0) return false;
  git_reference_free(reference);
  return true;
}

unsigned thread_count(const GitScanOptions& options) {
  return options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

/// History: every object of the database once, in storage order, each worker
/// reading one contiguous slice (deltas resolve from warm caches, and the
/// slices read in parallel). Blobs are scanned as they are read; trees and
/// commits are noted so that referenced-but-absent objects can be counted,
/// and trees are sketched so that provenance need not read them all again.
TreeSketch read_whole_database(git_repository* repository,
                               std::vector<std::unique_ptr<BlobWorker>>& workers,
                               GitWalkStats& walk, ProgressMeter& progress) {
  progress.set_phase("listing");
  // One table serves twice: dropping ids listed again, and telling what is present.
  const ObjectTable present(list_objects(repository_odb(repository).get()));
  const std::vector<git_oid>& ids = present.ids();
  progress.set_total(ids.size());
  progress.set_phase("reading");
  WorkerThreads threads;
  for (std::size_t w = 0; w < workers.size(); ++w) {
    workers[w]->begin_history(present);
    std::size_t from = ids.size() * w / workers.size();
    std::size_t to = ids.size() * (w + 1) / workers.size();
    threads.spawn([&ids, &worker = *workers[w], &threads, from, to] {
      for (std::size_t i = from; i < to && !threads.stopping(); ++i) worker.read_object(ids[i]);
    });
  }
  threads.join();

  // Refs but not one readable object: the database is unusable, not empty.
  std::size_t read = 0;
  for (auto& worker : workers) read += worker->objects_read();
  if (read == 0 && has_refs(repository)) {
    throw RuntimeFailure("read no objects from " + std::string(git_repository_path(repository)) +
                         " although it has refs; the object database is damaged or unreadable");
  }

  ObjectCensus census(present);
  for (auto& worker : workers) census.merge(std::move(worker->census()));
  walk.missing_objects += census.missing.size();
  walk.commits = census.commits;
  walk.submodules = census.submodules;
  TreeSketch sketch;
  for (auto& worker : workers) sketch.merge(std::move(worker->sketch()));
  return sketch;
}

/// "Not found" is a partial clone's normal state, but libgit2 also says it of
/// every object in a pack it rejects (a truncated one): an object that the
/// pack index still lists is damage, and fails the scan.
void throw_if_listed(git_repository* repository, const std::vector<git_oid>& not_found) {
  std::vector<git_oid> listed_ids = list_objects(repository_odb(repository).get());
  OidSet listed(listed_ids.begin(), listed_ids.end());
  for (const git_oid& id : not_found) {
    if (listed.count(id) != 0) {
      throw RuntimeFailure("git object " + oid_hex(id) +
                           " is listed in the object database but cannot be read; a pack is "
                           "damaged (truncated?)");
    }
  }
}

/// When a range end does not resolve: the commits HEAD and the refs name that
/// cannot be found (a damaged pack makes them look like a typo). A read
/// error other than "not found" is damage at once.
std::vector<git_oid> unfound_ref_targets(git_repository* repository) {
  std::vector<git_oid> targets;
  git_oid head;
  if (git_reference_name_to_id(&head, repository, "HEAD") == 0) targets.push_back(head);
  git_strarray names{};
  if (git_reference_list(&names, repository) == 0) {
    for (std::size_t i = 0; i < names.count; ++i) {
      git_oid id;
      if (git_reference_name_to_id(&id, repository, names.strings[i]) == 0) targets.push_back(id);
    }
    git_strarray_dispose(&names);
  }
  OdbPtr odb = repository_odb(repository);
  std::vector<git_oid> unfound;
  for (const git_oid& id : targets) {
    std::size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    int status = git_odb_read_header(&size, &type, odb.get(), &id);
    if (status == GIT_ENOTFOUND) {
      unfound.push_back(id);
    } else if (status != 0) {
      throw RuntimeFailure("git object " + oid_hex(id) +
                           " cannot be read; the repository is damaged: " + git_error_text());
    }
  }
  return unfound;
}

/// A range: blobs stream from the range walk through a bounded queue to the workers.
void scan_range(git_repository* repository, const CommitSelection& selection,
                std::vector<std::unique_ptr<BlobWorker>>& workers, GitWalkStats& walk,
                BlobPlaces& places) {
  BoundedQueue<GitBlob> queue(kQueueCapacity);
  // A failing worker closes the queue: the walk stops at its next push.
  WorkerThreads threads([&queue] { queue.close(); });
  for (auto& worker : workers) {
    threads.spawn([&queue, &worker, &threads] {
      // A blob may sit at several paths: path-dependent rules are settled per place.
      while (auto blob = queue.pop()) {
        if (threads.stopping()) return;
        worker->scan_blob(blob->id, blob->path);
      }
    });
  }
  walk_range_blobs(repository, selection, walk, places,
                   [&queue](GitBlob&& blob) { return queue.push(std::move(blob)); });
  queue.close();
  threads.join();

  std::vector<git_oid> not_found;
  for (auto& worker : workers) {
    not_found.insert(not_found.end(), worker->not_found().begin(), worker->not_found().end());
  }
  if (!not_found.empty()) throw_if_listed(repository, not_found);
}

/// "1 git object is", "2 git objects are": a count with its noun and verb.
std::string counted(std::size_t count, const char* noun, const char* singular_rest,
                    const char* plural_rest) {
  return std::to_string(count) + " " + noun + (count == 1 ? singular_rest : plural_rest);
}

/// Damaged objects never get here (they fail the scan); too large ones were
/// named as they were met. `where` starts each warning ("" or an audit's "NAME: ").
void report_skips(const ScanStats& stats, const std::string& where, Diagnostics& diagnostics) {
  if (stats.unreadable > 0) {
    diagnostics.warn(where + counted(stats.unreadable, "git object", " is", "s are") +
                     " missing (a partial or shallow clone) and not scanned");
  }
  if (stats.submodules > 0) {
    diagnostics.warn(where + counted(stats.submodules, "submodule entr", "y", "ies") +
                     " skipped; scan submodules as repositories of their own");
  }
}

}  // namespace

// The hook path: git's own diff, one thread, no libgit2 at all.
ScanResult scan_staged(const Matcher& matcher, StagedChanges changes, const GitScanOptions& options,
                       Diagnostics& diagnostics) {
  auto started = std::chrono::steady_clock::now();
  ScanResult result;
  result.root = changes.root;
  result.stats.skipped_binary = changes.binary;
  result.stats.submodules = changes.submodules;
  ContentScanner scanner(matcher, diagnostics, options.rule_paths);
  std::string transcoded;
  for (StagedFile& file : changes.files) {
    if (file.content.size() > options.max_file_size) {
      ++result.stats.skipped_too_large;
      diagnostics.warn(file.path + ": larger than the size limit (" +
                       size_text(options.max_file_size) + "); not scanned");
      continue;
    }
    std::string_view text;
    if (!text_for_scanning(file.content, transcoded, text)) {
      ++result.stats.skipped_binary;
      continue;
    }
    ++result.stats.files_scanned;
    result.stats.bytes_scanned += file.content.size();
    std::size_t first = result.findings.size();
    scanner.scan(text, file.path, result.findings);
    keep_findings_on_lines(result.findings, first, file.added_lines);
    set_aside_marked(result.findings, first, result.stats);  // counted, not kept
    for (auto it = result.findings.begin() + std::ptrdiff_t(first); it != result.findings.end();
         ++it) {
      it->git = GitOrigin{file.blob, "", "", "", ""};
    }
  }
  report_skips(result.stats, "", diagnostics);
  sort_findings(result.findings);
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

ScanResult scan_git(const Matcher& matcher, const GitScanOptions& options,
                    Diagnostics& diagnostics) {
  auto started = std::chrono::steady_clock::now();
  RepositoryPtr repository = open_repository(options.repository);
  ScanResult result;
  const char* workdir = git_repository_workdir(repository.get());
  result.root = workdir != nullptr ? workdir : git_repository_path(repository.get());
  while (result.root.size() > 1 && result.root.back() == '/') result.root.pop_back();
  result.repository = describe_repository(repository.get(), result.root);

  GitWalkStats walk;
  bool whole_database = !walks_commits(options);
  ProgressMeter progress(options.progress, "blobs", options.progress_label);
  std::vector<MatchedBlob> matched;
  BlobPlaces places;
  TreeSketch sketch;
  std::vector<GitBlob> check_candidates;  // history audits: every worker's, see add_check_hits

  {  // workers (and their repository handles and caches) end before provenance
    std::vector<std::unique_ptr<BlobWorker>> workers;
    for (unsigned i = 0; i < thread_count(options); ++i) {
      workers.push_back(std::make_unique<BlobWorker>(matcher, open_repository(options.repository),
                                                     options, diagnostics, progress));
    }
    if (whole_database) {
      sketch = read_whole_database(repository.get(), workers, walk, progress);
    } else {
      CommitSelection selection{options.range, options.commits, std::nullopt, options.since_commit};
      if (options.mode == GitScanMode::history) selection.branches = options.branches;
      try {
        scan_range(repository.get(), selection, workers, walk, places);
      } catch (const UsageError&) {
        throw_if_listed(repository.get(), unfound_ref_targets(repository.get()));
        throw;
      }
    }
    for (auto& worker : workers) {
      std::move(worker->check_candidates().begin(), worker->check_candidates().end(),
                std::back_inserter(check_candidates));
      std::move(worker->matched().begin(), worker->matched().end(), std::back_inserter(matched));
      result.stats.add(worker->stats());
      if (options.blobs_read != nullptr) {
        options.blobs_read->insert(options.blobs_read->end(), worker->blobs_read().begin(),
                                   worker->blobs_read().end());
      }
    }
  }
  // A range walk may hand one blob to two workers (it sits at two paths): one
  // entry per blob, since findings are made per place.
  OidSet seen;
  std::erase_if(matched, [&](const MatchedBlob& blob) { return !seen.insert(blob.id).second; });
  // An audit's blobs known from its datastore: their findings are placed too.
  std::vector<git_oid> known_blobs;
  for (const Finding& finding : options.known_findings) {
    git_oid id;
    if (finding.git && git_oid_fromstr(&id, finding.git->blob.c_str()) == 0 &&
        seen.insert(id).second)
      known_blobs.push_back(id);
  }
  // The repository checks judge a known blob at each of its places too (a
  // .env copied elsewhere): it is read again for them, with no matches to
  // make findings of, since its secrets come from the datastore.
  if (options.lint_history) {
    for (const git_oid& id : known_blobs) matched.push_back({id, {}});
  }
  if (whole_database && options.lint_history) {
    add_check_hits(repository.get(), check_candidates, matcher, options, diagnostics, seen,
                   matched);
  }

  if (whole_database && (!matched.empty() || !known_blobs.empty())) {
    progress.set_phase("provenance");
    std::vector<git_oid> targets;
    OidSet targeted;
    for (const MatchedBlob& blob : matched) {
      if (targeted.insert(blob.id).second) targets.push_back(blob.id);
    }
    for (const git_oid& id : known_blobs) {
      if (targeted.insert(id).second) targets.push_back(id);
    }
    std::unordered_set<std::uint64_t> trees = sketch.trees_leading_to(targets);
    places = find_blob_provenance(repository.get(), targets, diagnostics, &trees);
  }
  std::size_t unreachable = 0;
  ContentScanner scanner(matcher, diagnostics, options.rule_paths,
                         !whole_database || options.lint_history ? RunChecks::yes : RunChecks::no);
  result.findings =
      place_findings(matched, places, repository.get(), scanner, unreachable, result.stats);
  place_known_findings(options.known_findings, places, repository.get(), result.findings,
                       unreachable);
  progress.finish();
  const std::string where =
      options.repository_name.empty() ? std::string() : options.repository_name + ": ";
  if (unreachable > 0) {
    diagnostics.warn(where + counted(unreachable, "finding", " is", "s are") +
                     " in objects that no ref reaches (dangling after a rebase or an amend, "
                     "until git gc) and not reported");
  }

  result.stats.commits = walk.commits;
  result.stats.submodules = walk.submodules;
  result.stats.unreadable += walk.missing_objects;
  report_skips(result.stats, where, diagnostics);
  sort_findings(result.findings);
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace keysweep
