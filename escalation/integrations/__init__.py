"""One package or module per outside service the portal talks to."""
