"""An OptionList whose highlighted row can be in reverse video, and where a first click on
a row highlights it rather than choosing it.

Textual's OptionList draws its rows with `get_visual_style`, which keeps bold, dim, italic,
underline and strike from the component styles but not reverse: `text-style: reverse` on
`.option-list--option-highlighted` (wirewatch.tcss, for a terminal without colour) was
dropped, and the row the pickers, the events list and the alerts highlight was only bold."""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.style import Style as VisualStyle
from textual.widgets import OptionList


class RowList(OptionList):
    """An OptionList that keeps its component styles' reverse video, where a click
    highlights the row under the pointer and a click on the highlighted row (or a
    double-click) chooses it, as in the headlines: OptionList chose on one click, and the
    mouse could pick no row for a window's own keys (edit, remove, mute, a rule's alerts).
    """

    _click_chose = False  # the last click chose its row (the rest of its chain does not)

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # (OptionList's own handler chooses on one click)
        clicked = event.style.meta.get("option")
        if not isinstance(clicked, int) or not 0 <= clicked < self.option_count:
            return
        if self.get_option_at_index(clicked).disabled:
            return
        if event.chain > 1 and self._click_chose:  # the rest of a double-click that chose
            return
        chooses = clicked == self.highlighted
        self.highlighted = clicked
        self._click_chose = chooses
        if chooses:
            self.action_select()

    def get_visual_style(self, *component_classes: str, partial: bool = False) -> VisualStyle:
        style = super().get_visual_style(*component_classes, partial=partial)
        if self.app.no_color and any(
            self.get_component_styles(name).text_style.reverse for name in component_classes
        ):
            return replace(style, reverse=True)
        return style
