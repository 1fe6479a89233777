"""ui/api.js helpers, run in the browser: the guard that keeps a late answer to an older load
from drawing over a newer one (the sessions, presets and cassettes pages load through it)."""

from collections.abc import Callable

from playwright.sync_api import Page

NEWEST_ONLY = """async () => {
  const { newestOnly } = await import("/ui/api.js");
  const waiting = [], drawn = [];
  const asked = () => new Promise((resolve) => waiting.push(resolve));
  const load = newestOnly(asked, (answer) => drawn.push(answer));
  const older = load(), newer = load();
  waiting[1]("newer"); await newer;
  waiting[0]("older"); await older;
  const last = load();
  waiting[2]("last"); await last;
  return drawn;
}"""


def test_a_late_answer_to_an_older_load_draws_nothing(page: Page, ui: Callable[[str], str]) -> None:
    page.goto(ui("sessions"))
    assert page.evaluate(NEWEST_ONLY) == ["newer", "last"]
