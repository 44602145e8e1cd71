"""Fail safe: a scan never passes what it did not scan, never trusts the
bytes it reads to be safe to print, and never dies of a worker's exception.
Missing paths, --strict, damaged and partial repositories, blobs over the size
limit, hostile file names and lines, and bounded -j."""
import base64
import json
import os
import subprocess
import xml.etree.ElementTree as ElementTree

from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, KeysweepTestCase


class MissingPathTest(KeysweepTestCase):
    def test_a_path_that_does_not_exist_is_a_usage_error_naming_it(self):
        self.write("src/app.env", f"DD_API_KEY={API_KEY}\n")
        for args in (("srcc",), ("src", "srcc"), ("src/app.env/x",)):
            result = self.run_keysweep("scan", *args)
            self.assertEqual(result.code, 2, args)
            self.assertIn(f"keysweep: error: {args[-1]}: no such file or directory", result.stderr)
            self.assertEqual(result.stdout, "")
        # A broken symlink named on the command line exists: it stays a warning.
        os.symlink("gone", os.path.join(self.tree, "dangling"))
        result = self.run_keysweep("scan", "src", "dangling")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertIn("dangling: broken symlink", result.stderr)


class StrictTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.write("big.env", f"DD_API_KEY={API_KEY}\n" + "x" * 4096 + "\n")
        self.write("small.txt", "nothing here\n")

    def test_a_warning_fails_a_strict_run_after_the_report_is_written(self):
        loose = self.run_keysweep("scan", "--max-file-size", "1K", "--format", "json", ".")
        self.assertEqual(loose.code, 0, loose.stderr)
        self.assertIn("big.env: larger than the size limit (1 KiB); not scanned", loose.stderr)

        report = os.path.join(self.tmp, "report.json")
        strict = self.run_keysweep("scan", "--strict", "--max-file-size", "1K", "--format", "json",
                                   "-o", report, ".")
        self.assertEqual(strict.code, 3, strict.stderr)
        self.assertIn("--strict: 1 warning; the scan is incomplete", strict.stderr)
        with open(report) as handle:
            document = json.load(handle)
        self.assertEqual(document["summary"]["skipped_too_large"], 1)
        self.assertEqual(document["summary"]["warnings"],
                         ["big.env: larger than the size limit (1 KiB); not scanned"])

    def test_strict_outranks_findings(self):
        self.write("found.env", f"DD_APP_KEY={APP_KEY}\n")
        result = self.run_keysweep("scan", "--strict", "--max-file-size", "1K", ".")
        self.assertEqual(result.code, 3, result.stderr)
        self.assertIn("found.env", result.stdout)

    def test_a_clean_strict_run_passes(self):
        result = self.run_keysweep("scan", "--strict", "small.txt")
        self.assertEqual(result.code, 0, result.stderr)
        self.assertEqual(result.stderr, "")

    def test_strict_in_the_project_config(self):
        self.write(".keysweep.toml", 'strict = true\nmax_file_size = "1K"\n')
        result = self.run_keysweep("scan", ".")
        self.assertEqual(result.code, 3, result.stderr)
        self.write(".keysweep.toml", "strict = false\n")
        self.assertEqual(self.run_keysweep("scan", "--max-file-size", "1K", ".").code, 0)
        self.write(".keysweep.toml", 'strict = "yes"\n')
        bad = self.run_keysweep("scan", ".")
        self.assertEqual(bad.code, 2)
        self.assertIn("'strict' must be true or false", bad.stderr)

    def test_a_binary_file_named_on_the_command_line_is_a_warning(self):
        self.write("bin/blob.bin", b"\x00\x01\x02DD_API_KEY=" + API_KEY.encode() + b"\n")
        # Found by the walk: skipped quietly, as every binary file in a tree.
        walked = self.run_keysweep("scan", "--strict", "bin")
        self.assertEqual(walked.code, 0, walked.stderr)
        named = self.run_keysweep("scan", "--strict", "bin/blob.bin")
        self.assertEqual(named.code, 3)
        self.assertIn("bin/blob.bin: binary file; not scanned", named.stderr)
        piped = self.run_keysweep("scan", "--strict", "-", stdin="\x00binary\n")
        self.assertEqual(piped.code, 3)
        self.assertIn("<stdin>: binary input; not scanned", piped.stderr)

    def test_warnings_are_in_every_report_format(self):
        args = ("scan", "--max-file-size", "1K", ".")
        text = self.run_keysweep(*args)
        self.assertIn("warnings:\n    big.env: larger than the size limit (1 KiB); not scanned\n", text.stdout)
        junit = self.run_keysweep(*args, "--format", "junit")
        suite = ElementTree.fromstring(junit.stdout).find("testsuite")
        self.assertIn("warning: big.env: larger than the size limit", suite.find("system-err").text)
        sarif = self.run_keysweep(*args, "--format", "sarif").json()
        notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        self.assertTrue(any("big.env" in note["message"]["text"] for note in notes))
        # No warnings, no section.
        self.assertNotIn("warnings:", self.run_keysweep("scan", "small.txt").stdout)
        clean = self.run_keysweep("scan", "--format", "junit", "small.txt")
        self.assertIsNone(ElementTree.fromstring(clean.stdout).find("testsuite").find("system-err"))


def break_zlib_checksum(path):
    """Inverts a loose object's zlib trailer (Adler-32): the stream inflates
    whole, then fails its check. (Other damage to the deflate data itself can
    send libgit2 1.5 into an endless loop, which no test should depend on.)"""
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    data[-4:] = bytes(b ^ 0xff for b in data[-4:])
    os.chmod(path, 0o644)
    with open(path, "wb") as handle:
        handle.write(data)


class DamagedRepositoryTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        repo = self.repo = GitRepo(os.path.join(self.tmp, "repo"))
        for n, key in ((1, API_KEY), (2, API_KEY_2)):
            # Random text so the pack is mostly incompressible blob data.
            repo.commit(f"c{n}", f"2024-0{n}-01T00:00:00+00:00",
                        files={f"k{n}.env": f"DD_API_KEY={key}\n",
                               f"r{n}.txt": base64.b64encode(os.urandom(6000)).decode() + "\n"})

    def loose_object_path(self, object_id):
        return os.path.join(self.repo.path, ".git", "objects", object_id[:2], object_id[2:])

    def test_a_truncated_pack_fails_the_scan(self):
        self.repo.git("repack", "-adq")
        pack_dir = os.path.join(self.repo.path, ".git", "objects", "pack")
        [pack] = [os.path.join(pack_dir, name) for name in os.listdir(pack_dir) if name.endswith(".pack")]
        os.chmod(pack, 0o644)
        os.truncate(pack, os.path.getsize(pack) // 2)
        for mode in (("--history",), ("--range", "HEAD~1..HEAD")):
            result = self.run_keysweep("scan", *mode, self.repo.path)
            self.assertEqual(result.code, 3, (mode, result.stdout, result.stderr))
            self.assertRegex(result.stderr, "keysweep: error: git object [0-9a-f]{40} is listed in the "
                                            r"object database but cannot be read; a pack is damaged")
            self.assertNotIn("No secrets found", result.stdout)
            self.assertNotIn("terminate", result.stderr)

    def test_a_corrupt_loose_object_fails_the_scan_naming_it(self):
        blob = self.repo.git("rev-parse", "HEAD:k2.env")
        path = self.loose_object_path(blob)
        break_zlib_checksum(path)
        # Several workers: the failure on one of them reaches the main thread.
        for mode in (("--history",), ("--range", "HEAD~1..HEAD")):
            result = self.run_keysweep("scan", "-j", "4", *mode, self.repo.path)
            self.assertEqual(result.code, 3, (mode, result.stderr))
            self.assertIn(f"keysweep: error: git object {blob}", result.stderr)
            self.assertIn("the repository is damaged", result.stderr)
            self.assertNotIn("terminate", result.stderr)
            self.assertEqual(result.stdout, "")

    def test_a_corrupt_tree_fails_a_range_scan(self):
        tree = self.repo.git("rev-parse", "HEAD^{tree}")
        break_zlib_checksum(self.loose_object_path(tree))
        result = self.run_keysweep("scan", "--range", "HEAD~1..HEAD", self.repo.path)
        self.assertEqual(result.code, 3, result.stderr)
        self.assertIn(f"keysweep: error: git object {tree} cannot be read; the repository is damaged",
                      result.stderr)

    def test_an_object_whose_content_does_not_match_its_id_fails_the_scan(self):
        blob = self.repo.git("rev-parse", "HEAD:k2.env")
        other = self.repo.git("rev-parse", "HEAD:k1.env")
        path = self.loose_object_path(blob)
        os.chmod(path, 0o644)
        with open(self.loose_object_path(other), "rb") as source, open(path, "wb") as target:
            target.write(source.read())  # a valid object, stored under the wrong id
        result = self.run_keysweep("scan", "--history", self.repo.path)
        self.assertEqual(result.code, 3, result.stderr)
        self.assertIn(f"git object {blob}", result.stderr)

    def test_a_database_with_refs_and_no_readable_object_fails_the_scan(self):
        self.repo.git("repack", "-adq")
        pack_dir = os.path.join(self.repo.path, ".git", "objects", "pack")
        for name in os.listdir(pack_dir):
            os.remove(os.path.join(pack_dir, name))
        result = self.run_keysweep("scan", "--history", self.repo.path)
        self.assertEqual(result.code, 3, result.stderr)
        self.assertIn("read no objects from", result.stderr)
        self.assertIn("although it has refs", result.stderr)


class PartialAndShallowCloneTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        source = GitRepo(os.path.join(self.tmp, "source"))
        source.commit("init", "2023-12-01T00:00:00+00:00", files={"README.md": "# demo\n"})
        source.commit("old", "2024-01-01T00:00:00+00:00", files={"old.env": f"DD_API_KEY={API_KEY}\n"})
        source.commit("drop", "2024-02-01T00:00:00+00:00", remove=["old.env"])
        source.commit("new", "2024-03-01T00:00:00+00:00", files={"new.env": f"DD_API_KEY={API_KEY_2}\n"})
        self.bare = os.path.join(self.tmp, "bare.git")
        subprocess.run(["git", "clone", "-q", "--bare", source.path, self.bare], check=True)
        subprocess.run(["git", "-C", self.bare, "config", "uploadpack.allowFilter", "true"], check=True)

    def clone(self, name, *args):
        path = os.path.join(self.tmp, name)
        subprocess.run(["git", "clone", "-q", *args, f"file://{self.bare}", path], check=True,
                       capture_output=True)
        return path

    def test_missing_blobs_of_a_partial_clone_are_a_warning(self):
        partial = self.clone("partial", "--filter=blob:none")
        self.assertEqual(subprocess.run(["git", "-C", partial, "config", "remote.origin.promisor"],
                                        capture_output=True, text=True).stdout.strip(), "true")
        result, document = self.scan_json("--history", partial)
        self.assertEqual(result.code, 1, result.stderr)
        # old.env's blob was never fetched: only the checked-out one is found.
        self.assertEqual([f["path"] for f in document["findings"]], ["new.env"])
        self.assertIn("1 git object is missing (a partial or shallow clone)", result.stderr)
        self.assertEqual(document["summary"]["unreadable"], 1)
        # The range that added it: the absent blob is a warning there too.
        result, document = self.scan_json("--range", "HEAD~3..HEAD~2", partial)
        self.assertEqual(result.code, 0, result.stderr)
        self.assertIn("1 git object is missing", result.stderr)
        strict = self.run_keysweep("scan", "--strict", "--history", partial)
        self.assertEqual(strict.code, 3)

    def test_a_shallow_clone_has_nothing_missing(self):
        shallow = self.clone("shallow", "--depth", "1")
        result = self.run_keysweep("scan", "--strict", "--history", shallow)
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(result.stderr, "")


class OverLimitBlobTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.repo = GitRepo(os.path.join(self.tmp, "repo"))
        self.big_text = f"DD_API_KEY={API_KEY}\n" + base64.b64encode(os.urandom(30000)).decode() + "\n"
        self.repo.commit("init", "2023-12-01T00:00:00+00:00", files={"README.md": "# demo\n"})
        self.commit = self.repo.commit("big", "2024-01-01T00:00:00+00:00", files={
            "big.env": self.big_text, "small.env": f"DD_API_KEY={API_KEY_2}\n"})
        self.blob = self.repo.git("rev-parse", "HEAD:big.env")

    def test_the_warning_names_the_blob_and_the_path_when_known(self):
        result, document = self.scan_json("--history", "--max-file-size", "16K", self.repo.path)
        self.assertEqual([f["path"] for f in document["findings"]], ["small.env"])
        self.assertEqual(document["summary"]["skipped_too_large"], 1)
        self.assertIn(f"blob {self.blob}: larger than the size limit (16 KiB); not scanned", result.stderr)
        result, document = self.scan_json("--since", "HEAD~1", "--max-file-size", "16K", self.repo.path)
        self.assertIn(f"blob {self.blob} (big.env): larger than the size limit", result.stderr)

    def test_a_blob_over_the_limit_is_never_inflated(self):
        # Break the blob's zlib checksum, leaving its header readable: reading
        # the whole blob fails, and a scan that skips it by its header never notices.
        path = os.path.join(self.repo.path, ".git", "objects", self.blob[:2], self.blob[2:])
        break_zlib_checksum(path)
        skipped = self.run_keysweep("scan", "--history", "--max-file-size", "16K", self.repo.path)
        self.assertEqual(skipped.code, 1, skipped.stderr)
        self.assertIn(f"blob {self.blob}: larger than the size limit", skipped.stderr)
        read = self.run_keysweep("scan", "--history", self.repo.path)
        self.assertEqual(read.code, 3, read.stderr)
        self.assertIn(f"git object {self.blob}", read.stderr)


HOSTILE_NAME = b"evil\n\x1b[2Jname\xff.env"


class UntrustedTextTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        path = os.path.join(os.fsencode(self.tree), HOSTILE_NAME)
        with open(path, "wb") as handle:
            handle.write(f"DD_API_KEY={API_KEY}\n".encode())
        self.write("colour.env", f"\x1b[2K DD_APP_KEY={APP_KEY}\x1b[31m!\rfake\x1b[0m\n")

    def test_text_output_escapes_control_characters_in_paths_and_lines(self):
        from harness import BINARY
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache)
        completed = subprocess.run([BINARY, "scan", "--color", "never", "."], cwd=self.tree,
                                   capture_output=True, env=environment, timeout=300)
        self.assertEqual(completed.returncode, 1, completed.stderr)
        out = completed.stdout
        self.assertNotIn(b"\x1b", out)
        self.assertNotIn(b"\r", out)
        self.assertNotIn(b"\xff", out)
        self.assertIn(b"evil\\n\\x1b[2Jname\\xff.env:1:12: datadog-api-key", out)
        self.assertIn(b"    \\x1b[2K DD_APP_KEY=", out)
        self.assertIn(b"\\x1b[31m!\\rfake\\x1b[0m\n", out)
        # Colour on: only keysweep's own escapes reach the terminal.
        coloured = subprocess.run([BINARY, "scan", "--color", "always", "."], cwd=self.tree,
                                  capture_output=True, env=environment, timeout=300).stdout
        self.assertNotIn(b"\x1b[31m!", coloured)
        self.assertIn(b"\x1b[0m", coloured)
        self.assertNotIn(b"\x1b[2J", coloured)

    def test_the_pre_commit_hook_output_is_escaped(self):
        from harness import BINARY
        repo = GitRepo(os.path.join(self.tmp, "repo"))
        repo.commit("init", "2024-01-01T00:00:00+00:00", files={"README.md": "# demo\n"})
        with open(os.path.join(os.fsencode(repo.path), HOSTILE_NAME), "wb") as handle:
            handle.write(f"\x1b[2K DD_API_KEY={API_KEY}\x1b[8m\n".encode())
        repo.git("add", "-A")
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache)
        completed = subprocess.run([BINARY, "scan", "--staged", "--color", "always", repo.path],
                                   cwd=repo.path, capture_output=True, env=environment, timeout=300)
        self.assertEqual(completed.returncode, 1, completed.stderr)
        for raw in (b"\x1b[2K", b"\x1b[2J", b"\x1b[8m", b"\xff"):  # keysweep's own colours stay
            self.assertNotIn(raw, completed.stdout)
        self.assertIn(b"\x1b[0m", completed.stdout)
        self.assertIn(b"evil\\n\\x1b[2Jname\\xff.env:1:", completed.stdout)
        self.assertIn(b"\\x1b[2K DD_API_KEY=", completed.stdout)

    def test_warnings_on_stderr_escape_the_path(self):
        from harness import BINARY
        environment = dict(os.environ, KEYSWEEP_CACHE_DIR=self.cache)
        name = b"bin\nary\x1b.dat"
        with open(os.path.join(os.fsencode(self.tree), name), "wb") as handle:
            handle.write(b"\x00\x01binary")
        completed = subprocess.run([BINARY, "scan", name], cwd=self.tree, capture_output=True,
                                   env=environment, timeout=300)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(completed.stderr,
                         b"keysweep: warning: bin\\nary\\x1b.dat: binary file; not scanned\n")

    def test_junit_is_well_formed_whatever_bytes_a_path_or_line_holds(self):
        result = self.run_keysweep("scan", "--format", "junit", ".")
        self.assertEqual(result.code, 1, result.stderr)
        root = ElementTree.fromstring(result.stdout.encode("utf-8", "surrogateescape"))
        cases = root.find("testsuite").findall("testcase")
        files = sorted(case.get("file") for case in cases)
        self.assertIn("colour.env", files)
        self.assertIn("evil \\x1b[2Jname\\xff.env", files)  # an attribute's newline reads as a space
        details = "".join(case.find("failure").text for case in cases)
        self.assertIn("\\x1b[2K DD_APP_KEY=", details)

    def test_json_keeps_a_path_that_is_not_utf8_whole_in_path_bytes(self):
        result = self.run_keysweep("scan", "--format", "json", ".")
        document = json.loads(result.stdout)
        by_path = {f["path"]: f for f in document["findings"]}
        self.assertNotIn("path_bytes", by_path["colour.env"])
        [hostile] = [f for f in document["findings"] if "path_bytes" in f]
        self.assertEqual(base64.b64decode(hostile["path_bytes"]), HOSTILE_NAME)
        self.assertEqual(hostile["path"], "evil\n\x1b[2Jname\ufffd.env")
        self.assertNotIn("root_bytes", document)

    def test_inventory_list_escapes_key_names(self):
        from datadog_stub import api_key_record
        listing = {"data": [api_key_record("00000000-0000-4000-8000-000000000001",
                                           "ci\x1b]0;pwned\x07\nfake", "1c3e")],
                   "included": [], "meta": {"page": {"total_count": 1}}}
        saved = os.path.join(self.tmp, "keys.json")
        with open(saved, "w") as handle:
            json.dump(listing, handle)
        store = os.path.join(self.tmp, "inventory.db")
        imported = self.run_keysweep("inventory", "import", saved, "--store", store)
        self.assertEqual(imported.code, 0, imported.stderr)
        listed = self.run_keysweep("inventory", "list", "--store", store)
        self.assertEqual(listed.code, 0, listed.stderr)
        self.assertNotIn("\x1b", listed.stdout)
        self.assertNotIn("\x07", listed.stdout)
        self.assertIn("ci\\x1b]0;pwned\\x07\\nfake", listed.stdout)
        self.assertEqual(len(listed.stdout.splitlines()), 3)  # header, one key, the total
        # The audit names the key (never used in a year, not rotated, …) escaped too.
        audited = self.run_keysweep("inventory", "audit", "--store", store)
        self.assertIn("ci\\x1b]0;pwned\\x07\\nfake", audited.stdout, audited.stderr)
        self.assertNotIn("\x1b", audited.stdout)


class ThreadsTest(KeysweepTestCase):
    def test_threads_are_bounded(self):
        self.write("a.env", f"DD_API_KEY={API_KEY}\n")
        for value in ("100000", "257"):
            result = self.run_keysweep("scan", "-j", value, ".")
            self.assertEqual(result.code, 2, value)
            self.assertIn(f"-j/--threads: {value} is out of range 0..256", result.stderr)
            self.assertNotIn("terminate", result.stderr)
        for value in ("0", "1", "256"):
            self.assertEqual(self.run_keysweep("scan", "-j", value, ".").code, 1, value)
        self.assertEqual(self.run_keysweep("scan", "-j", "-1", ".").code, 2)
