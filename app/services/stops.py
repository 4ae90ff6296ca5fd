"""Line stops, recorded by the people on the floor, and the reasons the administrator keeps.

A stop is open ("still stopped") until someone says the line runs again; a stop with its end
known is either over or planned ahead (maintenance next Tuesday). A line's stops never overlap,
and it has at most one open stop (the database refuses a second one on both backends).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from app import journal
from app import validation as v
from app.errors import ValidationError
from app.formatting import moment
from app.permissions import require
from data.models import LineStop, ProductionLine, StopReason
from data.uow import UnitOfWork
from domain.vocabulary import CODE_LEN, NAME_LEN, NOTE_LEN

# The first key of the two-key advisory locks that stand for a line's stops (PostgreSQL).
STOP_LOCK_SPACE = 0x4D53  # "MS"
PLAN_AHEAD = timedelta(days=366)  # a stop planned further ahead than this is a typing slip


def _lock_line(uow: UnitOfWork, line_id: int) -> None:
    """Serialise the stops of one line: the overlap check and the write see the same stops.

    An advisory lock, as for the queue: clerks may not lock production_lines rows. SQLite's
    write transaction already holds the whole file.
    """
    if uow.backend == "postgresql":
        uow.session.execute(select(func.pg_advisory_xact_lock(STOP_LOCK_SPACE, line_id)))


def _reason(uow: UnitOfWork, code: str) -> StopReason:
    reason = uow.session.scalar(select(StopReason).where(StopReason.code == v.code(code, "reason", CODE_LEN).upper()))
    if reason is None:
        raise ValidationError(f"There is no stop reason “{code}”.", "reason")
    if reason.archived:
        raise ValidationError(f"The stop reason “{reason.name}” is no longer in use; choose another.", "reason")
    return reason


def _line(uow: UnitOfWork, code: str) -> ProductionLine:
    return uow.lines.by_key(v.code(code, "line", CODE_LEN))


def _check_span(start: datetime, end: datetime | None, now: datetime) -> None:
    if end is not None and end <= start:
        raise ValidationError(
            f"The stop ends ({moment(end)}) before it starts ({moment(start)}); the end must come after the start.",
            "ended_at",
        )
    if start > now + PLAN_AHEAD or (end is not None and end > now + PLAN_AHEAD):
        raise ValidationError("A stop may be planned at most a year ahead.", "started_at")
    if end is None and start > now:
        raise ValidationError(
            f"A line cannot be still stopped since {moment(start)}, which lies ahead; "
            "give a planned stop its end as well.",
            "started_at",
        )


def _clash(uow: UnitOfWork, line: ProductionLine, start: datetime, end: datetime | None, skip: int | None) -> None:
    """Refuse a span that overlaps another stop of the line; an open stop lasts up to now."""
    now = uow.now()
    others = select(LineStop, StopReason.name).join(StopReason, StopReason.id == LineStop.reason_id)
    others = others.where(LineStop.line_id == line.id)
    if skip is not None:
        others = others.where(LineStop.id != skip)
    if end is not None:
        others = others.where(LineStop.started_at < end)
    others = others.where(or_(LineStop.ended_at.is_(None), LineStop.ended_at > start))
    for other, reason in uow.session.execute(others.order_by(LineStop.started_at)):
        if other.ended_at is None:
            if end is None:
                raise ValidationError(
                    f"{line.code} has been stopped since {moment(other.started_at)} ({reason}); "
                    "record that it runs again before recording a new stop.",
                    "line",
                )
            if start >= max(now, other.started_at):
                continue  # planned after an open stop: that one is counted up to now
        until = f"to {moment(other.ended_at)}" if other.ended_at is not None else "and still stopped"
        raise ValidationError(
            f"{line.code} was already stopped from {moment(other.started_at)} {until} ({reason}); "
            "stops of one line may not overlap.",
            "started_at",
        )


def record_stop(
    uow: UnitOfWork,
    *,
    line: str,
    reason: str,
    started_at: Any = None,
    ended_at: Any = None,
    note: str | None = None,
) -> int:
    """A line stopped (still stopped unless `ended_at` is given), or will stop (planned, with its end).

    `started_at` defaults to now. Returns the stop's id.
    """
    require(uow.actor, "line.stop")
    start = v.a_moment(started_at, "started_at", required=False)
    end = v.a_moment(ended_at, "ended_at", required=False)
    text = v.text(note, "note", NOTE_LEN, required=False)
    with uow:
        now = uow.now()
        start = start or now
        _check_span(start, end, now)
        ln = _line(uow, line)
        why = _reason(uow, reason)
        _lock_line(uow, ln.id)
        _clash(uow, ln, start, end, None)
        stop = LineStop(line_id=ln.id, started_at=start, ended_at=end, reason_id=why.id, note=text)
        uow.session.add(stop)
        uow.session.flush()
        if end is None:
            entry = journal.line_stopped(ln.code, why.name, start, text)
        else:
            entry = journal.stop_recorded(ln.code, why.name, start, end, text)
        uow.record_event("line_stop", stop.id, entry.action, entry.summary, entry.details)
        uow.commit()
        return stop.id


def end_stop(uow: UnitOfWork, *, line: str, ended_at: Any = None, expected_version: int | None = None) -> None:
    """The line runs again (at `ended_at`, by default now): its open stop ends."""
    require(uow.actor, "line.stop")
    end = v.a_moment(ended_at, "ended_at", required=False)
    with uow:
        now = uow.now()
        end = end or now
        ln = _line(uow, line)
        _lock_line(uow, ln.id)
        stop = uow.session.scalar(select(LineStop).where(LineStop.line_id == ln.id, LineStop.ended_at.is_(None)))
        if stop is None:
            raise ValidationError(f"{ln.code} is not stopped; there is no stop to end.", "line")
        uow.check_version("line_stop", stop, expected_version, f"The stop of {ln.code}")
        if end > now:
            raise ValidationError(
                f"{ln.code} cannot be running again at {moment(end)}, which lies ahead; "
                "end the stop when the line runs, or correct the stop with a planned end.",
                "ended_at",
            )
        _check_span(stop.started_at, end, now)
        _clash(uow, ln, stop.started_at, end, stop.id)
        stop.ended_at = end
        why = uow.session.get(StopReason, stop.reason_id)
        assert why is not None
        entry = journal.line_restarted(ln.code, why.name, stop.started_at, end)
        uow.record_event("line_stop", stop.id, entry.action, entry.summary, entry.details)
        uow.commit()


def edit_stop(
    uow: UnitOfWork,
    *,
    stop_id: int,
    reason: str,
    started_at: Any,
    ended_at: Any = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Correct a stop: its times, its reason or its note."""
    require(uow.actor, "line.stop")
    start = v.a_moment(started_at, "started_at")
    assert start is not None
    end = v.a_moment(ended_at, "ended_at", required=False)
    text = v.text(note, "note", NOTE_LEN, required=False)
    with uow:
        now = uow.now()
        stop = uow.session.get(LineStop, int(stop_id))
        if stop is None:
            raise ValidationError(f"Stop #{stop_id} does not exist.", "stop")
        ln = uow.lines.get(stop.line_id)
        uow.check_version("line_stop", stop, expected_version, f"The stop of {ln.code}")
        _check_span(start, end, now)
        current = uow.session.get(StopReason, stop.reason_id)
        assert current is not None
        # A stop keeps a reason archived since; a new choice must be one still in use.
        why = current if v.code(reason, "reason", CODE_LEN).upper() == current.code else _reason(uow, reason)
        _lock_line(uow, ln.id)
        _clash(uow, ln, start, end, stop.id)
        before = _described(uow, stop)
        stop.started_at, stop.ended_at, stop.reason_id, stop.note = start, end, why.id, text
        after = _described(uow, stop)
        changes = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if not changes:
            raise ValidationError("Nothing was changed.", "started_at")
        entry = journal.stop_edited(ln.code, changes)
        uow.record_event("line_stop", stop.id, entry.action, entry.summary, entry.details)
        uow.commit()


def _described(uow: UnitOfWork, stop: LineStop) -> dict[str, str]:
    reason = uow.session.scalar(select(StopReason.name).where(StopReason.id == stop.reason_id))
    return {
        "started_at": moment(stop.started_at),
        "ended_at": moment(stop.ended_at),
        "reason": str(reason),
        "note": stop.note or "",
    }


# ---------------------------------------------------------------- the reasons, kept by the administrator


def create_stop_reason(uow: UnitOfWork, *, code: str, name: str) -> int:
    require(uow.actor, "masterdata.manage")
    code = v.code(code, "code", CODE_LEN).upper()
    name = v.required_text(name, "name", NAME_LEN)
    with uow:
        if uow.session.scalar(select(StopReason.id).where(StopReason.code == code)) is not None:
            raise ValidationError(f"A stop reason with the code {code} already exists.", "code")
        reason = StopReason(code=code, name=name, archived=False)
        uow.session.add(reason)
        uow.session.flush()
        uow.record_event("stop_reason", reason.id, "created", f"Created stop reason {code} ({name})", {"name": name})
        uow.commit()
        return reason.id


def rename_stop_reason(uow: UnitOfWork, *, code: str, name: str, expected_version: int | None = None) -> None:
    require(uow.actor, "masterdata.manage")
    name = v.required_text(name, "name", NAME_LEN)
    with uow:
        reason = _existing_reason(uow, code)
        uow.check_version("stop_reason", reason, expected_version, f"Stop reason {reason.code}")
        if reason.name == name:
            raise ValidationError("Nothing was changed.", "name")
        old, reason.name = reason.name, name
        uow.record_event(
            "stop_reason", reason.id, "edited", f"Renamed stop reason {reason.code}: {old} → {name}", {"from": old}
        )
        uow.commit()


def set_stop_reason_archived(uow: UnitOfWork, *, code: str, archived: bool) -> None:
    """An archived reason is no longer offered; the stops recorded with it keep it."""
    require(uow.actor, "masterdata.manage")
    with uow:
        reason = _existing_reason(uow, code)
        if reason.archived == archived:
            state = "archived" if archived else "in use"
            raise ValidationError(f"The stop reason {reason.code} is already {state}.", "code")
        reason.archived = archived
        action = "archived" if archived else "restored"
        uow.record_event("stop_reason", reason.id, action, f"{action.capitalize()} stop reason {reason.code}", {})
        uow.commit()


def _existing_reason(uow: UnitOfWork, code: str) -> StopReason:
    reason = uow.session.scalar(select(StopReason).where(StopReason.code == v.code(code, "code", CODE_LEN).upper()))
    if reason is None:
        raise ValidationError(f"There is no stop reason “{code}”.", "code")
    return reason
