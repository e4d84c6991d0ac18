"""The issuer's public documents (namespace ``issuer``): its DID document and status lists."""

from django.urls import URLPattern

app_name = "issuer"

urlpatterns: list[URLPattern] = []
