"""Celery entry points of the imports: large files are checked and imported by a worker, and
the sweeper (beat) ends or resumes the batches left stuck."""

from __future__ import annotations

import logging
from dataclasses import asdict

from celery import shared_task

from imports.services import RUN_TASK, SWEEP_TASK, batch_run, batches_sweep

logger = logging.getLogger(__name__)


@shared_task(name=RUN_TASK)
def batch_run_task(*, batch_id: int, step: str) -> None:
    batch_run(batch_id=batch_id, step=step)


@shared_task(name=SWEEP_TASK)
def batches_sweep_task() -> dict[str, list[int]]:
    # No run lock is needed: each change the sweep makes is one conditional UPDATE.
    report = batches_sweep()
    if report.resumed or report.failed or report.discarded:
        logger.info("import batches sweep: %s", report)
    return asdict(report)
