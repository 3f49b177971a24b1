from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shilian.core.auth import hash_token
from shilian.core.models import ApiToken, HistoryEntry
from shilian.core.testing import factories as f

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_token_that_only_its_hash_is_stored_for():
    user = f.make_user("alice")
    out, err = StringIO(), StringIO()
    call_command("token", "create", "alice", "--name", "ci", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("sl_")
    row = ApiToken.objects.get(user=user)
    assert (row.name, row.key_hash, row.prefix) == ("ci", hash_token(token), token[:8])
    assert token not in err.getvalue()
    assert HistoryEntry.objects.filter(action="core.token.issue", subject_id=str(row.pk)).count() == 1


def test_token_create_for_an_unknown_or_inactive_user_writes_nothing():
    f.make_user("bob", is_active=False)
    for username, message in (("nobody", "no user named 'nobody'"), ("bob", "inactive")):
        with pytest.raises(CommandError) as exc:
            call_command("token", "create", username, stdout=StringIO(), stderr=StringIO())
        assert message in str(exc.value)
    assert ApiToken.objects.count() == 0
