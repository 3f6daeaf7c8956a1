#!/usr/bin/env python3
"""alerting/alertmanager.yml in a real Alertmanager (Debian's prometheus-alertmanager) on loopback.

The scheduler's webhook is played by a recording HTTP server in this test. Alerts are posted to
Alertmanager's API as Prometheus would post them. Checked:
  - a firing action="failover" alert reaches the webhook with the bearer token read from the
    credentials file, grouped by alertname and node, and so does its resolution (send_resolved);
  - an alert without action="failover" never reaches the webhook;
  - while BuildNodeDown fires for a node, that node's other failover alert is inhibited, and another
    node's is not.
Bounded: every wait has a deadline; Alertmanager is stopped on exit.

Usage: alertmanager_routing_test.py REPO_ROOT
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone

REPO = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
TOKEN = "test-token-0123456789abcdef"
received = []  # (authorization header, payload)
received_lock = threading.Lock()


class Webhook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with received_lock:
            received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def listening_ports(pid):
    """TCP ports the process listens on: its socket inodes (/proc/PID/fd) in state LISTEN in /proc/net/tcp*.

    Alertmanager listens on 127.0.0.1:0 and this reads back the port it bound. Picking a free port here and
    handing it over would race: another process could take it in between, and the test would talk to it.
    """
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def wait_for(description, observe, seconds, accept=bool):
    """Polls observe() (1 ms, doubling to 100 ms) until accept(value); returns the value, or fails naming
    what never happened and the last value seen (as tests/support/eventually.h does for the C++ tests)."""
    deadline = time.monotonic() + seconds
    interval = 0.001
    while True:
        past_deadline = time.monotonic() >= deadline
        value = observe()
        if accept(value):
            return value
        if past_deadline:
            fail("never happened within %g s: %s; last observed: %r" % (seconds, description, value))
        time.sleep(min(interval, max(0, deadline - time.monotonic())))
        interval = min(interval * 2, 0.1)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def post_alerts(am_url, alerts):
    request = urllib.request.Request(am_url + "/api/v2/alerts", data=json.dumps(alerts).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request, timeout=5).read()


def alert(name, node, labels=None, ends=None):
    now = datetime.now(timezone.utc)
    return {"labels": {"alertname": name, "node": node, **(labels or {})},
            "annotations": {"summary": name + " on " + node},
            "startsAt": iso(now - timedelta(seconds=30)),
            "endsAt": iso(ends if ends else now + timedelta(minutes=5))}


def get_json(url):
    try:
        return json.loads(urllib.request.urlopen(url, timeout=5).read())
    except OSError:
        return None


def alert_state(am_url, name, node):
    """The status object ({state, inhibitedBy, ...}) of one alert in Alertmanager's /api/v2/alerts, or {}."""
    for a in get_json(am_url + "/api/v2/alerts") or []:
        if a["labels"].get("alertname") == name and a["labels"].get("node") == node:
            return a.get("status", {})
    return {}


def receivers_of(am_url, name, node):
    """Names of the receivers Alertmanager routed one alert to."""
    for a in get_json(am_url + "/api/v2/alerts") or []:
        if a["labels"].get("alertname") == name and a["labels"].get("node") == node:
            return {r["name"] for r in a.get("receivers", [])}
    return set()


def notifications():
    """(alertname, node, status) of every alert in every webhook call so far; checks the token."""
    with received_lock:
        calls = list(received)
    seen = []
    for authorization, payload in calls:
        if authorization != "Bearer " + TOKEN:
            fail("webhook called with Authorization %r" % authorization)
        if payload.get("version") != "4":
            fail("webhook payload version %r" % payload.get("version"))
        for a in payload["alerts"]:
            seen.append((a["labels"]["alertname"], a["labels"].get("node"), a["status"]))
    return seen


def main():
    webhook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    webhook_url = "http://127.0.0.1:%d/api/v1/alertmanager" % webhook.server_address[1]

    with tempfile.TemporaryDirectory() as tmp:
        token_file = os.path.join(tmp, "alertmanager.token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(token_file, 0o600)
        with open(os.path.join(REPO, "alerting", "alertmanager.yml")) as f:
            config = f.read()
        for old, new in (("https://127.0.0.1:8080/api/v1/alertmanager", webhook_url),
                         ("/etc/buildfarm/alertmanager.token", token_file)):
            if old not in config:
                fail("alertmanager.yml no longer contains " + old)
            config = config.replace(old, new)
        config_file = os.path.join(tmp, "alertmanager.yml")
        with open(config_file, "w") as f:
            f.write(config)

        log = open(os.path.join(tmp, "alertmanager.log"), "w")
        am = subprocess.Popen(["/usr/bin/prometheus-alertmanager", "--config.file=" + config_file,
                               "--storage.path=" + os.path.join(tmp, "data"),
                               "--web.listen-address=127.0.0.1:0", "--cluster.listen-address="],
                              stdout=log, stderr=subprocess.STDOUT)
        try:
            # Clustering is off, so the web port is the only one it listens on.
            ports = wait_for("Alertmanager listening on one port",
                             lambda: listening_ports(am.pid) if am.poll() is None else {"exited"}, 20,
                             lambda found: len(found) == 1)
            if ports == {"exited"}:
                log.flush()
                fail("Alertmanager exited: " + open(log.name).read())
            am_url = "http://127.0.0.1:%d" % ports.pop()

            def ready():
                try:
                    return urllib.request.urlopen(am_url + "/-/ready", timeout=1).status == 200
                except OSError:
                    return False
            wait_for("Alertmanager ready", ready, 20)

            down_n1 = alert("BuildNodeDown", "n1", {"severity": "critical", "action": "failover"})
            hot_n1 = alert("BuildNodeTooHot", "n1", {"severity": "critical", "action": "failover"})
            hot_n2 = alert("BuildNodeTooHot", "n2", {"severity": "critical", "action": "failover"})
            cpu_n2 = alert("BuildNodeHighCPU", "n2", {"severity": "warning"})
            post_alerts(am_url, [down_n1, hot_n1, hot_n2, cpu_n2])

            # Alertmanager's own view: n1's BuildNodeTooHot is inhibited by its BuildNodeDown, and the
            # alert without action="failover" is routed to the operators only.
            wait_for("BuildNodeTooHot for n1 suppressed, inhibited by BuildNodeDown for n1",
                     lambda: alert_state(am_url, "BuildNodeTooHot", "n1"), 20,
                     lambda state: state.get("state") == "suppressed" and state.get("inhibitedBy"))
            wait_for("BuildNodeHighCPU for n2 routed to the operators alone",
                     lambda: receivers_of(am_url, "BuildNodeHighCPU", "n2"), 20,
                     lambda receivers: receivers == {"operators"})

            # group_wait is 5 s; allow for the first flush and a slow machine.
            wait_for("failover notifications for n1 and n2", lambda: set(notifications()), 30,
                     lambda seen: {("BuildNodeDown", "n1", "firing"), ("BuildNodeTooHot", "n2", "firing")} <= seen)

            # Resolve n2's alert: the webhook hears about it at the next group_interval (10 s).
            resolved = dict(hot_n2, endsAt=iso(datetime.now(timezone.utc) - timedelta(seconds=1)))
            post_alerts(am_url, [resolved])
            wait_for("the resolved notification for n2", notifications, 30,
                     lambda seen: ("BuildNodeTooHot", "n2", "resolved") in seen)

            # By now (a group_interval after the first flush) anything that should not come would have.
            seen = set(notifications())
            if ("BuildNodeTooHot", "n1", "firing") in seen:
                fail("BuildNodeTooHot for n1 was not inhibited by BuildNodeDown for n1")
            if any(name == "BuildNodeHighCPU" for name, _, _ in seen):
                fail("an alert without action=failover reached the scheduler's webhook")
            with received_lock:
                for _, payload in received:
                    names = {a["labels"]["alertname"] for a in payload["alerts"]}
                    nodes = {a["labels"].get("node") for a in payload["alerts"]}
                    if len(names) != 1 or len(nodes) != 1:
                        fail("a webhook call mixed groups: %s %s" % (names, nodes))
        finally:
            am.terminate()
            try:
                am.wait(timeout=10)
            except subprocess.TimeoutExpired:
                am.kill()
            log.close()
    webhook.shutdown()
    print("alertmanager routing: OK (%d webhook calls)" % len(received))


if __name__ == "__main__":
    main()
