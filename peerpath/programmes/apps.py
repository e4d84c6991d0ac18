from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "peerpath.programmes"
    label = "programmes"
    verbose_name = "Programmes and their terminology"
