"""A list to choose one thing from: a source, a tag, a source's health, or an article of a
story (whose `d` shows what its source changed)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.actions import TableOrderedKeys, bindings, key_shown


class PickerScreen(TableOrderedKeys, ModalScreen[str | None]):
    """Returns the chosen option's id, or None on escape."""

    BINDINGS = bindings("picker")

    def __init__(
        self,
        title: str,
        options: list[tuple[str, Text]],
        footer: str | None = None,
    ) -> None:
        """`footer`: what the keys do (None: enter chooses, and the close key closes)."""
        super().__init__()
        self.title_text = title
        self.options = options
        self.footer_text = footer

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Text(self.title_text, style="bold"), id="picker-title")
            yield OptionList(
                *[Option(label, id=key) for key, label in self.options], id="picker-list"
            )
            footer = self.footer_text
            if footer is None:
                footer = f"enter chooses · {key_shown(self.app, 'picker.close')} closes"
            yield Static(Text(footer), id="picker-footer")

    def update_options(self, options: list[tuple[str, Text]]) -> None:
        """Say the options anew in place (what they tell changed while the picker is open),
        the highlight on the option it was on (or on its row, that option gone)."""
        self.options = options
        listed = self.query_one(OptionList)
        at = listed.highlighted
        key = listed.get_option_at_index(at).id if at is not None else None
        if [option.id for option in listed.options] == [key for key, _ in options]:
            for index, (_, label) in enumerate(options):
                if listed.options[index].prompt != label:
                    listed.replace_option_prompt_at_index(index, label)
            return
        listed.set_options([Option(label, id=key) for key, label in options])
        keys = [key for key, _ in options]
        if key in keys:
            listed.highlighted = keys.index(key)
        elif at is not None and options:
            listed.highlighted = min(at, len(options) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        """j and k, as in the headlines (the list itself knows the arrows)."""
        move_in(self.query_one(OptionList), step)

    def action_first(self) -> None:
        """g, as in the headlines (the list itself knows home)."""
        self.query_one(OptionList).action_first()

    def action_last(self) -> None:
        """G, as in the headlines (the list itself knows end)."""
        self.query_one(OptionList).action_last()


class StoryTimelineScreen(PickerScreen):
    """A story's articles across outlets: a picker whose `d` shows what the source changed in
    the highlighted article (`on_revisions`, over this list; escape comes back to it)."""

    BINDINGS = [*bindings("picker"), *bindings("timeline")]

    def __init__(
        self,
        title: str,
        options: list[tuple[str, Text]],
        footer: str,
        on_revisions: Callable[[str], object],
    ) -> None:
        super().__init__(title, options, footer)
        self.on_revisions = on_revisions

    def action_show_revisions(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            ident = options.get_option_at_index(options.highlighted).id
            if ident is not None:
                self.on_revisions(ident)


def move_in(options: OptionList, step: int) -> None:
    if step > 0:
        options.action_cursor_down()
    else:
        options.action_cursor_up()
