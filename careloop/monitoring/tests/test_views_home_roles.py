"""Each role lands on its own start page at "/" (#13)."""

from __future__ import annotations

from careloop.accounts.types import Role
from conftest import make_user


def test_each_staff_role_lands_on_its_start_page(as_user, service, ben, cleo) -> None:
    researcher = make_user(service, "rae", Role.RESEARCHER)
    assert as_user(ben).get("/")["Location"] == "/caseload/"
    assert as_user(cleo).get("/")["Location"] == "/manage/"
    assert as_user(researcher).get("/")["Location"] == "/manage/research/"
