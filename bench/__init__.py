"""Province-scale benchmark of the briefing app: `python -m bench [--sizes …] [--no-browser]`.

Synthetic portfolios (the demo's generator, scaled up) are imported through the real import
path into fresh stores; every page is then timed through AppTest (server script time) and in
headless Chromium (load, filter change, bytes sent, server memory), against a one-line floor
page, and the results are checked against the targets of the "province scale" issue.
"""
