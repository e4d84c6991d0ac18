"""How a page finds the words of its programme: ``terms`` in every Jinja template.

The rule, in order:

1. A view that shows one course, run, prospectus term or programme passes that programme's
   words in its context as ``terms`` (:func:`terms_of`; for a prospectus term, the words its
   courses share, :func:`shared_terms`). They win.
2. Otherwise a signed-in user's page says the words of the programmes their organisations
   own or run courses in, when those programmes all say the same words (:func:`user_terms`); any other mix,
   or none, says the default words.
3. Anonymous and public pages without a programme of their own, and anything rendered
   without a request (emails, PDFs built in a task), say the default words.

Rule 2 costs one query, run at most once per request and only when a template reads an
attribute of ``terms``: the environment's context class (:class:`TermsContext`) supplies a
:class:`LazyTerms` when the view passed none, and the lazy object asks the database on
first use. Pages that never print a programme word cost nothing.

Caveat: a macro file imported without context (``{% from "x" import m %}``) sees no request,
so it would get the default words; such macros take ``terms`` as an argument instead.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import HttpRequest
from jinja2.runtime import Context
from jinja2.utils import missing

from peerpath.people.access import principal_for
from peerpath.programmes.models import Programme
from peerpath.programmes.terms import DEFAULT, NAMES, Terms, upper_first

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

CONTEXT_NAME = "terms"
_REQUEST_ATTRIBUTE = "_peerpath_terms"


def terms_of(programme: Programme | None) -> Terms:
    """A programme's words, or the default words for something in no programme."""
    return programme.terms if programme is not None else DEFAULT


def shared_terms(found: Iterable[Terms]) -> Terms:
    """The one set of words every programme found says; the default words for none or a mix."""
    distinct = set(found)
    return distinct.pop() if len(distinct) == 1 else DEFAULT


def _terms_of_programmes(programmes: Iterable[tuple[str, ...]]) -> Terms:
    return shared_terms(Terms(*row) for row in programmes)


def user_terms(user: AbstractBaseUser | AnonymousUser) -> Terms:
    """The words of the programmes the user's organisations take part in (one query): those
    they own, and those whose courses they own or run as partners (a carers' centre in a
    college's programme owns no programme of its own).

    Any role counts. No query at all for an anonymous user or one with no current
    membership (an administrator usually has none), who get the default words.
    """
    organisations = list(principal_for(user).organisations())
    if not organisations:
        return DEFAULT
    rows = (
        Programme.objects.filter(
            Q(owner_id__in=organisations)
            | Q(courses__owner_id__in=organisations)
            | Q(courses__partners__in=organisations)
        )
        .values_list(*NAMES)
        .distinct()
    )
    return _terms_of_programmes(rows)


class LazyTerms:
    """The signed-in user's words, looked up on first use (see :func:`user_terms`).

    Reads like :class:`Terms` in a template (``terms.people``, ``terms.Condition``).
    """

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def resolved(self) -> Terms:
        return user_terms(self._request.user)

    def __getattr__(self, name: str) -> Any:
        # Only called for names this class lacks: everything Terms has.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.resolved, name)

    def __repr__(self) -> str:
        return f"LazyTerms({self.__dict__.get('resolved', 'not looked up yet')!r})"


def page_terms(request: HttpRequest | None) -> Terms | LazyTerms:
    """The words for a page whose view passed none: the user's (lazily), else the default."""
    if request is None:
        return DEFAULT
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return DEFAULT
    found: LazyTerms | None = getattr(request, _REQUEST_ATTRIBUTE, None)
    if found is None:
        found = LazyTerms(request)
        setattr(request, _REQUEST_ATTRIBUTE, found)
    return found


def terms_for_request(request: HttpRequest) -> Terms:
    """The words for a page whose view needs them in Python (form labels): looked up now, once per request."""
    found = page_terms(request)
    return found.resolved if isinstance(found, LazyTerms) else found


class TermsContext(Context):
    """A Jinja context in which ``terms`` is always defined.

    The view's own ``terms`` (or a ``{% set %}``) wins; without one, the page's words come
    from :func:`page_terms` for the request being rendered.
    """

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if value is missing and key == CONTEXT_NAME:
            request = super().resolve_or_missing("request")
            return page_terms(request if isinstance(request, HttpRequest) else None)
        return value


# Words in sentences --------------------------------------------------------------------


def possessive(word: str) -> str:
    """'carers' -> "carers'", 'member' -> "member's"."""
    return f"{word}'" if word.endswith("s") else f"{word}'s"


def with_article(word: str) -> str:
    """'carer' -> 'a carer', 'adult carer' -> 'an adult carer' (by the first letter only)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def placeholders(terms: Terms | LazyTerms) -> dict[str, str]:
    """What :func:`fill` can put in a sentence: each term, capitalised forms, and a few phrases."""
    words = {name: getattr(terms, name) for name in NAMES}
    capitalised = {upper_first(name): upper_first(value) for name, value in words.items()}
    return {
        **words,
        **capitalised,
        "people_possessive": possessive(words["people"]),
        "People_possessive": upper_first(possessive(words["people"])),
        "a_person": with_article(words["person"]),
    }


def fill(text: str, terms: Terms | LazyTerms) -> str:
    """A sentence with ``{people}``-style placeholders (:func:`placeholders`) in the programme's words.

    Text without a placeholder is returned as it is, without reading ``terms``, so a
    lazy user's words are looked up only for sentences that need them. A placeholder
    that is not a term is a programming error (KeyError), caught by the tests.
    """
    if not any(name for _, name, _, _ in string.Formatter().parse(text) if name is not None):
        return text
    return text.format_map(placeholders(terms))
