"""Case systems behind one interface; `make_case_system` picks one from CASE_SYSTEM."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseSystem
from swarms.settings import Settings


def make_case_system(settings: Settings, sessions: sessionmaker) -> CaseSystem:
    if settings.case_system == "salesforce":
        from swarms.case_systems.salesforce import SalesforceCaseSystem, SalesforceConfig

        return SalesforceCaseSystem(SalesforceConfig.from_env(settings.env))
    if settings.case_system == "zendesk":
        from swarms.case_systems.zendesk import ZendeskCaseSystem, ZendeskConfig

        return ZendeskCaseSystem(ZendeskConfig.from_env(settings.env))
    from swarms.case_systems.local import LocalCaseSystem

    return LocalCaseSystem(sessions, url_template=settings.case_url_template)
