"""Planning: an operation becomes a query plan (plain data), once per document and operation name."""
