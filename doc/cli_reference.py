#!/usr/bin/env python3
"""Writes the man page and the bash, zsh and fish completions from the built
binary's own --help, so they cannot drift from the CLI.

usage: cli_reference.py KEYSWEEP VERSION OUT_MAN OUT_BASH OUT_ZSH OUT_FISH

Each command's --help is CLI11's: a description line, "Usage:", then
"Positionals:", "Options:" and "Subcommands:" sections of two-space-indented
rows (names, an optional value type, two or more spaces, the description),
then the footer (the exit codes).
"""
import re
import subprocess
import sys


class Option:
    def __init__(self, names, takes_value, description):
        self.names = names              # ["-f", "--format"]
        self.takes_value = takes_value  # a value follows (TEXT, UINT, ...)
        self.description = description

    @property
    def long(self):
        return next((name for name in self.names if name.startswith("--")), None)

    @property
    def short(self):
        return next((name for name in self.names if re.fullmatch(r"-[A-Za-z]", name)), None)


class Command:
    def __init__(self, path):
        self.path = path  # ["rules", "list"]; [] for keysweep itself
        self.description = ""
        self.usage = ""
        self.positionals = []  # (name, description)
        self.options = []
        self.subcommands = []  # Command
        self.footer = ""


ROW = re.compile(r"^  (\S(?:.*?\S)?)(?: {2,}(\S.*))?$")


def help_text(binary, path):
    # A sanitizer build's binary runs here too: a leak report is not help text.
    completed = subprocess.run([binary, *path, "--help"], capture_output=True, text=True, check=True,
                               env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "ASAN_OPTIONS": "detect_leaks=0"})
    return completed.stdout


def read_command(binary, path):
    command = Command(path)
    lines = help_text(binary, path).splitlines()
    command.description = lines[0].strip()
    section = None
    subcommand_names = []
    for line in lines[1:]:
        if line.startswith("Usage: "):
            # What follows the command's words: "[OPTIONS] [paths...]".
            words = line[len("Usage: ") + len(binary):].split()
            command.usage = " ".join(words[len(path):])
            continue
        if line in ("Positionals:", "Options:", "Subcommands:"):
            section = line[:-1]
            continue
        if not line.strip():
            continue
        if not line.startswith("  "):
            section = None
            command.footer += (" " if command.footer else "") + line.strip()
            continue
        match = ROW.match(line)
        if not match or section is None:
            continue
        head, description = match.group(1), match.group(2) or ""
        if section == "Subcommands":
            subcommand_names.append(head)
        elif section == "Positionals":
            command.positionals.append((head.split()[0], description))
        else:
            words = head.split(" ", 1)
            names = words[0].split(",")
            command.options.append(Option(names, len(words) > 1, description))
    for name in subcommand_names:
        command.subcommands.append(read_command(binary, path + [name]))
    return command


def all_commands(command):
    yield command
    for sub in command.subcommands:
        yield from all_commands(sub)


def value_choices(option):
    """The values an option takes, where its help lists them."""
    known = {"--format": ("text", "json", "sarif", "junit"), "--fail-on": ("live", "unknown", "any"),
             "--color": ("auto", "always", "never")}
    return [word for word in known.get(option.long, ()) if re.search(r"\b" + word + r"\b", option.description)]


# -- man page ----------------------------------------------------------------

def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def man_page(root, version):
    out = [
        f'.TH KEYSWEEP 1 "" "keysweep {version}" "User Commands"',
        ".SH NAME",
        "keysweep \\- find leaked Datadog credentials in files, trees and git history",
        ".SH SYNOPSIS",
    ]
    for command in all_commands(root):
        if command.path and not command.subcommands:
            out += [".nf", "\\fBkeysweep " + " ".join(command.path) + "\\fR " + roff(command.usage), ".fi"]
    out += [
        ".SH DESCRIPTION",
        "keysweep finds Datadog API keys, application keys, personal and service access tokens and RUM",
        "client tokens in files, directories, standard input and git history, and reports them as text,",
        "JSON, SARIF 2.1.0 or JUnit, with every secret redacted unless asked otherwise. It attributes a",
        "bare hex key by the name it is assigned to, so digests, commit ids and lockfile hashes are not",
        "reported. Rules are data (TOML); gitleaks rule files load as they are.",
        ".SH COMMANDS",
    ]
    for command in all_commands(root):
        if not command.path:
            continue
        out += [".SS " + roff("keysweep " + " ".join(command.path)), roff(command.description) + "."]
        for name, description in command.positionals:
            out += [".TP", ".I " + roff(name), roff(description)]
        for option in command.options:
            if option.long == "--help":
                continue
            label = ", ".join("\\fB" + roff(name) + "\\fR" for name in option.names)
            out += [".TP", label + (" \\fIVALUE\\fR" if option.takes_value else ""), roff(option.description)]
    out += [
        ".SH OPTIONS",
        ".TP", "\\fB\\-h\\fR, \\fB\\-\\-help\\fR", "Print a command's help, with its options and exit codes.",
        ".TP", "\\fB\\-\\-version\\fR", "Print the version.",
        ".SH EXIT STATUS",
        roff(root.footer.replace("Exit codes: ", "")),
        ".SH ENVIRONMENT",
        ".TP", ".B KEYSWEEP_CACHE_DIR", "Where compiled rule databases are cached.",
        ".TP", ".B KEYSWEEP_STORE", "The inventory store.",
        ".TP", ".B DD_SITE", "The Datadog site for inventory sync and \\-\\-verify.",
        ".TP", ".BR DD_API_KEY \", \" DD_APP_KEY \", \" DD_ACCESS_TOKEN",
        "Credentials for inventory sync (and DD_API_KEY to pair with application keys under \\-\\-verify).",
        ".TP", ".B NO_COLOR", "No colour with \\-\\-color auto.",
        ".TP", ".B KEYSWEEP", "The keysweep binary the git hooks run.",
        ".SH FILES",
        ".TP", ".I .keysweep.toml", "The project configuration, looked up from the scanned directory upwards.",
        ".TP", ".I /usr/share/keysweep/hooks/", "The git hook scripts (\\fBkeysweep hook install\\fR installs the same scripts, built into the binary) and CI recipes.",
        ".SH SEE ALSO",
        ".BR git (1),",
        ".BR gitleaks (1)",
    ]
    return "\n".join(line for line in out if line != "") + "\n"


# -- completions -------------------------------------------------------------

def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def bash_completion(root):
    commands = list(all_commands(root))
    out = ["# bash completion for keysweep (generated from its --help)", "_keysweep() {",
           '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
           '  local path="" word i',
           '  for ((i = 1; i < COMP_CWORD; i++)); do',
           '    word="${COMP_WORDS[i]}"',
           '    case "$path/$word" in']
    for command in commands:
        for sub in command.subcommands:
            out.append(f'      {shell_quote("/".join([""] + command.path) + "/" + sub.path[-1])}) '
                       f'path="$path/{sub.path[-1]}" ;;')
    out += ['    esac', '  done', '  local subcommands="" flags="" valued="" choices=""', '  case "$path" in']
    for command in commands:
        flags = [name for option in command.options for name in option.names]
        valued = [name for option in command.options if option.takes_value for name in option.names]
        out += [f'    {shell_quote("/".join([""] + command.path))})',
                f'      subcommands={shell_quote(" ".join(sub.path[-1] for sub in command.subcommands))}',
                f'      flags={shell_quote(" ".join(flags))}',
                f'      valued={shell_quote(" ".join(valued))}',
                '      case "$prev" in']
        for option in command.options:
            if option.takes_value and value_choices(option):
                out.append(f'        {"|".join(option.names)}) choices={shell_quote(" ".join(value_choices(option)))} ;;')
        out += ['      esac ;;']
    out += ['  esac',
            '  # After an option that takes a value: its values where they are known, else files.',
            '  if [[ " $valued " == *" $prev "* ]]; then',
            '    if [[ -n "$choices" ]]; then COMPREPLY=($(compgen -W "$choices" -- "$cur"))',
            '    else COMPREPLY=($(compgen -f -- "$cur")); fi',
            '    return',
            '  fi',
            '  if [[ "$cur" == -* ]]; then',
            '    COMPREPLY=($(compgen -W "$flags" -- "$cur"))',
            '  elif [[ -n "$subcommands" ]]; then',
            '    COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))',
            '  else',
            '    COMPREPLY=($(compgen -f -- "$cur"))',
            '  fi',
            '}',
            'complete -o filenames -F _keysweep keysweep']
    return "\n".join(out) + "\n"


def zsh_escape(text):
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def zsh_completion(root):
    out = ["#compdef keysweep", "# zsh completion for keysweep (generated from its --help)", "",
           "_keysweep() {",
           "  local path='' word index=1 i",
           "  for (( i = 2; i < CURRENT; i++ )); do",
           "    word=${words[i]}",
           "    case \"$path/$word\" in"]
    commands = list(all_commands(root))
    for command in commands:
        for sub in command.subcommands:
            out.append(f"      {shell_quote('/'.join([''] + command.path) + '/' + sub.path[-1])}) "
                       f"path=\"$path/{sub.path[-1]}\"; index=$i ;;")
    out += ["    esac", "  done",
            "  # The words from the innermost command on, as _arguments expects them.",
            "  (( CURRENT -= index - 1 ))",
            "  words=(\"${(@)words[index,-1]}\")",
            "  case $path in"]
    for command in commands:
        out.append(f"    {shell_quote('/'.join([''] + command.path))})")
        specs = []
        for option in command.options:
            choices = value_choices(option)
            value = (f":value:({' '.join(choices)})" if choices else ":value:_files") if option.takes_value else ""
            repeat = "*" if "repeatable" in option.description else ""
            for name in option.names:
                specs.append(shell_quote(f"{repeat}{name}[{zsh_escape(option.description)}]{value}"))
        if command.positionals:
            specs.append(shell_quote("*:file:_files"))
        if command.subcommands:
            entries = " ".join(shell_quote(sub.path[-1] + ":" + sub.description.replace(":", "\\:"))
                               for sub in command.subcommands)
            out += [f"      local -a subcommands=({entries})",
                    "      if (( CURRENT == 2 )) && [[ ${words[CURRENT]} != -* ]]; then",
                    "        _describe -t commands 'keysweep command' subcommands",
                    "      else",
                    "        _arguments -S " + " ".join(specs),
                    "      fi ;;"]
        else:
            out.append("      _arguments -S " + " ".join(specs) + " ;;")
    out += ["  esac", "}", "", '_keysweep "$@"']
    return "\n".join(out) + "\n"


def fish_completion(root):
    out = ["# fish completion for keysweep (generated from its --help)", "complete -c keysweep -f"]
    for command in all_commands(root):
        if command.path:
            condition = f"__fish_seen_subcommand_from {command.path[0]}"
            for word in command.path[1:]:
                condition += f"; and __fish_seen_subcommand_from {word}"
        else:
            condition = "not __fish_seen_subcommand_from " + " ".join(sub.path[-1] for sub in root.subcommands)
        if command.subcommands:
            names = " ".join(sub.path[-1] for sub in command.subcommands)
            here = condition + (f"; and not __fish_seen_subcommand_from {names}" if command.path else "")
            for sub in command.subcommands:
                out.append(f"complete -c keysweep -n {shell_quote(here)} -a {sub.path[-1]} "
                           f"-d {shell_quote(sub.description)}")
        for option in command.options:
            parts = [f"complete -c keysweep -n {shell_quote(condition)}"]
            if option.long:
                parts.append("-l " + option.long[2:])
            if option.short:
                parts.append("-s " + option.short[1:])
            if option.takes_value:
                choices = " ".join(value_choices(option))
                parts.append(f"-x -a {shell_quote(choices)}" if choices else "-r -F")
            parts.append("-d " + shell_quote(option.description))
            out.append(" ".join(parts))
        if command.positionals and not command.subcommands:
            out.append(f"complete -c keysweep -n {shell_quote(condition)} -F")
    return "\n".join(out) + "\n"


def main():
    binary, version, man_path, bash_path, zsh_path, fish_path = sys.argv[1:]
    root = read_command(binary, [])
    for path, text in ((man_path, man_page(root, version)), (bash_path, bash_completion(root)),
                       (zsh_path, zsh_completion(root)), (fish_path, fish_completion(root))):
        with open(path, "w") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
