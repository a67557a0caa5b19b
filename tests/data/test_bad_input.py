"""Every user-fixable problem in a data file is one `DataError` naming the file, line or field."""

import pytest

import skintern.data as data
from skintern.data.loaders.files import load_file
from skintern.errors import ConfigError, DataError

AGIEVAL_OK = '{"passage": null, "question": "Q?", "options": ["(A)1", "(B)2"], "label": "A"}'
GSM8K_OK = '{"question": "Q?", "answer": "#### 1"}'
ARC_OK = '{"input": "Question: Q?\\nOptions:\\n(A) 1\\n(B) 2", "target": "(A)"}'

# (how to load, file under the root, a good record)
JSONL_CASES = {
    "agieval": (dict(name="agieval", task="sat-math"), "agieval/sat-math.jsonl", AGIEVAL_OK),
    "gsm8k": (dict(name="gsm8k", split="test"), "gsm8k/test.jsonl", GSM8K_OK),
}


def load(tmp_path, case):
    kwargs, _, _ = JSONL_CASES[case]
    return data.load(data_dir=tmp_path, **kwargs)


def write(tmp_path, relative, text=None, raw=None):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw if raw is not None else text.encode())
    return path


@pytest.mark.parametrize("name", ["agieval", "gsm8k", "arc-e", "arc-c"])
def test_missing_data_folder(tmp_path, name):
    with pytest.raises(DataError, match="data folder does not exist") as info:
        data.load(name, "test", data_dir=tmp_path / "nowhere")
    assert info.value.where == str(tmp_path / "nowhere")


@pytest.mark.parametrize("case", sorted(JSONL_CASES))
def test_malformed_json_line_names_file_and_line(tmp_path, case):
    _, relative, good = JSONL_CASES[case]
    path = write(tmp_path, relative, f"{good}\n{{not json\n")
    with pytest.raises(DataError, match="malformed JSON line") as info:
        load(tmp_path, case)
    assert info.value.where == f"{path}:2"


@pytest.mark.parametrize(
    "case,field", [("agieval", "question"), ("agieval", "options"), ("gsm8k", "answer")]
)
def test_missing_field_is_named(tmp_path, case, field):
    _, relative, good = JSONL_CASES[case]
    bad = good.replace(f'"{field}"', '"other"')
    path = write(tmp_path, relative, f"{good}\n\n{bad}\n")
    with pytest.raises(DataError, match=f"missing field '{field}'") as info:
        load(tmp_path, case)
    assert info.value.where == f"{path}:3"  # blank lines are skipped but counted


@pytest.mark.parametrize("case", sorted(JSONL_CASES))
def test_empty_file(tmp_path, case):
    _, relative, _ = JSONL_CASES[case]
    path = write(tmp_path, relative, "\n")
    with pytest.raises(DataError, match="no records") as info:
        load(tmp_path, case)
    assert info.value.where == str(path)


@pytest.mark.parametrize("case", sorted(JSONL_CASES))
def test_non_utf8_file(tmp_path, case):
    _, relative, good = JSONL_CASES[case]
    path = write(tmp_path, relative, raw=good.replace("Q?", "Caf\xe9?").encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8") as info:
        load(tmp_path, case)
    assert info.value.where == str(path)


def test_arc_json_problems(tmp_path):
    path = write(tmp_path, "arc/ARC-Easy-Test.json", f"[\n{ARC_OK},\n{{oops}}\n]")
    with pytest.raises(DataError, match="malformed JSON") as info:
        data.load("arc-e", data_dir=tmp_path)
    assert info.value.where == f"{path}:3"
    write(tmp_path, "arc/ARC-Easy-Test.json", "")
    with pytest.raises(DataError, match="file is empty"):
        data.load("arc-e", data_dir=tmp_path)
    write(tmp_path, "arc/ARC-Easy-Test.json", f'[{ARC_OK}, {{"input": "Question: Q?"}}]')
    with pytest.raises(DataError, match="missing field 'target'") as info:
        data.load("arc-e", data_dir=tmp_path)
    assert info.value.where.endswith("ARC-Easy-Test.json: [1]")
    write(tmp_path, "arc/ARC-Easy-Test.json", raw=b"[\xff]")
    with pytest.raises(DataError, match="not UTF-8"):
        data.load("arc-e", data_dir=tmp_path)


def test_unknown_agieval_subset_lists_known(tmp_path):
    with pytest.raises(ConfigError, match="known: aqua-rat, logiqa-en, .*, sat-math") as info:
        data.load("agieval", task="satmath", data_dir=tmp_path)
    assert info.value.hint == "did you mean 'sat-math'?"


def test_user_file_problems(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_file(tmp_path / "absent.jsonl", dataset="x")
    with pytest.raises(DataError, match="expected .jsonl or .csv"):
        load_file(write(tmp_path, "x.json", "[]"), dataset="x")
    with pytest.raises(DataError, match="no header row"):
        load_file(write(tmp_path, "empty.csv", ""), dataset="x")
    with pytest.raises(DataError, match="header but no rows"):
        load_file(write(tmp_path, "header.csv", "question,answer\n"), dataset="x")
    latin = write(tmp_path, "latin.csv", raw="question,answer\nCaf\xe9?,1\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8") as info:
        load_file(latin, dataset="x")
    assert info.value.where == str(latin)
    bad = write(tmp_path, "bad.jsonl", '{"question": "Q?", "answer": "1"}\n[1, 2]\n')
    with pytest.raises(DataError, match="expected a JSON object") as info:
        load_file(bad, dataset="x")
    assert info.value.where == f"{bad}:2"
    opts = write(tmp_path, "opts.csv", 'question,answer,options\nQ?,A,"[1, 2"\n')
    with pytest.raises(DataError, match="'options' is not a JSON list") as info:
        load_file(opts, dataset="x")
    assert info.value.where == f"{opts}:2"
