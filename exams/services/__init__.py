"""Writes for exams. Import the module you need: ``from exams.services import attempts``."""
