"""The imperative shell: engine thread, scheduler, adapters wired together."""
