"""A pane's component colours as they show on its background, in any theme.

Textual's `get_component_rich_style` hands a component's colours over unresolved: `auto`
(the contrasting text Textual's themes make `$text-muted` and `$text` of) comes back as
white and a colour's transparency is dropped. Textual's own themes give `$text-muted` as
`auto 60%` and the unfocused cursor's background as `$primary` at 30%, so read headlines, ages
and bylines were white on a light theme's near-white page, and the unfocused cursor a solid
`$primary` under text of nearly its colour. Here both are worked out as Textual works out a
widget's own colours: `auto` against the background the text is drawn on, a transparent
colour blended over it. A text colour that still falls short of WCAG AA (4.5:1) on it, as
Textual's unfocused cursor does in some of its themes (3.2:1 in solarized-dark), is moved
towards black or white until it reaches it; wirewatch's own themes reach it already and are
drawn as they are."""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.widget import Widget

AA = 4.5  # WCAG 2 AA for normal text


def _luminance(colour: Color) -> float:
    """WCAG's relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(one: Color, other: Color) -> float:
    """WCAG's contrast ratio of two opaque colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(text: Color, under: Color, least: float = AA) -> Color:
    """`text`, or the nearest colour towards black or white (whichever stands out more from
    `under`) that reaches `least` contrast on `under`. Colours of the terminal's own (ANSI
    themes) are the terminal's to draw, and kept."""
    if text.ansi is not None or under.ansi is not None or contrast(text, under) >= least:
        return text
    target = max(Color(0, 0, 0), Color(255, 255, 255), key=lambda end: contrast(end, under))
    low, high = 0.0, 1.0  # how far towards `target`: the least that reaches `least`
    for _ in range(12):
        middle = (low + high) / 2
        if contrast(text.blend(target, middle, 1.0), under) >= least:
            high = middle
        else:
            low = middle
    return text.blend(target, high, 1.0)


def shown_style(widget: Widget, name: str) -> Style:
    """The colours and text style of `widget`'s component `name`, as a style to lay over the
    widget's own (a partial style): its colours resolved on the widget's background, or on
    the component's own background (itself laid over the widget's) when it has one, and
    made `readable` there."""
    styles = widget.get_component_styles(name)
    _, ground = widget.background_colors
    if ground.ansi is not None:  # the terminal's own colours (ANSI themes): nothing to blend
        return widget.get_component_rich_style(name, partial=True)
    background: Color | None = None
    if styles.has_rule("background") and styles.background.a > 0:
        background = ground + styles.background
    under = background or ground
    colour: Color | None = None
    if styles.has_rule("color") and styles.color.a > 0:
        text = styles.color
        if styles.has_rule("auto_color") and styles.auto_color:
            text = under.get_contrast_text(text.a)
        colour = readable(under + text, under) if under.a > 0 else text
    style = Style(
        color=colour.rich_color if colour is not None else None,
        bgcolor=background.rich_color if background is not None else None,
    )
    return style + styles.text_style


class ShownStyles:
    """`shown_style` for one widget, kept until its styles are updated (`forget`, from the
    widget's `notify_style_update`: a theme, a focus or a class changed, its own or an
    ancestor's): a row drawn calls it for every column."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._kept: dict[str, Style] = {}

    def __call__(self, name: str) -> Style:
        shown = self._kept.get(name)
        if shown is None:
            shown = self._kept[name] = shown_style(self._widget, name)
        return shown

    def forget(self) -> None:
        """The widget's styles changed: its components' colours are worked out again."""
        self._kept.clear()
