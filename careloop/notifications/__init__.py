"""Notifications: outbound messages to people, delivered at least once by the worker.

Owns: Notification (an outbox row per message), the EmailSender port and its implementations.
Depends on: core, accounts.
Messages never carry clinical detail: they say that something needs attention and link to it.
"""
