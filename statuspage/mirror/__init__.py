"""The public site in object storage: every publish mirrored to an S3-compatible bucket.

- `sigv4`: signing requests (pure); `s3`: the four S3 calls over httpx, and `s3://` targets
- `plan`: the objects a Site makes (keys, headers, encoding, order) and the changes to make
- `mirror`: the Mirror (background passes, retries, manifest); `purge`: CDN purge hooks
- `state`: the status (file for the CLI, /metrics families); `wiring`: from the settings
"""
