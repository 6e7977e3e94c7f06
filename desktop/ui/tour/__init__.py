"""The guided tour of the main window: steps as data (:mod:`.steps`), the callout and the highlight that
show one step (:mod:`.callout`), and the controller that walks them and follows the panels (:mod:`.tour`)."""
