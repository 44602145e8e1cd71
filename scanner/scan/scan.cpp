#include "scan/scan.h"

#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include "git/gitignore.h"
#include "inputs/file_content.h"
#include "inputs/text_decoding.h"
#include "inputs/tree_walker.h"
#include "matcher/matcher.h"
#include "scan/content_scanner.h"
#include "util/bounded_queue.h"
#include "util/diagnostics.h"
#include "util/error.h"
#include "util/paths.h"
#include "util/worker_threads.h"

namespace keysweep {
namespace {

constexpr const char* kStdinPath = "<stdin>";
// Files travel to the workers in batches: one hand-over per file made the
// walker and the workers wake each other for every small source file (a
// context switch costs more than scanning a 2 KB file).
constexpr std::size_t kBatchSize = 32;
constexpr std::size_t kQueueCapacity = 4096 / kBatchSize;

/// What one worker accumulates; merged once at the end, so workers never lock.
struct WorkerOutput {
  std::vector<Finding> findings;
  ScanStats stats;
};

class ScanWorker {
 public:
  ScanWorker(const Matcher& matcher, const ScanOptions& options, Diagnostics& diagnostics)
      : options_(options),
        diagnostics_(diagnostics),
        scanner_(matcher, diagnostics, options.rule_paths) {}

  void scan_file(const FileToScan& file) {
    FileContent content;
    std::string error;
    switch (reader_.read(file.open_path, options_.max_file_size, content, error)) {
      case ReadOutcome::ok:
        scan_bytes(content.bytes(), file.display_path);
        break;
      case ReadOutcome::empty:
        ++output_.stats.files_scanned;
        break;
      case ReadOutcome::binary:
        ++output_.stats.skipped_binary;
        // Binary files in a tree are skipped quietly; one asked for by name is news.
        if (file.named) diagnostics_.warn(file.display_path + ": binary file; not scanned");
        break;
      case ReadOutcome::too_large:
        ++output_.stats.skipped_too_large;
        diagnostics_.warn(file.display_path + ": larger than the size limit (" +
                          size_text(options_.max_file_size) + "); not scanned");
        break;
      case ReadOutcome::error:
        ++output_.stats.unreadable;
        diagnostics_.warn(file.display_path + ": cannot read: " + error);
        break;
    }
  }

  void scan_bytes(std::string_view bytes, const std::string& path) {
    ++output_.stats.files_scanned;
    output_.stats.bytes_scanned += bytes.size();
    scanner_.scan(bytes, path, output_.findings, &output_.stats);
  }

  WorkerOutput& output() { return output_; }

 private:
  const ScanOptions& options_;
  Diagnostics& diagnostics_;
  ContentScanner scanner_;
  FileReader reader_;
  WorkerOutput output_;
};

/// Standard input cannot be mapped; it is read whole, up to the size limit.
void scan_stdin(ScanWorker& worker, std::size_t max_size, Diagnostics& diagnostics) {
  std::string bytes;
  char buffer[1 << 16];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      diagnostics.warn(std::string(kStdinPath) + ": cannot read: " + std::strerror(errno));
      return;
    }
    if (n == 0) break;
    if (bytes.size() + std::size_t(n) > max_size) {
      ++worker.output().stats.skipped_too_large;
      diagnostics.warn(std::string(kStdinPath) + ": larger than the size limit (" +
                       size_text(max_size) + "); not scanned");
      return;
    }
    bytes.append(buffer, std::size_t(n));
  }
  std::string transcoded;
  std::string_view text;
  if (!text_for_scanning(bytes, transcoded, text)) {
    ++worker.output().stats.skipped_binary;
    diagnostics.warn(std::string(kStdinPath) + ": binary input; not scanned");
    return;
  }
  worker.scan_bytes(text, kStdinPath);
}

/// Whether a global allowlist drops everything under `directory` by its path
/// alone: one of its path regexes matches the directory's path with a slash
/// (`vendor/`), and no other criterion has to agree.
bool allowlisted_directory(const Ruleset& ruleset, const std::string& directory) {
  for (const Allowlist& allowlist : ruleset.global_allowlists) {
    bool path_decides =
        !allowlist.require_all ||
        (allowlist.regexes.empty() && allowlist.stopwords.empty() && allowlist.commits.empty());
    if (!path_decides) continue;
    for (const auto& regex : allowlist.paths) {
      if (re2::RE2::PartialMatch(directory, *regex)) return true;
    }
  }
  return false;
}

/// The walk's scope from the options: excludes, git's ignore rules, and
/// directories the global allowlists drop whole (pruned, not walked).
WalkScope walk_scope(const ScanOptions& options, const Ruleset& ruleset, const std::string& root,
                     Diagnostics& diagnostics) {
  WalkScope scope;
  scope.one_file_system = options.one_file_system;
  auto excludes = std::make_shared<std::vector<std::unique_ptr<re2::RE2>>>();
  for (const std::string& glob : options.excludes) {
    excludes->push_back(std::make_unique<re2::RE2>(glob_to_regex(glob)));
    if (!excludes->back()->ok()) throw UsageError("--exclude: '" + glob + "' is not a pattern");
  }
  std::shared_ptr<GitIgnoreRules> gitignore;
  if (options.gitignore) {
    if (auto rules = GitIgnoreRules::for_directory(root)) {
      gitignore = std::make_shared<GitIgnoreRules>(std::move(*rules));
    } else {
      diagnostics.warn("--gitignore: " + root +
                       " is not in a git work tree; no .gitignore applies");
    }
  }
  bool any_allowlisted_paths =
      std::any_of(ruleset.global_allowlists.begin(), ruleset.global_allowlists.end(),
                  [](const Allowlist& allowlist) { return !allowlist.paths.empty(); });
  if (excludes->empty() && !gitignore && !any_allowlisted_paths) return scope;
  PathRebase rule_paths = options.rule_paths;
  scope.excluded = [excludes, gitignore, rule_paths, root, &ruleset](const std::string& path,
                                                                     bool directory) {
    for (const auto& regex : *excludes) {
      if (re2::RE2::FullMatch(path, *regex)) return true;
    }
    std::string absolute = path.starts_with('/') ? path : root + (root == "/" ? "" : "/") + path;
    if (gitignore && gitignore->ignored(absolute, directory)) return true;
    // A file's allowlisting is the matcher's, with the rules' own lists.
    if (!directory) return false;
    std::optional<std::string> seen =
        rule_paths.is_identity() ? std::optional<std::string>(path) : rule_paths(path);
    return seen && allowlisted_directory(ruleset, *seen + "/");
  };
  return scope;
}

}  // namespace

std::string size_text(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string scan_root(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (paths.size() == 1 && paths[0] != "-" && fs::is_directory(paths[0], error)) {
    std::string root = fs::absolute(paths[0], error).lexically_normal().string();
    if (root.size() > 1 && root.back() == '/') root.pop_back();
    return root;
  }
  return fs::current_path(error).string();
}

ScanResult scan_paths(const Matcher& matcher, const ScanOptions& options,
                      Diagnostics& diagnostics) {
  auto started = std::chrono::steady_clock::now();
  ScanResult result;
  result.root = scan_root(options.paths);

  unsigned thread_count =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<ScanWorker>> workers;
  for (unsigned i = 0; i < thread_count; ++i) {
    workers.push_back(std::make_unique<ScanWorker>(matcher, options, diagnostics));
  }

  WalkScope scope = walk_scope(options, matcher.ruleset(), result.root, diagnostics);
  std::vector<std::string> file_paths;
  for (const std::string& path : options.paths) {
    if (path == "-") {
      scan_stdin(*workers[0], options.max_file_size, diagnostics);
    } else {
      file_paths.push_back(path);
    }
  }

  BoundedQueue<std::vector<FileToScan>> queue(kQueueCapacity);
  {
    // A failing worker closes the queue: the walk stops at its next push.
    WorkerThreads threads([&queue] { queue.close(); });
    for (auto& worker : workers) {
      threads.spawn([&queue, &worker, &threads] {
        while (auto batch = queue.pop()) {
          for (const FileToScan& file : *batch) {
            if (threads.stopping()) return;
            worker->scan_file(file);
          }
        }
      });
    }
    std::vector<FileToScan> batch;
    bool accepted = true;
    result.stats.left_out =
        walk_paths(file_paths, result.root, scope, diagnostics, [&](FileToScan&& file) {
          batch.push_back(std::move(file));
          if (batch.size() < kBatchSize) return true;
          accepted = queue.push(std::exchange(batch, {}));
          return accepted;
        });
    if (accepted && !batch.empty()) queue.push(std::move(batch));
    queue.close();
    threads.join();
  }

  for (auto& worker : workers) {
    WorkerOutput& output = worker->output();
    std::move(output.findings.begin(), output.findings.end(), std::back_inserter(result.findings));
    result.stats.add(output.stats);
  }
  sort_findings(result.findings);
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace keysweep
