"""The settings window: Tk with ttk, drawing the form `form.py` describes.

One page per `form.Page` in a notebook; on each, a row per field (label, control, what
the value means), the key's description under it, and under that either the
validator's message (red, at every keystroke) or "Set by your organisation: <where>"
for a locked field, whose control is disabled (and so out of the Tab order too).

Keyboard: Tab and Shift+Tab move through the page's fields and the buttons in the
order they are drawn; Ctrl+Tab, Ctrl+Shift+Tab or Alt with a tab's underlined letter
switch pages; Enter saves (or presses the focused button), Escape cancels; Space
ticks a check box; Down opens a drop-down. Clicking a label focuses its field. Tk 8.6
has no accessibility interface at all (no AT-SPI, MSAA or NSAccessibility); where the
running Tk has one (`tk accessible`, Tk 9.1) each control gets its label as its name
and its description as its help.

Threading: everything here runs on the Tk thread. Save runs `_save.save` on a worker
thread and hands its `Saved` back through a queue the window polls with `after`; the
single-instance channel's raise requests are polled the same way.
"""

from __future__ import annotations

import queue
import sys
import threading
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from tkinter import ttk
from typing import Any

from reminder.settings._instance import Claimed
from reminder.settings._save import AutostartState, Saved, save
from reminder.settings.form import (
    AUTOSTART_HELP,
    AUTOSTART_LABEL,
    HELP_COLOUR,
    LOCK_COLOUR,
    PROBLEM_COLOUR,
    WINDOW_TITLE,
    Control,
    Field,
    FieldValue,
    Form,
    Page,
    check,
    echo,
    review,
    shown_path,
)

HELP_WRAP_PX = 600
POLL_MS = 250  # raise requests from a second `settings`
SAVE_POLL_MS = 50


@dataclass
class _Row:
    """The widgets of one field."""

    field: Field
    focus: tk.Widget  # what Tab, a label click or a refused Save puts the focus on
    message: ttk.Label  # the validator's message or the lock note
    meaning: ttk.Label | None  # "50 min", "8 hours of work"
    read: Callable[[], FieldValue]


@dataclass(frozen=True)
class Outcome:
    """How the window ended, for the process to print."""

    lines: tuple[str, ...]


class SettingsWindow:
    """The window on `root`; `run()` returns when it closes."""

    def __init__(
        self,
        root: tk.Tk,
        form: Form,
        autostart: AutostartState,
        *,
        target: Path,
        user_file: Path | None,
        instance: Claimed | None,
    ) -> None:
        self.root = root
        self.form = form
        self.autostart = autostart
        self.target = target
        self.user_file = user_file
        self.instance = instance
        self.rows: dict[str, _Row] = {}
        self.page_of_tab: list[Page] = []
        self.saved_lines: list[str] = []
        self._saving = False
        self._results: queue.SimpleQueue[Saved] = queue.SimpleQueue()
        self._accessible = True
        self._autostart_var = tk.BooleanVar(root, value=bool(autostart.enabled))
        self.outcome = Outcome(("Closed without saving; nothing was written.",))
        self._style()
        self._build()

    # ---------------------------------------------------------------- look

    def _style(self) -> None:
        root = self.root
        root.title(WINDOW_TITLE)
        style = ttk.Style(root)
        # Windows and macOS keep their native themes (vista, aqua); X11's "default" looks
        # dated, "clam" is the ttk theme closest to today's Linux desktops.
        if root.tk.call("tk", "windowingsystem") == "x11" and "clam" in style.theme_names():
            style.theme_use("clam")
        style.configure("Help.TLabel", foreground=HELP_COLOUR)
        style.configure("Problem.TLabel", foreground=PROBLEM_COLOUR)
        style.configure("Locked.TLabel", foreground=LOCK_COLOUR)
        style.configure("Meaning.TLabel", foreground=HELP_COLOUR)

    def _build(self) -> None:
        root = self.root
        outer = ttk.Frame(root, padding=(12, 12, 12, 8))
        outer.pack(fill="both", expand=True)
        self.notebook = ttk.Notebook(outer)
        self.notebook.pack(fill="both", expand=True)
        used_letters: set[str] = set()
        for page in self.form.pages:
            frame = ttk.Frame(self.notebook, padding=(12, 10))
            frame.columnconfigure(1, weight=1)
            row = 0
            for section in page.sections:
                if section.note:
                    note = ttk.Label(frame, text=section.note, style="Help.TLabel")
                    note.configure(wraplength=HELP_WRAP_PX + 200)
                    note.grid(row=row, column=0, columnspan=3, sticky="w", pady=(6, 4))
                    row += 1
                for field in section.fields:
                    row = self._add_field(frame, field, row)
            if page is self.form.pages[0]:
                row = self._add_autostart(frame, row)
            underline = _free_letter(page.title, used_letters)
            self.notebook.add(frame, text=page.title, underline=underline)
            self.page_of_tab.append(page)
        self.notebook.enable_traversal()

        self.status = ttk.Label(outer, text=self._file_line(), wraplength=HELP_WRAP_PX + 240)
        self.status.configure(style="Help.TLabel")
        self.status.pack(fill="x", pady=(8, 4))
        buttons = ttk.Frame(outer)
        buttons.pack(fill="x")
        self.save_button = ttk.Button(buttons, text="Save", command=self.on_save, default="active")
        self.cancel_button = ttk.Button(buttons, text="Cancel", command=self.on_cancel)
        order = [self.save_button, self.cancel_button]
        if sys.platform != "win32":  # GNOME and macOS put the default button last
            order.reverse()
        for button in reversed(order):
            button.pack(side="right", padx=(6, 0))
        for button in order:  # Tab order follows stacking order: left to right
            button.lift()

        root.bind("<Return>", self._on_return)
        root.bind("<KP_Enter>", self._on_return)
        root.bind("<Escape>", lambda _event: self.on_cancel())
        root.protocol("WM_DELETE_WINDOW", self.on_cancel)
        for key in self.rows:
            self._show_check(key)

    def _file_line(self) -> str:
        return f"Your settings file: {shown_path(self.target)} (only what you change is written)"

    def _add_field(self, frame: ttk.Frame, field: Field, row: int) -> int:
        state = ["disabled"] if field.locked_by else ["!disabled"]
        label: ttk.Label | None = None
        meaning: ttk.Label | None = None
        if field.control is not Control.CHECK:
            label = ttk.Label(frame, text=field.label)
            label.grid(row=row, column=0, sticky="nw", padx=(0, 12), pady=(6, 0))
        control, read = self._control(frame, field)
        control.grid(row=row, column=1, sticky="w", pady=(6, 0))
        if isinstance(control, ttk.Widget):
            control.state(state)
        else:  # the frame of TAGS check boxes
            for child in control.winfo_children():
                if isinstance(child, ttk.Checkbutton):
                    child.state(state)
        if field.control in (Control.LINE, Control.LIST_LINE, Control.ZONE, Control.TAGS):
            meaning = ttk.Label(frame, text="", style="Meaning.TLabel")
            meaning.grid(row=row, column=2, sticky="w", padx=(10, 0), pady=(6, 0))
        boxes = [child for child in control.winfo_children() if isinstance(child, ttk.Widget)]
        focus: tk.Widget = boxes[0] if field.control is Control.TAGS and boxes else control
        if label is not None:
            label.bind("<Button-1>", lambda _event: self._focus(field.name))
        row += 1
        if field.help:
            help_label = ttk.Label(frame, text=field.help, style="Help.TLabel")
            help_label.configure(wraplength=HELP_WRAP_PX)
            help_label.grid(row=row, column=1, columnspan=2, sticky="w")
            row += 1
        message = ttk.Label(frame, text="", wraplength=HELP_WRAP_PX)
        message.grid(row=row, column=1, columnspan=2, sticky="w")
        row += 1
        self.rows[field.name] = _Row(field, focus, message, meaning, read)
        self._name_for_screen_readers(focus, field.label, field.help)
        return row

    def _control(
        self, frame: ttk.Frame, field: Field
    ) -> tuple[tk.Widget, Callable[[], FieldValue]]:
        """The control for `field` and a function that reads what it holds."""
        key = field.name
        initial = field.initial
        if field.control is Control.CHECK:
            flag = tk.BooleanVar(frame, value=bool(initial))
            flag.trace_add("write", lambda *_args: self._show_check(key))
            box = ttk.Checkbutton(frame, text=field.label, variable=flag)
            return box, flag.get
        if field.control is Control.TAGS:
            holder = ttk.Frame(frame)
            ticked = set(initial) if isinstance(initial, tuple) else set()
            flags: dict[str, tk.BooleanVar] = {}
            for tag in field.options:
                flags[tag] = tk.BooleanVar(holder, value=tag in ticked)
                flags[tag].trace_add("write", lambda *_args: self._show_check(key))
                box = ttk.Checkbutton(holder, text=tag.capitalize(), variable=flags[tag])
                box.pack(side="left", padx=(0, 12))
            return holder, lambda: tuple(tag for tag, flag in flags.items() if flag.get())
        text = tk.StringVar(frame, value=str(initial))
        text.trace_add("write", lambda *_args: self._show_check(key))
        widget: ttk.Entry | ttk.Combobox
        if field.control is Control.ZONE:
            widget = ttk.Combobox(frame, textvariable=text, values=field.options, width=32)
        elif field.control is Control.CHOICE:
            widget = ttk.Combobox(frame, textvariable=text, values=field.options, width=20)
            widget.state(["readonly"])
        else:
            widget = ttk.Entry(frame, textvariable=text, width=34)
        return widget, text.get

    def _add_autostart(self, frame: ttk.Frame, row: int) -> int:
        """ "Start at login": not a configuration key but `sitting-reminder autostart`."""
        box = ttk.Checkbutton(frame, text=AUTOSTART_LABEL, variable=self._autostart_var)
        box.grid(row=row, column=1, sticky="w", pady=(10, 0))
        if self.autostart.enabled is None:
            box.state(["disabled"])
        help_label = ttk.Label(frame, text=AUTOSTART_HELP, style="Help.TLabel")
        help_label.grid(row=row + 1, column=1, columnspan=2, sticky="w")
        if self.autostart.note:
            style = "Problem.TLabel" if self.autostart.enabled is None else "Help.TLabel"
            note = ttk.Label(frame, text=self.autostart.note, style=style)
            note.configure(wraplength=HELP_WRAP_PX)
            note.grid(row=row + 2, column=1, columnspan=2, sticky="w")
        self._name_for_screen_readers(box, AUTOSTART_LABEL, AUTOSTART_HELP)
        return row + 3

    def _name_for_screen_readers(self, widget: tk.Widget, name: str, help_text: str) -> None:
        """The label as the control's accessible name, where Tk has `tk accessible` (9.1)."""
        if not self._accessible:
            return
        try:
            widget.tk.call("tk", "accessible", "set_acc_name", widget, name)
            if help_text:
                widget.tk.call("tk", "accessible", "set_acc_help", widget, help_text)
        except tk.TclError:  # Tk 8.6: no accessibility interface to tell
            self._accessible = False

    # ---------------------------------------------------------------- checks

    def values(self) -> dict[str, FieldValue]:
        return {key: row.read() for key, row in self.rows.items()}

    def _show_check(self, key: str) -> None:
        """Check one field now, show the validator's message or what the value means."""
        row = self.rows.get(key)
        if row is None:  # still being built
            return
        field = row.field
        if field.locked_by is not None:
            self._say(row, field.lock_note or "", "Locked.TLabel", meaning="")
            return
        checked = check(field.key, row.read())
        if checked.problem is not None:
            self._say(row, checked.problem, "Problem.TLabel", meaning="")
        else:
            self._say(row, "", "TLabel", meaning=echo(field.key, checked.parsed, _now()))
        self._mark_tabs()

    @staticmethod
    def _say(row: _Row, message: str, style: str, *, meaning: str) -> None:
        """Show `message` under the field (an empty one takes no room) and `meaning` beside."""
        row.message.configure(text=message, style=style)
        if message:
            row.message.grid()
        else:
            row.message.grid_remove()
        if row.meaning is not None:
            row.meaning.configure(text=meaning)

    def _mark_tabs(self) -> None:
        """A page with a wrong entry says so in its tab ("Work hours (1 to correct)")."""
        values = self.values() if len(self.rows) == len(self.form.fields) else None
        if values is None:
            return
        problems = review(self.form, values).problems
        if not problems and str(self.status.cget("style")) == "Problem.TLabel" and not self._saving:
            self.status.configure(text=self._file_line(), style="Help.TLabel")
        for index, page in enumerate(self.page_of_tab):
            count = sum(1 for field in page.fields if field.name in problems)
            title = page.title if not count else f"{page.title} ({count} to correct)"
            self._notebook("tab", index, "-text", title)

    def _notebook(self, *args: object) -> None:
        """A notebook subcommand (typeshed leaves `Notebook.tab` and `select` untyped)."""
        self.notebook.tk.call(self.notebook, *args)

    def _focus(self, key: str) -> None:
        row = self.rows[key]
        index = next(i for i, page in enumerate(self.page_of_tab) if row.field in page.fields)
        self._notebook("select", index)
        widget = row.focus
        widget.focus_set()
        if isinstance(widget, (ttk.Entry, ttk.Combobox)) and not row.field.locked_by:
            widget.selection_range(0, "end")
            widget.icursor("end")

    def focus_first(self) -> None:
        """Focus the first field a person may change, its text selected to type over."""
        for key, row in self.rows.items():
            if row.field.locked_by is None:
                self._focus(key)
                return
        self.cancel_button.focus_set()

    # ---------------------------------------------------------------- buttons

    def _on_return(self, event: tk.Event[Any]) -> str:
        widget = event.widget
        if isinstance(widget, ttk.Button):
            widget.invoke()
        else:
            self.on_save()
        return "break"

    def on_save(self) -> None:
        if self._saving:
            return
        result = review(self.form, self.values())
        if not result.can_save:
            first = next(key for key in self.rows if key in result.problems)
            count = len(result.problems)
            fields = "the field" if count == 1 else f"the {count} fields"
            self.status.configure(
                text=f"Not saved: correct {fields} marked in red first.", style="Problem.TLabel"
            )
            self._focus(first)
            return
        autostart_to: bool | None = None
        if self.autostart.enabled is not None:
            wanted = self._autostart_var.get()
            autostart_to = wanted if wanted != self.autostart.enabled else None
        if not result.changes and autostart_to is None:
            self.close(("Nothing changed; nothing was written.",))
            return
        self._saving = True
        self.save_button.state(["disabled"])
        self.status.configure(text="Saving…", style="Help.TLabel")
        changes = dict(result.changes)

        def work() -> None:
            self._results.put(save(changes, user_file=self.user_file, autostart_to=autostart_to))

        threading.Thread(target=work, name="settings-save", daemon=True).start()
        self.root.after(SAVE_POLL_MS, self._wait_for_save, autostart_to)

    def _wait_for_save(self, autostart_to: bool | None) -> None:
        try:
            saved = self._results.get_nowait()
        except queue.Empty:
            self.root.after(SAVE_POLL_MS, self._wait_for_save, autostart_to)
            return
        self._saving = False
        self.save_button.state(["!disabled"])
        self.saved_lines.extend(saved.lines)
        if not saved.failed and not saved.attention:
            self.close(tuple(self.saved_lines))
            return
        # Stay open and say what happened; what was written becomes the new starting point.
        self._rebase(saved.written)
        if autostart_to is not None and not saved.failed:
            self.autostart = replace(self.autostart, enabled=autostart_to)
        style = "Problem.TLabel" if saved.failed else "Locked.TLabel"
        self.status.configure(text=saved.text, style=style)
        if saved.written:
            self.cancel_button.configure(text="Close")

    def _rebase(self, written: tuple[str, ...]) -> None:
        """Saved fields count as unchanged from now on (a second Save writes nothing)."""
        if not written:
            return
        values = self.values()
        pages = []
        for page in self.form.pages:
            sections = []
            for section in page.sections:
                fields = tuple(
                    replace(field, initial=values[field.name]) if field.name in written else field
                    for field in section.fields
                )
                sections.append(replace(section, fields=fields))
            pages.append(replace(page, sections=tuple(sections)))
        self.form = Form(tuple(pages))
        self.page_of_tab = list(self.form.pages)
        for key in written:
            self.rows[key].field = self.form.field(key)

    def on_cancel(self) -> None:
        if self._saving:
            return
        if self.saved_lines:
            self.close(tuple(self.saved_lines))
        else:
            self.close(("Closed without saving; nothing was written.",))

    def close(self, lines: tuple[str, ...]) -> None:
        self.outcome = Outcome(lines)
        self.root.destroy()

    # ---------------------------------------------------------------- life

    def bring_to_front(self) -> None:
        root = self.root
        root.deiconify()
        root.lift()
        root.attributes("-topmost", True)
        root.after(300, lambda: root.attributes("-topmost", False))
        (root.focus_lastfor() or root).focus_force()  # back into the field last used

    def _poll_instance(self) -> None:
        if self.instance is not None and self.instance.pending():
            self.bring_to_front()
        self.root.after(POLL_MS, self._poll_instance)

    def run(self) -> Outcome:
        """Show the window, centred, until it closes.

        Its size follows what it holds (a message under a field adds a line), so it is
        never set: only where it goes.
        """
        root = self.root
        root.update_idletasks()
        width, height = root.winfo_reqwidth(), root.winfo_reqheight()
        left = max(0, (root.winfo_screenwidth() - width) // 2)
        top = max(0, (root.winfo_screenheight() - height) // 3)
        root.geometry(f"+{left}+{top}")
        self.focus_first()
        root.after(POLL_MS, self._poll_instance)
        root.after_idle(self.bring_to_front)
        root.mainloop()
        return self.outcome


def _free_letter(title: str, used: set[str]) -> int:
    """The index of the first letter of `title` no other tab uses (-1: none left)."""
    for index, char in enumerate(title):
        if char.isalpha() and char.lower() not in used:
            used.add(char.lower())
            return index
    return -1


def _now() -> datetime:
    return datetime.now(timezone.utc)
