"""What users bring from other scanners: scoping a tree scan (--exclude,
--gitignore, pruned allowlisted directories, --one-file-system) and a
history scan (--branch, --since-commit); a report ordered by what matters,
with each finding's own advice; and feedback (--quiet, -v, --no-progress,
exit codes in --help, the nearest command for a typo)."""
import json
import os
import shutil
import subprocess
import unittest

from datadog_stub import DatadogStub
from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, BINARY, KeysweepTestCase

PAT = "ddpat_7Hk2Lm9Pq3Rs8Tv1Wx4Yz6_Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq0aB1cD"


class TreeScopeTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.write("src/app.env", f"DD_API_KEY={API_KEY}\n")
        self.write("vendor/lib/dd.env", f"DD_API_KEY={API_KEY_2}\n")
        self.write("build/out.sh", f"export DATADOG_APP_KEY={APP_KEY}\n")

    def paths(self, *args, **kwargs):
        _, document = self.scan_json(*args, **kwargs)
        return sorted({f["path"] for f in document["findings"]})

    def test_everything_is_scanned_by_default(self):
        self.write(".gitignore", "build/\n")
        self.assertEqual(self.paths("."), ["build/out.sh", "src/app.env", "vendor/lib/dd.env"])

    def test_exclude_globs_are_repeatable_and_gitignore_style(self):
        self.assertEqual(self.paths("--exclude", "vendor", "--exclude", "*.sh", "."), ["src/app.env"])
        self.assertEqual(self.paths("--exclude", "/src/", "."), ["build/out.sh", "vendor/lib/dd.env"])
        # Anchored at the scanned directory, not the current one.
        self.assertEqual(self.paths("--exclude", "/lib", "vendor"), [])
        self.assertEqual(self.paths("--exclude", "/lib", "."),
                         ["build/out.sh", "src/app.env", "vendor/lib/dd.env"])

    def test_a_file_named_on_the_command_line_is_scanned_even_if_excluded(self):
        self.assertEqual(self.paths("--exclude", "*.env", "src/app.env"), ["src/app.env"])

    def test_excluded_paths_are_counted_in_the_summary(self):
        result = self.run_keysweep("scan", "--exclude", "vendor", "--exclude", "build", ".")
        self.assertEqual(result.code, 1)
        self.assertIn("left out 2 paths", result.stdout)
        _, document = self.scan_json("--exclude", "vendor", ".")
        self.assertEqual(document["summary"]["left_out"], 1)

    def test_gitignore_is_honoured_only_when_asked(self):
        repo = GitRepo(self.tree)
        self.write(".gitignore", "build/\n*.log\n")
        self.write("src/.gitignore", "local/\n")
        self.write("src/local/secret.env", f"DD_API_KEY={API_KEY_2}\n")
        self.write("debug.log", f"DD_API_KEY={API_KEY}\n")
        repo.git("config", "core.excludesFile", os.path.join(self.tmp, "no-global-ignore"))
        self.assertEqual(self.paths("--gitignore", "."), ["src/app.env", "vendor/lib/dd.env"])
        self.assertIn("build/out.sh", self.paths("."))
        # From a subdirectory, the work tree's .gitignore files still apply.
        self.assertEqual(self.paths("--gitignore", "src"), ["app.env"])

    def test_gitignore_outside_a_repository_warns_and_scans_everything(self):
        result = self.run_keysweep("scan", "--gitignore", "--format", "json", ".")
        self.assertEqual(result.code, 1)
        self.assertIn("is not in a git work tree", result.stderr)
        self.assertEqual(len(result.json()["findings"]) >= 3, True)

    def test_an_allowlisted_directory_is_pruned_not_walked(self):
        self.write(".keysweep.toml", '[allowlist]\npaths = ["vendor/"]\n')
        # An unreadable directory under it would be a warning if it were walked.
        locked = os.path.join(self.tree, "vendor", "locked")
        os.makedirs(locked)
        os.chmod(locked, 0)
        try:
            result = self.run_keysweep("scan", "--format", "json", "--strict", ".")
        finally:
            os.chmod(locked, 0o755)
        paths = sorted({f["path"] for f in result.json()["findings"]})
        self.assertEqual(paths, ["build/out.sh", "src/app.env"])
        self.assertEqual(result.json()["summary"]["warnings"], [])
        self.assertEqual(result.code, 1, result.stderr)

    def test_exclude_is_for_directory_scans(self):
        GitRepo(self.tree)
        result = self.run_keysweep("scan", "--history", "--exclude", "vendor", ".")
        self.assertEqual(result.code, 2)
        self.assertIn("--exclude, --gitignore and --one-file-system scope directory scans", result.stderr)

    def test_one_file_system_does_not_enter_a_mount_point(self):
        if shutil.which("unshare") is None:
            self.skipTest("needs unshare (util-linux)")
        mount_point = os.path.join(self.tree, "mnt")
        os.makedirs(mount_point)
        report = os.path.join(self.tmp, "report.json")
        script = ('mount -t tmpfs keysweep-test "$1" && printf "DD_API_KEY=%s\\n" "$2" > "$1/mounted.env" && '
                  '"$3" scan --format json -o "$4" --one-file-system "$5"; echo "one-file-system: $?"; '
                  '"$3" scan --format json -o "$4.all" "$5"; echo "all: $?"')
        prefix = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
        completed = subprocess.run(prefix + ["sh", "-c", script, "sh", mount_point, API_KEY_2, BINARY,
                                             report, self.tree],
                                   capture_output=True, text=True, env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
        if "one-file-system:" not in completed.stdout:
            self.skipTest("cannot mount a tmpfs in a private mount namespace here: " + completed.stderr)
        self.assertIn("one-file-system: 1", completed.stdout, completed.stderr)
        with open(report) as handle:
            inside = sorted({f["path"] for f in json.load(handle)["findings"]})
        with open(report + ".all") as handle:
            everything = sorted({f["path"] for f in json.load(handle)["findings"]})
        self.assertNotIn("mnt/mounted.env", inside)
        self.assertIn("src/app.env", inside)
        self.assertIn("mnt/mounted.env", everything)


class HistoryScopeTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        repo = self.repo = GitRepo(os.path.join(self.tmp, "repo"))
        self.base = repo.commit("base", "2024-01-01T10:00:00+00:00", files={"old.env": f"DD_API_KEY={API_KEY}\n"})
        self.middle = repo.commit("middle", "2024-01-02T10:00:00+00:00",
                                  files={"middle.sh": f"export DATADOG_APP_KEY={APP_KEY}\n"})
        repo.git("checkout", "-q", "-b", "feature")
        repo.commit("feature", "2024-01-03T10:00:00+00:00", files={"feature.env": f"DD_API_KEY={API_KEY_2}\n"})
        repo.git("checkout", "-q", "main")
        repo.commit("main", "2024-01-04T10:00:00+00:00", files={"token.txt": f"DD_PAT={PAT}\n"})

    def paths(self, *args):
        _, document = self.scan_json(*args, self.repo.path)
        return sorted({f["path"] for f in document["findings"]})

    def test_history_covers_every_ref_by_default(self):
        self.assertEqual(self.paths("--history"), ["feature.env", "middle.sh", "old.env", "token.txt"])

    def test_branch_limits_history_to_what_it_reaches(self):
        self.assertEqual(self.paths("--branch", "feature"), ["feature.env", "middle.sh", "old.env"])
        self.assertEqual(self.paths("--history", "--branch", "main"), ["middle.sh", "old.env", "token.txt"])
        self.assertEqual(self.paths("--branch", "main", "--branch", "feature"),
                         ["feature.env", "middle.sh", "old.env", "token.txt"])

    def test_since_commit_leaves_out_what_that_commit_reaches(self):
        self.assertEqual(self.paths("--since-commit", self.base), ["feature.env", "middle.sh", "token.txt"])
        self.assertEqual(self.paths("--since-commit", self.middle, "--branch", "feature"), ["feature.env"])

    def test_findings_name_the_commit_that_added_them(self):
        _, document = self.scan_json("--branch", "feature", self.repo.path)
        commits = {f["path"]: f["commit"] for f in document["findings"]}
        self.assertEqual(commits["middle.sh"], self.middle)

    def test_a_branch_that_does_not_exist_is_a_usage_error(self):
        result = self.run_keysweep("scan", "--branch", "no-such-branch", self.repo.path)
        self.assertEqual(result.code, 2)
        self.assertIn("--branch: 'no-such-branch' does not name a commit", result.stderr)
        result = self.run_keysweep("scan", "--since-commit", "deadbeef", self.repo.path)
        self.assertEqual(result.code, 2)
        self.assertIn("--since-commit: 'deadbeef'", result.stderr)

    def test_branch_does_not_go_with_a_range(self):
        result = self.run_keysweep("scan", "--branch", "main", "--range", "main..feature", self.repo.path)
        self.assertEqual(result.code, 2)
        self.assertIn("--branch and --since-commit limit a --history scan", result.stderr)


class ReportTest(KeysweepTestCase):
    def test_findings_are_ordered_critical_and_high_before_the_rest(self):
        # A low-severity finding in the first file, a high one in the last.
        self.write("a_first.js", 'datadogRum.init({ clientToken: "pub3c9e1a7f5b2d8c4e6a1f9b3d7c5e2a8f" });\n')
        self.write("z_last.env", f"DD_API_KEY={API_KEY}\n")
        result = self.run_keysweep("scan", ".")
        self.assertEqual(result.code, 1)
        self.assertLess(result.stdout.index("z_last.env"), result.stdout.index("a_first.js"), result.stdout)

    def test_live_keys_come_first(self):
        self.write("a.env", f"DD_API_KEY={API_KEY}\n")
        self.write("b.env", f"DD_API_KEY={API_KEY_2}\n")
        stub = DatadogStub().start()  # a real HTTP server on loopback
        try:
            stub.valid_api_keys = {API_KEY_2}
            result = self.run_keysweep("scan", "--verify", "--api-url", stub.url, ".",
                                       env={"DD_API_KEY": "", "DD_SITE": ""})
        finally:
            stub.stop()
        self.assertEqual(result.code, 1, result.stderr)
        self.assertIn("liveness: live", result.stdout)
        self.assertLess(result.stdout.index("b.env"), result.stdout.index("a.env"), result.stdout)

    def test_a_lint_result_on_the_same_span_is_not_another_place(self):
        self.write(".env", f"DD_API_KEY={API_KEY}\n")
        result = self.run_keysweep("scan", ".")
        self.assertIn(".env:1:12: datadog-api-key", result.stdout)
        self.assertIn(".env:1:12: env-file-datadog-credentials", result.stdout)
        self.assertNotIn("found in", result.stdout)
        self.write("copy/.env", f"DD_API_KEY={API_KEY}\n")
        result = self.run_keysweep("scan", ".")
        self.assertIn("found in 2 places:", result.stdout)

    def test_each_finding_gets_its_rules_advice_with_its_sites_link(self):
        self.write("eu/.env", f"DD_SITE=datadoghq.eu\nDD_API_KEY={API_KEY}\n")
        self.write("us3/settings.py", f'DD_SITE = "us3.datadoghq.com"\nDD_API_KEY = "{API_KEY_2}"\n')
        self.write("default/token.txt", f"DD_PAT={PAT}\n")
        result = self.run_keysweep("scan", ".")
        self.assertEqual(result.code, 1)
        blocks = self.blocks(result.stdout)
        self.assertIn("https://app.datadoghq.eu/organization-settings/api-keys", blocks["eu/.env"])
        self.assertNotIn("app.datadoghq.com", blocks["eu/.env"])
        self.assertIn("https://us3.datadoghq.com/organization-settings/api-keys", blocks["us3/settings.py"])
        self.assertIn("https://app.datadoghq.com/personal-settings/", blocks["default/token.txt"])
        self.assertNotIn("organization-settings/api-keys", blocks["default/token.txt"])

    def test_a_user_rule_without_remediation_gets_generic_advice(self):
        rules = os.path.join(self.tmp, "acme.toml")
        with open(rules, "w") as handle:
            handle.write("[[rules]]\nid = \"acme-token\"\nregex = '''acme_[a-z0-9]{24}'''\n")
        self.write("acme.txt", "token = acme_0a1b2c3d4e5f6a7b8c9d0e1f\n")
        result = self.run_keysweep("scan", "--rules", rules, ".")
        self.assertEqual(result.code, 1)
        advice = self.blocks(result.stdout)["acme.txt"]
        self.assertIn("What to do: Remove the secret from the file", advice)
        self.assertNotIn("Datadog", advice)
        self.assertNotIn("datadoghq", result.stdout)

    @staticmethod
    def blocks(text):
        """Each finding's path -> its lines up to the next finding."""
        found, current = {}, None
        for line in text.splitlines():
            if not line.startswith(" ") and ":" in line and "found in" not in line:
                current = line.split(":", 1)[0]
                found.setdefault(current, "")
            if current is not None:
                found[current] += line + "\n"
        return found


class FeedbackTest(KeysweepTestCase):
    def test_a_mistyped_command_gets_the_nearest_one(self):
        result = self.run_keysweep("scna")
        self.assertEqual(result.code, 2)
        self.assertIn("'scna' is not a keysweep command; did you mean scan?", result.stderr)
        result = self.run_keysweep("rules", "lsit")
        self.assertEqual(result.code, 2)
        self.assertIn("did you mean list?", result.stderr)
        result = self.run_keysweep("inventory", "snyc")
        self.assertIn("did you mean sync?", result.stderr)

    def test_help_lists_the_exit_codes(self):
        for command in ([], ["scan"], ["rules", "check"], ["inventory", "audit"], ["baseline", "create"]):
            result = self.run_keysweep(*command, "--help")
            self.assertEqual(result.code, 0, command)
            self.assertIn("Exit codes: 0 clean", result.stdout, command)
            self.assertIn("2 usage error", result.stdout, command)
            self.assertIn("3 runtime failure", result.stdout, command)

    def test_quiet_prints_only_findings(self):
        self.write("clean.txt", "hello\n")
        result = self.run_keysweep("scan", "--quiet", ".")
        self.assertEqual((result.code, result.stdout, result.stderr), (0, "", ""))
        self.write("broken", b"")
        os.symlink("missing", os.path.join(self.tree, "dangling"))
        self.write(".env", f"DD_API_KEY={API_KEY}\n")
        result = self.run_keysweep("scan", "-q", ".")
        self.assertEqual(result.code, 1)
        self.assertEqual(result.stderr, "")
        self.assertIn(".env:1:12: datadog-api-key", result.stdout)
        self.assertNotIn("1 finding", result.stdout)  # no summary line
        self.assertNotIn("warnings:", result.stdout)
        # Without --quiet the same scan warns about the broken symlink.
        self.assertIn("broken symlink", self.run_keysweep("scan", ".").stderr)

    def test_verbose_says_what_is_used_and_scanned(self):
        self.write(".keysweep.toml", "strict = false\n")
        self.write("a.txt", "hello\n")
        result = self.run_keysweep("scan", "-v", "--exclude", "*.log", ".")
        self.assertEqual(result.code, 0)
        self.assertIn("keysweep: config: ", result.stderr)
        self.assertIn(".keysweep.toml", result.stderr)
        self.assertRegex(result.stderr, r"keysweep: rules: \d+ \(\d+ built in\)")
        self.assertIn("keysweep: excluding: *.log", result.stderr)
        result = self.run_keysweep("scan", "-q", "-v", ".")
        self.assertEqual(result.code, 2)

    def test_no_progress_keeps_a_git_scan_silent(self):
        repo = GitRepo(os.path.join(self.tmp, "repo"))
        repo.commit("one", "2024-01-01T10:00:00+00:00", files={"a.txt": "hello\n"})
        # --progress forces the line; --no-progress wins over a terminal and is exclusive with it.
        forced = self.run_keysweep("scan", "--history", "--progress", repo.path)
        silent = self.run_keysweep("scan", "--history", "--no-progress", repo.path)
        self.assertEqual((silent.code, silent.stderr), (0, ""))
        both = self.run_keysweep("scan", "--history", "--progress", "--no-progress", repo.path)
        self.assertEqual(both.code, 2)
        self.assertIn("choose one of --progress and --no-progress", both.stderr)
        self.assertEqual(forced.code, 0)


if __name__ == "__main__":
    unittest.main()
