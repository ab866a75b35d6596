"""The NOEMIE-style flow: layout table (data), streaming parser, writer. Pure Python, no Django."""
