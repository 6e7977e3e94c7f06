"""The shell: the application, the main window that assembles the feature panels and routes
commands, menus and shortcuts, settings, crash reporting and the one-instance guard."""
