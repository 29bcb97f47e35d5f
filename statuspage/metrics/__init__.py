"""/metrics in the Prometheus exposition format, off unless STATUSPAGE_METRICS enables it.

- `collector`: the metric families, formatted from one MetricsSnapshot read at scrape time.
- `exporter`: the Metrics object the app holds (publish times, extra sources, single-flight
  scrapes), the /metrics route behind an API key, and the server on a separate port.
"""
