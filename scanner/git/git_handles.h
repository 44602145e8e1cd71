#pragma once
// RAII for libgit2: every handle is a unique_ptr with its free function, and
// every failing call becomes an exception carrying libgit2's own message.

#include <git2.h>

#include <memory>
#include <string>

namespace keysweep {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* handle) const { Free(handle); }
};

using RepositoryPtr =
    std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using OdbPtr = std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>>;
using OdbObjectPtr =
    std::unique_ptr<git_odb_object, GitDeleter<git_odb_object, git_odb_object_free>>;
using TreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using CommitPtr = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk, git_revwalk_free>>;
using ReferencePtr = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;
using ObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using IndexPtr = std::unique_ptr<git_index, GitDeleter<git_index, git_index_free>>;
using BlobPtr = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;
using DiffPtr = std::unique_ptr<git_diff, GitDeleter<git_diff, git_diff_free>>;
using PatchPtr = std::unique_ptr<git_patch, GitDeleter<git_patch, git_patch_free>>;
using RemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator,
                    GitDeleter<git_reference_iterator, git_reference_iterator_free>>;

/// libgit2's bounds on memory, process-wide: its object cache, and the pack
/// windows it maps (mapped pages count as resident once read). A history pass
/// holds at most these beside its own per-object state (see git_scan.h).
inline constexpr std::size_t kObjectCacheBytes = std::size_t(32) << 20;
inline constexpr std::size_t kPackWindowBytes = std::size_t(32) << 20;
inline constexpr std::size_t kMappedPackBytes = std::size_t(256) << 20;

/// libgit2's global state for the life of the process (init once, shut down
/// at exit), with the memory bounds above.
void ensure_libgit2();

/// The last libgit2 error message, or a generic one.
std::string git_error_text();

/// Opens the repository at path (searching upwards like git), or, with an
/// empty path, from the environment as git sets it for hooks (GIT_DIR,
/// GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES).
/// Throws UsageError naming the path when there is no repository.
RepositoryPtr open_repository(const std::string& path);

/// The repository's object database.
OdbPtr repository_odb(git_repository* repository);

/// Hex of an object id.
std::string oid_hex(const git_oid& id);

/// A remote URL fit for a report: credentials removed ("https://user:token@host/x"
/// becomes "https://host/x"), scp-like "git@host:org/repo" written as
/// "ssh://host/org/repo", and a local path as a file:// URI.
std::string remote_uri_for_report(std::string url);

}  // namespace keysweep
