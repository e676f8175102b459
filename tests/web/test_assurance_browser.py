"""The disparity dashboard in Debian's chromium: the Vega-Lite charts render with
``ast: true`` under the strict CSP (no 'unsafe-eval'), with no console error (a CSP
violation is one) and no request off 127.0.0.1."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import PASSWORD, Site
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser_type_launch_args,
    guard,
    live,
    pytestmark,
)


def test_disparity_charts_render_without_eval_under_the_csp(
    live: tuple[str, Site],  # noqa: F811  (the fixture imported above)
    page: Any,
) -> None:
    base, _site = live
    left, errors = guard(page)
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{base}/login?next=/disparity")
    page.fill("input[name=name]", "oversight")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/disparity")
    csp = page.evaluate(
        "() => fetch('/disparity').then((r) => r.headers.get('content-security-policy'))"
    )
    assert "unsafe-eval" not in csp and "script-src 'self'" in csp
    page.wait_for_selector("#chart-completion[data-rendered]")
    assert page.get_attribute("#chart-completion", "data-rendered") == "yes"
    # the completion chart draws a point and an interval per shown group and check
    points = page.locator(
        "#chart-completion svg path.mark-symbol, #chart-completion svg .mark-symbol path"
    )
    assert points.count() >= 1
    assert "lgbt" in page.locator("#chart-completion svg").inner_html()
    assert left == [], f"requests left 127.0.0.1: {left}"
    assert violations == [] and errors == [], f"console errors (CSP?): {errors}"
