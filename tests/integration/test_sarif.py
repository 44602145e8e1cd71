"""SARIF output validates against the official 2.1.0 schema and, where the
SARIF Multitool is installed (.ci/run installs it), passes its SARIF and
GitHub rule sets with nothing to report."""
import json
import os
import shutil
import subprocess
import unittest

import jsonschema

from harness import API_KEY, APP_KEY, RUM_TOKEN, SOURCE_ROOT, KeysweepTestCase

SCHEMA = os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")
MULTITOOL = os.environ.get("SARIF_MULTITOOL") or shutil.which("sarif-multitool")
PAT = "ddpat_7Hk2Lm9Pq3Rs8Tv1Wx4Yz6_Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq0aB1cD"


class SarifTest(KeysweepTestCase):
    def make_report(self):
        self.write("deploy/prod env/.env", f"DD_API_KEY={API_KEY}\nDD_APP_KEY={APP_KEY}\n")
        self.write("web/rum.js", f"datadogRum.init({{ clientToken: '{RUM_TOKEN}' }});\n")
        self.write("ci/token.sh", f"export DD_ACCESS_TOKEN={PAT}\n")
        os.symlink("missing", os.path.join(self.tree, "dangling"))
        path = os.path.join(self.tmp, "report.sarif")
        result = self.run_keysweep("scan", "--format", "sarif", "-o", path, ".")
        self.assertEqual(result.code, 1, result.stderr)
        with open(path) as handle:
            return path, json.load(handle)

    def test_validates_against_the_sarif_2_1_0_schema(self):
        _, document = self.make_report()
        with open(SCHEMA) as handle:
            schema = json.load(handle)
        jsonschema.validate(document, schema, cls=jsonschema.Draft7Validator)
        run = document["runs"][0]
        # Four secrets, and the committed .env file's two credentials (a lint check).
        self.assertEqual(sorted(r["ruleId"] for r in run["results"] if r["ruleId"].startswith("env-file")),
                         ["env-file-datadog-credentials"] * 2)
        run["results"] = [r for r in run["results"] if r["ruleId"].startswith("datadog-")]
        self.assertEqual(len(run["results"]), 4)
        self.assertEqual({r["properties"]["keyType"] for r in run["results"]},
                         {"api_key", "application_key", "rum_client_token", "personal_access_token"})
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
        self.assertIn("deploy/prod%20env/.env", uris)
        notes = run["invocations"][0]["toolExecutionNotifications"]
        self.assertEqual([n["message"]["text"] for n in notes], ["dangling: broken symlink."])
        pat = [r for r in run["results"] if r["properties"]["keyType"] == "personal_access_token"][0]
        self.assertEqual(pat["properties"]["checksum"], "invalid")

    def test_a_broken_document_fails_the_schema(self):
        # The validation above can fail: a result without a message is rejected.
        _, document = self.make_report()
        del document["runs"][0]["results"][0]["message"]
        with open(SCHEMA) as handle:
            schema = json.load(handle)
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(document, schema, cls=jsonschema.Draft7Validator)

    def multitool_results(self, path):
        output = path + ".validation.sarif"
        completed = subprocess.run(
            [MULTITOOL, "validate", path, "-o", output, "--log", "ForceOverwrite",
             "--level", "Error", "Warning", "--kind", "Fail", "--rule-kind", "Sarif", "Gh"],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        with open(output) as handle:
            text = handle.read()
        return text, json.loads(text)["runs"][0].get("results", [])

    @unittest.skipUnless(MULTITOOL, "sarif-multitool is not installed (.ci/run installs it)")
    def test_sarif_multitool_reports_nothing(self):
        path, _ = self.make_report()
        raw, results = self.multitool_results(path)
        self.assertEqual(results, [], raw)
        # And it does report a document GitHub would reject.
        with open(path) as handle:
            document = json.load(handle)
        document["runs"][0]["results"][0]["ruleIndex"] = 99
        broken = os.path.join(self.tmp, "broken.sarif")
        with open(broken, "w") as handle:
            json.dump(document, handle)
        _, results = self.multitool_results(broken)
        self.assertIn("SARIF1009", {r["ruleId"] for r in results})


if __name__ == "__main__":
    unittest.main()
