"""Search across the listener's sources: text.py (folding and scoring), index.py (FTS5 on
SQLite, a per-node index on DynamoDB), query.py (the answer of GET /api/search)."""
