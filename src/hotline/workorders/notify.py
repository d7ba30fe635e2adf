"""Reminders reach the person: every Notification is stored (the desks show it) and handed to each
notifier named in settings.HOTLINE_NOTIFIERS (dotted paths of callables taking the Notification), e.g.
an SMS gateway or the city's office-automation system. Shipped: `log` (the default) and `email`."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from hotline.workorders.models import Notification

logger = logging.getLogger("hotline.notify")

Notifier = Callable[[Notification], None]


def log_notifier(notification: Notification) -> None:
    logger.info("notify %s: %s", notification.user_id, notification.text)


def email_notifier(notification: Notification) -> None:
    """By e-mail when the user has an address (Django's EMAIL_* settings)."""
    address = getattr(notification.user, "email", "")
    if address:
        send_mail(subject=f"12345 热线：{notification.get_kind_display()}", message=notification.text,
                  from_email=None, recipient_list=[address], fail_silently=True)


def notifiers() -> list[Notifier]:
    return [import_string(path) for path in getattr(settings, "HOTLINE_NOTIFIERS", [])]


def deliver(notifications: Iterable[Notification]) -> None:
    """A failing channel never stops the others or loses the stored notification."""
    channels = notifiers()
    for notification in notifications:
        for send in channels:
            try:
                send(notification)
            except Exception:  # a notifier is outside code: log, keep going
                logger.exception("notifier %r failed", send)
