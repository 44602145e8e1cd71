#include "cli/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/error.h"

namespace keysweep {

OutputFile::OutputFile(const std::string& path)
    : path_(path), to_stdout_(path.empty() || path == "-") {
  if (to_stdout_) return;
  temporary_ = path_ + ".tmp." + std::to_string(::getpid());
  file_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!file_) throw UsageError(path_ + ": cannot write report: " + std::strerror(errno));
}

OutputFile::~OutputFile() {
  if (!to_stdout_ && !committed_) {
    file_.close();
    std::remove(temporary_.c_str());
  }
}

void OutputFile::commit() {
  if (to_stdout_) {
    std::cout.flush();
    if (!std::cout) throw RuntimeFailure("cannot write the report to standard output");
    return;
  }
  file_.close();
  if (!file_) throw RuntimeFailure(path_ + ": cannot write report");
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    throw RuntimeFailure(path_ + ": cannot write report: " + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace keysweep
