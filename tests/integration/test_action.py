"""The GitHub Action (action.yml): its inputs and outputs, and its steps'
scripts run as a runner would run them (inputs as INPUT_* variables,
outputs to $GITHUB_OUTPUT) in a real clone with a pull-request branch.
Not testable here: a real runner, the upload to code scanning, publishing."""
import json
import os
import subprocess

import jsonschema
import yaml

from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, BINARY, SOURCE_ROOT, KeysweepTestCase

SCHEMA = os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")
INPUTS = ("range", "history", "path", "format", "fail-on", "baseline", "args", "sarif-file")


class ActionDefinitionTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        with open(os.path.join(SOURCE_ROOT, "action.yml")) as handle:
            self.action = yaml.safe_load(handle)

    def test_a_composite_action_with_the_inputs_and_the_sarif_output(self):
        self.assertEqual(self.action["runs"]["using"], "composite")
        for name in INPUTS + ("upload-sarif", "package"):
            self.assertIn(name, self.action["inputs"])
            self.assertTrue(self.action["inputs"][name]["description"])
        self.assertEqual(self.action["outputs"]["sarif"]["value"], "${{ steps.scan.outputs.sarif }}")

    def test_every_input_reaches_its_step_and_every_script_exists(self):
        steps = self.action["runs"]["steps"]
        passed = {}
        for step in steps:
            for variable, value in (step.get("env") or {}).items():
                passed[value] = variable
            if "run" in step:
                self.assertIn("shell", step)
                script = step["run"].strip('"').replace("$GITHUB_ACTION_PATH", SOURCE_ROOT)
                self.assertTrue(os.access(script, os.X_OK), script)
        for name in INPUTS + ("package",):
            expected = "INPUT_" + name.upper().replace("-", "_")
            self.assertEqual(passed.get("${{ inputs.%s }}" % name), expected, name)
        upload = [step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif")]
        self.assertEqual(len(upload), 1)
        self.assertIn("always()", upload[0]["if"])


class ActionStepsTest(KeysweepTestCase):
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
        self.outputs = os.path.join(self.tmp, "github_output")

    def add_commit(self, files):
        for relative, content in files.items():
            self.clone.write(relative, content)
            self.clone.git("add", relative)
        self.clone.git("commit", "-q", "-m", "change")

    def run_step(self, script, **inputs):
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache, CI="true", GITHUB_OUTPUT=self.outputs,
                           GITHUB_ACTION_PATH=SOURCE_ROOT, RUNNER_TEMP=self.tmp)
        environment["PATH"] = os.path.dirname(os.path.abspath(BINARY)) + os.pathsep + environment["PATH"]
        environment.pop("GITHUB_BASE_REF", None)
        for name, value in inputs.items():
            environment[name if name.isupper() else "INPUT_" + name.upper()] = value
        open(self.outputs, "w").close()
        completed = subprocess.run([os.path.join(SOURCE_ROOT, "hooks", "ci", "action", script)], cwd=self.repo,
                                   env=environment, capture_output=True, text=True, timeout=300)
        self.assertNotIn("ERROR: AddressSanitizer", completed.stderr)
        with open(self.outputs) as handle:
            outputs = dict(line.split("=", 1) for line in handle.read().splitlines())
        return completed, outputs

    def sarif_uris(self, path):
        with open(os.path.join(self.repo, path)) as handle:
            document = json.load(handle)
        with open(SCHEMA) as handle:
            jsonschema.validate(document, json.load(handle), cls=jsonschema.Draft7Validator)
        return sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                      for r in document["runs"][0]["results"])

    def test_a_pull_request_scans_what_it_adds(self):
        self.add_commit({"feature.txt": "no keys\n"})
        completed, outputs = self.run_step("scan.sh", GITHUB_BASE_REF="main")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(outputs, {"sarif": "keysweep.sarif", "report": "", "exit-code": "0"})
        self.assertEqual(self.sarif_uris("keysweep.sarif"), [])  # old.env is main's, not this PR's
        self.add_commit({"deploy/ci.env": f"DD_API_KEY={API_KEY_2}\n"})
        completed, outputs = self.run_step("scan.sh", GITHUB_BASE_REF="main")
        self.assertEqual(completed.returncode, 1)
        self.assertEqual(outputs["exit-code"], "1")
        self.assertEqual(self.sarif_uris(outputs["sarif"]), ["deploy/ci.env"])
        self.assertIn("deploy/ci.env:1:12: datadog-api-key", completed.stdout)  # the text report, in the log
        self.assertNotIn(API_KEY_2, completed.stdout + completed.stderr)

    def test_history_range_format_and_sarif_file_inputs(self):
        self.add_commit({"deploy/ci.env": f"DD_API_KEY={API_KEY_2}\n"})
        completed, outputs = self.run_step("scan.sh", history="true", format="json", sarif_file="out/all.sarif")
        self.assertEqual(completed.returncode, 1, completed.stderr)
        self.assertEqual(outputs["sarif"], "out/all.sarif")
        self.assertEqual(self.sarif_uris("out/all.sarif"), ["deploy/ci.env", "old.env"])
        with open(os.path.join(self.repo, outputs["report"])) as handle:
            self.assertEqual(len(json.load(handle)["findings"]), 2)
        completed, outputs = self.run_step("scan.sh", range="HEAD~1..HEAD", format="junit")
        self.assertEqual(completed.returncode, 1)
        self.assertEqual(self.sarif_uris("keysweep.sarif"), ["deploy/ci.env"])
        self.assertTrue(outputs["report"].endswith(".xml"))

    def test_baseline_fail_on_and_args_inputs(self):
        self.add_commit({"deploy/ci.env": f"DD_API_KEY={API_KEY_2}\n", "vendor/x.env": f"DD_API_KEY={API_KEY}\n"})
        baseline = os.path.join(self.tmp, "baseline.json")
        subprocess.run([BINARY, "baseline", "create", "-o", baseline, "."], cwd=self.repo, check=True,
                       capture_output=True, env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
        completed, outputs = self.run_step("scan.sh", baseline=baseline)
        self.assertEqual((completed.returncode, outputs["exit-code"]), (0, "0"), completed.stderr)
        # Split at whitespace, never glob-expanded by the shell (old.env would match *.env).
        completed, outputs = self.run_step("scan.sh", args="--exclude *.env  --strict")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(self.sarif_uris("keysweep.sarif"), [])
        # A usage error (fail-on live with no inventory) is exit 2, with no SARIF to upload.
        completed, outputs = self.run_step("scan.sh", fail_on="live")
        self.assertEqual(completed.returncode, 2)
        self.assertEqual(outputs["sarif"], "")
        self.assertIn("--fail-on live needs an inventory", completed.stderr)

    def test_install_uses_keysweep_on_path(self):
        completed, _ = self.run_step("install.sh")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertIn(os.path.abspath(BINARY), completed.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
