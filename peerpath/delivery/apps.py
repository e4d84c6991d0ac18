from django.apps import AppConfig
from django.http import HttpRequest


class DeliveryConfig(AppConfig):
    name = "peerpath.delivery"
    label = "delivery"
    verbose_name = "Course runs and support groups"

    def ready(self) -> None:
        from peerpath.core import home
        from peerpath.core.navigation import NavItem, register
        from peerpath.courses.prospectus import register_source
        from peerpath.delivery.prospectus import run_entries

        register_source(run_entries)

        def can_list_runs(request: HttpRequest) -> bool:
            return request.user.has_perm("delivery.list_runs")

        def can_list_groups(request: HttpRequest) -> bool:
            return request.user.has_perm("delivery.list_groups")

        def has_courses(request: HttpRequest) -> bool:
            return request.user.has_perm("delivery.enrol_self")

        register(
            NavItem(
                "My courses",
                "delivery:my_courses",
                visible=has_courses,
                is_current=lambda request: request.path.startswith("/my-courses/"),
                order=15,
            )
        )
        register(
            NavItem(
                "Runs",
                "delivery:run_list",
                visible=can_list_runs,
                is_current=lambda request: request.path.startswith(("/runs/", "/venues/")),
                order=30,
            )
        )
        register(
            NavItem(
                "Support groups",
                "groups:group_list",
                visible=can_list_groups,
                is_current=lambda request: request.path.startswith("/groups/"),
                order=35,
            )
        )
        home.register(
            home.HomeLink(
                "My courses",
                "The courses you are enrolled on or waiting for, their sessions and your calendar.",
                "delivery:my_courses",
                visible=has_courses,
                order=15,
            )
        )
        home.register(
            home.HomeLink(
                "Course runs and registers",
                "Runs of each course this term: staffing, enrolments, waiting lists and registers.",
                "delivery:run_list",
                visible=can_list_runs,
                order=30,
            )
        )
        home.register(
            home.HomeLink(
                "Support groups",
                "{People_possessive} support groups and a record of each meeting.",
                "groups:group_list",
                visible=can_list_groups,
                order=35,
            )
        )
