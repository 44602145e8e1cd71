"""Builds real git repositories for tests: commits with set authors and dates."""
import os
import subprocess


class GitRepo:
    def __init__(self, path, bare=False):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.git("init", "-q", "-b", "main", *(["--bare"] if bare else []))
        self.git("config", "user.name", "Test Runner")
        self.git("config", "user.email", "runner@example.com")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args, env=None, check=True):
        environment = dict(os.environ)
        for name in ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
            environment.pop(name, None)
        environment.update(env or {})
        completed = subprocess.run(["git", *args], cwd=self.path, env=environment,
                                   capture_output=True, text=True, check=check)
        return completed.stdout.strip()

    def write(self, relative, content):
        full = os.path.join(self.path, relative)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as handle:
            handle.write(content.encode() if isinstance(content, str) else content)

    def commit(self, message, date, author=("Alice Admin", "alice@example.com"), files=None,
               remove=(), all_changes=False):
        for relative, content in (files or {}).items():
            self.write(relative, content)
            self.git("add", relative)
        for relative in remove:
            self.git("rm", "-q", relative)
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        self.git("commit", "-q", "--allow-empty", *(["-a"] if all_changes else []), "-m", message, env=env)
        return self.git("rev-parse", "HEAD")
