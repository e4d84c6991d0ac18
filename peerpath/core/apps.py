from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peerpath.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from peerpath.core import accounts

        accounts.connect_lockout_signal()
