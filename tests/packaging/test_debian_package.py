"""The Debian package: built from a copy of the source tree with
`dpkg-buildpackage -us -uc -b` (as Debian 12 builds it), checked, installed,
and run. As root on a throwaway machine (CI: KEYSWEEP_PACKAGE_INSTALL=1) it is
installed for real with `apt-get install ./keysweep_*.deb` and removed
afterwards; otherwise it is unpacked with `dpkg-deb -x` and run from there.

Run by .ci/run after the release build's suite, not by `meson test`: it
compiles keysweep once more (the package's own flags), without the tests
(DEB_BUILD_OPTIONS=nocheck: the suite has run already).

    python3 -m unittest discover -s tests/packaging -v
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE_ROOT = os.environ.get("KEYSWEEP_SOURCE_ROOT") or os.path.join(os.path.dirname(__file__), "..", "..")
# Random-looking, nobody's key.
API_KEY = "4f8a9c2e7b1d3f6a5c8e9b2d4f7a1c3e"
TOOLS = ("dpkg-buildpackage", "dpkg-deb", "dh")


def project_version():
    with open(os.path.join(SOURCE_ROOT, "meson.build")) as handle:
        return re.search(r"version : '([^']+)'", handle.read()).group(1)


@unittest.skipUnless(all(shutil.which(tool) for tool in TOOLS),
                     "needs dpkg-dev and debhelper (see .ci/debian-packages)")
class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A fixed place, so that ccache finds the objects of an earlier package build.
        cls.work = os.environ.get("KEYSWEEP_PACKAGE_DIR") or os.path.join(tempfile.gettempdir(), "keysweep-deb")
        shutil.rmtree(cls.work, ignore_errors=True)
        source = os.path.join(cls.work, "keysweep")
        os.makedirs(source)
        # What git tracks, plus new files not yet committed; never build trees.
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=SOURCE_ROOT,
                               capture_output=True, check=True).stdout.split(b"\0")
        for relative in filter(None, (name.decode() for name in files)):
            original, copy = os.path.join(SOURCE_ROOT, relative), os.path.join(source, relative)
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            if os.path.islink(original):
                # The stages' include roots (scanner/stages/*) are symlinks to folders.
                os.symlink(os.readlink(original), copy)
            elif os.path.isfile(original):
                shutil.copy2(original, copy)
        environment = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2", DEB_BUILD_PROFILES="nocheck")
        built = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=source, env=environment,
                               capture_output=True, text=True)
        if built.returncode != 0:
            raise AssertionError("dpkg-buildpackage failed:\n" + built.stdout[-4000:] + built.stderr[-4000:])
        debs = glob.glob(os.path.join(cls.work, "keysweep_*.deb"))
        if len(debs) != 1:
            raise AssertionError(f"expected one keysweep_*.deb, found {debs}")
        cls.deb = debs[0]
        cls.installed = False
        if os.geteuid() == 0 and os.environ.get("KEYSWEEP_PACKAGE_INSTALL") == "1":
            # apt-get installs a file (and its dependencies) when the name has a slash.
            install = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", cls.deb],
                                     capture_output=True, text=True,
                                     env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
            if install.returncode != 0:
                raise AssertionError("apt-get install failed:\n" + install.stdout + install.stderr)
            cls.installed = True
            cls.root = "/"
        else:
            cls.root = os.path.join(cls.work, "unpacked")
            subprocess.run(["dpkg-deb", "-x", cls.deb, cls.root], check=True)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "installed", False):
            subprocess.run(["apt-get", "remove", "-y", "-qq", "keysweep"], capture_output=True,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))

    def field(self, name):
        return subprocess.run(["dpkg-deb", "-f", self.deb, name], capture_output=True, text=True,
                              check=True).stdout.strip()

    def keysweep(self, *args, cwd=None):
        binary = "/usr/bin/keysweep" if self.installed else os.path.join(self.root, "usr/bin/keysweep")
        return subprocess.run([binary, *args], capture_output=True, text=True, cwd=cwd,
                              env=dict(os.environ, KEYSWEEP_CACHE_DIR=os.path.join(self.work, "cache")))

    def test_the_package_is_named_and_versioned_as_the_project(self):
        self.assertEqual(self.field("Package"), "keysweep")
        self.assertEqual(self.field("Version"), project_version())
        self.assertEqual(self.field("Architecture"), "amd64")
        depends = self.field("Depends")
        for library in ("libhyperscan5", "libre2-9", "libgit2-1.5", "libsqlite3-0", "libcurl4"):
            self.assertIn(library, depends)

    def test_it_holds_the_binary_man_page_completions_and_hooks(self):
        listing = subprocess.run(["dpkg-deb", "-c", self.deb], capture_output=True, text=True,
                                 check=True).stdout
        for path in ("./usr/bin/keysweep", "./usr/share/man/man1/keysweep.1.gz",
                     "./usr/share/bash-completion/completions/keysweep",
                     "./usr/share/zsh/vendor-completions/_keysweep",
                     "./usr/share/fish/vendor_completions.d/keysweep.fish",
                     "./usr/share/keysweep/hooks/pre-commit", "./usr/share/keysweep/hooks/pre-push",
                     "./usr/share/keysweep/hooks/pre-receive", "./usr/share/doc/keysweep/copyright"):
            self.assertIn(path, listing)
        self.assertRegex(listing, r"-rwxr-xr-x \S+ +\d+ [\d-]+ [\d:]+ \./usr/share/keysweep/hooks/pre-commit")
        self.assertNotIn("unit_tests", listing)

    def test_the_installed_keysweep_runs_and_scans(self):
        version = self.keysweep("--version")
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertEqual(version.stdout.strip(), project_version())
        tree = os.path.join(self.work, "tree")
        os.makedirs(tree, exist_ok=True)
        with open(os.path.join(tree, ".env"), "w") as handle:
            handle.write(f"DD_API_KEY={API_KEY}\n")
        scan = self.keysweep("scan", "--format", "json", ".", cwd=tree)
        self.assertEqual(scan.returncode, 1, scan.stderr)
        self.assertIn('"rule_id": "datadog-api-key"', scan.stdout)
        self.assertNotIn(API_KEY, scan.stdout)
        # Docker's Debian images tell dpkg to leave out /usr/share/man.
        if self.installed and shutil.which("man") and os.path.exists("/usr/share/man/man1/keysweep.1.gz"):
            man = subprocess.run(["man", "-P", "cat", "keysweep"], capture_output=True, text=True,
                                 env=dict(os.environ, MANWIDTH="100"))
            self.assertIn("--one-file-system", man.stdout)

    def test_the_action_installs_the_package(self):
        if not self.installed:
            self.skipTest("installs only as root with KEYSWEEP_PACKAGE_INSTALL=1")
        script = os.path.join(SOURCE_ROOT, "hooks", "ci", "action", "install.sh")
        installed = subprocess.run([script], capture_output=True, text=True,
                                   env=dict(os.environ, INPUT_PACKAGE=self.deb, DEBIAN_FRONTEND="noninteractive"))
        self.assertEqual(installed.returncode, 0, installed.stderr)
        self.assertIn(project_version(), installed.stdout)


if __name__ == "__main__":
    unittest.main()
