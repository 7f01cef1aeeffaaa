"""An organisation whose records live in a relational database (SQLite by default, PostgreSQL by DSN)."""
