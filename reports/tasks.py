from django_tasks import task

from reports import generation


@task(takes_context=True)
def generate_report(context, report_id: int) -> None:
    # The claiming worker's id goes on the report, so a living sibling can tell when that worker died.
    worker_ids = context.task_result.worker_ids
    generation.generate(report_id, worker_id=worker_ids[-1] if worker_ids else "")
