"""Sign-in, sign-out and password reset, on Django's auth views with NHS.UK pages.

Lockout is django-axes keyed on username and address together; these views
only add NHS content style and audit events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from peerpath.core import audit
from peerpath.core.forms import form_status, harden_fields
from peerpath.core.middleware import mark_signed_in
from peerpath.core.net import client_ip

AUTH_JOB = audit.SystemActor("authentication")


class LoginForm(auth_forms.AuthenticationForm):
    nhs_options = {
        "username": {"autocomplete": "username", "spellcheck": False},
        "password": {"autocomplete": "current-password"},
    }
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Contact your coordinator.",
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # AuthenticationForm sets max_length without its validator; an over-long name
        # would otherwise reach django-axes' 255-character column (a 500 on PostgreSQL).
        limit = getattr(username, "max_length", None)
        if limit:
            username.validators.append(MaxLengthValidator(limit))
            username.error_messages["max_length"] = f"Username must be {limit} characters or fewer"
        harden_fields(self.fields)


class PasswordResetForm(auth_forms.PasswordResetForm):
    nhs_options = {"email": {"autocomplete": "email", "spellcheck": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
            }
        )
        harden_fields(self.fields)

    def get_users(self, email: str) -> Iterator[Any]:
        """Active users with this email, including new logins that have not chosen a password yet.

        Django skips users without a usable password; a carer whose welcome link
        expired must still be able to ask for a new one.
        """
        users = User.objects.filter(email__iexact=email, is_active=True)
        return (user for user in users if _email_matches(user.email, email))


def _email_matches(stored: str, given: str) -> bool:
    return stored.casefold() == given.casefold()


class SetPasswordForm(auth_forms.SetPasswordForm):
    nhs_options = {
        "new_password1": {"autocomplete": "new-password"},
        "new_password2": {"autocomplete": "new-password"},
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
        self.fields["new_password1"].help_text = "Use at least 12 characters. Avoid common words and your name."
        harden_fields(self.fields)


class FormErrorsAre400:
    """Re-shown forms with errors answer 400, as every PeerPath form does."""

    def form_invalid(self, form: Any) -> Any:
        context = self.get_context_data(form=form)  # type: ignore[attr-defined]
        return self.render_to_response(context, status=form_status(form))  # type: ignore[attr-defined]


class LoginView(FormErrorsAre400, auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.jinja"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.jinja"


class PasswordResetView(FormErrorsAre400, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.jinja"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = "/accounts/password-reset/sent/"


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.jinja"


class PasswordResetConfirmView(FormErrorsAre400, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.jinja"
    success_url = "/accounts/reset/complete/"

    def form_valid(self, form: Any) -> Any:
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(actor=form.user, action="auth.password_reset", target=form.user, ip_address=_ip(self.request))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.jinja"


# Audit of authentication events. Django's auth signals are the only place these
# happen; each receiver writes in its own transaction.


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_signed_in(request)
    with transaction.atomic():
        audit.record(actor=user, action="auth.logged_in", target=user, ip_address=_ip(request))


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit.record(actor=user, action="auth.logged_out", target=user, ip_address=_ip(request))


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted username is not stored: it is often a mistyped password.
    with transaction.atomic():
        audit.record(actor=AUTH_JOB, action="auth.login_failed", ip_address=_ip(request))


def _audit_lockout(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(actor=AUTH_JOB, action="auth.locked_out", ip_address=_ip(request))


def connect_lockout_signal() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_audit_lockout, dispatch_uid="peerpath-audit-lockout")


__all__ = [
    "LoginView",
    "LogoutView",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetView",
    "connect_lockout_signal",
]
