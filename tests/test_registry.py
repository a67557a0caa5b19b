import pytest

from skintern.errors import ConfigError
from skintern.registry import Registry


def test_register_get_and_names():
    reg: Registry[int] = Registry("widget")
    reg.register("alpha")(1)
    reg.register("beta")(2)
    assert reg.get("beta") == 2
    assert reg.names() == ["alpha", "beta"]
    assert "alpha" in reg and "gamma" not in reg


def test_unknown_name_lists_known_and_suggests():
    reg: Registry[int] = Registry("widget")
    reg.register("std-cot")(1)
    with pytest.raises(ConfigError) as info:
        reg.get("std_cot")
    assert "unknown widget 'std_cot'" in info.value.message
    assert "std-cot" in info.value.message
    assert info.value.hint == "did you mean 'std-cot'?"


def test_double_registration_is_a_bug():
    reg: Registry[int] = Registry("widget")
    reg.register("a")(1)
    with pytest.raises(ValueError):
        reg.register("a")(2)
