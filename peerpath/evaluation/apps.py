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
