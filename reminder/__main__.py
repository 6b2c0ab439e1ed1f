"""`python -m reminder`: the same as the `sitting-reminder` command."""

from reminder.cli import main

raise SystemExit(main())
