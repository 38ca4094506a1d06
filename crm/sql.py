"""Query pieces the ORM makes slow for bulk work, shared by every app."""
from __future__ import annotations

from collections.abc import Sequence

from django.db.models import BooleanField, Expression, F


class IdsIn(Expression):
    """``column IN (%s, %s, …)`` over a list of integer ids, as a filter condition.

    ``filter(complaint_id__in=ids)`` prepares every id through the field (a related lookup
    normalises and converts each value): for the 2,000 ids of an export chunk that costs more
    than the query. The ids here come from the database (a chunk of primary keys), so they are
    bound as plain integer parameters; ``int()`` refuses anything else. Keep a list within one
    chunk: SQLite refuses more than 32,766 parameters.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: Sequence[int]):
        super().__init__()
        self.column = F(column)
        self.ids = [int(pk) for pk in ids]

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        if not self.ids:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def ids_in(column: str, ids: Sequence[int]) -> IdsIn:
    """``Model.objects.filter(ids_in("complaint_id", ids))``: see :class:`IdsIn`."""
    return IdsIn(column, ids)
