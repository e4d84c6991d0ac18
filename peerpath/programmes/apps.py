from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "peerpath.programmes"
    label = "programmes"
    verbose_name = "Programmes and their terminology"

    def ready(self) -> None:
        from django.http import HttpRequest

        from peerpath.people import hooks
        from peerpath.programmes.context import terms_for_request, with_article

        def words(request: HttpRequest) -> hooks.Words:
            terms = terms_for_request(request)
            return hooks.Words(
                person=terms.person,
                a_person=with_article(terms.person),
                people=terms.people,
                cared_for_third=terms.cared_for_third,
            )

        hooks.register_words(words)
