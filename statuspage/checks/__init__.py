"""Built-in checks: HTTP(S), TCP and DNS probes the server runs on a schedule.

`outcome` (the pure result and state types, shared with storage), `spec` and `read` (the
`checks:` list of the automation file, checked with file:line:column), `probes` (one probe
of each kind: `http`, `tcp`, `dns`), `state` (retries before down: a probe's outcome turns
a check's state, and a change of state is a `Signal`), `signals` (the Signal and the
`SignalSink` seam), `runner` (bounded concurrency, jittered schedule, `run --once`) and
`uptime` (a day's uptime from probe results). The use cases that store results and change
components are in `statuspage.service.checks`.
"""
