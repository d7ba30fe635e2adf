"""Django's password validators with their messages in Chinese.

Django 5.2 reworded some of these messages and its zh-hans catalogue has not caught up (the length
message came out in English), so the product states its own.
"""
from __future__ import annotations

from django.contrib.auth import password_validation as pv


class MinimumLengthValidator(pv.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(pv.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "密码与%(verbose_name)s过于相似。"

    def get_help_text(self) -> str:
        return "密码不能与用户名、姓名、电子邮箱等个人信息相似。"


class CommonPasswordValidator(pv.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "密码太常见，容易被猜中。"

    def get_help_text(self) -> str:
        return "不能使用常见密码。"


class NumericPasswordValidator(pv.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全部为数字。"

    def get_help_text(self) -> str:
        return "密码不能全部为数字。"
