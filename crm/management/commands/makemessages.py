from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages, also extracting ``_now``: a module whose ``_`` is ``gettext_lazy``
    imports ``gettext as _now`` for the messages it formats at call time (complaints/clocks.py)."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_now"]
