"""The domain: entities, value objects, the state machine, events and errors.

It imports nothing but the standard library, attrs and typing_extensions. The names most
callers need are re-exported from the top-level package.
"""
