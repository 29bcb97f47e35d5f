"""Built-in checks: HTTP(S), TCP and DNS probes the server runs on a schedule.

Pure: `outcome` (result and state types, shared with storage), `spec` and `read` (the
`checks:` list of the automation file, checked with file:line:column), `state` (retries
before down: a probe's outcome moves a check's state), `signals` (a change of state as
alert `Signal`s for the rules, and the `SignalSink` seam), `uptime` (a day's uptime from
probes) and `dns_wire`. With I/O: `http_probe`, `tcp_probe`, `dns_probe` (one probe of each
kind), `runner` (bounded concurrency, jittered schedules, `run --once`; `EngineSink` hands
the signals to the alerts rules engine) and `wiring` (the checks the settings name, run in
the server, feeding the rules of the same file). The use cases that store results are in
`statuspage.service.checks`; what changes components is `statuspage.service.automation`.
"""
