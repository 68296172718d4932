"""Notifications: outbound messages to people, delivered at least once by the worker.

Owns: Notification (an outbox row per message, `services.queue_notification` joins the caller's
transaction) and PushSubscription, the one channel port (`ports`: e-mail, SMS, web push) and its
senders (SMTP; recording fakes), the delivery worker job, `selectors` (addresses, web-push
reach) and `patient_data`.
Depends on: core. Messages never carry clinical detail: they say that something needs attention
and link to it.
"""
