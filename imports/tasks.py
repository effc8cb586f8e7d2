"""Celery entry point of the imports: large files are checked and imported by a worker."""

from celery import shared_task

from imports.services import RUN_TASK, batch_run


@shared_task(name=RUN_TASK)
def batch_run_task(*, batch_id: int, step: str) -> None:
    batch_run(batch_id=batch_id, step=step)
