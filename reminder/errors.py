"""Exceptions the user can meet, each mapped to an exit code by the CLI.

ReminderError              base; carries the exit code
├── ConfigError            bad configuration or catalog file (exit 2)
│   ├── ConfigErrors       several of them at once (every problem in every file)
│   └── FileUnreachable    (reminder.tomlfile) missing, or its share cannot be reached
├── UsageError             bad command-line value (exit 2)
├── LockedKeyError         a setting locked by the organisation (exit 2)
├── NoServiceError         no running service to talk to (exit 3)
└── RuntimeFailure         something failed while running (exit 1)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NO_SERVICE = 3


class ReminderError(Exception):
    """An error with a message meant for the user, never shown with a traceback."""

    exit_code = EXIT_FAILURE


class ConfigError(ReminderError):
    """A configuration (or stretch catalog) file is unreadable or invalid.

    The message names the file, the line where known, the key, what was
    expected and what was found.
    """

    exit_code = EXIT_USAGE

    def __init__(
        self,
        path: str,
        message: str,
        *,
        key: str | None = None,
        line: int | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        self.path = path
        self.key = key
        self.line = line
        self.expected = expected
        self.found = found
        self.detail = message
        super().__init__(self._render())

    def to_json(self) -> dict[str, object]:
        """One problem as `config validate --json` lists it."""
        return {
            "file": self.path,
            "line": self.line,
            "key": self.key,
            "expected": self.expected,
            "found": self.found,
            "message": str(self),
        }

    def _render(self) -> str:
        where = self.path if self.line is None else f"{self.path}, line {self.line}"
        parts = [f"{where}:"]
        if self.key:
            parts.append(f"key '{self.key}':")
        parts.append(self.detail.rstrip("."))
        text = " ".join(parts) + "."
        if self.expected:
            text += f" Expected {self.expected}"
            text += f", found {self.found}." if self.found is not None else "."
        elif self.found is not None:
            text += f" Found {self.found}."
        return text


class ConfigErrors(ConfigError):
    """Every problem found, in every file; the message lists them one per line."""

    def __init__(self, problems: list[ConfigError]) -> None:
        if not problems:
            raise ValueError("ConfigErrors needs at least one problem")
        self.problems = tuple(problems)
        first = problems[0]
        super().__init__(first.path, first.detail, key=first.key, line=first.line)
        self.expected, self.found = first.expected, first.found
        self.args = ("\n".join(str(problem) for problem in problems),)

    def __str__(self) -> str:
        return str(self.args[0])

    @staticmethod
    def flatten(problems: list[ConfigError]) -> list[ConfigError]:
        """Problems with every ConfigErrors unpacked into its parts."""
        flat: list[ConfigError] = []
        for problem in problems:
            flat.extend(problem.problems if isinstance(problem, ConfigErrors) else [problem])
        return flat


class UsageError(ReminderError):
    """A command-line argument has the wrong form."""

    exit_code = EXIT_USAGE


class LockedKeyError(ReminderError):
    """The user tried to change a setting the organisation locked."""

    exit_code = EXIT_USAGE

    def __init__(self, key: str, managed_file: str) -> None:
        self.key = key
        self.managed_file = managed_file
        super().__init__(
            f"'{key}' is locked by your organisation in {managed_file}; it cannot be changed here."
        )


class NoServiceError(ReminderError):
    """No running service answered on the control endpoint."""

    exit_code = EXIT_NO_SERVICE

    def __init__(self, endpoint: str) -> None:
        super().__init__(
            f"no running sitting-reminder service (looked for {endpoint}). "
            "Start it with: sitting-reminder run"
        )


class RuntimeFailure(ReminderError):
    """Something failed at run time (exit 1)."""
