"""Working-tree scans: findings on a realistic tree, decoys that must stay
silent, redaction, stdin, exit codes, and the inputs a scan must survive."""
import json
import os
import stat
import subprocess
import unittest

from harness import API_KEY, API_KEY_2, APP_KEY, BINARY, RUM_TOKEN, KeysweepTestCase

PROJECT = {
    ".env": f"APP_ENV=production\nDD_API_KEY={API_KEY}\nDD_SITE=datadoghq.eu\n",
    "deploy/k8s/agent.yaml": (
        "apiVersion: apps/v1\nkind: DaemonSet\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: agent\n          env:\n"
        f"            - name: DD_API_KEY\n              value: \"{API_KEY_2}\"\n"),
    "infra/main.tf": (
        "provider \"datadog\" {\n  api_key = var.datadog_api_key\n"
        f"  app_key = \"{APP_KEY}\"\n}}\n"),
    "web/src/rum.js": (
        "import { datadogRum } from '@datadog/browser-rum';\n\ndatadogRum.init({\n"
        f"  applicationId: 'a8f3c5d2-52f5-4a8e-9e3f-1c2d3e4f5a6b',\n  clientToken: '{RUM_TOKEN}',\n"
        "  site: 'datadoghq.com',\n});\n"),
    "README.md": "# Service\n\nSet `DD_API_KEY` to your Datadog API key (`<DD_API_KEY>`).\n",
}

# Hex everywhere, Datadog words everywhere, and no secret anywhere.
DECOYS = {
    "yarn.lock": (
        "datadog-metrics@^0.9.3:\n  version \"0.9.3\"\n  resolved \"https://registry.yarnpkg.com/"
        "datadog-metrics/-/datadog-metrics-0.9.3.tgz#9c2f4b6d8e1a3c5f7b9d2e4a6c8f1b3d5e7a9c2f\"\n"
        "  integrity sha512-4Jw2ZxQ==\n"),
    "package-lock.json": (
        "{\n  \"packages\": {\n    \"node_modules/@datadog/browser-rum\": {\n"
        "      \"version\": \"5.4.0\",\n      \"integrity\": \"sha1-e3a1f5c7b9d2e4f6a8c1b3d5e7f9a2c4\"\n"
        "    }\n  }\n}\n"),
    "composer.lock": (
        "{\"packages\": [{\"name\": \"datadog/dd-trace\", \"version\": \"0.97.0\",\n"
        " \"source\": {\"type\": \"git\", \"url\": \"https://github.com/DataDog/dd-trace-php.git\",\n"
        " \"reference\": \"7d3f9b1e5c8a2d4f6b9e1c3a5d7f8b2e4c6a9d1f\"}}]}\n"),
    "CHANGELOG.md": (
        "## 7.50.3\n* 3f9a1c5e7b2d4f6a8c1e3b5d7f9a2c4e6b8d1f3a datadog: rotate DD_API_KEY handling\n"
        "* datadog: bump agent (md5 6c2e8a4f1b9d3e7c5a2f8b4d1e9c7a3f)\n"
        "* Merge DD_APP_KEY fix 8e2c4a6f1d3b5e7c9a2f4d6b8e1c3a5f7d9b2e4c\n"),
    "SHA1SUMS": (
        "5b8d2f4a6c1e3b7d9f2a4c6e8b1d3f5a7c9e2b4d  datadog-agent-7.50.3.tar.gz\n"
        "2a4c6e8b1d3f5a7c9e2b4d6f8a1c3e5b  datadog-agent_7.50.3-1_amd64.deb\n"),
    "go.sum": "github.com/DataDog/datadog-go v4.8.3+incompatible h1:fNGaYSuObuQb5nzeTQqowRAd9bpDIRRV4/gUtIBjh8o=\n",
    "Dockerfile": "FROM gcr.io/datadoghq/agent@sha256:1f3e5a7c9b2d4f6e8a1c3b5d7f9e2a4c6b8d1f3e5a7c9b2d4f6e8a1c3b5d7f9e\n",
    ".env.example": "DD_API_KEY=<DD_API_KEY>\nDD_APP_KEY=${DD_APP_KEY}\nDD_CLIENT_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    "config/placeholder.env": "DD_API_KEY=00000000000000000000000000000000\nDD_API_KEY=0123456789abcdef0123456789abcdef\n",
    "git-log.txt": "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nAuthor: Jane <jane@example.com>\n\n    datadog: set DD_API_KEY from vault\n",
}


class ScanTreeTest(KeysweepTestCase):
    def test_finds_each_credential_type_at_its_place(self):
        for path, content in PROJECT.items():
            self.write(path, content)
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 1)
        self.assertEqual(self.places(document), [
            (".env", 2, 12, "datadog-api-key"),
            ("deploy/k8s/agent.yaml", 10, 23, "datadog-api-key"),
            ("infra/main.tf", 3, 14, "datadog-application-key"),
            ("web/src/rum.js", 5, 17, "datadog-rum-client-token"),
        ])
        by_path = {f["path"]: f for f in document["findings"]}
        self.assertEqual(by_path["infra/main.tf"]["key_type"], "application_key")
        self.assertEqual(by_path["web/src/rum.js"]["key_type"], "rum_client_token")
        self.assertEqual(by_path[".env"]["end_column"], 12 + 32)
        self.assertEqual(document["summary"]["files_scanned"], len(PROJECT))

    def test_decoys_produce_no_findings(self):
        for path, content in DECOYS.items():
            self.write(path, content)
        result, document = self.scan_json(".")
        self.assertEqual(document["findings"], [])
        self.assertEqual(result.code, 0)
        self.assertEqual(document["summary"]["files_scanned"], len(DECOYS))

    def test_secrets_are_redacted_in_every_format_unless_asked(self):
        for path, content in PROJECT.items():
            self.write(path, content)
        for output_format in ("text", "json", "sarif"):
            result = self.run_keysweep("scan", "--format", output_format, ".")
            self.assertEqual(result.code, 1)
            for secret in (API_KEY, API_KEY_2, APP_KEY, RUM_TOKEN):
                self.assertNotIn(secret, result.stdout + result.stderr, output_format)
            shown = self.run_keysweep("scan", "--format", output_format, "--show-secrets", ".")
            self.assertIn(API_KEY, shown.stdout)

    def test_text_report_is_plain_on_a_pipe_and_has_a_summary(self):
        self.write("deploy.sh", PROJECT[".env"])
        result = self.run_keysweep("scan", ".")
        self.assertEqual(result.code, 1)
        self.assertIn("deploy.sh:2:12: datadog-api-key (api_key, high) 4f8a…", result.stdout)
        self.assertIn("1 finding (1 unique secret) in 1 file,", result.stdout)
        self.assertNotIn("\x1b[", result.stdout)
        coloured = self.run_keysweep("scan", "--color", "always", ".")
        self.assertIn("\x1b[", coloured.stdout)

    def test_paths_are_relative_to_the_scanned_directory(self):
        self.write("sub/dir/.env", PROJECT[".env"])
        _, document = self.scan_json(os.path.join(self.tree, "sub"), cwd=self.tmp)
        self.assertEqual(self.places(document), [("dir/.env", 2, 12, "datadog-api-key")])
        _, document = self.scan_json("sub/dir/.env", "sub")
        self.assertEqual([f["path"] for f in document["findings"]], ["sub/dir/.env"])

    def test_stdin(self):
        result, document = self.scan_json("-", stdin=f"export DATADOG_API_KEY={API_KEY}\n")
        self.assertEqual(result.code, 1)
        self.assertEqual(self.places(document), [("<stdin>", 1, 24, "datadog-api-key")])
        result = self.run_keysweep("scan", "-", stdin="nothing to see\n")
        self.assertEqual(result.code, 0)

    def test_same_secret_in_two_files_is_two_findings_one_unique_secret(self):
        self.write("a/.env", f"DD_API_KEY={API_KEY}\n")
        self.write("b/.env", f"DD_API_KEY={API_KEY}\nDD_API_KEY={API_KEY}\n")
        _, document = self.scan_json(".")
        self.assertEqual(len(document["findings"]), 3)
        self.assertEqual(document["summary"]["unique_secrets"], 1)
        self.assertEqual({f["secret_sha256"] for f in document["findings"]},
                         {__import__("hashlib").sha256(API_KEY.encode()).hexdigest()})


class ScanInputsTest(KeysweepTestCase):
    def test_skips_git_directories_and_binary_files(self):
        self.write(".git/config", f"DD_API_KEY={API_KEY}\n")
        self.write("image.png", b"\x89PNG\r\n\x1a\n\x00\x00" + f"DD_API_KEY={API_KEY}".encode())
        self.write("ok.txt", "nothing\n")
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 0)
        self.assertEqual(document["summary"]["skipped_binary"], 1)
        self.assertEqual(document["summary"]["files_scanned"], 1)

    def test_a_secret_past_the_binary_probe_in_a_text_file_is_found(self):
        self.write("big.log", "x" * 9000 + f"\nDD_API_KEY={API_KEY}\n")
        _, document = self.scan_json(".")
        self.assertEqual(self.places(document), [("big.log", 2, 12, "datadog-api-key")])

    def test_large_files_are_mapped_and_scanned_to_the_end(self):
        filler = ("lorem ipsum dolor sit amet " * 40 + "\n") * 6000  # ~6.5 MB: mmap path
        self.write("huge.txt", filler + f"DD_API_KEY={API_KEY}\n")
        _, document = self.scan_json(".")
        self.assertEqual(self.places(document), [("huge.txt", 6001, 12, "datadog-api-key")])

    def test_files_over_the_size_limit_are_skipped_with_a_warning(self):
        self.write("big.env", "#" * 4096 + f"\nDD_API_KEY={API_KEY}\n")
        self.write("small.env", f"DD_API_KEY={API_KEY_2}\n")
        result, document = self.scan_json("--max-file-size", "1K", ".")
        self.assertEqual([f["path"] for f in document["findings"]], ["small.env"])
        self.assertEqual(document["summary"]["skipped_too_large"], 1)
        self.assertIn("big.env: larger than the size limit", result.stderr)

    def test_broken_symlinks_warn_and_the_scan_goes_on(self):
        # (A PATH argument that does not exist is a usage error: test_failsafe_scan.)
        self.write(".env", PROJECT[".env"])
        os.symlink("does-not-exist", os.path.join(self.tree, "dangling"))
        os.symlink(".env", os.path.join(self.tree, "linked.env"))
        os.symlink(".", os.path.join(self.tree, "loop"))
        os.symlink("gone", os.path.join(self.tmp, "dangling-argument"))
        result, document = self.scan_json(".", os.path.join(self.tmp, "dangling-argument"))
        self.assertEqual(result.code, 1)
        self.assertIn("dangling: broken symlink", result.stderr)
        self.assertIn("dangling-argument: broken symlink", result.stderr)
        self.assertEqual([f["path"] for f in document["findings"]], [".env", "linked.env"])
        self.assertEqual(len(document["summary"]["warnings"]), 2)

    def test_unreadable_files_warn_and_the_scan_goes_on(self):
        self.write("secret.env", f"DD_API_KEY={API_KEY}\n", mode=0o000)
        self.write("open.env", f"DD_API_KEY={API_KEY_2}\n")
        os.chmod(self.tmp, 0o755)
        # Root reads anything; drop to nobody so the permission bits count.
        prefix = ()
        if os.geteuid() == 0:
            prefix = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
            os.chmod(self.cache if os.path.exists(self.cache) else self.tmp, 0o777)
        result = self.run_keysweep("scan", "--format", "json", "--no-cache", ".", prefix=prefix)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertIn("secret.env: cannot read: Permission denied", result.stderr)
        self.assertEqual([f["path"] for f in result.json()["findings"]], ["open.env"])
        self.assertEqual(result.json()["summary"]["unreadable"], 1)

    def test_threads_do_not_change_the_result(self):
        for index in range(200):
            self.write(f"d{index % 7}/f{index}.env",
                       f"DD_API_KEY={API_KEY}\n" if index % 3 == 0 else "nothing\n")
        _, one = self.scan_json("-j", "1", ".")
        _, many = self.scan_json("-j", "8", ".")
        self.assertEqual(len(one["findings"]), 67)
        self.assertEqual(one["findings"], many["findings"])


class ExitCodeTest(KeysweepTestCase):
    def test_exit_codes(self):
        self.write("clean.txt", "hello\n")
        self.assertEqual(self.run_keysweep("scan", ".").code, 0)
        self.write(".env", f"DD_API_KEY={API_KEY}\n")
        self.assertEqual(self.run_keysweep("scan", ".").code, 1)

    def test_usage_errors_exit_2_and_name_the_bad_input(self):
        cases = [
            (("scan", "--format", "xml", "."), "--format: 'xml' is not one of text, json, sarif"),
            (("scan", "--max-file-size", "lots", "."), "--max-file-size: 'lots' is not a size"),
            (("scan", "--bogus"), "--bogus"),
            (("scan", "--rules", "missing.toml", "."), "missing.toml: cannot read the rule file"),
            (("frobnicate",), "'frobnicate' is not a keysweep command (commands: scan, baseline"),
        ]
        for args, message in cases:
            result = self.run_keysweep(*args)
            self.assertEqual(result.code, 2, args)
            self.assertIn(message, result.stderr, args)

    def test_a_malformed_rule_file_exits_2_naming_file_line_and_rule(self):
        bad = self.write("rules/bad.toml", "[[rules]]\nid = \"acme\"\nregex = '''acme_(\\w+'''\n")
        result = self.run_keysweep("scan", "--rules", bad, ".")
        self.assertEqual(result.code, 2)
        self.assertIn(f"{bad}:3: rule 'acme': regex does not compile: missing )", result.stderr)

    def test_output_file_is_written_whole_and_a_failed_run_keeps_the_old_one(self):
        self.write(".env", f"DD_API_KEY={API_KEY}\n")
        report = os.path.join(self.tmp, "report.json")
        result = self.run_keysweep("scan", "--format", "json", "-o", report, ".")
        self.assertEqual(result.code, 1)
        self.assertEqual(result.stdout, "")
        with open(report) as handle:
            first = handle.read()
        self.assertIn("datadog-api-key", first)
        bad_rules = self.write("bad.toml", "not toml [")
        result = self.run_keysweep("scan", "--format", "json", "-o", report, "--rules", bad_rules, ".")
        self.assertEqual(result.code, 2)
        with open(report) as handle:
            self.assertEqual(handle.read(), first)
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("report.json.tmp")], [])
        result = self.run_keysweep("scan", "-o", os.path.join(self.tmp, "no/such/dir/r.txt"), ".")
        self.assertEqual(result.code, 2)
        self.assertIn("no/such/dir: No such file or directory", result.stderr)

    def test_user_rules_are_added_to_the_builtin_ones(self):
        rules = self.write("rules/acme.toml", (
            "[[rules]]\nid = \"acme-token\"\nkeyType = \"acme_token\"\n"
            "regex = '''\\b(acme_[a-z0-9]{12})\\b'''\nkeywords = [\"acme_\"]\n"))
        self.write("app.cfg", f"token = acme_k3j9x2m8q7w1\nDD_API_KEY={API_KEY}\n")
        _, document = self.scan_json("--rules", os.path.dirname(rules), ".")
        self.assertEqual([f["rule_id"] for f in document["findings"]],
                         ["acme-token", "datadog-api-key"])


class CacheTest(KeysweepTestCase):
    def test_the_second_run_reuses_the_serialized_database(self):
        self.write(".env", f"DD_API_KEY={API_KEY}\n")
        self.run_keysweep("scan", ".")
        entries = os.listdir(self.cache)
        self.assertEqual(len(entries), 1)
        self.assertTrue(entries[0].startswith("hs-") and entries[0].endswith(".db"))
        stamp = os.stat(os.path.join(self.cache, entries[0])).st_mtime_ns
        self.assertEqual(self.run_keysweep("scan", ".").code, 1)
        self.assertEqual(os.stat(os.path.join(self.cache, entries[0])).st_mtime_ns, stamp)
        self.assertEqual(os.stat(os.path.join(self.cache, entries[0])).st_mode & 0o777, 0o600)

    def write_keyword_rule_with_many_windows(self):
        """A keyword rule, and a file that opens 100 of its windows (one per
        line) before its one match: enough for the rule's screen (64)."""
        rules = self.write("../rules/acme.toml", (
            "[[rules]]\nid = \"acme-token\"\n"
            "regex = '''\\b(acme_[a-z0-9]{12})\\b'''\nkeywords = [\"acme_\"]\n"))
        self.write("app.cfg", ("acme_ is our prefix" + " " * 40 + "\n") * 100 + "token = acme_k3j9x2m8q7w1\n")
        return rules

    def test_a_keyword_rules_screen_is_cached_once_and_rebuilt_when_damaged(self):
        rules = self.write_keyword_rule_with_many_windows()
        cold, document = self.scan_json("--rules", rules, ".")
        self.assertEqual(cold.code, 1, cold.stderr)
        self.assertEqual([f["rule_id"] for f in document["findings"]], ["acme-token"])
        screens = [name for name in os.listdir(self.cache) if name.startswith("hs-screen-")]
        self.assertEqual(len(screens), 1)
        screen = os.path.join(self.cache, screens[0])
        self.assertEqual(os.stat(screen).st_mode & 0o777, 0o600)
        written = os.stat(screen)
        warm, again = self.scan_json("--rules", rules, ".")
        self.assertEqual(again["findings"], document["findings"])
        self.assertEqual((os.stat(screen).st_ino, os.stat(screen).st_mtime_ns),
                         (written.st_ino, written.st_mtime_ns))
        with open(screen, "wb") as handle:
            handle.write(b"damaged")
        rebuilt, third = self.scan_json("--rules", rules, ".")
        self.assertEqual(rebuilt.code, 1, rebuilt.stderr)
        self.assertEqual(third["findings"], document["findings"])
        with open(screen, "rb") as handle:
            self.assertNotEqual(handle.read(), b"damaged")

    def test_a_cache_entry_that_is_not_a_regular_file_is_a_miss(self):
        # A FIFO would block a reader that opens it, /dev/zero would never end:
        # neither is read, the databases are compiled again, the findings stand.
        rules = self.write_keyword_rule_with_many_windows()
        _, document = self.scan_json("--rules", rules, ".")
        entries = sorted(os.listdir(self.cache))
        self.assertEqual(len([name for name in entries if name.startswith("hs-screen-")]), 1)
        for name in entries:
            os.remove(os.path.join(self.cache, name))
            os.mkfifo(os.path.join(self.cache, name))
        completed = subprocess.run([BINARY, "scan", "--format", "json", "--rules", rules, "."],
                                   cwd=self.tree, capture_output=True, text=True, timeout=60,
                                   env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
        self.assertEqual(completed.returncode, 1, completed.stderr)
        self.assertEqual([f["rule_id"] for f in json.loads(completed.stdout)["findings"]],
                         [f["rule_id"] for f in document["findings"]])
        # Replaced by the databases compiled again.
        for name in entries:
            self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(self.cache, name)).st_mode), name)

    def test_no_cache_writes_nothing(self):
        self.write(".env", f"DD_API_KEY={API_KEY}\n")
        self.assertEqual(self.run_keysweep("scan", "--no-cache", ".").code, 1)
        self.assertFalse(os.path.exists(self.cache))


if __name__ == "__main__":
    unittest.main()
