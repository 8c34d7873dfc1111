"""The article store in a PostgreSQL database ([store] backend = "postgresql"), as a
package by job:

connect   the DSN: its password hidden in every message, the driver loaded when asked
schema    the tables and their versioned migrations (schema_version)
words     the words of an article and of a query term, for the full-text search
sql       a query of the query language as SQL (what it can say) and the rest in Python
store     PostgresStore: an `ArticleStore` over the tables

Importing this package does not import psycopg: `fetchers.store.factory` does, when the
backend is chosen.
"""
