from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """The words of one record (a case, a customer, a forum with its opinions, an inspection with
    its findings), segmented for Chinese by ``crm.search``: space-separated tokens in three
    parts weighted apart. The database indexes them (migration 0008): an FTS5 table kept in
    step by triggers on SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL.
    Written only by ``crm.search`` in the transaction that changes the record."""

    kind = models.CharField(_("类别"), max_length=60)  # the model's label, "complaints.complaint"
    object_id = models.BigIntegerField(_("记录"))
    title = models.TextField(_("标题词"), blank=True)
    body = models.TextField(_("内容词"), blank=True)
    phones = models.TextField(_("电话号码"), blank=True)  # searched only by users who may see phones

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once")]
