"""The git hooks, installed by `keysweep hook install` into real repositories:
real `git commit` and `git push` (to local bare repositories) refused and
allowed, existing hooks chained and restored, core.hooksPath and --global,
the server-side pre-receive hook with its quarantine, and the pre-commit
framework's .pre-commit-hooks.yaml."""
import os
import shutil
import stat
import subprocess
import unittest

import yaml

from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, BINARY, SOURCE_ROOT, KeysweepTestCase


class HookTestCase(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.repo = GitRepo(os.path.join(self.tmp, "repo"))
        self.repo.commit("base", "2024-01-01T00:00:00+00:00", files={"README": "hello\n"})

    def env(self, **extra):
        # A private HOME: --global must not touch the real one.
        environment = dict(os.environ, HOME=self.home, XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                           KEYSWEEP_CACHE_DIR=self.cache, GIT_CONFIG_NOSYSTEM="1")
        for name in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "KEYSWEEP"):
            environment.pop(name, None)
        environment.update(extra)
        return environment

    def run_in(self, directory, *argv, stdin=None, **extra):
        completed = subprocess.run(list(argv), cwd=directory, env=self.env(**extra), input=stdin,
                                   capture_output=True, text=True, timeout=300)
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, completed.stderr)
        return completed

    def keysweep_in(self, directory, *args):
        return self.run_in(directory, BINARY, *args)

    def commit(self, directory, files, message="change"):
        for relative, content in files.items():
            path = os.path.join(directory, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write(content)
        self.run_in(directory, "git", "add", "-A")
        return self.run_in(directory, "git", "commit", "-q", "-m", message)


class PreCommitTest(HookTestCase):
    def test_a_commit_that_adds_a_key_is_refused_with_what_to_do(self):
        installed = self.keysweep_in(self.repo.path, "hook", "install")
        self.assertEqual(installed.returncode, 0, installed.stderr)
        hook = os.path.join(self.repo.path, ".git", "hooks", "pre-commit")
        self.assertTrue(os.stat(hook).st_mode & stat.S_IXUSR)
        refused = self.commit(self.repo.path, {"deploy/settings.sh": f"A=1\nDD_API_KEY={API_KEY}\n"})
        self.assertNotEqual(refused.returncode, 0)
        output = refused.stdout + refused.stderr
        self.assertIn("deploy/settings.sh:2:12: datadog-api-key (api_key, high) 4f8a…", output)
        self.assertIn("https://app.datadoghq.com/organization-settings/api-keys", output)
        self.assertIn("keysweep:allow", output)
        self.assertIn("commit refused", output)
        self.assertNotIn(API_KEY, output)
        self.assertEqual(self.repo.git("rev-list", "--count", "HEAD"), "1")
        # The same change with the key allowed inline goes through.
        allowed = self.commit(self.repo.path, {"deploy/settings.sh": f"A=1\nDD_API_KEY={API_KEY}  # keysweep:allow\n"})
        self.assertEqual(allowed.returncode, 0, allowed.stdout + allowed.stderr)
        self.assertEqual(self.repo.git("rev-list", "--count", "HEAD"), "2")

    def test_an_existing_hook_is_chained_and_restored(self):
        hooks = os.path.join(self.repo.path, ".git", "hooks")
        original = "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/chained-hook-ran\"\n"
        with open(os.path.join(hooks, "pre-commit"), "w") as handle:
            handle.write(original)
        os.chmod(os.path.join(hooks, "pre-commit"), 0o755)
        result = self.keysweep_in(self.repo.path, "hook", "install")
        self.assertIn("pre-commit.keysweep-chained", result.stdout)
        marker = os.path.join(self.repo.path, ".git", "chained-hook-ran")
        self.assertNotEqual(self.commit(self.repo.path, {"a.env": f"DD_API_KEY={API_KEY}\n"}).returncode, 0)
        self.assertFalse(os.path.exists(marker))  # keysweep refused first
        self.run_in(self.repo.path, "git", "reset", "-q")
        os.remove(os.path.join(self.repo.path, "a.env"))
        self.assertEqual(self.commit(self.repo.path, {"b.txt": "fine\n"}).returncode, 0)
        self.assertTrue(os.path.exists(marker))  # then the old hook ran
        # Installing again updates in place and keeps the chain.
        self.assertIn("(updated)", self.keysweep_in(self.repo.path, "hook", "install").stdout)
        removed = self.keysweep_in(self.repo.path, "hook", "uninstall")
        self.assertIn("restored the hook that was there", removed.stdout)
        with open(os.path.join(hooks, "pre-commit")) as handle:
            self.assertEqual(handle.read(), original)
        self.assertFalse(os.path.exists(os.path.join(hooks, "pre-commit.keysweep-chained")))

    def test_core_hooks_path_is_respected(self):
        self.repo.git("config", "core.hooksPath", ".githooks")
        self.keysweep_in(self.repo.path, "hook", "install")
        self.assertTrue(os.path.exists(os.path.join(self.repo.path, ".githooks", "pre-commit")))
        self.assertFalse(os.path.exists(os.path.join(self.repo.path, ".git", "hooks", "pre-commit")))
        self.assertNotEqual(self.commit(self.repo.path, {"a.env": f"DD_API_KEY={API_KEY}\n"}).returncode, 0)

    def test_global_install_covers_every_repository(self):
        result = self.keysweep_in(self.tmp, "hook", "install", "--global")
        self.assertEqual(result.returncode, 0, result.stderr)
        hooks_path = self.run_in(self.tmp, "git", "config", "--global", "core.hooksPath").stdout.strip()
        self.assertEqual(hooks_path, os.path.join(self.home, ".config", "keysweep", "hooks"))
        other = GitRepo(os.path.join(self.tmp, "other"))
        self.assertNotEqual(self.commit(other.path, {"a.env": f"DD_API_KEY={API_KEY}\n"}).returncode, 0)
        self.keysweep_in(self.tmp, "hook", "uninstall", "--global")
        self.assertNotEqual(self.run_in(self.tmp, "git", "config", "--global", "core.hooksPath").returncode, 0)
        self.assertEqual(self.commit(other.path, {"a.env": f"DD_API_KEY={API_KEY}\n"}).returncode, 0)

    def test_outside_a_repository_install_is_a_usage_error(self):
        result = self.keysweep_in(self.tree, "hook", "install")
        self.assertEqual(result.returncode, 2)
        self.assertIn("not in a git repository", result.stderr)


class PushTest(HookTestCase):
    def setUp(self):
        super().setUp()
        self.remote = GitRepo(os.path.join(self.tmp, "remote.git"), bare=True)
        self.repo.git("remote", "add", "origin", self.remote.path)
        self.repo.git("push", "-q", "origin", "main")

    def push(self, *refs):
        return self.run_in(self.repo.path, "git", "push", "-q", "origin", *refs)

    def test_pre_push_refuses_new_commits_with_keys(self):
        hooks = os.path.join(self.repo.path, ".git", "hooks")
        with open(os.path.join(hooks, "pre-push"), "w") as handle:
            handle.write("#!/bin/sh\ncat > \"$(git rev-parse --git-dir)/chained-stdin\"\n")
        os.chmod(os.path.join(hooks, "pre-push"), 0o755)
        self.keysweep_in(self.repo.path, "hook", "install", "--pre-push")
        # Committed with --no-verify, as someone in a hurry would: pre-push still catches it.
        self.commit(self.repo.path, {"notes.txt": "ok\n"})
        self.repo.write("ci.sh", f"export DATADOG_API_KEY={API_KEY_2}\n")
        self.repo.git("add", "ci.sh")
        self.repo.git("commit", "-q", "--no-verify", "-m", "oops")
        refused = self.push("main")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("ci.sh:1:", refused.stdout + refused.stderr)
        self.assertIn("push refused", refused.stderr)
        self.assertNotEqual(self.remote.git("rev-parse", "main"), self.repo.git("rev-parse", "HEAD"))
        # A new branch whose second commit holds the key: scanned from where it left main.
        self.repo.git("reset", "-q", "--hard", "HEAD~1")
        self.repo.git("checkout", "-q", "-b", "feature")
        self.commit(self.repo.path, {"one.txt": "1\n"})
        self.repo.write("two.env", f"DD_API_KEY={API_KEY}\n")
        self.repo.git("add", "two.env")
        self.repo.git("commit", "-q", "--no-verify", "-m", "two")
        self.assertNotEqual(self.push("feature").returncode, 0)
        # Clean pushes go through, and the chained hook gets git's stdin.
        self.repo.git("reset", "-q", "--hard", "HEAD~1")
        allowed = self.push("main", "feature")
        self.assertEqual(allowed.returncode, 0, allowed.stdout + allowed.stderr)
        with open(os.path.join(self.repo.path, ".git", "chained-stdin")) as handle:
            self.assertIn("refs/heads/feature", handle.read())

    def test_pre_receive_refuses_on_the_server(self):
        server_hook = os.path.join(self.remote.path, "hooks", "pre-receive")
        shutil.copy(os.path.join(SOURCE_ROOT, "hooks", "pre-receive"), server_hook)
        os.chmod(server_hook, 0o755)
        self.repo.write("app.env", f"DD_API_KEY={API_KEY}\n")
        self.repo.git("add", "app.env")
        self.repo.git("commit", "-q", "-m", "key")
        refused = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main", KEYSWEEP=BINARY)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("app.env:1:12", refused.stderr)  # the server's output comes back as remote: lines
        self.assertIn("push refused", refused.stderr)
        # The pushed objects stayed in quarantine: the server does not have the commit.
        head = self.repo.git("rev-parse", "HEAD")
        self.assertNotEqual(self.remote.git("cat-file", "-t", head, check=False), "commit")
        self.repo.git("reset", "-q", "--hard", "HEAD~1")
        self.commit(self.repo.path, {"fine.txt": "ok\n"})
        allowed = self.run_in(self.repo.path, "git", "push", "-q", "origin", "main", KEYSWEEP=BINARY)
        self.assertEqual(allowed.returncode, 0, allowed.stderr)
        # A new branch on the server: only its own commits are scanned.
        self.repo.git("checkout", "-q", "-b", "topic")
        self.commit(self.repo.path, {"topic.txt": "t\n"})
        self.assertEqual(self.run_in(self.repo.path, "git", "push", "-q", "origin", "topic",
                                     KEYSWEEP=BINARY).returncode, 0)


@unittest.skipUnless(shutil.which("pre-commit"), "the pre-commit framework is not installed")
class PreCommitFrameworkTest(HookTestCase):
    def test_the_hook_definition_runs_keysweep_on_every_file(self):
        with open(os.path.join(SOURCE_ROOT, ".pre-commit-hooks.yaml")) as handle:
            hooks = yaml.safe_load(handle)
        self.assertEqual([hook["id"] for hook in hooks], ["keysweep"])
        self.assertTrue(hooks[0]["entry"].startswith("keysweep scan"))
        # A repository that offers the hook, as pre-commit clones it.
        provider = GitRepo(os.path.join(self.tmp, "provider"))
        shutil.copy(os.path.join(SOURCE_ROOT, ".pre-commit-hooks.yaml"), provider.path)
        provider.git("add", ".pre-commit-hooks.yaml")
        provider.git("commit", "-q", "-m", "hooks")
        rev = provider.git("rev-parse", "HEAD")
        # The key is in a file committed long ago: --all-files must still see it.
        self.repo.commit("old key", "2024-01-02T00:00:00+00:00", files={"old/settings.py": f"DD_API_KEY = '{API_KEY}'\n"})
        with open(os.path.join(self.repo.path, ".pre-commit-config.yaml"), "w") as handle:
            yaml.safe_dump({"repos": [{"repo": provider.path, "rev": rev, "hooks": [{"id": "keysweep"}]}]}, handle)
        self.repo.git("add", ".pre-commit-config.yaml")
        path = os.path.dirname(BINARY) + os.pathsep + os.environ.get("PATH", "")
        run = self.run_in(self.repo.path, "pre-commit", "run", "--all-files", PATH=path,
                          PRE_COMMIT_HOME=os.path.join(self.tmp, "pre-commit-home"))
        self.assertNotEqual(run.returncode, 0, run.stdout)
        self.assertIn("old/settings.py:1:", run.stdout)
        self.repo.commit("remove", "2024-01-03T00:00:00+00:00", remove=["old/settings.py"])
        clean = self.run_in(self.repo.path, "pre-commit", "run", "--all-files", PATH=path,
                            PRE_COMMIT_HOME=os.path.join(self.tmp, "pre-commit-home"))
        self.assertEqual(clean.returncode, 0, clean.stdout)
