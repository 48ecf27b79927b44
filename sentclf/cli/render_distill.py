"""Plain-text rendering of ``distill``'s report (what ``info`` says of a student is in :mod:`.render`)."""

from __future__ import annotations

from sentclf.cli.render import fmt, table


def distill_table(report: dict) -> str:
    """What ``distill`` did: the texts the teacher labelled, then teacher and student side by side."""
    held = report["held_out"]
    unlabeled, augmented = report["unlabeled"], report["augmented"]
    rows = [
        [
            "teacher",
            report["teacher"]["kind"],
            fmt(held["teacher_accuracy"]),
            "",
            f"{held['teacher_docs_per_second']:,}",
        ],
        [
            "student",
            "distilled",
            fmt(held["student_accuracy"]),
            fmt(held["agreement"]),
            f"{held['student_docs_per_second']:,}",
        ],
    ]
    lines = [
        f"labelled texts  {report['labelled']['train']:,} train, {held['documents']:,} held out "
        f"({report['labelled']['source']})",
        f"unlabeled       {unlabeled['documents']:,} kept of {unlabeled['read']:,} read "
        f"({unlabeled['duplicates']:,} duplicates, {unlabeled['empty']:,} empty)",
        f"augmented       {augmented['variants']:,} variants ({augmented['per_text']} per labelled text)",
        f"teacher labels  {report['texts_labelled_by_teacher']:,} texts{_cached(report)}, temperature "
        f"{report['temperature']:g}; labelled and fitted in {report['fit_seconds']:.0f} s",
        "",
        table(rows, ["held out", "model", "accuracy", "agreement", "docs/s"]),
        "",
        f"Student saved to {report['model_path']}",
    ]
    return "\n".join(lines)


def _cached(report: dict) -> str:
    cached = report.get("teacher_labels_cached", 0)  # students from before the cache have no count
    return f" ({cached:,} of them from the cache)" if cached else ""
