from django.apps import AppConfig
from django.http import HttpRequest


class CoursesConfig(AppConfig):
    name = "peerpath.courses"
    label = "courses"
    verbose_name = "Courses and co-production"

    def ready(self) -> None:
        from peerpath.core import home
        from peerpath.core.navigation import NavItem, register

        def can_list(request: HttpRequest) -> bool:
            return request.user.has_perm("courses.list_courses")

        def can_manage_terms(request: HttpRequest) -> bool:
            return request.user.has_perm("courses.manage_terms")

        register(
            NavItem(
                "Courses",
                "courses:course_list",
                visible=can_list,
                is_current=lambda request: (
                    request.path.startswith("/courses/") and not request.path.startswith("/courses/terms/")
                ),
                order=20,
            )
        )
        register(
            NavItem(
                "Terms",
                "terms:term_list",
                visible=can_manage_terms,
                is_current=lambda request: request.path.startswith("/courses/terms/"),
                order=25,
            )
        )
        home.register(
            home.HomeLink(
                "Courses",
                "Co-produced courses and their versions, and the record of who shaped them.",
                "courses:course_list",
                visible=can_list,
                order=20,
            )
        )
        home.register(
            home.HomeLink(
                "Terms and the prospectus",
                "Set each term's dates and the courses it offers, and publish its prospectus.",
                "terms:term_list",
                visible=can_manage_terms,
                order=25,
            )
        )
