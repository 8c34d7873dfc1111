"""An OptionList whose highlighted row can be in reverse video.

Textual's OptionList draws its rows with `get_visual_style`, which keeps bold, dim, italic,
underline and strike from the component styles but not reverse: `text-style: reverse` on
`.option-list--option-highlighted` (wirewatch.tcss, for a terminal without colour) was
dropped, and the row the pickers, the events list and the alerts highlight was only bold."""

from __future__ import annotations

from dataclasses import replace

from textual.style import Style as VisualStyle
from textual.widgets import OptionList


class RowList(OptionList):
    """An OptionList that keeps its component styles' reverse video."""

    def get_visual_style(self, *component_classes: str, partial: bool = False) -> VisualStyle:
        style = super().get_visual_style(*component_classes, partial=partial)
        if self.app.no_color and any(
            self.get_component_styles(name).text_style.reverse for name in component_classes
        ):
            return replace(style, reverse=True)
        return style
