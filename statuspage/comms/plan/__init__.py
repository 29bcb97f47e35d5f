"""Plan: the comms plan YAML read into a validated `Plan`, each problem at its line.

Pure: it reads files and checks their structure, and renders nothing (the template checks
are `statuspage.comms.compose.validate`) and sends nothing.
"""
