#include "git/staged_diff.h"

#include <string_view>

#include "util/error.h"
#include "util/subprocess.h"
#include "util/text.h"

namespace keysweep {
namespace {

/// A path as git writes it in a +++ line: plain, or C-quoted when it holds
/// special characters; "b/" dropped, and the tab git adds after names with spaces.
std::string diff_path(std::string_view text) {
  if (!text.empty() && text.back() == '\t') text.remove_suffix(1);
  std::string path;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\\' || i + 1 == text.size()) {
        path += text[i];
        continue;
      }
      char c = text[++i];
      switch (c) {
        case 'n':
          path += '\n';
          break;
        case 't':
          path += '\t';
          break;
        case 'r':
          path += '\r';
          break;
        case 'a':
          path += '\a';
          break;
        case 'b':
          path += '\b';
          break;
        case 'f':
          path += '\f';
          break;
        case 'v':
          path += '\v';
          break;
        default:
          if (c >= '0' && c <= '7' && i + 2 < text.size()) {  // octal byte, as UTF-8 is written
            path += char(((c - '0') << 6) | ((text[i + 1] - '0') << 3) | (text[i + 2] - '0'));
            i += 2;
          } else {
            path += c;
          }
      }
    }
  } else {
    path = text;
  }
  if (path.starts_with("b/")) path.erase(0, 2);
  return path;
}

}  // namespace

void parse_staged_diff(const std::string& diff, StagedChanges& changes) {
  StagedFile* file = nullptr;
  bool in_hunk = false;
  bool skip = false;  // binary or submodule
  std::string pending_blob;
  char last_kind = 0;  // kind of the previous hunk line, for "\ No newline"
  // git writes "\ No newline" only after a file's last line; should a line of
  // the new content follow anyway, the dropped newline is put back, so that
  // added_lines keep naming lines of `content`.
  bool newline_dropped = false;
  std::uint32_t new_line = 0;

  std::size_t at = 0;
  while (at < diff.size()) {
    std::size_t end = diff.find('\n', at);
    if (end == std::string::npos) end = diff.size();
    std::string_view line(diff.data() + at, end - at);
    at = end + 1;

    if (line.starts_with("diff --git ")) {
      file = nullptr;
      in_hunk = false;
      skip = false;
      pending_blob.clear();
      continue;
    }
    if (!in_hunk) {
      if (line.starts_with("index ")) {
        std::size_t dots = line.find("..");
        if (dots != std::string_view::npos) {
          std::string_view rest = line.substr(dots + 2);
          pending_blob = std::string(rest.substr(0, rest.find(' ')));
        }
        if (line.ends_with(" 160000")) skip = true;
      } else if (line.starts_with("new file mode 160000")) {
        skip = true;
      } else if (line.starts_with("Binary files ")) {
        ++changes.binary;
      } else if (line.starts_with("+++ ")) {
        if (skip) {
          ++changes.submodules;
          continue;
        }
        changes.files.push_back({diff_path(line.substr(4)), pending_blob, "", {}});
        file = &changes.files.back();
        new_line = 0;
        last_kind = 0;
        newline_dropped = false;
      } else if (line.starts_with("@@ ") && file) {
        // Lines count on across hunks of one file (git gives one), since
        // their text is appended to the same content.
        in_hunk = true;
      }
      continue;
    }
    if (line.starts_with("@@ ")) continue;  // unlimited context: one hunk per file, but be lenient
    char kind = line.empty() ? ' ' : line.front();
    std::string_view text = line.empty() ? line : line.substr(1);
    if (kind == '+' || kind == ' ') {
      ++new_line;
      if (newline_dropped) file->content += '\n';
      newline_dropped = false;
      file->content.append(text);
      file->content += '\n';
      if (kind == '+') file->added_lines.push_back(new_line);
      last_kind = kind;
    } else if (kind == '-') {
      last_kind = kind;
    } else if (kind == '\\') {
      // "\ No newline at end of file" after a line of the new content.
      if ((last_kind == '+' || last_kind == ' ') && !newline_dropped && !file->content.empty()) {
        file->content.pop_back();
        newline_dropped = true;
      }
    } else {
      in_hunk = false;  // something else: the next file's header follows
    }
  }
}

StagedChangesReader::StagedChangesReader(const std::string& repository) : repository_(repository) {
  std::vector<std::string> git = {"git"};
  if (!repository.empty()) git.insert(git.end(), {"-C", repository});
  std::vector<std::string> toplevel = git;
  toplevel.insert(toplevel.end(), {"rev-parse", "--show-toplevel"});
  std::vector<std::string> diff = git;
  // --text: git's idea of binary (UTF-16 text, `*.env -diff` or `binary` in
  // .gitattributes) must not let a file through the hook unscanned; keysweep
  // decides what is binary itself, as for every other input.
  diff.insert(diff.end(), {"-c", "core.quotePath=off", "diff", "--cached", "--no-color",
                           "--no-ext-diff", "--no-textconv", "--text", "-M", "--full-index",
                           "--diff-filter=d", "--ignore-submodules=none", "-U2147483647"});
  toplevel_ = std::async(std::launch::async, [toplevel] { return run_process(toplevel); });
  diff_ = std::async(std::launch::async, [diff] { return run_process(diff); });
}

StagedChanges StagedChangesReader::finish() {
  ProcessResult top = toplevel_.get();
  ProcessResult diff = diff_.get();
  if (top.exit_code != 0) {
    std::string where = repository_.empty() ? "the current directory" : repository_;
    throw UsageError(where + ": not a git repository with a work tree (" + trim_line_ends(top.err) +
                     ")");
  }
  if (diff.exit_code != 0)
    throw RuntimeFailure("git diff --cached failed: " + trim_line_ends(diff.err));
  StagedChanges changes;
  changes.root = trim_line_ends(top.out);
  parse_staged_diff(diff.out, changes);
  return changes;
}

}  // namespace keysweep
