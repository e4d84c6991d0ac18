from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "peerpath.bundles"
    label = "bundles"
    verbose_name = "Programme bundles"

    def ready(self) -> None:
        import rules
        from django.http import HttpRequest

        from peerpath.bundles import origins
        from peerpath.core import home, navigation
        from peerpath.courses import hooks

        hooks.register_origin_lookup(origins.origin_of)

        # The rules are asked directly: user.has_perm would fall through to Django's model
        # permissions (two queries) on every page where the answer is no.
        def sees_programmes(request: HttpRequest) -> bool:
            return rules.has_perm("programmes.view_programme", request.user)

        def imports_programmes(request: HttpRequest) -> bool:
            return rules.has_perm("programmes.import_programme", request.user)

        # In the header for administrators only: coordinators have a home link, and their
        # header is full enough already.
        navigation.register(
            navigation.NavItem(
                "Programmes",
                "programmes:programme_list",
                visible=imports_programmes,
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
