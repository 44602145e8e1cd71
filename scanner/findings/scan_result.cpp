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
  allowlisted_unplaced += other.allowlisted_unplaced;
  inline_allowed_unplaced += other.inline_allowed_unplaced;
}

}  // namespace keysweep
