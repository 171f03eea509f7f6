"""The Content-Security-Policy allows no 'unsafe-eval': no event may ask the browser to evaluate a script.

Reflex's rx.toast, rx.call_script, rx.call_function and rx.clear_selected_files are evaluated by its client
(`eval`); Creatorly shows toasts through ToastState, and leaves pages and clears upload fields through
BrowserActionsState instead (creatorly/ui/states/browser.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import creatorly

_EVALUATED = re.compile(r"\brx\.(toast\b|call_script\b|call_function\b|run_script\b|clear_selected_files\b)")
_ROOT = Path(creatorly.__file__).parent


def test_no_event_is_an_evaluated_script() -> None:
    offenders = [
        f"{path.relative_to(_ROOT.parent)}:{number}: {line.strip()}"
        for path in sorted(_ROOT.rglob("*.py"))
        if path.name != "browser.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _EVALUATED.search(line)
    ]
    assert offenders == [], "use creatorly.ui.states.browser (toast, leave_for) instead:\n" + "\n".join(offenders)
