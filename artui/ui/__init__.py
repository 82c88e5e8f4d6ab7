"""The Textual UI. Loading it mends a Textual cache that kept the rendered lines of every
widget ever drawn (`artui.ui.widgets.styles_cache`)."""

from artui.ui.widgets.styles_cache import unpin_rendered_lines

unpin_rendered_lines()
