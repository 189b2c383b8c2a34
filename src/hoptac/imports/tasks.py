"""Background tasks (django.tasks, run by `hoptac db_worker`)."""

from django.tasks import task


@task()
def run_import_job(job_id: int) -> None:
    """Check or import a large file; the job's row holds the progress and the outcome."""
    from .jobs import job_run

    job_run(job_id=job_id)
