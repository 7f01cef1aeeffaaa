"""An organisation whose system exports a file (JSON or CSV), re-read when the file changes."""
