from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerpath.reports"
    label = "reports"
    verbose_name = "Reports: reach, outcomes, service use, co-production and accreditation"

    def ready(self) -> None:
        from django.http import HttpRequest

        from peerpath.core import home, navigation

        def reads_reports(request: HttpRequest) -> bool:
            return request.user.has_perm("reports.view")

        navigation.register(navigation.NavItem("Reports", "reports:dashboard", visible=reads_reports, order=60))
        home.register(
            home.HomeLink(
                "Reports",
                "How many {people} were trained and served, what changed for them, service use, "
                "co-production and accreditation, and the programme report for funders.",
                "reports:dashboard",
                visible=reads_reports,
                order=39,
            )
        )
