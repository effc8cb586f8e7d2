"""Import batches: every file imported (or checked before confirming), who sent it, when,
what became of it, and each row's outcome."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a worker")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked: waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    NOTHING_IMPORTED = "nothing-imported", _("Nothing imported")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


# A worker holds the batch in these: the admin shows the progress bar and refreshes. A batch
# left in one (its worker died, its message was lost) is resumed or failed by the sweeper.
RUNNING_STATUSES = (BatchStatus.WAITING, BatchStatus.CHECKING, BatchStatus.IMPORTING)
# The operator may confirm (or discard) these.
CONFIRMABLE_STATUSES = (BatchStatus.CHECKED,)
# The operator may discard these.
DISCARDABLE_STATUSES = (BatchStatus.CHECKED, BatchStatus.FAILED)
# A batch in these has ended: nothing more happens to it, and its file is no longer kept.
FINAL_STATUSES = (
    BatchStatus.IMPORTED,
    BatchStatus.NOTHING_IMPORTED,
    BatchStatus.DISCARDED,
    BatchStatus.FAILED,
)


class ImportPolicy(models.TextChoices):
    ALL_OR_NOTHING = "all-or-nothing", _("All or nothing: one refused row and nothing is imported")
    VALID_ROWS = (
        "valid-rows",
        _("Import the valid rows: refused rows are listed, the rest imported"),
    )


class ImportBatch(models.Model):
    kind = models.CharField(_("kind"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    # The file as uploaded: read again at confirmation (and by the worker for a large one), and
    # emptied when the batch ends (FINAL_STATUSES): an ERP file's other columns (a CPF, an
    # e-mail) are not kept beyond what the import needs (docs/personal-data.md).
    content = models.BinaryField(_("file content"), editable=False, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, default="admin")
    policy = models.CharField(
        _("policy"),
        max_length=20,
        choices=ImportPolicy.choices,
        default=ImportPolicy.ALL_OR_NOTHING,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.WAITING
    )
    headers = models.JSONField(_("header"), default=list, blank=True)
    # Every named column of the file, its header as written and how it is read (``header``,
    # ``field``, ``how``: imports.files.FileColumn); names only, never a cell.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    # How the file is read: header key -> the kind's column, or "" to leave it out (the
    # operator's choice, remembered for the same header, or the command's --map and
    # --ignore-column).
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    refused_rows = models.PositiveIntegerField(_("refused rows"), default=0)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The batch's last sign of life: its last change of status, or the last progress its
    # worker wrote (PostgreSQL). The sweeper measures how long a batch is stuck from it.
    active_at = models.DateTimeField(_("last activity at"), default=timezone.now)
    # How many times the sweeper handed the batch to a worker again.
    resumes = models.PositiveSmallIntegerField(_("resumed"), default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "created_at"], name="importbatch_kind_time_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class RowStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    IMPORTED = "imported", _("Imported")
    UNCHANGED = "unchanged", _("Already done: nothing new")
    REFUSED = "refused", _("Refused")


class ImportRow(models.Model):
    """One row's outcome in the batch's last run (the check, then the import)."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("batch")
    )
    number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("outcome"), max_length=12, choices=RowStatus.choices)
    message = models.TextField(_("message"))
    # What the row is about, e.g. its order id (searchable).
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    # The row's cells as read, for refused rows: the CSV of refused rows gives them back.
    cells = models.JSONField(_("cells"), default=list, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="importrow_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number} {self.status}"


class ColumnMapping(models.Model):
    """The columns an operator mapped or ignored for one kind of import and one header (an
    ERP's export, by ``imports.kinds.headers_signature``): the next file with the same
    header is read the same way. Per kind, not per user: the ERP's export is the company's,
    and whoever of the team uploads it next needs the same reading."""

    kind = models.CharField(_("kind"), max_length=32)
    signature = models.CharField(_("header signature"), max_length=64)
    # The header as the file that set the mapping spelled it (for whoever reads the mapping).
    headers = models.JSONField(_("header"), default=list, blank=True)
    # Header key -> the kind's column, or "" to leave the column out.
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "signature"], name="columnmapping_unique_kind_header"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {', '.join(self.headers)[:80]}"
