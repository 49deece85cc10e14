"""`make demo` loads a believable street through the services, audited, once."""
import pytest
from sqlalchemy import func, select

import demo
from models.audit import AuditEvent
from services import audit, auth
from services.directory import units
from services.errors import DomainError
from services.permissions import SYSTEM_ACTOR
from services.uow import reading


def test_demo_street_loads_once_through_the_services(db, frozen_clock):
    result = demo.load()
    assert result["units"] == 27
    assert 130 <= result["people"] <= 190
    kinds = {}
    for row in units.list_units(SYSTEM_ACTOR):
        kinds[row.kind] = kinds.get(row.kind, 0) + 1
    assert kinds == {"street_office": 1, "grassroots": 12, "station": 6, "department": 8}
    roles = {a["username"]: a for a in result["accounts"]}
    assert len(roles) == 7
    assert auth.verify_credentials("daiban", roles["daiban"]["password"]).ok
    with reading() as s:
        creations = s.execute(select(func.count()).where(AuditEvent.action == "person.create")).scalar()
        assert creations == result["people"]
        assert audit.verify_chain(s).intact
    with pytest.raises(DomainError, match="已载入"):
        demo.load()
