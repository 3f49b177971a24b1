"""``shilian token create USERNAME [--name N]``: issue an API token and print it once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shilian.core.tokens import issue_token


class Command(BaseCommand):
    help = "Manage API tokens. `token create USERNAME` prints a new token (only its SHA-256 is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="a label for the token (default: cli)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户不存在 / no user named {options['username']!r}")
        if not user.is_active:
            raise CommandError(f"用户已停用 / user {user.username!r} is inactive")
        if len(options["name"]) > 100:
            raise CommandError("--name: 最多100个字符 / at most 100 characters")
        row, token = issue_token(user, options["name"], acting_user=None)
        # The token alone on stdout so that scripts can capture it; the rest on stderr.
        self.stdout.write(token)
        self.stderr.write(
            f"已为 {user.username} 创建令牌 {row.prefix}…（名称 {row.name!r}），只显示这一次 / "
            "token created; it is shown only once, keep it now. Use: Authorization: Bearer <token>"
        )
