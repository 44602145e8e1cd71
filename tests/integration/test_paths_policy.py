"""Paths that mean the same from any directory (allowlist globs anchored at
.keysweep.toml, baselines and SARIF URIs from the repository's top level),
UTF-16/32 text, client tokens in browser code, fail_on = live without an
inventory, and global hooks that chain each repository's own hook: real
binary, real git repositories, real `git commit` through the hooks."""
import json
import os
import subprocess

from datadog_stub import api_key_record
from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, BINARY, RUM_TOKEN, KeysweepTestCase

API_KEY_3 = "e2c4a6f8b1d3e5a7c9f0b2d4e6a8c1f3"
DATE = "2024-01-01T00:00:00+00:00"


def secret_findings(document):
    return [f for f in document["findings"] if f["key_type"] in ("api_key", "rum_client_token")]


class MonorepoPathsTest(KeysweepTestCase):
    """A monorepo with one .keysweep.toml at the top: an allowlisted fixtures
    directory, a baseline of accepted findings, and one new key."""

    def setUp(self):
        super().setUp()
        self.repo = GitRepo(self.tree)
        self.write(".keysweep.toml",
                   'baseline = ".keysweep-baseline.json"\n\n[allowlist]\npaths = ["services/web/fixtures/"]\n')
        self.write("services/web/fixtures/sample.env", f"DD_API_KEY={API_KEY}\n")
        self.write("services/web/config/old.env", f"DD_API_KEY={API_KEY_2}\n")
        created = self.run_keysweep("baseline", "create", ".")
        self.assertEqual(created.code, 0, created.stderr)
        self.write("services/web/app/new.env", f"DD_API_KEY={API_KEY_3}\n")
        self.web = os.path.join(self.tree, "services", "web")

    def test_baseline_paths_are_from_the_top_level(self):
        # Created again from inside the service: the same entries.
        with open(os.path.join(self.tree, ".keysweep-baseline.json")) as handle:
            from_top = json.load(handle)["entries"]
        self.assertEqual([entry["path"] for entry in from_top], ["services/web/config/old.env"])
        os.remove(os.path.join(self.tree, "services/web/app/new.env"))
        again = self.run_keysweep("baseline", "create", cwd=self.web)
        self.assertEqual(again.code, 0, again.stderr)
        with open(os.path.join(self.tree, ".keysweep-baseline.json")) as handle:
            self.assertEqual(json.load(handle)["entries"], from_top)

    def test_three_directories_give_the_same_findings(self):
        runs = {
            "top": self.scan_json(".", "--report-unused-baseline"),
            "service from top": self.scan_json("services/web", "--report-unused-baseline"),
            "inside the service": self.scan_json("--report-unused-baseline", cwd=self.web),
        }
        for name, (result, document) in runs.items():
            with self.subTest(name):
                findings = secret_findings(document)
                self.assertEqual(result.code, 1)
                # The allowlisted fixture and the baselined key are not reported; the new key is.
                self.assertEqual([f["secret_sha256"] for f in findings],
                                 [f["secret_sha256"] for f in secret_findings(runs["top"][1])])
                self.assertEqual(len(findings), 1)
                self.assertTrue(findings[0]["path"].endswith("app/new.env"))
                self.assertEqual(document["summary"]["baselined"], 1)
                self.assertNotIn("unused_baseline", document)
        # JSON keeps paths as the user named them: relative to the scan root.
        self.assertEqual(secret_findings(runs["top"][1])[0]["path"], "services/web/app/new.env")
        self.assertEqual(secret_findings(runs["inside the service"][1])[0]["path"], "app/new.env")

    def test_an_old_baseline_relative_to_the_scan_root_still_works(self):
        sha = secret_findings(self.scan_json("--no-config", cwd=self.web)[1])
        old_key = [f for f in sha if f["path"] == "config/old.env"][0]
        legacy = os.path.join(self.tmp, "legacy-baseline.json")
        with open(legacy, "w") as handle:
            json.dump({"keysweep_baseline": 1, "entries": [
                {"path": "config/old.env", "rule_id": old_key["rule_id"], "secret_sha256": old_key["secret_sha256"]}]},
                handle)
        _, document = self.scan_json("--baseline", legacy, cwd=self.web)
        self.assertEqual(document["summary"]["baselined"], 1)
        self.assertNotIn("config/old.env", [f["path"] for f in secret_findings(document)])

    def test_sarif_uris_start_at_the_top_level(self):
        output = os.path.join(self.tmp, "web.sarif")
        result = self.run_keysweep("scan", "--format", "sarif", "-o", output, cwd=self.web)
        self.assertEqual(result.code, 1, result.stderr)
        with open(output) as handle:
            run = json.load(handle)["runs"][0]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
        self.assertIn("services/web/app/new.env", uris)
        self.assertTrue(all(uri.startswith("services/web/") for uri in uris), uris)
        self.assertEqual(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + os.path.realpath(self.tree) + "/")

    def test_outside_git_sarif_and_baseline_stay_relative_to_the_scan(self):
        outside = os.path.join(self.tmp, "plain")
        os.makedirs(os.path.join(outside, "conf"))
        with open(os.path.join(outside, "conf", "a.env"), "w") as handle:
            handle.write(f"DD_API_KEY={API_KEY_3}\n")
        baseline = os.path.join(outside, "baseline.json")
        self.assertEqual(self.run_keysweep("baseline", "create", "-o", baseline, "conf", cwd=outside).code, 0)
        with open(baseline) as handle:
            self.assertEqual([e["path"] for e in json.load(handle)["entries"]], ["conf/a.env"])
        result, _ = self.scan_json("--baseline", baseline, cwd=os.path.join(outside, "conf"))
        self.assertEqual(result.code, 0)
        output = os.path.join(self.tmp, "plain.sarif")
        self.run_keysweep("scan", "--format", "sarif", "-o", output, "conf", cwd=outside)
        with open(output) as handle:
            run = json.load(handle)["runs"][0]
        self.assertEqual(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a.env")


class WideTextTest(KeysweepTestCase):
    TEXT = f"# Überwachung für café ☕\nname=demo\nDD_API_KEY={API_KEY}\n"

    def files(self):
        return {
            "utf16le-bom.txt": b"\xff\xfe" + self.TEXT.encode("utf-16-le"),
            "utf16be-bom.txt": b"\xfe\xff" + self.TEXT.encode("utf-16-be"),
            "utf16le-nobom.txt": self.TEXT.encode("utf-16-le"),
            "utf32le-bom.txt": b"\xff\xfe\x00\x00" + self.TEXT.encode("utf-32-le"),
        }

    def test_utf16_and_utf32_files_are_scanned_with_editor_positions(self):
        for name, content in self.files().items():
            self.write(name, content)
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 1)
        found = {f["path"]: (f["line"], f["column"], f["secret_sha256"]) for f in secret_findings(document)}
        self.assertEqual(sorted(found), sorted(self.files()))
        for name, (line, column, _) in found.items():
            with self.subTest(name):
                self.assertEqual((line, column), (3, 12))
        self.assertEqual(document["summary"]["skipped_binary"], 0)

    def test_utf16_blobs_in_git_history_and_ranges(self):
        repo = GitRepo(self.tree)
        base = repo.commit("base", DATE, files={"README": "hello\n"})
        repo.commit("wide", DATE, files={"settings.ps1": self.files()["utf16le-bom.txt"]})
        for args in (["--history"], ["--range", f"{base}..HEAD"]):
            with self.subTest(args[0]):
                _, document = self.scan_json(*args)
                found = [(f["path"], f["line"], f["column"]) for f in secret_findings(document)]
                self.assertEqual(found, [("settings.ps1", 3, 12)])

    def test_staged_files_git_calls_binary_are_scanned(self):
        # UTF-16 text, and text marked binary in .gitattributes: git's diff
        # says "Binary files differ", but the commit would still add the key.
        repo = GitRepo(self.tree)
        repo.commit("base", DATE, files={".gitattributes": "*.env -diff\n", "README": "hello\n"})
        repo.write("settings.ps1", self.files()["utf16le-bom.txt"])
        repo.write("prod.env", f"DD_API_KEY={API_KEY_2}\n")
        repo.git("add", "settings.ps1", "prod.env")
        result, document = self.scan_json("--staged")
        self.assertEqual(result.code, 1, result.stderr)
        found = sorted((f["path"], f["line"], f["column"]) for f in secret_findings(document))
        self.assertEqual(found, [("prod.env", 1, 12), ("settings.ps1", 3, 12)])

    def test_a_utf8_byte_order_mark_is_no_column(self):
        self.write("bom.env", "\ufeff" + f"DD_API_KEY={API_KEY}\n")
        _, document = self.scan_json("bom.env")
        self.assertEqual([(f["line"], f["column"]) for f in secret_findings(document)], [(1, 12)])

    def test_a_binary_file_named_on_the_command_line_is_a_warning(self):
        self.write("blob.bin", b"\x7fELF\x00\x01\x02" + f"DD_API_KEY={API_KEY}".encode() + b"\x00\x00\x00")
        named = self.run_keysweep("scan", "blob.bin")
        self.assertEqual(named.code, 0, named.stderr)
        self.assertIn("blob.bin: binary", named.stderr)
        walked = self.run_keysweep("scan", ".")
        self.assertEqual(walked.code, 0, walked.stderr)
        self.assertNotIn("binary", walked.stderr)


class HookRepoTestCase(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.repo = GitRepo(os.path.join(self.tmp, "repo"))
        self.repo.commit("base", DATE, files={"README": "hello\n"})

    def env(self):
        environment = dict(os.environ, HOME=self.home, XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                           KEYSWEEP_CACHE_DIR=self.cache, GIT_CONFIG_NOSYSTEM="1")
        for name in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "KEYSWEEP", "KEYSWEEP_STORE"):
            environment.pop(name, None)
        return environment

    def run_in(self, *argv):
        completed = subprocess.run(list(argv), cwd=self.repo.path, env=self.env(), capture_output=True, text=True,
                                   timeout=300)
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, completed.stderr)
        return completed

    def commit(self, files):
        for relative, content in files.items():
            self.repo.write(relative, content)
        self.run_in("git", "add", "-A")
        return self.run_in("git", "commit", "-q", "-m", "change")

    def commits(self):
        return int(self.repo.git("rev-list", "--count", "HEAD"))


class ClientTokenTest(HookRepoTestCase):
    BROWSER = ("import { datadogRum } from '@datadog/browser-rum';\n"
               "datadogRum.init({\n"
               "  applicationId: 'a8f3c5d2-52f5-4a8e-9e3f-1c2d3e4f5a6b',\n"
               f"  clientToken: '{RUM_TOKEN}',\n"
               "  site: 'datadoghq.com',\n"
               "});\n")

    def test_a_browser_rum_setup_passes_the_hook_and_server_code_fails(self):
        installed = self.run_in(BINARY, "hook", "install")
        self.assertEqual(installed.returncode, 0, installed.stderr)
        browser = self.commit({"web/src/rum.js": self.BROWSER})
        self.assertEqual(browser.returncode, 0, browser.stdout + browser.stderr)
        output = browser.stdout + browser.stderr
        self.assertIn("web/src/rum.js:4:17: datadog-rum-client-token", output)
        self.assertIn("note: a RUM client token in browser code is public by design", output)
        self.assertIn("authenticated proxy", output)
        self.assertNotIn(RUM_TOKEN, output)
        self.assertEqual(self.commits(), 2)
        server = self.commit({"app/settings.py": f'DD_CLIENT_TOKEN = "{RUM_TOKEN}"\n'})
        self.assertNotEqual(server.returncode, 0)
        self.assertIn("commit refused", server.stdout + server.stderr)
        # The browser note is not shown; the rule's own advice (which says why) is.
        self.assertNotIn("note: a RUM client token in browser code", server.stdout + server.stderr)
        self.assertIn("What to do: Client tokens are public by design", server.stdout + server.stderr)
        self.assertEqual(self.commits(), 2)

    def test_reports_mark_it_a_note_and_the_config_can_make_it_fail(self):
        self.repo.write("web/src/rum.js", self.BROWSER)
        output = os.path.join(self.tmp, "rum.sarif")
        result = self.run_keysweep("scan", "--format", "sarif", "-o", output, cwd=self.repo.path)
        self.assertEqual(result.code, 0, result.stderr)
        with open(output) as handle:
            results = json.load(handle)["runs"][0]["results"]
        token = [r for r in results if r["ruleId"] == "datadog-rum-client-token"][0]
        self.assertEqual(token["level"], "note")
        self.assertIn("authenticated proxy", token["message"]["text"])
        result, document = self.scan_json(cwd=self.repo.path)
        self.assertEqual((result.code, secret_findings(document)[0]["fails"]), (0, False))
        self.repo.write(".keysweep.toml", "fail_on_client_tokens = true\n")
        result, document = self.scan_json(cwd=self.repo.path)
        self.assertEqual((result.code, secret_findings(document)[0]["fails"]), (1, True))
        self.repo.write(".keysweep.toml", "fail_on_client_tokens = 1\n")
        bad = self.run_keysweep("scan", cwd=self.repo.path)
        self.assertEqual(bad.code, 2)
        self.assertIn(".keysweep.toml:1: 'fail_on_client_tokens' must be true or false", bad.stderr)


class FailOnLiveTest(HookRepoTestCase):
    def setUp(self):
        super().setUp()
        # An inventory that knows API_KEY as a live key (the key value hashed on import).
        record = dict(api_key_record("00000000-0000-4000-8000-000000000001", "ci", API_KEY[-4:]))
        record["attributes"] = dict(record["attributes"], key=API_KEY)
        response = os.path.join(self.tmp, "key.json")
        with open(response, "w") as handle:
            json.dump({"data": record}, handle)
        self.store = os.path.join(self.repo.path, "state", "inventory.db")
        imported = self.run_keysweep("inventory", "import", "--store", self.store, response)
        self.assertEqual(imported.code, 0, imported.stderr)
        self.repo.write("live.env", f"DD_API_KEY={API_KEY}\n")
        self.repo.write("unknown.env", f"DD_API_KEY={API_KEY_2}\n")

    def test_live_without_an_inventory_or_verify_is_refused(self):
        self.repo.write(".keysweep.toml", 'fail_on = "live"\n')
        result = self.run_keysweep("scan", "unknown.env", cwd=self.repo.path, env={"KEYSWEEP_STORE": ""})
        self.assertEqual(result.code, 2)
        self.assertIn('fail_on = "live" in ', result.stderr)
        self.assertIn("needs an inventory or --verify", result.stderr)
        flag = self.run_keysweep("scan", "--no-config", "--fail-on", "unknown", ".", cwd=self.repo.path,
                                 env={"KEYSWEEP_STORE": ""})
        self.assertEqual(flag.code, 2)
        self.assertIn("--fail-on unknown needs an inventory", flag.stderr)
        # Through the real hook: the commit is stopped with the error, not waved through.
        self.assertEqual(self.run_in(BINARY, "hook", "install").returncode, 0)
        refused = self.commit({"more.env": f"DD_API_KEY={API_KEY_2}\n"})
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("needs an inventory or --verify", refused.stderr)

    def test_the_configured_inventory_or_keysweep_store_labels_findings(self):
        self.repo.write(".keysweep.toml", 'fail_on = "live"\ninventory = "state/inventory.db"\n')
        for directory in (self.repo.path, os.path.join(self.repo.path, "state")):
            with self.subTest(directory):
                live = self.run_keysweep("scan", os.path.join(self.repo.path, "live.env"), cwd=directory)
                self.assertEqual(live.code, 1, live.stderr)
                self.assertIn("liveness: live", live.stdout)
        unknown = self.run_keysweep("scan", "unknown.env", cwd=self.repo.path)
        self.assertEqual(unknown.code, 0, unknown.stderr)
        self.repo.write(".keysweep.toml", 'fail_on = "live"\n')
        from_env = self.run_keysweep("scan", "live.env", cwd=self.repo.path, env={"KEYSWEEP_STORE": self.store})
        self.assertEqual(from_env.code, 1, from_env.stderr)
        self.assertIn("liveness: live", from_env.stdout)


class GlobalHookChainTest(HookRepoTestCase):
    def test_the_repositorys_own_hook_runs_after_keysweep(self):
        hooks = os.path.join(self.repo.path, ".git", "hooks")
        os.makedirs(hooks, exist_ok=True)
        marker = os.path.join(self.tmp, "own-hook-ran")
        with open(os.path.join(hooks, "pre-commit"), "w") as handle:
            handle.write(f'#!/bin/sh\necho "ran $#" >> "{marker}"\n')
        os.chmod(os.path.join(hooks, "pre-commit"), 0o755)
        installed = self.run_in(BINARY, "hook", "install", "--global")
        self.assertEqual(installed.returncode, 0, installed.stderr)
        self.assertIn("each repository's own .git/hooks/pre-commit runs", installed.stdout + installed.stderr)
        # A key: keysweep refuses and the repository's hook never runs.
        refused = self.commit({"a.env": f"DD_API_KEY={API_KEY}\n"})
        self.assertNotEqual(refused.returncode, 0)
        self.assertFalse(os.path.exists(marker))
        self.run_in("git", "reset", "-q", "HEAD", "a.env")
        os.remove(os.path.join(self.repo.path, "a.env"))
        # A clean commit: keysweep passes, then the repository's own hook runs.
        clean = self.commit({"notes.txt": "nothing secret\n"})
        self.assertEqual(clean.returncode, 0, clean.stdout + clean.stderr)
        with open(marker) as handle:
            self.assertEqual(handle.read(), "ran 0\n")
        # Its failure stops the commit, as it would without keysweep.
        with open(os.path.join(hooks, "pre-commit"), "w") as handle:
            handle.write("#!/bin/sh\necho 'own hook says no' >&2\nexit 3\n")
        stopped = self.commit({"notes.txt": "still nothing\n"})
        self.assertNotEqual(stopped.returncode, 0)
        self.assertIn("own hook says no", stopped.stderr)
        self.assertEqual(self.commits(), 2)

    def test_the_repositorys_own_pre_push_gets_the_refs_on_stdin(self):
        remote = GitRepo(os.path.join(self.tmp, "remote.git"), bare=True)
        self.repo.git("remote", "add", "origin", remote.path)
        hooks = os.path.join(self.repo.path, ".git", "hooks")
        os.makedirs(hooks, exist_ok=True)
        marker = os.path.join(self.tmp, "own-pre-push")
        with open(os.path.join(hooks, "pre-push"), "w") as handle:
            handle.write(f'#!/bin/sh\necho "$1" > "{marker}"\ncat >> "{marker}"\n')
        os.chmod(os.path.join(hooks, "pre-push"), 0o755)
        self.assertEqual(self.run_in(BINARY, "hook", "install", "--global", "--pre-push").returncode, 0)
        pushed = self.run_in("git", "push", "-q", "origin", "main")
        self.assertEqual(pushed.returncode, 0, pushed.stderr)
        with open(marker) as handle:
            lines = handle.read().splitlines()
        self.assertEqual(lines[0], "origin")
        self.assertTrue(lines[1].startswith("refs/heads/main "), lines)


if __name__ == "__main__":
    import unittest
    unittest.main()
