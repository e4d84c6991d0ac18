from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "peerpath.bundles"
    label = "bundles"
    verbose_name = "Programme bundles"

    def ready(self) -> None:
        from django.http import HttpRequest

        from peerpath.core import home, navigation

        def sees_programmes(request: HttpRequest) -> bool:
            return request.user.has_perm("programmes.view_programme")

        # In the header for administrators only: coordinators have a home link, and their
        # header is full enough already.
        navigation.register(
            navigation.NavItem(
                "Programmes",
                "programmes:programme_list",
                visible=lambda request: request.user.has_perm("programmes.import_programme"),
                order=70,
            )
        )
        home.register(
            home.HomeLink(
                "Programmes",
                "Each programme's courses, accreditation schemes and the words its pages use. Administrators "
                "also export a programme as a bundle file, or import one from another area.",
                "programmes:programme_list",
                visible=sees_programmes,
                order=45,
            )
        )
