"""The commonest words of English and of the other languages the story grouping reads.

English's stop words say nothing of an event; the others' are those of French, German,
Spanish, Italian, Portuguese, Dutch, Russian and Ukrainian. The grouping drops them
(`fetchers.stories`), and they say which language a text is in (`fetchers.textlanguage`).
"""

from __future__ import annotations

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours us said says say new news one two three first after amid
    over says just still day week year years monday tuesday wednesday thursday friday
    saturday sunday today yesterday re downs offs outs
    """.split()  # noqa: SIM905 - a word list reads better as words
)
# The commonest words of French, German, Spanish, Italian, Portuguese, Dutch, Russian and
# Ukrainian that say nothing of an event ("le", "und", "los", "della", "não", "het", "что",
# "що"; their "said", "year" and "today" too, as English's), but those English news uses as
# words or names: "die", "war", "den", "met", "hat", "van", "era", "son", "sin"; "un" (the
# UN), "ai" (AI), "han", "ma", "su", "na" (surnames of Korea and China). Counted as words, a
# feed's language joined its unrelated reports: five French events in one story. A word in
# capitals is not one of these ("LA", "DA", "MIT").
FOREIGN_STOPWORDS = frozenset(
    """
    le la les une des du de au aux et ou dans par sur avec sans sous chez entre contre vers
    après avant depuis pendant selon ce cet cette ces sa ses leur leurs notre nos votre vos
    mon mes qui que quoi dont où il elle ils elles nous vous je se ne pas est sont été être
    ont avait avaient fait aussi très tout tous toute toutes comme mais donc lors ainsi déjà
    encore même qu lui ni si der das dem ein eine einer eines einem einen und oder aber mit
    von vom zu zum zur im ins auf aus bei nach für über unter vor seit gegen ohne durch um
    ist sind waren wird werden wurde wurden haben hatte hatten sich nicht auch noch nur
    schon sehr wie als wenn dass daß es er sie wir ihr ihm ihn ihre ihren ihrem ihrer sein
    seine seinen seiner seinem mehr bis kein keine alle diese dieser dieses diesem diesen
    jetzt heute gestern doch wieder bereits soll sollen kann können muss müssen el los las
    lo una unos unas del al en con por para sobre hasta desde tras ante bajo qué sus fue ha
    hay está están ser sido como más pero ya muy también este esta estos estas ese esa eso
    mi sí cuando donde todo todos toda todas otro otra otros hoy ayer tiene tienen según
    durante gli di della dei degli delle dello alla agli da dal dalla nel nella nei sul
    sulla per tra fra che non sono hanno anche più suo sua suoi questo questa dopo oggi os
    dos em nas com pelo pela não são foi ao aos mas seu também já isso het een op voor aan
    bij naar uit te dat zijn wordt werd niet ook nog maar hij zij ze tot
    во на не что со по ко об от до за из для при без над под про через после перед между
    но или ли же бы как так это этот эта эти этого того тот та те его её ее их он она оно
    они мы вы ты был была было были быть будет будут есть уже ещё еще также только все всё
    весь вся всех когда где который которая которое которые которых чтобы если более очень
    может могут заявил заявила заявили сообщил сообщила сообщили сообщает сообщают год года
    году сегодня вчера
    із зі що від як де або але чи ще це цей ця ці цього його її їх він вона вони був була
    було були буде вже також тільки лише коли який яка яке які якщо дуже має мають щоб тому
    після між під усі всі свою своє свої заявив повідомив повідомила повідомили року році
    рік сьогодні вчора
    """.split()  # noqa: SIM905 - a word list reads better as words
)
