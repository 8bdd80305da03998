"""The participants' sheet: session, link, feedback, paper version and the web sheet (``web``)."""
