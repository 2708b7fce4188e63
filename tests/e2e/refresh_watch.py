"""Watching Operations in Chromium while Refresh now runs (trial s12), for the browser test
tests/e2e/test_running_work.py and the benchmark bench/refresh_busy.py: how to start the refresh,
and what the page went through, recorded by a MutationObserver (every change, however short;
nothing sampled on a timer but the opacity, which fades by a CSS transition that mutates
nothing).

Per change: whether a script runs; the elements Streamlit marks stale (``data-stale``: what
greys after half a second until the run reaches it again; a hidden ``st.empty`` placeholder is
marked during any run); those outside the Running work panel (all of them on a tree whose panel
has no ``ops_running_panel`` key); those drawn on screen with their opacity already lowered; the
panel's caption ("2 running, checked …", "Nothing running (…)") and its Stop entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

RECORDER = r"""() => {
  window.__changes = [];
  let last = "";
  const snap = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const main = document.querySelector('[data-testid="stMain"]');
    const panel = main.querySelector('.st-key-ops_running_panel');
    const stale = [...main.querySelectorAll('[data-stale="true"]')];
    const grey = stale.filter((e) => e.getClientRects().length > 0
      && parseFloat(getComputedStyle(e).opacity) < 0.99);
    const caption = [...main.querySelectorAll('[data-testid="stCaptionContainer"]')]
      .map((c) => c.innerText).find((t) => /^(Nothing running \(|\d+ running, )/.test(t));
    const stops = [...main.querySelectorAll('[data-testid="stPopover"]')]
      .filter((e) => /Stop /.test(e.innerText)).length;
    const state = {
      running: app.getAttribute('data-test-script-state') === 'running',
      stale: stale.length,
      outside: stale.filter((e) => !(panel && panel.contains(e))).length,
      grey: grey.length, caption: caption || null, stops,
    };
    const key = JSON.stringify(state);
    if (key === last) return;
    last = key;
    window.__changes.push({t: performance.now() / 1000, ...state});
  };
  snap();
  new MutationObserver(snap).observe(document.body,
    {subtree: true, childList: true, attributes: true, characterData: true});
  setInterval(snap, 100);
}"""
PAGE_WIDE = 30  # stale elements outside the panel that only a whole-page run leaves (58–77)
SUCCEEDED = "of shop: SUCCEEDED"  # the refresh box's label at the end (the seeded shop)


def open_refresh_dialog(page: Any, url: str, idle: str) -> Any:
    """Open Operations → Refresh at ``url``, allow any drop (the guardrail must not decide),
    press Refresh now and return the dialog's confirm button, with the recorder installed."""
    page.goto(f"{url}/operations", wait_until="domcontentloaded")
    page.wait_for_selector(idle, timeout=120_000)
    page.get_by_role("tab", name="Refresh").click()
    tolerance = page.get_by_label("Largest allowed drop (%)")
    tolerance.fill("100")
    tolerance.press("Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(idle, timeout=120_000)
    page.get_by_role("button", name="Refresh now").click()
    confirm = page.get_by_role("dialog").get_by_role("button", name="Yes, refresh now")
    confirm.wait_for(timeout=120_000)
    page.evaluate(RECORDER)
    return confirm


@dataclass(frozen=True)
class Greying:
    """What the recorded changes show."""

    page_wide_runs: int  # whole-page runs, the confirm's included
    polls: int  # the panel's own runs (after the confirm's)
    poll_outside_max: int  # most stale-marked elements outside the panel during a poll
    grey_on_screen_max: int  # most elements on screen drawn with a lowered opacity
    stop_left_over_s: float  # Stop entries beside a caption that no longer counts them, in all
    stop_left_over_into_page_runs: int  # … changes where one lasted into a whole-page run
    stop_left_over_after_runs: int  # … changes where one outlasted its script run
    stops_seen: int  # changes with a Stop entry (a training was seen running)

    @classmethod
    def of(cls, changes: list[dict[str, Any]]) -> Greying:
        runs: list[list[dict[str, Any]]] = []  # by script run, each with its end
        for change in changes:
            if change["running"] and (not runs or not runs[-1][-1]["running"]):
                runs.append([])
            if runs and (change["running"] or runs[-1][-1]["running"]):
                runs[-1].append(change)
        wide = [i for i, r in enumerate(runs) if max(c["outside"] for c in r) >= PAGE_WIDE]
        # after the confirm's own runs (the dialog's, then the page's)
        polls = [r for i, r in enumerate(runs) if wide and i > wide[0] and i not in wide]
        # The caption counts the refresh and what runs beside it: while the refresh runs, a
        # Stop entry is one of the others, and when nothing runs there is none.
        total = 0.0
        since = None
        into_page = after_run = 0
        for change in changes:
            count = _running_count(change["caption"])
            over = count is not None and change["stops"] > max(count - 1, 0)
            into_page += over and change["outside"] >= PAGE_WIDE
            after_run += over and not change["running"]
            if over and since is None:
                since = change["t"]
            elif not over and since is not None:
                total, since = total + change["t"] - since, None
        return cls(
            len(wide),
            len(polls),
            max((c["outside"] for r in polls for c in r), default=0),
            max((c["grey"] for c in changes), default=0),
            total,
            into_page,
            after_run,
            sum(bool(c["stops"]) for c in changes),
        )


def _running_count(caption: str | None) -> int | None:
    """How many things the panel's caption says run ("Nothing running …": 0)."""
    if not caption:
        return None
    if caption.startswith("Nothing running"):
        return 0
    found = re.match(r"(\d+) running", caption)
    return int(found.group(1)) if found else None
