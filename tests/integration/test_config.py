"""What a team tunes and what CI reads: .keysweep.toml, inline allow comments,
baselines, --fail-on, JUnit reports, SARIF within GitHub's limits, and the
GitHub Actions and GitLab CI recipes of hooks/ci run against real repositories."""
import json
import os
import random
import re
import subprocess
import xml.etree.ElementTree as ElementTree

import jsonschema
import yaml

from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, BINARY, SOURCE_ROOT, KeysweepTestCase

SCHEMA = os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")


def random_key(generator):
    return "".join(generator.choice("0123456789abcdef") for _ in range(32))


class ConfigTest(KeysweepTestCase):
    def config(self, text):
        self.write(".keysweep.toml", text)

    def test_config_disables_rules_allows_paths_regexes_and_stopwords(self):
        self.write("deploy/.env", f"DD_API_KEY={API_KEY}\nDD_APP_KEY={APP_KEY}\n")
        self.write("tests/fixtures/deep/keys.env", f"DD_API_KEY={API_KEY_2}\n")
        self.write("vendor.lock", f"DD_API_KEY={API_KEY_2}\n")
        self.write("docs/sample.md", "DD_API_KEY=5d2c8e1f9a7b3c6d0e4f8a2b1c9dbeef\n")
        self.write("extra-rules/internal.toml", """[[rules]]
id = "internal-token"
regex = '''\\b(itk_[a-z0-9]{20})\\b'''
keywords = ["itk_"]
""")
        self.write("src/app.py", "TOKEN = 'itk_a1b2c3d4e5f6a7b8c9d0'\n")
        _, before = self.scan_json(".")
        self.assertEqual(len(before["findings"]), 5)
        self.config("""# team settings
rules = ["extra-rules/internal.toml"]
disabled_rules = ["datadog-application-key"]
[allowlist]
paths = ["tests/fixtures/", "*.lock"]
regexes = ['''beef$''']
stopwords = ["nothing-matches-this"]
""")
        _, after = self.scan_json(".")
        self.assertEqual(self.places(after), [("deploy/.env", 1, 12, "datadog-api-key"),
                                              ("src/app.py", 1, 10, "internal-token")])
        # --no-config and --config override the file.
        _, ignored = self.scan_json("--no-config", ".")
        self.assertEqual(len(ignored["findings"]), 5)
        self.write("other.toml", "disabled_rules = ['datadog-api-key']\n")
        _, other = self.scan_json("--config", "other.toml", ".")
        self.assertEqual(sorted(f["rule_id"] for f in other["findings"]), ["datadog-application-key"])

    def test_the_config_is_found_from_a_subdirectory_up_to_the_work_tree(self):
        repo = GitRepo(os.path.join(self.tree, "repo"))
        repo.write(".keysweep.toml", "disabled_rules = ['datadog-api-key']\n")
        repo.write("sub/dir/.env", f"DD_API_KEY={API_KEY}\n")
        _, document = self.scan_json("sub", cwd=repo.path)
        self.assertEqual(document["findings"], [])

    def test_max_file_size_and_fail_on_come_from_the_config(self):
        self.write("big.env", f"DD_API_KEY={API_KEY}\n" + "x" * 5000)
        self.config("max_file_size = '1K'\n")
        result, document = self.scan_json(".")
        self.assertEqual((result.code, document["summary"]["skipped_too_large"]), (0, 1))
        # fail_on = live without an inventory would pass everything: refused (test_paths_policy has the rest).
        self.config("fail_on = 'live'\n")
        refused = self.run_keysweep("scan", ".", env={"KEYSWEEP_STORE": ""})
        self.assertEqual(refused.code, 2)
        self.assertIn("fail_on = \"live\" in", refused.stderr)

    def test_config_errors_name_the_file_the_line_and_the_key(self):
        cases = [
            ("disabled_rules = []\ncolour = 'red'\n", ".keysweep.toml:2: unknown key 'colour'"),
            ("[allowlist]\npath = ['x']\n", ".keysweep.toml:2: unknown key 'allowlist.path'"),
            ("fail_on = 'sometimes'\n", ".keysweep.toml:1: fail_on 'sometimes' is not one of live, unknown, any"),
            ("disabled_rules = 'datadog-api-key'\n", ".keysweep.toml:1: 'disabled_rules' must be a list of strings"),
            ("disabled_rules = ['no-such-rule']\n", "disabled_rules: no rule has the id 'no-such-rule'"),
            ("[allowlist]\nregexes = ['(unclosed']\n", ".keysweep.toml:2: allowlist.regexes: '(unclosed'"),
            ("max_file_size = 'huge'\n", "--max-file-size: 'huge' is not a size"),
            ("rules = [\n", ".keysweep.toml:"),
        ]
        for text, message in cases:
            with self.subTest(text=text):
                self.config(text)
                result = self.run_keysweep("scan", ".")
                self.assertEqual(result.code, 2, result.stderr)
                self.assertIn(message, result.stderr)

    def test_inline_allow_comments(self):
        self.write("a.py", f"DD_API_KEY = '{API_KEY}'  # keysweep:allow\n"
                           f"DD_API_KEY_2 = '{API_KEY_2}'  # gitleaks:allow\n"
                           f"DD_APP_KEY = '{APP_KEY}'  # pragma: allowlist secret\n"
                           f"DATADOG_API_KEY = '{API_KEY}'\n")
        _, document = self.scan_json(".")
        self.assertEqual(self.places(document), [("a.py", 4, 20, "datadog-api-key")])


class BaselineTest(KeysweepTestCase):
    def baseline(self, *args):
        result = self.run_keysweep("baseline", "create", *args, ".")
        self.assertEqual(result.code, 0, result.stderr)
        with open(os.path.join(self.tree, ".keysweep-baseline.json")) as handle:
            return handle.read()

    def test_moved_lines_stay_known_and_swapped_secrets_are_new(self):
        self.write("deploy/settings.sh", f"DD_API_KEY={API_KEY}\nDD_APP_KEY={APP_KEY}\n")
        text = self.baseline()
        document = json.loads(text)
        self.assertEqual([(e["path"], e["rule_id"]) for e in document["entries"]], [
            ("deploy/settings.sh", "datadog-api-key"), ("deploy/settings.sh", "datadog-application-key")])
        self.assertEqual(document["entries"], sorted(document["entries"], key=lambda e: (e["path"], e["rule_id"], e["secret_sha256"])))
        self.assertNotIn(API_KEY, text)
        self.assertNotRegex(text, r'"line"|"date"|"time"')
        self.assertEqual(len(text.splitlines()), 7)  # one line per entry: branches merge cleanly
        # Nothing new.
        result, clean = self.scan_json("--baseline", ".keysweep-baseline.json", ".")
        self.assertEqual((result.code, clean["findings"], clean["summary"]["baselined"]), (0, [], 2))
        # The same secrets moved down: still known.
        self.write("deploy/settings.sh", f"# header\n\nDD_APP_KEY={APP_KEY}\nDD_API_KEY={API_KEY}\n")
        result, moved = self.scan_json("--baseline", ".keysweep-baseline.json", ".")
        self.assertEqual((result.code, moved["findings"]), (0, []))
        # Another secret on the same line: new. The same secret in another file: new.
        self.write("deploy/settings.sh", f"# header\n\nDD_APP_KEY={APP_KEY}\nDD_API_KEY={API_KEY_2}\n")
        self.write("copy/settings.sh", f"DD_APP_KEY={APP_KEY}\n")
        result, changed = self.scan_json("--baseline", ".keysweep-baseline.json", "--report-unused-baseline", ".")
        self.assertEqual(result.code, 1)
        self.assertEqual(self.places(changed), [("copy/settings.sh", 1, 12, "datadog-application-key"),
                                                ("deploy/settings.sh", 4, 12, "datadog-api-key")])
        self.assertEqual([e["rule_id"] for e in changed["unused_baseline"]], ["datadog-api-key"])
        text_report = self.run_keysweep("scan", "--baseline", ".keysweep-baseline.json", "--report-unused-baseline", ".")
        self.assertIn("1 baseline entries are no longer found:", text_report.stdout)

    def test_the_config_names_the_baseline(self):
        self.write(".keysweep.toml", "baseline = 'security/keysweep-baseline.json'\n")
        self.write("app.env", f"DD_API_KEY={API_KEY}\n")
        result = self.run_keysweep("baseline", "create", ".")
        self.assertEqual(result.code, 0, result.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.tree, "security", "keysweep-baseline.json")))
        result, document = self.scan_json(".")
        self.assertEqual((result.code, document["findings"]), (0, []))

    def test_a_bad_baseline_is_an_error_naming_it(self):
        self.write("app.env", f"DD_API_KEY={API_KEY}\n")
        for name, content, message in [("not-json.json", "{", "is not JSON"),
                                       ("other.json", '{"results": []}', "not a keysweep baseline"),
                                       ("entry.json", '{"keysweep_baseline": 1, "entries": [{"path": "a"}]}',
                                        "entry 0 has no string 'rule_id'")]:
            with self.subTest(name=name):
                self.write(name, content)
                result = self.run_keysweep("scan", "--baseline", name, ".")
                self.assertEqual(result.code, 2)
                self.assertIn(name, result.stderr)
                self.assertIn(message, result.stderr)
        missing = self.run_keysweep("scan", "--report-unused-baseline", ".")
        self.assertEqual(missing.code, 2)


class ReportLimitsTest(KeysweepTestCase):
    def test_junit_report(self):
        self.write("deploy/<prod>.env", f"DD_API_KEY={API_KEY}\nDD_APP_KEY={APP_KEY}\n")
        result = self.run_keysweep("scan", "--format", "junit", ".")
        self.assertEqual(result.code, 1)
        suites = ElementTree.fromstring(result.stdout)
        cases = suites.findall("./testsuite/testcase")
        self.assertEqual((suites.get("tests"), suites.get("failures")), ("2", "2"))
        self.assertEqual({case.get("classname") for case in cases}, {"deploy/<prod>.env"})
        failure = cases[0].find("failure")
        self.assertIn("4f8a…", failure.get("message"))
        self.assertIn("organization-settings/api-keys", failure.text)
        self.assertNotIn(API_KEY, result.stdout)
        self.write("deploy/<prod>.env", "nothing\n")
        clean = ElementTree.fromstring(self.run_keysweep("scan", "--format", "junit", ".").stdout)
        self.assertEqual([c.get("name") for c in clean.iter("testcase")], ["no leaked credentials"])

    def test_sarif_groups_a_secret_past_25000_results(self):
        self.write("dump.log", f"DD_API_KEY={API_KEY}\n" * 25001 + f"DD_API_KEY={API_KEY_2}\n")
        result = self.run_keysweep("scan", "--format", "sarif", ".")
        self.assertEqual(result.code, 1)
        document = json.loads(result.stdout)
        with open(SCHEMA) as handle:
            jsonschema.validate(document, json.load(handle), cls=jsonschema.Draft7Validator)
        run = document["runs"][0]
        self.assertEqual(len(run["results"]), 2)
        first = run["results"][0]
        self.assertEqual(first["properties"]["secretPlaces"], 25001)
        self.assertEqual(len(first["relatedLocations"]), 1000)
        notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
        self.assertTrue(any("25002 findings exceed the 25,000 results" in n for n in notes), notes)

    def test_sarif_keeps_25000_secrets_and_says_what_it_left_out(self):
        generator = random.Random(7)
        self.write("keys.env", "".join(f"DD_API_KEY={random_key(generator)}\n" for _ in range(25010)))
        result = self.run_keysweep("scan", "--format", "sarif", ".")
        run = json.loads(result.stdout)["runs"][0]
        self.assertEqual(len(run["results"]), 25000)
        found = json.loads(self.run_keysweep("scan", "--format", "json", ".").stdout)["summary"]["unique_secrets"]
        self.assertGreater(found, 25000)
        notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
        self.assertTrue(any(f"{found - 25000} secrets beyond the first 25,000" in n for n in notes), notes)


class CiRecipeTest(KeysweepTestCase):
    """Runs the scan commands of hooks/ci's recipes as CI would, in a clone
    with a pull-request branch."""

    def setUp(self):
        super().setUp()
        origin = GitRepo(os.path.join(self.tmp, "origin"))
        origin.commit("base", "2024-01-01T00:00:00+00:00", files={"README": "hello\n", "old.env": f"DD_API_KEY={API_KEY}\n"})
        self.repo = os.path.join(self.tmp, "clone")
        subprocess.run(["git", "clone", "-q", origin.path, self.repo], check=True)
        self.clone = GitRepo.__new__(GitRepo)
        self.clone.path = self.repo
        self.clone.git("checkout", "-q", "-b", "feature")
        self.clone.git("config", "user.email", "dev@example.com")
        self.clone.git("config", "user.name", "Dev")

    def commands(self, recipe, pick):
        with open(os.path.join(SOURCE_ROOT, "hooks", "ci", recipe)) as handle:
            return [c for c in pick(yaml.safe_load(handle)) if c.startswith("keysweep ")]

    def run_commands(self, commands, env):
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache, CI="true", **env)
        environment["PATH"] = os.path.dirname(BINARY) + os.pathsep + environment.get("PATH", "")
        codes = []
        for command in commands:
            completed = subprocess.run(["sh", "-c", command], cwd=self.repo, env=environment,
                                       capture_output=True, text=True, timeout=300)
            self.assertNotIn("ERROR: AddressSanitizer", completed.stderr)
            codes.append(completed.returncode)
        return codes

    def add_commit(self, files):
        for relative, content in files.items():
            self.clone.write(relative, content)
            self.clone.git("add", relative)
        self.clone.git("commit", "-q", "-m", "change")

    def test_github_actions_recipe(self):
        commands = self.commands("github-actions.yml",
                                 lambda doc: [step.get("run", "") for step in doc["jobs"]["keysweep"]["steps"]
                                              if step.get("id") == "keysweep"])
        self.assertEqual(len(commands), 1)
        env = {"GITHUB_BASE_REF": "main"}
        self.add_commit({"feature.txt": "no keys\n"})
        self.assertEqual(self.run_commands(commands, env), [0])  # old.env is on main: not this PR's
        self.add_commit({"deploy/ci.env": f"DD_API_KEY={API_KEY_2}\n"})
        self.assertEqual(self.run_commands(commands, env), [1])
        with open(os.path.join(self.repo, "keysweep.sarif")) as handle:
            document = json.load(handle)
        with open(SCHEMA) as handle:
            jsonschema.validate(document, json.load(handle), cls=jsonschema.Draft7Validator)
        self.assertEqual([r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                          for r in document["runs"][0]["results"]], ["deploy/ci.env"])
        # Accepted in the baseline (named by .keysweep.toml): the job passes.
        self.clone.write(".keysweep.toml", "baseline = '.keysweep-baseline.json'\n")
        subprocess.run([BINARY, "baseline", "create", "--since", "origin/main"], cwd=self.repo, check=True,
                       capture_output=True, env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
        self.assertEqual(self.run_commands(commands, env), [0])

    def test_gitlab_ci_recipe(self):
        commands = self.commands("gitlab-ci.yml", lambda doc: doc["keysweep"]["script"])
        self.assertEqual(len(commands), 2)
        env = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
        self.add_commit({"deploy/ci.env": f"DD_API_KEY={API_KEY_2}\n"})
        self.assertEqual(self.run_commands(commands, env), [0, 1])  # JUnit step passes, SARIF step fails
        suites = ElementTree.parse(os.path.join(self.repo, "keysweep-junit.xml")).getroot()
        self.assertEqual(suites.get("failures"), "1")
        self.assertTrue(os.path.exists(os.path.join(self.repo, "keysweep.sarif")))
        # An error (a bad range, exit 2) fails even the JUnit step.
        self.assertNotEqual(self.run_commands(commands[:1], {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "nope"}), [0])
