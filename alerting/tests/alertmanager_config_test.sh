#!/bin/sh
# Checks alerting/alertmanager.yml with amtool: the file loads, and alerts reach the receivers the
# runbook promises (failover alerts the scheduler's webhook and the operators, the rest only the
# operators). Run from the repository root (ctest does).
set -eu
config=alerting/alertmanager.yml
amtool check-config "$config"

route() {  # route EXPECTED_RECEIVERS LABEL=VALUE...
  expected=$1
  shift
  amtool config routes test --config.file="$config" --verify.receivers="$expected" "$@" 2>/dev/null ||
    { echo "FAIL: $* routed to $(amtool config routes test --config.file="$config" "$@" 2>/dev/null), expected $expected"; exit 1; }
}
route scheduler-failover,operators alertname=BuildNodeDown node=n1 severity=critical action=failover
route scheduler-failover,operators alertname=BuildNodeTooHot node=n1 severity=critical action=failover
route operators alertname=BuildNodeTooHot node=n1 severity=warning
route operators alertname=BuildSchedulerDown severity=critical
echo "routes: OK"
