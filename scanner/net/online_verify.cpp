#include "net/online_verify.h"

#include <atomic>
#include <map>
#include <thread>

#include "findings/datadog_site.h"
#include "util/diagnostics.h"
#include "util/worker_threads.h"

namespace keysweep {
namespace {

enum class Verdict { accepted, refused, undecided };

struct Check {
  std::optional<KeyKind> kind;
  std::string key_type;  // for messages: the finding's own name of its type
  std::string secret;
  std::string paired_api_key;      // application keys only
  std::vector<std::string> bases;  // API base URLs to try, in order
  std::vector<std::string> sites;  // the site of each base ("" for --api-url)
  std::vector<Finding*> findings;
  Verdict verdict = Verdict::undecided;
  std::string site;     // the site that accepted
  std::string problem;  // why undecided, without the secret
};

/// The request that proves a key works, by kind; empty path: no check exists.
std::pair<std::string, std::vector<std::string>> probe_for(const Check& check) {
  if (check.kind == KeyKind::api_key) return {"/api/v1/validate", {"DD-API-KEY: " + check.secret}};
  if (check.kind == KeyKind::application_key) {
    if (check.paired_api_key.empty()) return {};
    return {"/api/v2/validate_keys",
            {"DD-API-KEY: " + check.paired_api_key, "DD-APPLICATION-KEY: " + check.secret}};
  }
  if (check.kind == KeyKind::personal_access_token || check.kind == KeyKind::service_access_token) {
    return {"/api/v2/validate_keys", {"Authorization: Bearer " + check.secret}};
  }
  return {};
}

void run_check(Check& check, const HttpClient& client) {
  auto [path, headers] = probe_for(check);
  if (path.empty()) {
    check.problem =
        check.kind == KeyKind::application_key
            ? "no API key found nearby or in DD_API_KEY to pair the application key with"
            : "no online check exists for this key type";
    return;
  }
  bool refused_everywhere = true;
  for (std::size_t i = 0; i < check.bases.size(); ++i) {
    HttpResponse response = client.get(check.bases[i] + path, headers);
    if (response.status == 200) {
      check.verdict = Verdict::accepted;
      check.site = check.sites[i];
      return;
    }
    if (response.status != 401 && response.status != 403) {
      refused_everywhere = false;
      check.problem = describe_failure("GET " + path, response);
    }
  }
  if (refused_everywhere) check.verdict = Verdict::refused;
}

/// The nearest API key found in the same input as `finding`, to pair with.
std::string api_key_near(const Finding& finding, const std::vector<Finding>& findings) {
  const Finding* best = nullptr;
  for (const Finding& other : findings) {
    if (other.key_kind != KeyKind::api_key || other.path != finding.path ||
        other.kind == FindingKind::check)
      continue;
    if (other.git && finding.git && other.git->blob != finding.git->blob) continue;
    auto distance = [&](const Finding& f) {
      return f.start.line > finding.start.line ? f.start.line - finding.start.line
                                               : finding.start.line - f.start.line;
    };
    if (!best || distance(other) < distance(*best)) best = &other;
  }
  return best ? best->secret : "";
}

void apply(const Check& check) {
  for (Finding* finding : check.findings) {
    LivenessLabel label = finding->liveness.value_or(LivenessLabel{});
    if (check.verdict == Verdict::undecided) {
      finding->liveness = label;
      continue;
    }
    label.evidence.push_back("online");
    if (check.verdict == Verdict::accepted) {
      label.status = Liveness::live;
      label.site = check.site;
    } else if (!label.inventory) {
      label.status = Liveness::invalid;
    } else if (label.status == Liveness::live) {
      // The inventory thought it active; the API says it no longer works.
      label.status = Liveness::revoked;
    }
    finding->liveness = label;
  }
}

}  // namespace

void verify_findings(std::vector<Finding>& findings, const VerifyOptions& options,
                     const HttpClient& client, Diagnostics& diagnostics) {
  std::map<std::string, Check> checks;  // by secret hash: each secret once
  for (Finding& finding : findings) {
    if (finding.kind == FindingKind::check)
      continue;  // lint evidence: its key, if any, has its own finding
    Check& check = checks[finding.secret_sha256];
    if (check.findings.empty()) {
      check.kind = finding.key_kind;
      check.key_type = finding.key_type;
      check.secret = finding.secret;
    }
    check.findings.push_back(&finding);
    if (check.kind == KeyKind::application_key && check.paired_api_key.empty()) {
      check.paired_api_key = api_key_near(finding, findings);
    }
    if (check.sites.empty() && !finding.site_hint.empty() && options.api_url.empty()) {
      check.sites = {finding.site_hint};
    }
  }
  for (auto& [hash, check] : checks) {
    if (check.kind == KeyKind::application_key && check.paired_api_key.empty())
      check.paired_api_key = options.paired_api_key;
    if (!options.api_url.empty()) {
      check.sites = {""};
      check.bases = {options.api_url};
      continue;
    }
    if (check.sites.empty()) {
      check.sites =
          options.configured_site.empty() ? datadog_sites() : std::vector{options.configured_site};
    }
    for (const std::string& site : check.sites) check.bases.push_back(api_base_url(site));
  }

  std::vector<Check*> queue;
  for (auto& [hash, check] : checks) queue.push_back(&check);
  std::atomic<std::size_t> next{0};
  {
    WorkerThreads workers;
    unsigned count = std::max(1u, std::min<unsigned>(options.concurrency, unsigned(queue.size())));
    for (unsigned i = 0; i < count; ++i) {
      workers.spawn([&] {
        for (std::size_t at = next++; at < queue.size() && !workers.stopping(); at = next++) {
          run_check(*queue[at], client);
        }
      });
    }
    workers.join();
  }
  for (Check* check : queue) {
    apply(*check);
    if (check->verdict == Verdict::undecided && !check->problem.empty() &&
        check->kind != KeyKind::rum_client_token) {
      diagnostics.warn("could not verify a " + check->key_type + " online (" +
                       check->findings.front()->path + "): " + check->problem);
    }
  }
}

}  // namespace keysweep
