"""The answer extractors over a table of real model outputs: code-davinci-002's BBH chains of
thought (quoted from the shared teacher files) and what small models write (markdown, LaTeX,
GSM8K's "####", hedges, truncated and looping outputs)."""

from dataclasses import dataclass

import pytest

from skintern.answers import (
    AnswerType,
    extract_answer,
    extractor_info,
    extractors,
    is_correct,
)
from skintern.answers.span import FALLBACK_MAX_CHARS
from skintern.data.loaders.bbh import make_example
from skintern.errors import ConfigError

OPT, NUM, YN = AnswerType.OPTION, AnswerType.NUMBER, AnswerType.YES_NO
TF, VI, TEXT = AnswerType.TRUE_FALSE, AnswerType.VALID_INVALID, AnswerType.FREE_TEXT
DATES = ("01/03/1963", "10/22/1924", "12/25/1937", "01/04/1938")
BOOKS = ("Ulysses", "Catch-22", "Lolita")


@dataclass(frozen=True)
class Gold:
    """The least an extractor needs (the `skintern.answers.Gold` protocol), no `Example`."""

    answer: str
    answer_type: str
    options: tuple[str, ...] = ()


# (kind, gold answer, options, model output, expected extraction)
CASES = [
    # --- option letters -------------------------------------------------------------------
    (OPT, "C", DATES, "If today is Christmas Eve of 1937, then today's date is December 24, "
     "1937. The date tomorrow is December 25, 1937, that is 12/25/1937. So the answer is (C).",
     "C"),
    (OPT, "B", DATES, "Therefore, the answer is (B).", "B"),
    (OPT, "B", DATES, "So the answer is B", "B"),
    (OPT, "B", DATES, "the answer is: **B**", "B"),
    (OPT, "B", DATES, "**Answer:** (B)", "B"),
    (OPT, "B", DATES, "The answer is (B) 10/22/1924.", "B"),
    (OPT, "B", DATES, "So the answer is 10/22/1924.", "B"),  # the option text, no letter
    (OPT, "D", DATES, "The answer is option D.", "D"),
    (OPT, "B", DATES, "Answer: B) 10/22/1924", "B"),
    (OPT, "C", DATES, "The correct answer is $\\boxed{C}$.", "C"),
    (OPT, "B", DATES, "The answer is (B). (A) is wrong because it is in 1924.", "B"),
    (OPT, "B", DATES, "So the answer is (A).\nWait, (A) is 1963. So the answer is (B).", "B"),
    (OPT, "B", DATES, "The answer is:\n\n(B)\n\nExplanation: the wedding was in 1924.", "B"),
    (OPT, "B", DATES, "So the answer is (B). So the answer is (B). So the answer is", "B"),
    (OPT, "C", DATES, "(C)", "C"),
    (OPT, "C", DATES, "C", "C"),
    (OPT, "C", DATES, "12/25/1937", "C"),
    # hedges name several options: no answer, as in the official BBH scoring
    (OPT, "B", ("a", "b"), "Because 2 < 5 < 6 < 7 < 8 is correct, (B) has the correct ordering. "
     "So the answer is (A) and (B).", None),
    (OPT, "C", DATES, "Above the above, the only humorous edits are (B), (C), and (D). "
     "So the answer is (B), (C), and (D).", None),
    (OPT, "A", ("x", "y"), "So the answer is (none of the above).", None),
    (OPT, "B", DATES, "The answer is (G).", None),  # not one of the four options
    (OPT, "A", DATES, "the answer is A man from 1924", None),  # an article, not option A
    # a chain of thought cut off before its answer names an option but does not answer
    (OPT, "B", BOOKS, "Claire: The Great Gatsby, Dave: Ulysses, Eve: Catch-22.\n"
     "At the end of the semester, Eve has Catch-22. So the", None),
    (OPT, "B", DATES, "", None),
    (OPT, "B", DATES, "So the answer is", None),
    # --- numbers ---------------------------------------------------------------------------
    (NUM, "-33", (), "Then, the final equation is A + B = -20 + -13 = -20 - 13 = -33. "
     "So the answer is -33.", "-33"),
    (NUM, "8", (), "Now, let's add the numbers in parentheses: 1 + 1 + 1 + 4 + 1 + 1 + 1 + 1 "
     "+ 2 + 1 = 14. So the answer is 14.", "14"),
    (NUM, "1234", (), "She earns 1,000 + 234 = 1,234 dollars.\n#### 1,234", "1234"),
    (NUM, "1234", (), "The answer is $1,234.", "1234"),
    (NUM, "42", (), "#### Step 1\nThe answer is 42.\n\n#### Explanation\n6 * 7 = 42", "42"),
    (NUM, "12", (), "Final Answer: The final answer is $\\boxed{12}$. I hope it is correct.", "12"),
    (NUM, "12", (), "So the answer is $12$.", "12"),
    (NUM, "18", (), "Therefore, the answer is 18 dollars.", "18"),
    (NUM, "18", (), "The answer is 18.00", "18"),
    (NUM, "15", (), "The answer is 5 * 3 = 15.", "15"),
    (NUM, "-35", (), "The answer is \u221235.", "-35"),
    (NUM, "5", (), "the answer is five.", "5"),
    (NUM, "0", (), "So the answer is 0.", "0"),
    (NUM, "0.5", (), "The answer is 1/2.", "0.5"),
    (NUM, "72", (), "Natalia sold 48/2 = 24 clips in May.\nShe sold 48 + 24 = 72 clips.", "72"),
    (NUM, "7", (), "So he has 3 apples and 4 pears, 7 fruits.", "7"),  # unmarked: last number
    (NUM, "7", (), "So the answer is unknown.", None),
    (NUM, "8", (), "(8 + 1 + 6 + 6) = " * 300, None),  # a looping output, never finished
    # --- yes / no (gold "no" lowercase in sports_understanding) -------------------------------
    (YN, "no", (), "Elias Lindholm is a Swedish ice hockey player. Beating the buzzer is part "
     "of ice hockey. So the answer is yes.", "Yes"),
    (YN, "no", (), "Joao Moutinho is a soccer player. Touchdowns are part of American "
     "football. So the answer is no.", "No"),
    (YN, "Yes", (), "the answer is: **Yes**", "Yes"),
    (YN, "Yes", (), "Yes, because the vice president intended the outcome.", "Yes"),
    (YN, "No", (), "No", "No"),
    (YN, "Yes", (), "The answer is yes or no, depending on the reading.", None),
    (YN, "No", (), "The answer is not yes.", None),
    (YN, "No", (), "Maybe.", None),
    # --- True / False -------------------------------------------------------------------------
    (TF, "False", (), "not ( True ) and ( True ) = not True and True = False and True = False. "
     "So the answer is False.", "False"),
    (TF, "True", (), "The answer is: true", "True"),
    (TF, "True", (), "not not False = " * 500, None),
    # --- valid / invalid ----------------------------------------------------------------------
    (VI, "valid", (), "So, it is true that Alma is a supporter of FC Lokomotiv Moskva. "
     "So the answer is valid.", "valid"),
    (VI, "invalid", (), "So the answer is invalid.", "invalid"),  # not read as "valid"
    (VI, "valid", (), "Therefore, the answer is Valid.", "valid"),
    (VI, "invalid", (), "The argument is not valid.", None),
    # --- free text: Dyck closing sequences ------------------------------------------------------
    (TEXT, "] )", (), "Now, we have reached the end. So the answer is ] ).", "] )"),
    (TEXT, "] )", (), "the answer is: ] ) (closing the brackets)", "] )"),
    (TEXT, "] )", (), "Therefore, the answer is ]).", "] )"),
    (TEXT, ")", (), "Now, we have reached the end. The final stack is empty.\n"
     "So, we need nothing. So the answer is empty.", None),
    (TEXT, ">", (), "37: > ; stack: (\n38: > ; stack:", None),  # truncated, no answer
    # --- free text: word lists ---------------------------------------------------------------
    (TEXT, "syndrome therefrom", (), 'Hence, we have "syndrome" < "therefrom". '
     "So the answer is syndrome therefrom.", "syndrome therefrom"),
    (TEXT, "syndrome therefrom", (), "The answer is: Syndrome, Therefrom", "syndrome therefrom"),
    (TEXT, "syndrome therefrom", (), "So the answer is therefrom syndrome.", "therefrom syndrome"),
]  # fmt: skip


PARAMS = [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(CASES)]


@pytest.mark.parametrize(("kind", "answer", "options", "text", "expected"), PARAMS)
def test_extracts(kind, answer, options, text, expected):
    gold = Gold(answer, kind, options)
    assert extract_answer(text, gold) == expected
    assert is_correct(text, gold) == (
        expected is not None and extractors.get(kind).matches(expected, gold)
    )


@pytest.mark.parametrize(
    ("kind", "answer", "text", "correct"),
    [
        (OPT, "(C)", "So the answer is (C).", True),  # gold written with parentheses
        (OPT, "C", "So the answer is (B).", False),
        (NUM, "18", "The answer is 18.0", True),
        (NUM, "0.5", "The answer is 1/2.", True),
        (NUM, "-33", "So the answer is 33.", False),
        (YN, "no", "So the answer is No.", True),
        (TEXT, "] )", "So the answer is ]).", True),
        (TEXT, "] )", "So the answer is ) ].", False),
        (TEXT, "apple it&t zoo", "The answer is Apple, IT&T, zoo.", True),
        (TEXT, "apple zoo", "The answer is zoo apple.", False),
    ],
)
def test_is_correct(kind, answer, text, correct):
    assert is_correct(text, Gold(answer, kind)) is correct


def test_every_answer_type_has_a_named_versioned_extractor():
    assert set(extractors.names()) == {kind.value for kind in AnswerType}
    names = [extractors.get(kind).name for kind in extractors.names()]
    assert len(set(names)) == len(names)
    for kind in AnswerType:
        info = extractor_info(Gold("x", kind))
        assert info == {"extractor": extractors.get(kind).name, "version": 1}


@pytest.mark.parametrize("kind", list(AnswerType))
@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "the answer is", "x" * (FALLBACK_MAX_CHARS + 1), "answer is " * 20_000],
)
def test_no_answer_is_none_never_a_crash(kind, text):
    gold = Gold("A" if kind is OPT else "1", kind, DATES)
    assert extract_answer(text, gold) is None
    assert is_correct(text, gold) is False


def test_real_example_satisfies_the_protocol():
    question = "Today is Christmas Eve of 1937. What is the date tomorrow?\nOptions:\n" + "\n".join(
        f"({letter}) {text}" for letter, text in zip("ABCD", DATES, strict=True)
    )
    example = make_example("date_understanding", 0, question, "(C)")
    assert extract_answer("So the answer is 12/25/1937.", example) == "C"
    assert is_correct("So the answer is (C).", example)
    assert extractor_info(example) == {"extractor": "option-letter", "version": 1}


def test_unknown_answer_type_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown answer extractor 'essay'"):
        extract_answer("So the answer is 3.", Gold("3", "essay"))
