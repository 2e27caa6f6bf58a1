"""CSV import: good tables load with the right targets; each kind of bad data names file, line, column."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data import CsvFile, DataError, read_csv_dataset


def write(tmp_path, text: str, name: str = "table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_and_categorical_target_by_name(tmp_path):
    path = write(tmp_path, "a,b,kind\n1,2,cat\n3,4,dog\n5,6,cat\n")
    data = read_csv_dataset(path, target="kind")
    np.testing.assert_array_equal(data.x, [[1, 2], [3, 4], [5, 6]])
    assert data.x.dtype == np.float32
    assert data.class_names == ("cat", "dog")
    np.testing.assert_array_equal(data.y, [0, 1, 0])
    assert data.feature_names == ("a", "b")
    assert data.task == "binary"


def test_no_header_target_by_index_and_whole_number_classes(tmp_path):
    path = write(tmp_path, "2,0.5,1\n1,0.25,0\n0,0.125,2\n")
    data = read_csv_dataset(path, target="0")
    assert data.feature_names == ()
    np.testing.assert_array_equal(data.x, [[0.5, 1], [0.25, 0], [0.125, 2]])
    np.testing.assert_array_equal(data.y, [2, 1, 0])
    assert data.class_names == ("0", "1", "2")
    assert data.task == "classification"


def test_fractional_target_is_regression_in_auto_mode(tmp_path):
    path = write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,2.25\n")
    data = read_csv_dataset(path)
    assert data.task == "regression"
    np.testing.assert_allclose(data.y, [[0.5], [1.5], [2.25]])


def test_explicit_regression_of_whole_numbers_and_negative_index(tmp_path):
    path = write(tmp_path, "x,y,z\n1,3,7\n2,4,8\n")
    data = read_csv_dataset(path, target="-2", task="regression")
    np.testing.assert_allclose(data.y, [[3], [4]])
    np.testing.assert_array_equal(data.x, [[1, 7], [2, 8]])


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path):
    path = write(tmp_path, "a,t\n1,0\n\n2,1\n\n3,x\n")
    with pytest.raises(DataError, match=r"line 6, column 2 \('t'\)"):
        read_csv_dataset(path, task="regression")


def test_semicolon_delimiter_and_bom(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_bytes("\ufeffa;b;t\n1;2;0\n3;4;1\n".encode())
    data = read_csv_dataset(path, delimiter=";")
    assert data.feature_names == ("a", "b")
    np.testing.assert_array_equal(data.y, [0, 1])


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", r"table\.csv: the file is empty"),
        ("\n\n  \n", r"the file is empty"),
        ("a,b,t\n", r"header \(line 1\) but no data rows"),
        ("a,b,t\n1,2,0\n3,4\n", r"table\.csv: line 3: expected 3 columns \(as the header on line 1\)\. "
                                r"Received: 2"),
        ("1,2,0\n3,4,1,9\n", r"line 2: expected 3 columns \(as line 1\)\. Received: 4"),
        ("a,b,t\n1,2,0\n3,abc,1\n", r"line 3, column 2 \('b'\): not a number.*Received: 'abc'"),
        ("a,b,t\n1,,0\n", r"line 2, column 2 \('b'\): empty cell"),
        ("a,b,t\n1,2,0\nnan,4,1\n", r"line 3, column 1 \('a'\): NaN or infinite.*Received: 'nan'"),
        ("a,b,t\n1,inf,0\n", r"line 2, column 2 \('b'\): NaN or infinite"),
        ("a,b,t\n1,2,\n", r"line 2, column 3 \('t'\): the target is empty"),
        ("a,b,t\n1,2,nan\n3,4,1\n", r"line 2, column 3 \('t'\): the target is NaN or inf"),
        ("a,t\n1,0\n2,0\n", r"at least 2 classes"),
    ],
)
def test_bad_csv_names_file_line_and_column(tmp_path, text, pattern):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=pattern):
        read_csv_dataset(path)


def test_missing_target_column_lists_the_columns(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match=r"target column 'label' does not exist\. Columns: \['a', 'b', 't'\]"):
        read_csv_dataset(path, target="label")
    with pytest.raises(DataError, match=r"target column index 5 does not exist; the file has 3 columns"):
        read_csv_dataset(path, target="5")


def test_named_target_without_header_is_explained(tmp_path):
    path = write(tmp_path, "1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match=r"'t' does not exist\. \(the file has no header row\)"):
        read_csv_dataset(path, target="t")


def test_text_target_refused_for_regression(tmp_path):
    path = write(tmp_path, "a,t\n1,0.5\n2,high\n")
    with pytest.raises(DataError, match=r"line 3, column 2 \('t'\): regression targets must be numbers"):
        read_csv_dataset(path, task="regression")


def test_fractional_target_refused_for_classification_names_the_value(tmp_path):
    path = write(tmp_path, "a,t\n1,0\n2,1\n3,2.5\n")
    with pytest.raises(DataError, match=r"column 2 \('t'\): class targets must be whole numbers or text\. "
                                        r"Received: 2\.5 \(target 2\)"):
        read_csv_dataset(path, task="classification")


def test_only_a_target_column_is_refused(tmp_path):
    path = write(tmp_path, "t\n0\n1\n")
    with pytest.raises(DataError, match="no feature columns"):
        read_csv_dataset(path, header="yes")


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00a,b\n")
    with pytest.raises(DataError, match="not a UTF-8 text file"):
        read_csv_dataset(path)


def test_source_loads_through_its_schema(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,x\n3,4,y\n")
    source = CsvFile(path=str(path), target="t")
    data = source.load()
    assert data.class_names == ("x", "y")
    assert CsvFile.path_options == ("path",)
    assert source.get_config()["header"] == "auto"


def test_samples_without_target(tmp_path):
    from desktop_app.data import read_csv_samples

    path = write(tmp_path, "a,b\n1,2\n3,4\n")
    np.testing.assert_array_equal(read_csv_samples(path), [[1, 2], [3, 4]])
    path = write(tmp_path, "1,2\n3,x\n", "bad.csv")
    with pytest.raises(DataError, match=r"bad\.csv: line 2, column 2: not a number"):
        read_csv_samples(path)


def test_non_finite_cells_are_worded_for_training_or_for_prediction(tmp_path):
    from desktop_app.data import read_csv_samples

    path = write(tmp_path, "a,b,label\n1,2,0\n3,inf,1\n")
    with pytest.raises(DataError, match=r"line 3, column 2 \('b'\): NaN or infinite values cannot be "
                                        r"trained on"):
        read_csv_dataset(path, target="label")
    path = write(tmp_path, "a,b\n1,2\n3,inf\n", "new.csv")
    with pytest.raises(DataError, match=r"new\.csv: line 3, column 2 \('b'\): NaN or infinite inputs have no "
                                        r"prediction; fix or remove the row\. Received: 'inf'"):
        read_csv_samples(path)
