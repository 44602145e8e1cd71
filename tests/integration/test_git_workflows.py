"""Everyday git workflows, each as real git does them (real `git commit`, real
`git push` to bare remotes, hooks installed by `keysweep hook install`):
ranges and hooks report what the commits add, line by line; renames add
nothing; hooks scan exactly what the remote lacks; history covers every ref
kind (tags of blobs and trees, notes, the stash)."""
import json
import os
import shutil
import subprocess
import unittest

from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, BINARY, SOURCE_ROOT
from test_hooks import HookTestCase

API_KEY_3 = "c9e1a7f5b2d8c4e6a1f9b3d7c5e2a8f3"


class WorkflowTestCase(HookTestCase):
    """A repository (self.repo, with one commit) pushed to a bare remote."""

    def setUp(self):
        super().setUp()
        self.remote = GitRepo(os.path.join(self.tmp, "remote.git"), bare=True)
        self.repo.git("remote", "add", "origin", self.remote.path)
        self.repo.git("push", "-q", "origin", "main")

    def clone(self, name):
        path = os.path.join(self.tmp, name)
        completed = self.run_in(self.tmp, "git", "clone", "-q", self.remote.path, path)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        for key, value in (("user.name", "Test Runner"), ("user.email", "runner@example.com"),
                           ("commit.gpgsign", "false")):
            self.run_in(path, "git", "config", key, value)
        return path

    def git(self, directory, *args):
        completed = self.run_in(directory, "git", *args)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        return completed.stdout.strip()

    def commit_unchecked(self, directory, files, message="change"):
        """A commit that skips the pre-commit hook, as someone in a hurry would."""
        for relative, content in files.items():
            path = os.path.join(directory, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write(content)
        self.git(directory, "add", "-A")
        self.git(directory, "commit", "-q", "--no-verify", "-m", message)
        return self.git(directory, "rev-parse", "HEAD")

    def install(self, directory, *flags):
        installed = self.keysweep_in(directory, "hook", "install", *flags)
        self.assertEqual(installed.returncode, 0, installed.stderr)

    def scan_json(self, directory, *args):
        """A JSON scan of secrets (lint findings set aside), and its exit code."""
        result = self.keysweep_in(directory, "scan", "--format", "json", "--color", "never", *args)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        document = json.loads(result.stdout)
        lint = self.lint_ids()
        findings = [f for f in document["findings"] if f["rule_id"] not in lint]
        return result.returncode, sorted((f["path"], f["line"], f["commit"]) for f in findings)


class RangeTest(WorkflowTestCase):
    def test_an_edit_beside_an_old_key_adds_nothing(self):
        # The remote's main already holds the key (pushed before anyone checked).
        self.commit_unchecked(self.repo.path, {"conf.env": f"a=1\nDD_API_KEY={API_KEY}\n"})
        self.git(self.repo.path, "push", "-q", "origin", "main")
        self.commit_unchecked(self.repo.path, {"conf.env": f"a=2\nDD_API_KEY={API_KEY}\n"})
        code, findings = self.scan_json(self.repo.path, "--range", "origin/main..HEAD")
        self.assertEqual((code, findings), (0, []))
        # A line the range does add is reported, at its line, by the commit that added it;
        # a later commit that only shifts it is not blamed.
        added = self.commit_unchecked(self.repo.path, {"conf.env": f"a=2\nDD_API_KEY={API_KEY}\nDD_API_KEY_2={API_KEY_2}\n"})
        self.commit_unchecked(self.repo.path, {"conf.env": f"# settings\na=2\nDD_API_KEY={API_KEY}\nDD_API_KEY_2={API_KEY_2}\n"})
        code, findings = self.scan_json(self.repo.path, "--range", "origin/main..HEAD")
        self.assertEqual((code, findings), (1, [("conf.env", 3, added)]))
        code, findings = self.scan_json(self.repo.path, "--range", f"{added}..HEAD")
        self.assertEqual((code, findings), (0, []))

    def test_an_edit_beside_an_old_key_passes_pre_commit_and_pre_push(self):
        self.commit_unchecked(self.repo.path, {"conf.env": f"a=1\nDD_API_KEY={API_KEY}\n"})
        self.git(self.repo.path, "push", "-q", "origin", "main")
        self.install(self.repo.path)
        self.install(self.repo.path, "--pre-push")
        committed = self.commit(self.repo.path, {"conf.env": f"a=2\nDD_API_KEY={API_KEY}\n"})
        self.assertEqual(committed.returncode, 0, committed.stdout + committed.stderr)
        pushed = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main")
        self.assertEqual(pushed.returncode, 0, pushed.stdout + pushed.stderr)
        self.assertEqual(self.remote.git("rev-parse", "main"), self.repo.git("rev-parse", "HEAD"))
        # The hook still refuses what a commit adds, naming only that line.
        self.commit_unchecked(self.repo.path, {"conf.env": f"a=2\nDD_API_KEY={API_KEY}\nDD_APP_KEY={APP_KEY}\n"})
        refused = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("conf.env:3:12: datadog-application-key", refused.stdout + refused.stderr)
        self.assertNotIn("conf.env:2:", refused.stdout + refused.stderr)
        self.assertIn("push refused", refused.stderr)

    def test_a_merge_adds_only_lines_new_to_every_parent(self):
        self.commit_unchecked(self.repo.path, {"shared.conf": "a=1\nb=1\nc=1\n"})
        base = self.git(self.repo.path, "rev-parse", "HEAD")
        self.git(self.repo.path, "checkout", "-q", "-b", "topic")
        topic = self.commit_unchecked(self.repo.path, {"shared.conf": f"DD_API_KEY={API_KEY}\nb=1\nc=1\n"})
        self.git(self.repo.path, "checkout", "-q", "main")
        main = self.commit_unchecked(self.repo.path, {"shared.conf": "a=1\nb=1\nc=2\n"})
        # The merge brings both sides together and adds a line of its own (an "evil merge").
        self.git(self.repo.path, "merge", "-q", "--no-commit", "--no-ff", "topic")
        with open(os.path.join(self.repo.path, "shared.conf"), "a") as handle:
            handle.write(f"DD_APP_KEY={APP_KEY}\n")
        self.git(self.repo.path, "commit", "-q", "--no-verify", "-am", "merge topic")
        merge = self.git(self.repo.path, "rev-parse", "HEAD")
        self.assertEqual(self.git(self.repo.path, "show", "HEAD:shared.conf"),
                         f"DD_API_KEY={API_KEY}\nb=1\nc=2\nDD_APP_KEY={APP_KEY}")
        code, findings = self.scan_json(self.repo.path, "--range", f"{base}..{merge}")
        self.assertEqual((code, findings), (1, [("shared.conf", 1, topic), ("shared.conf", 4, merge)]))
        # Without the topic's own commit in the range, its line is still not the merge's doing.
        code, findings = self.scan_json(self.repo.path, "--range", f"{topic}..{merge}")
        self.assertEqual((code, findings), (1, [("shared.conf", 4, merge)]))
        code, findings = self.scan_json(self.repo.path, "--range", f"{main}..{merge}")
        self.assertEqual((code, findings), (1, [("shared.conf", 1, topic), ("shared.conf", 4, merge)]))

    def test_a_renamed_file_adds_only_its_edits(self):
        self.commit_unchecked(self.repo.path, {"tests/fixtures/keys.env": f"# fixture\nDD_API_KEY={API_KEY}\n"})
        base = self.git(self.repo.path, "rev-parse", "HEAD")
        self.git(self.repo.path, "mv", "tests/fixtures", "tests/data")
        self.git(self.repo.path, "commit", "-q", "--no-verify", "-m", "move")
        code, findings = self.scan_json(self.repo.path, "--range", f"{base}..HEAD")
        self.assertEqual((code, findings), (0, []))
        self.git(self.repo.path, "mv", "tests/data/keys.env", "tests/data/moved.env")
        edited = self.commit_unchecked(self.repo.path, {
            "tests/data/moved.env": f"# fixture\nDD_API_KEY={API_KEY}\nDD_API_KEY_2={API_KEY_2}\n"})
        self.assertIn("rename", self.git(self.repo.path, "show", "-M", "--stat", "--summary", "HEAD"))
        code, findings = self.scan_json(self.repo.path, "--range", f"{base}..HEAD")
        self.assertEqual((code, findings), (1, [("tests/data/moved.env", 3, edited)]))


class RenameHookTest(WorkflowTestCase):
    def test_moving_a_baselined_fixture_passes_pre_commit_and_pre_push(self):
        with open(os.path.join(self.repo.path, ".keysweep.toml"), "w") as handle:
            handle.write('baseline = ".keysweep-baseline.json"\n')
        fixture = f"# a test fixture\nDD_API_KEY={API_KEY}\n"
        os.makedirs(os.path.join(self.repo.path, "tests", "fixtures"))
        with open(os.path.join(self.repo.path, "tests", "fixtures", "keys.env"), "w") as handle:
            handle.write(fixture)
        created = self.keysweep_in(self.repo.path, "baseline", "create")
        self.assertEqual(created.returncode, 0, created.stderr)
        self.install(self.repo.path)
        self.install(self.repo.path, "--pre-push")
        first = self.commit(self.repo.path, {}, message="fixture and its baseline")
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        pushed = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main")
        self.assertEqual(pushed.returncode, 0, pushed.stdout + pushed.stderr)
        # The baseline names the old path; the move adds no line, so nothing is new.
        self.git(self.repo.path, "mv", "tests/fixtures", "tests/data")
        moved = self.run_in(self.repo.path, "git", "commit", "-q", "-m", "move the fixtures")
        self.assertEqual(moved.returncode, 0, moved.stdout + moved.stderr)
        pushed = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main")
        self.assertEqual(pushed.returncode, 0, pushed.stdout + pushed.stderr)
        self.assertEqual(self.remote.git("rev-parse", "main"), self.repo.git("rev-parse", "HEAD"))
        # A move with an edit: the edit is checked, at the new path, and only it.
        self.git(self.repo.path, "mv", "tests/data/keys.env", "tests/data/other.env")
        with open(os.path.join(self.repo.path, "tests", "data", "other.env"), "a") as handle:
            handle.write(f"DD_API_KEY_2={API_KEY_2}\n")
        refused = self.commit(self.repo.path, {}, message="move and add")
        self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
        output = refused.stdout + refused.stderr
        self.assertIn("tests/data/other.env:3:14: datadog-api-key", output)
        self.assertNotIn("other.env:2:", output)
        self.git(self.repo.path, "commit", "-q", "--no-verify", "-m", "move and add")
        refused = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main")
        self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
        self.assertIn("tests/data/other.env:3:14: datadog-api-key", refused.stdout + refused.stderr)
        self.assertNotIn("other.env:2:", refused.stdout + refused.stderr)


class PushWhatTheRemoteLacksTest(WorkflowTestCase):
    def test_a_new_branch_merged_with_main_that_holds_an_old_key(self):
        # Someone else pushed a key to main long ago, before anyone checked.
        other = self.clone("other")
        self.commit_unchecked(other, {"legacy/app.env": f"DD_API_KEY={API_KEY}\n"})
        self.git(other, "push", "-q", "origin", "main")
        # Here: a branch from the older main, one commit, then main merged in, then the first push.
        self.install(self.repo.path, "--pre-push")
        self.git(self.repo.path, "checkout", "-q", "-b", "feature")
        self.commit_unchecked(self.repo.path, {"feature.txt": "work\n"})
        self.git(self.repo.path, "fetch", "-q", "origin")
        self.git(self.repo.path, "merge", "-q", "--no-edit", "origin/main")
        pushed = self.run_in(self.repo.path, "git", "push", "-q", "-u", "origin", "feature")
        self.assertEqual(pushed.returncode, 0, pushed.stdout + pushed.stderr)
        self.assertEqual(self.remote.git("rev-parse", "feature"), self.repo.git("rev-parse", "HEAD"))
        # The same branch adding a key of its own is refused for that commit only.
        own = self.commit_unchecked(self.repo.path, {"feature.env": f"DD_API_KEY={API_KEY_2}\n"})
        refused = self.run_in(self.repo.path, "git", "push", "-q", "origin", "feature")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("feature.env:1:12", refused.stdout + refused.stderr)
        self.assertNotIn("legacy/app.env", refused.stdout + refused.stderr)
        self.assertNotEqual(self.remote.git("rev-parse", "feature"), own)

    def test_a_force_push_over_a_remote_tip_this_clone_never_fetched(self):
        other = self.clone("other")
        self.commit_unchecked(other, {"theirs.txt": "theirs\n"})
        self.git(other, "push", "-q", "origin", "main")
        theirs = self.git(other, "rev-parse", "HEAD")
        self.install(self.repo.path, "--pre-push")
        self.assertNotEqual(self.run_in(self.repo.path, "git", "cat-file", "-e", theirs).returncode, 0)
        # Our own commit with a key: refused for the key (exit 1), not for the unknown tip.
        self.commit_unchecked(self.repo.path, {"ours.env": f"DD_API_KEY={API_KEY}\n"})
        refused = self.run_in(self.repo.path, "git", "push", "-q", "--force", "origin", "main")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("ours.env:1:12", refused.stdout + refused.stderr)
        self.assertNotIn("does not name a commit", refused.stderr)
        self.assertEqual(self.remote.git("rev-parse", "main"), theirs)
        # A clean commit goes through.
        self.git(self.repo.path, "reset", "-q", "--hard", "HEAD~1")
        self.commit_unchecked(self.repo.path, {"ours.txt": "ours\n"})
        forced = self.run_in(self.repo.path, "git", "push", "-q", "--force", "origin", "main")
        self.assertEqual(forced.returncode, 0, forced.stdout + forced.stderr)
        self.assertEqual(self.remote.git("rev-parse", "main"), self.repo.git("rev-parse", "HEAD"))

    def test_pre_receive_scans_only_what_the_server_lacks(self):
        other = self.clone("other")
        self.commit_unchecked(other, {"legacy/app.env": f"DD_API_KEY={API_KEY}\n"})
        self.git(other, "push", "-q", "origin", "main")
        server_hook = os.path.join(self.remote.path, "hooks", "pre-receive")
        shutil.copy(os.path.join(SOURCE_ROOT, "hooks", "pre-receive"), server_hook)
        os.chmod(server_hook, 0o755)
        # A new ref from an older main with main merged in: the server has the old key already.
        self.git(self.repo.path, "checkout", "-q", "-b", "topic")
        self.commit_unchecked(self.repo.path, {"topic.txt": "t\n"})
        self.git(self.repo.path, "fetch", "-q", "origin")
        self.git(self.repo.path, "merge", "-q", "--no-edit", "origin/main")
        pushed = self.run_in(self.repo.path, "git", "push", "-q", "origin", "topic", KEYSWEEP=BINARY)
        self.assertEqual(pushed.returncode, 0, pushed.stderr)
        # A new ref at a commit the server has: nothing to scan.
        self.git(self.repo.path, "branch", "same", "origin/main")
        pushed = self.run_in(self.repo.path, "git", "push", "-q", "origin", "same", KEYSWEEP=BINARY)
        self.assertEqual(pushed.returncode, 0, pushed.stderr)
        # A new ref adding a key is refused for it alone, and the server keeps nothing.
        self.git(self.repo.path, "checkout", "-q", "-b", "leaky")
        leaky = self.commit_unchecked(self.repo.path, {"leak.env": f"DD_APP_KEY={APP_KEY}\n"})
        refused = self.run_in(self.repo.path, "git", "push", "-q", "origin", "leaky", KEYSWEEP=BINARY)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("leak.env:1:12", refused.stderr)
        self.assertNotIn("legacy/app.env", refused.stderr)
        self.assertIn("push refused", refused.stderr)
        self.assertNotEqual(self.remote.git("cat-file", "-t", leaky, check=False), "commit")


class CommitsFromTest(WorkflowTestCase):
    def test_exactly_the_listed_commits_are_scanned(self):
        first = self.commit_unchecked(self.repo.path, {"one.env": f"DD_API_KEY={API_KEY}\n"})
        second = self.commit_unchecked(self.repo.path, {"two.env": f"DD_API_KEY={API_KEY_2}\n"})
        listing = os.path.join(self.tmp, "commits.txt")
        with open(listing, "w") as handle:
            handle.write(f"{second}\n\n")
        code, findings = self.scan_json(self.repo.path, "--commits-from", listing)
        self.assertEqual((code, findings), (1, [("two.env", 1, second)]))
        piped = self.run_in(self.repo.path, BINARY, "scan", "--format", "json", "--commits-from", "-",
                            stdin=f"{first}\n{second}\n")
        self.assertEqual(piped.returncode, 1, piped.stderr)
        self.assertIn('"one.env"', piped.stdout)
        self.assertIn('"two.env"', piped.stdout)
        empty = self.run_in(self.repo.path, BINARY, "scan", "--commits-from", "-", stdin="")
        self.assertEqual(empty.returncode, 0, empty.stderr)

    def test_a_bad_list_is_a_usage_error_naming_it(self):
        unknown = self.run_in(self.repo.path, BINARY, "scan", "--commits-from", "-", stdin="0" * 39 + "1\n")
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("--commits-from: '" + "0" * 39 + "1' does not name a commit", unknown.stderr)
        missing = self.keysweep_in(self.repo.path, "scan", "--commits-from", os.path.join(self.tmp, "nope"))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("cannot read", missing.stderr)
        self.assertIn("nope", missing.stderr)
        both = self.keysweep_in(self.repo.path, "scan", "--commits-from", "-", "--since", "HEAD")
        self.assertEqual(both.returncode, 2)
        self.assertIn("choose one of", both.stderr)


class EveryRefKindTest(WorkflowTestCase):
    def history(self):
        result = self.keysweep_in(self.repo.path, "scan", "--history", "--format", "json")
        self.assertIn(result.returncode, (0, 1), result.stderr)
        self.assertNotIn("no ref reaches", result.stderr)
        lint = self.lint_ids()
        return sorted((f["path"], f["line"], f["commit"]) for f in json.loads(result.stdout)["findings"]
                      if f["rule_id"] not in lint)

    def hash_object(self, content):
        completed = self.run_in(self.repo.path, "git", "hash-object", "-w", "--stdin", stdin=content)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        return completed.stdout.strip()

    def test_tags_of_blobs_and_trees(self):
        lightweight = self.hash_object(f"DD_API_KEY={API_KEY}\n")
        self.git(self.repo.path, "tag", "keyfile", lightweight)
        annotated = self.hash_object(f"DD_API_KEY={API_KEY_2}\n")
        self.git(self.repo.path, "tag", "-a", "-m", "a blob", "annotated-blob", annotated)
        # A tag of a tag of a blob, the inner tag's own ref deleted.
        nested = self.hash_object(f"DD_API_KEY={API_KEY_3}\n")
        self.git(self.repo.path, "tag", "-a", "-m", "inner", "inner", nested)
        self.git(self.repo.path, "tag", "-a", "-m", "outer", "outer", "inner")
        self.git(self.repo.path, "tag", "-d", "inner")
        # A tree, built without a commit, tagged with an annotated tag.
        index = {"GIT_INDEX_FILE": os.path.join(self.tmp, "tree-index")}
        app_key = self.hash_object(f"DD_APP_KEY={APP_KEY}\n")
        self.assertEqual(self.run_in(self.repo.path, "git", "update-index", "--add", "--cacheinfo",
                                     f"100644,{app_key},config/app.env", **index).returncode, 0)
        tree = self.run_in(self.repo.path, "git", "write-tree", **index).stdout.strip()
        self.git(self.repo.path, "tag", "-a", "-m", "a tree", "tree-tag", tree)
        # A blob that a commit holds too is reported where the commit put it.
        committed = self.commit_unchecked(self.repo.path, {"in-commit.env": "DD_API_KEY=" + API_KEY[::-1] + "\n"})
        self.git(self.repo.path, "tag", "committed-blob", self.git(self.repo.path, "rev-parse", "HEAD:in-commit.env"))
        self.assertEqual(self.history(), sorted([
            ("config/app.env", 1, None),
            ("in-commit.env", 1, committed),
            ("refs/tags/annotated-blob", 1, None),
            ("refs/tags/keyfile", 1, None),
            ("refs/tags/outer", 1, None),
        ]))

    def test_notes(self):
        head = self.repo.git("rev-parse", "HEAD")
        self.git(self.repo.path, "notes", "add", "-m", f"deploy with DD_API_KEY={API_KEY}", "HEAD")
        notes = self.git(self.repo.path, "rev-parse", "refs/notes/commits")
        self.assertEqual(self.history(), [(head, 1, notes)])

    def test_the_stash_with_its_index_and_untracked_files(self):
        self.commit_unchecked(self.repo.path, {"tracked.env": "A=1\n"})
        with open(os.path.join(self.repo.path, "staged.env"), "w") as handle:
            handle.write(f"DD_API_KEY={API_KEY}\n")
        self.git(self.repo.path, "add", "staged.env")
        with open(os.path.join(self.repo.path, "tracked.env"), "w") as handle:
            handle.write(f"A=1\nDD_API_KEY={API_KEY_2}\n")
        with open(os.path.join(self.repo.path, "untracked.env"), "w") as handle:
            handle.write(f"DD_APP_KEY={APP_KEY}\n")
        self.git(self.repo.path, "stash", "push", "-q", "--include-untracked")
        self.assertEqual(self.git(self.repo.path, "status", "--porcelain"), "")
        stash, index, untracked = (self.git(self.repo.path, "rev-parse", f"stash{suffix}")
                                   for suffix in ("", "^2", "^3"))
        self.assertEqual(self.history(), [
            ("staged.env", 1, index),
            ("tracked.env", 2, stash),
            ("untracked.env", 1, untracked),
        ])


if __name__ == "__main__":
    unittest.main()
