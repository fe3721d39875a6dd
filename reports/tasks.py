from django_tasks import task

from reports import generation


@task()
def generate_report(report_id: int) -> None:
    generation.generate(report_id)
