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
import socket
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def wait_for(description, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    fail("timed out waiting for " + description)


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
        for old, new in (("http://127.0.0.1:8080/api/v1/alertmanager", webhook_url),
                         ("/etc/buildfarm/alertmanager.token", token_file)):
            if old not in config:
                fail("alertmanager.yml no longer contains " + old)
            config = config.replace(old, new)
        config_file = os.path.join(tmp, "alertmanager.yml")
        with open(config_file, "w") as f:
            f.write(config)

        port = free_port()
        am_url = "http://127.0.0.1:%d" % port
        log = open(os.path.join(tmp, "alertmanager.log"), "w")
        am = subprocess.Popen(["/usr/bin/prometheus-alertmanager", "--config.file=" + config_file,
                               "--storage.path=" + os.path.join(tmp, "data"),
                               "--web.listen-address=127.0.0.1:%d" % port, "--cluster.listen-address="],
                              stdout=log, stderr=subprocess.STDOUT)
        try:
            def ready():
                try:
                    return urllib.request.urlopen(am_url + "/-/ready", timeout=1).status == 200
                except OSError:
                    return False
            wait_for("Alertmanager to be ready", ready, 20)

            down_n1 = alert("BuildNodeDown", "n1", {"severity": "critical", "action": "failover"})
            hot_n1 = alert("BuildNodeTooHot", "n1", {"severity": "critical", "action": "failover"})
            hot_n2 = alert("BuildNodeTooHot", "n2", {"severity": "critical", "action": "failover"})
            cpu_n2 = alert("BuildNodeHighCPU", "n2", {"severity": "warning"})
            post_alerts(am_url, [down_n1, hot_n1, hot_n2, cpu_n2])

            # group_wait is 5 s; allow for the first flush and a slow machine.
            wait_for("failover notifications for n1 and n2", lambda: {
                ("BuildNodeDown", "n1", "firing"), ("BuildNodeTooHot", "n2", "firing")} <= set(notifications()), 30)
            time.sleep(2)  # anything that should not come would have come with them
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

            # Resolve n2's alert: the webhook hears about it at the next group_interval (10 s).
            resolved = dict(hot_n2, endsAt=iso(datetime.now(timezone.utc) - timedelta(seconds=1)))
            post_alerts(am_url, [resolved])
            wait_for("the resolved notification for n2",
                     lambda: ("BuildNodeTooHot", "n2", "resolved") in notifications(), 30)
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
