"""The demo: the five seed cities loaded through every app's services (`manage.py load_demo`).

It depends on every app and none depends on it: the top of the import layers below
config.api and config.urls.
"""
