#include "git/git_handles.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "util/error.h"

namespace keysweep {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Reading every object of a history re-hashed each one with SHA-1DC: a
    // third of the history pass. A scanner reads, it does not vouch for ids;
    // corruption is still caught by zlib's checksums and the packs' CRCs.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    // Memory bounds for a pass over a whole history (git's own: 850k objects,
    // a 500 MB pack). The object cache (256 MB by default) keeps trees and
    // commits that a pass in storage order never reads twice; mapped pack
    // windows (8 GB by default, in 1 GB windows) keep the whole pack resident.
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, ssize_t(kObjectCacheBytes));
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, std::size_t(kPackWindowBytes));
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, std::size_t(kMappedPackBytes));
    std::atexit([] { git_libgit2_shutdown(); });
  });
}

std::string git_error_text() {
  const git_error* error = git_error_last();
  return error != nullptr && error->message != nullptr ? error->message : "unknown libgit2 error";
}

RepositoryPtr open_repository(const std::string& path) {
  ensure_libgit2();
  git_repository* repository = nullptr;
  unsigned flags = path.empty() ? GIT_REPOSITORY_OPEN_FROM_ENV : 0;
  if (git_repository_open_ext(&repository, path.empty() ? nullptr : path.c_str(), flags, nullptr) !=
      0) {
    throw UsageError((path.empty() ? std::string("$GIT_DIR") : path) +
                     ": not a git repository: " + git_error_text());
  }
  return RepositoryPtr(repository);
}

OdbPtr repository_odb(git_repository* repository) {
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repository) != 0) {
    throw RuntimeFailure("cannot open the object database: " + git_error_text());
  }
  return OdbPtr(odb);
}

std::string oid_hex(const git_oid& id) {
  char text[GIT_OID_HEXSZ + 1];
  git_oid_tostr(text, sizeof text, &id);
  return text;
}

std::string remote_uri_for_report(std::string url) {
  std::size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    std::size_t authority = scheme + 3;
    std::size_t authority_end = std::min(url.find('/', authority), url.size());
    std::size_t at = url.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) url.erase(authority, at + 1 - authority);
    return url;
  }
  std::size_t colon = url.find(':');
  if (colon != std::string::npos && url.find('/') > colon) {  // scp-like: [user@]host:path
    std::size_t at = url.find('@');
    std::size_t host = at != std::string::npos && at < colon ? at + 1 : 0;
    return "ssh://" + url.substr(host, colon - host) + "/" + url.substr(colon + 1);
  }
  return !url.empty() && url.front() == '/' ? "file://" + url : url;
}

}  // namespace keysweep
