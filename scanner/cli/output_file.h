#pragma once
// A report destination: standard output, or a file written beside its final
// name and renamed into place only when complete, so a failed run never
// leaves a truncated report where a good one was.

#include <fstream>
#include <iostream>
#include <string>

namespace keysweep {

class OutputFile {
 public:
  /// path empty or "-": standard output.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return to_stdout_ ? std::cout : file_; }
  bool is_stdout() const { return to_stdout_; }

  /// Flushes and moves the file into place. Throws RuntimeFailure on error.
  void commit();

 private:
  std::string path_, temporary_;
  std::ofstream file_;
  bool to_stdout_;
  bool committed_ = false;
};

}  // namespace keysweep
