"""Built-in checks: HTTP(S), TCP and DNS probes the server runs on a schedule.

Pure: `outcome` (result and state types, shared with storage), `spec` and `read` (the
`checks:` list of the automation file, checked with file:line:column), `state` (retries
before down: a probe's outcome moves a check's state), `signals` (a change of state as a
`Signal`, and the `SignalSink` seam), `uptime` (a day's uptime from probes) and `dns_wire`.
With I/O: `http_probe`, `tcp_probe`, `dns_probe` (one probe of each kind), `runner` (bounded
concurrency, jittered schedules, `run --once`; `default_sink` decides what follows the
signals) and `wiring` (the checks the settings name, run in the server). The use cases that
store results and change components are in `statuspage.service.checks`.
"""
