"""The merchant's admin pages, server-rendered."""
