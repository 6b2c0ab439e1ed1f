#!/usr/bin/env python3
"""Write sitting-reminder(1), in man(7) groff, from the command line's own argparse parser.

Generated at package build time (debian/rules) from `reminder.cli.build_parser()`, so every
command and option the CLI has is in the page and nothing it lacks is. Only the sections
argparse cannot know (exit status, files, environment, autostart) are written here.

    python scripts/manpage.py [OUTPUT]      # stdout without OUTPUT

The page date is $SOURCE_DATE_EPOCH (dpkg-buildpackage sets it from debian/changelog), else
today, so a rebuild of the same version gives the same page.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# One line per usage, however long: argparse wraps at $COLUMNS.
os.environ["COLUMNS"] = "1000"


@dataclass(frozen=True)
class Command:
    """One subcommand: its words after the program name, its one-line help and its parser."""

    words: tuple[str, ...]
    summary: str
    parser: argparse.ArgumentParser


def escape(text: str) -> str:
    """Text safe in a groff line: backslashes, minus signs, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    # argparse has no public list of a parser's arguments; `_actions` has held it since
    # Python 2.7. The man page test fails if a command went missing from the page.
    return list(parser._actions)


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, help, parser) of each subcommand, in the order the CLI declares them."""
    found = []
    for action in _actions(parser):
        if isinstance(action, argparse._SubParsersAction):
            # The one-line help of each choice lives only in these pseudo-actions.
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found.append((name, helps.get(name, ""), sub))
    return found


def walk(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[Command]:
    """Every command that does something (a leaf), depth first, e.g. ("config", "validate")."""
    for name, summary, sub in _subcommands(parser):
        path = (*words, name)
        if _subcommands(sub):
            yield from walk(sub, path)
        else:
            yield Command(path, summary, sub)


def _is_shown(action: argparse.Action) -> bool:
    return action.help != argparse.SUPPRESS and not isinstance(
        action, argparse._HelpAction | argparse._SubParsersAction
    )


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return action.metavar if isinstance(action.metavar, str) else " ".join(action.metavar)
    if action.choices is not None:
        return "|".join(str(choice) for choice in action.choices)
    return action.dest.upper()


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def synopsis_word(action: argparse.Action) -> str:
    """One argument as the synopsis shows it: [\\fB--json\\fR], \\fIDURATION\\fR, ..."""
    if action.option_strings:
        flag = action.option_strings[0]
        word = f"\\fB{escape(flag)}\\fR"
        if _takes_value(action):
            word += f" \\fI{escape(_metavar(action))}\\fR"
        return word if action.required else f"[{word}]"
    word = f"\\fI{escape(_metavar(action))}\\fR"
    if action.nargs in ("*", "+"):
        word += "..."
    return f"[{word}]" if action.nargs in ("?", "*") else word


def _help(action: argparse.Action) -> str:
    text = action.help or ""
    if "%(" in text:
        text = text % {**vars(action), "default": action.default}
    if action.choices is not None and action.option_strings:
        text += (" " if text else "") + "One of: " + ", ".join(map(str, action.choices)) + "."
    return text


def _option_entry(action: argparse.Action) -> list[str]:
    names = ", ".join(f"\\fB{escape(flag)}\\fR" for flag in action.option_strings)
    if action.option_strings and _takes_value(action):
        names += f" \\fI{escape(_metavar(action))}\\fR"
    if not action.option_strings:
        names = f"\\fI{escape(_metavar(action))}\\fR"
    return [".TP", names, escape(_help(action)) or "\\&"]


def _shared_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The program's own options that every command takes too (--config, -v), not --version."""
    commands = list(walk(parser))
    shared = []
    for action in _actions(parser):
        if _is_shown(action) and action.option_strings and commands:
            flags = set(action.option_strings)
            if all(
                any(flags <= set(other.option_strings) for other in _actions(command.parser))
                for command in commands
            ):
                shared.append(action)
    return shared


def render(parser: argparse.ArgumentParser, version: str, date: str) -> str:
    """The whole page."""
    prog = parser.prog
    shared = {flag for action in _shared_actions(parser) for flag in action.option_strings}
    lines = [
        f'.TH {escape(prog.upper())} 1 "{date}" "{escape(prog)} {escape(version)}" "User Commands"',
        ".nh",  # no hyphenation: paths and commands are copied from the page
        ".ad l",
        ".SH NAME",
        f"{escape(prog)} \\- {escape(parser.description or '')}",
        ".SH SYNOPSIS",
    ]
    commands = list(walk(parser))
    top_words = " ".join(synopsis_word(action) for action in _actions(parser) if _is_shown(action))
    lines += [f"\\fB{escape(prog)}\\fR {top_words} [\\fICOMMAND\\fR]", ".br"]
    for command in commands:
        words = " ".join(
            synopsis_word(action)
            for action in _actions(command.parser)
            if _is_shown(action) and not set(action.option_strings) & shared
        )
        lines += [f"\\fB{escape(' '.join((prog, *command.words)))}\\fR {words}".rstrip(), ".br"]
    lines += [
        ".SH DESCRIPTION",
        f"\\fB{escape(prog)}\\fR notices long sitting spells at the computer during work hours "
        "and sends a desktop notification naming one glute or hip stretch. "
        "Without a command it starts the service (\\fBrun\\fR); the other commands talk to the "
        "running service of the same user, or read and check the configuration.",
        ".SH OPTIONS",
        " and ".join(
            "/".join(f"\\fB{escape(flag)}\\fR" for flag in action.option_strings)
            for action in _shared_actions(parser)
        )
        + " may also be given after any command.",
    ]
    for action in _actions(parser):
        if _is_shown(action):
            lines += _option_entry(action)
    lines += [".SH COMMANDS"]
    for command in commands:
        lines += [".SS " + escape(" ".join(command.words))]
        lines += [escape(command.summary[:1].upper() + command.summary[1:]) + "."]
        entries = [
            action
            for action in _actions(command.parser)
            if _is_shown(action) and not set(action.option_strings) & shared
        ]
        for action in entries:
            lines += _option_entry(action)
    lines += STATIC_SECTIONS.strip("\n").splitlines()
    return "\n".join(lines) + "\n"


STATIC_SECTIONS = r"""
.SH EXIT STATUS
.TP
.B 0
Done.
.TP
.B 1
Failure at run time.
.TP
.B 2
Usage or configuration error (including a key locked by a managed file); the message names
the file, line and key.
.TP
.B 3
No running service (commands that talk to it).
.SH FILES
.TP
.I /etc/xdg/sitting\-reminder/config.toml
The managed (IT) configuration, and \fIconfig.d/*.toml\fR beside it, read in name order;
every folder of \fB$XDG_CONFIG_DIRS\fR is searched.
.TP
.I ~/.config/sitting\-reminder/config.toml
The user's own configuration; it wins over managed files for every key they do not lock.
.TP
.I /usr/share/doc/sitting\-reminder/examples/default.toml
Every key, its default and what it does.
.TP
.I ~/.local/state/sitting\-reminder/
The state of a snooze or pause, the history of prompts and breaks, and the log.
.PP
\fBsitting\-reminder config paths\fR lists every file and folder in use on this machine.
.SH ENVIRONMENT
.TP
.B SITTING_REMINDER_MANAGED_CONFIG
One more managed file or folder (a network share, say) that wins over the site folders.
.TP
.B XDG_CONFIG_DIRS
Where managed files are searched (default \fI/etc/xdg\fR; earlier folders win).
.SH AUTOSTART
The package starts the service at every user's graphical login with
\fI/etc/xdg/autostart/sitting\-reminder.desktop\fR.
To switch that off for every user, set \fBHidden=true\fR in that file (a conffile: upgrades
keep the edit).
One user opts out with \fBsitting\-reminder autostart disable\fR.
.PP
A systemd user unit is the alternative, disabled by default:
\fBsystemctl \-\-global enable sitting\-reminder.service\fR starts it in every user's
graphical session (\fIgraphical\-session.target\fR) from the next login;
switch the autostart entry off then.
Only one service runs per user: a second start finds the first and exits.
.SH SEE ALSO
\fBsystemctl\fR(1), \fBsystemd.unit\fR(5),
the XDG Autostart Specification.
"""


def page_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = float(epoch) if epoch and epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(stamp))


def main(argv: list[str]) -> int:
    from reminder import __version__
    from reminder.cli import build_parser

    page = render(build_parser(), __version__, page_date())
    if len(argv) > 1:
        Path(argv[1]).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
