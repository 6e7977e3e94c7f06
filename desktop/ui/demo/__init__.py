"""Demo mode's window parts: the banner, the Sandbox feed and the Demo menu (feature.py), the feed's
post cards (feed_view.py), and starting a demo from Help (launch.py)."""
