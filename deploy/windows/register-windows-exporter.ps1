<#
.SYNOPSIS
  Registers a scheduled task that runs windows_exporter at boot, so a Windows build node is
  scraped like the Linux ones (`node` target label = this node's name).

.DESCRIPTION
  Run from an elevated PowerShell. The task runs as SYSTEM at startup, restarts windows_exporter
  when it exits (every minute, indefinitely) and enables only the collectors the farm's recording
  rules read (alerting/rules/recording.yml): cpu, cs, logical_disk, os, thermalzone, net.
  Re-running the script replaces the task. Untested here: see README.md in this folder.

.EXAMPLE
  .\register-windows-exporter.ps1 -ExporterPath 'C:\Program Files\windows_exporter\windows_exporter.exe'
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)]
  [string] $ExporterPath,
  [string] $ListenAddress = ':9182',
  [string] $Collectors = 'cpu,cs,logical_disk,os,thermalzone,net',
  [string] $TaskName = 'buildfarm-windows-exporter'
)
$ErrorActionPreference = 'Stop'

if (-not (Test-Path -LiteralPath $ExporterPath -PathType Leaf)) {
  throw "windows_exporter not found at '$ExporterPath'"
}
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'run this script from an elevated (Administrator) PowerShell'
}

$arguments = "--collectors.enabled=$Collectors --web.listen-address=$ListenAddress"
$action = New-ScheduledTaskAction -Execute $ExporterPath -Argument $arguments
$trigger = New-ScheduledTaskTrigger -AtStartup
$taskPrincipal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
# No time limit, and restart after a crash: like systemd's Restart=always for the Linux exporter.
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) `
  -RestartInterval (New-TimeSpan -Minutes 1) -RestartCount 9999 `
  -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable

Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger `
  -Principal $taskPrincipal -Settings $settings -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName

# Allow Prometheus in (the port of $ListenAddress).
$port = ($ListenAddress -split ':')[-1]
if (-not (Get-NetFirewallRule -DisplayName $TaskName -ErrorAction SilentlyContinue)) {
  New-NetFirewallRule -DisplayName $TaskName -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow | Out-Null
}

Start-Sleep -Seconds 3
try {
  Invoke-WebRequest -UseBasicParsing -Uri "http://127.0.0.1:$port/metrics" -TimeoutSec 5 | Out-Null
  Write-Host "windows_exporter answers on port $port (task '$TaskName')."
} catch {
  Write-Warning "task '$TaskName' registered, but http://127.0.0.1:$port/metrics does not answer yet: $_"
}
