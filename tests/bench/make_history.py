#!/usr/bin/env python3
"""Builds a large git history from a real source tree, for the history
benchmark (git.git itself cannot be cloned where these benchmarks run).

The first commit imports the tree; each later commit edits a few files the way
people do (change, insert and delete runs of lines, borrowing lines from other
files), and now and then adds, deletes or renames a file. Authors, dates and a
few branches and tags vary. Everything is streamed to `git fast-import`, and the
caller repacks the result like a clone's pack (bench_history.sh does).
Deterministic for a given seed.

    make_history.py SOURCE_TREE REPOSITORY [--commits N] [--seed S]
"""
import argparse
import hashlib
import os
import random
import subprocess
import sys

AUTHORS = [("Ada Lovelace", "ada@example.org"), ("Linus Pauling", "linus@example.org"),
           ("Grace Hopper", "grace@example.org"), ("Ken Thompson", "ken@example.org"),
           ("Barbara Liskov", "barbara@example.org"), ("Dennis Ritchie", "dmr@example.org")]


def read_tree(root):
    files = {}
    for directory, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(directory, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                files[os.path.relpath(path, root)] = handle.read()
    return files


def edit(content, donor, rng):
    lines = content.split(b"\n")
    donor_lines = donor.split(b"\n") or [b""]
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(lines) + 1)
        kind = rng.random()
        if kind < 0.45:  # change a run of lines
            span = rng.randint(1, 6)
            start = rng.randrange(len(donor_lines))
            lines[at:at + span] = donor_lines[start:start + span]
        elif kind < 0.8:  # insert a run
            start = rng.randrange(len(donor_lines))
            lines[at:at] = donor_lines[start:start + rng.randint(1, 25)]
        else:  # delete a run
            del lines[at:at + rng.randint(1, 10)]
    return b"\n".join(lines)


def quoted(path):
    """A path in fast-import's C-style quotes (spaces are ambiguous in R commands)."""
    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    return ('"' + escaped + '"').encode()


def blob(out, data):
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("repository")
    parser.add_argument("--commits", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--plant-every", type=int, default=1000,
                        help="add a Datadog API key every N commits, deleted by the next one")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    files = read_tree(args.source)
    paths = sorted(files)

    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", args.repository], check=True)
    # Dotfiles (.gitattributes, .gitignore) stay as they are: edits would garble them.
    editable = [path for path in paths if not os.path.basename(path).startswith(".")]
    importer = subprocess.Popen(["git", "fast-import", "--quiet", "--depth=50"],
                                cwd=args.repository, stdin=subprocess.PIPE)
    out = importer.stdin
    when = 1_500_000_000
    for number in range(args.commits):
        name, email = AUTHORS[rng.randrange(len(AUTHORS))]
        when += rng.randint(60, 20_000)
        branch = "main"
        if number % 1500 == 1499:  # now and then a side branch that stays unmerged
            branch = f"topic-{number}"
            out.write(b"reset refs/heads/%s\nfrom refs/heads/main\n" % branch.encode())
        out.write(b"commit refs/heads/%s\n" % branch.encode())
        out.write(b"author %s <%s> %d +0000\n" % (name.encode(), email.encode(), when))
        out.write(b"committer %s <%s> %d +0000\n" % (name.encode(), email.encode(), when))
        blob(out, b"change %d" % number)
        if args.plant_every and number % args.plant_every == 0 and number > 0:
            key = hashlib.md5(b"planted-%d" % number).hexdigest()
            out.write(b"M 100644 inline deploy/planted.env\n")
            blob(out, b"DD_API_KEY=%s\n" % key.encode())
        elif args.plant_every and number % args.plant_every == 1 and number > 1:
            out.write(b"D deploy/planted.env\n")
        if number == 0:
            for path in paths:
                out.write(b"M 100644 inline %s\n" % quoted(path))
                blob(out, files[path])
        else:
            for _ in range(rng.randint(1, 12)):
                path = editable[rng.randrange(len(editable))]
                if path not in files:
                    continue
                donor = files[paths[rng.randrange(len(paths))]]
                roll = rng.random()
                if roll < 0.01 and len(paths) > 100:  # delete
                    out.write(b"D %s\n" % quoted(path))
                    del files[path]
                    paths.remove(path)
                    editable.remove(path)
                elif roll < 0.02:  # rename
                    new_path = path + ".renamed" if not path.endswith(".renamed") else path[:-8]
                    if new_path in files:
                        continue
                    out.write(b"R %s %s\n" % (quoted(path), quoted(new_path)))
                    files[new_path] = files.pop(path)
                    paths[paths.index(path)] = new_path
                    paths.sort()
                    editable[editable.index(path)] = new_path
                elif roll < 0.04:  # add a new file derived from another
                    new_path = f"{os.path.dirname(path) or '.'}/new-{number}.c".lstrip("./")
                    if new_path in files:  # a second add to the same directory in this commit
                        continue
                    files[new_path] = edit(donor, files[path], rng)
                    paths.append(new_path)
                    paths.sort()
                    editable.append(new_path)
                    out.write(b"M 100644 inline %s\n" % quoted(new_path))
                    blob(out, files[new_path])
                else:
                    files[path] = edit(files[path], donor, rng)
                    out.write(b"M 100644 inline %s\n" % quoted(path))
                    blob(out, files[path])
        out.write(b"\n")
        if number % 2000 == 1999:
            out.write(b"tag v%d\nfrom refs/heads/main\ntagger %s <%s> %d +0000\n" %
                      (number // 2000, name.encode(), email.encode(), when))
            blob(out, b"release %d" % (number // 2000))
    out.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")


if __name__ == "__main__":
    main()
