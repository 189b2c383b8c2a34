"""Background tasks (django.tasks, run by `hoptac db_worker`)."""

from django.tasks import task


@task()
def write_report(report_id: int) -> None:
    """Take the snapshot and write the files of a report too large to write within a request."""
    from .services import report_run

    report_run(report_id=report_id)
