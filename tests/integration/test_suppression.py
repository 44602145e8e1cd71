"""What an allowlist or an inline allow comment sets aside: counted in every
report's summary (JSON, SARIF run properties, text), never reported, never
failing the run, never shown in clear, never verified online; on every path
(tree, stdin, staged, range, history, audit) and in `rules check`. Real
binary, real git repositories, a real HTTP server on 127.0.0.1."""
import json
import os
import sqlite3

from datadog_stub import DatadogStub
from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, KeysweepTestCase

ALLOWLISTED = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"  # held by the config's allowlist
INLINE = "d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1"       # allowed by a comment on its line
NEXT_LINE = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"    # allowed by a comment on the line before
CONFIG = f"[allowlist]\nregexes = ['''^{ALLOWLISTED[:8]}''']\n"
DATE = "2024-01-01T00:00:00+00:00"


def summary_counts(document):
    summary = document["summary"]
    return summary["findings"], summary["allowlisted"], summary["inline_allowed"], summary["failing"]


class TreeTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.write(".keysweep.toml", CONFIG)
        self.write("deploy/app.env",
                   f"DD_API_KEY={API_KEY} OLD_DD_API_KEY={ALLOWLISTED}\n"
                   f"DD_API_KEY_2={INLINE}  # keysweep:allow test fixture\n"
                   "# keysweep:allow-next-line\n"
                   f"DD_API_KEY_3={NEXT_LINE}\n")

    def assert_nothing_set_aside_in_clear(self, text):
        for secret in (ALLOWLISTED, INLINE, NEXT_LINE):
            self.assertNotIn(secret, text)
            self.assertNotIn(secret[:12], text)

    def test_json_counts_what_was_set_aside_and_reports_only_the_rest(self):
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(summary_counts(document), (1, 1, 2, 1))
        self.assertEqual([(f["line"], f["secret_sha256"]) for f in document["findings"]],
                         [(1, document["findings"][0]["secret_sha256"])])
        self.assertEqual(document["summary"]["baselined"], 0)
        # The allowlisted value on the reported key's line is redacted in its snippet too.
        self.assertIn("OLD_DD_API_KEY=", document["findings"][0]["snippet"])
        self.assert_nothing_set_aside_in_clear(result.stdout + result.stderr)

    def test_a_marker_far_along_a_long_line_never_allows_more(self):
        # On a minified line, allow-next-line 6,000 bytes before the key is on the
        # key's own line: it must not pass for the line before. On a real line before, it counts.
        padding = "x" * 6000
        self.write("deploy/app.env", '{"c":"keysweep:allow-next-line","pad":"' + padding +
                   f'","DD_API_KEY":"{INLINE}"}}\n')
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(summary_counts(document)[:3], (1, 0, 0))
        self.write("deploy/app.env", '{"c":"keysweep:allow-next-line"}\n' +
                   f'{{"DD_API_KEY":"{INLINE}","pad":"' + padding + '"}\n')
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 0, result.stderr)
        self.assertEqual(summary_counts(document)[:3], (0, 0, 1))

    def test_set_aside_findings_never_fail_the_run(self):
        self.write("deploy/app.env",
                   f"OLD_DD_API_KEY={ALLOWLISTED}\nDD_API_KEY={INLINE}  # gitleaks:allow\n"
                   f"DD_APP_KEY={APP_KEY}  # pragma: allowlist secret\n")
        result, document = self.scan_json(".")
        self.assertEqual(result.code, 0, result.stderr)
        self.assertEqual(summary_counts(document), (0, 1, 2, 0))
        self.assertEqual(document["findings"], [])

    def test_sarif_counts_them_in_the_run_and_emits_only_reported_results(self):
        output = os.path.join(self.tmp, "scan.sarif")
        result = self.run_keysweep("scan", "--format", "sarif", "-o", output, ".")
        self.assertEqual(result.code, 1, result.stderr)
        with open(output) as handle:
            text = handle.read()
        run = json.loads(text)["runs"][0]
        self.assertEqual(run["properties"], {"allowlisted": 1, "inlineAllowed": 2, "baselined": 0})
        self.assertEqual([r["locations"][0]["physicalLocation"]["region"]["startLine"]
                          for r in run["results"] if r["ruleId"] == "datadog-api-key"], [1])
        self.assertTrue(all("suppressions" not in r for r in run["results"]))
        self.assert_nothing_set_aside_in_clear(text)

    def test_text_summary_says_how_many_were_not_shown(self):
        result = self.run_keysweep("scan", ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertIn("; 1 allowlisted not shown; 2 allowed inline not shown", result.stdout)
        self.assert_nothing_set_aside_in_clear(result.stdout + result.stderr)

    def test_stdin(self):
        result = self.run_keysweep("scan", "--format", "json", "-", stdin=f"DD_API_KEY={INLINE} # keysweep:allow\n")
        self.assertEqual(result.code, 0, result.stderr)
        self.assertEqual(summary_counts(result.json()), (0, 0, 1, 0))

    def test_another_rules_match_over_an_allowlisted_span_is_reported_as_before(self):
        self.write("rules/tokens.toml", """[[rules]]
id = "alpha-token"
regex = '''\\b(tok_[a-z0-9]{16})\\b'''
keywords = ["tok_"]
[[rules.allowlists]]
regexes = ['''^tok_0000''']
[[rules]]
id = "beta-token"
regex = '''\\b(tok_[a-z0-9]{16})\\b'''
keywords = ["tok_"]
""")
        self.write("src/a.py", "x = 'tok_0000aaaabbbbcccc'\ny = 'tok_1111aaaabbbbcccc'\n")
        result, document = self.scan_json("--no-config", "--rules", "rules/tokens.toml", "src")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual([(f["line"], f["rule_id"]) for f in document["findings"]],
                         [(1, "beta-token"), (2, "alpha-token")])
        # The span is reported: the allowlisted match of alpha-token is not counted as well.
        self.assertEqual(document["summary"]["allowlisted"], 0)


class RulesCheckTest(KeysweepTestCase):
    def test_a_set_aside_match_is_not_a_detection(self):
        rules = self.write("acme.toml", (
            "[[rules]]\nid = \"acme\"\nregex = '''acme_([a-z0-9]{10})'''\nkeywords = [\"acme_\"]\n"
            "examples = [\"acme_k3j9x2m8q7\"]\n"
            "negative_examples = [\"acme_test2m8q7w\", \"acme_p5r8t2v6y4 # keysweep:allow\"]\n"
            "[[rules.allowlists]]\nregexes = ['''^test''']\n"))
        result = self.run_keysweep("rules", "check", rules)
        self.assertEqual(result.code, 0, result.stdout + result.stderr)
        self.assertIn("1 rules, 3 examples: all pass", result.stdout)


class VerifyTest(KeysweepTestCase):
    def test_set_aside_secrets_are_never_sent_to_the_api(self):
        api = DatadogStub().start()
        self.addCleanup(api.stop)
        self.write(".keysweep.toml", CONFIG)
        self.write("app.env", f"DD_API_KEY={API_KEY}\nOLD_DD_API_KEY={ALLOWLISTED}\n"
                              f"DD_API_KEY_2={INLINE}  # keysweep:allow\n")
        result, document = self.scan_json("--verify", "--api-url", api.url, ".",
                                          env={"DD_API_KEY": "", "DD_SITE": ""})
        self.assertEqual(summary_counts(document)[:3], (1, 1, 1))
        self.assertEqual(len([p for p in api.paths_requested() if p == "/api/v1/validate"]), 1)
        for _, _, _, headers in api.requests:
            for secret in (ALLOWLISTED, INLINE):
                self.assertNotIn(secret, json.dumps(headers))


class GitPathsTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.repo = GitRepo(self.tree)
        self.base = self.repo.commit("config", DATE, files={
            ".keysweep.toml": "[allowlist]\npaths = ['fixtures/']\n", "README.md": "# app\n"})
        content = f"DD_API_KEY={API_KEY}\n"
        # One blob at two paths: set aside under fixtures/ only. And one allowed inline.
        self.commit = self.repo.commit("keys", "2024-01-02T00:00:00+00:00", files={
            "fixtures/sample.env": content, "deploy/prod.env": content,
            "deploy/test.env": f"DD_API_KEY={API_KEY_2}  # keysweep:allow\n"})

    def test_history_and_range_count_each_place_set_aside(self):
        for args in (["--history"], ["--range", f"{self.base}..HEAD"]):
            with self.subTest(args=args):
                result, document = self.scan_json(*args, self.repo.path)
                self.assertEqual(result.code, 1, result.stderr)
                self.assertEqual([(f["path"], f["commit"]) for f in document["findings"]],
                                 [("deploy/prod.env", self.commit)])
                self.assertEqual(summary_counts(document), (1, 1, 1, 1))

    def test_history_counts_a_blob_set_aside_everywhere_once(self):
        # One blob whose every match is set aside where its bytes are, at two
        # paths: a range counts each place; history counts it once and traces
        # nothing (no place can report it), so it costs no provenance.
        allowed = f"DD_API_KEY={INLINE}  # keysweep:allow\n"
        self.repo.commit("copies", "2024-01-03T00:00:00+00:00",
                         files={"copies/a.env": allowed, "copies/b.env": allowed})
        _, history = self.scan_json("--history", self.repo.path)
        _, range_scan = self.scan_json("--range", f"{self.base}..HEAD", self.repo.path)
        self.assertEqual(history["summary"]["inline_allowed"], 1 + 1)  # deploy/test.env's blob, the copies' blob
        self.assertEqual(range_scan["summary"]["inline_allowed"], 1 + 2)
        self.assertEqual([f["path"] for f in history["findings"]], ["deploy/prod.env"])

    def test_allowlists_that_list_commits(self):
        # The commit that added deploy/prod.env, listed in full, abbreviated, and
        # with AND beside a path: set aside in history and in a range, at that commit only.
        later = self.repo.commit("again", "2024-01-05T00:00:00+00:00",
                                 files={"deploy/later.env": f"DD_API_KEY={API_KEY}\n"})
        for listing in (f'commits = ["{self.commit}"]', f'commits = ["{self.commit[:10]}"]',
                        f'condition = "AND"\ncommits = ["{self.commit}"]\npaths = ["^deploy/"]'):
            self.repo.write("commits.toml", f"[[allowlists]]\n{listing}\n")
            for args in (["--history"], ["--range", f"{self.base}..HEAD"]):
                with self.subTest(listing=listing, args=args):
                    result, document = self.scan_json(*args, "--rules", os.path.join(self.repo.path, "commits.toml"),
                                                      self.repo.path)
                    self.assertEqual([(f["path"], f["commit"]) for f in document["findings"]],
                                     [("deploy/later.env", later)])
                    self.assertGreaterEqual(document["summary"]["allowlisted"], 1)
        # AND with a path the place does not have: nothing set aside by it.
        self.repo.write("commits.toml", f'[[allowlists]]\ncondition = "AND"\ncommits = ["{self.commit}"]\n'
                                        'paths = ["^elsewhere/"]\n')
        _, document = self.scan_json("--history", "--rules", os.path.join(self.repo.path, "commits.toml"),
                                     self.repo.path)
        self.assertIn(("deploy/prod.env", self.commit), [(f["path"], f["commit"]) for f in document["findings"]])
        # An empty entry would set everything aside: refused, naming the file.
        for field in ("commits", "regexes", "paths", "stopwords"):
            self.repo.write("commits.toml", f'[[allowlists]]\n{field} = [""]\n')
            result = self.run_keysweep("scan", "--rules", os.path.join(self.repo.path, "commits.toml"), self.repo.path)
            self.assertEqual(result.code, 2, (field, result.stderr))
            self.assertIn("commits.toml", result.stderr)
            self.assertIn("an empty entry would set every match aside", result.stderr)

    def test_staged(self):
        self.repo.write("deploy/new.env", f"DD_API_KEY={INLINE}  # keysweep:allow\n")
        self.repo.write("fixtures/new.env", f"DD_API_KEY={API_KEY_2}\n")
        self.repo.git("add", "deploy/new.env", "fixtures/new.env")
        result, document = self.scan_json("--staged", self.repo.path)
        self.assertEqual(result.code, 0, result.stderr)
        self.assertEqual(summary_counts(document), (0, 1, 1, 0))

    def test_an_audit_counts_them_and_never_stores_them(self):
        # An audit reads no repository's own config: the allowlist comes with --config.
        config = os.path.join(self.tmp, "audit.toml")
        with open(config, "w") as handle:
            handle.write(CONFIG)
        self.repo.commit("old key", "2024-01-03T00:00:00+00:00",
                         files={"deploy/old.env": f"OLD_DD_API_KEY={ALLOWLISTED}\n"})
        store = os.path.join(self.tmp, "audit.db")
        reported = ["deploy/prod.env", "fixtures/sample.env"]
        result, document = self.scan_json("--history", "--datastore", store, "--config", config,
                                           self.repo.path)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual([f["path"] for f in document["findings"]], reported)
        self.assertEqual(summary_counts(document), (2, 1, 1, 2))
        # What was set aside is not in the datastore: read back, it would be reported.
        with sqlite3.connect(store) as db:
            self.assertEqual(sorted(row[0] for row in db.execute("SELECT path FROM findings")), reported)
        # Unchanged, the stored findings stand; a blob known from the datastore
        # (copied to a new path) brings only its reported findings.
        self.repo.commit("copy", "2024-01-04T00:00:00+00:00",
                         files={"copy/test.env": f"DD_API_KEY={API_KEY_2}  # keysweep:allow\n",
                                "copy/old.env": f"OLD_DD_API_KEY={ALLOWLISTED}\n"})
        for run in ("new commit", "unchanged"):
            with self.subTest(run=run):
                result, document = self.scan_json("--history", "--datastore", store, "--config", config,
                                                   self.repo.path)
                self.assertEqual(result.code, 1, result.stderr)
                self.assertEqual([f["path"] for f in document["findings"]], reported)
