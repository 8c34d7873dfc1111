"""Stories in French, Spanish, Italian, Portuguese, German and Dutch: an article in one of
them is read in its language (its commonest words no words, its numbers written as words
the numbers, a word in any of its forms one word), so two outlets' reports of one event
told in different forms of the same words are one story, and reports of different events
stay apart."""

from __future__ import annotations

from datetime import UTC, datetime

from fetchers import stories
from fetchers.stories import Item, StoryIndex, terms, terms_in


def at(hour: float) -> float:
    return datetime(2025, 10, 29, tzinfo=UTC).timestamp() + hour * 3600


def grouped(items: list[Item]) -> set[frozenset[str]]:
    index = StoryIndex()
    index.add(items)
    return {frozenset(ids) for ids in index.members.values()}


def test_two_outlets_spanish_reports_of_one_event_in_other_forms_are_one_story() -> None:
    """One outlet writes "condena" and "cobró", the other "Condenado" and "condena", and
    each its own "los", "las", "su" and "sus": read in Spanish they share the event's words,
    and are one story; the day's other Spanish report stays apart."""
    items = [
        Item(
            "e1",
            "El tribunal condena al exalcalde de Marbella por las comisiones ilegales",
            "Los jueces consideran probado que cobró sobornos por licencias urbanísticas"
            " durante los años de su mandato.",
            at(0),
            "El País",
        ),
        Item(
            "e2",
            "Condenado por corrupción el antiguo alcalde marbellí",
            "La sentencia de la Audiencia concluye que el exregidor se enriqueció con"
            " comisiones ilegales y condena a sus socios.",
            at(2),
            "El Mundo",
        ),
        Item(
            "e3",
            "El Gobierno aprueba la subida del salario mínimo para los trabajadores",
            "El Consejo de Ministros ha aprobado este martes el aumento, que según el"
            " Ministerio beneficiará a dos millones de personas durante los próximos años.",
            at(1),
            "RTVE",
        ),
    ]
    assert grouped(items) == {frozenset({"e1", "e2"}), frozenset({"e3"})}


def test_each_language_meets_a_word_in_its_other_forms() -> None:
    """A plural and its singular, a feminine and its masculine, a past participle and its
    infinitive are one word in each language; a number written as a word is the number."""
    assert terms_in("de", "Drei Tote nach Anschlägen") == terms_in("de", "3 Toten, Anschlag")
    assert terms_in("de", "Magdeburger Weihnachtsmarkt") == terms_in(
        "de", "Magdeburg Weihnachtsmarkt"
    )
    assert terms_in("fr", "bijoux dérobés") == terms_in("fr", "un bijou à dérober")
    assert terms_in("fr", "une ancienne ministre") == terms_in("fr", "l'ancien ministre")
    assert terms_in("es", "dos muertos, elecciones") == terms_in("es", "2 muerta, elección")
    assert terms_in("es", "condenado, condenó") == terms_in("es", "condenar, condena")
    assert terms_in("it", "le dimissioni dei ministri") == terms_in("it", "dimissione del ministro")
    assert terms_in("pt", "eleições, eleito") == terms_in("pt", "eleição, eleita")
    assert terms_in("pt", "dois milhões") == terms_in("pt", "2 milhão")
    assert terms_in("nl", "de verkiezingen in twaalf provincies") == terms_in(
        "nl", "verkiezing, 12 provincie"
    )


def test_a_language_s_commonest_words_are_no_words_in_its_articles_only() -> None:
    """ "die", "den", "un", "pour", "van" and "met" are the commonest words of German,
    French and Dutch, and English words too: no words in an article in those languages,
    words still in an English one; countries are read as in every language."""
    assert terms_in("de", "Die Polizei hat den Fahrer festgenommen") == terms_in(
        "de", "Polizei Fahrer festgenommen"
    )
    assert terms_in("fr", "un homme pour son fils") == terms_in("fr", "homme fils")
    assert terms_in("nl", "het kabinet van Rutte met de VVD") == terms_in("nl", "kabinet Rutte VVD")
    assert terms_in("fr", "Macron à Berlin") == ["macron", "@germany"]
    assert terms("UN war: two die") == ["un", "war", "2", "die"]


def test_an_article_is_read_in_the_language_whose_commonest_words_it_says() -> None:
    """Two or more of a language's commonest words, more than of another's and more than of
    English's, say its language ("del", "con" and "el" are Spanish's rather than Italian's);
    an English report that names "Los Angeles" and "Las Vegas", "von der Leyen" or "Le Pen",
    or writes "N Korea" and "S Korea", is English."""
    said = {
        "Le Louvre visé par un vol de bijoux, une enquête ouverte": "fr",
        "El Congreso inviste a Sánchez con 179 votos y los apoyos de sus socios": "es",
        "Conte si è dimesso, da domani le consultazioni al Quirinale": "it",
        "Lula é eleito presidente pela terceira vez e derrota Bolsonaro": "pt",
        "Anschlag in Magdeburg: Die Polizei geht von einem Anschlag aus und ermittelt": "de",
        "Het kabinet-Rutte is gevallen, de premier biedt zijn ontslag aan": "nl",
        "Fires spread from Los Angeles to Las Vegas as the winds rise": None,
        "Ursula von der Leyen meets Le Pen in Brussels": None,
        "Dutch van driver held after the crash in Amsterdam": None,
        "N Korea fires missile as S Korea, US begin drills": None,  # ("n", "s": French's?)
    }
    for text, language in said.items():
        assert stories.language_of(text.split()) == language, text
