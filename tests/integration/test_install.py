"""`meson install`: the binary, the man page and the bash, zsh and fish
completions (written from the binary's own --help at build time), and the
hook scripts, installed into a staging directory and checked there."""
import glob
import os
import re
import shutil
import subprocess
import unittest

from harness import BINARY, KeysweepTestCase

BUILD_ROOT = os.environ.get("KEYSWEEP_BUILD_ROOT") or os.path.dirname(os.path.abspath(BINARY))


def options_of(binary, *command):
    """Every option name of a command, from its --help (independently of the generator)."""
    text = subprocess.run([binary, *command, "--help"], capture_output=True, text=True, check=True).stdout
    section, names, subcommands = None, [], []
    for line in text.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            section = line[:-1]
        elif line.startswith("  ") and section == "Options":
            names += line.split()[0].split(",")
        elif line.startswith("  ") and section == "Subcommands":
            subcommands.append(line.split()[0])
    return names, subcommands


def every_command(binary, path=()):
    names, subcommands = options_of(binary, *path)
    yield list(path), names
    for sub in subcommands:
        yield from every_command(binary, (*path, sub))


class InstallTest(KeysweepTestCase):
    @classmethod
    def setUpClass(cls):
        cls.stage = os.path.join(BUILD_ROOT, "install-test-stage")
        shutil.rmtree(cls.stage, ignore_errors=True)
        completed = subprocess.run(["meson", "install", "--no-rebuild", "--quiet", "-C", BUILD_ROOT,
                                    "--destdir", cls.stage], capture_output=True, text=True)
        if completed.returncode != 0:
            raise AssertionError("meson install failed: " + completed.stdout + completed.stderr)
        binaries = glob.glob(os.path.join(cls.stage, "**", "bin", "keysweep"), recursive=True)
        cls.prefix = os.path.dirname(os.path.dirname(binaries[0]))
        cls.binary = binaries[0]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.stage, ignore_errors=True)

    def installed(self, relative):
        path = os.path.join(self.prefix, relative)
        self.assertTrue(os.path.isfile(path), relative)
        with open(path) as handle:
            return handle.read()

    def test_the_installed_binary_runs(self):
        completed = subprocess.run([self.binary, "--version"], capture_output=True, text=True)
        self.assertEqual(completed.returncode, 0)
        self.assertRegex(completed.stdout, r"^\d+\.\d+\.\d+")

    def test_the_man_page_documents_every_command_and_option(self):
        page = self.installed("share/man/man1/keysweep.1")
        roff = page.replace("\\-", "-")
        for path, names in every_command(self.binary):
            if path:
                self.assertIn(".SS keysweep " + " ".join(path), roff, path)
            for name in names:
                self.assertIn(name, roff, (path, name))
        self.assertIn(".SH EXIT STATUS", page)
        self.assertIn("3 runtime failure", roff)
        if shutil.which("man"):
            rendered = subprocess.run(["man", "-l", "-P", "cat", os.path.join(self.prefix, "share/man/man1/keysweep.1")],
                                      capture_output=True, text=True, env=dict(os.environ, MANWIDTH="100"))
            self.assertEqual(rendered.returncode, 0, rendered.stderr)
            self.assertIn("--one-file-system", rendered.stdout)
            self.assertNotIn("warning", rendered.stderr)

    def bash_complete(self, *words):
        script = (f'source "{self.prefix}/share/bash-completion/completions/keysweep"; '
                  'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _keysweep; printf "%s\\n" "${COMPREPLY[@]}"')
        completed = subprocess.run(["bash", "-c", script, "bash", *words], capture_output=True, text=True,
                                   cwd=self.tmp)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        return completed.stdout.split()

    def test_bash_completes_commands_options_and_values(self):
        self.assertEqual(self.bash_complete("keysweep", "sc"), ["scan"])
        self.assertEqual(self.bash_complete("keysweep", "rules", "l"), ["list"])
        self.assertEqual(self.bash_complete("keysweep", "scan", "--exc"), ["--exclude"])
        self.assertEqual(self.bash_complete("keysweep", "scan", "--format", "s"), ["sarif"])
        self.assertEqual(self.bash_complete("keysweep", "inventory", "list", "--f"), ["--format"])
        for path, names in every_command(self.binary):
            offered = self.bash_complete("keysweep", *path, "-")
            for name in names:
                self.assertIn(name, offered, (path, name))

    def test_zsh_completion_names_every_option(self):
        text = self.installed("share/zsh/vendor-completions/_keysweep")
        self.assertTrue(text.startswith("#compdef keysweep"))
        for path, names in every_command(self.binary):
            for name in names:
                self.assertRegex(text, re.escape(name) + r"\\?\[", (path, name))
        if shutil.which("zsh"):
            checked = subprocess.run(["zsh", "-n", os.path.join(self.prefix, "share/zsh/vendor-completions/_keysweep")],
                                     capture_output=True, text=True)
            self.assertEqual(checked.returncode, 0, checked.stderr)

    def test_fish_completes_commands_and_options(self):
        self.installed("share/fish/vendor_completions.d/keysweep.fish")
        if not shutil.which("fish"):
            self.skipTest("fish is not installed")
        script = (f'source "{self.prefix}/share/fish/vendor_completions.d/keysweep.fish"; '
                  'complete -C "keysweep sc"; complete -C "keysweep rules "; complete -C "keysweep scan --one"; '
                  'complete -C "keysweep scan --format "')
        completed = subprocess.run(["fish", "--no-config", "-c", script], capture_output=True, text=True,
                                   cwd=self.tmp)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        offered = [line.split("\t")[0] for line in completed.stdout.splitlines()]
        for expected in ("scan", "list", "check", "--one-file-system", "sarif"):
            self.assertIn(expected, offered)

    def test_hooks_are_installed_executable(self):
        for hook in ("pre-commit", "pre-push", "pre-receive"):
            path = os.path.join(self.prefix, "share/keysweep/hooks", hook)
            self.assertTrue(os.access(path, os.X_OK), hook)
            self.assertIn("KEYSWEEP=${KEYSWEEP:-keysweep}", self.installed("share/keysweep/hooks/" + hook))


if __name__ == "__main__":
    unittest.main()
