"""The crisis-comms kit: plans, messages, the outbox worker and its channels."""
