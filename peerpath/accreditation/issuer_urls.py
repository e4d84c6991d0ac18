"""The issuer's public documents (namespace ``issuer``): its DID document and status lists.

Mounted at the site root. The DID document's route follows the site address
(``/.well-known/did.json``, or ``/did.json`` when PeerPath lives below a path), as did:web asks.
"""

from django.urls import path

from peerpath.accreditation import credential_views
from peerpath.accreditation.credentials import did

app_name = "issuer"

urlpatterns = [
    path(did.document_route(), credential_views.did_document, name="did_document"),
    path("credentials/status/<str:purpose>/", credential_views.status_list_credential, name="status_list"),
]
