"""What the base tells the floors above without knowing them.

``alerte_securite``: something changed on an account that its owner must be able to see (password
changed, email change asked or made). Sent with ``user`` (the account) or ``adherent`` (the member, when
the sender has the file in hand), ``titre`` and ``texte`` (lazy strings, ``texte`` may be empty); the
member's space (``notifications``) shows it. Sent inside the change's transaction: a rolled back change
shows nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

alerte_securite = Signal()
