"""A list to choose one thing from: a source, a tag, a source's health, or an article of a
story (whose `d` shows what its source changed)."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fetchers.keymap import keys_in_force
from fetchers.query import folded
from tui.actions import TableOrderedKeys, bindings, hints, key_hint, key_shown
from tui.widgets.footer import KeyFooter
from tui.widgets.rowlist import RowList

ESCAPE = "escape"
Options = list[tuple[str, Text]]
"""A picker's rows: each option's id and what its row says."""


class FindField(Input):
    """What the picker's rows are narrowed to, typed after `/`: the arrows and page keys move
    in the list meanwhile (as fzf's do), enter chooses the highlighted row, and escape
    clears what was typed, then leaves the find, whatever key closes the picker: with
    `picker.close` moved off escape ("q", a printable key the field types), escape did
    nothing there and no key got out."""

    BINDINGS = [
        Binding("down", "in_list('action_cursor_down')", show=False),
        Binding("up", "in_list('action_cursor_up')", show=False),
        Binding("pagedown", "in_list('action_page_down')", show=False),
        Binding("pageup", "in_list('action_page_up')", show=False),
        Binding("escape", "leave_find", show=False),
    ]

    def action_leave_find(self) -> None:
        screen = self.screen
        if isinstance(screen, PickerScreen):
            screen.leave_find()

    def action_in_list(self, name: str) -> None:
        listed = self.screen.query_one(OptionList)
        getattr(listed, name)()


def found_in(words: list[str], text: str) -> bool:
    """Every word typed is in `text`, in any case and with or without accents ("societe"
    finds "Société Générale Wire")."""
    said = folded(text)
    return all(word in said for word in words)


class PickerScreen(TableOrderedKeys, ModalScreen[str | None]):
    """Returns the chosen option's id, or None on escape. `/` narrows the rows to those
    holding the words typed (2,000 sources are no list to page through): escape clears
    them, then closes."""

    BINDINGS = bindings("picker")
    AUTO_FOCUS = "#picker-list"  # (the find field, hidden until `/`, came first)

    def __init__(
        self,
        title: str,
        options: Options,
        footer: str | None = None,
        details: dict[str, Text] | None = None,
        at: str | None = None,
        find_in_rows: bool = True,
    ) -> None:
        """`footer`: what the keys do (None: enter chooses, and the close key closes);
        `details`: what is said in full under the list of the highlighted option, by its id
        (a row is cut at the picker's width); `at`: the option highlighted first, when it is
        listed (else the first); `find_in_rows`: what is typed after `/` is looked for in
        each option's row and details as well as its id (a source's status and error), or
        in its id alone (a row that is a count and a name: digits typed matched counts)."""
        super().__init__()
        self.title_text = title
        self.options = options
        self.footer_text = footer
        self.details = details
        self.at = at
        self.find_in_rows = find_in_rows
        self.finding = ""  # the words typed after `/`, as typed

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self._title(), id="picker-title")
            find = FindField(placeholder="find: words of a row", id="picker-find")
            find.display = False
            yield find
            yield RowList(*[Option(label, id=key) for key, label in self.options], id="picker-list")
            if self.details is not None:
                yield Static(id="picker-detail")
            footer = self.footer_text
            if footer is None:
                footer = hints(
                    "enter chooses",
                    key_hint(key_shown(self.app, "picker.find"), "finds"),
                    key_hint(key_shown(self.app, "picker.close"), "closes"),
                )
            yield Static(Text(footer), id="picker-footer")
        yield KeyFooter()  # its own keys: the dashboard's beneath are not in force

    def _title(self) -> Text:
        """The picker's title, and while rows are found, what was typed and how many of all
        the rows hold it: the title cut short to leave the counts room (a story's headline
        came first and the line was cut at "4 of …" at 160 columns)."""
        title = Text(self.title_text, style="bold")
        if self.finding.strip():
            shown = len(self._found(self.options))
            found = f" · find “{self.finding.strip()}”: {shown:,} of {len(self.options):,}"
            room = self._title_width() - cell_len(found)
            if room > 0 and cell_len(self.title_text) > room:
                title.truncate(room, overflow="ellipsis")
            title.append(found)
        return title

    def _title_width(self) -> int:
        """The cells the title line has: the title's own once laid out, else what the
        picker's box gives it (90% of the terminal, 110 at most, less borders and padding)."""
        if self.is_mounted:
            width = self.query_one("#picker-title", Static).content_region.width
            if width > 0:
                return width
        return min(self.app.size.width * 9 // 10, 110) - 4

    def _found(self, options: Options) -> Options:
        """The options holding every word typed after `/` (all of them, none typed)."""
        words = folded(self.finding).split()
        if not words:
            return options
        found = []
        for key, label in options:
            said = key
            if self.find_in_rows:
                detail = self.details.get(key) if self.details is not None else None
                said = f"{key}\n{label.plain}\n{detail.plain if detail else ''}"
            if found_in(words, said):
                found.append((key, label))
        return found

    def on_mount(self) -> None:
        keys = [key for key, _ in self.options]
        if self.at in keys:
            listed = self.query_one(OptionList)
            listed.highlighted = keys.index(self.at)
            listed.call_after_refresh(listed.scroll_to_highlight)
        self._show_detail()

    def on_resize(self) -> None:
        """The rows said again for the new width, and the highlighted one kept in sight: a
        picker made shorter with the highlight on its last row left it below the list."""
        self.redraw()
        listed = self.query_one(OptionList)
        listed.call_after_refresh(listed.scroll_to_highlight)
        self.call_after_refresh(self._retitle)  # at the title's new width

    def _retitle(self) -> None:
        if self.is_attached:
            self.query_one("#picker-title", Static).update(self._title())

    def redraw(self) -> None:
        """Say the rows again as wide as the terminal is now (these are said once)."""

    def on_option_list_option_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        if self.details is None:
            return
        listed = self.query_one(OptionList)
        at = listed.highlighted
        key = listed.get_option_at_index(at).id if at is not None else None
        said = self.details.get(key, Text()) if key is not None else Text()
        self.query_one("#picker-detail", Static).update(said)
        # a detail of more lines leaves the list fewer: its highlighted row kept in sight
        listed.call_after_refresh(listed.scroll_to_highlight)

    def update_options(self, options: Options, details: dict[str, Text] | None = None) -> None:
        """Say the options anew in place (what they tell changed while the picker is open),
        the highlight on the option it was on (or on its row, that option gone), only those
        holding what was typed after `/` listed."""
        self.options = options
        if details is not None:
            self.details = details
        self._list(self._found(options))
        self.query_one("#picker-title", Static).update(self._title())

    def _list(self, options: Options) -> None:
        """The list made these options, the highlight kept on its option if it is listed
        (else on its row, or the first when it is found anew)."""
        listed = self.query_one(OptionList)
        at = listed.highlighted
        key = listed.get_option_at_index(at).id if at is not None else None
        if [option.id for option in listed.options] == [key for key, _ in options]:
            for index, (_, label) in enumerate(options):
                if listed.options[index].prompt != label:
                    listed.replace_option_prompt_at_index(index, label)
            self._show_detail()
            return
        listed.set_options([Option(label, id=key) for key, label in options])
        keys = [key for key, _ in options]
        if key in keys:
            listed.highlighted = keys.index(key)
        elif at is not None and options:
            listed.highlighted = min(at, len(options) - 1)
        listed.call_after_refresh(listed.scroll_to_highlight)
        self._show_detail()

    def action_find(self) -> None:
        """`/`: the find field, where the typing goes (j, k, g, G and q are the list's)."""
        find = self.query_one(FindField)
        find.display = True
        find.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Each key typed narrows the rows at once, the highlight on the first found."""
        event.stop()
        before = self.finding
        self.finding = event.value
        if folded(before).split() == folded(self.finding).split():
            return
        found = self._found(self.options)
        self.query_one("#picker-title", Static).update(self._title())
        if not self.finding.strip():  # cleared: the highlight stays on its row
            self._list(found)
            return
        listed = self.query_one(OptionList)
        listed.set_options([Option(label, id=key) for key, label in found])
        listed.highlighted = 0 if found else None
        listed.call_after_refresh(listed.scroll_to_highlight)
        self._show_detail()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the find field chooses the highlighted row, as in the list."""
        event.stop()
        listed = self.query_one(OptionList)
        if listed.highlighted is not None:
            self.dismiss(listed.get_option_at_index(listed.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        """Escape clears what was typed after `/` first (every row listed again, the
        highlight kept on its row), then closes."""
        if self._close_find():
            return
        self.dismiss(None)

    def leave_find(self) -> None:
        """Escape in the find field: what was typed cleared and the find left; with nothing
        typed, the picker closed too when escape is a key that closes it (as from the list)."""
        if self._close_find():
            return
        config = getattr(self.app, "config", None)
        if ESCAPE in keys_in_force(config.keys if config is not None else {})["picker.close"]:
            self.dismiss(None)

    def _close_find(self) -> bool:
        """Hide the find field, what was typed in it cleared, the list given the focus back;
        whether anything was typed there."""
        find = self.query_one(FindField)
        if not find.display:
            return False
        typed = bool(find.value)
        find.value = ""
        find.display = False
        self.query_one(OptionList).focus()
        return typed

    def action_move(self, step: int) -> None:
        """j and k, as in the headlines (the list itself knows the arrows)."""
        move_in(self.query_one(OptionList), step)

    def action_first(self) -> None:
        """g, as in the headlines (the list itself knows home)."""
        self.query_one(OptionList).action_first()

    def action_last(self) -> None:
        """G, as in the headlines (the list itself knows end)."""
        self.query_one(OptionList).action_last()


PickerRows = Callable[[], tuple[Options, dict[str, Text] | None]]
"""What says a picker's rows and their details (None: no details) as wide as the terminal
is now."""


class RedrawnPickerScreen(PickerScreen):
    """A picker whose rows and details are said by `rows` (source health, a story's
    timeline: their columns follow the terminal's width), again when the terminal is resized
    and on `redraw`."""

    def __init__(
        self,
        title: str | Callable[[], str],
        rows: PickerRows,
        footer: str | None = None,
        at: str | None = None,
    ) -> None:
        """`title`: or what says it anew with the rows (how many sources fail now)."""
        options, details = rows()
        self.title_of = title if callable(title) else None
        super().__init__(title if isinstance(title, str) else title(), options, footer, details, at)
        self.rows = rows

    def redraw(self) -> None:
        if self.title_of is not None:
            self.title_text = self.title_of()
        self.update_options(*self.rows())


class StoryTimelineScreen(RedrawnPickerScreen):
    """A story's articles across outlets: a picker whose `d` shows what the source changed in
    the highlighted article (`on_revisions`, over this list; escape comes back to it), whose
    refresh key polls (`on_refresh`: the reader watching a story need not leave it), and
    whose rows follow the story (`follow`) as polls change it."""

    BINDINGS = [*bindings("picker"), *bindings("timeline")]

    def __init__(
        self,
        title: str,
        rows: PickerRows,
        footer: str,
        on_revisions: Callable[[str], object],
        on_refresh: Callable[[], object],
        at: str | None = None,
    ) -> None:
        super().__init__(title, rows, footer, at)
        self.on_revisions = on_revisions
        self.on_refresh = on_refresh

    def follow(self, title: str, rows: PickerRows, footer: str) -> None:
        """The story as it is now (a report joined it, a headline was revised): its title,
        rows and footer said anew in place, the highlight kept on its article."""
        self.title_text, self.footer_text, self.rows = title, footer, rows
        self.query_one("#picker-title", Static).update(self._title())
        self.query_one("#picker-footer", Static).update(Text(footer))
        self.redraw()

    def action_refresh(self) -> None:
        self.on_refresh()

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
