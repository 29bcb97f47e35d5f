"""The crisis-comms kit, in three stages fed by the service's events after each change.

- `plan`: the comms plan read from YAML and checked (who speaks, approves, hears what).
- `compose`: events become outbox rows, and rows become messages (templates, context).
- `deliver`: the dispatcher drains the outbox through the channels and records outcomes.

`kit` is what the use cases see of it; `statuspage.service.comms_ops` holds its use cases.
"""
