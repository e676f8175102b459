"""The analysts' web app: FastAPI + Jinja2 + htmx over :mod:`caselink.service`.

>>> from caselink.web.app import create_app                     # doctest: +SKIP
>>> app = create_app(store, WebSettings(secret="..."))          # doctest: +SKIP
"""
