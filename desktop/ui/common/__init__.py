"""The small kit every feature uses: task lanes, UTF-16 spans, theme and colours, notices,
badges, the browser bridge, two-line rows, assets."""
