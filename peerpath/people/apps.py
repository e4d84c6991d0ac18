from django.apps import AppConfig
from django.http import HttpRequest


class PeopleConfig(AppConfig):
    name = "peerpath.people"
    label = "people"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        from peerpath.core import home
        from peerpath.core.navigation import NavItem, register
        from peerpath.people.access import principal_for

        def own_profile(request: HttpRequest) -> bool:
            person_id = principal_for(request.user).person_id
            return person_id is not None and (
                request.path.startswith(f"/people/{person_id}/") or request.path == "/people/me/"
            )

        register(
            NavItem(
                "People",
                "people:person_list",
                visible=lambda request: request.user.has_perm("people.list_people"),
                is_current=lambda request: request.path.startswith("/people/") and not own_profile(request),
                order=10,
            )
        )
        register(
            NavItem(
                "My profile",
                "people:me",
                visible=lambda request: principal_for(request.user).person_id is not None,
                is_current=own_profile,
                order=80,
            )
        )
        home.register(
            home.HomeLink(
                "People",
                "Find, add and update {people}, tutors and other people in your organisations.",
                "people:person_list",
                visible=lambda request: request.user.has_perm("people.list_people"),
                order=10,
            )
        )
        home.register(
            home.HomeLink(
                "Your profile",
                "Your details, your consent choices and the equality monitoring form.",
                "people:me",
                visible=lambda request: principal_for(request.user).person_id is not None,
                order=80,
            )
        )
