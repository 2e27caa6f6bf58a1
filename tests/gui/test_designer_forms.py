"""Generated forms: one editor per ParamSpec kind, ranges enforced, one emission per user edit."""

from __future__ import annotations

from desktop_app.engine.schema import ParamSpec, schema
from desktop_app.gui.forms.editors import FixedTupleEditor, OptionalEditor
from desktop_app.gui.forms.schema_form import SchemaForm
from tests.gui.window_input import type_into

SCHEMA = schema(
    ParamSpec("units", "int", 32, "outputs", minimum=1, maximum=4096),
    ParamSpec("rate", "float", 0.5, "drop rate", minimum=0.0, maximum=0.9),
    ParamSpec("use_bias", "bool", True),
    ParamSpec("padding", "choice", "valid", choices=("valid", "same")),
    ParamSpec("label", "str", "hello"),
    ParamSpec("kernel", "int_tuple", (3, 3), length=2, minimum=1),
    ParamSpec("shape", "int_tuple", (1, 8, 8), minimum=1),
    ParamSpec("strides", "int_tuple", None, length=2, minimum=1),
)


def make_form(qtbot) -> tuple[SchemaForm, list[tuple[str, object]]]:
    form = SchemaForm(SCHEMA)
    qtbot.addWidget(form)
    form.show()
    emitted: list[tuple[str, object]] = []
    form.edited.connect(lambda name, value: emitted.append((name, value)))
    return form, emitted


def test_defaults_are_shown_and_set_values_emits_nothing(qtbot):
    form, emitted = make_form(qtbot)
    assert form.editors["units"].value() == 32
    assert form.editors["rate"].text() == "0.5"
    assert form.editors["kernel"].value() == (3, 3)
    assert form.editors["strides"].auto.isChecked()
    form.set_values({"units": 64, "rate": 0.25, "use_bias": False, "padding": "same", "shape": [2, 3]})
    assert form.editors["units"].value() == 64
    assert form.editors["rate"].text() == "0.25"
    assert not form.editors["use_bias"].isChecked()
    assert form.editors["padding"].currentText() == "same"
    assert form.editors["shape"].text() == "2, 3"
    assert emitted == []


def test_int_range_is_enforced_by_the_editor(qtbot):
    form, emitted = make_form(qtbot)
    units = form.editors["units"]
    assert (units.minimum(), units.maximum()) == (1, 4096)
    type_into(qtbot, units, "99999")
    assert units.value() <= 4096
    type_into(qtbot, units, "128")
    assert emitted[-1] == ("units", 128)


def test_float_out_of_range_is_refused_and_in_range_committed(qtbot):
    form, emitted = make_form(qtbot)
    rate = form.editors["rate"]
    type_into(qtbot, rate, "5")
    rate.clearFocus()
    assert emitted == []
    assert rate.value() == 0.5
    type_into(qtbot, rate, "2e-1")
    assert emitted == [("rate", 0.2)]


def test_choice_bool_and_text_commit_user_edits(qtbot):
    form, emitted = make_form(qtbot)
    form.editors["padding"].activated.emit(1)
    form.editors["use_bias"].click()
    type_into(qtbot, form.editors["label"], "bye")
    assert emitted == [("padding", "same"), ("use_bias", False), ("label", "bye")]


def test_fixed_length_tuple_has_one_bounded_box_per_entry(qtbot):
    form, emitted = make_form(qtbot)
    kernel = form.editors["kernel"]
    assert isinstance(kernel, FixedTupleEditor) and len(kernel.boxes) == 2
    assert kernel.boxes[0].minimum() == 1
    kernel.boxes[1].setValue(5)
    assert emitted == [("kernel", (3, 5))]


def test_free_length_tuple_refuses_entries_out_of_range(qtbot):
    form, emitted = make_form(qtbot)
    shape = form.editors["shape"]
    type_into(qtbot, shape, "0, 4")
    assert emitted == []
    assert shape.text() == "1, 8, 8"
    assert ">= 1" in shape.toolTip()
    type_into(qtbot, shape, "64")
    assert emitted == [("shape", (64,))]


def test_optional_parameter_switches_between_auto_and_a_value(qtbot):
    form, emitted = make_form(qtbot)
    strides = form.editors["strides"]
    assert isinstance(strides, OptionalEditor) and not strides.inner.isEnabled()
    strides.auto.click()
    assert strides.inner.isEnabled()
    assert emitted[-1][0] == "strides" and len(emitted[-1][1]) == 2
    strides.auto.click()
    assert emitted[-1] == ("strides", None)


def test_tooltips_say_what_is_accepted(qtbot):
    form, _ = make_form(qtbot)
    assert form.editors["units"].toolTip() == "Outputs.\nA whole number from 1 to 4,096."
    assert form.editors["kernel"].toolTip().endswith("2 whole numbers, each 1 or more.")
