// Nothing is styled at start-up: the panel's styles (panel.css) load with the
// panel and the leak guard's (leakGuard.css) with its dialogs, each imported by
// the code that renders them.
