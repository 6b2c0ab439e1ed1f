"""The functional core: pure policy code, no clocks, threads or I/O."""
