"""Forum views, split by page family. Every view reads through community.access helpers."""
