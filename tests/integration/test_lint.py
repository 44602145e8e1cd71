"""Credential-management lint: `inventory audit` over fixture inventories
(Datadog API JSON) with keys at the edges of each threshold, evaluated with
--now, and the repository checks of `keysweep scan` on fixture repositories,
each with a case that must fire and a near miss that must not."""
import hashlib
import json
import os

import jsonschema

from datadog_stub import access_token_record, api_key_record, application_key_record, user_record
from gitrepo import GitRepo
from harness import API_KEY, API_KEY_2, APP_KEY, RUM_TOKEN, SOURCE_ROOT, KeysweepTestCase

NOW = "2026-06-01T00:00:00Z"
SCHEMA = os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")


def days_before(days):
    # NOW minus whole days, in the API's format.
    import datetime
    moment = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")


def days_after(days):
    import datetime
    moment = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


class AuditTest(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.store = os.path.join(self.tmp, "inventory.db")
        users = [user_record("u-jane", "Jane Doe", "jane@example.com"),
                 user_record("u-gone", "Gone Person", "gone@example.com", disabled=True)]
        api_keys = [
            api_key_record("api-unused-90", "payments-ingest-prod", "0001", created=days_before(30), last_used=days_before(90)),
            api_key_record("api-unused-89", "payments-ingest-staging", "0002", created=days_before(30), last_used=days_before(89)),
            api_key_record("api-rotate-90", "search-ingest-prod", "0003", created=days_before(90), last_used=days_before(1)),
            api_key_record("api-rotate-89", "search-ingest-staging", API_KEY[-4:], created=days_before(89),
                           last_used=days_before(1)),
            api_key_record("api-generic", "API Key", "0005", created=days_before(10), last_used=days_before(1)),
            api_key_record("api-person", "Jane Doe", "0006", created=days_before(10), last_used=days_before(1), creator="u-jane"),
        ]
        never = api_key_record("api-never-90", "billing-ingest-prod", "0007", created=days_before(90), last_used=None)
        never_recent = api_key_record("api-never-89", "billing-ingest-dev", "0008", created=days_before(89), last_used=None)
        app_keys = [
            application_key_record("app-unscoped", "ci-terraform-prod", "a001", scopes=None, owner="u-jane",
                                   created=days_before(10), last_used=days_before(1)),
            application_key_record("app-scoped", "ci-dashboards-prod", "a002", scopes=["dashboards_read"],
                                   owner="u-jane", created=days_before(10), last_used=days_before(1)),
            application_key_record("app-gone-owner", "reports-export-prod", "a003", scopes=["dashboards_read"],
                                   owner="u-gone", created=days_before(10), last_used=days_before(1)),
        ]
        no_owner = application_key_record("app-no-owner", "legacy-sync-prod", "a004", scopes=["monitors_read"],
                                          created=days_before(10), last_used=days_before(1))
        del no_owner["relationships"]
        tokens = [
            access_token_record("pat-no-expiry", "jane-cli-laptop", "ddpat_JaneCliLaptop2026xx", None, owner="u-jane"),
            access_token_record("pat-91-days", "jane-ci-bot", "ddpat_JaneCiBot2026xxxxxx", days_after(91), owner="u-jane"),
            access_token_record("pat-90-days", "jane-ci-deploy", "ddpat_JaneCiDeploy2026xxx", days_after(90), owner="u-jane"),
            access_token_record("pat-expired", "key1", "ddpat_OldToken2024xxxxxxx", days_before(1), owner="u-jane"),
        ]
        documents = [
            {"data": api_keys + [never, never_recent], "included": users, "meta": {"page": {"total_count": 8}}},
            {"data": app_keys + [no_owner], "included": users, "meta": {"page": {"total_count": 4}}},
            {"data": tokens, "meta": {"page": {"total_count": 4}}},
        ]
        paths = []
        for index, document in enumerate(documents):
            path = os.path.join(self.tmp, f"listing-{index}.json")
            with open(path, "w") as handle:
                json.dump(document, handle)
            paths.append(path)
        # A single-object response gives one key's value, for the shared-key check.
        single = os.path.join(self.tmp, "single.json")
        with open(single, "w") as handle:
            json.dump({"data": dict(api_key_record("api-rotate-89", "search-ingest-staging", API_KEY[-4:]),
                                    attributes={"last4": API_KEY[-4:], "key": API_KEY})}, handle)
        result = self.run_keysweep("inventory", "import", "--store", self.store, *paths, single)
        self.assertEqual(result.code, 0, result.stderr)

    def audit(self, *args, code=1):
        result = self.run_keysweep("inventory", "audit", "--store", self.store, "--now", NOW, "--format", "json",
                                   "--no-config", *args)
        self.assertEqual(result.code, code, result.stderr)
        return {(f["rule_id"], f["key"]["id"] if f["key"] else None) for f in result.json()["findings"]}, result

    def test_config_and_no_config_together_are_refused(self):
        config = self.write(".keysweep.toml", "[audit]\nunused_days = 30\n")
        result = self.run_keysweep("inventory", "audit", "--store", self.store, "--now", NOW,
                                   "--config", config, "--no-config")
        self.assertEqual(result.code, 2, result.stderr)
        self.assertIn("choose one of --config and --no-config", result.stderr)

    def test_check_findings_of_a_scan_report_are_not_key_sightings(self):
        def reports(kind, key_type):
            paths = []
            for root in ("/repos/payments", "/repos/search"):
                finding = {"rule_id": "some-rule", "kind": kind, "key_type": key_type, "path": "svc/.env",
                           "secret_sha256": hashlib.sha256(API_KEY.encode()).hexdigest()}
                path = os.path.join(self.tmp, f"{kind}-{os.path.basename(root)}.json")
                with open(path, "w") as handle:
                    json.dump({"tool": {"name": "keysweep"}, "root": root, "findings": [finding]}, handle)
                paths += ["--findings", path]
            return paths
        found, _ = self.audit(*reports("check", None))
        self.assertNotIn(("key-shared", "api-rotate-89"), found)
        found, _ = self.audit(*reports("secret", "api_key"))
        self.assertIn(("key-shared", "api-rotate-89"), found)

    def test_each_threshold_fires_at_its_edge_and_not_before(self):
        found, _ = self.audit()
        expected_in = {
            ("key-unused", "api-unused-90"), ("key-never-used", "api-never-90"),
            ("key-rotation-overdue", "api-rotate-90"), ("key-rotation-overdue", "api-never-90"),
            ("application-key-unscoped", "app-unscoped"), ("access-token-no-expiry", "pat-no-expiry"),
            ("access-token-long-lived", "pat-91-days"), ("key-name-undescriptive", "api-generic"),
            ("key-name-undescriptive", "api-person"), ("key-owner-disabled", "app-gone-owner"),
            ("key-owner-unknown", "app-no-owner"),
        }
        self.assertTrue(expected_in <= found, expected_in - found)
        near_misses = {
            ("key-unused", "api-unused-89"), ("key-never-used", "api-never-89"),
            ("key-rotation-overdue", "api-rotate-89"), ("key-rotation-overdue", "api-never-89"),
            ("application-key-unscoped", "app-scoped"), ("access-token-long-lived", "pat-90-days"),
            ("key-name-undescriptive", "api-rotate-90"), ("key-owner-disabled", "app-scoped"),
            ("key-owner-unknown", "app-unscoped"),
        }
        self.assertEqual(near_misses & found, set())
        # An expired token is not audited at all, even with a generic name.
        self.assertEqual({f for f in found if f[1] == "pat-expired"}, set())

    def test_thresholds_and_checks_come_from_the_config(self):
        self.write(".keysweep.toml", "disabled_rules = ['key-owner-unknown']\n[audit]\nunused_days = 120\n"
                                     "rotation_days = 365\nmax_token_days = 100\nname_pattern = '[a-z]+-[a-z]+-(prod|staging|dev)'\n")
        result = self.run_keysweep("inventory", "audit", "--store", self.store, "--now", NOW, "--format", "json")
        found = {(f["rule_id"], f["key"]["id"] if f["key"] else None) for f in result.json()["findings"]}
        self.assertNotIn(("key-unused", "api-unused-90"), found)
        self.assertNotIn(("key-rotation-overdue", "api-rotate-90"), found)
        self.assertNotIn(("access-token-long-lived", "pat-91-days"), found)
        self.assertNotIn(("key-owner-unknown", "app-no-owner"), found)
        # The pattern: "jane-cli-laptop" has no environment, so it no longer passes.
        self.assertIn(("key-name-undescriptive", "pat-no-expiry"), found)
        self.write(".keysweep.toml", "[audit]\nunused_days = 'ninety'\n")
        bad = self.run_keysweep("inventory", "audit", "--store", self.store)
        self.assertEqual(bad.code, 2)
        self.assertIn(".keysweep.toml:2: 'audit.unused_days' must be a whole number of days", bad.stderr)

    def test_a_key_found_in_several_repositories_is_shared(self):
        reports = []
        for name, text in (("payments", f"DD_API_KEY={API_KEY}\n"), ("search", f"DD_API_KEY={API_KEY}\n")):
            self.write(f"{name}/deploy.sh", text)
            path = os.path.join(self.tmp, f"{name}.json")
            self.run_keysweep("scan", "--format", "json", "-o", path, name)
            reports.append(path)
        self.write("alone/deploy.sh", f"DD_API_KEY={API_KEY_2}\n")
        alone = os.path.join(self.tmp, "alone.json")
        self.run_keysweep("scan", "--format", "json", "-o", alone, "alone")
        found, result = self.audit("--findings", reports[0], "--findings", reports[1], "--findings", alone)
        self.assertIn(("key-shared", "api-rotate-89"), found)
        shared = [f for f in result.json()["findings"] if f["rule_id"] == "key-shared"]
        self.assertEqual(len(shared), 1)  # API_KEY_2 is in one place only
        self.assertIn("found in 2 places", shared[0]["message"])
        self.assertNotIn(API_KEY, result.stdout)
        bad = self.run_keysweep("inventory", "audit", "--store", self.store, "--findings", self.write("x.json", "[]"))
        self.assertEqual(bad.code, 2)
        self.assertIn("not a keysweep json report", bad.stderr)
        # A wrong-typed field (found by fuzzing: it aborted the process) names the file and the field.
        report = json.load(open(reports[0]))
        report["findings"][0]["path"] = ["payments", "deploy.sh"]
        wrong = self.write("wrong.json", json.dumps(report))
        bad = self.run_keysweep("inventory", "audit", "--store", self.store, "--findings", wrong)
        self.assertEqual(bad.code, 2)
        self.assertIn(f"{wrong}: findings[0].path is array, not a string", bad.stderr)

    def test_sarif_and_text(self):
        result = self.run_keysweep("inventory", "audit", "--store", self.store, "--now", NOW, "--format", "sarif",
                                   "--no-config")
        document = json.loads(result.stdout)
        with open(SCHEMA) as handle:
            jsonschema.validate(document, json.load(handle), cls=jsonschema.Draft7Validator)
        run = document["runs"][0]
        rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        self.assertIn("key-unused", rule_ids)
        for result_entry in run["results"]:
            self.assertEqual(rule_ids[result_entry["ruleIndex"]], result_entry["ruleId"])
            self.assertTrue(result_entry["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("datadog/"))
        text = self.run_keysweep("inventory", "audit", "--store", self.store, "--now", NOW, "--no-config")
        self.assertIn("application-key-unscoped (high) application_key 'ci-terraform-prod'", text.stdout)
        self.assertIn("Restrict the key to the scopes", text.stdout)


class RepositoryLintTest(KeysweepTestCase):
    CASES = {
        "terraform-state-committed": (
            {"infra/terraform.tfstate": '{"resources": [{"type": "datadog_api_key", "name": "ci"}]}'},
            {"infra/terraform.tfstate": '{"resources": [{"type": "aws_s3_bucket", "name": "logs"}]}',
             "infra/state.md": 'resources of "type": "datadog_api_key" live in state'}),
        "terraform-provider-literal-key": (
            {"main.tf": f'provider "datadog" {{\n  api_key = "{API_KEY}"\n  app_key = var.app_key\n}}\n'},
            {"main.tf": 'provider "datadog" {\n  api_key = var.api_key\n  app_key = "${var.app_key}"\n}\n'}),
        "terraform-application-key-unscoped": (
            {"keys.tf": 'resource "datadog_application_key" "ci" {\n  name = "ci-pipeline-staging"\n}\n'},
            {"keys.tf": 'resource "datadog_application_key" "ci" {\n  name = "ci"\n  scopes = ["dashboards_read"]\n}\n'}),
        "agent-config-application-key": (
            {"datadog.yaml": f"api_key: ENC[k]\napp_key: {APP_KEY}\n",
             "k8s/agent.yaml": "containers:\n  - name: agent\n    image: gcr.io/datadoghq/agent:7\n    env:\n"
                               "      - name: DD_APP_KEY\n        valueFrom: {secretKeyRef: {name: dd, key: app}}\n"},
            {"datadog.yaml": "api_key: ENC[k]\n# app_key:\n",
             "k8s/reporter.yaml": "containers:\n  - name: agent\n    image: gcr.io/datadoghq/agent:7\n"
                                  "  - name: reporter\n    image: python:3.12\n    env:\n      - name: DD_APP_KEY\n"}),
        "env-file-datadog-credentials": (
            {".env": "DD_SITE=datadoghq.eu\nDD_APP_KEY=not-a-hex-value-but-a-secret\n"},
            {".env.example": "DD_API_KEY=\n", "svc/.env": "DD_API_KEY=${DD_API_KEY}\n"}),
        "rum-client-token-server-side": (
            {"backend/telemetry.py": f'TOKEN = "{RUM_TOKEN}"\n'},
            {"web/rum.ts": f"datadogRum.init({{ clientToken: '{RUM_TOKEN}' }})\n"}),
        "api-key-in-browser-code": (
            {"web/logs.js": f"datadogLogs.init({{ clientToken: '{API_KEY}' }})\n"},
            {"web/logs.js": f"datadogLogs.init({{ clientToken: '{RUM_TOKEN}' }})\n",
             "server/app.js": f"const DD_API_KEY = '{API_KEY}' // datadog\n"}),
    }

    def lint_places(self, files, *args):
        for path, content in files.items():
            self.write(path, content)
        _, document = self.scan_json(*args, ".", keep_lint=True)
        return {(f["path"], f["rule_id"]) for f in document["findings"]
                if f["rule_id"] in KeysweepTestCase.lint_ids()}, document

    def test_each_check_fires_and_its_near_miss_does_not(self):
        for check, (fire, near_miss) in self.CASES.items():
            with self.subTest(check=check):
                self.setUp()
                found, _ = self.lint_places(fire)
                self.assertEqual({rule for _, rule in found}, {check})
                self.assertEqual({path for path, _ in found}, set(fire))
                self.setUp()
                found, _ = self.lint_places(near_miss)
                self.assertEqual(found, set())

    def test_lint_findings_are_reported_like_secrets_and_can_be_disabled(self):
        files = dict(self.CASES["terraform-provider-literal-key"][0], **self.CASES["terraform-application-key-unscoped"][0])
        found, document = self.lint_places(files)
        literal = [f for f in document["findings"] if f["rule_id"] == "terraform-provider-literal-key"][0]
        self.assertEqual((literal["secret"], literal["secret_redacted"]), ("4f8a…", True))
        unscoped = [f for f in document["findings"] if f["rule_id"] == "terraform-application-key-unscoped"][0]
        self.assertEqual((unscoped["secret"], unscoped["secret_redacted"]),
                         ('resource "datadog_application_key" "ci" ', False))
        result = self.run_keysweep("scan", "--format", "sarif", ".")
        sarif = json.loads(result.stdout)
        with open(SCHEMA) as handle:
            jsonschema.validate(sarif, json.load(handle), cls=jsonschema.Draft7Validator)
        self.assertNotIn(API_KEY, result.stdout)
        rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
        self.assertIn("secrets manager", rules["terraform-provider-literal-key"]["help"]["text"])
        self.write(".keysweep.toml", "disabled_rules = ['terraform-application-key-unscoped']\n")
        found, _ = self.lint_places({})
        self.assertEqual({rule for _, rule in found}, {"terraform-provider-literal-key"})

    def test_checks_are_findings_of_kind_check_without_a_key_type(self):
        files = dict(self.CASES["terraform-application-key-unscoped"][0])
        files["config/prod.env"] = f"DD_API_KEY={API_KEY}\n"
        _, document = self.lint_places(files)
        kinds = {f["rule_id"]: (f["kind"], f["key_type"]) for f in document["findings"]}
        self.assertEqual(kinds["terraform-application-key-unscoped"], ("check", None))
        self.assertEqual(kinds["datadog-api-key"], ("secret", "api_key"))
        self.assertNotIn("practice", json.dumps(document))
        result = self.run_keysweep("scan", "--format", "sarif", ".")
        run = json.loads(result.stdout)["runs"][0]
        by_rule = {r["ruleId"]: r["properties"] for r in run["results"]}
        self.assertEqual(by_rule["terraform-application-key-unscoped"].get("kind"), "check")
        self.assertNotIn("keyType", by_rule["terraform-application-key-unscoped"])
        self.assertEqual(by_rule["datadog-api-key"]["keyType"], "api_key")
        descriptors = {r["id"]: r["properties"] for r in run["tool"]["driver"]["rules"]}
        self.assertNotIn("keyType", descriptors["terraform-application-key-unscoped"])
        self.assertEqual(descriptors["terraform-application-key-unscoped"]["check"], "repository")
        text = self.run_keysweep("scan", "--color", "never", ".").stdout
        self.assertIn("terraform-application-key-unscoped (check, ", text)

    def test_range_scans_lint_what_the_range_adds_at_each_path(self):
        repo = GitRepo(os.path.join(self.tmp, "repo"))
        base = repo.commit("base", "2024-01-01T00:00:00+00:00", files={
            "old.tf": 'resource "datadog_application_key" "old" {\n  name = "old"\n}\n'})
        repo.commit("pr", "2024-01-02T00:00:00+00:00", files={
            "infra/main.tf": f'provider "datadog" {{\n  api_key = "{API_KEY}"\n}}\n',
            "svc/.env": f"DD_API_KEY={API_KEY}\n",
            "notes.txt": f"DD_API_KEY={API_KEY}\n"})
        _, document = self.scan_json("--range", f"{base}..HEAD", repo.path, keep_lint=True)
        lint = sorted((f["path"], f["rule_id"]) for f in document["findings"] if f["rule_id"] in self.lint_ids())
        # old.tf is not in the range; notes.txt holds the same blob as svc/.env but is not an env file.
        self.assertEqual(lint, [("infra/main.tf", "terraform-provider-literal-key"),
                                ("svc/.env", "env-file-datadog-credentials")])
        _, history = self.scan_json("--history", repo.path, keep_lint=True)
        self.assertEqual([f for f in history["findings"] if f["rule_id"] in self.lint_ids()], [])


class AgentContainerTest(KeysweepTestCase):
    """agent-config-application-key judges each container by its own image,
    whether `env:` comes before or after `image:`, and values by YAML."""

    FILES = {
        # A Cluster Agent after an Agent sidecar: its env comes before its image.
        "k8s/cluster-agent.yaml": (
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
            "      - name: checks\n        image: gcr.io/datadoghq/agent:7\n"
            "      - env:\n        - name: DD_APP_KEY\n"
            "          valueFrom:\n            secretKeyRef: {name: dd, key: app-key}\n"
            "        image: gcr.io/datadoghq/cluster-agent:7\n        name: cluster-agent\n"),
        # The node Agent after a Cluster Agent document, env before image.
        "k8s/agent.yaml": (
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
            "        - name: cluster-agent\n          image: gcr.io/datadoghq/cluster-agent:7\n"
            "---\nkind: DaemonSet\nspec:\n  template:\n    spec:\n      containers:\n"
            "        - command: [agent, run]\n          env:\n"
            "            - name: DD_API_KEY\n              valueFrom: {secretKeyRef: {name: dd, key: api-key}}\n"
            "            - name: DD_APP_KEY\n              valueFrom: {secretKeyRef: {name: dd, key: app-key}}\n"
            "          image: registry.datadoghq.com/agent:7.81.1\n"),
        # Declared but left empty: nothing configured.
        "k8s/agent-empty.yaml": (
            "containers:\n- name: agent\n  env:\n  - name: DD_APP_KEY\n    value: \"\"  # set by hand\n"
            "  image: datadog/agent:7\n"),
        # Grafana's agent is not Datadog's.
        "k8s/grafana.yaml": (
            "containers:\n- env:\n  - name: DD_APP_KEY\n    value: x\n  image: grafana/agent:v0.40.0\n"),
        # Helm templates: the image names the Agent or the Cluster Agent only through the template.
        "chart/templates/daemonset.yaml": (
            "      containers:\n      - name: agent\n        env:\n"
            "          {{- include \"containers-common-env\" . | nindent 10 }}\n"
            "          {{- if .Values.datadog.appKey }}\n"
            "          - name: DD_APP_KEY\n            valueFrom:\n              secretKeyRef:\n"
            "                name: {{ template \"datadog.appKeySecretName\" . }}\n                key: app-key\n"
            "          {{- end }}\n"
            "        image: \"{{ include \"agent.image\" . }}\"\n"),
        "chart/templates/cluster-agent.yaml": (
            "      containers:\n      - name: cluster-agent\n        env:\n"
            "          - name: DD_APP_KEY\n            valueFrom: {secretKeyRef: {name: dd, key: app-key}}\n"
            "        image: \"{{ include \"image-path\" (dict \"root\" .Values \"image\" .Values.clusterAgent.image) }}\"\n"),
        "chart/templates/runner.yaml": (
            "- name: runner\n  env:\n    - name: DD_APP_KEY\n      value: {{ .Values.datadog.appKey | quote }}\n"
            "  image: \"{{ .Values.agents.image.repository }}:{{ .Values.agents.image.tag }}\"\n"),
        # Helm values: an empty appKey with a comment after it is empty.
        "chart/values.yaml": (
            "datadog:\n  # datadog.appKey -- your application key\n  appKey:  # <DATADOG_APP_KEY>\n"
            "  appKeyExistingSecret:  # <DATADOG_APP_KEY_SECRET>\n  site: ~\n"),
        "chart/values-null.yaml": "datadog:\n  appKey: null\n  apiKey: \"\"\n",
        "chart/values-prod.yaml": f"datadog:\n  apiKeyExistingSecret: dd\n  appKey: \"{APP_KEY}\"  # prod\n",
        "chart/values-block.yaml": f"datadog:\n  appKey: |\n    {APP_KEY}\n",
        # compose: each service by its own image, environment before image.
        "docker-compose.yml": (
            "services:\n  agent:\n    environment:\n      - DD_API_KEY=${DD_API_KEY}\n"
            "      - DD_APP_KEY=${DD_APP_KEY}\n    image: datadog/agent:7\n"
            "  reporter:\n    environment:\n      DD_APP_KEY: ${DD_APP_KEY}\n    image: python:3.12\n"),
        "compose.yaml": (
            "services:\n  agent:\n    image: datadog/agent:7\n"
            "  reporter:\n    environment:\n      - DD_APP_KEY=${DD_APP_KEY}\n    build: .\n"),
        # Dockerfiles: each stage by its base, or by the stage it is built from.
        "tools/Dockerfile": (
            "FROM gcr.io/datadoghq/agent:7 AS agent\nRUN agent version\n"
            "FROM python:3.12 AS reporter\n# DD_APP_KEY is read at run time\nENV DD_APP_KEY=${DD_APP_KEY}\n"),
        "agent/Dockerfile": (
            "FROM --platform=linux/amd64 datadog/agent:7 AS base\nENV DD_APP_KEY=\n"
            "FROM golang:1.22 AS build\nENV DD_APP_KEY=unused\n"
            "FROM base\nENV DD_APP_KEY=${DD_APP_KEY}\n"),
    }

    EXPECTED = {
        ("k8s/agent.yaml", 18),
        ("chart/templates/daemonset.yaml", 6),
        ("chart/templates/runner.yaml", 3),
        ("chart/values-prod.yaml", 3),
        ("chart/values-block.yaml", 3),
        ("docker-compose.yml", 5),
        ("agent/Dockerfile", 6),
    }

    def test_each_container_is_judged_by_its_own_image(self):
        for path, content in self.FILES.items():
            self.write(path, content)
        result, document = self.scan_json(".", keep_lint=True)
        found = {(f["path"], f["line"]) for f in document["findings"]
                 if f["rule_id"] == "agent-config-application-key"}
        self.assertEqual(found, self.EXPECTED)
        # A value is a credential (redacted); a variable name is evidence.
        by_path = {f["path"]: f for f in document["findings"] if f["rule_id"] == "agent-config-application-key"}
        self.assertEqual((by_path["chart/values-prod.yaml"]["column"], by_path["chart/values-prod.yaml"]["secret_redacted"]),
                         (12, True))
        self.assertEqual(by_path["k8s/agent.yaml"]["secret"], "DD_APP_KEY")
        self.assertNotIn(APP_KEY, result.stdout)
