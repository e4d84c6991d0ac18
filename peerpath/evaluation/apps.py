from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "peerpath.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation: questionnaires, scores and service use"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from peerpath.evaluation import instruments

        # The shipped instrument files are reference data: after every migrate (and every
        # flush, which a transactional test ends with) the database holds each of them.
        post_migrate.connect(instruments.sync_after_migrate, sender=self)

        self._register_staff_links()
        self._register_questionnaire_links()

    @staticmethod
    def _register_staff_links() -> None:
        """Coordinators' way in: the Evaluation header item, and home links to runs and safety alerts."""
        from django.http import HttpRequest

        from peerpath.core import home, navigation

        def follows_runs(request: HttpRequest) -> bool:
            return request.user.has_perm("evaluation.follow_runs")

        def follows_safety(request: HttpRequest) -> bool:
            return request.user.has_perm("evaluation.follow_safety")

        navigation.register(
            navigation.NavItem(
                "Evaluation",
                "evaluation:index",
                visible=follows_runs,
                order=50,
            )
        )
        home.register(
            home.HomeLink(
                "Evaluation of your runs",
                "Who has answered each run's questionnaires, their scores, and what each run asks.",
                "evaluation:index",
                visible=follows_runs,
                order=36,
            )
        )
        home.register(
            home.HomeLink(
                "Safety alerts",
                "Answers that need following up today, such as thoughts of self-harm, and how each was followed up.",
                "evaluation:alerts",
                visible=follows_safety,
                order=37,
            )
        )

    @staticmethod
    def _register_questionnaire_links() -> None:
        """Participants' own questionnaires and scores; staff typing in paper, phone and in-person forms."""
        from django.http import HttpRequest

        from peerpath.core import home

        def answers_own(request: HttpRequest) -> bool:
            return request.user.has_perm("evaluation.answer_own")

        def enters_answers(request: HttpRequest) -> bool:
            return request.user.has_perm("evaluation.enter_answers")

        home.register(
            home.HomeLink(
                "Your questionnaires",
                "Questionnaires to answer about your course, and your scores over time.",
                "questionnaires:mine",
                visible=answers_own,
                order=42,
            )
        )
        home.register(
            home.HomeLink(
                "Type in a questionnaire",
                "Answers given on a paper form, by phone or in person.",
                "evaluation_entry:start",
                visible=enters_answers,
                order=38,
            )
        )
