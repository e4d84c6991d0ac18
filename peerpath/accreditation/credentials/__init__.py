"""Open Badges 3.0 credentials for awards: signing keys, the issuer's DID, issuing, status lists, baking.

See docs/adr/015-open-badges-credentials.md for the decisions and for how a third party
verifies a PeerPath credential.
"""
