"""Account pages: login, the second-factor step, TOTP enrolment, password change.

Thin views over Django's auth, django-axes (lockout happens inside authenticate()) and django-otp.
"""
from __future__ import annotations

import base64
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.directory.security import SecondFactor, second_factor, two_factor_required

BAD_LOGIN = "用户名或密码错误"


class LoginForm(AuthenticationForm):
    # One message for an unknown account, a wrong password and an inactive account alike.
    error_messages = {"invalid_login": BAD_LOGIN, "inactive": BAD_LOGIN}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm


class TokenForm(forms.Form):
    token = forms.RegexField(regex=r"^\s*\d{6}\s*$", label="验证码", max_length=12,
                             error_messages={"invalid": "请输入 6 位数字验证码", "required": "请输入 6 位数字验证码"})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of login: a code from the user's authenticator app."""
    if second_factor(request) is not SecondFactor.VERIFY:
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "验证码错误或已过期")
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _qr_data_uri(device: TOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4))


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up TOTP: show the key (QR code and text), confirm it with a first code, mark the session verified."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if second_factor(request) is SecondFactor.VERIFY:
            return redirect("login_verify")
        return render(request, "accounts/enrol.html", {"enrolled": True})
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "已启用两步验证，今后登录需输入验证器中的 6 位验证码。")
            return redirect(_next_url(request))
        form.add_error("token", "验证码不正确，请核对手机时间后重试")
    context: dict[str, Any] = {
        "form": form, "qr": _qr_data_uri(device), "required": two_factor_required(user),
        "secret": base64.b32encode(device.bin_key).decode("ascii").rstrip("="),
    }
    return render(request, "accounts/enrol.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Password change under the validators of settings.AUTH_PASSWORD_VALIDATORS (messages in Chinese)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("cases")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)
