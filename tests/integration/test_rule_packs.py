"""Rule files users bring from other scanners: gitleaks' configuration format
as published (every field its default configuration uses, [extend], composite
rules, its valid and invalid test configurations re-created here), and Nosey
Parker's and Kingfisher's YAML rule packs."""
import json
import os
import re
import unittest

from gitrepo import GitRepo
from harness import KeysweepTestCase

# Made-up values in the shapes of real tokens.
GITHUB_PAT = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
AIRTABLE_PAT = "patAbCdEfGhIjKlMn." + "0123456789abcdef" * 4
LOB_KEY = "live_" + "0a1b2c3d4e5f6a7b8c9d0e1f2a3"

# A configuration shaped like gitleaks' published default: the fields it uses
# (title, minVersion, a global [allowlist], rules with description, regex,
# secretGroup, entropy, keywords, path, [[rules.allowlists]] with regexTarget,
# regexes, paths, stopwords and condition) and a path-only rule.
DEFAULT_SHAPED = r"""
title = "gitleaks config"
minVersion = "v8.25.0"

[allowlist]
description = "global allow lists"
paths = ['''(?i)\.(?:png|jpe?g)$''', '''(?:^|/)vendor/''']
regexes = ['''(?i)^true|false|null$''']
stopwords = ["014df517-39d1-4453-b7b3-9930c563627c"]

[[rules]]
id = "airtable-personnal-access-token"
description = "Airtable personal access token"
regex = '''\b(pat[[:alnum:]]{14}\.[a-f0-9]{64})\b'''
keywords = ["airtable"]

[[rules]]
id = "github-pat"
description = "GitHub personal access token"
regex = '''ghp_[0-9a-zA-Z]{36}'''
entropy = 3
keywords = ["ghp_"]
[[rules.allowlists]]
paths = ['''(?:^|/)@octokit/auth-token/README\.md$''']

[[rules]]
id = "generic-api-key"
description = "Generic API key"
regex = '''(?i)[\w.-]{0,50}?(?:access|auth|api|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150})(?:[\x60'"\s;]|\\[nr]|$)'''
entropy = 3.5
keywords = ["access", "api", "auth", "key", "passwd", "password", "secret", "token"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''(?i)example''']
[[rules.allowlists]]
condition = "AND"
paths = ['''^tests/''']
stopwords = ["fixture"]

[[rules]]
id = "lob-api-key"
description = "Lob API key"
regex = '''(?i)[\w.-]{0,50}?(?:lob)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}((live|test)_[a-f0-9]{35})(?:[\x60'"\s;]|\\[nr]|$)'''
secretGroup = 1
keywords = ["test_", "live_"]

[[rules]]
id = "pkcs12-file"
description = "PKCS #12 file"
path = '''(?i)(?:^|/)[^/]+\.p(?:12|fx)$'''
"""


class GitleaksConfigTest(KeysweepTestCase):
    def scan(self, *args):
        return self.scan_json(*args)

    def test_a_config_shaped_like_the_published_default_loads_and_scans(self):
        config = self.write("../gitleaks.toml", DEFAULT_SHAPED)
        # The Airtable keyword is far from the token and not in its match: gitleaks' semantics.
        self.write("app/airtable.py", "# Airtable client\n" + "\n" * 80 + f"TOKEN_VALUE = '{AIRTABLE_PAT}'\n")
        self.write("app/nokeyword.py", f"VALUE = '{AIRTABLE_PAT}'\n")
        # A GitHub token under a generic name: the specific rule reports it, not generic-api-key.
        self.write("app/settings.py", f'api_token = "{GITHUB_PAT}"\n')
        self.write("app/generic.py", 'auth_secret = "Zx81Qw93Er27Ty65Ui04"\n')
        self.write("app/documented.py", 'auth_secret = "Zx81Qw93Er27Ty65Ui04"  # example\n')
        self.write("tests/fixture.py", 'auth_secret = "fixture9Qw93Er27Ty65"\n')
        self.write("certs/client.p12", "not really a certificate\n")
        self.write("vendor/lib.py", f'token = "{GITHUB_PAT}"\n')
        self.write("vendor/certs/site.p12", "allowlisted by the global allowlist's paths\n")
        result, document = self.scan("--rules", config, ".")
        self.assertEqual(result.code, 1, result.stderr)
        places = {(f["path"], f["rule_id"]) for f in document["findings"]}
        self.assertEqual(places, {
            ("app/airtable.py", "airtable-personnal-access-token"),
            ("app/settings.py", "github-pat"),
            ("app/generic.py", "generic-api-key"),
            ("certs/client.p12", "pkcs12-file"),
        })
        self.assertNotIn("error", result.stderr)

    def test_a_rule_whose_regex_spells_no_keyword_finds_the_same_from_the_cached_database(self):
        # Airtable's regex is scanned in a database of its own, only over files
        # that hold its keyword; the second run loads that database from the cache.
        config = self.write("../gitleaks.toml", DEFAULT_SHAPED)
        self.write("app/airtable.py", "# Airtable client\n" + "\n" * 80 + f"TOKEN_VALUE = '{AIRTABLE_PAT}'\n")
        self.write("app/nokeyword.py", f"VALUE = '{AIRTABLE_PAT}'\n")
        cold = self.scan("--rules", config, ".")
        # The main entry, and the screens of rules whose keyword windows opened.
        entries = [name for name in os.listdir(self.cache) if not name.startswith("hs-screen-")]
        self.assertEqual(len(entries), 1)
        written = {name: os.stat(os.path.join(self.cache, name)) for name in os.listdir(self.cache)}
        warm = self.scan("--rules", config, ".")
        loaded = {name: os.stat(os.path.join(self.cache, name)) for name in os.listdir(self.cache)}
        # Loaded, not rewritten: a rewrite is a new file renamed over the old one.
        self.assertEqual({name: (entry.st_ino, entry.st_mtime_ns) for name, entry in written.items()},
                         {name: (entry.st_ino, entry.st_mtime_ns) for name, entry in loaded.items()})
        for result, document in (cold, warm):
            self.assertEqual(result.code, 1, result.stderr)
            self.assertEqual({(f["path"], f["rule_id"]) for f in document["findings"]},
                             {("app/airtable.py", "airtable-personnal-access-token")})

    def test_a_later_rule_replaces_a_builtin_one_with_a_note(self):
        config = self.write("../mine.toml", (
            "[[rules]]\nid = \"datadog-application-key-v2\"\ndescription = \"mine\"\n"
            "regex = '''\\b(ddapp_[a-z]{4})\\b'''\nkeywords = [\"ddapp_\"]\n"))
        self.write("a.txt", "x = ddapp_abcd\n")
        result, document = self.scan("--rules", config, ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertIn(f"{config}:1: rule 'datadog-application-key-v2' replaces the rule of that id from "
                      "builtin:datadog.toml", result.stderr)
        self.assertEqual([f["rule_id"] for f in document["findings"]], ["datadog-application-key-v2"])

    def test_extend_refines_and_disables_rules_of_its_base(self):
        self.write("../conf/base.toml", (
            "title = \"base\"\n[[rules]]\nid = \"aws-access-key\"\ndescription = \"AWS\"\n"
            "regex = '''(?:AKIA|ASIA)[A-Z0-9]{16}'''\ntags = [\"key\"]\n"
            "[[rules]]\nid = \"custom-rule1\"\nregex = '''[Cc]ustom!'''\n"))
        config = self.write("../conf/top.toml", (
            "[extend]\npath = \"base.toml\"\ndisabledRules = [\"custom-rule1\"]\n"
            "[[rules]]\nid = \"aws-access-key\"\n"
            "[[rules.allowlists]]\nregexes = ['''AKIALALEMEL33243OLIA''']\n"))
        self.write("keys.txt", "a = AKIAQWERTYUIOPASDFGH\nb = AKIALALEMEL33243OLIA\nc = Custom!\n")
        result, document = self.scan("--rules", config, ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual([(f["rule_id"], f["line"]) for f in document["findings"]], [("aws-access-key", 1)])
        listed = json.loads(self.run_keysweep("rules", "list", "--format", "json", "--rules", config).stdout)
        aws = [rule for rule in listed if rule["id"] == "aws-access-key"]
        self.assertEqual(aws[0]["description"], "AWS")
        self.assertEqual(aws[0]["tags"], ["key"])

    def test_extend_use_default_disables_builtin_rules(self):
        config = self.write("../conf.toml", (
            "[extend]\nuseDefault = true\ndisabledRules = [\"datadog-application-key-v2\"]\n"
            "[[rules]]\nid = \"generic-api-key\"\n[[rules.allowlists]]\npaths = ['''x''']\n"))
        result = self.run_keysweep("rules", "list", "--format", "json", "--rules", config)
        self.assertEqual(result.code, 0, result.stderr)
        ids = {rule["id"] for rule in json.loads(result.stdout)}
        self.assertNotIn("datadog-application-key-v2", ids)
        self.assertIn("datadog-api-key", ids)
        # gitleaks' default has generic-api-key; keysweep's does not: a note, not a refusal.
        self.assertIn("rule 'generic-api-key' refines no rule of the extended rules: ignored", result.stderr)

    def test_composite_rules_report_the_primary_only_with_its_required_rule_near(self):
        config = self.write("../composite.toml", (
            "[[rules]]\nid = \"primary-rule\"\nregex = 'password\\s*=\\s*\"([^\"]+)\"'\n"
            "[[rules.required]]\nid = \"username-rule\"\nwithinLines = 2\n"
            "[[rules]]\nid = \"username-rule\"\nregex = 'username\\s*=\\s*\"([^\"]+)\"'\nskipReport = true\n"))
        self.write("near.ini", 'username = "ada"\npassword = "s3cr3t-pass"\n')
        self.write("far.ini", 'username = "ada"\n' + "\n" * 5 + 'password = "s3cr3t-pass"\n')
        self.write("alone.ini", 'password = "s3cr3t-pass"\n')
        result, document = self.scan("--rules", config, ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual([(f["path"], f["rule_id"]) for f in document["findings"]], [("near.ini", "primary-rule")])

    def test_betterleaks_and_unknown_fields_load_with_warnings(self):
        config = self.write("../betterleaks.toml", (
            "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{12}'''\nkeywords = [\"acme_\"]\n"
            "specificity = 3\nvalidate = '''cel'''\nprefilter = 'x'\nfilter = 'y'\nsurprise = 1\n"))
        self.write("a.txt", "acme_abcdefghijkl\n")
        result, document = self.scan("--rules", config, ".")
        self.assertEqual(result.code, 1, result.stderr)
        for field in ("specificity", "validate", "prefilter", "filter"):
            self.assertIn(f"rule 'acme': '{field}' (betterleaks) is not honoured", result.stderr)
        self.assertIn("rule 'acme': unknown field 'surprise' ignored", result.stderr)
        self.assertEqual(len(document["findings"]), 1)

    def test_gitleaks_invalid_configurations_are_refused_with_the_reason(self):
        cases = {
            "empty_allowlist.toml": ("[[allowlists]]\n", "an allowlist needs at least one of"),
            "old_and_new.toml": ("[allowlist]\nregexes = ['''1''']\n[[allowlists]]\nregexes = ['''2''']\n",
                                 "cannot be used together"),
            "bad_target.toml": ("[[allowlists]]\nregexTarget = \"mtach\"\nregexes = ['''4''']\n",
                                "regexTarget must be secret, match or line, not 'mtach'"),
            "missing_target.toml": ("[[rules]]\nid = \"a\"\nregex = '''a{3}'''\n[[allowlists]]\n"
                                    "targetRules = [\"a\", \"b\"]\nregexes = ['''x''']\n",
                                    "targetRules: no rule 'b'"),
            "no_regex.toml": ("[[rules]]\nid = 'discord'\ndescription = \"Discord\"\n",
                              "rule 'discord': a rule needs a non-empty 'regex' or 'path'"),
            "missing_id.toml": ("[[rules]]\nregex = '''abc'''\n", "a rule needs a non-empty string 'id'"),
            "bad_group.toml": ("[[rules]]\nid = 'd'\nregex = '''(a)(b)'''\nsecretGroup = 5\n",
                               "secretGroup 5 is larger than the regex's 2 capture groups"),
            "missing_base.toml": ("[extend]\npath = \"nowhere.toml\"\n", "[extend] path: "),
        }
        for name, (text, reason) in cases.items():
            with self.subTest(name):
                config = self.write("../" + name, text)
                result = self.run_keysweep("scan", "--rules", config, ".")
                self.assertEqual(result.code, 2, result.stderr)
                self.assertIn(config, result.stderr)
                self.assertIn(reason, result.stderr)

    def test_gitleaks_valid_configurations_load(self):
        cases = {
            "global_only.toml": "[allowlist]\nstopwords = [\"0989c462-69c9-49fa-b7d2-30dc5c576a97\"]\n",
            "targets.toml": ("[[rules]]\nid = \"a\"\nregex = '''(?:ghu|ghs)_[0-9a-zA-Z]{36}'''\n"
                             "[[allowlists]]\nregexes = ['''.*fake.*''']\n"
                             "[[allowlists]]\ntargetRules = [\"a\"]\npaths = ['''README\\.md$''']\n"),
            "old_rule_allowlist.toml": "[[rules]]\nid = \"e\"\nregex = '''example\\d+'''\n[rules.allowlist]\nregexes = ['''123''']\n",
            "commits.toml": "[[rules]]\nid = \"c\"\nregex = '''AKIA[A-Z0-9]{16}'''\n[[rules.allowlists]]\ncommits = ['''abc''']\n",
            "long_repeat.toml": "[[rules]]\nid = \"pypi\"\nregex = '''pypi-AgEIcHlwaS5vcmc[A-Za-z0-9\\-_]{50,1000}'''\n",
            "path_only.toml": "[[rules]]\nid = \"py\"\ndescription = \"Python Files\"\npath = '''.py'''\n",
        }
        for name, text in cases.items():
            with self.subTest(name):
                config = self.write("../" + name, text)
                result = self.run_keysweep("rules", "check", config)
                self.assertEqual(result.code, 0, result.stderr + result.stdout)
                self.assertNotIn("warning", result.stderr)


NOSEY_PARKER_PACK = r"""
rules:

- name: Acme Access Token
  id: np.acme.1
  pattern: |
    (?x)(?i)
    \b
    (
      acme_live_       # the prefix
      [a-f0-9]{32}     (?# the body )
    )
    (?: [^a-z0-9] | $ )
  categories: [api, secret]
  references:
  - https://acme.example/docs/tokens
  examples:
  - 'ACME_TOKEN=acme_live_0123456789abcdef0123456789abcdef'
  negative_examples:
  - 'acme_live_0123456789abcdef'

- name: Acme Login
  id: np.acme.2
  pattern: 'acme\ login:\ (?<user>[a-z]+)'
  examples:
  - 'acme login: ada'

- name: Too Long
  id: np.acme.3
  pattern: '(?:ab){1001}'
  examples:
  - 'abab'
"""

KINGFISHER_PACK = r"""
rules:
  - name: Widget API Key
    id: kingfisher.widget.1
    pattern: |
      (?xi)
      \b
      widget
      (?:.|[\n\r]){0,32}?
      \b
      (
        [a-z0-9]{40}
      )
      \b
    min_entropy: 3.0
    confidence: medium
    examples:
      - widget_key = 0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b
    validation:
      type: Http
      content:
        request:
          url: https://widget.example/api
    depends_on_rule:
      - rule_id: kingfisher.widget.2
        variable: ID
"""


class PeerRulePackTest(KeysweepTestCase):
    def test_a_nosey_parker_pack_scans_and_skips_what_re2_cannot_run(self):
        pack = self.write("../np/acme.yml", NOSEY_PARKER_PACK)
        self.write("app.env", "ACME_TOKEN=acme_live_0123456789abcdef0123456789abcdef\nacme login: grace\n")
        result, document = self.scan_json("--rules", pack, ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual(sorted(f["rule_id"] for f in document["findings"]), ["np.acme.1", "np.acme.2"])
        self.assertIn(f"{pack}:28: rule 'np.acme.3' skipped: its pattern cannot run in RE2", result.stderr)
        # The token is redacted in the report like any other.
        self.assertNotIn("0123456789abcdef0123456789abcdef", json.dumps(document))

    def test_rules_check_runs_the_packs_examples(self):
        pack = self.write("../np/acme.yml", NOSEY_PARKER_PACK)
        result = self.run_keysweep("rules", "check", pack)
        self.assertEqual(result.code, 0, result.stdout + result.stderr)
        self.assertIn("2 rules, 3 examples: all pass", result.stdout)
        broken = self.write("../np/broken.yml", NOSEY_PARKER_PACK.replace(
            "'acme_live_0123456789abcdef'", "'acme_live_0123456789abcdef0123456789abcdef'"))
        result = self.run_keysweep("rules", "check", broken)
        self.assertEqual(result.code, 1)
        self.assertIn("rule 'np.acme.1': negative example 1 matches", result.stdout)

    def test_a_kingfisher_pack_loads_and_says_what_it_does_not_honour(self):
        pack = self.write("../kf/widget.yaml", KINGFISHER_PACK)
        self.write("conf.ini", "widget_key = 0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b\n")
        result, document = self.scan_json("--rules", os.path.dirname(pack), ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual([f["rule_id"] for f in document["findings"]], ["kingfisher.widget.1"])
        self.assertIn("'validation' of 1 rules is not honoured", result.stderr)
        self.assertIn("'depends_on_rule' of 1 rules is not honoured", result.stderr)

    def test_a_yaml_file_that_is_not_a_pack_is_refused(self):
        pack = self.write("../np/other.yml", "name: not rules\n")
        result = self.run_keysweep("scan", "--rules", pack, ".")
        self.assertEqual(result.code, 2)
        self.assertIn(f"{pack}: not a rule pack: no 'rules:' list", result.stderr)
        pack = self.write("../np/bad.yml", "rules: [\n")
        result = self.run_keysweep("scan", "--rules", pack, ".")
        self.assertEqual(result.code, 2)
        self.assertIn(f"{pack}:", result.stderr)
        self.assertIn("invalid YAML", result.stderr)


GITHUB_RULE = "[[rules]]\nid = \"github-pat\"\nregex = '''ghp_[0-9a-zA-Z]{36}'''\n"


class GitleaksIgnoreTest(KeysweepTestCase):
    def test_fingerprints_of_files_are_honoured(self):
        config = self.write("../github.toml", GITHUB_RULE)
        self.write("a/one.py", f"token = '{GITHUB_PAT}'\n")
        self.write("a/two.py", f"\ntoken = '{GITHUB_PAT}'\n")
        self.write(".gitleaksignore", "# judged in review\na/one.py:github-pat:1\na/two.py:github-pat:1  # wrong line\n")
        result, document = self.scan_json("--rules", config, ".")
        self.assertEqual(result.code, 1, result.stderr)
        self.assertEqual([(f["path"], f["line"]) for f in document["findings"]], [("a/two.py", 2)])
        self.assertEqual(document["summary"]["baselined"], 1)

    def test_fingerprints_of_history_name_the_commit(self):
        config = self.write("../github.toml", GITHUB_RULE)
        repo = GitRepo(os.path.join(self.tmp, "repo"))
        first = repo.commit("one", "2024-01-02T10:00:00+00:00", files={"ci/one.sh": f"T={GITHUB_PAT}\n"})
        repo.commit("two", "2024-01-03T10:00:00+00:00", files={"ci/two.sh": f"\nT={GITHUB_PAT}\n"})
        repo.write(".gitleaksignore", f"{first}:ci/one.sh:github-pat:1\nci/two.sh:github-pat:2\n")
        result, document = self.scan_json("--rules", config, "--history", repo.path)
        self.assertEqual(result.code, 1, result.stderr)
        # The second fingerprint has no commit: gitleaks' form for files, not for history.
        self.assertEqual([f["path"] for f in document["findings"]], ["ci/two.sh"])


class RulesListTest(KeysweepTestCase):
    def test_columns_never_run_together(self):
        pack = self.write("../kf/widget.yaml", KINGFISHER_PACK.replace(
            "kingfisher.widget.1", "kingfisher.a-very-long-rule-identifier-of-forty-chars.1"))
        result = self.run_keysweep("rules", "list", "--rules", pack)
        self.assertEqual(result.code, 0, result.stderr)
        lines = result.stdout.splitlines()
        header = lines[0]
        starts = [header.index(column) for column in ("KEY TYPE", "SEVERITY", "NAME")]
        for line in lines[1:]:
            for start in starts:
                # Every cell ends before the next column starts, with a space between.
                self.assertEqual(line[start - 1], " ", line)
        self.assertTrue(any(re.match(r"kingfisher\.a-very-long\S+\s{2,}generic\s", line) for line in lines))


if __name__ == "__main__":
    unittest.main()
