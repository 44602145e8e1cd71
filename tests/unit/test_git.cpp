#include <catch2/catch.hpp>
#include <string>

#include "git/git_blobs.h"
#include "git/git_handles.h"
#include "git/object_table.h"
#include "git/staged_diff.h"
#include "git/tree_sketch.h"

using namespace keysweep;

TEST_CASE("remote URLs lose their credentials before they reach a report") {
  CHECK(remote_uri_for_report("https://deploy:s3cr3t@git.example.com/org/repo.git") ==
        "https://git.example.com/org/repo.git");
  CHECK(remote_uri_for_report("https://x-access-token:ghs_abc@github.com/org/repo") ==
        "https://github.com/org/repo");
  CHECK(remote_uri_for_report("https://github.com/org/repo@v2") ==
        "https://github.com/org/repo@v2");
  CHECK(remote_uri_for_report("ssh://git@host:2222/org/repo.git") ==
        "ssh://host:2222/org/repo.git");
  CHECK(remote_uri_for_report("git@github.com:org/repo.git") == "ssh://github.com/org/repo.git");
  CHECK(remote_uri_for_report("/srv/git/repo.git") == "file:///srv/git/repo.git");
}

namespace {

std::string raw_entry(const std::string& mode, const std::string& name, unsigned char fill) {
  return mode + " " + name + std::string(1, '\0') + std::string(GIT_OID_RAWSZ, char(fill));
}

git_oid filled_oid(unsigned char fill) {
  unsigned char raw[GIT_OID_RAWSZ];
  std::fill(std::begin(raw), std::end(raw), fill);
  git_oid id;
  git_oid_fromraw(&id, raw);
  return id;
}

}  // namespace

TEST_CASE("the object table keeps each id once, in order, and knows what is present") {
  ObjectTable table({filled_oid(3), filled_oid(1), filled_oid(3), filled_oid(2), filled_oid(1)});
  REQUIRE(table.ids().size() == 3);
  CHECK(table.ids()[0].id[0] == 3);
  CHECK(table.ids()[1].id[0] == 1);
  CHECK(table.ids()[2].id[0] == 2);
  CHECK(table.contains(filled_oid(2)));
  CHECK_FALSE(table.contains(filled_oid(4)));
  // Ids that share their first 8 bytes are still told apart when listed.
  git_oid twin = filled_oid(3);
  twin.id[19] = 0;
  ObjectTable twins({filled_oid(3), twin});
  CHECK(twins.ids().size() == 2);
  CHECK(ObjectTable({}).ids().empty());
  CHECK_FALSE(ObjectTable({}).contains(filled_oid(0)));
  // A table big enough to wrap its probes around.
  std::vector<git_oid> many;
  for (unsigned n = 0; n < 5000; ++n) {
    git_oid id{};
    id.id[0] = std::uint8_t(n);
    id.id[1] = std::uint8_t(n >> 8);
    id.id[19] = 1;
    many.push_back(id);
    many.push_back(id);
  }
  ObjectTable big(many);
  CHECK(big.ids().size() == 5000);
  for (unsigned n = 0; n < 5000; n += 7) CHECK(big.contains(many[2 * n]));
}

TEST_CASE("the object census counts what trees and commits name but the database lacks") {
  const ObjectTable present({filled_oid(1), filled_oid(4), filled_oid(6)});
  ObjectCensus census(present);
  census.add_tree(raw_entry("100644", "a.txt", 1) + raw_entry("40000", "dir", 2) +
                  raw_entry("160000", "vendor", 3) + raw_entry("120000", "link", 4));
  CHECK(census.missing.size() == 1);
  CHECK(census.missing.count(filled_oid(2)) == 1);
  CHECK(census.missing.count(filled_oid(3)) == 0);  // a gitlink names another repository
  CHECK(census.submodules == 1);

  census.add_commit("tree 0505050505050505050505050505050505050505\nauthor A <a@b> 1 +0000\n");
  CHECK(census.commits == 1);
  CHECK(census.missing.count(filled_oid(5)) == 1);

  // A truncated tree keeps what was parsed and stops.
  ObjectCensus truncated(present);
  truncated.add_tree(raw_entry("100644", "a", 7) + "100644 b");
  CHECK(truncated.missing.size() == 1);

  ObjectCensus other(present);
  other.add_tree(raw_entry("100644", "c", 7) + raw_entry("100644", "d", 2) +
                 raw_entry("100644", "e", 6));
  census.merge(std::move(other));
  CHECK(census.missing.count(filled_oid(7)) == 1);
  CHECK(census.missing.size() == 3);  // 2, 5 and 7, each once
}

TEST_CASE("the tree sketch finds the trees that lead to a blob, and only those") {
  // Spilling after 0 or 1 pending fingerprints reads them back from the temporary
  // file, from memory, and across the two; 1 << 20 keeps all in memory.
  const std::size_t spill_after = GENERATE(0, 1, std::size_t(1) << 20);
  CAPTURE(spill_after);
  // root -> dir -> sub -> blob 0x11; root -> other (blob 0x22); lone tree (blob 0x33).
  TreeSketch sketch(spill_after);
  sketch.add(filled_oid(0xA3), raw_entry("100644", "secret.env", 0x11));
  sketch.add(filled_oid(0xA2), raw_entry("40000", "sub", 0xA3) + raw_entry("100644", "x", 0x44));
  sketch.add(filled_oid(0xA1), raw_entry("40000", "dir", 0xA2) + raw_entry("40000", "other", 0xB1));
  TreeSketch more(spill_after);
  more.add(filled_oid(0xB1), raw_entry("100644", "readme", 0x22));
  more.add(filled_oid(0xC1), raw_entry("100644", "lone", 0x33));
  sketch.merge(std::move(more));

  auto leading = sketch.trees_leading_to({filled_oid(0x11)});
  for (unsigned char tree : {0xA1, 0xA2, 0xA3})
    CHECK(leading.count(TreeSketch::key(filled_oid(tree))) == 1);
  CHECK(leading.count(TreeSketch::key(filled_oid(0xB1))) == 0);
  CHECK(leading.count(TreeSketch::key(filled_oid(0xC1))) == 0);

  auto other = sketch.trees_leading_to({filled_oid(0x22)});
  CHECK(other.count(TreeSketch::key(filled_oid(0xB1))) == 1);
  CHECK(other.count(TreeSketch::key(filled_oid(0xA1))) == 1);
  CHECK(other.count(TreeSketch::key(filled_oid(0xA2))) == 0);
  CHECK(sketch.trees_leading_to({}).empty());
}

TEST_CASE("a spilled tree sketch reads its fingerprints back across chunks") {
  // 3,000 trees of 100 blobs: 300,000 fingerprints, more than one read-back chunk.
  auto id_of = [](unsigned tree, unsigned entry) {
    git_oid id{};
    std::uint64_t seed = (std::uint64_t(tree) << 32 | entry) * 0x9E3779B97F4A7C15u + 1;
    for (auto& byte : id.id) {
      seed ^= seed >> 29;
      seed *= 0xBF58476D1CE4E5B9u;
      byte = std::uint8_t(seed >> 56);
    }
    return id;
  };
  TreeSketch spilled(1000), in_memory(std::size_t(1) << 30);
  for (unsigned tree = 0; tree < 3000; ++tree) {
    std::string raw;
    for (unsigned entry = 0; entry < 100; ++entry) {
      const git_oid blob = id_of(tree, entry);
      raw += "100644 f" + std::to_string(entry) + std::string(1, '\0') +
             std::string(reinterpret_cast<const char*>(blob.id), GIT_OID_RAWSZ);
    }
    spilled.add(id_of(tree, 1000), raw);
    in_memory.add(id_of(tree, 1000), raw);
  }
  const std::vector<git_oid> targets{id_of(7, 3), id_of(2700, 99), id_of(2999, 0)};
  auto leading = spilled.trees_leading_to(targets);
  CHECK(leading == in_memory.trees_leading_to(targets));
  for (unsigned tree : {7u, 2700u, 2999u})
    CHECK(leading.count(TreeSketch::key(id_of(tree, 1000))) == 1);
  CHECK(leading.size() < 10);  // 32-bit fingerprints: a stray match is rare
}

TEST_CASE("a staged diff with full context gives each file's new content and added lines") {
  const std::string diff =
      "diff --git a/bin.dat b/bin.dat\nnew file mode 100644\n"
      "index 0000000000000000000000000000000000000000..87ae6b695deceaf160611414f7dcd5c7366b2e79\n"
      "Binary files /dev/null and b/bin.dat differ\n"
      "diff --git a/f.txt b/f.txt\n"
      "index de980441c3ab03a8c07dda1ad27b8a11f39deb1e..a7bc997ebe8cf84988b83d2e83f1d193124fe593 "
      "100644\n"
      "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n"
      "diff --git a/nonl.txt b/nonl.txt\n"
      "index c1b0730e0133447badcfd47fd144e254807b06e1..a08fd8b55a60a839ea1f498332a5db899a07dc99 "
      "100644\n"
      "--- a/nonl.txt\n+++ b/nonl.txt\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+xy\n\\ No "
      "newline at end of file\n"
      "diff --git \"a/sp ace/t\\\"ab.txt\" \"b/sp ace/t\\\"ab.txt\"\nnew file mode 100644\n"
      "index 0000000000000000000000000000000000000000..8e8a8499197398a137accb4aadd322cfeb0f7aaf\n"
      "--- /dev/null\n+++ \"b/sp ace/t\\\"ab.txt\"\t\n@@ -0,0 +1 @@\n+q\"uote\n"
      "diff --git a/sub b/sub\nindex "
      "1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 160000\n"
      "--- a/sub\n+++ b/sub\n@@ -1 +1 @@\n-Subproject commit "
      "1111111111111111111111111111111111111111\n"
      "+Subproject commit 2222222222222222222222222222222222222222\n";
  StagedChanges changes;
  parse_staged_diff(diff, changes);
  CHECK(changes.binary == 1);
  CHECK(changes.submodules == 1);
  REQUIRE(changes.files.size() == 3);
  CHECK(changes.files[0].path == "f.txt");
  CHECK(changes.files[0].blob == "a7bc997ebe8cf84988b83d2e83f1d193124fe593");
  CHECK(changes.files[0].content == "a\nB\nc\nd\n");
  CHECK(changes.files[0].added_lines == std::vector<std::uint32_t>{2, 4});
  CHECK(changes.files[1].content == "xy");
  CHECK(changes.files[2].path == "sp ace/t\"ab.txt");
  CHECK(changes.files[2].added_lines == std::vector<std::uint32_t>{1});
}

TEST_CASE("a line after a \"No newline\" marker stays a line of its own") {
  // git writes the marker only after a file's last line; a damaged diff may
  // continue. Found by fuzzing: the next line was glued onto the previous one,
  // so added_lines named a line past the content's end.
  const std::string diff =
      "diff --git a/app.env b/app.env\n"
      "--- a/app.env\n+++ b/app.env\n@@ -1 +1,2 @@\n+A=1\n\\ No newline at end of file\n"
      "\\ No newline at end of file\n+B=2\n\\ No newline at end of file\n";
  StagedChanges changes;
  parse_staged_diff(diff, changes);
  REQUIRE(changes.files.size() == 1);
  CHECK(changes.files[0].content == "A=1\nB=2");
  CHECK(changes.files[0].added_lines == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("a second hunk of one file goes on counting the lines of its content") {
  // Found by fuzzing: git gives one hunk per file with unlimited context, but a
  // damaged diff with two restarted the count, so added_lines went unsorted and
  // named the wrong lines of the content.
  const std::string diff =
      "diff --git a/app.env b/app.env\n--- a/app.env\n+++ b/app.env\n"
      "@@ -1 +1,2 @@\n A=1\n+B=2\nnot a diff line\n@@ -1 +1,2 @@\n C=3\n+D=4\n";
  StagedChanges changes;
  parse_staged_diff(diff, changes);
  REQUIRE(changes.files.size() == 1);
  CHECK(changes.files[0].content == "A=1\nB=2\nC=3\nD=4\n");
  CHECK(changes.files[0].added_lines == std::vector<std::uint32_t>{2, 4});
}

TEST_CASE("a staged diff with renames: a pure rename adds nothing, an edited one its edits") {
  // As `git diff --cached -M --full-index -U<all>` prints a `git mv` of each.
  const std::string diff =
      "diff --git a/keys.env b/data/keys.env\nsimilarity index 100%\n"
      "rename from keys.env\nrename to data/keys.env\n"
      "diff --git a/old.txt b/new.txt\nsimilarity index 75%\n"
      "rename from old.txt\nrename to new.txt\n"
      "index d68dd4031d2ad5b7a3829ad7df6635e27a7daa22.."
      "a7bc997ebe8cf84988b83d2e83f1d193124fe593 100644\n"
      "--- a/old.txt\n+++ b/new.txt\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n";
  StagedChanges changes;
  parse_staged_diff(diff, changes);
  REQUIRE(changes.files.size() == 1);
  CHECK(changes.files[0].path == "new.txt");
  CHECK(changes.files[0].blob == "a7bc997ebe8cf84988b83d2e83f1d193124fe593");
  CHECK(changes.files[0].content == "a\nB\nc\nd\n");
  CHECK(changes.files[0].added_lines == std::vector<std::uint32_t>{2});
}
