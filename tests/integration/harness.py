"""Shared helpers for the integration tests: run the real keysweep binary on
fixture trees that each test builds in a fresh temporary directory."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BINARY = os.environ.get("KEYSWEEP_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "keysweep")
SOURCE_ROOT = os.environ.get("KEYSWEEP_SOURCE_ROOT") or os.path.join(
    os.path.dirname(__file__), "..", "..")

# Random-looking values that are nobody's key.
API_KEY = "4f8a9c2e7b1d3f6a5c8e9b2d4f7a1c3e"
API_KEY_2 = "b7e1d9c3a5f2e8b4d6c1a9f3e7b5d2c8"
APP_KEY = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
RUM_TOKEN = "pub3c9e1a7f5b2d8c4e6a1f9b3d7c5e2a8f"


def lint_rule_ids():
    """The credential-management checks (rules/lint.toml): most tests are
    about secret rules and set those findings aside."""
    listed = subprocess.run([BINARY, "rules", "list", "--format", "json"], capture_output=True, text=True,
                            check=True)
    return {rule["id"] for rule in json.loads(listed.stdout) if rule["check"]}


class Result:
    def __init__(self, completed):
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    def json(self):
        return json.loads(self.stdout)


class KeysweepTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="keysweep-test-")
        self.cache = os.path.join(self.tmp, "cache")
        self.tree = os.path.join(self.tmp, "tree")
        os.makedirs(self.tree)

    def tearDown(self):
        for root, dirs, _ in os.walk(self.tmp):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, relative, content, mode=None):
        path = os.path.join(self.tree, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.encode() if isinstance(content, str) else content)
        if mode is not None:
            os.chmod(path, mode)
        return path

    def run_keysweep(self, *args, stdin=None, cwd=None, env=None, prefix=()):
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache)
        environment.pop("NO_COLOR", None)
        environment.update(env or {})
        completed = subprocess.run(
            list(prefix) + [BINARY, *args], input=stdin, capture_output=True, text=True,
            cwd=cwd or self.tree, env=environment, timeout=300)
        # In sanitizer builds a report must fail the test whatever the exit code.
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, completed.stderr, f"sanitizer report for {args}")
        return Result(completed)

    def scan_json(self, *args, keep_lint=False, **kwargs):
        """Runs a JSON scan. Lint findings (rules/lint.toml) are set aside unless
        keep_lint: these tests are about what the secret rules find."""
        result = self.run_keysweep("scan", "--format", "json", *args, **kwargs)
        self.assertIn(result.code, (0, 1), result.stderr)
        document = result.json()
        if not keep_lint:
            lint = KeysweepTestCase.lint_ids()
            document["findings"] = [f for f in document["findings"] if f["rule_id"] not in lint]
        return result, document

    _lint_ids = None

    @classmethod
    def lint_ids(cls):
        if cls._lint_ids is None:
            cls._lint_ids = lint_rule_ids()
        return cls._lint_ids

    @staticmethod
    def places(document):
        return sorted((f["path"], f["line"], f["column"], f["rule_id"])
                      for f in document["findings"])
