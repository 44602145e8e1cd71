#include "scan/git_scan.h"

#include <algorithm>
#include <ctime>
#include <iterator>
#include <map>
#include <thread>

#include "git/git_blobs.h"
#include "git/git_handles.h"
#include "git/staged_diff.h"
#include "git/tree_sketch.h"
#include "inputs/text_decoding.h"
#include "matcher/matcher.h"
#include "scan/content_scanner.h"
#include "util/bounded_queue.h"
#include "util/diagnostics.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/worker_threads.h"

namespace keysweep {
namespace {

constexpr std::size_t kQueueCapacity = 4096;

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
        scanner_(matcher, diagnostics, options.rule_paths) {}

  /// History pass: reads any object; scans blobs (their paths are not known
  /// yet) and notes what trees and commits refer to.
  void read_object(const git_oid& id) {
    OdbObjectPtr object = read(id, std::string(), Listed::yes);
    if (!object) return;
    std::string_view bytes = data_of(object.get());
    switch (git_odb_object_type(object.get())) {
      case GIT_OBJECT_BLOB:
        scan_content(id, bytes, std::string(), false);
        break;
      case GIT_OBJECT_TREE:
        census_.add_tree(bytes);
        sketch_.add(id, bytes);
        break;
      case GIT_OBJECT_COMMIT:
        census_.add_commit(bytes);
        break;
      default:
        break;
    }
  }

  /// Range and staged scans: reads one blob and scans it under `path`.
  /// Returns the index of its first finding in findings().
  std::size_t scan_blob(const git_oid& id, const std::string& path, bool path_known) {
    std::size_t first = findings_.size();
    if (OdbObjectPtr object = read(id, path, Listed::no))
      scan_content(id, data_of(object.get()), path, path_known);
    return first;
  }

  std::vector<Finding>& findings() { return findings_; }
  const ScanStats& stats() const { return stats_; }
  ObjectCensus& census() { return census_; }
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

  static std::string_view data_of(git_odb_object* object) {
    return {static_cast<const char*>(git_odb_object_data(object)), git_odb_object_size(object)};
  }

  void scan_content(const git_oid& id, std::string_view bytes, const std::string& path,
                    bool path_known) {
    progress_.add(bytes.size());
    const std::string_view raw = bytes;  // the object as stored, for its id
    if (!text_for_scanning(bytes, transcoded_, bytes)) {
      ++stats_.skipped_binary;
      return;
    }
    ++stats_.files_scanned;
    stats_.bytes_scanned += bytes.size();
    std::size_t first = findings_.size();
    // Repository checks need a path: a range blob has the one that introduced it.
    bool lint = walks_commits(options_);
    if (scanner_.scan(bytes, path, findings_, path_known, lint) == 0) return;
    // libgit2 no longer re-hashes every object it reads (see ensure_libgit2);
    // a blob with findings is verified, since the findings name it by its id.
    git_oid actual;
    if (git_odb_hash(&actual, raw.data(), raw.size(), GIT_OBJECT_BLOB) == 0 && !git_oid_equal(&actual, &id)) {
      throw RuntimeFailure("git object " + oid_hex(id) +
                           " cannot be read; the repository is damaged: its content does not match its id");
    }
    std::string blob = oid_hex(id);
    for (std::size_t i = first; i < findings_.size(); ++i) {
      findings_[i].git.emplace();
      findings_[i].git->blob = blob;
    }
  }

  RepositoryPtr repository_;
  OdbPtr odb_;
  const GitScanOptions& options_;
  Diagnostics& diagnostics_;
  ProgressMeter& progress_;
  ContentScanner scanner_;
  std::string transcoded_;  // UTF-16/32 blobs as UTF-8
  std::vector<Finding> findings_;
  ScanStats stats_;
  std::size_t objects_read_ = 0;
  std::vector<git_oid> not_found_;
  ObjectCensus census_;
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

/// One finding per place its blob lives at, each with the commit that put it
/// there. A blob was scanned before its paths were known, so where a rule
/// depends on the path, the blob is scanned again under each of its paths and
/// those findings stand instead (with `lint`, the repository checks run again
/// at each path too). A range place keeps only the findings on the lines its
/// commit adds. Findings in blobs with no place (no ref reaches them) are
/// dropped and counted in `unreachable`.
std::vector<Finding> place_findings(std::vector<Finding>&& findings, const BlobPlaces& places,
                                    git_repository* repository, const Matcher& matcher, bool lint,
                                    const PathRebase& rule_paths, Diagnostics& diagnostics,
                                    std::size_t& unreachable) {
  std::map<std::string, std::vector<std::size_t>> by_blob;
  for (std::size_t i = 0; i < findings.size(); ++i) by_blob[findings[i].git->blob].push_back(i);

  CommitDetails details(repository);
  OdbPtr odb = repository_odb(repository);
  ContentScanner rescanner(matcher, diagnostics, rule_paths);
  std::string transcoded;
  std::vector<Finding> placed;
  for (const auto& [blob_hex, indices] : by_blob) {
    git_oid blob;
    auto found = git_oid_fromstr(&blob, blob_hex.c_str()) == 0 ? places.find(blob) : places.end();
    if (found == places.end()) {
      unreachable += indices.size();
      continue;
    }
    // With lint (range scans, a few blobs), every place is judged by its own
    // path: the same bytes are a committed .env file at one path and notes at another.
    bool path_dependent = lint || std::any_of(indices.begin(), indices.end(), [&](std::size_t i) {
      return matcher.depends_on_path(findings[i].rule_index);
    });
    OdbObjectPtr content;
    if (path_dependent) {
      git_odb_object* raw = nullptr;
      if (git_odb_read(&raw, odb.get(), &blob) == 0) content.reset(raw);
    }
    for (const BlobPlace& place : found->second) {
      std::vector<Finding> here;
      if (content) {
        std::string_view bytes(static_cast<const char*>(git_odb_object_data(content.get())),
                               git_odb_object_size(content.get()));
        text_for_scanning(bytes, transcoded, bytes);  // it had findings, so it is text
        rescanner.scan(bytes, place.path, here, true, lint);
      } else {
        for (std::size_t i : indices) here.push_back(findings[i]);
      }
      if (place.added_lines) keep_findings_on_lines(here, 0, *place.added_lines);
      for (Finding& finding : here) {
        finding.path = place.path;
        finding.git.emplace();
        if (!git_oid_is_zero(&place.commit)) *finding.git = details.of(place.commit);
        finding.git->blob = blob_hex;
        placed.push_back(std::move(finding));
      }
    }
  }
  return placed;
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
                               GitWalkStats& walk) {
  std::vector<git_oid> ids = list_objects(repository_odb(repository).get());
  // One set serves twice: dropping ids listed again, and telling what is present.
  OidSet present;
  std::erase_if(ids, [&](const git_oid& id) { return !present.insert(id).second; });
  WorkerThreads threads;
  for (std::size_t w = 0; w < workers.size(); ++w) {
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

  ObjectCensus census;
  for (auto& worker : workers) census.merge(std::move(worker->census()));
  for (const git_oid& id : census.referenced) walk.missing_objects += present.count(id) == 0;
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
        worker->scan_blob(blob->id, blob->path, false);
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

/// Damaged objects never get here (they fail the scan); too large ones were named as they were met.
void report_skips(const ScanStats& stats, Diagnostics& diagnostics) {
  if (stats.unreadable > 0) {
    diagnostics.warn(std::to_string(stats.unreadable) +
                     " git objects are missing (a partial or shallow clone) and were not scanned");
  }
  if (stats.submodules > 0) {
    diagnostics.warn(std::to_string(stats.submodules) +
                     " submodule entries skipped; scan submodules as repositories of their own");
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
    for (auto it = result.findings.begin() + std::ptrdiff_t(first); it != result.findings.end(); ++it) {
      it->git = GitOrigin{file.blob, "", "", "", ""};
    }
  }
  report_skips(result.stats, diagnostics);
  sort_findings(result.findings);
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

ScanResult scan_git(const Matcher& matcher, const GitScanOptions& options, Diagnostics& diagnostics) {
  auto started = std::chrono::steady_clock::now();
  RepositoryPtr repository = open_repository(options.repository);
  ScanResult result;
  const char* workdir = git_repository_workdir(repository.get());
  result.root = workdir != nullptr ? workdir : git_repository_path(repository.get());
  while (result.root.size() > 1 && result.root.back() == '/') result.root.pop_back();
  result.repository = describe_repository(repository.get(), result.root);

  GitWalkStats walk;
  bool whole_database = !walks_commits(options);
  ProgressMeter progress(options.progress, "blobs");
  std::vector<Finding> findings;
  BlobPlaces places;
  TreeSketch sketch;

  {  // workers (and their repository handles and caches) end before provenance
    std::vector<std::unique_ptr<BlobWorker>> workers;
    for (unsigned i = 0; i < thread_count(options); ++i) {
      workers.push_back(std::make_unique<BlobWorker>(
          matcher, open_repository(options.repository), options, diagnostics, progress));
    }
    if (whole_database) {
      sketch = read_whole_database(repository.get(), workers, walk);
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
      std::move(worker->findings().begin(), worker->findings().end(), std::back_inserter(findings));
      result.stats.add(worker->stats());
    }
  }
  progress.finish();

  if (whole_database && !findings.empty()) {
    std::vector<git_oid> targets;
    for (const Finding& finding : findings) {
      git_oid id;
      if (git_oid_fromstr(&id, finding.git->blob.c_str()) == 0) targets.push_back(id);
    }
    std::unordered_set<std::uint64_t> trees = sketch.trees_leading_to(targets);
    places = find_blob_provenance(repository.get(), targets, diagnostics, &trees);
  }
  std::size_t unreachable = 0;
  result.findings = place_findings(std::move(findings), places, repository.get(), matcher,
                                   !whole_database, options.rule_paths, diagnostics, unreachable);
  if (unreachable > 0) {
    diagnostics.warn(std::to_string(unreachable) +
                     " findings are in objects that no ref reaches (dangling after a rebase or "
                     "an amend, until git gc) and are not reported");
  }

  result.stats.commits = walk.commits;
  result.stats.submodules = walk.submodules;
  result.stats.unreadable += walk.missing_objects;
  report_skips(result.stats, diagnostics);
  sort_findings(result.findings);
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace keysweep
