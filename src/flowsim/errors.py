"""Errors a user can fix: each message is one line per problem, naming file, field, value and
what is allowed."""


class ScenarioError(ValueError):
    """A scenario file, an override or a command-line value is not acceptable."""
