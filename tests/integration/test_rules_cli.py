"""`keysweep rules list` and `keysweep rules check` on the built-in rules and
on a user's own rule files."""
import glob
import json
import os
import unittest

from harness import SOURCE_ROOT, KeysweepTestCase


class RulesCliTest(KeysweepTestCase):
    def test_builtin_rules_pass_their_own_check(self):
        result = self.run_keysweep("rules", "check")
        self.assertEqual(result.code, 0, result.stdout)
        self.assertRegex(result.stdout, r"25 rules, \d+ examples: all pass")

    def test_the_rule_files_in_the_source_tree_pass_too(self):
        files = sorted(glob.glob(os.path.join(SOURCE_ROOT, "rules", "*.toml")))
        self.assertTrue(files)
        result = self.run_keysweep("rules", "check", *files)
        self.assertEqual(result.code, 0, result.stdout)

    def test_rules_list(self):
        result = self.run_keysweep("rules", "list")
        self.assertEqual(result.code, 0)
        self.assertIn("datadog-api-key", result.stdout)
        listed = json.loads(self.run_keysweep("rules", "list", "--format", "json").stdout)
        self.assertEqual(
            {rule["key_type"] for rule in listed if not rule["check"]},
            {"api_key", "application_key", "personal_access_token", "service_access_token",
             "rum_client_token"})
        self.assertEqual({rule["check"] for rule in listed}, {None, "repository", "inventory"})

    def test_a_failing_example_fails_the_check_with_exit_1(self):
        rules = self.write("acme.toml", (
            "[[rules]]\nid = \"acme\"\nregex = '''acme_([a-z0-9]{10})'''\nkeywords = [\"acme_\"]\n"
            "examples = [\"acme_k3j9x2m8q7\", \"ACME-nope\"]\n"
            "negative_examples = [\"acme_p5r8t2v6y4\"]\n"))
        result = self.run_keysweep("rules", "check", rules)
        self.assertEqual(result.code, 1)
        self.assertIn(f"{rules}: rule 'acme': example 2 does not match: ACME-nope", result.stdout)
        self.assertIn(f"{rules}: rule 'acme': negative example 1 matches", result.stdout)
        self.assertIn("1 rules, 3 examples: 2 problems", result.stdout)

    def test_gitleaks_style_rules_without_examples_load_with_a_note(self):
        rules = self.write("gitleaks.toml", (
            "title = \"gitleaks config\"\n[[rules]]\nid = \"generic-token\"\n"
            "description = \"Generic token\"\nregex = '''(?i)token\\s*=\\s*\"([a-z0-9]{16})\"'''\n"
            "secretGroup = 1\nentropy = 3.5\nkeywords = [\"token\"]\n"
            "[rules.allowlist]\nregexes = ['''^test''']\n"))
        result = self.run_keysweep("rules", "check", rules)
        self.assertEqual(result.code, 0, result.stdout + result.stderr)
        self.assertIn("rule 'generic-token': note: no examples to check", result.stdout)

    def test_an_out_of_range_secret_group_or_nan_entropy_is_a_usage_error(self):
        # Found by fuzzing: secretGroup 2^31 wrapped to a negative group and nan turned entropy off.
        for field, reason in (("secretGroup = 2147483648", "'secretGroup' must be a non-negative integer"),
                              ("entropy = nan", "'entropy' must be a non-negative number")):
            rules = self.write("acme.toml", "[[rules]]\nid = \"acme\"\nregex = '''(acme_[a-z0-9]{10})'''\n"
                               + field + "\n")
            result = self.run_keysweep("rules", "check", rules)
            self.assertEqual(result.code, 2, result.stdout + result.stderr)
            self.assertIn(f"{rules}:4: rule 'acme': {reason}", result.stderr)

    def test_a_regex_hyperscan_cannot_take_without_keywords_is_a_usage_error(self):
        rules = self.write("greek.toml", "[[rules]]\nid = \"greek\"\nregex = '''\\p{Greek}+'''\n")
        result = self.run_keysweep("rules", "check", rules)
        self.assertEqual(result.code, 2)
        self.assertIn(f"{rules}: rule 'greek': Hyperscan cannot compile the regex", result.stderr)


if __name__ == "__main__":
    unittest.main()
