"""The console's pages, one module per area: parse the form, call a client, render."""
