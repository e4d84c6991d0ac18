from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "peerpath.accreditation"
    label = "accreditation"
    verbose_name = "Train the Trainer and accreditation"
