"""hotline: the open platform for a city's 12345 hotline and mayor's mailbox."""
