"""Audits of many repositories: scan --history --datastore (paths, a bare
repository and a URL served by git daemon on 127.0.0.1), incremental runs,
shards run as separate processes and merged, reports from the datastore
(html checked in headless Chromium), and the datastore's own safety."""
import base64
import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import threading
import time
import unittest

import yaml

import test_inventory as inventory_fixture
from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, BINARY, SOURCE_ROOT, KeysweepTestCase

API_KEY_3 = "c3d2e1f00a1b2c3d4e5f60718293a4b5"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GitHttpServer(http.server.ThreadingHTTPServer):
    """git's smart HTTP on 127.0.0.1 behind basic authentication: git
    http-backend run as a CGI for each request, as a web server would."""

    def __init__(self, root, user, password):
        self.root = root
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        super().__init__(("127.0.0.1", 0), GitHttpHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class GitHttpHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.backend()

    def do_POST(self):
        self.backend()

    def backend(self):
        if self.headers.get("Authorization") != self.server.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        environment = dict(os.environ, GIT_PROJECT_ROOT=self.server.root, GIT_HTTP_EXPORT_ALL="1",
                           PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=self.command,
                           CONTENT_TYPE=self.headers.get("Content-Type", ""), REMOTE_USER="alice",
                           CONTENT_LENGTH=str(len(body)))
        output = subprocess.run(["git", "http-backend"], input=body, env=environment,
                                capture_output=True, check=True).stdout
        head, _, payload = output.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(": ")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def placed(path):
    """The findings a datastore holds, as comparable tuples."""
    with sqlite3.connect(path) as db:
        return sorted(db.execute(
            "SELECT repository, blob, path, commit_id, author, date, rule_id, key_type, start_line, "
            "start_column, secret_sha256 FROM findings"))


def repositories(path):
    with sqlite3.connect(path) as db:
        return sorted(row[0] for row in db.execute("SELECT name FROM repositories"))


class AuditFixture(KeysweepTestCase):
    """Three repositories: a work tree, a bare one, and one served by git daemon."""

    def setUp(self):
        super().setUp()
        # alpha: a work tree; a .env committed two years ago and deleted since.
        self.alpha = GitRepo(os.path.join(self.tmp, "alpha"))
        self.alpha.commit("add env", "2024-01-02T10:00:00+00:00",
                          files={".env": f"DD_API_KEY={API_KEY}\n", "README.md": "# alpha\n"})
        self.alpha.commit("remove env", "2024-02-03T10:00:00+00:00", remove=[".env"])
        # beta: a bare repository (cloned from a work tree), the same key plus another.
        beta_work = GitRepo(os.path.join(self.tmp, "beta-work"))
        beta_work.commit("config", "2025-03-04T10:00:00+00:00",
                         author=("Bob Builder", "bob@example.com"),
                         files={"deploy/values.yaml": f"datadog:\n  apiKey: {API_KEY_2}\n",
                                "copy/.env": f"DD_API_KEY={API_KEY}\n"})
        self.beta = os.path.join(self.tmp, "beta.git")
        subprocess.run(["git", "clone", "-q", "--bare", beta_work.path, self.beta], check=True)
        # gamma: served by git daemon on 127.0.0.1 and given as a git:// URL.
        self.served = os.path.join(self.tmp, "served")
        gamma_work = GitRepo(os.path.join(self.tmp, "gamma-work"))
        gamma_work.commit("app key", "2025-06-07T10:00:00+00:00",
                          files={"ops/dd.sh": f"export DD_APP_KEY={APP_KEY}\n"})
        self.gamma_work = gamma_work
        os.makedirs(self.served)
        subprocess.run(["git", "clone", "-q", "--bare", gamma_work.path,
                        os.path.join(self.served, "gamma.git")], check=True)
        self.port = free_port()
        self.daemon = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
             f"--port={self.port}", f"--base-path={self.served}", self.served],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop_daemon)
        self.gamma = f"git://127.0.0.1:{self.port}/gamma.git"
        self.wait_for_daemon()
        self.store = os.path.join(self.tmp, "audit", "audit.db")
        self.repos = [self.alpha.path, self.beta, self.gamma]

    def stop_daemon(self):
        self.daemon.terminate()
        self.daemon.wait(timeout=10)

    def wait_for_daemon(self):
        for _ in range(100):
            if subprocess.run(["git", "ls-remote", self.gamma], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        self.fail("git daemon did not start")

    def audit(self, *args, store=None, env=None, repos=None):
        result, document = self.scan_json("--history", "--datastore", store or self.store,
                                          *(repos if repos is not None else self.repos), *args, env=env)
        return result, document


class AuditTest(AuditFixture):
    def test_scans_every_repository_with_its_name_and_history(self):
        result, document = self.audit()
        self.assertEqual(result.code, 1, result.stderr)
        found = sorted((f["repository"], f["path"], f["rule_id"], f["author"], f["date"])
                       for f in document["findings"])
        self.assertIn((self.alpha.path, ".env", "datadog-api-key", "Alice Admin",
                       "2024-01-02T10:00:00+00:00"), found)
        self.assertIn((self.beta, "copy/.env", "datadog-api-key", "Bob Builder",
                       "2025-03-04T10:00:00+00:00"), found)
        self.assertIn((self.beta, "deploy/values.yaml", "datadog-api-key", "Bob Builder",
                       "2025-03-04T10:00:00+00:00"), found)
        self.assertEqual([f["rule_id"] for f in document["findings"] if f["repository"] == self.gamma],
                         ["datadog-application-key"])
        for finding in document["findings"]:
            self.assertTrue(finding["secret"].endswith("…"), finding)
        # The URL was mirrored beside the datastore, with git itself.
        mirrors = os.listdir(self.store + ".mirrors")
        self.assertEqual(len(mirrors), 1)
        self.assertEqual(stat.S_IMODE(os.stat(self.store).st_mode), 0o600)
        self.assertEqual(repositories(self.store), sorted(self.repos))

    def test_repository_checks_judge_history(self):
        infra = GitRepo(os.path.join(self.tmp, "infra"))
        state = ('{"version": 4, "resources": [{"type": "datadog_api_key", "name": "ci", "instances": '
                 f'[{{"attributes": {{"name": "ci", "key": "{API_KEY_3}"}}}}]}}]}}\n')
        infra.commit("state", "2023-03-01T10:00:00+00:00", files={"terraform.tfstate": state})
        infra.commit("oops", "2023-03-02T10:00:00+00:00", remove=["terraform.tfstate"])
        # Checks that need no key-shaped secret: a credential that is not a key's
        # shape in a .env, and a state file naming only the resource; both deleted
        # since. Found by their names in the pass over every tree.
        infra.commit("env", "2023-04-01T10:00:00+00:00", files={
            "services/web/.env.production": 'export DD_APP_KEY="some-value-from-a-colleague"\n',
            "services/web/.env.example": 'export DD_APP_KEY="some-value-from-a-colleague"\n',
            "notes/env.txt": 'export DD_APP_KEY="some-value-from-a-colleague"\n',
            "old/prod.tfstate.backup": '{"resources": [{"type": "datadog_application_key", "name": "tf"}]}\n'})
        infra.commit("clean", "2023-04-02T10:00:00+00:00",
                     remove=["services/web/.env.production", "old/prod.tfstate.backup"])
        result, document = self.scan_json("--history", "--datastore", self.store, self.alpha.path, infra.path,
                                          keep_lint=True)
        checks = sorted((f["repository"], f["path"], f["rule_id"], f["date"]) for f in document["findings"]
                        if f["rule_id"] in self.lint_ids())
        self.assertIn((self.alpha.path, ".env", "env-file-datadog-credentials", "2024-01-02T10:00:00+00:00"),
                      checks)
        self.assertIn((infra.path, "terraform.tfstate", "terraform-state-committed", "2023-03-01T10:00:00+00:00"),
                      checks)
        secretless = [(infra.path, "old/prod.tfstate.backup", "terraform-state-committed", "2023-04-01T10:00:00+00:00"),
                      (infra.path, "services/web/.env.production", "env-file-datadog-credentials",
                       "2023-04-01T10:00:00+00:00")]
        for expected in secretless:
            self.assertIn(expected, checks)
        # The same blob at a name no check reads, or at an example file's, is no finding.
        self.assertEqual([c for c in checks if c[1] in ("notes/env.txt", "services/web/.env.example")], [])
        # A later run after a new commit reads only the new blob, and the checks still stand.
        infra.commit("more", "2023-05-01T10:00:00+00:00", files={"README.md": "# infra\n"})
        _, again = self.scan_json("--history", "--datastore", self.store, self.alpha.path, infra.path,
                                  keep_lint=True)
        self.assertEqual(again["summary"]["files_scanned"], 1)
        rechecked = {(f["repository"], f["path"], f["rule_id"], f["date"]) for f in again["findings"]}
        for expected in secretless:
            self.assertIn(expected, rechecked)
        # Findings taken from the datastore are what the first run made: checks stay
        # checks (no key type, evidence that is no credential in clear), in scans and reports.
        def check_shapes(findings):
            return sorted((f["repository"], f["path"], f["rule_id"], f["kind"], f["key_type"], f["secret"])
                          for f in findings if f["rule_id"] in self.lint_ids())
        report = self.run_keysweep("report", "--datastore", self.store, "--format", "json").json()
        self.assertEqual(check_shapes(again["findings"]), check_shapes(document["findings"]))
        self.assertEqual(check_shapes(report["findings"]), check_shapes(document["findings"]))
        self.assertIn((infra.path, "old/prod.tfstate.backup", "terraform-state-committed", "check", None,
                       "datadog_application_key"), check_shapes(report["findings"]))
        for finding in document["findings"]:
            self.assertNotIn(API_KEY_3, finding["secret"] + finding["snippet"])
        # Stored, and reported from the datastore.
        report = self.run_keysweep("report", "--datastore", self.store, "--format", "json").json()
        self.assertIn("terraform-state-committed", {f["rule_id"] for f in report["findings"]})

    def test_second_run_reads_nothing_and_new_commits_only_their_blobs(self):
        _, first = self.audit()
        self.assertGreater(first["summary"]["files_scanned"], 0)
        _, second = self.audit()
        self.assertEqual(second["summary"]["files_scanned"], 0)
        self.assertEqual(self.places(second), self.places(first))
        self.assertEqual(len(second["findings"]), len(first["findings"]))

        # A new commit in alpha: one new blob, and the known .env blob back at a new path.
        self.alpha.commit("restore", "2026-01-01T10:00:00+00:00",
                          files={"old/.env": f"DD_API_KEY={API_KEY}\n", "notes.txt": "nothing\n"})
        _, third = self.audit()
        self.assertEqual(third["summary"]["files_scanned"], 1)  # notes.txt only
        self.assertGreater(third["summary"]["blobs_known"], 0)
        alpha_paths = sorted(f["path"] for f in third["findings"] if f["repository"] == self.alpha.path)
        self.assertEqual(alpha_paths, [".env", "old/.env"])
        # A new commit on the served repository is fetched into the mirror.
        self.gamma_work.commit("more", "2026-02-01T10:00:00+00:00",
                               files={"ops/more.sh": f"export DD_API_KEY={API_KEY_3}\n"})
        self.gamma_work.git("push", "-q", os.path.join(self.served, "gamma.git"), "main")
        _, fourth = self.audit()
        self.assertEqual(fourth["summary"]["files_scanned"], 1)
        self.assertIn("ops/more.sh", [f["path"] for f in fourth["findings"] if f["repository"] == self.gamma])

    def test_changed_ruleset_rescans(self):
        _, first = self.audit()
        rules = self.write("extra.toml", '[[rules]]\nid = "demo-token"\nname = "Demo token"\n'
                                         'description = "A demo token"\nregex = \'demo_([a-z]{12})\'\n'
                                         'keywords = ["demo_"]\n')
        _, rescan = self.audit("--rules", rules)
        self.assertEqual(rescan["summary"]["files_scanned"], first["summary"]["files_scanned"])
        self.assertEqual(rescan["summary"]["blobs_known"], first["summary"]["blobs_known"])
        _, again = self.audit("--rules", rules)
        self.assertEqual(again["summary"]["files_scanned"], 0)

    def test_shards_in_separate_processes_merge_to_the_single_run(self):
        single = os.path.join(self.tmp, "single.db")
        self.audit(store=single)
        shards = []
        processes = []
        # Two real processes at once, each told its index the way its scheduler does.
        for index, variable in ((0, "JOB_COMPLETION_INDEX"), (1, "KEYSWEEP_SHARD_INDEX")):
            shard = os.path.join(self.tmp, f"shard-{index}.db")
            shards.append(shard)
            environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache, **{variable: str(index)})
            environment.pop("JOB_COMPLETION_INDEX" if index else "KEYSWEEP_SHARD_INDEX", None)
            processes.append(subprocess.Popen(
                [BINARY, "scan", "--history", "--datastore", shard, "--shard", "auto/2",
                 "--format", "json", *self.repos], cwd=self.tree, env=environment,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        for process in processes:
            _, stderr = process.communicate(timeout=300)
            self.assertIn(process.returncode, (0, 1), stderr)
        names = [repositories(shard) for shard in shards]
        self.assertEqual(sorted(names[0] + names[1]), sorted(self.repos))  # a partition
        merged = os.path.join(self.tmp, "merged.db")
        result = self.run_keysweep("datastore", "merge", merged, *shards)
        self.assertEqual(result.code, 0, result.stderr)
        self.assertEqual(placed(merged), placed(single))
        self.assertEqual(repositories(merged), repositories(single))
        # Merging the same shard again changes nothing.
        self.assertEqual(self.run_keysweep("datastore", "merge", merged, shards[0]).code, 0)
        self.assertEqual(placed(merged), placed(single))
        # The explicit form picks the same shares.
        explicit = os.path.join(self.tmp, "explicit-1.db")
        self.audit("--shard", "1/2", store=explicit)
        self.assertEqual(repositories(explicit), names[0])

    def test_datastore_holds_no_secret_value(self):
        self.audit()
        raw = b""
        for name in os.listdir(os.path.dirname(self.store)):
            if name.startswith("audit.db") and os.path.isfile(os.path.join(os.path.dirname(self.store), name)):
                with open(os.path.join(os.path.dirname(self.store), name), "rb") as handle:
                    raw += handle.read()
        self.assertIn(b"datadog-api-key", raw)  # the bytes read are the datastore's
        for secret in (API_KEY, API_KEY_2, APP_KEY):
            self.assertNotIn(secret.encode(), raw)
            self.assertNotIn(secret[4:].encode(), raw)

    def test_bad_datastore_is_refused_and_left_alone(self):
        bad = self.write("notes.db", "these are my notes\n")
        result = self.run_keysweep("scan", "--history", "--datastore", bad, self.alpha.path)
        self.assertEqual(result.code, 2)
        self.assertIn(bad, result.stderr)
        self.assertIn("not a keysweep datastore", result.stderr)
        with open(bad) as handle:
            self.assertEqual(handle.read(), "these are my notes\n")
        other = os.path.join(self.tmp, "other.sqlite")
        with sqlite3.connect(other) as db:
            db.execute("CREATE TABLE things (x)")
        for args in (("report", "--datastore", other), ("datastore", "merge", self.store, other)):
            result = self.run_keysweep(*args)
            self.assertEqual(result.code, 2, args)
            self.assertIn(other, result.stderr)
        self.assertFalse(os.path.exists(self.store))  # the merge checked its input before creating OUT

    def test_datastore_given_wrong_is_refused_before_any_scan(self):
        # An unset variable: an empty name is refused, not read as "no datastore".
        for args in (("scan", "--history", "--datastore", "", self.alpha.path),
                     ("report", "--datastore", "")):
            result = self.run_keysweep(*args)
            self.assertEqual(result.code, 2, args)
            self.assertIn("--datastore: must name a file", result.stderr)
        # A read-only datastore (even for root) is refused before anything is read.
        _, first = self.audit()
        os.chmod(self.store, 0o444)
        with open(self.store, "rb") as handle:
            before = handle.read()
        result = self.run_keysweep("scan", "--history", "--datastore", self.store, self.alpha.path,
                                   "--format", "json")
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn("the datastore is read-only", result.stderr)
        self.assertEqual(result.stdout, "")
        with open(self.store, "rb") as handle:
            self.assertEqual(handle.read(), before)
        # The same datastore spelled another way is still itself.
        link = os.path.join(self.tmp, "link.db")
        os.symlink(self.store, link)
        result = self.run_keysweep("datastore", "merge", self.store, link)
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn("cannot be merged into itself", result.stderr)
        # An empty file given as a new datastore becomes one, private.
        empty = self.write("empty.db", "")
        os.chmod(empty, 0o644)
        result, _ = self.scan_json("--history", "--datastore", empty, self.alpha.path)
        self.assertEqual(stat.S_IMODE(os.stat(empty).st_mode), 0o600)

    def test_failed_repository_keeps_the_others_and_resumes(self):
        missing = f"git://127.0.0.1:{self.port}/missing.git"
        report = os.path.join(self.tmp, "partial.json")
        result = self.run_keysweep("scan", "--history", "--datastore", self.store, self.alpha.path,
                                   missing, self.beta, "--format", "json", "-o", report)
        self.assertEqual(result.code, 3)
        self.assertIn(missing, result.stderr)
        self.assertIn("1 of 3 repositories could not be scanned", result.stderr)
        self.assertNotIn("\\n", result.stderr)  # git's lines joined, not shown as escapes
        self.assertEqual(repositories(self.store), sorted([self.alpha.path, self.beta]))
        # The others' findings are reported all the same.
        with open(report, encoding="utf-8") as handle:
            reported = {f["repository"] for f in json.load(handle)["findings"]}
        self.assertEqual(reported, {self.alpha.path, self.beta})
        # The rerun reads only what the failed run did not store.
        _, resumed = self.audit()
        self.assertEqual(resumed["summary"]["files_scanned"], 1)  # gamma's one blob
        self.assertEqual(repositories(self.store), sorted(self.repos))

    def test_interrupted_run_keeps_what_it_stored_and_resumes(self):
        # Many small repositories, each with one blob of its own and the shared .env.
        origin = self.alpha.path
        many = []
        for index in range(60):
            path = os.path.join(self.tmp, "many", f"r{index:02d}")
            subprocess.run(["git", "clone", "-q", origin, path], check=True)
            repo = GitRepo.__new__(GitRepo)
            repo.path = path
            repo.git("config", "user.name", "T")
            repo.git("config", "user.email", "t@example.com")
            repo.commit("own", "2025-01-01T00:00:00+00:00", files={"own.txt": f"repository {index}\n"})
            many.append(path)
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache)
        process = subprocess.Popen([BINARY, "scan", "--history", "--datastore", self.store, "-j", "1", *many],
                                   cwd=self.tree, env=environment, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        stored = 0
        deadline = time.monotonic() + 120
        while stored == 0 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.005)
            if os.path.exists(self.store):
                try:
                    stored = len(repositories(self.store))
                except sqlite3.OperationalError:
                    pass  # locked or not yet a datastore
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        self.assertEqual(process.returncode, 130, f"finished before the interrupt: {stderr}")
        kept = repositories(self.store)
        self.assertGreaterEqual(len(kept), 1)
        self.assertLess(len(kept), len(many))
        # The datastore is whole, and the rerun reads only what is left: one own.txt per repository.
        self.assertEqual(self.run_keysweep("report", "--datastore", self.store).code, 0)
        _, resumed = self.audit(repos=many)
        self.assertEqual(resumed["summary"]["files_scanned"], len(many) - len(kept))
        self.assertEqual(repositories(self.store), sorted(many))

    def test_liveness_from_the_inventory_holds_for_known_blobs(self):
        inventory = os.path.join(self.tmp, "inventory.db")
        responses = []
        for index, document in enumerate(inventory_fixture.InventoryTestCase.organisation_files(None)):
            responses.append(self.write(f"response-{index}.json", json.dumps(document)))
        imported = self.run_keysweep("inventory", "import", "--store", inventory, *responses)
        self.assertEqual(imported.code, 0, imported.stderr)
        one = GitRepo(os.path.join(self.tmp, "one"))
        one.commit("keys", "2024-01-02T10:00:00+00:00", files={
            "deploy/.env": f"DD_API_KEY={inventory_fixture.LIVE_API_KEY}\nDD_APP_KEY={inventory_fixture.APP_KEY}\n",
            "ci/token.sh": f"export DD_ACCESS_TOKEN={inventory_fixture.PAT}\n"})
        two = os.path.join(self.tmp, "two")
        subprocess.run(["git", "clone", "-q", "--bare", one.path, two], check=True)
        _, document = self.audit("--inventory", inventory, repos=[one.path, two])
        self.assertEqual(document["summary"]["files_scanned"], 2)  # two's blobs came from the datastore
        labels = {}
        for finding in document["findings"]:
            labels.setdefault(finding["repository"], []).append(
                (finding["path"], finding["key_type"], finding["liveness"], finding["liveness_evidence"]))
        expected = sorted([("deploy/.env", "api_key", "live", ["hash"]),
                           ("deploy/.env", "application_key", "live", ["last4"]),
                           ("ci/token.sh", "personal_access_token", "expired", ["public-portion"])])
        self.assertEqual(sorted(labels[one.path]), expected)
        self.assertEqual(sorted(labels[two]), expected)
        with sqlite3.connect(self.store) as db:
            stored = sorted((liveness,) for liveness, rule in db.execute(
                "SELECT liveness, rule_id FROM findings WHERE repository = ?", (two,)) if rule not in self.lint_ids())
        self.assertEqual(stored, [("expired",), ("live",), ("live",)])
        with open(self.store, "rb") as handle:
            raw = handle.read()
        for secret in (inventory_fixture.LIVE_API_KEY, inventory_fixture.APP_KEY, inventory_fixture.PAT):
            self.assertNotIn(secret.encode(), raw)
        page = os.path.join(self.tmp, "live.html")
        self.assertEqual(self.run_keysweep("report", "--datastore", self.store, "--format", "html",
                                           "-o", page).code, 0)
        with open(page, encoding="utf-8") as handle:
            html = handle.read()
        self.assertIn('<td class="live">2</td>', html)  # each repository: the API and the application key
        self.assertNotIn(inventory_fixture.PAT, html)
        # A rerun over unchanged repositories writes nothing, unless a label changed.
        def stored_liveness():
            with sqlite3.connect(self.store) as db:
                return sorted(row for row in db.execute("SELECT repository, path, rule_id, liveness FROM findings")
                              if row[2] not in self.lint_ids())
        before = stored_liveness()
        with sqlite3.connect(self.store) as db:
            db.execute("UPDATE findings SET liveness = 'unknown' WHERE repository = ?", (two,))
        _, rerun = self.audit("--inventory", inventory, repos=[one.path, two])
        self.assertEqual(rerun["summary"]["files_scanned"], 0)
        self.assertEqual(stored_liveness(), before)  # relabelled, so stored again
        modified = os.stat(self.store).st_mtime_ns
        _, quiet = self.audit("--inventory", inventory, repos=[one.path, two])
        self.assertEqual(quiet["summary"]["files_scanned"], 0)
        self.assertEqual(os.stat(self.store).st_mtime_ns, modified)

    def test_reports_from_the_datastore(self):
        self.audit()
        result = self.run_keysweep("report", "--datastore", self.store, "--format", "json")
        self.assertEqual(result.code, 0, result.stderr)
        report = result.json()
        self.assertEqual(len(report["findings"]), len(placed(self.store)))
        self.assertEqual({f["repository"] for f in report["findings"]}, set(self.repos))
        self.assertTrue(all(f["secret"].endswith("…") for f in report["findings"]))
        only = self.run_keysweep("report", "--datastore", self.store, "--format", "json",
                                 "--repository", self.beta).json()
        self.assertEqual({f["repository"] for f in only["findings"]}, {self.beta})
        sarif = self.run_keysweep("report", "--datastore", self.store, "--format", "sarif").json()
        self.assertEqual({r["properties"]["repository"] for r in sarif["runs"][0]["results"]}, set(self.repos))
        text = self.run_keysweep("report", "--datastore", self.store)
        self.assertIn("repository: " + self.gamma, text.stdout)
        for secret in (API_KEY, API_KEY_2, APP_KEY):
            self.assertNotIn(secret, text.stdout + result.stdout + str(sarif))
        unknown = self.run_keysweep("report", "--datastore", self.store, "--repository", "nope")
        self.assertEqual(unknown.code, 2)
        self.assertIn("nope", unknown.stderr)

    @unittest.skipUnless(shutil.which("chromium"), "Debian's chromium is not installed")
    def test_html_report_escapes_and_loads_in_chromium(self):
        hostile = GitRepo(os.path.join(self.tmp, "hostile"))
        hostile.commit("<b>x</b>", "2023-05-06T10:00:00+00:00",
                       author=("<img src=x onerror=alert(1)>", "a@example.com"),
                       files={"<script>alert(1)</script>/.env": f"DD_API_KEY={API_KEY_3}\n"})
        self.audit(repos=self.repos + [hostile.path])
        page = os.path.join(self.tmp, "audit.html")
        result = self.run_keysweep("report", "--datastore", self.store, "--format", "html", "-o", page)
        self.assertEqual(result.code, 0, result.stderr)
        with open(page, encoding="utf-8") as handle:
            html = handle.read()
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;/.env", html)
        self.assertNotIn("<img src=x", html)
        self.assertEqual(html.count("<script>"), 1)  # keysweep's own, inline
        self.assertNotIn("src=\"http", html)
        self.assertNotIn("href=\"http", html)
        for secret in (API_KEY, API_KEY_2, APP_KEY, API_KEY_3):
            self.assertNotIn(secret, html)
        for section in ("totals", "timeline", "repositories", "secrets"):
            self.assertIn(f'<section id="{section}">', html)
        self.assertIn(">2023-05<", html)  # the timeline's month of the hostile commit

        profile = os.path.join(self.tmp, "chromium-profile")
        chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                    "--enable-logging=stderr", "--v=0"]
        loaded = subprocess.run(chromium + ["--dump-dom", "file://" + page], capture_output=True, text=True,
                                timeout=120)
        # The inline script ran to its end: no error stopped it, and no console message was logged.
        self.assertIn('data-ready="yes"', loaded.stdout)
        self.assertNotIn("CONSOLE", loaded.stderr)
        self.assertNotIn("Uncaught", loaded.stderr)
        shot = os.path.join(self.tmp, "audit.png")
        subprocess.run(chromium + [f"--screenshot={shot}", "--window-size=1200,1400", "file://" + page],
                       capture_output=True, timeout=120)
        with open(shot, "rb") as handle:
            self.assertEqual(handle.read(8), b"\x89PNG\r\n\x1a\n")

    def test_credentials_in_a_url_are_used_and_never_stored(self):
        password = "hunter2SECRETvalue"
        server = GitHttpServer(self.served, "alice", password)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = f"{server.url.replace('http://', 'http://alice:' + password + '@')}/gamma.git"
        shown = f"{server.url}/gamma.git"
        result, document = self.scan_json("--history", "--datastore", self.store, url)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual({f["repository"] for f in document["findings"]}, {shown})
        # A second run fetches through the same credentials.
        self.gamma_work.commit("more", "2026-02-01T10:00:00+00:00",
                               files={"ops/more.sh": f"export DD_API_KEY={API_KEY_3}\n"})
        self.gamma_work.git("push", "-q", os.path.join(self.served, "gamma.git"), "main")
        result, again = self.scan_json("--history", "--datastore", self.store, url)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertIn("ops/more.sh", [f["path"] for f in again["findings"]])
        # Wrong credentials: git's message is shown without them.
        wrong = url.replace(password, "wrongPASSWORDvalue")
        refused = self.run_keysweep("scan", "--history", "--datastore", self.store + "2", wrong,
                                    env={"GIT_TERMINAL_PROMPT": "0"})
        self.assertEqual(refused.code, 3, refused.stderr)
        self.assertNotIn("wrongPASSWORDvalue", refused.stderr + refused.stdout)
        # Not in the datastore, the mirrors (their config) or any report.
        report = self.run_keysweep("report", "--datastore", self.store, "--repository", url)
        self.assertEqual(report.code, 0, report.stderr)
        self.assertNotIn(password, report.stdout + report.stderr)
        for directory, _, names in os.walk(os.path.dirname(self.store)):
            for name in names:
                with open(os.path.join(directory, name), "rb") as handle:
                    self.assertNotIn(password.encode(), handle.read(), os.path.join(directory, name))

    def test_usage_errors(self):
        cases = [
            (("scan", "--datastore", self.store, self.alpha.path), "--datastore goes with --history"),
            (("scan", "--history", "--datastore", self.store, "--shard", "3/2", self.alpha.path), "out of range"),
            (("scan", "--history", "--datastore", self.store, "--shard", "auto/2", self.alpha.path),
             "JOB_COMPLETION_INDEX"),
            (("scan", "--history", "--shard", "1/2", self.alpha.path), "go with --datastore"),
            (("scan", "--history", "--datastore", self.store, "--show-secrets", self.alpha.path), "redacted"),
            (("scan", "--history", "--datastore", self.store, os.path.join(self.tmp, "nowhere")), "nowhere"),
            (("scan", "--history", "--datastore", self.store), "no repositories"),
        ]
        environment = {"JOB_COMPLETION_INDEX": "", "KEYSWEEP_SHARD_INDEX": ""}
        for args, message in cases:
            result = self.run_keysweep(*args, env=environment)
            self.assertEqual(result.code, 2, (args, result.stderr))
            self.assertIn(message, result.stderr, args)
        self.assertFalse(os.path.exists(self.store))

    def test_progress_names_each_repository(self):
        shown = self.run_keysweep("scan", "--history", "--datastore", self.store, "--progress", *self.repos)
        self.assertEqual(shown.code, 1, shown.stderr)
        for index, name in enumerate(self.repos):
            self.assertIn(f"keysweep: repository {index + 1} of 3: {name}\n", shown.stderr)
        self.assertIn("\x1b[K", shown.stderr)  # each repository's line is cleared at its end
        quiet = self.run_keysweep("scan", "--history", "--datastore", self.store, *self.repos, env={"CI": "true"})
        self.assertNotIn("repository 1 of 3", quiet.stderr)

    def test_repos_from_file(self):
        listing = self.write("repos.txt", f"# the organisation\n{self.alpha.path}\n\n{self.gamma}\n")
        result, document = self.scan_json("--history", "--datastore", self.store, "--repos-from", listing)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual({f["repository"] for f in document["findings"]}, {self.alpha.path, self.gamma})
        # One repository spelled four ways, and a directory inside it: scanned once,
        # under its first spelling.
        os.makedirs(os.path.join(self.alpha.path, "docs"), exist_ok=True)
        spellings = [self.alpha.path, self.alpha.path + "/", os.path.join(self.alpha.path, "docs"),
                     os.path.relpath(self.alpha.path, self.tree), "./" + os.path.relpath(self.alpha.path, self.tree)]
        listing = self.write("spellings.txt", "\n".join(spellings) + "\n")
        result, document = self.scan_json("--history", "--datastore", self.store + "2", "--repos-from", listing)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual({f["repository"] for f in document["findings"]}, {self.alpha.path})
        self.assertEqual(repositories(self.store + "2"), [self.alpha.path])
        self.assertEqual(len(document["findings"]), len({(f["path"], f["commit"], f["rule_id"]) for f in document["findings"]}))


class AuditRecipeTest(AuditFixture):
    """Runs the keysweep commands of hooks/ci's audit recipes as their
    scheduler would: one real process per shard, at once, with the index in
    the scheduler's variable, then the merge step."""

    def recipe(self, name):
        with open(os.path.join(SOURCE_ROOT, "hooks", "ci", name)) as handle:
            return list(yaml.safe_load_all(handle))

    @staticmethod
    def keysweep_lines(script):
        return [line.strip() for line in script.splitlines() if line.strip().startswith("keysweep ")]

    def run_recipe(self, shard_script, shards, index_variable, merge_script, env):
        audit_dir = os.path.join(self.tmp, "recipe")
        os.makedirs(audit_dir)
        repos_file = self.write("repos.txt", "\n".join(self.repos) + "\n")
        base = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache, CI="true", AUDIT_DIR=audit_dir,
                    REPOS_FILE=repos_file, **env)
        base["PATH"] = os.path.dirname(BINARY) + os.pathsep + base.get("PATH", "")
        processes = []
        for index in range(shards):
            for line in self.keysweep_lines(shard_script):
                processes.append(subprocess.Popen(["sh", "-c", line], cwd=self.tmp,
                                                  env=dict(base, **{index_variable: str(index)}),
                                                  stderr=subprocess.PIPE, text=True))
        self.assertEqual(len(processes), shards)
        for process in processes:
            _, stderr = process.communicate(timeout=300)
            self.assertEqual(process.returncode, 0, stderr)
        for line in self.keysweep_lines(merge_script):
            completed = subprocess.run(["sh", "-c", line], cwd=self.tmp, env=base, capture_output=True,
                                       text=True, timeout=300)
            self.assertEqual(completed.returncode, 0, (line, completed.stderr))
        single = os.path.join(self.tmp, "single.db")
        self.audit(store=single)
        self.assertEqual(placed(os.path.join(audit_dir, "org.db")), placed(single))
        self.assertTrue(os.path.getsize(os.path.join(audit_dir, "report.html")) > 0)

    def test_kubernetes_indexed_job(self):
        documents = self.recipe("kubernetes-indexed-job.yaml")
        shard_job, merge_job = [d for d in documents if d["kind"] == "Job"]
        self.assertEqual(shard_job["spec"]["completionMode"], "Indexed")
        completions = shard_job["spec"]["completions"]
        shard_script = shard_job["spec"]["template"]["spec"]["containers"][0]["command"][2]
        self.assertIn(f"--shard auto/{completions}", shard_script)
        merge_script = merge_job["spec"]["template"]["spec"]["containers"][0]["command"][2]
        self.run_recipe(shard_script, completions, "JOB_COMPLETION_INDEX", merge_script, {})

    def test_github_actions_matrix(self):
        (workflow,) = self.recipe("github-actions-org-audit.yml")
        shard_job = workflow["jobs"]["shard"]
        matrix = shard_job["strategy"]["matrix"]["shard"]
        self.assertEqual(matrix, list(range(len(matrix))))
        self.assertEqual(shard_job["env"]["KEYSWEEP_SHARD_INDEX"], "${{ matrix.shard }}")
        (scan,) = [step["run"] for step in shard_job["steps"] if step.get("id") == "scan"]
        self.assertIn(f"--shard auto/{len(matrix)}", scan)
        (merge,) = [step["run"] for step in workflow["jobs"]["merge"]["steps"] if step.get("id") == "merge"]
        self.run_recipe(scan, len(matrix), "KEYSWEEP_SHARD_INDEX", merge, {})


if __name__ == "__main__":
    unittest.main()
