"""The key inventory: importing saved Datadog API responses, syncing from a
real HTTP server standing in for the Datadog API, labelling scan findings
with liveness, the inventory sweep, and --verify."""
import json
import os
import sqlite3
import stat

import jsonschema

from datadog_stub import (ADMIN_API_KEY, ADMIN_APP_KEY, ADMIN_TOKEN, DatadogStub, access_token_record,
                          api_key_record, application_key_record, rum_application_record, user_record)
from harness import SOURCE_ROOT, KeysweepTestCase

# Values of the fixture organisation's keys (random-looking, nobody's).
LIVE_API_KEY = "5d2c8e1f9a7b3c6d0e4f8a2b1c9d7e3f"
OLD_API_KEY = "c3a9e7f1b5d2c8a4e6f0b9d3a7c1e5f2"
APP_KEY = "7e3a9c1f5b8d2e6a0c4f9b3d7a1e5c8f2b6d0a94"
RUM_TOKEN = "pub8d3f1a9c7e5b2d4f6a8c0e1b3d5f7a9c"
PAT = "ddpat_CiBotDeployer2026x_Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq0aB1cD"
ID_LIVE = "00000000-0000-4000-8000-000000000001"
ID_OLD = "00000000-0000-4000-8000-000000000002"
ID_APP = "00000000-0000-4000-8000-0000000000a1"
ID_PAT = "00000000-0000-4000-8000-0000000000c1"
ID_RUM = "00000000-0000-4000-8000-0000000000b1"
SCHEMA = os.path.join(SOURCE_ROOT, "tests", "data", "sarif-schema-2.1.0.json")


def listing(records, total=None, included=()):
    return {"data": records, "included": list(included),
            "meta": {"page": {"total_count": len(records) if total is None else total}}}


class InventoryTestCase(KeysweepTestCase):
    def setUp(self):
        super().setUp()
        self.store = os.path.join(self.tmp, "state", "inventory.db")

    def save(self, name, document):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as handle:
            json.dump(document, handle)
        return path

    def inventory(self, *args, env=None):
        return self.run_keysweep("inventory", *args, "--store", self.store, env=env)

    def import_files(self, *documents):
        paths = [self.save(f"response-{i}.json", document) for i, document in enumerate(documents)]
        result = self.inventory("import", *paths)
        self.assertEqual(result.code, 0, result.stderr)
        return result

    def listed(self):
        result = self.inventory("list", "--format", "json")
        self.assertEqual(result.code, 0, result.stderr)
        return {record["id"]: record for record in result.json()}

    def organisation_files(self):
        """The fixture organisation as a user would save it with curl."""
        users = [user_record("user-1", "Jane Doe", "jane@example.com")]
        return [
            listing([api_key_record(ID_LIVE, "ci-prod-ingest", LIVE_API_KEY[-4:]),
                     api_key_record(ID_OLD, "legacy-agent", OLD_API_KEY[-4:])], included=users),
            {"data": dict(api_key_record(ID_LIVE, "ci-prod-ingest", LIVE_API_KEY[-4:]),
                          attributes={"name": "ci-prod-ingest", "last4": LIVE_API_KEY[-4:],
                                      "key": LIVE_API_KEY})},
            listing([application_key_record(ID_APP, "terraform-prod", APP_KEY[-4:], scopes=None)],
                    included=users),
            listing([access_token_record(ID_PAT, "ci-bot", "ddpat_CiBotDeployer2026x", "2026-01-01T00:00:00+00:00")]),
            {"data": dict(rum_application_record(ID_RUM, "storefront"),
                          attributes=dict(rum_application_record(ID_RUM, "storefront")["attributes"],
                                          client_token=RUM_TOKEN))},
        ]


class ImportTest(InventoryTestCase):
    def test_import_keeps_metadata_and_hashes_never_values(self):
        result = self.import_files(*self.organisation_files())
        self.assertIn("API keys: 2 listed, 2 new, 0 revoked (complete listing)", result.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(self.store).st_mode), 0o600)
        records = self.listed()
        self.assertEqual(set(records), {ID_LIVE, ID_OLD, ID_APP, ID_PAT, ID_RUM})
        self.assertTrue(records[ID_LIVE]["value_hashed"])
        self.assertFalse(records[ID_OLD]["value_hashed"])
        self.assertTrue(records[ID_RUM]["value_hashed"])
        self.assertEqual(records[ID_LIVE]["owner"], "jane@example.com")
        self.assertEqual(records[ID_PAT]["state"], "expired")
        self.assertEqual(records[ID_RUM]["created_at"], "2023-11-14T22:13:20Z")
        self.assertIsNone(records[ID_APP]["scopes"])
        with open(self.store, "rb") as handle:
            raw = handle.read()
        for value in (LIVE_API_KEY, RUM_TOKEN):
            self.assertNotIn(value.encode(), raw)
        listing_text = self.inventory("list").stdout
        self.assertIn("ci-prod-ingest", listing_text)
        self.assertNotIn(LIVE_API_KEY, listing_text)

    def test_a_complete_listing_revokes_what_it_no_longer_has(self):
        self.import_files(*self.organisation_files())
        result = self.import_files(listing([api_key_record(ID_LIVE, "ci-prod-ingest", LIVE_API_KEY[-4:])]))
        self.assertIn("API keys: 1 listed, 0 new, 1 revoked (complete listing)", result.stdout)
        records = self.listed()
        self.assertEqual(records[ID_OLD]["state"], "revoked")
        self.assertIsNotNone(records[ID_OLD]["revoked_at"])
        self.assertEqual(records[ID_LIVE]["state"], "active")
        self.assertEqual(records[ID_APP]["state"], "active")  # another family is untouched

    def test_a_partial_listing_revokes_nothing_and_says_so(self):
        self.import_files(*self.organisation_files())
        result = self.import_files(listing([api_key_record(ID_LIVE, "ci-prod-ingest", LIVE_API_KEY[-4:])], total=2))
        self.assertIn("partial listing (1 of 2): nothing revoked", result.stdout)
        self.assertEqual(self.listed()[ID_OLD]["state"], "active")

    def test_every_page_of_a_listing_together_is_complete(self):
        self.import_files(*self.organisation_files())
        third = "00000000-0000-4000-8000-000000000003"
        pages = [listing([api_key_record(ID_LIVE, "a", LIVE_API_KEY[-4:])], total=2),
                 listing([api_key_record(third, "c", "0c0c")], total=2)]
        result = self.import_files(*pages)
        self.assertIn("API keys: 2 listed, 1 new, 1 revoked (complete listing)", result.stdout)
        self.assertEqual(self.listed()[ID_OLD]["state"], "revoked")

    def test_one_owners_listing_does_not_revoke_another_owners_keys(self):
        self.import_files(*self.organisation_files())
        other = "00000000-0000-4000-8000-0000000000a2"
        # The user-2 listing (current_user/application_keys) is complete for user-2 only.
        result = self.import_files(listing([application_key_record(other, "mine", "d00d", owner="user-2")]))
        self.assertIn("application keys: 1 listed, 1 new, 0 revoked", result.stdout)
        self.assertEqual(self.listed()[ID_APP]["state"], "active")
        # user-1's own complete listing without the key does revoke it.
        replacement = "00000000-0000-4000-8000-0000000000a3"
        self.import_files(listing([application_key_record(replacement, "new", "e00e", owner="user-1")]))
        self.assertEqual(self.listed()[ID_APP]["state"], "revoked")

    def test_a_key_seen_again_is_active_again(self):
        self.import_files(*self.organisation_files())
        self.import_files(listing([api_key_record(ID_LIVE, "ci-prod-ingest", LIVE_API_KEY[-4:])]))
        self.import_files(*self.organisation_files()[:1])
        self.assertEqual(self.listed()[ID_OLD]["state"], "active")

    def test_bad_files_are_refused_and_the_store_is_unchanged(self):
        self.import_files(*self.organisation_files())
        before = self.listed()
        good = self.save("good.json", listing([api_key_record(ID_LIVE, "x", LIVE_API_KEY[-4:])]))
        cases = {
            "not-json.json": ("{ this is not json", "not JSON"),
            "users.json": (json.dumps({"data": [user_record("u", "n", "e")]}), "record type 'users' is not a Datadog key"),
            "no-data.json": (json.dumps({"meta": {}}), "no 'data' member"),
            "error.json": (json.dumps({"errors": ["Forbidden"]}), "answered with an error"),
            "bad-last4.json": (json.dumps({"data": {"type": "api_keys", "id": "k", "attributes": {
                "last4": "0000", "key": LIVE_API_KEY}}}), "does not end with the record's last4"),
        }
        for name, (content, reason) in cases.items():
            with self.subTest(name=name):
                path = os.path.join(self.tmp, name)
                with open(path, "w") as handle:
                    handle.write(content)
                result = self.inventory("import", good, path)
                self.assertEqual(result.code, 2, result.stderr)
                self.assertIn(path, result.stderr)
                self.assertIn(reason, result.stderr)
                self.assertEqual(self.listed(), before)

    def test_a_file_that_is_not_a_store_is_an_error_naming_it(self):
        os.makedirs(os.path.dirname(self.store))
        with open(self.store, "w") as handle:
            handle.write("not a database, just text " * 100)
        result = self.inventory("list")
        self.assertEqual(result.code, 2)
        self.assertIn(self.store, result.stderr)
        self.assertIn("not a keysweep inventory store", result.stderr)
        missing = self.run_keysweep("scan", "--inventory", os.path.join(self.tmp, "nope.db"), ".")
        self.assertEqual(missing.code, 2)
        self.assertIn("no inventory store here", missing.stderr)

    def test_the_store_is_sqlite_with_hashes_only(self):
        self.import_files(*self.organisation_files())
        with sqlite3.connect(self.store) as db:
            rows = db.execute("SELECT id, key_sha256 FROM keys WHERE key_sha256 IS NOT NULL").fetchall()
        self.assertEqual({row[0] for row in rows}, {ID_LIVE, ID_RUM})
        self.assertTrue(all(len(row[1]) == 64 for row in rows))


class LivenessTest(InventoryTestCase):
    def setUp(self):
        super().setUp()
        self.import_files(*self.organisation_files())
        # Revoke the legacy key: a complete listing without it.
        self.import_files(listing([api_key_record(ID_LIVE, "ci-prod-ingest", LIVE_API_KEY[-4:])]))

    def test_every_finding_is_labelled_with_its_evidence(self):
        self.write("deploy/.env", f"DD_API_KEY={LIVE_API_KEY}\nDD_APP_KEY={APP_KEY}\n")
        self.write("old/datadog.yaml", f"api_key: {OLD_API_KEY}\n")
        self.write("ci/token.sh", f"export DD_ACCESS_TOKEN={PAT}\n")
        self.write("web/rum.js", f"datadogRum.init({{ clientToken: '{RUM_TOKEN}' }});\n")
        self.write("other/.env", "DD_API_KEY=9b1d5f3a7c2e8b4d6f0a1c3e5b7d9f2a\n")
        _, document = self.scan_json("--inventory", self.store, ".")
        by_path = {f["path"]: f for f in document["findings"] if f["key_type"] != "application_key"}
        live = by_path["deploy/.env"]
        self.assertEqual((live["liveness"], live["liveness_evidence"]), ("live", ["hash"]))
        self.assertEqual(live["inventory"]["name"], "ci-prod-ingest")
        self.assertEqual(live["inventory"]["owner"], "Jane Doe")
        self.assertEqual(live["inventory"]["owner_email"], "jane@example.com")
        app = [f for f in document["findings"] if f["key_type"] == "application_key"][0]
        self.assertEqual((app["liveness"], app["liveness_evidence"]), ("live", ["last4"]))
        revoked = by_path["old/datadog.yaml"]
        self.assertEqual((revoked["liveness"], revoked["liveness_evidence"]), ("revoked", ["last4"]))
        pat = by_path["ci/token.sh"]
        self.assertEqual((pat["liveness"], pat["liveness_evidence"]), ("expired", ["public-portion"]))
        self.assertEqual(by_path["web/rum.js"]["liveness"], "live")
        unknown = by_path["other/.env"]
        self.assertEqual((unknown["liveness"], unknown["inventory"]), ("unknown", None))

    def test_sarif_levels_follow_liveness_and_validate(self):
        self.write("deploy/.env", f"DD_API_KEY={LIVE_API_KEY}\n")
        self.write("old/datadog.yaml", f"api_key: {OLD_API_KEY}\n")
        self.write("other/.env", "DD_API_KEY=9b1d5f3a7c2e8b4d6f0a1c3e5b7d9f2a\n")
        result = self.run_keysweep("scan", "--format", "sarif", "--inventory", self.store, ".")
        document = json.loads(result.stdout)
        with open(SCHEMA) as handle:
            jsonschema.validate(document, json.load(handle), cls=jsonschema.Draft7Validator)
        # Secret results carry liveness; the .env lint findings are about a habit and do not.
        levels = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
                  (r["level"], r["properties"]["liveness"]) for r in document["runs"][0]["results"]
                  if r["ruleId"].startswith("datadog-")}
        self.assertEqual(levels, {"deploy/.env": ("error", "live"), "old/datadog.yaml": ("note", "revoked"),
                                  "other/.env": ("warning", "unknown")})
        live = [r for r in document["runs"][0]["results"] if r["properties"].get("liveness") == "live"][0]
        self.assertEqual(live["properties"]["livenessEvidence"], ["hash"])
        self.assertEqual(live["properties"]["inventory"]["id"], ID_LIVE)
        self.assertNotIn(LIVE_API_KEY, result.stdout)

    def test_the_sweep_finds_inventoried_keys_without_context(self):
        # No keyword anywhere near: a rule alone cannot see these.
        self.write("notebooks/debug.log", f"2026-11-01 request ok token={LIVE_API_KEY} status=200\n"
                                          f"{RUM_TOKEN[3:]} is not the rum token\n")
        self.write("fixtures/hashes.txt", "d41d8cd98f00b204e9800998ecf8427e  empty\n"
                                          "da39a3ee5e6b4b0d3255bfef95601890afd80709  empty.sha1\n")
        _, document = self.scan_json("--inventory", self.store, ".")
        self.assertEqual(self.places(document), [("notebooks/debug.log", 1, 29, "datadog-inventory-key")])
        finding = document["findings"][0]
        self.assertEqual((finding["key_type"], finding["liveness"]), ("api_key", "live"))
        # Without the inventory the same tree is clean: the sweep adds only the organisation's keys.
        _, plain = self.scan_json(".")
        self.assertEqual(plain["findings"], [])

    def test_text_report_shows_liveness(self):
        self.write("deploy/.env", f"DD_API_KEY={LIVE_API_KEY}\n")
        result = self.run_keysweep("scan", "--inventory", self.store, ".")
        self.assertEqual(result.code, 1)
        self.assertIn("liveness: live (hash); inventory: api_key 'ci-prod-ingest'", result.stdout)
        self.assertNotIn(LIVE_API_KEY, result.stdout + result.stderr)


class ServerTestCase(InventoryTestCase):
    def setUp(self):
        super().setUp()
        self.api = DatadogStub().start()
        self.addCleanup(self.api.stop)
        self.credentials = {"DD_API_KEY": ADMIN_API_KEY, "DD_APP_KEY": ADMIN_APP_KEY, "DD_SITE": ""}

    def sync(self, env=None):
        return self.inventory("sync", "--api-url", self.api.url, env=dict(self.credentials, **(env or {})))


class SyncTest(ServerTestCase):
    def populate(self, api_keys=3, application_keys=230):
        self.api.users = [user_record("user-1", "Jane Doe", "jane@example.com")]
        for i in range(api_keys):
            key_id = f"00000000-0000-4000-8000-{i:012d}"
            value = f"{i:04x}" + LIVE_API_KEY[4:]
            self.api.api_keys.append(api_key_record(key_id, f"team-svc-{i}", value[-4:]))
            self.api.api_key_values[key_id] = value
        for i in range(application_keys):
            self.api.application_keys.append(
                application_key_record(f"app-{i:04d}", f"app-{i}", f"{i:04x}", scopes=["dashboards_read"]))
        self.api.access_tokens = [
            access_token_record(ID_PAT, "ci-bot", "ddpat_ci-bot", "2027-01-01T00:00:00+00:00"),
            access_token_record("sat-1", "deployer", "ddsat_deployer", "2027-01-01T00:00:00+00:00",
                                kind="service_access_tokens")]
        self.api.rum_applications = [rum_application_record(ID_RUM, "storefront")]
        self.api.rum_tokens = {ID_RUM: RUM_TOKEN}

    def test_sync_fetches_every_page_and_hashes_every_api_key(self):
        self.populate()
        self.api.failures["/api/v2/application_keys"] = [429, 503]  # retried, then answered
        result = self.sync()
        self.assertEqual(result.code, 0, result.stderr)
        self.assertIn("application keys: 230 listed, 230 new, 0 revoked (complete listing)", result.stdout)
        self.assertIn("access tokens: 2 listed", result.stdout)
        records = self.listed()
        self.assertEqual(len(records), 3 + 230 + 2 + 1)
        self.assertTrue(all(records[f"00000000-0000-4000-8000-{i:012d}"]["value_hashed"] for i in range(3)))
        self.assertTrue(records[ID_RUM]["value_hashed"])
        self.assertEqual(records["sat-1"]["kind"], "service_access_token")
        pages = [query for path, query, _, _ in self.api.requests if path == "/api/v2/application_keys"]
        self.assertEqual(len(pages), 2 + 3)  # two injected failures, then pages 0, 1, 2
        self.assertIn("page%5Bnumber%5D=2", pages[-1])
        # Credentials travel in headers only.
        for path, query, names, headers in self.api.requests:
            self.assertNotIn(ADMIN_API_KEY, path + query)
            self.assertEqual(headers.get("dd-api-key"), ADMIN_API_KEY)
        # The found key is then recognised by hash.
        self.write("app.log", f"key {'0001' + LIVE_API_KEY[4:]} used\n")
        _, document = self.scan_json("--inventory", self.store, ".")
        self.assertEqual([(f["liveness"], f["inventory"]["name"]) for f in document["findings"]],
                         [("live", "team-svc-1")])

    def test_a_key_deleted_in_datadog_is_revoked_by_the_next_sync(self):
        self.populate(application_keys=2)
        self.assertEqual(self.sync().code, 0)
        removed = self.api.api_keys.pop(0)
        result = self.sync()
        self.assertIn("API keys: 2 listed, 0 new, 1 revoked (complete listing)", result.stdout)
        self.assertEqual(self.listed()[removed["id"]]["state"], "revoked")

    def test_bearer_token_and_a_forbidden_listing(self):
        self.populate(application_keys=2)
        self.api.forbidden.add("/api/v2/personal_access_tokens")
        result = self.sync(env={"DD_API_KEY": "", "DD_APP_KEY": "", "DD_ACCESS_TOKEN": ADMIN_TOKEN})
        self.assertEqual(result.code, 0, result.stderr)
        self.assertIn("not permitted to list access tokens (HTTP 403)", result.stderr)
        self.assertNotIn(ID_PAT, self.listed())
        self.assertTrue(all(h.get("authorization") == "Bearer " + ADMIN_TOKEN
                            for p, _, _, h in self.api.requests))

    def test_refused_credentials_fail_and_keep_the_store(self):
        self.populate(application_keys=2)
        self.assertEqual(self.sync().code, 0)
        before = self.listed()
        result = self.sync(env={"DD_APP_KEY": "0" * 40})
        self.assertEqual(result.code, 3)
        self.assertIn("refused the credentials (401)", result.stderr)
        self.assertNotIn("0" * 40, result.stderr)
        self.assertEqual(self.listed(), before)

    def test_missing_credentials_and_bad_sites_are_usage_errors(self):
        result = self.inventory("sync", env={"DD_API_KEY": "", "DD_APP_KEY": "", "DD_ACCESS_TOKEN": ""})
        self.assertEqual(result.code, 2)
        self.assertIn("no Datadog credentials", result.stderr)
        result = self.inventory("sync", "--site", "datadoghq.evil.com", env=self.credentials)
        self.assertEqual(result.code, 2)
        self.assertIn("is not a Datadog site", result.stderr)
        self.assertEqual(self.api.requests, [])


class VerifyTest(ServerTestCase):
    def test_each_unique_secret_is_checked_once_online(self):
        dead = "2f4a6c8e0b1d3f5a7c9e2b4d6f8a1c3e"
        self.api.valid_api_keys = {LIVE_API_KEY}
        self.api.valid_pairs = {(LIVE_API_KEY, APP_KEY)}
        self.api.valid_bearers = {PAT}
        self.api.failures["/api/v2/validate_keys"] = [429]
        self.write("a/.env", f"DD_API_KEY={LIVE_API_KEY}\nDD_APP_KEY={APP_KEY}\n")
        self.write("b/.env", f"DD_API_KEY={LIVE_API_KEY}\n")
        self.write("c/.env", f"DD_API_KEY={dead}\n")
        self.write("d/token.sh", f"export DD_ACCESS_TOKEN={PAT}\n")
        result, document = self.scan_json("--verify", "--api-url", self.api.url, ".",
                                          env={"DD_API_KEY": "", "DD_SITE": ""})
        labels = {(f["path"], f["key_type"]): (f["liveness"], f["liveness_evidence"]) for f in document["findings"]}
        self.assertEqual(labels, {
            ("a/.env", "api_key"): ("live", ["online"]),
            ("a/.env", "application_key"): ("live", ["online"]),
            ("b/.env", "api_key"): ("live", ["online"]),
            ("c/.env", "api_key"): ("invalid", ["online"]),
            ("d/token.sh", "personal_access_token"): ("live", ["online"]),
        })
        validations = [p for p in self.api.paths_requested() if p == "/api/v1/validate"]
        self.assertEqual(len(validations), 2)  # two unique API keys, not three findings
        for path, query, _, _ in self.api.requests:
            for secret in (LIVE_API_KEY, APP_KEY, PAT, dead):
                self.assertNotIn(secret, path + query)
        for secret in (LIVE_API_KEY, APP_KEY, PAT, dead):
            self.assertNotIn(secret, result.stdout + result.stderr)

    def test_online_and_inventory_evidence_combine(self):
        self.import_files(*self.organisation_files())
        self.api.valid_api_keys = set()  # Datadog refuses the inventoried key: it was revoked since
        self.write("deploy/.env", f"DD_API_KEY={LIVE_API_KEY}\n")
        _, document = self.scan_json("--inventory", self.store, "--verify", "--api-url", self.api.url, ".")
        finding = document["findings"][0]
        self.assertEqual((finding["liveness"], finding["liveness_evidence"]), ("revoked", ["hash", "online"]))

    def test_an_api_that_keeps_failing_leaves_the_key_unknown(self):
        self.api.failures["/api/v1/validate"] = [500] * 10
        self.write("deploy/.env", f"DD_API_KEY={LIVE_API_KEY}\n")
        result, document = self.scan_json("--verify", "--api-url", self.api.url, ".")
        self.assertEqual(document["findings"][0]["liveness"], "unknown")
        self.assertIn("could not verify a api_key online (deploy/.env): GET /api/v1/validate: HTTP 500 after 4 attempts",
                      result.stderr)

    def test_an_application_key_alone_is_paired_with_dd_api_key(self):
        self.api.valid_pairs = {(LIVE_API_KEY, APP_KEY)}
        self.write("app.py", f"datadog_app_key = '{APP_KEY}'\n")
        _, alone = self.scan_json("--verify", "--api-url", self.api.url, ".", env={"DD_API_KEY": ""})
        self.assertEqual(alone["findings"][0]["liveness"], "unknown")
        _, paired = self.scan_json("--verify", "--api-url", self.api.url, ".", env={"DD_API_KEY": LIVE_API_KEY})
        self.assertEqual(paired["findings"][0]["liveness"], "live")

    def test_site_and_api_url_need_verify(self):
        result = self.run_keysweep("scan", "--site", "datadoghq.eu", ".")
        self.assertEqual(result.code, 2)
        self.assertIn("go with --verify", result.stderr)
