"""Detection on real Datadog code (issue 10): keys found by their own names
in the shapes Datadog documents, other vendors' keys next to Datadog
settings left alone, and base64 values decoded under a Datadog name. Every
key here is made up."""
import base64
import json
import os
import unittest

import jsonschema

from harness import API_KEY, API_KEY_2, APP_KEY, SOURCE_ROOT, KeysweepTestCase

SCHEMA = os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")


class DetectionTest(KeysweepTestCase):
    def secrets_at(self, document):
        return sorted((f["path"], f["line"], f["rule_id"], f["secret"]) for f in document["findings"])

    def test_kubernetes_secret_data_is_decoded_and_reported_at_the_encoded_value(self):
        encoded = base64.b64encode(API_KEY.encode()).decode()
        self.write("deploy/datadog-secret.yaml",
                   "apiVersion: v1\nkind: Secret\nmetadata:\n  name: datadog-secret\ntype: Opaque\n"
                   f"data:\n  api-key: {encoded}\n  ca.crt: {encoded}\n")
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(len(document["findings"]), 1, document["findings"])
        finding = document["findings"][0]
        self.assertEqual((finding["path"], finding["line"], finding["column"]),
                         ("deploy/datadog-secret.yaml", 7, 12))
        self.assertEqual(finding["secret"], API_KEY)  # the decoded key, as the inventory knows it
        self.assertEqual(finding["encoding"], "base64")
        self.assertEqual(finding["end_column"], 12 + len(encoded))

        # Redacted by default: neither the key nor its encoded form appears anywhere.
        for report_format in ("json", "sarif", "text", "junit"):
            result = self.run_keysweep("scan", "--format", report_format)
            self.assertEqual(result.code, 1, result.stderr)
            self.assertNotIn(API_KEY, result.stdout)
            self.assertNotIn(encoded, result.stdout, report_format)
        sarif = json.loads(self.run_keysweep("scan", "--format", "sarif").stdout)
        with open(SCHEMA, encoding="utf-8") as handle:
            jsonschema.validate(sarif, json.load(handle), cls=jsonschema.Draft7Validator)
        self.assertEqual(sarif["runs"][0]["results"][0]["properties"]["encoding"], "base64")

    def test_dual_shipping_keys_in_datadog_yaml(self):
        self.write("etc/datadog-agent/datadog.yaml",
                   f"api_key: {API_KEY}\nsite: datadoghq.com\n"
                   "additional_endpoints:\n"
                   '  "https://app.datadoghq.eu":\n'
                   f"  - {API_KEY_2}\n"
                   "logs_config:\n  additional_endpoints:\n"
                   f'  - api_key: "{API_KEY_2}"\n    Host: "agent-http-intake.logs.datadoghq.eu"\n')
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(self.secrets_at(document), [
            ("etc/datadog-agent/datadog.yaml", 1, "datadog-agent-config-api-key", API_KEY),
            ("etc/datadog-agent/datadog.yaml", 5, "datadog-agent-config-api-key", API_KEY_2),
            ("etc/datadog-agent/datadog.yaml", 8, "datadog-agent-config-api-key", API_KEY_2),
        ])
        # The same endpoints given to a container as JSON in an environment variable.
        self.write("compose.yaml",
                   "services:\n  agent:\n    environment:\n"
                   f"      DD_ADDITIONAL_ENDPOINTS: '{{\"https://app.datadoghq.eu\": [\"{API_KEY_2}\"]}}'\n")
        _, document = self.scan_json("--show-secrets", "compose.yaml")
        self.assertEqual([(f["rule_id"], f["secret"]) for f in document["findings"]],
                         [("datadog-api-key", API_KEY_2)])

    def test_dotnet_web_config_and_client_auth_names(self):
        self.write("Web.config",
                   "<configuration>\n  <appSettings>\n"
                   f'    <add key="DD_API_KEY" value="{API_KEY}" />\n'
                   f'    <add key="DD_APP_KEY" value="{APP_KEY}" />\n'
                   '    <add key="CacheHash" value="0d4f5b8a9c2e7b1d3f6a5c8e9b2d4f7a" />\n'
                   "  </appSettings>\n</configuration>\n")
        self.write("monitors.py",
                   "configuration = Configuration()\n"
                   f'configuration.api_key["appKeyAuth"] = "{APP_KEY}"\n')
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(self.secrets_at(document), [
            ("Web.config", 3, "datadog-api-key", API_KEY),
            ("Web.config", 4, "datadog-application-key", APP_KEY),
            ("monitors.py", 2, "datadog-application-key", APP_KEY),
        ])

    def test_a_vendor_key_next_to_datadog_settings_is_not_a_datadog_key(self):
        self.write(".env.production",
                   f"DD_SITE=datadoghq.com\nDD_SERVICE=shop\nALGOLIA_API_KEY={API_KEY}\n")
        self.write("config/services.yaml",
                   "provider: datadog\nmailchimp:\n"
                   f"  api_key: {API_KEY_2}-us21\n"
                   "sentry:\n"
                   f"  api_key: {API_KEY_2}\n")
        self.write("notebooks/report.ipynb",
                   '{"cells": [{"source": ["os.environ[\\"DD_SITE\\"] = \\"datadoghq.com\\"\\n",\n'
                   f'  "os.environ[\\"OPENWEATHER_API_KEY\\"] = \\"{API_KEY}\\"\\n"]}}]}}\n')
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(document["findings"], [])
        # ... while the Datadog names in the same shapes are found, escaped or not.
        self.write("notebooks/setup.ipynb",
                   f'{{"cells": [{{"source": ["os.environ[\\"DD_API_KEY\\"] = \\"{API_KEY}\\"\\n"]}}]}}\n')
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(self.secrets_at(document),
                         [("notebooks/setup.ipynb", 1, "datadog-api-key", API_KEY)])

    def test_a_datadog_name_needs_no_mention_of_datadog(self):
        # msiexec's APIKEY and Go's ddAPIKey, with "datadog" nowhere in the file.
        self.write("setup.cmd", f'msiexec /qn /i agent.msi APIKEY="{API_KEY}" SITE="datadoghq.eu"\n')
        self.write("keys.go", f'package main\n\nvar ddAPIKey string = "{API_KEY_2}"\n')
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(self.secrets_at(document), [
            ("keys.go", 3, "datadog-api-key", API_KEY_2),
            ("setup.cmd", 1, "datadog-api-key", API_KEY),
        ])

    def test_no_input_stops_being_scanned_part_way(self):
        # Four million keyword lines once made the matcher give up on the rest
        # of the file, and the key after them passed as "No secrets found".
        with open(os.path.join(self.tree, "flood.txt"), "w") as out:
            out.write("apikey datadog\n" * 4_000_000)
            out.write(f"DD_API_KEY={API_KEY}\n")
        result, document = self.scan_json("--show-secrets")
        self.assertEqual([(f["line"], f["secret"]) for f in document["findings"]], [(4_000_001, API_KEY)])
        self.assertEqual(result.stderr, "")

    def test_fallback_defaults_are_named_by_the_variable(self):
        self.write("compose.yaml", f"services:\n  agent:\n    environment:\n      DD_API_KEY: ${{DD_API_KEY:-{API_KEY}}}\n")
        self.write("app.js", f'const key = process.env.DD_API_KEY || "{API_KEY}";\n')
        self.write("app.py", f'key = os.environ.get("DD_API_KEY") or "{API_KEY}"\n')
        # Where the key is kept is not the key: a secret's ARN under a Datadog name.
        self.write("k8s.yaml", f"- name: DD_API_KEY_SECRET_ARN\n  value: arn:aws:secretsmanager:us-east-1:1:secret:{API_KEY_2}\n")
        _, document = self.scan_json("--show-secrets")
        self.assertEqual(sorted((f["path"], f["line"]) for f in document["findings"]),
                         [("app.js", 1), ("app.py", 1), ("compose.yaml", 4)])

    def test_a_found_key_is_redacted_wherever_a_snippet_shows_it(self):
        encoded = base64.b64encode(API_KEY.encode()).decode()
        self.write(".env.prod", f"DD_API_KEY={API_KEY}\n")
        # The same value again where no rule's context names it, and its base64 text.
        self.write("run.sh", f"docker run -e DD_APP_KEY={APP_KEY} -e KEY_ROTATED_FROM={API_KEY} datadog/agent\n"
                             f"export DD_API_KEY={API_KEY}  # encoded {encoded}\n"
                             f"export DD_API_KEY={API_KEY} {'x' * 150}{encoded}\n")
        for report_format in ("json", "text", "sarif", "junit"):
            result = self.run_keysweep("scan", "--format", report_format)
            self.assertEqual(result.code, 1, result.stderr)
            self.assertNotIn(API_KEY[:12], result.stdout, report_format)
            self.assertNotIn(encoded[:12], result.stdout, report_format)
            self.assertNotIn(encoded[-12:], result.stdout, report_format)

    def test_an_empty_output_path_is_a_usage_error(self):
        self.write("a.env", f"DD_API_KEY={API_KEY}\n")
        result = self.run_keysweep("scan", "-o", "", ".")
        self.assertEqual(result.code, 2)
        self.assertIn("empty path", result.stderr)
        self.assertEqual(result.stdout, "")


if __name__ == "__main__":
    unittest.main()
