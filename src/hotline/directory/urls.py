from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import path

from hotline.directory import accounts

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("login/verify/", accounts.verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", accounts.enrol, name="two_factor"),
    path("account/password/", login_required(accounts.PasswordChangeView.as_view()), name="password_change"),
]
