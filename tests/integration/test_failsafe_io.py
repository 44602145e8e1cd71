"""Fail safe: what keysweep writes never damages what a path points at, an
interrupted run leaves nothing behind, the inventory store is never written
by a reader nor created inside another application's database, malformed API
responses change nothing, and config-like inputs must be small regular files."""
import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import threading
import time

from datadog_stub import api_key_record, user_record
from harness import API_KEY, BINARY, KeysweepTestCase

KEY_ID = "00000000-0000-4000-8000-000000000001"
KEY_VALUE = "5d2c8e1f9a7b3c6d0e4f8a2b1c9d7e3f"


def sha256_of(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def umask_prefix(mask):
    return ("sh", "-c", f'umask {mask:03o}; exec "$0" "$@"')


class FailsafeTestCase(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.write("app.env", f"DD_API_KEY={API_KEY}\n")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def leftovers(self, directory=None):
        directory = directory or self.tmp
        return [name for name in os.listdir(directory) if ".tmp." in name]

    def read_bytes(self, path):
        with open(path, "rb") as handle:
            return handle.read()

    def scan_to(self, output, *args, **kwargs):
        return self.run_keysweep("scan", "--format", "json", "-o", output, *args, ".", **kwargs)


class OutputTest(FailsafeTestCase):
    def test_a_new_report_is_0644_less_the_umask_and_0600_with_secrets(self):
        report = self.path("report.json")
        result = self.scan_to(report, prefix=umask_prefix(0o027))
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o640)
        secret_report = self.path("secrets.json")
        result = self.scan_to(secret_report, "--show-secrets", prefix=umask_prefix(0o022))
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(secret_report).st_mode), 0o600)
        with open(secret_report) as handle:
            self.assertIn(API_KEY, handle.read())

    def test_an_existing_file_is_replaced_whole_and_keeps_its_mode(self):
        report = self.path("report.json")
        with open(report, "w") as handle:
            handle.write("old report")
        os.chmod(report, 0o640)
        before = os.stat(report).st_ino
        result = self.scan_to(report)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o640)
        self.assertNotEqual(os.stat(report).st_ino, before, "written beside and renamed into place")
        with open(report) as handle:
            self.assertEqual(json.load(handle)["findings"][0]["rule_id"], "datadog-api-key")
        self.assertEqual(self.leftovers(), [])
        # --show-secrets takes group and other access away from an existing report.
        self.assertEqual(self.scan_to(report, "--show-secrets").code, 1)
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o600)

    def test_a_symlink_stays_and_its_target_is_written(self):
        os.makedirs(self.path("reports"))
        target = self.path("reports/latest.json")
        with open(target, "w") as handle:
            handle.write("old")
        link = self.path("report.json")
        os.symlink("reports/latest.json", link)
        result = self.scan_to(link)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(os.readlink(link), "reports/latest.json")
        with open(target) as handle:
            self.assertEqual(json.load(handle)["summary"]["findings"], 1)
        self.assertEqual(self.leftovers(self.path("reports")), [])
        # A dangling symlink names the file to create.
        dangling = self.path("dangling.json")
        os.symlink("reports/new.json", dangling)
        self.assertEqual(self.scan_to(dangling).code, 1)
        self.assertTrue(os.path.islink(dangling))
        self.assertTrue(os.path.isfile(self.path("reports/new.json")))

    def test_a_fifo_is_written_in_place(self):
        fifo = self.path("report.fifo")
        os.mkfifo(fifo)
        received = []

        def read():
            with open(fifo, "rb") as handle:
                received.append(handle.read())

        reader = threading.Thread(target=read)
        reader.start()
        result = self.scan_to(fifo)
        reader.join(timeout=60)
        self.assertFalse(reader.is_alive())
        self.assertEqual(result.code, 1, result.stderr)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
        self.assertEqual(json.loads(received[0])["summary"]["findings"], 1)
        self.assertEqual(self.leftovers(), [])

    def test_dev_stdout_is_written_in_place(self):
        was_link = os.path.islink("/dev/stdout")
        result = self.scan_to("/dev/stdout")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(result.json()["summary"]["findings"], 1)
        self.assertEqual(os.path.islink("/dev/stdout"), was_link)
        self.assertFalse(os.path.isfile("/dev/stdout") and not was_link)
        # A user's symlink to /dev/stdout reaches the same descriptor.
        link = self.path("to-stdout")
        os.symlink("/dev/stdout", link)
        result = self.scan_to(link)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(result.json()["summary"]["findings"], 1)
        self.assertTrue(os.path.islink(link))

    def test_a_read_only_file_is_refused_before_any_work(self):
        report = self.path("report.json")
        with open(report, "w") as handle:
            handle.write("keep me")
        os.chmod(report, 0o444)
        # Standard input stays open: refusing must not wait for the scan.
        process = subprocess.Popen([BINARY, "scan", "-o", report, "-"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
        try:
            _, stderr = process.communicate(timeout=30)
        finally:
            process.kill()
        self.assertEqual(process.returncode, 2, stderr)
        self.assertIn(report, stderr)
        self.assertIn("read-only", stderr)
        with open(report) as handle:
            self.assertEqual(handle.read(), "keep me")
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o444)
        self.assertEqual(self.leftovers(), [])

    def test_a_directory_or_a_path_under_a_file_is_refused(self):
        directory = self.path("out")
        os.makedirs(directory)
        result = self.scan_to(directory)
        self.assertEqual(result.code, 2)
        self.assertIn("it is a directory", result.stderr)
        with open(self.path("plain"), "w") as handle:
            handle.write("x")
        result = self.scan_to(self.path("plain/report.json"))
        self.assertEqual(result.code, 2)
        self.assertIn(self.path("plain/report.json"), result.stderr)

    def test_an_unwritable_directory_is_refused(self):
        if os.geteuid() == 0:
            self.skipTest("root writes into any directory")
        directory = self.path("locked")
        os.makedirs(directory)
        os.chmod(directory, 0o555)
        result = self.scan_to(os.path.join(directory, "report.json"))
        self.assertEqual(result.code, 2)
        self.assertIn("Permission denied", result.stderr)

    def test_baseline_create_and_audit_use_the_same_writer(self):
        target = self.path("baseline-target.json")
        link = self.path("baseline.json")
        os.symlink(target, link)
        result = self.run_keysweep("baseline", "create", "-o", link, ".")
        self.assertEqual(result.code, 0, result.stderr)
        self.assertTrue(os.path.islink(link))
        with open(target) as handle:
            self.assertEqual(len(json.load(handle)["entries"]), 1)
        os.chmod(target, 0o444)
        result = self.run_keysweep("baseline", "create", "-o", link, ".")
        self.assertEqual(result.code, 2)
        self.assertIn("read-only", result.stderr)

        store = self.path("inventory.db")
        listing = self.path("listing.json")
        with open(listing, "w") as handle:
            json.dump({"data": [api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])],
                       "meta": {"page": {"total_count": 1}}}, handle)
        self.assertEqual(self.run_keysweep("inventory", "import", "--store", store, listing).code, 0)
        audit = self.path("audit.txt")
        with open(audit, "w") as handle:
            handle.write("old audit")
        os.chmod(audit, 0o444)
        result = self.run_keysweep("inventory", "audit", "--store", store, "-o", audit)
        self.assertEqual(result.code, 2)
        self.assertIn(audit, result.stderr)
        os.chmod(audit, 0o600)
        result = self.run_keysweep("inventory", "audit", "--store", store, "-o", audit)
        self.assertIn(result.code, (0, 1), result.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(audit).st_mode), 0o600)
        self.assertNotEqual(self.read_bytes(audit), b"old audit")

    def test_the_rule_cache_is_written_owner_only(self):
        result = self.run_keysweep("scan", ".")
        self.assertEqual(result.code, 1, result.stderr)
        entries = [name for name in os.listdir(self.cache) if name.startswith("hs-")]
        self.assertTrue(entries)
        self.assertEqual([name for name in entries if ".tmp." in name], [])
        for name in entries:
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.cache, name)).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.cache).st_mode) & 0o077, 0)


class InterruptTest(FailsafeTestCase):
    def interrupt_stdin_scan(self, signal_number):
        report = self.path("report.json")
        process = subprocess.Popen([BINARY, "scan", "--format", "json", "-o", report, "-"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
        try:
            process.stdin.write(b"DD_API_KEY=" + API_KEY.encode() + b"\n")
            process.stdin.flush()
            deadline = time.monotonic() + 60
            while not self.leftovers() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertTrue(self.leftovers(), "the temporary report exists while the scan reads stdin")
            process.send_signal(signal_number)
            process.wait(timeout=30)
        finally:
            process.kill()
            process.stdin.close()
            process.stdout.close()
            process.stderr.close()
        self.assertEqual(process.returncode, 128 + signal_number)
        self.assertEqual(self.leftovers(), [])
        self.assertFalse(os.path.exists(report))

    def test_sigint_removes_the_temporary_report_and_exits_130(self):
        self.interrupt_stdin_scan(signal.SIGINT)

    def test_sigterm_removes_the_temporary_report_and_exits_143(self):
        self.interrupt_stdin_scan(signal.SIGTERM)

    def test_an_interrupted_progress_line_ends_with_a_newline(self):
        repository = self.path("big")
        os.makedirs(repository)
        subprocess.run(["git", "init", "-q", repository], check=True)
        # A 32-hex value under a digest's name on every line, beside a Datadog
        # mention: each is a candidate the matcher judges (and rejects).
        for index in range(6):
            with open(os.path.join(repository, f"settings_{index}.py"), "w") as handle:
                for line in range(200000):
                    digest = hashlib.md5(f"{index}-{line}".encode()).hexdigest()
                    handle.write(f'commit_sha = "{digest}"  # datadog\n')
        subprocess.run(["git", "-C", repository, "add", "."], check=True)
        subprocess.run(["git", "-C", repository, "-c", "user.name=t", "-c", "user.email=t@example.com",
                        "commit", "-qm", "big"], check=True)
        stderr_path = self.path("stderr.txt")
        report = self.path("report.json")
        with open(stderr_path, "wb") as stderr:
            # One worker: the scan must outlast the first progress tick (250 ms).
            process = subprocess.Popen([BINARY, "scan", "--history", "--progress", "-j", "1", "-o", report,
                                        repository],
                                       stdout=subprocess.DEVNULL, stderr=stderr,
                                       env=dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache))
            try:
                deadline = time.monotonic() + 60
                while b"blobs," not in self.read_bytes(stderr_path) and time.monotonic() < deadline:
                    if process.poll() is not None:
                        # The matcher got fast enough to finish inside one progress tick (250 ms).
                        self.skipTest("the scan ended before its progress line was drawn; make the repository bigger")
                    time.sleep(0.02)
                process.send_signal(signal.SIGINT)
                process.wait(timeout=30)
            finally:
                process.kill()
        self.assertEqual(process.returncode, 130)
        with open(stderr_path, "rb") as handle:
            written = handle.read()
        self.assertIn(b"blobs,", written)
        # The terminal's last line is empty: the handler ended the progress line, or the
        # scan had already cleared it (the signal came while the report was written).
        self.assertTrue(written.endswith(b"\n") or written.endswith(b"\r\x1b[K"), written[-80:])
        self.assertEqual(self.leftovers(), [])
        self.assertFalse(os.path.exists(report))


class StoreTest(FailsafeTestCase):
    def setUp(self):
        super().setUp()
        self.store = self.path("inventory.db")
        self.listing = self.path("listing.json")
        with open(self.listing, "w") as handle:
            json.dump({"data": [api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])],
                       "meta": {"page": {"total_count": 1}}}, handle)

    def inventory(self, *args):
        return self.run_keysweep("inventory", *args, "--store", self.store)

    def test_another_applications_database_is_refused_and_unchanged(self):
        with sqlite3.connect(self.store) as db:
            db.execute("CREATE TABLE notes (body TEXT)")
            db.execute("INSERT INTO notes VALUES ('mine')")
        db.close()
        before = sha256_of(self.store)
        for args in (("inventory", "import", "--store", self.store, self.listing),
                     ("inventory", "list", "--store", self.store),
                     ("inventory", "audit", "--store", self.store),
                     ("scan", "--inventory", self.store, ".")):
            with self.subTest(args=args[:2]):
                result = self.run_keysweep(*args)
                self.assertEqual(result.code, 2, result.stderr)
                self.assertIn(self.store, result.stderr)
                self.assertIn("not a keysweep inventory store", result.stderr)
                self.assertEqual(sha256_of(self.store), before)
        self.assertEqual(sorted(os.listdir(self.tmp)).count("inventory.db-wal"), 0)

    def test_an_empty_file_is_read_by_no_one_and_becomes_a_store_by_import(self):
        open(self.store, "w").close()
        for args in (("inventory", "list", "--store", self.store), ("scan", "--inventory", self.store, ".")):
            with self.subTest(args=args[:2]):
                result = self.run_keysweep(*args)
                self.assertEqual(result.code, 2, result.stderr)
                self.assertIn(self.store, result.stderr)
                self.assertIn("empty file", result.stderr)
                self.assertEqual(os.path.getsize(self.store), 0)
        self.assertEqual(self.inventory("import", self.listing).code, 0)
        listed = self.inventory("list", "--format", "json")
        self.assertEqual(listed.code, 0, listed.stderr)
        self.assertEqual([record["id"] for record in listed.json()], [KEY_ID])

    def test_readers_never_write(self):
        self.assertEqual(self.inventory("import", self.listing).code, 0)
        before = sha256_of(self.store)
        os.chmod(self.store, 0o400)
        for args in (("inventory", "list", "--store", self.store), ("scan", "--inventory", self.store, ".")):
            result = self.run_keysweep(*args)
            self.assertIn(result.code, (0, 1), result.stderr)
        self.assertEqual(sha256_of(self.store), before)

    def test_readers_do_not_wait_for_a_writer_and_a_writer_times_out_with_exit_3(self):
        self.assertEqual(self.inventory("import", self.listing).code, 0)
        with sqlite3.connect(self.store) as probe:
            self.assertEqual(probe.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        probe.close()
        holder = subprocess.Popen(
            ["python3", "-c",
             "import sqlite3, sys\n"
             "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "db.execute('BEGIN IMMEDIATE')\n"
             "db.execute(\"INSERT INTO imports VALUES ('now', 'api_keys', 0, NULL, 0, 0)\")\n"
             "print('holding', flush=True)\n"
             "sys.stdin.read()\n"
             "db.execute('ROLLBACK')\n", self.store],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(holder.stdout.readline().strip(), "holding")
            started = time.monotonic()
            listed = self.inventory("list", "--format", "json")
            self.assertEqual(listed.code, 0, listed.stderr)
            self.assertEqual([record["id"] for record in listed.json()], [KEY_ID])
            scanned = self.run_keysweep("scan", "--inventory", self.store, ".")
            self.assertIn(scanned.code, (0, 1), scanned.stderr)
            self.assertLess(time.monotonic() - started, 4, "readers did not wait for the writer")

            started = time.monotonic()
            blocked = self.inventory("import", self.listing)
            waited = time.monotonic() - started
            self.assertEqual(blocked.code, 3, blocked.stderr)
            self.assertIn("the store is busy", blocked.stderr)
            self.assertIn(self.store, blocked.stderr)
            self.assertGreaterEqual(waited, 4.5, "a writer waits for the documented 5 s")
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
            holder.stdout.close()
        self.assertEqual(self.inventory("import", self.listing).code, 0)


class ImportTypeTest(FailsafeTestCase):
    def setUp(self):
        super().setUp()
        self.store = self.path("inventory.db")

    def save(self, name, document):
        path = self.path(name)
        with open(path, "w") as handle:
            json.dump(document, handle)
        return path

    def listed(self):
        result = self.run_keysweep("inventory", "list", "--format", "json", "--store", self.store)
        self.assertEqual(result.code, 0, result.stderr)
        return result.json()

    def test_a_numeric_id_is_refused_and_does_not_revoke_the_real_key(self):
        good = self.save("good.json", {"data": [api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])],
                                       "meta": {"page": {"total_count": 1}}})
        self.assertEqual(self.run_keysweep("inventory", "import", "--store", self.store, good).code, 0)
        before = self.listed()
        record = api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])
        record["id"] = 1700000000
        bad = self.save("numeric-id.json", {"data": [record], "meta": {"page": {"total_count": 1}}})
        result = self.run_keysweep("inventory", "import", "--store", self.store, bad)
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn(bad, result.stderr)
        self.assertIn("record 0", result.stderr)
        self.assertIn("field 'id' is number", result.stderr)
        after = self.listed()
        self.assertEqual(after, before)
        self.assertEqual(after[0]["state"], "active")

    def test_every_field_is_type_checked(self):
        def key(**attributes):
            record = api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])
            record["attributes"].update(attributes)
            return record

        def page(records, total=1, included=()):
            return {"data": records, "included": list(included), "meta": {"page": {"total_count": total}}}

        owner = api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])
        owner["relationships"]["created_by"]["data"]["id"] = 7
        user = user_record("user-1", "Jane", "jane@example.com")
        user["attributes"]["email"] = 5
        cases = {
            "name": (page([key(name=12)]), "field 'attributes.name' is number"),
            "created_at": (page([key(created_at="yesterday")]), "field 'attributes.created_at' 'yesterday' is not an RFC 3339 date"),
            "epoch-for-api-key": (page([key(date_last_used=1700000000000)]), "field 'attributes.date_last_used' is number"),
            "last4": (page([key(last4="12345")]), "field 'attributes.last4' is '12345', expected exactly 4 characters"),
            "flag": (page([key(remote_config_read_enabled="yes")]), "field 'attributes.remote_config_read_enabled' is string"),
            "scopes": (page([key(scopes=[1])]), "field 'attributes.scopes' is number"),
            "owner": (page([owner]), "field 'relationships.created_by.data.id' is number"),
            "total-string": (page([key()], total="1"), "field 'meta.page.total_count' is string"),
            "total-float": (page([key()], total=1.5), "field 'meta.page.total_count' is number"),
            "user-email": (page([key()], included=[user]), "included record 0: field 'attributes.email' is number"),
        }
        good = self.save("good.json", page([key()]))
        self.assertEqual(self.run_keysweep("inventory", "import", "--store", self.store, good).code, 0)
        before = sha256_of(self.store)
        for name, (document, reason) in cases.items():
            with self.subTest(name=name):
                path = self.save(f"{name}.json", document)
                result = self.run_keysweep("inventory", "import", "--store", self.store, good, path)
                self.assertEqual(result.code, 2, result.stderr)
                self.assertIn(path, result.stderr)
                self.assertIn(reason, result.stderr)
                if name not in ("total-string", "total-float", "user-email"):
                    self.assertIn(f"record 0 (id {KEY_ID})" if name != "owner" else "record 0", result.stderr)
                self.assertEqual(sha256_of(self.store), before)


class InputLimitTest(FailsafeTestCase):
    def assert_refused(self, args, path, reason, cwd=None):
        started = time.monotonic()
        result = self.run_keysweep(*args, cwd=cwd)
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn(path, result.stderr)
        self.assertIn(reason, result.stderr)
        self.assertLess(time.monotonic() - started, 30)

    def store_and_report(self):
        store = self.path("inventory.db")
        listing = self.path("listing.json")
        with open(listing, "w") as handle:
            json.dump({"data": [api_key_record(KEY_ID, "ci", KEY_VALUE[-4:])],
                       "meta": {"page": {"total_count": 1}}}, handle)
        self.assertEqual(self.run_keysweep("inventory", "import", "--store", store, listing).code, 0)
        return store

    def test_dev_zero_a_fifo_and_a_directory_are_refused(self):
        fifo = self.path("rules.toml")
        os.mkfifo(fifo)
        store = self.store_and_report()
        for special, kind in (("/dev/zero", "a character device"), (fifo, "a FIFO"), (self.tmp, "a directory")):
            cases = [
                ("scan", "--rules", special, "."),
                ("scan", "--baseline", special, "."),
                ("scan", "--config", special, "."),
                ("inventory", "import", "--store", self.path("new.db"), special),
                ("inventory", "audit", "--store", store, "--findings", special),
                ("inventory", "audit", "--store", store, "--config", special),
                ("rules", "check", special),
            ]
            for args in cases:
                if special == self.tmp and args[:2] in (("scan", "--rules"), ("rules", "check")):
                    continue  # a directory of rules is allowed
                with self.subTest(args=args):
                    self.assert_refused(args, special, f"must be a regular file, and this is {kind}")
        self.assertFalse(os.path.exists(self.path("new.db")))

    def test_a_rule_directory_entry_that_is_not_a_file_is_refused(self):
        rules = self.path("rules")
        os.makedirs(rules)
        os.mkfifo(os.path.join(rules, "team.toml"))
        self.assert_refused(("scan", "--rules", rules, "."), os.path.join(rules, "team.toml"), "a FIFO")
        self.assert_refused(("rules", "check", rules), os.path.join(rules, "team.toml"), "a FIFO")

    def test_files_over_the_limits_are_refused(self):
        def sparse(name, size):
            path = self.path(name)
            with open(path, "wb") as handle:
                handle.truncate(size)
            return path

        big_rules = sparse("big.toml", 16 * 1024 * 1024 + 1)
        self.assert_refused(("scan", "--rules", big_rules, "."), big_rules, "over the 16 MiB limit")
        big_config = sparse("big-config.toml", 16 * 1024 * 1024 + 1)
        self.assert_refused(("scan", "--config", big_config, "."), big_config, "over the 16 MiB limit")
        big_baseline = sparse("big-baseline.json", 256 * 1024 * 1024 + 1)
        self.assert_refused(("scan", "--baseline", big_baseline, "."), big_baseline, "over the 256 MiB limit")
        big_listing = sparse("big-listing.json", 256 * 1024 * 1024 + 1)
        self.assert_refused(("inventory", "import", "--store", self.path("new.db"), big_listing), big_listing,
                            "over the 256 MiB limit")
        store = self.store_and_report()
        big_report = sparse("big-report.json", 256 * 1024 * 1024 + 1)
        self.assert_refused(("inventory", "audit", "--store", store, "--findings", big_report), big_report,
                            "over the 256 MiB limit")
        self.assertFalse(os.path.exists(self.path("new.db")))

    def test_a_wrong_typed_field_in_a_findings_report_names_file_and_field(self):
        store = self.store_and_report()
        report = self.path("report.json")
        self.assertEqual(self.scan_to(report).code, 1)
        with open(report) as handle:
            document = json.load(handle)
        document["findings"][0]["secret_sha256"] = 5
        with open(report, "w") as handle:
            json.dump(document, handle)
        result = self.run_keysweep("inventory", "audit", "--store", store, "--findings", report)
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn(report, result.stderr)
        self.assertIn("findings[0].secret_sha256 is number, not a string", result.stderr)
        self.assertNotIn("type_error", result.stderr)
        document["findings"][0]["secret_sha256"] = "a" * 64
        document["findings"][0]["inventory"] = []
        with open(report, "w") as handle:
            json.dump(document, handle)
        result = self.run_keysweep("inventory", "audit", "--store", store, "--findings", report)
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn("findings[0].inventory is array, not an object", result.stderr)
