from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "peerpath.accreditation"
    label = "accreditation"
    verbose_name = "Train the Trainer and accreditation"

    def ready(self) -> None:
        # The right to facilitate: delivery asks whether someone may take a peer role, and
        # the answer is whether they hold an active award of a scheme granting it that day.
        from peerpath.accreditation.lifecycle import holders_on
        from peerpath.delivery import hooks

        hooks.register_accreditation_check(holders_on)

        from django.http import HttpRequest

        from peerpath.core import home, navigation

        navigation.register(
            navigation.NavItem(
                "Candidates",
                "accreditation:candidate_list",
                visible=lambda request: request.user.has_perm("accreditation.list_candidates"),
                order=60,
            )
        )

        def can_review(request: HttpRequest) -> bool:
            return request.user.has_perm("accreditation.review_staffing")

        home.register(
            home.HomeLink(
                "Your accreditation",
                "Your awards, and what each accreditation still asks of you.",
                "accreditation:my_progress",
                visible=lambda request: request.user.has_perm("accreditation.view_own_progress"),
                order=40,
            )
        )
        home.register(
            home.HomeLink(
                "Candidates for accreditation",
                "Review portfolios, record observed practice and grant awards.",
                "accreditation:candidate_list",
                visible=lambda request: request.user.has_perm("accreditation.list_candidates"),
                order=34,
            )
        )
        home.register(
            home.HomeLink(
                "Runs to re-staff",
                "Peer tutors whose award no longer covers a run they are assigned to.",
                "accreditation:uncovered_staffing",
                visible=can_review,
                order=32,
            )
        )
