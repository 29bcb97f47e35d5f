"""Deliver: the dispatcher drains the outbox through the channels, within their limits.

Claim, render, pace, send, then settle each outcome (retries, receipts, replies, effects).
"""
