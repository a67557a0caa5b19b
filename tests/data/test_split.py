import pytest

from skintern.data.split import split_items
from skintern.errors import ConfigError


def test_split_is_a_partition_in_file_order():
    items = list(range(101))
    train = split_items(items, "train", seed=0, key="t")
    test = split_items(items, "test", seed=0, key="t")
    assert sorted(train + test) == items
    assert len(test) == 20  # round(101 * 0.2)
    assert train == sorted(train) and test == sorted(test)
    assert split_items(items, "all", seed=0, key="t") == items


def test_split_depends_on_seed_and_key_only():
    items = list(range(50))
    a = split_items(items, "test", seed=1, key="x")
    assert a == split_items(items, "test", seed=1, key="x")
    assert a != split_items(items, "test", seed=2, key="x")
    assert a != split_items(items, "test", seed=1, key="y")


def test_unknown_split():
    with pytest.raises(ConfigError, match="unknown split 'dev'"):
        split_items([1], "dev", seed=0, key="k")
