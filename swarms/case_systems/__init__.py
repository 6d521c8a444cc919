"""Case systems behind one interface; `make_case_system` picks one from CASE_SYSTEM."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseSystem
from swarms.settings import Settings


def make_case_system(settings: Settings, sessions: sessionmaker) -> CaseSystem:
    if settings.case_system == "salesforce":
        from swarms.case_systems.salesforce import SalesforceCaseSystem

        assert settings.salesforce is not None, "Settings reads SALESFORCE_* when CASE_SYSTEM=salesforce"
        return SalesforceCaseSystem(settings.salesforce)
    if settings.case_system == "zendesk":
        from swarms.case_systems.zendesk import ZendeskCaseSystem

        assert settings.zendesk is not None, "Settings reads ZENDESK_* when CASE_SYSTEM=zendesk"
        return ZendeskCaseSystem(settings.zendesk)
    from swarms.case_systems.local import LocalCaseSystem

    return LocalCaseSystem(sessions, url_template=settings.case_url_template)
