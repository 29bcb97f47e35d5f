"""Alerts in: component statuses that follow alerts from Alertmanager, Grafana or any sender.

Pure, like the comms plan: `signals` (what a source reports: one alert, firing or resolved),
`payloads` (the three webhook shapes read into signals), `rules` (which alert moves which
component to what, with the flap damping of each rule) and `read` (the rules file, checked
with file:line:column). The use cases that store alerts and change components are in
`statuspage.service.automation`; the web hooks in `statuspage.alert_hooks`.
"""
