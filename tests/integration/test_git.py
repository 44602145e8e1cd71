"""Git scans: full history with provenance, commit ranges, staged changes,
and the repositories a scan must survive (empty, bare, missing objects)."""
import glob
import json
import os
import shutil
import subprocess
import unittest

import jsonschema

from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, RUM_TOKEN, SOURCE_ROOT, KeysweepTestCase

APP_KEY_2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d"
PAT = "ddpat_7Hk2Lm9Pq3Rs8Tv1Wx4Yz6_Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq0aB1cD"


def places(document):
    return sorted((f["path"], f["line"], f["column"], f["rule_id"], f["commit"], f["author"],
                   f["email"], f["date"]) for f in document["findings"])


class HistoryTest(KeysweepTestCase):
    """One repository with every shape of history the issue names."""

    def setUp(self):
        super().setUp()
        repo = self.repo = GitRepo(os.path.join(self.tmp, "repo"))
        self.c1 = repo.commit("add env", "2024-01-02T10:00:00+01:00", files={
            "config/.env": f"APP_ENV=prod\nDD_API_KEY={API_KEY}\n", "README.md": "# demo\n"})
        self.c2 = repo.commit("remove env", "2024-02-03T11:00:00+00:00", remove=["config/.env"])
        self.c3 = repo.commit("add deploy", "2024-03-04T12:00:00-05:00", files={
            "deploy/old.yaml": f"env:\n  - name: DD_APP_KEY\n    value: {APP_KEY}\n"})
        repo.git("mv", "deploy/old.yaml", "deploy/new.yaml")
        self.c4 = repo.commit("rename deploy", "2024-04-05T13:00:00+00:00")
        same = f"export DATADOG_API_KEY={API_KEY_2}\n"
        self.c5 = repo.commit("same blob twice", "2024-05-06T14:00:00+00:00",
                              author=("Carol Coder", "carol@example.com"),
                              files={"a/key.sh": same, "b/key.sh": same})
        # A branch that is never merged.
        repo.git("checkout", "-q", "-b", "feature")
        self.c6 = repo.commit("rum", "2024-06-07T15:00:00+00:00", author=("Bob Builder", "bob@example.com"),
                              files={"web/rum.js": f"datadogRum.init({{ clientToken: '{RUM_TOKEN}' }});\n"})
        # A topic branch merged with a merge commit.
        repo.git("checkout", "-q", "main")
        repo.git("checkout", "-q", "-b", "topic")
        self.c7 = repo.commit("token", "2024-07-08T16:00:00+00:00", author=("Dan Dev", "dan@example.com"),
                              files={"ci/token.sh": f"export DD_ACCESS_TOKEN={PAT}\n"})
        repo.git("checkout", "-q", "main")
        self.c8 = repo.commit("main work", "2024-07-09T09:00:00+00:00", files={"notes.txt": "nothing\n"})
        repo.git("merge", "-q", "--no-ff", "topic", "-m", "merge topic",
                 env={"GIT_AUTHOR_DATE": "2024-07-10T10:00:00+00:00",
                      "GIT_COMMITTER_DATE": "2024-07-10T10:00:00+00:00"})
        self.merge = repo.git("rev-parse", "HEAD")
        repo.git("remote", "add", "origin", "https://deploy-bot:s3cr3t-t0ken@git.example.com/org/demo.git")

    def test_every_finding_reports_the_commit_that_introduced_it(self):
        result, document = self.scan_json("--history", self.repo.path)
        self.assertEqual(result.code, 1, result.stderr)
        alice, carol = ("Alice Admin", "alice@example.com"), ("Carol Coder", "carol@example.com")
        self.assertEqual(places(document), sorted([
            ("config/.env", 2, 12, "datadog-api-key", self.c1, *alice, "2024-01-02T10:00:00+01:00"),
            ("deploy/old.yaml", 3, 12, "datadog-application-key", self.c3, *alice, "2024-03-04T12:00:00-05:00"),
            ("deploy/new.yaml", 3, 12, "datadog-application-key", self.c4, *alice, "2024-04-05T13:00:00+00:00"),
            ("a/key.sh", 1, 24, "datadog-api-key", self.c5, *carol, "2024-05-06T14:00:00+00:00"),
            ("b/key.sh", 1, 24, "datadog-api-key", self.c5, *carol, "2024-05-06T14:00:00+00:00"),
            ("web/rum.js", 1, 33, "datadog-rum-client-token", self.c6, "Bob Builder", "bob@example.com",
             "2024-06-07T15:00:00+00:00"),
            ("ci/token.sh", 1, 24, "datadog-personal-access-token", self.c7, "Dan Dev", "dan@example.com",
             "2024-07-08T16:00:00+00:00"),
        ]))
        # Each unique blob is scanned once: the renamed and duplicated blobs are one each.
        self.assertEqual(document["summary"]["commits"], 9)  # c1..c8 and the merge
        blob_count = len(set(self.repo.git("rev-list", "--all", "--objects").split("\n")))
        self.assertLess(document["summary"]["files_scanned"], blob_count)

    def test_a_secret_in_several_places_is_grouped(self):
        _, document = self.scan_json("--history", self.repo.path)
        groups = {g["rule_id"] + ":" + str(len(g["findings"])) for g in document["secrets"]}
        self.assertIn("datadog-api-key:2", groups)          # a/key.sh and b/key.sh
        self.assertIn("datadog-application-key:2", groups)  # old.yaml and new.yaml
        self.assertEqual(len(document["secrets"]), 5)
        text = self.run_keysweep("scan", "--history", self.repo.path).stdout
        self.assertIn(f"{API_KEY_2[:4]}… (api_key) found in 2 places:", text)
        self.assertIn(f"commit {self.c5[:12]} by Carol Coder <carol@example.com> on 2024-05-06T14:00:00+00:00", text)
        for secret in (API_KEY, API_KEY_2, APP_KEY, RUM_TOKEN, PAT):
            self.assertNotIn(secret, text)

    def test_sarif_carries_provenance_without_remote_credentials(self):
        report = os.path.join(self.tmp, "history.sarif")
        result = self.run_keysweep("scan", "--history", "--format", "sarif", "-o", report, self.repo.path)
        self.assertEqual(result.code, 1)
        with open(report) as handle:
            document = json.load(handle)
        with open(os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")) as handle:
            jsonschema.validate(document, json.load(handle), cls=jsonschema.Draft7Validator)
        run = document["runs"][0]
        provenance = run["versionControlProvenance"][0]
        self.assertEqual(provenance["repositoryUri"], "https://git.example.com/org/demo.git")
        self.assertEqual(provenance["revisionId"], self.merge)
        self.assertEqual(provenance["branch"], "main")
        self.assertNotIn("s3cr3t", json.dumps(document))
        env_result = [r for r in run["results"]
                      if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config/.env"][0]
        self.assertEqual(env_result["properties"]["commit"], self.c1)
        self.assertEqual(env_result["properties"]["author"], "Alice Admin")
        self.assertEqual(env_result["properties"]["email"], "alice@example.com")
        self.assertEqual(env_result["properties"]["date"], "2024-01-02T10:00:00+01:00")

    def test_a_working_tree_scan_of_the_same_repository_sees_only_the_tree(self):
        _, document = self.scan_json(self.repo.path)
        self.assertEqual(sorted(f["path"] for f in document["findings"]),
                         ["a/key.sh", "b/key.sh", "ci/token.sh", "deploy/new.yaml"])
        self.assertNotIn("commit", document["findings"][0])

    def test_range_reports_only_what_the_commits_add(self):
        _, document = self.scan_json("--range", f"{self.c4}..main", self.repo.path)
        self.assertEqual(sorted((f["path"], f["commit"]) for f in document["findings"]), [
            ("a/key.sh", self.c5), ("b/key.sh", self.c5), ("ci/token.sh", self.c7)])
        # The merge commit adds nothing its parents did not have.
        self.assertNotIn(self.merge, {f["commit"] for f in document["findings"]})
        _, since = self.scan_json("--since", self.c4, self.repo.path)
        self.assertEqual(since["findings"], document["findings"])
        _, narrow = self.scan_json("--range", f"{self.c7}..{self.merge}", self.repo.path)
        self.assertEqual(narrow["findings"], [])

    def test_range_on_an_unmerged_branch(self):
        _, document = self.scan_json("--range", f"main..feature", self.repo.path)
        self.assertEqual([(f["path"], f["commit"]) for f in document["findings"]], [("web/rum.js", self.c6)])

    def test_a_range_end_that_does_not_exist_is_a_usage_error(self):
        for args, name in ((("--range", "nope..main"), "nope"), (("--range", "main..nope"), "nope"),
                           (("--since", "v9.9.9"), "v9.9.9")):
            result = self.run_keysweep("scan", *args, self.repo.path)
            self.assertEqual(result.code, 2, args)
            self.assertIn(f"'{name}' does not name a commit", result.stderr)
        result = self.run_keysweep("scan", "--range", "main", self.repo.path)
        self.assertEqual(result.code, 2)
        self.assertIn("is not a range A..B", result.stderr)

    def test_bare_repository(self):
        bare = os.path.join(self.tmp, "bare.git")
        subprocess.run(["git", "clone", "-q", "--bare", "--mirror", self.repo.path, bare], check=True)
        _, document = self.scan_json("--history", bare)
        self.assertEqual(len(document["findings"]), 7)


class StagedTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.repo = GitRepo(os.path.join(self.tmp, "repo"))

    def test_only_lines_added_to_the_index_are_reported(self):
        self.repo.commit("base", "2024-01-01T00:00:00+00:00", files={
            "app.env": f"DD_API_KEY={API_KEY}\nA=1\n"})
        self.repo.write("app.env", f"DD_API_KEY={API_KEY}\nA=1\nDD_APP_KEY={APP_KEY}\n")
        self.repo.git("add", "app.env")
        self.repo.write("new/ci.sh", f"export DATADOG_API_KEY={API_KEY_2}\n")
        self.repo.git("add", "new/ci.sh")
        # Not staged: neither a working-tree change nor an untracked file counts.
        self.repo.write("app.env", f"DD_API_KEY={API_KEY}\nA=1\nDD_APP_KEY={APP_KEY}\nDD_APP_KEY={APP_KEY_2}\n")
        self.repo.write("untracked.env", f"DD_APP_KEY={APP_KEY_2}\n")
        result, document = self.scan_json("--staged", self.repo.path)
        self.assertEqual(result.code, 1)
        self.assertEqual(sorted((f["path"], f["line"], f["rule_id"]) for f in document["findings"]), [
            ("app.env", 3, "datadog-application-key"), ("new/ci.sh", 1, "datadog-api-key")])
        self.assertIsNone(document["findings"][0]["commit"])

    def test_a_repository_with_no_commits_yet(self):
        self.repo.write("first.env", f"x=1\nDD_API_KEY={API_KEY}\n")
        self.repo.git("add", "first.env")
        _, document = self.scan_json("--staged", self.repo.path)
        self.assertEqual([(f["path"], f["line"]) for f in document["findings"]], [("first.env", 2)])

    def test_git_dir_and_git_index_file_as_git_sets_them_for_hooks(self):
        self.repo.commit("base", "2024-01-01T00:00:00+00:00", files={"a.txt": "a\n"})
        self.repo.write("b.env", f"DD_API_KEY={API_KEY}\n")
        # An alternate index, as `git commit -a` or `git commit <path>` uses.
        alternate = os.path.join(self.tmp, "alt-index")
        self.repo.git("add", "b.env", env={"GIT_INDEX_FILE": alternate})
        env = {"GIT_DIR": os.path.join(self.repo.path, ".git"), "GIT_INDEX_FILE": alternate}
        result, document = self.scan_json("--staged", cwd=self.tmp, env=env)
        self.assertEqual([f["path"] for f in document["findings"]], ["b.env"])
        # The default index has nothing staged.
        result, document = self.scan_json("--staged", cwd=self.tmp,
                                          env={"GIT_DIR": os.path.join(self.repo.path, ".git")})
        self.assertEqual(document["findings"], [])

    def test_outside_a_repository_is_a_usage_error(self):
        result = self.run_keysweep("scan", "--staged", self.tree)
        self.assertEqual(result.code, 2)
        self.assertIn("not a git repository", result.stderr)


class RobustnessTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.repo = GitRepo(os.path.join(self.tmp, "repo"))

    def test_empty_repository(self):
        for mode in ("--history", "--staged"):
            result, document = self.scan_json(mode, self.repo.path)
            self.assertEqual(result.code, 0, mode)
            self.assertEqual(document["findings"], [])

    def test_missing_objects_are_one_warning_and_the_scan_goes_on(self):
        self.repo.commit("one", "2024-01-01T00:00:00+00:00", files={
            "lost.env": f"DD_API_KEY={API_KEY}\n", "kept.env": f"DD_APP_KEY={APP_KEY}\n",
            "also-lost.txt": "some text\n"})
        for name in ("lost.env", "also-lost.txt"):
            blob = self.repo.git("rev-parse", f"HEAD:{name}")
            os.remove(os.path.join(self.repo.path, ".git", "objects", blob[:2], blob[2:]))
        result, document = self.scan_json("--history", self.repo.path)
        self.assertEqual(result.code, 1)
        self.assertEqual([f["path"] for f in document["findings"]], ["kept.env"])
        self.assertIn("2 git objects are missing (a partial or shallow clone)", result.stderr)
        self.assertEqual(result.stderr.count("warning"), 1)
        self.assertEqual(document["summary"]["unreadable"], 2)

    def test_path_filtered_rules_are_settled_at_each_path_of_a_blob(self):
        # The Agent-config rule applies to datadog.yaml only; the same blob at
        # another path has no Datadog context and is not a finding there.
        content = f"hostname: web-1\napi_key: {API_KEY}\n"
        commit = self.repo.commit("agent", "2024-01-01T00:00:00+00:00",
                                  files={"etc/datadog.yaml": content, "etc/other.yaml": content})
        _, document = self.scan_json("--history", self.repo.path)
        self.assertEqual([(f["path"], f["line"], f["rule_id"], f["commit"]) for f in document["findings"]],
                         [("etc/datadog.yaml", 2, "datadog-agent-config-api-key", commit)])
        _, tree = self.scan_json(self.repo.path)
        self.assertEqual([f["path"] for f in tree["findings"]], ["etc/datadog.yaml"])

    def test_allowlisted_paths_are_settled_at_each_place_of_a_blob(self):
        # One blob at two paths: the config's allow_paths drops it under
        # fixtures/ only; history and range scans make the finding at the other path.
        content = f"DD_API_KEY={API_KEY}\n"
        base = self.repo.commit("config", "2024-01-01T00:00:00+00:00",
                                files={".keysweep.toml": "[allowlist]\npaths = ['fixtures/']\n"})
        commit = self.repo.commit("keys", "2024-01-02T00:00:00+00:00",
                                  files={"fixtures/sample.env": content, "deploy/prod.env": content})
        for args in (["--history"], ["--range", f"{base}..HEAD"]):
            with self.subTest(args=args):
                _, document = self.scan_json(*args, self.repo.path)
                self.assertEqual([(f["path"], f["commit"]) for f in document["findings"]],
                                 [("deploy/prod.env", commit)])

    def test_shallow_clones_as_ci_checks_them_out(self):
        commits = [self.repo.commit(f"c{n}", f"2024-0{n}-01T00:00:00+00:00",
                                    files={f"k{n}.env": f"DD_API_KEY={key}\n"})
                   for n, key in ((1, API_KEY), (2, API_KEY_2), (3, "c9e1a7f5b2d8c4e6a1f9b3d7c5e2a8f3"))]
        clones = {}
        for depth in (1, 2):
            clones[depth] = os.path.join(self.tmp, f"shallow-{depth}")
            subprocess.run(["git", "clone", "-q", "--depth", str(depth), f"file://{self.repo.path}",
                            clones[depth]], check=True)
        # History: everything in the clone is found, entering at the boundary commit.
        result, document = self.scan_json("--history", clones[1])
        self.assertEqual(result.code, 1)
        self.assertEqual([(f["path"], f["commit"]) for f in document["findings"]],
                         [("k1.env", commits[2]), ("k2.env", commits[2]), ("k3.env", commits[2])])
        self.assertEqual(result.stderr, "")  # a shallow boundary is not a missing object
        # A range inside the clone works; one reaching past the boundary names the absent end.
        _, document = self.scan_json("--range", "HEAD~1..HEAD", clones[2])
        self.assertEqual([(f["path"], f["commit"]) for f in document["findings"]], [("k3.env", commits[2])])
        result = self.run_keysweep("scan", "--since", "HEAD~1", clones[1])
        self.assertEqual(result.code, 2)
        self.assertIn("'HEAD~1' does not name a commit", result.stderr)

    def test_findings_in_dangling_objects_are_not_reported(self):
        self.repo.commit("one", "2024-01-01T00:00:00+00:00", files={"a.env": f"DD_API_KEY={API_KEY}\n"})
        # Amend the secret away: the old blob stays in the object store, unreachable.
        self.repo.write("a.env", "DD_API_KEY=${DD_API_KEY}\n")
        self.repo.git("commit", "-q", "--amend", "-a", "-m", "one, fixed")
        result, document = self.scan_json("--history", self.repo.path)
        self.assertEqual(result.code, 0)
        self.assertEqual(document["findings"], [])
        self.assertIn("1 finding is in objects that no ref reaches", result.stderr)

    def test_submodules_binary_and_large_blobs_are_skipped_with_a_note(self):
        commit = self.repo.commit("one", "2024-01-01T00:00:00+00:00", files={
            "image.bin": b"\x00\x01" + f"DD_API_KEY={API_KEY}".encode(),
            "big.env": "#" * 5000 + f"\nDD_API_KEY={API_KEY}\n", "small.env": f"DD_API_KEY={API_KEY_2}\n"})
        self.repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},vendor/lib")
        self.repo.commit("submodule", "2024-01-02T00:00:00+00:00")
        result, document = self.scan_json("--history", "--max-file-size", "2K", self.repo.path)
        self.assertEqual([f["path"] for f in document["findings"]], ["small.env"])
        self.assertEqual(document["summary"]["skipped_binary"], 1)
        self.assertEqual(document["summary"]["skipped_too_large"], 1)
        big = self.repo.git("rev-parse", f"{commit}:big.env")
        self.assertIn(f"blob {big}: larger than the size limit (2 KiB); not scanned", result.stderr)
        self.assertIn("1 submodule entry skipped", result.stderr)

    def test_progress_only_when_asked_or_on_a_terminal(self):
        self.repo.commit("one", "2024-01-01T00:00:00+00:00", files={"a.txt": "a\n"})
        quiet = self.run_keysweep("scan", "--history", self.repo.path)
        self.assertEqual(quiet.stderr, "")
        # --progress draws (at most every 250 ms) and always clears its line at the end.
        shown = self.run_keysweep("scan", "--history", "--progress", self.repo.path)
        self.assertIn("\x1b[K", shown.stderr)

    def test_git_flags_are_exclusive_and_take_one_path(self):
        cases = [(("--history", "--staged"), "choose one of"),
                 (("--history", "a", "b"), "a git scan takes one PATH"),
                 (("--progress", "."), "--progress goes with")]
        for args, message in cases:
            result = self.run_keysweep("scan", *args)
            self.assertEqual(result.code, 2, args)
            self.assertIn(message, result.stderr)


if __name__ == "__main__":
    unittest.main()
