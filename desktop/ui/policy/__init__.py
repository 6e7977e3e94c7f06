"""Policy: the live check in the editor (underlines, tooltips, quick fixes, acknowledgements) and
the findings panel."""
