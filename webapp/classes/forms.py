"""The forms of class administration and of joining a class (Flask-WTF: each carries the
CSRF token). Times are typed on the class's wall clock; the views turn them into UTC."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from webapp.classes.deadlines import zone
from webapp.models import COUNTS_BEST, COUNTS_LAST

WALL_CLOCK = "%Y-%m-%dT%H:%M"


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as a SelectField's options."""
    return [SelectChoice(value, label) for value, label in pairs]


COUNT_CHOICES = choices([(COUNTS_BEST, "the best score before the deadline"),
                         (COUNTS_LAST, "the last submission before the deadline")])


def strip(value: str | None) -> str:
    return (value or "").strip()


def known_zone(_form: FlaskForm, field: StringField) -> None:
    try:
        zone(field.data)
    except ValueError as exc:
        message = str(exc)
        raise ValidationError(message[0].upper() + message[1:] + ".") from exc


class CohortForm(FlaskForm):
    name = StringField("Class name", filters=[strip], validators=[DataRequired(), Length(max=100)])
    timezone = StringField("Timezone (IANA name)", filters=[strip], default="UTC",
                           validators=[DataRequired(), known_zone])
    counts = SelectField("Which submission counts", choices=COUNT_CHOICES, default=COUNTS_BEST)


class JoinForm(FlaskForm):
    code = StringField("Join code", filters=[strip],
                       validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class RosterForm(FlaskForm):
    roster = FileField("Roster (CSV: email,name per line)",
                       validators=[FileRequired("Choose a CSV file.")],
                       render_kw={"accept": ".csv,text/csv"})


class DueDateForm(FlaskForm):
    lab = SelectField("Lab", validators=[DataRequired()])
    due_at = DateTimeLocalField("Due", format=WALL_CLOCK, validators=[DataRequired()])
    late_until = DateTimeLocalField("Late work accepted until (empty: refused)",
                                    format=WALL_CLOCK, validators=[Optional()])
    penalty = IntegerField("Late penalty (percent)", default=0,
                           validators=[Optional(), NumberRange(min=0, max=100)])

    def validate_late_until(self, field: DateTimeLocalField) -> None:
        if field.data is not None and self.due_at.data and field.data < self.due_at.data:
            raise ValidationError("Late work cannot end before the due date.")


class ExtensionForm(FlaskForm):
    learner = SelectField("Learner", coerce=int, validators=[DataRequired()])
    lab = SelectField("Lab", validators=[DataRequired()])
    due_at = DateTimeLocalField("Their own due date", format=WALL_CLOCK,
                                validators=[DataRequired()])


class InstructorForm(FlaskForm):
    email = StringField("Co-instructor's email", filters=[strip],
                        validators=[DataRequired(), Length(max=254)])
