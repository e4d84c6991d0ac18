from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "peerpath.bundles"
    label = "bundles"
    verbose_name = "Programme bundles"
