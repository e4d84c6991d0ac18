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

        register(
            NavItem(
                "Courses",
                "courses:course_list",
                visible=can_list,
                order=20,
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
