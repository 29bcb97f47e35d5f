"""Compose: what each event says, and to whom.

The fan-out turns an event into outbox rows in the change's transaction; at send time (or in
a preview) a row becomes a message rendered from the plan's templates with its context.
"""
