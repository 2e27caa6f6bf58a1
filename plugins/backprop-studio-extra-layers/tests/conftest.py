from desktop_app.testing import plugin_host, register_plugin  # noqa: F401  (pytest fixtures)
