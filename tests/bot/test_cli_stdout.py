"""`--format json` keeps standard output for the document: what is written to file
descriptor 1 while solving (a native solver's stray line) goes to standard error."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import os, sys
    from bot.cli.common import stdout_to_stderr

    with stdout_to_stderr():
        os.write(1, b"native noise\\n")  # as a C++ library's printf would
        print("python noise")
    sys.stdout.write('{"status": "optimal"}\\n')
    """
)


def test_what_is_written_to_stdout_meanwhile_goes_to_stderr() -> None:
    run = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(run.stdout) == {"status": "optimal"}
    assert "native noise" in run.stderr and "python noise" in run.stderr
