from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "peerpath.delivery"
    label = "delivery"
    verbose_name = "Course runs and support groups"
