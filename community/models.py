"""The Industrial Forum (spaces, threads, posts) — built in its own issue."""
