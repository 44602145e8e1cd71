#include "findings/scan_result.h"

namespace keysweep {

void ScanStats::add(const ScanStats& other) {
  files_scanned += other.files_scanned;
  bytes_scanned += other.bytes_scanned;
  skipped_binary += other.skipped_binary;
  skipped_too_large += other.skipped_too_large;
  unreadable += other.unreadable;
  left_out += other.left_out;
  commits += other.commits;
  submodules += other.submodules;
  blobs_known += other.blobs_known;
  allowlisted += other.allowlisted;
  inline_allowed += other.inline_allowed;
}

}  // namespace keysweep
