"""Role names, importable before the models are (app configs and migrations use them)."""

AUTHORS_GROUP = "Authors"
