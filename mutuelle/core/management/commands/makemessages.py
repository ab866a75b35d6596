"""Django's makemessages, without msgmerge's fuzzy matching: a new string gets an empty translation
to write, never a guess from a similar one (compilemessages drops fuzzy entries silently, and the
guesses were wrong)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
