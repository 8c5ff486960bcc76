"""GET /metrics, parsed with the reference parser (prometheus-client from PyPI):
every family Gauntlet documents is there with its type, the histograms are
well-formed, and the HTTP counters move. scripts/test runs it against its stack."""
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

BASE = sys.argv[1]
EXPECTED = {
    "gauntlet_jobs": "gauge",
    "gauntlet_jobs_running": "gauge",
    "gauntlet_job_duration_seconds": "histogram",
    "gauntlet_lease_rescues": "counter",
    "gauntlet_breaker_open": "gauge",
    "gauntlet_tick_duration_seconds": "gauge",
    "gauntlet_schedule_lag_seconds": "gauge",
    "gauntlet_worker_heartbeat_age_seconds": "gauge",
    "gauntlet_runner_equity_usd": "gauge",
    "gauntlet_risk_limit_use_ratio": "gauge",
    "gauntlet_http_requests": "counter",
    "gauntlet_http_request_duration_seconds": "histogram",
}


def scrape():
    with urllib.request.urlopen(BASE + "/metrics", timeout=10) as reply:
        assert reply.status == 200, reply.status
        kind = reply.headers["Content-Type"]
        assert kind.startswith("text/plain; version=0.0.4"), kind
        return {f.name: f for f in text_string_to_metric_families(reply.read().decode())}


def requests_to(families, route):
    return sum(s.value for s in families["gauntlet_http_requests"].samples
               if s.name == "gauntlet_http_requests_total" and s.labels.get("route") == route)


first = scrape()
missing = [name for name in EXPECTED if name not in first]
assert not missing, f"missing families: {missing}"
wrong = {name: first[name].type for name, kind in EXPECTED.items() if first[name].type != kind}
assert not wrong, f"wrong types: {wrong}"
for name in ("gauntlet_job_duration_seconds", "gauntlet_http_request_duration_seconds"):
    samples = first[name].samples
    assert any(s.name.endswith("_bucket") and s.labels.get("le") == "+Inf" for s in samples), f"{name}: no +Inf bucket"
    completed = [s for s in samples if s.name == name + "_count" and s.value > 0]
    assert completed, f"{name}: nothing counted"
    # The text format wants each series' buckets in increasing le and cumulative
    # (prometheus-client's parser accepts them in any order; Prometheus does not).
    series = {}
    for s in samples:
        if s.name.endswith("_bucket"):
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(key, []).append((float(s.labels["le"]), s.value))
    for key, buckets in series.items():
        bounds = [le for le, _ in buckets]
        assert bounds == sorted(bounds), f"{name}{dict(key)}: buckets out of order {bounds}"
        counts = [n for _, n in buckets]
        assert counts == sorted(counts), f"{name}{dict(key)}: buckets not cumulative {counts}"
assert any(s.value > 0 for s in first["gauntlet_runner_equity_usd"].samples), "no paper account equity"

# Every host thread counts into the process's figures: ten health checks move the counter.
health_before = requests_to(first, "/api/health")
for _ in range(10):
    urllib.request.urlopen(BASE + "/api/health", timeout=10).read()
# nginx may hand the scrape to another host process after a reload; one process here.
health_after = requests_to(scrape(), "/api/health")
assert health_after >= health_before + 10, (health_before, health_after)

print(f"metrics: {len(first)} families, {sum(len(f.samples) for f in first.values())} samples parsed; "
      f"/api/health {health_before:.0f} → {health_after:.0f}")
